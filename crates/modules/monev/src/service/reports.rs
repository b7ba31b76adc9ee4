//! Monthly progress reports: the OPD's staff or a supervisor named on the activity save a
//! draft and submit it (physical progress, per sub-activity when the plan has them; cumulative
//! realised spending; indicator actuals; notes; photos with where and when they were taken);
//! the KPA or PPK — not the one who submitted it — verifies it or returns it with notes.
//! Verification moves the activity's figures, starts it on its first progress, and runs the
//! deviation rules ([`super::flags`]). A report not submitted by its due time is marked late by
//! its timer, which raises a flag ([`Late`]).

use bytes::Bytes;
use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_kernel::audit_log::{Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{AfterTimer, Fired};
use mufakat_kernel::AppState;
use mufakat_monev::deviation::{detect, IndicatorFacts, PeriodFacts};
use mufakat_monev::{Period, Plan};
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Map};

use super::*;
use crate::entity::{activity, photo, report};
use crate::runtime::{self, MonevEvent};

#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// The whole activity's physical progress (without sub-activities).
    pub physical: Option<Decimal>,
    /// Each sub-activity's progress, in the plan's order (with sub-activities).
    pub sub_progress: Vec<Decimal>,
    /// Cumulative realised spending.
    pub spent: Option<Decimal>,
    /// (indicator id, actual value)
    pub actuals: Vec<(i32, Decimal)>,
    pub notes: String,
}

pub fn ev(kind: &str, a: &activity::Model, r: &report::Model) -> MonevEvent {
    MonevEvent {
        kind: kind.into(),
        activity_id: a.id,
        region_id: a.region_id,
        report_id: Some(r.id),
        flag_id: None,
        period: Some(r.period.clone()),
    }
}

/// Checks the input against the plan; the physical progress it gives.
async fn check(
    db: &impl ConnectionTrait,
    a: &activity::Model,
    plan: &Plan,
    input: &ReportInput,
    complete: bool,
) -> AppResult<(Option<Decimal>, Option<i64>, String, String)> {
    let mut errors = vec![];
    let notes = text(&mut errors, "notes", &input.notes, 4_000, false);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    for (i, p) in input.sub_progress.iter().enumerate() {
        percent_field(&format!("subProgress.{i}"), *p)?;
    }
    let physical = if plan.subs.is_empty() {
        if !input.sub_progress.is_empty() {
            return Err(AppError::validation(
                "subProgress",
                "no_subs",
                "Kegiatan ini tidak punya sub-kegiatan; isi kemajuan fisik.",
                "This activity has no sub-activities; give the physical progress.",
            ));
        }
        input
            .physical
            .map(|p| percent_field("physical", p))
            .transpose()?
    } else if input.sub_progress.is_empty() {
        None
    } else {
        Some(plan.weighted(&input.sub_progress).ok_or_else(|| {
            AppError::validation(
                "subProgress",
                "count",
                format!(
                    "Isi kemajuan untuk {} sub-kegiatan, berurutan.",
                    plan.subs.len()
                ),
                format!(
                    "Give the progress of the {} sub-activities, in order.",
                    plan.subs.len()
                ),
            )
        })?)
    };
    let spent = match input.spent {
        Some(s) => {
            let sen = money_sen("spent", s)?;
            if sen > a.pagu_sen {
                return Err(AppError::validation(
                    "spent",
                    "pagu",
                    "Realisasi keuangan melebihi pagu kegiatan.",
                    "The spending exceeds the activity's budget ceiling.",
                ));
            }
            Some(sen)
        }
        None => None,
    };
    if complete && (physical.is_none() || spent.is_none()) {
        return Err(AppError::validation(
            if physical.is_none() {
                "physical"
            } else {
                "spent"
            },
            "required",
            "Laporan yang dikirim perlu kemajuan fisik dan realisasi keuangan.",
            "A submitted report needs the physical progress and the spending.",
        ));
    }
    let ids: Vec<i32> = indicators_of(db, a.id)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut actuals = std::collections::BTreeMap::new();
    for (id, v) in &input.actuals {
        if !ids.contains(id) {
            return Err(AppError::validation(
                "actuals",
                "unknown",
                format!("Indikator #{id} bukan indikator kegiatan ini."),
                format!("Indicator #{id} is not one of this activity's."),
            ));
        }
        actuals.insert(id.to_string(), v.normalize().to_string());
    }
    Ok((physical, spent, json!(actuals).to_string(), notes))
}

