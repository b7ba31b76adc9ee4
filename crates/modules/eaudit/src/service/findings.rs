//! Findings (temuan): a team member drafts one within a working assignment, with its condition,
//! criteria, cause and effect, a finding code from the settings, an optional loss and a
//! severity; adds evidence (audit events, documents, flags, objects) and recommendations (each
//! for a responsible OPD with its deadline); the lead (or the inspector) issues it with its
//! recommendations, and the OPD's staff are told. A finding closes by itself when its last
//! recommendation is settled (see `followups`).

use chrono::{DateTime, Duration, SubsecRound, Utc};
use mufakat_core::{AppError, AppResult, FieldError, Lang, Role};
use mufakat_kernel::audit_log::{AuditDraft, Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::{fire, from_sen, money_sen, one_json, text};
use mufakat_store::entity::{audit_event, notification, role_grant};
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Map};

use super::{get_assignment, part, require_working, FINDING_WORKFLOW, RECOMMENDATION_WORKFLOW};
use crate::entity::{assignment, document, evidence, finding, recommendation as rec};
use crate::{perms, runtime};

pub const SEVERITIES: [&str; 3] = ["low", "medium", "high"];

pub fn severity_title(s: &str, lang: Lang) -> &'static str {
    match (s, lang) {
        ("low", Lang::Id) => "Rendah",
        ("low", _) => "Low",
        ("medium", Lang::Id) => "Sedang",
        ("medium", _) => "Medium",
        ("high", Lang::Id) => "Tinggi",
        (_, Lang::Id) => "Tinggi",
        _ => "High",
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewFinding {
    pub assignment_id: i32,
    pub title: String,
    pub condition: String,
    pub criteria: String,
    pub cause: String,
    pub effect: String,
    pub code: String,
    pub loss: Option<Decimal>,
    pub severity: String,
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> AppResult<finding::Model> {
    finding::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "finding" })
}

pub async fn get_rec(db: &impl ConnectionTrait, id: i32) -> AppResult<rec::Model> {
    rec::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound {
            entity: "recommendation",
        })
}

/// `CONFLICT` unless assignment `id` still works, read in the write's turn (the chain's lock):
/// a check before it may be stale when the write runs.
pub async fn still_working(db: &impl ConnectionTrait, id: i32) -> AppResult<()> {
    if !super::WORKING.contains(&get_assignment(db, id).await?.status.as_str()) {
        return Err(AppError::conflict(
            "Penugasan ini tidak sedang berjalan.",
            "This assignment is not under way.",
        ));
    }
    Ok(())
}

pub async fn count_drafts(db: &impl ConnectionTrait, assignment_id: i32) -> AppResult<u64> {
    finding::Entity::find()
        .filter(finding::Column::AssignmentId.eq(assignment_id))
        .filter(finding::Column::Status.eq("draft"))
        .count(db)
        .await
        .db()
}

