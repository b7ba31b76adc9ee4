//! Audit assignments (surat tugas): the inspector drafts one with its team and scope and
//! starts it; while it is active or reporting its team holds the `auditor` role in its region,
//! granted when it starts and revoked when it closes or is cancelled, in the same audited
//! write as the transition. So an auditor reads non-public data only within an active
//! assignment: the kernel's casbin check sees no `auditor` grant otherwise.

use chrono::{NaiveDate, Utc};
use mufakat_core::{AppError, AppResult, FieldError, Role};
use mufakat_kernel::audit_log::{AuditDraft, Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::{check_date, fire, text};
use mufakat_store::entity::{role_grant, user};
use mufakat_store::DbResultExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Map};

use super::{get_assignment, is_inspector, team_of, ASSIGNMENT_WORKFLOW, WORKING};
use crate::entity::{assignment, document, team};
use crate::perms;

#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub number: String,
    pub title: String,
    pub region_id: i32,
    /// OPDs in scope (empty: all).
    pub opds: Vec<String>,
    /// Modules in scope, e.g. `procurement` (empty: all).
    pub modules: Vec<String>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The team's user ids; `lead` among them.
    pub team: Vec<i32>,
    pub lead: i32,
}

/// The modules one may scope an assignment to: the first word of every workflow's name
/// (`procurement-paket` → `procurement`) and `system` (accounts, regions).
pub fn known_modules(state: &AppState) -> Vec<String> {
    let mut m: Vec<String> = state
        .workflows
        .all()
        .iter()
        .map(|d| {
            d.def
                .name
                .split(['-', '.'])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .chain(["system".to_owned()])
        .collect();
    m.sort();
    m.dedup();
    m
}

/// The inspector drafts an assignment.
pub async fn create(
    state: &AppState,
    actor: &CurrentUser,
    n: NewAssignment,
) -> AppResult<assignment::Model> {
    let mut errors = vec![];
    let number = text(&mut errors, "number", &n.number, 100, true);
    let title = text(&mut errors, "title", &n.title, 300, true);
    let mut opds = vec![];
    for o in &n.opds {
        let o = text(&mut errors, "opds", o, 200, true);
        if !opds.contains(&o) {
            opds.push(o);
        }
    }
    let known = known_modules(state);
    let mut modules = vec![];
    for m in &n.modules {
        let m = m.trim().to_owned();
        if !known.contains(&m) {
            errors.push(FieldError::new(
                "modules",
                "unknown",
                format!(
                    "Modul tidak dikenal: {m}. Pilih dari: {}.",
                    known.join(", ")
                ),
                format!("Unknown module: {m}. Choose from: {}.", known.join(", ")),
            ));
        } else if !modules.contains(&m) {
            modules.push(m);
        }
    }
    for (f, d) in [
        ("periodFrom", n.period_from),
        ("periodTo", n.period_to),
        ("startsOn", n.starts_on),
        ("endsOn", n.ends_on),
    ] {
        if let Err(AppError::Validation(mut e)) = check_date(f, d) {
            errors.append(&mut e);
        }
    }
    if n.period_to < n.period_from {
        errors.push(FieldError::new(
            "periodTo",
            "range",
            "Akhir periode yang diperiksa tidak boleh sebelum awalnya.",
            "The audited period cannot end before it starts.",
        ));
    }
    if n.ends_on < n.starts_on {
        errors.push(FieldError::new(
            "endsOn",
            "range",
            "Tanggal selesai penugasan tidak boleh sebelum tanggal mulai.",
            "The assignment cannot end before it starts.",
        ));
    }
    let mut members = n.team.clone();
    if !members.contains(&n.lead) {
        members.push(n.lead);
    }
    members.sort();
    members.dedup();
    if members.len() > 50 {
        errors.push(FieldError::new(
            "team",
            "length",
            "Tim paling banyak 50 orang.",
            "A team has at most 50 people.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let path = state.known_region_path(n.region_id).await?;
    state
        .authz
        .require(actor, &path, perms::ASSIGNMENT_CREATE)?;
    // The OPDs in scope by their codes, where the region lists its OPDs.
    let mut codes = vec![];
    for o in &opds {
        let c =
            mufakat_kernel::services::opds::check_code(state, &state.db, n.region_id, "opds", o)
                .await?;
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    let opds = codes;
    // Each member belongs to the inspectorate over this region.
    for uid in &members {
        let grants = mufakat_store::repo::grants::for_user(&state.db, *uid).await?;
        let apip = grants.iter().any(|g| {
            (g.role == Role::InspectorateStaff.as_str() || g.role == Role::Inspector.as_str())
                && path.contains(&g.region_id)
        });
        if !apip {
            return Err(AppError::validation(
                "team",
                "not_inspectorate",
                format!("Pengguna #{uid} bukan staf inspektorat di wilayah ini."),
                format!("User #{uid} is not inspectorate staff in this region."),
            ));
        }
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let taken = assignment::Entity::find()
        .filter(assignment::Column::Number.eq(number.clone()))
        .one(&txn)
        .await
        .db()?;
    if taken.is_some() {
        return Err(AppError::validation(
            "number",
            "unique",
            "Nomor surat tugas ini sudah dipakai.",
            "This assignment number is already used.",
        ));
    }
    let mut fields = Map::new();
    fields.insert("number".into(), json!(number));
    fields.insert("title".into(), json!(title));
    fields.insert("starts_on".into(), json!(n.starts_on.to_string()));
    fields.insert("ends_on".into(), json!(n.ends_on.to_string()));
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        actor,
        ASSIGNMENT_WORKFLOW,
        n.region_id,
        fields,
    )
    .await?;
    let a = assignment::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        number: Set(number),
        title: Set(title),
        region_id: Set(n.region_id),
        opds: Set(json!(opds).to_string()),
        modules: Set(json!(modules).to_string()),
        period_from: Set(n.period_from),
        period_to: Set(n.period_to),
        starts_on: Set(n.starts_on),
        ends_on: Set(n.ends_on),
        status: Set(fired.case.state.clone()),
        created_by: Set(actor.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    for uid in &members {
        team::ActiveModel {
            assignment_id: Set(a.id),
            user_id: Set(*uid),
            is_lead: Set(*uid == n.lead),
            grant_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
    }
    chain
        .append(
            &txn,
            AuditDraft {
                actor: actor.id.to_string(),
                role: Role::Inspector.as_str().into(),
                workflow: "eaudit.team".into(),
                workflow_version: "1".into(),
                instance_id: fired.case.id.to_string(),
                transition: "set_team".into(),
                from_state: String::new(),
                to_state: "draft".into(),
                input: json!({
                    "team": members.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                    "lead": n.lead.to_string(),
                    "region": n.region_id.to_string(),
                    "opds": opds,
                    "modules": modules,
                    "period": format!("{}/{}", n.period_from, n.period_to),
                }),
                comment: None,
            },
        )
        .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(a)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Report,
    Resume,
    Close,
    Cancel,
}

impl Action {
    pub fn transition(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Report => "report",
            Action::Resume => "resume",
            Action::Close => "close",
            Action::Cancel => "cancel",
        }
    }
}

/// Moves an assignment on. Starting grants the team the `auditor` role in its region; closing
/// or cancelling an active one revokes what it granted. Reporting and resuming are for the
/// lead or the inspector; the rest for the inspector.
pub async fn act(
    state: &AppState,
    actor: &CurrentUser,
    id: i32,
    action: Action,
    comment: Option<String>,
) -> AppResult<assignment::Model> {
    let a = get_assignment(&state.db, id).await?;
    let inspector = is_inspector(state, actor, a.region_id).await;
    let lead = team_of(&state.db, a.id)
        .await?
        .iter()
        .any(|t| t.user_id == actor.id && t.is_lead);
    let allowed = match action {
        Action::Report | Action::Resume => inspector || lead,
        _ => inspector,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if matches!(action, Action::Close | Action::Cancel) {
        let open = super::findings::count_drafts(&state.db, a.id).await?;
        if open > 0 {
            return Err(AppError::conflict(
                format!("Masih ada {open} konsep temuan: terbitkan atau batalkan dahulu."),
                format!("{open} draft finding(s) remain: issue or withdraw them first."),
            ));
        }
    }
    // The LHP is issued with the close: drawn now, its bytes stored, its hash in the trail.
    let lhp = if action == Action::Close {
        let title =
            state
                .workflows
                .state_title(ASSIGNMENT_WORKFLOW, "closed", mufakat_core::Lang::Id);
        let pdf = super::reports::render(
            state,
            actor,
            &a,
            title,
            Some(actor.display_name.clone()),
            mufakat_core::Lang::Id,
        )
        .await?;
        let size = pdf.len() as i64;
        let (sha256, key) = mufakat_module_procurement::runtime::get(state)?
            .put(&pdf.into())
            .await?;
        Some((sha256, key, size))
    } else {
        None
    };
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    // Read again in the write's turn: what was read before may be stale (a start or a finding
    // committed meanwhile), and the grants and the draft check depend on it.
    let a = get_assignment(&txn, a.id).await?;
    if matches!(action, Action::Close | Action::Cancel) {
        let open = super::findings::count_drafts(&txn, a.id).await?;
        if open > 0 {
            return Err(AppError::conflict(
                format!("Masih ada {open} konsep temuan: terbitkan atau batalkan dahulu."),
                format!("{open} draft finding(s) remain: issue or withdraw them first."),
            ));
        }
    }
    let fired = fire(
        state,
        &txn,
        &mut chain,
        actor,
        a.instance_id,
        action.transition(),
        Map::new(),
        comment,
    )
    .await?;
    if let Some((sha256, key, size)) = lhp {
        let name = format!("LHP-{}.pdf", a.number.replace(['/', ' '], "-"));
        let d = document::ActiveModel {
            owner_kind: Set(super::reports::OWNER_ASSIGNMENT.into()),
            owner_id: Set(a.id),
            name: Set(name.clone()),
            content_type: Set("application/pdf".into()),
            size_bytes: Set(size),
            sha256: Set(sha256.clone()),
            storage_key: Set(key),
            uploaded_by: Set(actor.id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
        chain
            .append(
                &txn,
                AuditDraft {
                    actor: actor.id.to_string(),
                    role: Role::Inspector.as_str().into(),
                    workflow: "eaudit.report".into(),
                    workflow_version: "1".into(),
                    instance_id: a.instance_id.map(|i| i.to_string()).unwrap_or_default(),
                    transition: "issue_lhp".into(),
                    from_state: a.status.clone(),
                    to_state: fired.case.state.clone(),
                    input: json!({
                        "document": d.id.to_string(),
                        "name": name,
                        "sha256": sha256,
                        "size_bytes": size,
                    }),
                    comment: None,
                },
            )
            .await?;
    }
    let was_working = WORKING.contains(&a.status.as_str());
    let to = fired.case.state.clone();
    let members = team_of(&txn, a.id).await?;
    if action == Action::Start {
        grant_team(&txn, &mut chain, actor, &a, &members, now).await?;
    } else if was_working && !WORKING.contains(&to.as_str()) {
        revoke_team(&txn, &mut chain, actor, &a, &members).await?;
    }
    let mut m = a.into_active_model();
    m.status = Set(to);
    m.updated_at = Set(now);
    let a = m.update(&txn).await.db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    for t in &members {
        state.sessions.forget_user(t.user_id);
    }
    Ok(a)
}

fn grant_event(
    actor: &CurrentUser,
    user_id: i32,
    transition: &str,
    a: &assignment::Model,
) -> AuditDraft {
    AuditDraft {
        actor: actor.id.to_string(),
        role: Role::Inspector.as_str().into(),
        workflow: "system.accounts".into(),
        workflow_version: "1".into(),
        instance_id: format!("user-{user_id}"),
        transition: transition.into(),
        from_state: String::new(),
        to_state: "active".into(),
        input: json!({
            "role": Role::Auditor.as_str(),
            "region": a.region_id.to_string(),
            "assignment": a.id.to_string(),
        }),
        comment: None,
    }
}

async fn grant_team(
    txn: &WriteTxn,
    chain: &mut Chain,
    actor: &CurrentUser,
    a: &assignment::Model,
    members: &[team::Model],
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    for t in members {
        let held = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(t.user_id))
            .filter(role_grant::Column::Role.eq(Role::Auditor.as_str()))
            .filter(role_grant::Column::RegionId.eq(a.region_id))
            .one(txn)
            .await
            .db()?;
        // Held already (another assignment or an administrator granted it): nothing to add,
        // and nothing of this assignment's to revoke later.
        if held.is_some() {
            continue;
        }
        let g = role_grant::ActiveModel {
            user_id: Set(t.user_id),
            role: Set(Role::Auditor.as_str().into()),
            region_id: Set(a.region_id),
            granted_by: Set(Some(actor.id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .db()?;
        let mut m = t.clone().into_active_model();
        m.grant_id = Set(Some(g.id));
        m.update(txn).await.db()?;
        chain
            .append(txn, grant_event(actor, t.user_id, "grant_role", a))
            .await?;
    }
    Ok(())
}

/// Revokes the grants this assignment made. A grant another working assignment of the same
/// member in the same region still needs passes to that assignment instead.
async fn revoke_team(
    txn: &WriteTxn,
    chain: &mut Chain,
    actor: &CurrentUser,
    a: &assignment::Model,
    members: &[team::Model],
) -> AppResult<()> {
    for t in members {
        let Some(grant_id) = t.grant_id else { continue };
        let others: Vec<team::Model> = team::Entity::find()
            .filter(team::Column::UserId.eq(t.user_id))
            .filter(team::Column::AssignmentId.ne(a.id))
            .all(txn)
            .await
            .db()?;
        let working: Vec<i32> = assignment::Entity::find()
            .filter(assignment::Column::Id.is_in(others.iter().map(|o| o.assignment_id)))
            .filter(assignment::Column::RegionId.eq(a.region_id))
            .filter(assignment::Column::Status.is_in(WORKING))
            .all(txn)
            .await
            .db()?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let heir = others
            .into_iter()
            .find(|o| working.contains(&o.assignment_id));
        let mut m = t.clone().into_active_model();
        m.grant_id = Set(None);
        m.update(txn).await.db()?;
        if let Some(h) = heir {
            let mut hm = h.into_active_model();
            hm.grant_id = Set(Some(grant_id));
            hm.update(txn).await.db()?;
            continue;
        }
        role_grant::Entity::delete_by_id(grant_id)
            .exec(txn)
            .await
            .db()?;
        chain
            .append(txn, grant_event(actor, t.user_id, "revoke_role", a))
            .await?;
    }
    Ok(())
}

/// The assignments `user` may see: those of their team, and all in regions where they are the
/// inspector (or may read every assignment), newest first.
pub async fn list(state: &AppState, user: &CurrentUser) -> AppResult<Vec<assignment::Model>> {
    let mine: Vec<i32> = team::Entity::find()
        .filter(team::Column::UserId.eq(user.id))
        .all(&state.db)
        .await
        .db()?
        .into_iter()
        .map(|t| t.assignment_id)
        .collect();
    let all = assignment::Entity::find()
        .order_by_desc(assignment::Column::Id)
        .all(&state.db)
        .await
        .db()?;
    let mut out = vec![];
    for a in all {
        if mine.contains(&a.id) || may_read_all(state, user, a.region_id).await? {
            out.push(a);
        }
    }
    Ok(out)
}

/// Whether `user` reads every assignment in `region_id` (the inspector, an administrator).
pub async fn may_read_all(state: &AppState, user: &CurrentUser, region_id: i32) -> AppResult<bool> {
    state.authz.allowed(
        user,
        &state.region_path(region_id).await,
        perms::ASSIGNMENT_READ,
    )
}

/// One assignment, for its team and those who read every assignment; `NOT_FOUND` otherwise.
pub async fn get(state: &AppState, user: &CurrentUser, id: i32) -> AppResult<assignment::Model> {
    let a = get_assignment(&state.db, id).await?;
    let member = team_of(&state.db, a.id)
        .await?
        .iter()
        .any(|t| t.user_id == user.id);
    if member || may_read_all(state, user, a.region_id).await? {
        Ok(a)
    } else {
        Err(AppError::NotFound {
            entity: "assignment",
        })
    }
}

/// The team with names, lead first.
pub async fn team_names(
    state: &AppState,
    assignment_id: i32,
) -> AppResult<Vec<(team::Model, String)>> {
    let mut t = team_of(&state.db, assignment_id).await?;
    t.sort_by_key(|m| (!m.is_lead, m.id));
    let ids: Vec<i32> = t.iter().map(|m| m.user_id).collect();
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(&state.db)
        .await
        .db()?;
    Ok(t.into_iter()
        .map(|m| {
            let name = users
                .iter()
                .find(|u| u.id == m.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default();
            (m, name)
        })
        .collect())
}
