//! Monev's use cases, one file each: `activities` (an activity from a line of the plan, its
//! plan and indicators, its supervisors, completion), `reports` (monthly progress reports:
//! draft, submit, verify or return, photos, late by timer), `flags` (deviation flags and the
//! kontrak kritis escalation), `dashboard` (the situation room's aggregates and S-curves) and
//! `papers` (the PDFs). What they share is here.

pub mod activities;
pub mod dashboard;
pub mod flags;
pub mod papers;
pub mod reports;

use mufakat_core::{AppError, AppResult, Role};
use mufakat_kernel::audit_log::WriteTxn;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::authz::Permission;
use mufakat_kernel::AppState;
use mufakat_monev::{Indicator, Period, Plan, PlanPoint, SubActivity};
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entity::{activity, indicator, report, supervisor};

pub const ACTIVITY_WORKFLOW: &str = "monev-kegiatan";
pub const REPORT_WORKFLOW: &str = "monev-laporan";
pub const FLAG_WORKFLOW: &str = "monev-deviasi";
pub const CRITICAL_WORKFLOW: &str = "monev-kontrak-kritis";

pub use mufakat_module_procurement::service::{fire, from_sen, money_sen, one_json, text};

/// Hundredths of a percent, as stored.
pub fn bp(d: Decimal) -> i32 {
    use rust_decimal::prelude::ToPrimitive;
    (d * Decimal::ONE_HUNDRED).round().to_i32().unwrap_or(0)
}

pub fn from_bp(b: i32) -> Decimal {
    Decimal::new(b as i64, 2)
}

/// A month of the plan as stored (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPoint {
    pub period: String,
    pub physical_bp: i32,
    pub disbursement_sen: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredSub {
    pub name: String,
    pub weight_bp: i32,
}

pub fn points_of(a: &activity::Model) -> Vec<PlanPoint> {
    let stored: Vec<StoredPoint> = serde_json::from_str(&a.plan).unwrap_or_default();
    stored
        .into_iter()
        .filter_map(|p| {
            Some(PlanPoint {
                period: p.period.parse().ok()?,
                physical: from_bp(p.physical_bp),
                disbursement: from_sen(p.disbursement_sen),
            })
        })
        .collect()
}

pub fn subs_of(a: &activity::Model) -> Vec<SubActivity> {
    let stored: Vec<StoredSub> = serde_json::from_str(&a.sub_activities).unwrap_or_default();
    stored
        .into_iter()
        .map(|s| SubActivity {
            name: s.name,
            weight: from_bp(s.weight_bp),
        })
        .collect()
}

pub fn indicator_of(i: &indicator::Model) -> Indicator {
    let targets: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&i.targets).unwrap_or_default();
    Indicator {
        outcome: i.outcome,
        name: i.name.clone(),
        unit: i.unit.clone(),
        baseline: i.baseline.parse().unwrap_or_default(),
        higher_is_better: i.higher_is_better,
        targets: targets
            .into_iter()
            .filter_map(|(p, v)| Some((p.parse::<Period>().ok()?, v.parse().ok()?)))
            .collect(),
    }
}

/// The activity's plan with its indicators, as the rules take it.
pub fn plan_of(a: &activity::Model, indicators: &[indicator::Model]) -> Plan {
    Plan {
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        points: points_of(a),
        subs: subs_of(a),
        indicators: indicators.iter().map(indicator_of).collect(),
    }
}

pub async fn get_activity(db: &impl ConnectionTrait, id: i32) -> AppResult<activity::Model> {
    activity::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "activity" })
}

pub async fn indicators_of(
    db: &impl ConnectionTrait,
    activity_id: i32,
) -> AppResult<Vec<indicator::Model>> {
    indicator::Entity::find()
        .filter(indicator::Column::ActivityId.eq(activity_id))
        .order_by_asc(indicator::Column::Id)
        .all(db)
        .await
        .db()
}

pub async fn get_report(db: &impl ConnectionTrait, id: i32) -> AppResult<report::Model> {
    report::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "report" })
}

/// `FORBIDDEN` unless `user` holds `perm` over the activity's region.
pub async fn require(
    state: &AppState,
    user: &CurrentUser,
    region_id: i32,
    perm: Permission,
) -> AppResult<()> {
    state
        .authz
        .require(user, &state.region_path(region_id).await, perm)
}