/// Saves the report (a draft), or with `submit` sends it for verification.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    report_id: i32,
    input: ReportInput,
    submit: bool,
) -> AppResult<report::Model> {
    let r = get_report(&state.db, report_id).await?;
    let a = get_activity(&state.db, r.activity_id).await?;
    require_reporter(state, &state.db, user, &a).await?;
    let period: Period = r
        .period
        .parse()
        .map_err(|e: String| AppError::internal(anyhow::anyhow!(e)))?;
    let now = state.now();
    if period.first_day() > Period::at(now).first_day() {
        return Err(AppError::conflict(
            format!("Laporan bulan {} belum dapat diisi.", r.period),
            format!("The report for {} cannot be written yet.", r.period),
        ));
    }
    let plan = plan_of(&a, &indicators_of(&state.db, a.id).await?);
    let (physical, spent, actuals, notes) = check(&state.db, &a, &plan, &input, submit).await?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let r = get_report(&txn, report_id).await?;
    let transition = match (submit, r.status.as_str()) {
        (true, _) => "submit",
        (false, "late") => "save_late",
        (false, "returned") => "save_returned",
        (false, _) => "save",
    };
    let mut data = Map::new();
    if let Some(p) = physical {
        data.insert("physical".into(), json!(p.normalize().to_string()));
    }
    if let Some(s) = spent {
        data.insert("spent".into(), json!(from_sen(s).to_string()));
    }
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        r.instance_id,
        transition,
        // The figures go into the transition's audit event (the workflow declares them).
        data,
        None,
    )
    .await?;
    let mut m = r.clone().into_active_model();
    m.physical_bp = Set(physical.map(bp));
    m.sub_progress = Set((!input.sub_progress.is_empty()).then(|| {
        json!(input
            .sub_progress
            .iter()
            .map(|p| p.normalize().to_string())
            .collect::<Vec<_>>())
        .to_string()
    }));
    m.spent_sen = Set(spent);
    m.actuals = Set(actuals);
    m.notes = Set(notes);
    m.status = Set(fired.case.state.clone());
    if submit {
        m.submitted_by = Set(Some(user.id));
        m.submitted_at = Set(Some(now));
        if r.first_submitted_at.is_none() {
            m.first_submitted_at = Set(Some(now));
        }
    }
    m.updated_at = Set(now);
    let r = m.update(&txn).await.db()?;
    let e = ev(
        if submit {
            "report_submitted"
        } else {
            "report_saved"
        },
        &a,
        &r,
    );
    publish(state, &txn, &e).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    heard(state, vec![e]);
    Ok(r)
}

/// The KPA or PPK verifies a submitted report (not their own): the activity's figures move,
/// it starts on its first progress, and the deviation rules run on the month.
pub async fn verify(
    state: &AppState,
    user: &CurrentUser,
    report_id: i32,
    note: Option<String>,
) -> AppResult<report::Model> {
    let r = get_report(&state.db, report_id).await?;
    let a = get_activity(&state.db, r.activity_id).await?;
    let inds = indicators_of(&state.db, a.id).await?;
    let plan = plan_of(&a, &inds);
    let rules = runtime::rules(state)?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let r = get_report(&txn, report_id).await?;
    let a = get_activity(&txn, a.id).await?;
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        r.instance_id,
        "verify",
        Map::new(),
        note,
    )
    .await?;
    // Who may verify is the workflow's (checked by the fire); never the submitter (the
    // transaction is dropped, nothing changes).
    if r.submitted_by == Some(user.id) {
        return Err(AppError::conflict(
            "Laporan tidak dapat diverifikasi oleh pengirimnya sendiri.",
            "A report cannot be verified by the one who submitted it.",
        ));
    }
    let mut m = r.clone().into_active_model();
    m.status = Set(fired.case.state.clone());
    m.verified_by = Set(Some(user.id));
    m.verified_at = Set(Some(now));
    m.updated_at = Set(now);
    let r = m.update(&txn).await.db()?;
    let physical = from_bp(r.physical_bp.unwrap_or(0));
    let spent = from_sen(r.spent_sen.unwrap_or(0));
    let mut events = vec![ev("report_verified", &a, &r)];
    // The activity's figures are those of its latest verified month.
    let mut am = a.clone().into_active_model();
    if a.last_period
        .as_deref()
        .is_none_or(|p| p <= r.period.as_str())
    {
        am.actual_bp = Set(r.physical_bp);
        am.disbursed_sen = Set(r.spent_sen.unwrap_or(0));
        am.last_period = Set(Some(r.period.clone()));
    }
    if ["planned", "not_started"].contains(&a.status.as_str()) && physical > Decimal::ZERO {
        let started = fire(
            state,
            &txn,
            &mut chain,
            user,
            a.instance_id,
            "start",
            Map::new(),
            None,
        )
        .await?;
        am.status = Set(started.case.state);
    }
    am.updated_at = Set(now);
    let a = am.update(&txn).await.db()?;
    // The deviation rules on this month.
    let period: Period = r
        .period
        .parse()
        .map_err(|e: String| AppError::internal(anyhow::anyhow!(e)))?;
    let actuals: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&r.actuals).unwrap_or_default();
    let facts = PeriodFacts {
        period,
        under_contract: a.contract_id.is_some(),
        planned_physical: plan.at(period).0,
        actual_physical: physical,
        spent,
        budget: from_sen(a.contracted_sen.unwrap_or(a.pagu_sen)),
        indicators: inds
            .iter()
            .map(|i| {
                let ind = indicator_of(i);
                IndicatorFacts {
                    name: i.name.clone(),
                    unit: i.unit.clone(),
                    target: ind.target(period),
                    actual: actuals.get(&i.id.to_string()).and_then(|v| v.parse().ok()),
                    higher_is_better: i.higher_is_better,
                }
            })
            .collect(),
    };
    for d in detect(&rules, &facts) {
        if let Some(f) =
            super::flags::raise(state, &txn, &mut chain, Some(user), &a, Some(r.id), &d).await?
        {
            events.push(super::flags::ev("flag_raised", &a, &f));
        }
    }
    for e in &events {
        publish(state, &txn, e).await?;
    }
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    heard(state, events);
    Ok(r)
}