/// A team member drafts a finding in a working assignment.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    n: NewFinding,
) -> AppResult<finding::Model> {
    let settings = runtime::get(state)?;
    let mut errors = vec![];
    let title = text(&mut errors, "title", &n.title, 300, true);
    let condition = text(&mut errors, "condition", &n.condition, 20_000, true);
    let criteria = text(&mut errors, "criteria", &n.criteria, 20_000, true);
    let cause = text(&mut errors, "cause", &n.cause, 20_000, true);
    let effect = text(&mut errors, "effect", &n.effect, 20_000, true);
    let code = n.code.trim().to_owned();
    if !settings.codes.contains_key(&code) {
        errors.push(FieldError::new(
            "code",
            "unknown",
            "Kode temuan tidak ada dalam daftar kode (findingCodes).",
            "The finding code is not in the list of codes (findingCodes).",
        ));
    }
    if !SEVERITIES.contains(&n.severity.as_str()) {
        errors.push(FieldError::new(
            "severity",
            "enum",
            "Tingkat: low, medium atau high.",
            "Severity: low, medium or high.",
        ));
    }
    let loss = match n.loss {
        Some(l) => match money_sen("loss", l) {
            Ok(s) => Some(s),
            Err(AppError::Validation(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let a = get_assignment(&state.db, n.assignment_id).await?;
    require_working(state, user, &a, false).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    still_working(&txn, a.id).await?;
    let number = finding::Entity::find()
        .filter(finding::Column::AssignmentId.eq(a.id))
        .count(&txn)
        .await
        .db()? as i32
        + 1;
    let mut fields = Map::new();
    fields.insert("title".into(), json!(title));
    fields.insert("code".into(), json!(code));
    fields.insert("severity".into(), json!(n.severity));
    if let Some(l) = loss {
        fields.insert("loss".into(), json!(from_sen(l).to_string()));
    }
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        FINDING_WORKFLOW,
        a.region_id,
        fields,
    )
    .await?;
    let f = finding::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        assignment_id: Set(a.id),
        number: Set(number),
        title: Set(title),
        condition: Set(condition),
        criteria: Set(criteria),
        cause: Set(cause),
        effect: Set(effect),
        code: Set(code),
        loss_sen: Set(loss),
        severity: Set(n.severity),
        status: Set(fired.case.state.clone()),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(f)
}

/// The kinds of evidence and what their reference is.
pub const EVIDENCE_KINDS: [&str; 4] = ["event", "document", "flag", "object"];

/// A team member links evidence to a finding that is not settled: an audit event (its `seq`,
/// which must exist), a document uploaded to the finding (its id), a red or deviation flag
/// (its name) or an object (e.g. `package-12`, `proposal-3`).
pub async fn add_evidence(
    state: &AppState,
    user: &CurrentUser,
    finding_id: i32,
    kind: &str,
    reference: &str,
    note: Option<String>,
) -> AppResult<evidence::Model> {
    let mut errors = vec![];
    let reference = text(&mut errors, "reference", reference, 200, true);
    let note = note.map(|n| text(&mut errors, "note", &n, 2_000, false));
    if !EVIDENCE_KINDS.contains(&kind) {
        errors.push(FieldError::new(
            "kind",
            "enum",
            "Jenis bukti: event, document, flag atau object.",
            "Kind of evidence: event, document, flag or object.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let f = get(&state.db, finding_id).await?;
    let a = get_assignment(&state.db, f.assignment_id).await?;
    require_working(state, user, &a, false).await?;
    if !["draft", "issued"].contains(&f.status.as_str()) {
        return Err(AppError::conflict(
            "Temuan ini sudah selesai atau dibatalkan.",
            "This finding is settled or withdrawn.",
        ));
    }
    let unknown = |what: &str| {
        AppError::validation(
            "reference",
            "unknown",
            format!("{what} tidak ditemukan."),
            format!("{what} not found."),
        )
    };
    match kind {
        "event" => {
            let seq: i64 = reference.parse().map_err(|_| unknown("Peristiwa"))?;
            audit_event::Entity::find_by_id(seq)
                .one(&state.db)
                .await
                .db()?
                .ok_or_else(|| unknown("Peristiwa"))?;
        }
        "document" => {
            let id: i32 = reference.parse().map_err(|_| unknown("Dokumen"))?;
            let d = document::Entity::find_by_id(id)
                .one(&state.db)
                .await
                .db()?
                .ok_or_else(|| unknown("Dokumen"))?;
            if d.owner_kind != OWNER_FINDING || d.owner_id != f.id {
                return Err(unknown("Dokumen"));
            }
        }
        _ => {}
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let e = evidence::ActiveModel {
        finding_id: Set(f.id),
        kind: Set(kind.into()),
        reference: Set(reference.clone()),
        note: Set(note.clone()),
        added_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    let role = acting_role(state, user, &a).await?;
    append_note(
        &txn,
        &mut chain,
        user,
        role,
        &f,
        "add_evidence",
        json!({ "kind": kind, "reference": reference, "note": note }),
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(e)
}

pub const OWNER_FINDING: &str = "finding";
pub const OWNER_RECOMMENDATION: &str = "recommendation";

/// The role a team member or the inspector acts in on assignment `a`, for the trail.
pub async fn acting_role(
    state: &AppState,
    user: &CurrentUser,
    a: &assignment::Model,
) -> AppResult<Role> {
    Ok(match part(state, user, a).await? {
        Some(super::Part::Inspector) => Role::Inspector,
        _ => Role::Auditor,
    })
}

/// Something recorded about a finding that is not a change of its state (evidence, an upload),
/// as its own event in the finding's history.
pub async fn append_note(
    txn: &WriteTxn,
    chain: &mut Chain,
    user: &CurrentUser,
    role: Role,
    f: &finding::Model,
    transition: &str,
    input: serde_json::Value,
) -> AppResult<()> {
    chain
        .append(
            txn,
            AuditDraft {
                actor: user.id.to_string(),
                role: role.as_str().into(),
                workflow: "eaudit.evidence".into(),
                workflow_version: "1".into(),
                instance_id: f.instance_id.map(|i| i.to_string()).unwrap_or_default(),
                transition: transition.into(),
                from_state: f.status.clone(),
                to_state: f.status.clone(),
                input,
                comment: None,
            },
        )
        .await?;
    Ok(())
}

/// A team member adds a recommendation to a draft finding: what the OPD must do, the OPD, and
/// its deadline (default: the settings' days from the finding's issue; until then the case
/// holds the days from now).
pub async fn add_recommendation(
    state: &AppState,
    user: &CurrentUser,
    finding_id: i32,
    body: &str,
    opd: &str,
    due_at: Option<DateTime<Utc>>,
) -> AppResult<rec::Model> {
    let settings = runtime::get(state)?;
    let mut errors = vec![];
    let body = text(&mut errors, "text", body, 5_000, true);
    let opd = text(&mut errors, "opd", opd, 200, true);
    let now = state.now();
    let due = due_at
        .unwrap_or(now + Duration::days(settings.followup_days.into()))
        .trunc_subsecs(0);
    if due <= now {
        errors.push(FieldError::new(
            "dueAt",
            "range",
            "Batas waktu tindak lanjut harus di masa depan.",
            "The follow-up deadline must be in the future.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let f = get(&state.db, finding_id).await?;
    let a = get_assignment(&state.db, f.assignment_id).await?;
    require_working(state, user, &a, false).await?;
    if f.status != "draft" {
        return Err(AppError::conflict(
            "Rekomendasi ditambahkan pada konsep temuan.",
            "Recommendations are added to a draft finding.",
        ));
    }
    let opd =
        mufakat_kernel::services::opds::check_code(state, &state.db, a.region_id, "opd", &opd)
            .await?;
    let scope = super::texts(&a.opds);
    if !scope.is_empty() && !scope.contains(&opd) {
        return Err(AppError::validation(
            "opd",
            "scope",
            format!("OPD di luar lingkup penugasan ({}).", scope.join(", ")),
            format!(
                "The OPD is outside the assignment's scope ({}).",
                scope.join(", ")
            ),
        ));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    // Checked again in the write's turn: the finding may have been issued meanwhile.
    if get(&txn, f.id).await?.status != "draft" {
        return Err(AppError::conflict(
            "Rekomendasi ditambahkan pada konsep temuan.",
            "Recommendations are added to a draft finding.",
        ));
    }
    still_working(&txn, a.id).await?;
    let number = rec::Entity::find()
        .filter(rec::Column::FindingId.eq(f.id))
        .count(&txn)
        .await
        .db()? as i32
        + 1;
    let mut fields = Map::new();
    fields.insert("opd".into(), json!(opd));
    fields.insert("due_at".into(), json!(mufakat_audit::format_time(due)));
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        RECOMMENDATION_WORKFLOW,
        a.region_id,
        fields,
    )
    .await?;
    let r = rec::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        finding_id: Set(f.id),
        number: Set(number),
        text: Set(body),
        opd: Set(opd),
        region_id: Set(a.region_id),
        due_at: Set(due),
        due_given: Set(due_at.is_some()),
        status: Set(fired.case.state.clone()),
        escalated_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(r)
}

pub async fn recommendations(
    db: &impl ConnectionTrait,
    finding_id: i32,
) -> AppResult<Vec<rec::Model>> {
    rec::Entity::find()
        .filter(rec::Column::FindingId.eq(finding_id))
        .order_by_asc(rec::Column::Number)
        .all(db)
        .await
        .db()
}

/// The lead (or the inspector) issues a draft finding with its recommendations; each
/// recommendation's deadline starts to run and the OPD's staff are told.
pub async fn issue(state: &AppState, user: &CurrentUser, id: i32) -> AppResult<finding::Model> {
    let settings = runtime::get(state)?;
    let f = get(&state.db, id).await?;
    let a = get_assignment(&state.db, f.assignment_id).await?;
    require_working(state, user, &a, true).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    // Read in the write's turn, so that a recommendation added meanwhile is issued too.
    still_working(&txn, a.id).await?;
    let recs = recommendations(&txn, f.id).await?;
    if !recs.iter().any(|r| r.status == "draft") {
        return Err(AppError::conflict(
            "Temuan diterbitkan bersama sedikitnya satu rekomendasi.",
            "A finding is issued with at least one recommendation.",
        ));
    }
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        f.instance_id,
        "issue",
        Map::new(),
        None,
    )
    .await?;
    for r in recs.into_iter().filter(|r| r.status == "draft") {
        let due = if r.due_given {
            r.due_at
        } else {
            (now + Duration::days(settings.followup_days.into())).trunc_subsecs(0)
        };
        let (id_msg, en_msg) = (
            format!(
                "Temuan \"{}\" ({}) memuat rekomendasi untuk {}: {}. Batas waktu tindak lanjut: {}.",
                f.title,
                a.number,
                r.opd,
                r.text,
                due.format("%d-%m-%Y")
            ),
            format!(
                "The finding \"{}\" ({}) has a recommendation for {}: {}. Follow it up by {}.",
                f.title,
                a.number,
                r.opd,
                r.text,
                due.format("%Y-%m-%d")
            ),
        );
        notify_region(
            &txn,
            r.region_id,
            &[Role::OpdStaff],
            "recommendation_issued",
            &id_msg,
            &en_msg,
            state,
        )
        .await?;
        let input = one_json("due_at", mufakat_audit::format_time(due));
        let mut m = move_rec(state, &txn, &mut chain, user, r, "issue", input, now)
            .await?
            .into_active_model();
        m.due_at = Set(due);
        m.update(&txn).await.db()?;
    }
    let mut m = f.into_active_model();
    m.status = Set(fired.case.state);
    m.updated_at = Set(now);
    let f = m.update(&txn).await.db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(f)
}

/// A team member withdraws a draft finding (with the reason) and its draft recommendations.
pub async fn withdraw(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    reason: String,
) -> AppResult<finding::Model> {
    let f = get(&state.db, id).await?;
    let a = get_assignment(&state.db, f.assignment_id).await?;
    require_working(state, user, &a, false).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        f.instance_id,
        "withdraw",
        Map::new(),
        Some(reason),
    )
    .await?;
    for r in recommendations(&txn, f.id).await? {
        if r.status == "draft" {
            move_rec(
                state,
                &txn,
                &mut chain,
                user,
                r,
                "withdraw",
                Map::new(),
                now,
            )
            .await?;
        }
    }
    let mut m = f.into_active_model();
    m.status = Set(fired.case.state);
    m.updated_at = Set(now);
    let f = m.update(&txn).await.db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(f)
}

/// Fires `transition` on recommendation `r` and keeps its row in step.
async fn move_rec(
    state: &AppState,
    txn: &WriteTxn,
    chain: &mut Chain,
    user: &CurrentUser,
    r: rec::Model,
    transition: &str,
    input: Map<String, serde_json::Value>,
    now: DateTime<Utc>,
) -> AppResult<rec::Model> {
    let done = fire(
        state,
        txn,
        chain,
        user,
        r.instance_id,
        transition,
        input,
        None,
    )
    .await?;
    let mut m = r.into_active_model();
    m.status = Set(done.case.state);
    m.updated_at = Set(now);
    m.update(txn).await.db()
}

/// Tells everyone holding one of `roles` in `region_id` or above it (one notification each).
pub async fn notify_region(
    txn: &impl ConnectionTrait,
    region_id: i32,
    roles: &[Role],
    kind: &str,
    message_id: &str,
    message_en: &str,
    state: &AppState,
) -> AppResult<()> {
    let path = state.region_path(region_id).await;
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let mut users: Vec<i32> = role_grant::Entity::find()
        .filter(role_grant::Column::RegionId.is_in(path))
        .filter(role_grant::Column::Role.is_in(names))
        .select_only()
        .column(role_grant::Column::UserId)
        .into_tuple()
        .all(txn)
        .await
        .db()?;
    users.sort();
    users.dedup();
    let now = state.now();
    let rows: Vec<notification::ActiveModel> = users
        .into_iter()
        .map(|u| notification::ActiveModel {
            user_id: Set(u),
            kind: Set(kind.into()),
            message_id: Set(message_id.into()),
            message_en: Set(message_en.into()),
            proposal_id: Set(None),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        notification::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await
            .db()?;
    }
    Ok(())
}

/// Whether `user` reads finding `f`: its assignment's team and those who read every assignment
/// always; once it is issued, OPD staff of the region (they answer its recommendations) and
/// those who read the follow-up matrix.
pub async fn may_read(
    state: &AppState,
    user: &CurrentUser,
    a: &assignment::Model,
    f: &finding::Model,
) -> AppResult<bool> {
    Ok(reach(state, user, a).await?.reads(f))
}

/// What `user` reads of assignment `a`'s findings, decided once for a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every finding, drafts too: the team, the inspector, those who read every assignment.
    All,
    /// Issued and closed findings: OPD staff of the region, readers of the matrix.
    Issued,
    None,
}

impl Reach {
    pub fn reads(self, f: &finding::Model) -> bool {
        match self {
            Reach::All => true,
            Reach::Issued => ["issued", "closed"].contains(&f.status.as_str()),
            Reach::None => false,
        }
    }
}

pub async fn reach(
    state: &AppState,
    user: &CurrentUser,
    a: &assignment::Model,
) -> AppResult<Reach> {
    if part(state, user, a).await?.is_some()
        || super::assignments::may_read_all(state, user, a.region_id).await?
    {
        return Ok(Reach::All);
    }
    let path = state.region_path(a.region_id).await;
    Ok(
        if state.authz.allowed(user, &path, perms::FOLLOWUP_ANSWER)?
            || state.authz.allowed(user, &path, perms::MATRIX_READ)?
        {
            Reach::Issued
        } else {
            Reach::None
        },
    )
}

/// The findings of an assignment `user` may read, by number.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    assignment_id: i32,
) -> AppResult<Vec<finding::Model>> {
    let a = get_assignment(&state.db, assignment_id).await?;
    let reach = reach(state, user, &a).await?;
    if reach == Reach::None {
        return Ok(vec![]);
    }
    Ok(finding::Entity::find()
        .filter(finding::Column::AssignmentId.eq(a.id))
        .order_by_asc(finding::Column::Number)
        .all(&state.db)
        .await
        .db()?
        .into_iter()
        .filter(|f| reach.reads(f))
        .collect())
}

/// One finding for those who may read it; `NOT_FOUND` otherwise.
pub async fn get_visible(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
) -> AppResult<finding::Model> {
    let f = get(&state.db, id).await?;
    let a = get_assignment(&state.db, f.assignment_id).await?;
    if may_read(state, user, &a, &f).await? {
        Ok(f)
    } else {
        Err(AppError::NotFound { entity: "finding" })
    }
}

pub async fn evidence_of(
    db: &impl ConnectionTrait,
    finding_id: i32,
) -> AppResult<Vec<evidence::Model>> {
    evidence::Entity::find()
        .filter(evidence::Column::FindingId.eq(finding_id))
        .order_by_asc(evidence::Column::Id)
        .all(db)
        .await
        .db()
}
