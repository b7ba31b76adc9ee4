//! Activities: OPD staff (or the KPA) open one from a line of the plan, with its plan (one row
//! per month: cumulative physical percent and disbursement), sub-activities, indicators and,
//! when bought, its contract. The activity's months each get a report case, due by timer. The
//! plan may be revised (after the start with a reason); supervisors (pengawas) are named on it;
//! the KPA or PPK declares it complete once 100 % is verified.

use chrono::{Duration, NaiveDate, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_kernel::audit_log::{Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_module_procurement::entity::{package, plan_line};
use mufakat_module_tender::entity::contract;
use mufakat_monev::{Indicator, Period, Plan, PlanPoint, SubActivity};
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Map};

use super::*;
use crate::entity::{activity, indicator, report, supervisor};
use crate::perms;
use crate::runtime::{self, MonevEvent};

#[derive(Debug, Clone)]
pub struct NewIndicator {
    pub outcome: bool,
    pub name: String,
    pub unit: String,
    pub baseline: Decimal,
    pub higher_is_better: bool,
    pub targets: Vec<(String, Decimal)>,
}

#[derive(Debug, Clone)]
pub struct PlanInput {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// (month, cumulative physical percent, cumulative disbursement)
    pub months: Vec<(String, Decimal, Decimal)>,
    pub subs: Vec<(String, Decimal)>,
    pub indicators: Vec<NewIndicator>,
}

#[derive(Debug, Clone)]
pub struct NewActivity {
    pub plan_line_id: i32,
    pub contract_id: Option<i32>,
    pub category: String,
    pub funding_source: String,
    pub plan: PlanInput,
}

/// The plan as the rules take it; `VALIDATION` for a month that is not one.
fn parse_plan(p: &PlanInput) -> AppResult<Plan> {
    let mut points = vec![];
    for (i, (m, f, d)) in p.months.iter().enumerate() {
        let period: Period = m.parse().map_err(|_| {
            AppError::validation(
                format!("plan.{i}.period"),
                "period",
                format!("\"{m}\" bukan bulan (TTTT-BB)."),
                format!("\"{m}\" is not a month (YYYY-MM)."),
            )
        })?;
        points.push(PlanPoint {
            period,
            physical: *f,
            disbursement: *d,
        });
    }
    let mut indicators = vec![];
    for (i, n) in p.indicators.iter().enumerate() {
        let mut targets = vec![];
        for (m, v) in &n.targets {
            let period: Period = m.parse().map_err(|_| {
                AppError::validation(
                    format!("indicators.{i}.targets"),
                    "period",
                    format!("\"{m}\" bukan bulan (TTTT-BB)."),
                    format!("\"{m}\" is not a month (YYYY-MM)."),
                )
            })?;
            targets.push((period, *v));
        }
        indicators.push(Indicator {
            outcome: n.outcome,
            name: n.name.trim().to_owned(),
            unit: n.unit.trim().to_owned(),
            baseline: n.baseline,
            higher_is_better: n.higher_is_better,
            targets,
        });
    }
    for (field, d) in [("startsOn", p.starts_on), ("endsOn", p.ends_on)] {
        mufakat_module_procurement::service::check_date(field, d)?;
    }
    Ok(Plan {
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        points,
        subs: p
            .subs
            .iter()
            .map(|(n, w)| SubActivity {
                name: n.trim().to_owned(),
                weight: *w,
            })
            .collect(),
        indicators,
    })
}

/// The plan's text forms, as stored.
fn stored(plan: &Plan) -> AppResult<(String, String)> {
    let points: Vec<StoredPoint> = plan
        .points
        .iter()
        .map(|p| {
            Ok(StoredPoint {
                period: p.period.to_string(),
                physical_bp: bp(p.physical),
                disbursement_sen: money_sen("plan", p.disbursement)?,
            })
        })
        .collect::<AppResult<_>>()?;
    let subs: Vec<StoredSub> = plan
        .subs
        .iter()
        .map(|s| StoredSub {
            name: s.name.clone(),
            weight_bp: bp(s.weight),
        })
        .collect();
    Ok((json!(points).to_string(), json!(subs).to_string()))
}

/// When an activity with no progress is flagged: its start plus the grace days, at the end of
/// that day (WIB).
fn start_by(starts_on: NaiveDate, grace_days: u32) -> chrono::DateTime<Utc> {
    let day = starts_on + Duration::days(grace_days as i64);
    // The end of the day in WIB is 16:59:59 UTC.
    day.and_hms_opt(16, 59, 59).expect("valid time").and_utc()
}

/// The contract of a package of line `line_id`, if `contract_id` is one.
async fn contract_of_line(
    db: &impl ConnectionTrait,
    contract_id: i32,
    line_id: i32,
) -> AppResult<contract::Model> {
    let c = contract::Entity::find_by_id(contract_id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "contract" })?;
    let p = package::Entity::find_by_id(c.package_id)
        .one(db)
        .await
        .db()?;
    if p.map(|p| p.line_id) != Some(line_id) {
        return Err(AppError::validation(
            "contractId",
            "line",
            "Kontrak ini bukan untuk paket dari baris rencana kegiatan ini.",
            "This contract is not for a package of this activity's line of the plan.",
        ));
    }
    Ok(c)
}

pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    n: NewActivity,
) -> AppResult<activity::Model> {
    let line = plan_line::Entity::find_by_id(n.plan_line_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound {
            entity: "plan_line",
        })?;
    super::require_for_opd(
        state,
        user,
        line.region_id,
        perms::ACTIVITY_MANAGE,
        &line.opd,
    )
    .await?;
    let mut errors = vec![];
    let category = text(&mut errors, "category", &n.category, 100, true);
    let funding_source = text(&mut errors, "fundingSource", &n.funding_source, 100, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let plan = parse_plan(&n.plan)?;
    plan_errors(plan.check(from_sen(line.budget_sen)))?;
    let contract = match n.contract_id {
        Some(c) => Some(contract_of_line(&state.db, c, line.id).await?),
        None => None,
    };
    let (points, subs) = stored(&plan)?;
    let (proposal_id, cycle_id) = match line.proposal_id {
        Some(pid) => {
            let p = mufakat_module_musrenbang::entity::proposal::Entity::find_by_id(pid)
                .one(&state.db)
                .await
                .db()?;
            (Some(pid), p.map(|p| p.cycle_id))
        }
        None => (None, None),
    };
    let rules = runtime::rules(state)?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    if activity::Entity::find()
        .filter(activity::Column::PlanLineId.eq(line.id))
        .one(&txn)
        .await
        .db()?
        .is_some()
    {
        return Err(AppError::conflict(
            "Baris rencana ini sudah punya kegiatan monev.",
            "This line of the plan already has a monev activity.",
        ));
    }
    let mut input = Map::new();
    input.insert("plan_line".into(), json!(line.id.to_string()));
    input.insert(
        "start_by".into(),
        json!(mufakat_audit::format_time(start_by(
            plan.starts_on,
            rules.not_started_grace_days
        ))),
    );
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        ACTIVITY_WORKFLOW,
        line.region_id,
        input,
    )
    .await?;
    let a = activity::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        plan_line_id: Set(line.id),
        contract_id: Set(contract.as_ref().map(|c| c.id)),
        proposal_id: Set(proposal_id),
        cycle_id: Set(cycle_id),
        region_id: Set(line.region_id),
        year: Set(line.year),
        title: Set(line.title.clone()),
        opd: Set(line.opd.clone()),
        category: Set(category),
        funding_source: Set(funding_source),
        pagu_sen: Set(line.budget_sen),
        contracted_sen: Set(contract.as_ref().map(|c| c.value_sen)),
        starts_on: Set(plan.starts_on),
        ends_on: Set(plan.ends_on),
        plan: Set(points),
        sub_activities: Set(subs),
        status: Set(fired.case.state.clone()),
        actual_bp: Set(None),
        disbursed_sen: Set(0),
        last_period: Set(None),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    write_indicators(&txn, a.id, &plan).await?;
    open_reports(
        state,
        &txn,
        &mut chain,
        user,
        &a,
        &plan,
        rules.report_due_days,
    )
    .await?;
    let ev = event("activity_changed", &a);
    publish(state, &txn, &ev).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    heard(state, vec![ev]);
    Ok(a)
}

pub fn event(kind: &str, a: &activity::Model) -> MonevEvent {
    MonevEvent {
        kind: kind.into(),
        activity_id: a.id,
        region_id: a.region_id,
        report_id: None,
        flag_id: None,
        period: None,
    }
}

async fn write_indicators(txn: &WriteTxn, activity_id: i32, plan: &Plan) -> AppResult<()> {
    indicator::Entity::delete_many()
        .filter(indicator::Column::ActivityId.eq(activity_id))
        .exec(txn)
        .await
        .db()?;
    for i in &plan.indicators {
        let targets: std::collections::BTreeMap<String, String> = i
            .targets
            .iter()
            .map(|(p, v)| (p.to_string(), v.normalize().to_string()))
            .collect();
        indicator::ActiveModel {
            activity_id: Set(activity_id),
            outcome: Set(i.outcome),
            name: Set(i.name.clone()),
            unit: Set(i.unit.clone()),
            baseline: Set(i.baseline.normalize().to_string()),
            higher_is_better: Set(i.higher_is_better),
            targets: Set(json!(targets).to_string()),
            ..Default::default()
        }
        .insert(txn)
        .await
        .db()?;
    }
    Ok(())
}