/// The KPA or PPK returns a submitted report with notes.
pub async fn return_report(
    state: &AppState,
    user: &CurrentUser,
    report_id: i32,
    note: String,
) -> AppResult<report::Model> {
    let r = get_report(&state.db, report_id).await?;
    let a = get_activity(&state.db, r.activity_id).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let r = get_report(&txn, report_id).await?;
    let note = note.trim().to_owned();
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        r.instance_id,
        "return",
        Map::new(),
        Some(note.clone()),
    )
    .await?;
    let mut m = r.into_active_model();
    m.status = Set(fired.case.state);
    m.return_note = Set(Some(note));
    m.updated_at = Set(now);
    let r = m.update(&txn).await.db()?;
    let e = ev("report_returned", &a, &r);
    publish(state, &txn, &e).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    heard(state, vec![e]);
    Ok(r)
}

pub async fn of_activity(
    db: &impl ConnectionTrait,
    activity_id: i32,
) -> AppResult<Vec<report::Model>> {
    report::Entity::find()
        .filter(report::Column::ActivityId.eq(activity_id))
        .order_by_asc(report::Column::Period)
        .all(db)
        .await
        .db()
}

/// The report's due time passed before it was submitted: the row follows and a `late_report`
/// flag is raised, in the timer's transaction.
pub struct Late;

#[async_trait::async_trait]
impl AfterTimer for Late {
    fn workflows(&self) -> &'static [&'static str] {
        &[REPORT_WORKFLOW, ACTIVITY_WORKFLOW]
    }

    async fn after(
        &self,
        state: &AppState,
        txn: &WriteTxn,
        chain: &mut Chain,
        fired: &Fired,
    ) -> AppResult<()> {
        let now = fired.event.at;
        let rules = runtime::rules(state)?;
        let mut events = vec![];
        if fired.case.workflow == ACTIVITY_WORKFLOW {
            let Some(a) = activity::Entity::find()
                .filter(activity::Column::InstanceId.eq(fired.case.id))
                .one(txn)
                .await
                .db()?
            else {
                return Ok(());
            };
            let mut m = a.clone().into_active_model();
            m.status = Set(fired.case.state.clone());
            m.updated_at = Set(now);
            let a = m.update(txn).await.db()?;
            let d = super::flags::not_started(&rules, &a);
            if let Some(f) = super::flags::raise(state, txn, chain, None, &a, None, &d).await? {
                events.push(super::flags::ev("flag_raised", &a, &f));
            }
        } else {
            let Some(r) = report::Entity::find()
                .filter(report::Column::InstanceId.eq(fired.case.id))
                .one(txn)
                .await
                .db()?
            else {
                return Ok(());
            };
            let a = get_activity(txn, r.activity_id).await?;
            let mut m = r.into_active_model();
            m.status = Set(fired.case.state.clone());
            m.late_at = Set(Some(now));
            m.updated_at = Set(now);
            let r = m.update(txn).await.db()?;
            events.push(ev("report_late", &a, &r));
            let d = super::flags::late_report(&rules, &r);
            if let Some(f) =
                super::flags::raise(state, txn, chain, None, &a, Some(r.id), &d).await?
            {
                events.push(super::flags::ev("flag_raised", &a, &f));
            }
        }
        for e in &events {
            publish(state, txn, e).await?;
        }
        // Heard after the commit (see `committed`).
        runtime::slot(state)
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(fired.case.id, events);
        Ok(())
    }

    fn committed(&self, state: &AppState, fired: &Fired) {
        let events = runtime::slot(state)
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&fired.case.id)
            .unwrap_or_default();
        heard(state, events);
    }
}

