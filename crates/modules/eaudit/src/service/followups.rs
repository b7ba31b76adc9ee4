//! Follow-ups (tindak lanjut): the OPD's staff answer a recommendation with their actions and
//! documents; a member of the finding's team (or the inspector) rates each answer: sesuai
//! (done), belum sesuai (not yet: open again, perhaps with a new deadline), belum
//! ditindaklanjuti (nothing done: open again), or tidak dapat ditindaklanjuti (cannot be
//! followed up, with its lawful reason). Rating goes on after the assignment has closed, by its
//! team's inspectorate role. When the deadline passes the timer escalates: the row follows and
//! the OPD's staff and the inspector are told ([`Escalation`]). The finding closes by itself
//! when its last recommendation is settled.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult, Role};
use mufakat_kernel::audit_log::{Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{AfterTimer, Fired};
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::{fire, one_json, text};
use mufakat_store::DbResultExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Map};

use super::findings::{self, notify_region, OWNER_FINDING, OWNER_RECOMMENDATION};
use super::{get_assignment, part, Part, RECOMMENDATION_WORKFLOW};
use crate::entity::{document, finding, followup, recommendation as rec};
use crate::perms;

/// Recommendation states that are settled.
pub const SETTLED: [&str; 3] = ["done", "not_followable", "withdrawn"];

/// A recommendation the OPD may see: issued (not a draft, not withdrawn); `NOT_FOUND` otherwise.
async fn issued_rec(db: &impl ConnectionTrait, id: i32) -> AppResult<rec::Model> {
    let r = findings::get_rec(db, id).await?;
    if ["draft", "withdrawn"].contains(&r.status.as_str()) {
        return Err(AppError::NotFound {
            entity: "recommendation",
        });
    }
    Ok(r)
}

/// `FORBIDDEN` unless `user` may answer for recommendation `r`'s OPD (staff of another OPD
/// may not).
async fn require_opd(state: &AppState, user: &CurrentUser, r: &rec::Model) -> AppResult<()> {
    state.authz.require_for_opd(
        user,
        &state.region_path(r.region_id).await,
        perms::FOLLOWUP_ANSWER,
        Some(&r.opd),
    )
}

/// The OPD's staff answer a recommendation that is open or overdue, citing documents uploaded
/// to it.
pub async fn answer(
    state: &AppState,
    user: &CurrentUser,
    rec_id: i32,
    body: &str,
    documents: Vec<i32>,
) -> AppResult<followup::Model> {
    let mut errors = vec![];
    // The answer is the transition's comment too (searchable in the trail): the same bound.
    let body = text(&mut errors, "answer", body, 4_000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let r = issued_rec(&state.db, rec_id).await?;
    require_opd(state, user, &r).await?;
    for d in &documents {
        let ok = document::Entity::find_by_id(*d)
            .one(&state.db)
            .await
            .db()?
            .is_some_and(|d| d.owner_kind == OWNER_RECOMMENDATION && d.owner_id == r.id);
        if !ok {
            return Err(AppError::validation(
                "documents",
                "unknown",
                format!("Dokumen #{d} bukan lampiran rekomendasi ini."),
                format!("Document #{d} is not attached to this recommendation."),
            ));
        }
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        r.instance_id,
        "answer",
        Map::new(),
        Some(body.clone()),
    )
    .await?;
    let u = followup::ActiveModel {
        recommendation_id: Set(r.id),
        answer: Set(body),
        documents: Set(json!(documents).to_string()),
        answered_by: Set(user.id),
        answered_at: Set(now),
        rating: Set(None),
        rating_note: Set(None),
        rated_by: Set(None),
        rated_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    set_status(&txn, r, &fired, now).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(u)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    /// Sesuai: the recommendation is done.
    Done,
    /// Belum sesuai: the answer does not yet do what was asked.
    NotYet,
    /// Belum ditindaklanjuti: nothing was done.
    NotActed,
    /// Tidak dapat ditindaklanjuti: cannot be followed up, for a lawful reason.
    CannotFollowUp,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Done => "done",
            Rating::NotYet => "not_yet",
            Rating::NotActed => "not_acted",
            Rating::CannotFollowUp => "cannot_follow_up",
        }
    }
    fn transition(self) -> &'static str {
        match self {
            Rating::Done => "accept",
            Rating::NotYet => "rate_not_yet",
            Rating::NotActed => "rate_not_acted",
            Rating::CannotFollowUp => "cannot_follow_up",
        }
    }
    pub fn title(s: &str, lang: mufakat_core::Lang) -> &'static str {
        let id = lang == mufakat_core::Lang::Id;
        match s {
            "done" if id => "Sesuai",
            "done" => "Done as recommended",
            "not_yet" if id => "Belum sesuai",
            "not_yet" => "Not yet as recommended",
            "not_acted" if id => "Belum ditindaklanjuti",
            "not_acted" => "Not acted on",
            _ if id => "Tidak dapat ditindaklanjuti",
            _ => "Cannot be followed up",
        }
    }
}