/// `FORBIDDEN` unless `user` may act with `perm` on data of region `region_id` that belongs to
/// OPD `opd` (an OPD's staff act only for their own OPD).
pub async fn require_for_opd(
    state: &AppState,
    user: &CurrentUser,
    region_id: i32,
    perm: Permission,
    opd: &str,
) -> AppResult<()> {
    state
        .authz
        .require_for_opd(user, &state.region_path(region_id).await, perm, Some(opd))
}

/// Whether `user` may act with `perm` over region `region_id`.
pub async fn allowed(
    state: &AppState,
    user: &CurrentUser,
    region_id: i32,
    perm: Permission,
) -> bool {
    require(state, user, region_id, perm).await.is_ok()
}

/// Whether `user` is a supervisor named on activity `a` (and still holds the role there).
pub async fn is_supervisor(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    a: &activity::Model,
) -> AppResult<bool> {
    let path = state.region_path(a.region_id).await;
    if !user
        .grants
        .iter()
        .any(|(r, g)| *r == Role::Supervisor && path.contains(g))
    {
        return Ok(false);
    }
    Ok(supervisor::Entity::find()
        .filter(supervisor::Column::ActivityId.eq(a.id))
        .filter(supervisor::Column::UserId.eq(user.id))
        .one(db)
        .await
        .db()?
        .is_some())
}

/// `FORBIDDEN` unless `user` may write the activity's reports: its OPD's staff, or a
/// supervisor named on it.
pub async fn require_reporter(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    a: &activity::Model,
) -> AppResult<()> {
    if require_for_opd(state, user, a.region_id, crate::perms::REPORT_WRITE, &a.opd)
        .await
        .is_ok()
        || is_supervisor(state, db, user, a).await?
    {
        return Ok(());
    }
    Err(AppError::Forbidden)
}

/// Whether `user` reads the activity's non-public data: staff with monev read rights over its
/// region (OPD, KPA, PPK, Bappeda, auditors), or a supervisor named on it.
pub async fn reads_internal(
    state: &AppState,
    user: Option<&CurrentUser>,
    a: &activity::Model,
) -> AppResult<bool> {
    let Some(u) = user else { return Ok(false) };
    Ok(
        require_for_opd(state, u, a.region_id, crate::perms::ACTIVITY_READ, &a.opd)
            .await
            .is_ok()
            || is_supervisor(state, &state.db, u, a).await?,
    )
}

/// On PostgreSQL, sends `ev` to every node when `txn` commits (this one included); on SQLite
/// the caller tells this node after the commit ([`crate::runtime::changed`]).
pub async fn publish(
    state: &AppState,
    txn: &WriteTxn,
    ev: &crate::runtime::MonevEvent,
) -> AppResult<()> {
    if mufakat_store::db::is_postgres(&state.db) {
        let payload = serde_json::to_string(ev).map_err(AppError::internal)?;
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [crate::MONEV_CHANNEL.into(), payload.into()],
        ))
        .await
        .db()?;
    }
    Ok(())
}

/// After the commit: on SQLite this node hears of `evs` now (on PostgreSQL the NOTIFY brings
/// them to every node).
pub fn heard(state: &AppState, evs: Vec<crate::runtime::MonevEvent>) {
    if !mufakat_store::db::is_postgres(&state.db) {
        for ev in evs {
            crate::runtime::changed(state, ev);
        }
    }
}

/// A percentage given by a user.
pub fn percent_field(field: &str, d: Decimal) -> AppResult<Decimal> {
    if !mufakat_monev::percent(d) {
        return Err(AppError::validation(
            field,
            "percent",
            "Persentase antara 0 dan 100, paling banyak dua angka desimal.",
            "A percentage is between 0 and 100, with at most two decimals.",
        ));
    }
    Ok(d)
}

/// The plan's problems as one `VALIDATION` error.
pub fn plan_errors(errs: Vec<mufakat_monev::PlanError>) -> AppResult<()> {
    if errs.is_empty() {
        return Ok(());
    }
    Err(AppError::Validation(
        errs.into_iter()
            .map(|e| mufakat_core::FieldError::new(e.field, e.code, e.id, e.en))
            .collect(),
    ))
}