/// A report case for each month of the plan that has none yet, due `due_days` after it.
async fn open_reports(
    state: &AppState,
    txn: &WriteTxn,
    chain: &mut Chain,
    user: &CurrentUser,
    a: &activity::Model,
    plan: &Plan,
    due_days: u32,
) -> AppResult<()> {
    let have: Vec<String> = report::Entity::find()
        .filter(report::Column::ActivityId.eq(a.id))
        .all(txn)
        .await
        .db()?
        .into_iter()
        .map(|r| r.period)
        .collect();
    for p in plan.periods() {
        let period = p.to_string();
        if have.contains(&period) {
            continue;
        }
        let due = p.due(due_days);
        let mut input = Map::new();
        input.insert("activity".into(), json!(a.id.to_string()));
        input.insert("period".into(), json!(period));
        input.insert("due_at".into(), json!(mufakat_audit::format_time(due)));
        let fired =
            cases::start_in(state, txn, chain, user, REPORT_WORKFLOW, a.region_id, input).await?;
        report::ActiveModel {
            instance_id: Set(Some(fired.case.id)),
            activity_id: Set(a.id),
            period: Set(period),
            due_at: Set(due),
            status: Set(fired.case.state),
            physical_bp: Set(None),
            sub_progress: Set(None),
            spent_sen: Set(None),
            actuals: Set("{}".into()),
            notes: Set(String::new()),
            return_note: Set(None),
            submitted_by: Set(None),
            submitted_at: Set(None),
            first_submitted_at: Set(None),
            verified_by: Set(None),
            verified_at: Set(None),
            late_at: Set(None),
            updated_at: Set(chain.now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .db()?;
    }
    Ok(())
}

/// Revises the plan (and perhaps names the contract): before the start freely, after it with a
/// reason. Months the new plan adds get their report cases; a month it drops keeps its report
/// (a report already written is history).
pub async fn revise(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    plan_in: PlanInput,
    contract_id: Option<i32>,
    reason: Option<String>,
) -> AppResult<activity::Model> {
    let a = get_activity(&state.db, id).await?;
    super::require_for_opd(state, user, a.region_id, perms::ACTIVITY_MANAGE, &a.opd).await?;
    let plan = parse_plan(&plan_in)?;
    plan_errors(plan.check(from_sen(a.pagu_sen)))?;
    let contract = match contract_id {
        Some(c) => Some(contract_of_line(&state.db, c, a.plan_line_id).await?),
        None => None,
    };
    let (points, subs) = stored(&plan)?;
    let rules = runtime::rules(state)?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let a = get_activity(&txn, id).await?;
    let transition = match a.status.as_str() {
        "planned" => "revise_plan",
        "not_started" => "revise_late_plan",
        _ => "revise_running_plan",
    };
    let mut input = Map::new();
    if transition != "revise_running_plan" {
        input.insert(
            "start_by".into(),
            json!(mufakat_audit::format_time(start_by(
                plan.starts_on,
                rules.not_started_grace_days
            ))),
        );
    }
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        a.instance_id,
        transition,
        input,
        reason,
    )
    .await?;
    let mut m = a.clone().into_active_model();
    m.starts_on = Set(plan.starts_on);
    m.ends_on = Set(plan.ends_on);
    m.plan = Set(points);
    m.sub_activities = Set(subs);
    if let Some(c) = &contract {
        m.contract_id = Set(Some(c.id));
        m.contracted_sen = Set(Some(c.value_sen));
    }
    m.status = Set(fired.case.state.clone());
    m.updated_at = Set(now);
    let a = m.update(&txn).await.db()?;
    write_indicators(&txn, a.id, &plan).await?;
    open_reports(
        state,
        &txn,
        &mut chain,
        user,
        &a,
        &plan,
        rules.report_due_days,
    )
    .await?;
    let ev = event("activity_changed", &a);
    publish(state, &txn, &ev).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    heard(state, vec![ev]);
    Ok(a)
}

/// Names (or, with `remove`, un-names) a supervisor on the activity: a user holding the
/// `supervisor` role over its region. Recorded as a note on the activity's case.
pub async fn name_supervisor(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    supervisor_id: i32,
    remove: bool,
) -> AppResult<activity::Model> {
    let a = get_activity(&state.db, id).await?;
    super::require_for_opd(state, user, a.region_id, perms::ACTIVITY_MANAGE, &a.opd).await?;
    let path = state.region_path(a.region_id).await;
    let holds = mufakat_store::entity::role_grant::Entity::find()
        .filter(mufakat_store::entity::role_grant::Column::UserId.eq(supervisor_id))
        .filter(
            mufakat_store::entity::role_grant::Column::Role
                .eq(mufakat_core::Role::Supervisor.as_str()),
        )
        .filter(mufakat_store::entity::role_grant::Column::RegionId.is_in(path))
        .one(&state.db)
        .await
        .db()?
        .is_some();
    if !holds && !remove {
        return Err(AppError::validation(
            "userId",
            "role",
            "Pengguna ini tidak memegang peran pengawas di wilayah kegiatan.",
            "This user does not hold the supervisor role in the activity's region.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let existing = supervisor::Entity::find()
        .filter(supervisor::Column::ActivityId.eq(a.id))
        .filter(supervisor::Column::UserId.eq(supervisor_id))
        .one(&txn)
        .await
        .db()?;
    match (existing, remove) {
        (None, false) => {
            supervisor::ActiveModel {
                activity_id: Set(a.id),
                user_id: Set(supervisor_id),
                created_by: Set(user.id),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .db()?;
        }
        (Some(s), true) => {
            supervisor::Entity::delete_by_id(s.id)
                .exec(&txn)
                .await
                .db()?;
        }
        _ => return Ok(a),
    }
    note(
        &txn,
        &mut chain,
        user,
        &a,
        if remove {
            "remove_supervisor"
        } else {
            "name_supervisor"
        },
        json!({ "user": supervisor_id.to_string() }),
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(a)
}

/// Appends a note (no change of state) to the activity's case in the trail.
pub async fn note(
    txn: &WriteTxn,
    chain: &mut Chain,
    user: &CurrentUser,
    a: &activity::Model,
    what: &str,
    input: serde_json::Value,
) -> AppResult<()> {
    chain
        .append(
            txn,
            mufakat_kernel::audit_log::AuditDraft {
                actor: user.id.to_string(),
                role: mufakat_core::Role::OpdStaff.as_str().into(),
                // Not a transition of the case: a note beside it (as e-audit's evidence).
                workflow: "monev.note".into(),
                workflow_version: "1".into(),
                instance_id: a.instance_id.unwrap_or_default().to_string(),
                transition: what.into(),
                from_state: a.status.clone(),
                to_state: a.status.clone(),
                input,
                comment: None,
            },
        )
        .await?;
    Ok(())
}

/// The KPA or PPK declares a running activity complete: its last verified progress is 100 %.
pub async fn complete(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    note: Option<String>,
) -> AppResult<activity::Model> {
    transition(state, user, id, "complete", note).await
}

/// The KPA cancels an activity that has not started, with the reason.
pub async fn cancel(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    reason: String,
) -> AppResult<activity::Model> {
    transition(state, user, id, "cancel", Some(reason)).await
}

async fn transition(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    name: &str,
    comment: Option<String>,
) -> AppResult<activity::Model> {
    let a = get_activity(&state.db, id).await?;
    if name == "complete" && a.actual_bp != Some(10_000) {
        return Err(AppError::conflict(
            "Kegiatan baru dapat dinyatakan selesai setelah kemajuan 100% terverifikasi.",
            "An activity can be declared complete only once 100% progress is verified.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let comment = comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        a.instance_id,
        name,
        Map::new(),
        comment,
    )
    .await?;
    let mut m = a.into_active_model();
    m.status = Set(fired.case.state);
    m.updated_at = Set(now);
    let a = m.update(&txn).await.db()?;
    let ev = event("activity_changed", &a);
    publish(state, &txn, &ev).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    heard(state, vec![ev]);
    Ok(a)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub region_id: Option<i32>,
    pub year: Option<i32>,
    pub opd: Option<String>,
    pub status: Option<String>,
}

/// Activities (public: what was funded and how far it is), newest first, paged.
pub async fn list(
    state: &AppState,
    f: &Filter,
    offset: u64,
    limit: u64,
) -> AppResult<Vec<activity::Model>> {
    use sea_orm::QuerySelect;
    let mut q = activity::Entity::find();
    if let Some(r) = f.region_id {
        q = q.filter(
            activity::Column::RegionId.is_in(state.regions.read().await.descendants_inclusive(r)),
        );
    }
    if let Some(y) = f.year {
        q = q.filter(activity::Column::Year.eq(y));
    }
    if let Some(o) = &f.opd {
        q = q.filter(activity::Column::Opd.eq(o.clone()));
    }
    if let Some(s) = &f.status {
        q = q.filter(activity::Column::Status.eq(s.clone()));
    }
    q.order_by_desc(activity::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&state.db)
        .await
        .db()
}

pub async fn supervisors(
    db: &impl ConnectionTrait,
    activity_id: i32,
) -> AppResult<Vec<supervisor::Model>> {
    supervisor::Entity::find()
        .filter(supervisor::Column::ActivityId.eq(activity_id))
        .order_by_asc(supervisor::Column::Id)
        .all(db)
        .await
        .db()
}
