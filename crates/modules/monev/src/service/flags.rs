//! Deviation flags. A rule (on a verified report) or a timer (a late report, an activity not
//! started) raises one, with its severity, evidence and sentence, as a case of its own:
//! `monev-deviasi` (open → acknowledged → resolved, with notes) or, for a critical contract,
//! `monev-kontrak-kritis` (a warning letter, show-cause meetings I–III, resolved or
//! terminated), each step with its date. A kind already open on the activity (for an
//! indicator: the same indicator) is not raised twice. Auditors read every flag.

use chrono::NaiveDate;
use mufakat_core::{AppError, AppResult};
use mufakat_kernel::audit_log::{Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting};
use mufakat_kernel::AppState;
use mufakat_monev::deviation::{Detected, FlagKind, Rules};
use mufakat_store::DbResultExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Map};
use std::collections::BTreeMap;

use super::*;
use crate::entity::{activity, flag, report};
use crate::runtime::MonevEvent;

/// Flag states that are settled.
pub const SETTLED: [&str; 2] = ["resolved", "terminated"];

pub fn ev(kind: &str, a: &activity::Model, f: &flag::Model) -> MonevEvent {
    MonevEvent {
        kind: kind.into(),
        activity_id: a.id,
        region_id: a.region_id,
        report_id: f.report_id,
        flag_id: Some(f.id),
        period: Some(f.period.clone()),
    }
}

pub fn late_report(rules: &Rules, r: &report::Model) -> Detected {
    let due = (r.due_at + chrono::Duration::hours(7)).format("%d-%m-%Y %H:%M");
    Detected {
        kind: FlagKind::LateReport,
        severity: rules.severity(FlagKind::LateReport),
        evidence: BTreeMap::from([
            ("period".into(), r.period.clone()),
            ("due_at".into(), mufakat_audit::format_time(r.due_at)),
        ]),
        id: format!(
            "Laporan {} belum dikirim sampai batas waktu {due} WIB.",
            r.period
        ),
        en: format!(
            "The report for {} was not submitted by its due time, {due} WIB.",
            r.period
        ),
    }
}

pub fn not_started(rules: &Rules, a: &activity::Model) -> Detected {
    Detected {
        kind: FlagKind::NotStarted,
        severity: rules.severity(FlagKind::NotStarted),
        evidence: BTreeMap::from([
            (
                "period".into(),
                mufakat_monev::Period::of(a.starts_on).to_string(),
            ),
            ("starts_on".into(), a.starts_on.to_string()),
            (
                "grace_days".into(),
                rules.not_started_grace_days.to_string(),
            ),
        ]),
        id: format!(
            "Belum ada kemajuan terverifikasi {} hari setelah jadwal mulai {}.",
            rules.not_started_grace_days,
            a.starts_on.format("%d-%m-%Y")
        ),
        en: format!(
            "No verified progress {} days after the planned start of {}.",
            rules.not_started_grace_days, a.starts_on
        ),
    }
}

/// Raises flag `d` on activity `a` in the caller's transaction, unless one of its kind (for an
/// indicator: of that indicator) is still open; the new flag, if raised.
pub async fn raise(
    state: &AppState,
    txn: &WriteTxn,
    chain: &mut Chain,
    user: Option<&CurrentUser>,
    a: &activity::Model,
    report_id: Option<i32>,
    d: &Detected,
) -> AppResult<Option<flag::Model>> {
    let open: Vec<flag::Model> = flag::Entity::find()
        .filter(flag::Column::ActivityId.eq(a.id))
        .filter(flag::Column::Kind.eq(d.kind.code()))
        .filter(flag::Column::Status.is_not_in(SETTLED))
        .all(txn)
        .await
        .db()?;
    let evidence = json!(d.evidence);
    let same = |f: &flag::Model| {
        d.kind != FlagKind::IndicatorBelowTarget
            || serde_json::from_str::<serde_json::Value>(&f.evidence)
                .ok()
                .and_then(|e| e.get("indicator").cloned())
                == evidence.get("indicator").cloned()
    };
    if open.iter().any(same) {
        return Ok(None);
    }
    let critical = d.kind == FlagKind::CriticalContract;
    let mut input = Map::new();
    if !critical {
        input.insert("kind".into(), json!(d.kind.code()));
    }
    input.insert("severity".into(), json!(d.severity.code()));
    let workflow = if critical {
        CRITICAL_WORKFLOW
    } else {
        FLAG_WORKFLOW
    };
    let acting = match user {
        Some(u) => Acting::User(u),
        None => Acting::System,
    };
    let fired = cases::start_in_as(state, txn, chain, acting, workflow, a.region_id, input).await?;
    let now = chain.now;
    let f = flag::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        activity_id: Set(a.id),
        report_id: Set(report_id),
        kind: Set(d.kind.code().into()),
        severity: Set(d.severity.code().into()),
        period: Set(d.evidence.get("period").cloned().unwrap_or_default()),
        evidence: Set(evidence.to_string()),
        message_id: Set(d.id.clone()),
        message_en: Set(d.en.clone()),
        status: Set(fired.case.state),
        note: Set(None),
        raised_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .db()?;
    Ok(Some(f))
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> AppResult<flag::Model> {
    flag::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "flag" })
}

