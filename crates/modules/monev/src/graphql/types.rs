//! Monev's GraphQL types. Activities, verified reports and their photos are public (a resident
//! follows what was funded); drafts, returned reports, notes and flags are for those who read
//! monev's internal data over the activity's region (and supervisors named on it).

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::Lang;
use mufakat_kernel::graphql::{req, state};
use mufakat_monev::{FlagKind, Period};
use rust_decimal::Decimal;

use crate::entity::{activity, flag, indicator, photo, report};
use crate::service::{self as svc, flags, from_bp, from_sen, reports};

fn lang(ctx: &Context<'_>) -> Lang {
    req(ctx).lang
}

fn title(ctx: &Context<'_>, workflow: &str, status: &str) -> String {
    state(ctx)
        .workflows
        .state_title(workflow, status, lang(ctx))
}

async fn internal(ctx: &Context<'_>, a: &activity::Model) -> Result<bool> {
    Ok(svc::reads_internal(state(ctx), req(ctx).user.as_ref(), a).await?)
}

#[derive(SimpleObject)]
pub struct MonevPlanMonth {
    /// `2027-03`
    pub period: String,
    /// Cumulative physical progress planned by the month's end, percent.
    pub physical: Decimal,
    /// Cumulative disbursement planned by the month's end.
    pub disbursement: Decimal,
}

#[derive(SimpleObject)]
pub struct MonevSubActivity {
    pub name: String,
    /// Its weight in the activity's physical progress, percent (the weights sum to 100).
    pub weight: Decimal,
}

#[derive(SimpleObject)]
pub struct MonevCurvePoint {
    pub period: String,
    pub planned_physical: Decimal,
    /// None after the last verified report.
    pub actual_physical: Option<Decimal>,
    pub planned_disbursement: Decimal,
    pub actual_disbursement: Option<Decimal>,
}

impl From<mufakat_monev::dashboard::CurvePoint> for MonevCurvePoint {
    fn from(c: mufakat_monev::dashboard::CurvePoint) -> Self {
        MonevCurvePoint {
            period: c.period.to_string(),
            planned_physical: c.planned_physical,
            actual_physical: c.actual_physical,
            planned_disbursement: c.planned_disbursement,
            actual_disbursement: c.actual_disbursement,
        }
    }
}

pub struct MonevActivity(pub activity::Model);