/// A member of the finding's team (or the inspector) rates the last answer, or, for
/// `CannotFollowUp`, settles an open recommendation. `NotYet`/`NotActed` may give a new
/// deadline (else the old one stays: if it has passed the recommendation is overdue at once).
/// The reason (`note`) is required except for `Done`.
pub async fn rate(
    state: &AppState,
    user: &CurrentUser,
    rec_id: i32,
    rating: Rating,
    note: Option<String>,
    new_due: Option<DateTime<Utc>>,
) -> AppResult<rec::Model> {
    let r = findings::get_rec(&state.db, rec_id).await?;
    let f = findings::get(&state.db, r.finding_id).await?;
    let a = get_assignment(&state.db, f.assignment_id).await?;
    match part(state, user, &a).await? {
        Some(Part::Lead | Part::Member | Part::Inspector) => {}
        None => return Err(AppError::Forbidden),
    }
    let now = state.now();
    if new_due.is_some_and(|d| d <= now) {
        return Err(AppError::validation(
            "dueAt",
            "range",
            "Batas waktu baru harus di masa depan.",
            "The new deadline must be in the future.",
        ));
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let mut input = Map::new();
    if matches!(rating, Rating::NotYet | Rating::NotActed) {
        let due = new_due.unwrap_or(r.due_at);
        input = one_json("due_at", mufakat_audit::format_time(due));
    }
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        r.instance_id,
        rating.transition(),
        input,
        note.clone(),
    )
    .await?;
    let last = followup::Entity::find()
        .filter(followup::Column::RecommendationId.eq(r.id))
        .order_by_desc(followup::Column::Id)
        .one(&txn)
        .await
        .db()?;
    if let Some(u) = last.filter(|u| u.rating.is_none()) {
        let mut m = u.into_active_model();
        m.rating = Set(Some(rating.as_str().into()));
        m.rating_note = Set(note);
        m.rated_by = Set(Some(user.id));
        m.rated_at = Set(Some(now));
        m.update(&txn).await.db()?;
    }
    let due = new_due.filter(|_| matches!(rating, Rating::NotYet | Rating::NotActed));
    let mut m = r.into_active_model();
    if let Some(d) = due {
        m.due_at = Set(d);
        m.escalated_at = Set(None);
    }
    m.status = Set(fired.case.state.clone());
    m.updated_at = Set(now);
    let r = m.update(&txn).await.db()?;
    close_when_settled(state, &txn, &mut chain, user, &f, now).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(r)
}

/// Closes finding `f` when every recommendation of it is settled.
async fn close_when_settled(
    state: &AppState,
    txn: &WriteTxn,
    chain: &mut Chain,
    user: &CurrentUser,
    f: &finding::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if f.status != "issued" {
        return Ok(());
    }
    let recs = findings::recommendations(txn, f.id).await?;
    if recs.iter().all(|r| SETTLED.contains(&r.status.as_str())) {
        let fired = fire(
            state,
            txn,
            chain,
            user,
            f.instance_id,
            "close",
            Map::new(),
            None,
        )
        .await?;
        let mut m = f.clone().into_active_model();
        m.status = Set(fired.case.state);
        m.updated_at = Set(now);
        m.update(txn).await.db()?;
    }
    Ok(())
}

async fn set_status(
    txn: &impl ConnectionTrait,
    r: rec::Model,
    fired: &Fired,
    now: DateTime<Utc>,
) -> AppResult<rec::Model> {
    let mut m = r.into_active_model();
    m.status = Set(fired.case.state.clone());
    m.updated_at = Set(now);
    m.update(txn).await.db()
}

/// The recommendation's answers, oldest first.
pub async fn of(db: &impl ConnectionTrait, rec_id: i32) -> AppResult<Vec<followup::Model>> {
    followup::Entity::find()
        .filter(followup::Column::RecommendationId.eq(rec_id))
        .order_by_asc(followup::Column::Id)
        .all(db)
        .await
        .db()
}

/// The deadline passed (the timer moved the case to `overdue`): the row follows, and the OPD's
/// staff and the inspector are told, in the timer's transaction.
pub struct Escalation;