/// Acts on a flag: `acknowledge`, `resolve`; for a critical contract also `warn`, `scm_1`,
/// `scm_2`, `scm_3`, `terminate`, each with the date it happened (`step_on`) and its minutes
/// (`note`). Who may is in the workflow files; the kernel checks the roles over the region.
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    action: &str,
    note: Option<String>,
    step_on: Option<NaiveDate>,
) -> AppResult<flag::Model> {
    let f = get(&state.db, id).await?;
    let a = get_activity(&state.db, f.activity_id).await?;
    let steps = ["warn", "scm_1", "scm_2", "scm_3", "terminate"];
    if steps.contains(&action) {
        if f.kind != FlagKind::CriticalContract.code() {
            return Err(AppError::validation(
                "action",
                "kind",
                "Langkah ini hanya untuk kontrak kritis.",
                "This step is only for a critical contract.",
            ));
        }
    } else if !["acknowledge", "resolve"].contains(&action) {
        return Err(AppError::validation(
            "action",
            "unknown",
            format!("Tindakan \"{action}\" tidak dikenal."),
            format!("Unknown action \"{action}\"."),
        ));
    }
    let mut input = Map::new();
    if steps.contains(&action) {
        let d = step_on.ok_or_else(|| {
            AppError::validation(
                "stepOn",
                "required",
                "Tanggal langkah wajib diisi.",
                "The step's date is required.",
            )
        })?;
        mufakat_module_procurement::service::check_date("stepOn", d)?;
        if d > state.now().date_naive() + chrono::Duration::days(1) {
            return Err(AppError::validation(
                "stepOn",
                "range",
                "Tanggal langkah tidak boleh di masa depan.",
                "The step's date cannot be in the future.",
            ));
        }
        input.insert("step_on".into(), json!(d.to_string()));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let f = get(&txn, id).await?;
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        f.instance_id,
        action,
        input,
        note.clone(),
    )
    .await?;
    let mut m = f.into_active_model();
    m.status = Set(fired.case.state);
    if note.is_some() {
        m.note = Set(note);
    }
    m.updated_at = Set(now);
    let f = m.update(&txn).await.db()?;
    let e = ev("flag_changed", &a, &f);
    publish(state, &txn, &e).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    heard(state, vec![e]);
    Ok(f)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub region_id: Option<i32>,
    pub activity_id: Option<i32>,
    pub kind: Option<String>,
    pub open_only: bool,
}

/// Flags for those who read monev's internal data over `region_id` (or the activity's).
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    f: &Filter,
    offset: u64,
    limit: u64,
) -> AppResult<Vec<flag::Model>> {
    let region = match (f.activity_id, f.region_id) {
        (Some(id), _) => get_activity(&state.db, id).await?.region_id,
        (None, Some(r)) => r,
        (None, None) => {
            return Err(AppError::validation(
                "regionId",
                "required",
                "Pilih wilayah atau kegiatan.",
                "Choose a region or an activity.",
            ))
        }
    };
    require(state, user, region, crate::perms::FLAG_READ).await?;
    let mut q = flag::Entity::find();
    if let Some(id) = f.activity_id {
        q = q.filter(flag::Column::ActivityId.eq(id));
    } else {
        let regions = state.regions.read().await.descendants_inclusive(region);
        let ids: Vec<i32> = activity::Entity::find()
            .filter(activity::Column::RegionId.is_in(regions))
            .select_only()
            .column(activity::Column::Id)
            .into_tuple()
            .all(&state.db)
            .await
            .db()?;
        q = q.filter(flag::Column::ActivityId.is_in(ids));
    }
    if let Some(k) = &f.kind {
        q = q.filter(flag::Column::Kind.eq(k.clone()));
    }
    if f.open_only {
        q = q.filter(flag::Column::Status.is_not_in(SETTLED));
    }
    q.order_by_desc(flag::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&state.db)
        .await
        .db()
}

pub async fn of_activity(
    db: &impl ConnectionTrait,
    activity_id: i32,
) -> AppResult<Vec<flag::Model>> {
    flag::Entity::find()
        .filter(flag::Column::ActivityId.eq(activity_id))
        .order_by_asc(flag::Column::Id)
        .all(db)
        .await
        .db()
}
