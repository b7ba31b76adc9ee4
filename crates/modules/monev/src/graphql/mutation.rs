//! Monev's mutations. Every one changes state through a workflow transition with its audit
//! event (naming a supervisor is a note on the activity's case).

use async_graphql::{Context, Enum, InputObject, Object, Result, ID};
use chrono::NaiveDate;
use mufakat_kernel::graphql::{parse_id, require_user, state};
use rust_decimal::Decimal;

use super::types::*;
use crate::service::{activities, flags, reports};

#[derive(InputObject)]
pub struct MonevPlanMonthInput {
    /// `2027-03`
    pub period: String,
    /// Cumulative physical progress planned by the month's end, percent (0–100, two decimals).
    pub physical: Decimal,
    /// Cumulative disbursement planned by the month's end (rupiah; at most the pagu).
    pub disbursement: Decimal,
}

#[derive(InputObject)]
pub struct MonevSubActivityInput {
    pub name: String,
    /// Percent; the weights sum to 100.
    pub weight: Decimal,
}

#[derive(InputObject)]
pub struct MonevTargetInput {
    pub period: String,
    pub value: Decimal,
}

#[derive(InputObject)]
pub struct MonevIndicatorInput {
    /// An outcome (hasil); else an output (keluaran).
    #[graphql(default)]
    pub outcome: bool,
    pub name: String,
    pub unit: String,
    #[graphql(default)]
    pub baseline: Decimal,
    #[graphql(default = true)]
    pub higher_is_better: bool,
    #[graphql(default)]
    pub targets: Vec<MonevTargetInput>,
}

#[derive(InputObject)]
pub struct MonevPlanInput {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// One row per month from the start's month to the end's, in order; the last at 100 %.
    pub months: Vec<MonevPlanMonthInput>,
    #[graphql(default)]
    pub sub_activities: Vec<MonevSubActivityInput>,
    #[graphql(default)]
    pub indicators: Vec<MonevIndicatorInput>,
}

impl From<MonevPlanInput> for activities::PlanInput {
    fn from(p: MonevPlanInput) -> Self {
        activities::PlanInput {
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            months: p
                .months
                .into_iter()
                .map(|m| (m.period, m.physical, m.disbursement))
                .collect(),
            subs: p
                .sub_activities
                .into_iter()
                .map(|s| (s.name, s.weight))
                .collect(),
            indicators: p
                .indicators
                .into_iter()
                .map(|i| activities::NewIndicator {
                    outcome: i.outcome,
                    name: i.name,
                    unit: i.unit,
                    baseline: i.baseline,
                    higher_is_better: i.higher_is_better,
                    targets: i.targets.into_iter().map(|t| (t.period, t.value)).collect(),
                })
                .collect(),
        }
    }
}

#[derive(InputObject)]
pub struct MonevActivityInput {
    /// The line of the plan (a funded proposal or an OPD's activity).
    pub plan_line_id: ID,
    /// The contract it is bought under, if already signed.
    pub contract_id: Option<ID>,
    /// e.g. `jalan`, `air bersih` (grouping in the dashboards).
    pub category: String,
    /// e.g. `APBD`, `DAK`, `DAU`.
    pub funding_source: String,
    pub plan: MonevPlanInput,
}

#[derive(InputObject)]
pub struct MonevActualInput {
    pub indicator_id: ID,
    pub value: Decimal,
}

#[derive(InputObject)]
pub struct MonevReportInput {
    /// The physical progress, percent (without sub-activities).
    pub physical: Option<Decimal>,
    /// Each sub-activity's progress in the plan's order (with sub-activities).
    #[graphql(default)]
    pub sub_progress: Vec<Decimal>,
    /// Cumulative realised spending (rupiah).
    pub spent: Option<Decimal>,
    #[graphql(default)]
    pub actuals: Vec<MonevActualInput>,
    #[graphql(default)]
    pub notes: String,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MonevActivityAction {
    /// Declare it complete (KPA, PPK; 100 % verified).
    Complete,
    /// Cancel it before it started (KPA, with a reason).
    Cancel,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MonevFlagAction {
    Acknowledge,
    /// With a note.
    Resolve,
    /// Critical contract: the warning letter (surat peringatan), with its date and text.
    Warn,
    /// Critical contract: show-cause meeting I (and its trial period), with date and minutes.
    Scm1,
    Scm2,
    Scm3,
    /// Critical contract: terminate after SCM III failed.
    Terminate,
}

impl MonevFlagAction {
    fn name(self) -> &'static str {
        match self {
            MonevFlagAction::Acknowledge => "acknowledge",
            MonevFlagAction::Resolve => "resolve",
            MonevFlagAction::Warn => "warn",
            MonevFlagAction::Scm1 => "scm_1",
            MonevFlagAction::Scm2 => "scm_2",
            MonevFlagAction::Scm3 => "scm_3",
            MonevFlagAction::Terminate => "terminate",
        }
    }
}

fn opt_id(field: &str, v: &Option<ID>) -> Result<Option<i32>> {
    Ok(match v {
        Some(v) => Some(parse_id(field, v)?),
        None => None,
    })
}

#[derive(Default)]
pub struct MonevMutation;

#[Object]
impl MonevMutation {
    /// Opens an activity from a line of the plan, with its plan, indicators and (if signed)
    /// contract; each month gets its report, due by timer. OPD staff or the KPA.
    async fn create_monev_activity(
        &self,
        ctx: &Context<'_>,
        input: MonevActivityInput,
    ) -> Result<MonevActivity> {
        let user = require_user(ctx)?;
        let n = activities::NewActivity {
            plan_line_id: parse_id("planLineId", &input.plan_line_id)?,
            contract_id: opt_id("contractId", &input.contract_id)?,
            category: input.category,
            funding_source: input.funding_source,
            plan: input.plan.into(),
        };
        Ok(MonevActivity(
            activities::create(state(ctx), user, n).await?,
        ))
    }