#[async_trait::async_trait]
impl AfterTimer for Escalation {
    fn workflows(&self) -> &'static [&'static str] {
        &[RECOMMENDATION_WORKFLOW]
    }

    async fn after(
        &self,
        state: &AppState,
        txn: &WriteTxn,
        _chain: &mut Chain,
        fired: &Fired,
    ) -> AppResult<()> {
        let Some(r) = rec::Entity::find()
            .filter(rec::Column::InstanceId.eq(fired.case.id))
            .one(txn)
            .await
            .db()?
        else {
            return Ok(());
        };
        let f = findings::get(txn, r.finding_id).await?;
        let a = get_assignment(txn, f.assignment_id).await?;
        let now = fired.event.at;
        let (id_msg, en_msg) = (
            format!(
                "Rekomendasi {}.{} ({}, temuan \"{}\") untuk {} melewati batas waktu {} tanpa tindak lanjut yang sesuai.",
                f.number, r.number, a.number, f.title, r.opd, r.due_at.format("%d-%m-%Y")
            ),
            format!(
                "Recommendation {}.{} ({}, finding \"{}\") for {} passed its deadline of {} without a satisfactory follow-up.",
                f.number, r.number, a.number, f.title, r.opd, r.due_at.format("%Y-%m-%d")
            ),
        );
        notify_region(
            txn,
            r.region_id,
            &[Role::OpdStaff, Role::Inspector],
            "recommendation_overdue",
            &id_msg,
            &en_msg,
            state,
        )
        .await?;
        let mut m = r.into_active_model();
        m.status = Set(fired.case.state.clone());
        m.escalated_at = Set(Some(now));
        m.updated_at = Set(now);
        m.update(txn).await.db()?;
        Ok(())
    }
}

/// An upload: to a finding (evidence, by its team while working) or to a recommendation (the
/// OPD's documents, by its staff).
pub struct Upload {
    pub owner_kind: String,
    pub owner_id: i32,
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

pub async fn upload(state: &AppState, user: &CurrentUser, u: Upload) -> AppResult<document::Model> {
    let rt = mufakat_module_procurement::runtime::get(state)?;
    let mut errors = vec![];
    let name = text(&mut errors, "name", &u.name, 200, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // Who may upload, in what role, and the finding whose history records it.
    let (f, role) = match u.owner_kind.as_str() {
        OWNER_FINDING => {
            let f = findings::get(&state.db, u.owner_id).await?;
            let a = get_assignment(&state.db, f.assignment_id).await?;
            super::require_working(state, user, &a, false).await?;
            (f, findings::acting_role(state, user, &a).await?)
        }
        OWNER_RECOMMENDATION => {
            let r = issued_rec(&state.db, u.owner_id).await?;
            require_opd(state, user, &r).await?;
            (
                findings::get(&state.db, r.finding_id).await?,
                Role::OpdStaff,
            )
        }
        _ => return Err(AppError::NotFound { entity: "document" }),
    };
    let mufakat_module_procurement::runtime::Stored {
        content_type,
        sha256,
        key,
    } = rt.store(&u.content_type, &u.bytes).await?;
    let size = u.bytes.len() as i64;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let d = document::ActiveModel {
        owner_kind: Set(u.owner_kind.clone()),
        owner_id: Set(u.owner_id),
        name: Set(name.clone()),
        content_type: Set(content_type.into()),
        size_bytes: Set(size),
        sha256: Set(sha256.clone()),
        storage_key: Set(key),
        uploaded_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    findings::append_note(
        &txn,
        &mut chain,
        user,
        role,
        &f,
        "upload_document",
        json!({
            "document": d.id.to_string(),
            "owner": format!("{}-{}", u.owner_kind, u.owner_id),
            "name": name,
            "content_type": content_type,
            "size_bytes": size,
            "sha256": sha256,
        }),
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(d)
}

/// A document with its bytes, for whoever reads its finding; `NOT_FOUND` otherwise.
pub async fn download(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
) -> AppResult<(document::Model, Bytes)> {
    let not_found = || AppError::NotFound { entity: "document" };
    let d = document::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or_else(not_found)?;
    let finding_id = match d.owner_kind.as_str() {
        OWNER_FINDING => d.owner_id,
        OWNER_RECOMMENDATION => findings::get_rec(&state.db, d.owner_id).await?.finding_id,
        _ => return Err(not_found()),
    };
    findings::get_visible(state, user, finding_id)
        .await
        .map_err(|_| not_found())?;
    let bytes = mufakat_module_procurement::runtime::get(state)?
        .blobs
        .get(&d.storage_key)
        .await
        .map_err(AppError::internal)?;
    Ok((d, bytes))
}

pub async fn documents_of(
    db: &impl ConnectionTrait,
    owner_kind: &str,
    owner_id: i32,
) -> AppResult<Vec<document::Model>> {
    document::Entity::find()
        .filter(document::Column::OwnerKind.eq(owner_kind))
        .filter(document::Column::OwnerId.eq(owner_id))
        .order_by_asc(document::Column::Id)
        .all(db)
        .await
        .db()
}