/// A photo upload to a report not yet verified, by one who may write it.
pub struct PhotoUpload {
    pub report_id: i32,
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
    pub taken_at: Option<DateTime<Utc>>,
    pub latitude: Option<Decimal>,
    pub longitude: Option<Decimal>,
}

pub async fn upload_photo(
    state: &AppState,
    user: &CurrentUser,
    u: PhotoUpload,
) -> AppResult<photo::Model> {
    let r = get_report(&state.db, u.report_id).await?;
    let a = get_activity(&state.db, r.activity_id).await?;
    require_reporter(state, &state.db, user, &a).await?;
    if r.status == "verified" {
        return Err(AppError::conflict(
            "Laporan yang sudah diverifikasi tidak dapat diubah.",
            "A verified report cannot be changed.",
        ));
    }
    let mut errors = vec![];
    let name = text(&mut errors, "name", &u.name, 200, true);
    if let Some(lat) = u.latitude {
        if lat < Decimal::from(-90) || lat > Decimal::from(90) {
            errors.push(mufakat_core::FieldError::new(
                "latitude",
                "range",
                "Lintang antara −90 dan 90.",
                "Latitude is between −90 and 90.",
            ));
        }
    }
    if let Some(lon) = u.longitude {
        if lon < Decimal::from(-180) || lon > Decimal::from(180) {
            errors.push(mufakat_core::FieldError::new(
                "longitude",
                "range",
                "Bujur antara −180 dan 180.",
                "Longitude is between −180 and 180.",
            ));
        }
    }
    if !mufakat_procurement::sniff(&u.bytes[..u.bytes.len().min(64)])
        .is_some_and(|t| t.starts_with("image/"))
    {
        errors.push(mufakat_core::FieldError::new(
            "file",
            "type",
            "Foto harus berupa gambar JPEG, PNG atau WebP.",
            "A photo must be a JPEG, PNG or WebP image.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let stored = mufakat_module_procurement::runtime::get(state)?
        .store(&u.content_type, &u.bytes)
        .await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let p = photo::ActiveModel {
        report_id: Set(r.id),
        name: Set(name.clone()),
        content_type: Set(stored.content_type.into()),
        size_bytes: Set(u.bytes.len() as i64),
        sha256: Set(stored.sha256.clone()),
        storage_key: Set(stored.key),
        taken_at: Set(u.taken_at),
        latitude: Set(u.latitude.map(|d| d.normalize().to_string())),
        longitude: Set(u.longitude.map(|d| d.normalize().to_string())),
        uploaded_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    super::activities::note(
        &txn,
        &mut chain,
        user,
        &a,
        "upload_photo",
        json!({
            "report": r.id.to_string(),
            "period": r.period,
            "photo": p.id.to_string(),
            "name": name,
            "content_type": p.content_type,
            "size_bytes": p.size_bytes,
            "sha256": p.sha256,
            "taken_at": p.taken_at.map(mufakat_audit::format_time),
            "latitude": p.latitude,
            "longitude": p.longitude,
        }),
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(p)
}

pub async fn photos_of(db: &impl ConnectionTrait, report_id: i32) -> AppResult<Vec<photo::Model>> {
    photo::Entity::find()
        .filter(photo::Column::ReportId.eq(report_id))
        .order_by_asc(photo::Column::Id)
        .all(db)
        .await
        .db()
}

/// A photo with its bytes: public once its report is verified, else for who reads the
/// activity's internal data; `NOT_FOUND` otherwise.
pub async fn download_photo(
    state: &AppState,
    user: Option<&CurrentUser>,
    id: i32,
) -> AppResult<(photo::Model, Bytes)> {
    let nf = || AppError::NotFound { entity: "photo" };
    let p = photo::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or_else(nf)?;
    let r = get_report(&state.db, p.report_id).await?;
    let a = get_activity(&state.db, r.activity_id).await?;
    if r.status != "verified" && !reads_internal(state, user, &a).await? {
        return Err(nf());
    }
    let bytes = mufakat_module_procurement::runtime::get(state)?
        .blobs
        .get(&p.storage_key)
        .await
        .map_err(AppError::internal)?;
    Ok((p, bytes))
}