    /// Revises the plan (and may name the contract); after the start a reason is required.
    async fn revise_monev_plan(
        &self,
        ctx: &Context<'_>,
        id: ID,
        plan: MonevPlanInput,
        contract_id: Option<ID>,
        reason: Option<String>,
    ) -> Result<MonevActivity> {
        let user = require_user(ctx)?;
        Ok(MonevActivity(
            activities::revise(
                state(ctx),
                user,
                parse_id("id", &id)?,
                plan.into(),
                opt_id("contractId", &contract_id)?,
                reason,
            )
            .await?,
        ))
    }

    /// Names (or with `remove` un-names) a supervisor (a user with the `supervisor` role over
    /// the activity's region) who may write its reports.
    async fn name_monev_supervisor(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
        user_id: ID,
        #[graphql(default)] remove: bool,
    ) -> Result<MonevActivity> {
        let user = require_user(ctx)?;
        Ok(MonevActivity(
            activities::name_supervisor(
                state(ctx),
                user,
                parse_id("activityId", &activity_id)?,
                parse_id("userId", &user_id)?,
                remove,
            )
            .await?,
        ))
    }

    async fn monev_activity_action(
        &self,
        ctx: &Context<'_>,
        id: ID,
        action: MonevActivityAction,
        note: Option<String>,
    ) -> Result<MonevActivity> {
        let user = require_user(ctx)?;
        let id = parse_id("id", &id)?;
        let st = state(ctx);
        Ok(MonevActivity(match action {
            MonevActivityAction::Complete => activities::complete(st, user, id, note).await?,
            MonevActivityAction::Cancel => {
                activities::cancel(st, user, id, note.unwrap_or_default()).await?
            }
        }))
    }

    /// Saves a month's report as a draft, or with `submit` sends it for verification (then
    /// physical progress and spending are required). OPD staff or a named supervisor.
    async fn save_monev_report(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: MonevReportInput,
        #[graphql(default)] submit: bool,
    ) -> Result<MonevReport> {
        let user = require_user(ctx)?;
        let mut actuals = vec![];
        for a in &input.actuals {
            actuals.push((parse_id("actuals.indicatorId", &a.indicator_id)?, a.value));
        }
        let i = reports::ReportInput {
            physical: input.physical,
            sub_progress: input.sub_progress,
            spent: input.spent,
            actuals,
            notes: input.notes,
        };
        Ok(MonevReport(
            reports::save(state(ctx), user, parse_id("id", &id)?, i, submit).await?,
        ))
    }

    /// Verifies a submitted report (KPA or PPK, not its submitter): the activity's figures
    /// move and the deviation rules run on the month.
    async fn verify_monev_report(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<MonevReport> {
        let user = require_user(ctx)?;
        Ok(MonevReport(
            reports::verify(state(ctx), user, parse_id("id", &id)?, note).await?,
        ))
    }

    /// Returns a submitted report with notes (KPA or PPK).
    async fn return_monev_report(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: String,
    ) -> Result<MonevReport> {
        let user = require_user(ctx)?;
        Ok(MonevReport(
            reports::return_report(state(ctx), user, parse_id("id", &id)?, note).await?,
        ))
    }

    /// Acts on a deviation flag: acknowledge, resolve (with a note); for a critical contract
    /// the escalation steps, each with its date (`stepOn`) and minutes (`note`).
    async fn monev_flag_action(
        &self,
        ctx: &Context<'_>,
        id: ID,
        action: MonevFlagAction,
        note: Option<String>,
        step_on: Option<NaiveDate>,
    ) -> Result<MonevFlag> {
        let user = require_user(ctx)?;
        Ok(MonevFlag(
            flags::act(
                state(ctx),
                user,
                parse_id("id", &id)?,
                action.name(),
                note,
                step_on,
            )
            .await?,
        ))
    }
}