#[Object]
impl MonevActivity {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn opd(&self) -> &str {
        &self.0.opd
    }
    async fn region_id(&self) -> ID {
        ID(self.0.region_id.to_string())
    }
    async fn year(&self) -> i32 {
        self.0.year
    }
    async fn category(&self) -> &str {
        &self.0.category
    }
    async fn funding_source(&self) -> &str {
        &self.0.funding_source
    }
    /// The line's budget (pagu).
    async fn pagu(&self) -> Decimal {
        from_sen(self.0.pagu_sen)
    }
    /// The contract's value, when under contract.
    async fn contracted(&self) -> Option<Decimal> {
        self.0.contracted_sen.map(from_sen)
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    /// `planned`, `not_started`, `running`, `completed`, `cancelled`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        title(ctx, svc::ACTIVITY_WORKFLOW, &self.0.status)
    }
    /// The last verified physical progress, percent.
    async fn actual_physical(&self) -> Option<Decimal> {
        self.0.actual_bp.map(from_bp)
    }
    /// The plan's physical progress at the end of the last verified month (or this month).
    async fn planned_physical(&self, ctx: &Context<'_>) -> Decimal {
        let p = self
            .0
            .last_period
            .as_deref()
            .and_then(|p| p.parse::<Period>().ok())
            .unwrap_or_else(|| Period::at(state(ctx).now()));
        mufakat_monev::plan::planned_at(&svc::points_of(&self.0), p).0
    }
    /// Actual minus planned physical progress at the last verified month, points.
    async fn deviation(&self) -> Option<Decimal> {
        let p = self.0.last_period.as_deref()?.parse::<Period>().ok()?;
        let planned = mufakat_monev::plan::planned_at(&svc::points_of(&self.0), p).0;
        Some(from_bp(self.0.actual_bp?) - planned)
    }
    /// Cumulative verified spending.
    async fn disbursed(&self) -> Decimal {
        from_sen(self.0.disbursed_sen)
    }
    async fn last_period(&self) -> Option<&str> {
        self.0.last_period.as_deref()
    }
    async fn plan(&self) -> Vec<MonevPlanMonth> {
        svc::points_of(&self.0)
            .into_iter()
            .map(|p| MonevPlanMonth {
                period: p.period.to_string(),
                physical: p.physical,
                disbursement: p.disbursement,
            })
            .collect()
    }
    async fn sub_activities(&self) -> Vec<MonevSubActivity> {
        svc::subs_of(&self.0)
            .into_iter()
            .map(|s| MonevSubActivity {
                name: s.name,
                weight: s.weight,
            })
            .collect()
    }
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<MonevIndicator>> {
        Ok(svc::indicators_of(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(MonevIndicator)
            .collect())
    }
    /// The month's reports: every one for those who read internal data, the verified ones for
    /// everyone else.
    async fn reports(&self, ctx: &Context<'_>) -> Result<Vec<MonevReport>> {
        let all = internal(ctx, &self.0).await?;
        Ok(reports::of_activity(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .filter(|r| all || r.status == "verified")
            .map(MonevReport)
            .collect())
    }
    /// The deviation flags (for those who read them; empty for others).
    async fn flags(&self, ctx: &Context<'_>) -> Result<Vec<MonevFlag>> {
        let st = state(ctx);
        let Some(u) = req(ctx).user.as_ref() else {
            return Ok(vec![]);
        };
        if !svc::allowed(st, u, self.0.region_id, crate::perms::FLAG_READ).await {
            return Ok(vec![]);
        }
        Ok(flags::of_activity(&st.db, self.0.id)
            .await?
            .into_iter()
            .map(MonevFlag)
            .collect())
    }
    /// Open flags (everyone sees how many), from the dashboard's snapshot: no query per
    /// activity in a list.
    async fn open_flags(&self, ctx: &Context<'_>) -> Result<i32> {
        let snap = svc::dashboard::snapshot(state(ctx)).await?;
        Ok(snap
            .facts
            .binary_search_by_key(&self.0.id, |f| f.id)
            .map(|i| snap.facts[i].open_flags.values().sum::<u32>() as i32)
            .unwrap_or(0))
    }
    /// The S-curve: plan and verified actuals per month.
    async fn curve(&self, ctx: &Context<'_>) -> Result<Vec<MonevCurvePoint>> {
        let f = svc::dashboard::Filter {
            activity_id: Some(self.0.id),
            ..Default::default()
        };
        Ok(svc::dashboard::curve(state(ctx), &f)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The line of the plan (and through it the resident's proposal: the golden thread).
    async fn plan_line(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<mufakat_module_procurement::graphql::types::PlanLine>> {
        use mufakat_store::DbResultExt;
        use sea_orm::EntityTrait;
        Ok(
            mufakat_module_procurement::entity::plan_line::Entity::find_by_id(self.0.plan_line_id)
                .one(&state(ctx).db)
                .await
                .db()?
                .map(mufakat_module_procurement::graphql::types::PlanLine),
        )
    }
    async fn proposal_id(&self) -> Option<ID> {
        self.0.proposal_id.map(|p| ID(p.to_string()))
    }
    /// The contract the activity is bought under, if any (its procedure and vendor).
    async fn contract(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<mufakat_module_tender::graphql::types::Contract>> {
        use mufakat_store::DbResultExt;
        use sea_orm::EntityTrait;
        let Some(id) = self.0.contract_id else {
            return Ok(None);
        };
        Ok(
            mufakat_module_tender::entity::contract::Entity::find_by_id(id)
                .one(&state(ctx).db)
                .await
                .db()?
                .map(mufakat_module_tender::graphql::types::Contract),
        )
    }
    /// The supervisors named on it (ids; for those who read internal data).
    async fn supervisors(&self, ctx: &Context<'_>) -> Result<Vec<ID>> {
        if !internal(ctx, &self.0).await? {
            return Ok(vec![]);
        }
        Ok(svc::activities::supervisors(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(|s| ID(s.user_id.to_string()))
            .collect())
    }
    /// Its case in the workflow engine (and the audit trail).
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    /// The quarterly-style progress sheet (PDF) of this activity.
    async fn sheet_url(&self) -> String {
        format!("/monev/activities/{}/sheet.pdf", self.0.id)
    }
}

pub struct MonevIndicator(pub indicator::Model);

#[derive(SimpleObject)]
pub struct MonevTarget {
    pub period: String,
    pub value: Decimal,
}

#[Object]
impl MonevIndicator {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// An outcome (hasil), else an output (keluaran).
    async fn outcome(&self) -> bool {
        self.0.outcome
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    async fn baseline(&self) -> Decimal {
        self.0.baseline.parse().unwrap_or_default()
    }
    async fn higher_is_better(&self) -> bool {
        self.0.higher_is_better
    }
    async fn targets(&self) -> Vec<MonevTarget> {
        svc::indicator_of(&self.0)
            .targets
            .into_iter()
            .map(|(p, v)| MonevTarget {
                period: p.to_string(),
                value: v,
            })
            .collect()
    }
}

#[derive(SimpleObject)]
pub struct MonevActual {
    pub indicator_id: ID,
    pub value: Decimal,
}

pub struct MonevReport(pub report::Model);

#[Object]
impl MonevReport {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn activity_id(&self) -> ID {
        ID(self.0.activity_id.to_string())
    }
    async fn period(&self) -> &str {
        &self.0.period
    }
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// `expected`, `draft`, `late`, `submitted`, `returned`, `verified`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        title(ctx, svc::REPORT_WORKFLOW, &self.0.status)
    }
    async fn physical(&self) -> Option<Decimal> {
        self.0.physical_bp.map(from_bp)
    }
    /// Each sub-activity's progress, in the plan's order.
    async fn sub_progress(&self) -> Vec<Decimal> {
        self.0
            .sub_progress
            .as_deref()
            .and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect()
    }
    /// Cumulative realised spending.
    async fn spent(&self) -> Option<Decimal> {
        self.0.spent_sen.map(from_sen)
    }
    async fn actuals(&self) -> Vec<MonevActual> {
        serde_json::from_str::<std::collections::BTreeMap<String, String>>(&self.0.actuals)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| {
                Some(MonevActual {
                    indicator_id: ID(k),
                    value: v.parse().ok()?,
                })
            })
            .collect()
    }
    async fn notes(&self) -> &str {
        &self.0.notes
    }
    /// The verifier's notes when it was returned.
    async fn return_note(&self) -> Option<&str> {
        self.0.return_note.as_deref()
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }
    /// Marked late by its timer, or first submitted after its due time.
    async fn late(&self) -> bool {
        self.0.late_at.is_some() || self.0.first_submitted_at.is_some_and(|t| t > self.0.due_at)
    }
    async fn photos(&self, ctx: &Context<'_>) -> Result<Vec<MonevPhoto>> {
        Ok(reports::photos_of(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(MonevPhoto)
            .collect())
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
}

pub struct MonevPhoto(pub photo::Model);

#[Object]
impl MonevPhoto {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    async fn taken_at(&self) -> Option<DateTime<Utc>> {
        self.0.taken_at
    }
    async fn latitude(&self) -> Option<Decimal> {
        self.0.latitude.as_deref().and_then(|v| v.parse().ok())
    }
    async fn longitude(&self) -> Option<Decimal> {
        self.0.longitude.as_deref().and_then(|v| v.parse().ok())
    }
    /// Where to download it (`GET`).
    async fn url(&self) -> String {
        format!("/monev/photos/{}", self.0.id)
    }
}

pub struct MonevFlag(pub flag::Model);

#[Object]
impl MonevFlag {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn activity_id(&self) -> ID {
        ID(self.0.activity_id.to_string())
    }
    async fn report_id(&self) -> Option<ID> {
        self.0.report_id.map(|i| ID(i.to_string()))
    }
    /// `critical_contract`, `behind_plan`, `spending_ahead`, `indicator_below_target`,
    /// `late_report`, `not_started`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn kind_title(&self, ctx: &Context<'_>) -> String {
        FlagKind::parse(&self.0.kind)
            .map(|k| {
                if lang(ctx) == Lang::Id {
                    k.title().0
                } else {
                    k.title().1
                }
            })
            .unwrap_or(&self.0.kind)
            .to_owned()
    }
    /// `low`, `medium`, `high`.
    async fn severity(&self) -> &str {
        &self.0.severity
    }
    async fn period(&self) -> &str {
        &self.0.period
    }
    /// What was found, in the request's language.
    async fn message(&self, ctx: &Context<'_>) -> &str {
        if lang(ctx) == Lang::Id {
            &self.0.message_id
        } else {
            &self.0.message_en
        }
    }
    /// The evidence (a JSON object of texts).
    async fn evidence(&self) -> &str {
        &self.0.evidence
    }
    /// `open`, `acknowledged`, `resolved`; for a critical contract also `warned`, `scm_1` …
    /// `scm_3`, `terminated`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        let wf = if self.0.kind == FlagKind::CriticalContract.code() {
            svc::CRITICAL_WORKFLOW
        } else {
            svc::FLAG_WORKFLOW
        };
        title(ctx, wf, &self.0.status)
    }
    /// The last note (acknowledgement, resolution, a step's minutes).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MonevGroupBy {
    All,
    Region,
    Opd,
    Category,
    FundingSource,
    Cycle,
}

impl From<MonevGroupBy> for mufakat_monev::GroupBy {
    fn from(g: MonevGroupBy) -> Self {
        match g {
            MonevGroupBy::All => Self::All,
            MonevGroupBy::Region => Self::Region,
            MonevGroupBy::Opd => Self::Opd,
            MonevGroupBy::Category => Self::Category,
            MonevGroupBy::FundingSource => Self::FundingSource,
            MonevGroupBy::Cycle => Self::Cycle,
        }
    }
}

#[derive(SimpleObject)]
pub struct MonevFlagCount {
    pub kind: String,
    pub count: i32,
}

/// A group's figures (the situation room).
#[derive(SimpleObject)]
pub struct MonevDashboardRow {
    /// The region or cycle id, the OPD, category or funding source; `all`.
    pub group: String,
    /// The region's name for groups by region; else the group.
    pub group_title: String,
    pub activities: i32,
    pub pagu: Decimal,
    pub contracted: Decimal,
    pub disbursed: Decimal,
    pub planned_disbursement: Decimal,
    /// Physical progress planned and actual, weighted by pagu, percent.
    pub planned_physical: Decimal,
    pub actual_physical: Decimal,
    /// Actual minus planned, points.
    pub deviation: Decimal,
    /// Open flags by kind.
    pub flags: Vec<MonevFlagCount>,
    /// Reports due by now; of them received; of them first submitted on time.
    pub expected: i32,
    pub received: i32,
    pub on_time: i32,
    /// received / expected, percent (None when none is expected).
    pub reporting_rate: Option<Decimal>,
    pub on_time_rate: Option<Decimal>,
}

fn rate(part: u32, all: u32) -> Option<Decimal> {
    (all > 0).then(|| (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(all)).round_dp(2))
}

impl MonevDashboardRow {
    pub fn new(r: mufakat_monev::Row, group_title: String) -> Self {
        MonevDashboardRow {
            deviation: r.deviation(),
            flags: r
                .flags
                .iter()
                .map(|(k, n)| MonevFlagCount {
                    kind: k.code().into(),
                    count: *n as i32,
                })
                .collect(),
            reporting_rate: rate(r.received, r.expected),
            on_time_rate: rate(r.on_time, r.expected),
            group: r.group,
            group_title,
            activities: r.activities as i32,
            pagu: r.pagu,
            contracted: r.contracted,
            disbursed: r.disbursed,
            planned_disbursement: r.planned_disbursement,
            planned_physical: r.planned_physical,
            actual_physical: r.actual_physical,
            expected: r.expected as i32,
            received: r.received as i32,
            on_time: r.on_time as i32,
        }
    }
}

/// A change the situation room hears of.
#[derive(SimpleObject, Clone)]
pub struct MonevChange {
    /// `report_submitted`, `report_verified`, `report_returned`, `report_late`, `flag_raised`,
    /// `flag_changed`, `activity_changed`.
    pub kind: String,
    pub activity_id: ID,
    pub region_id: ID,
    pub report_id: Option<ID>,
    pub flag_id: Option<ID>,
    pub period: Option<String>,
}
