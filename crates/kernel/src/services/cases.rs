//! Workflow instances ("cases"): start, fire a transition, list what the user may do, read with
//! history, and fire due timers. Every change is one transaction: the chain head is locked, the
//! instance updated under its version, timers re-armed, one audit event appended.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult, Localized};
use mufakat_store::entity::{workflow_instance as wi, workflow_timer as wt};
use mufakat_store::DbResultExt;
use mufakat_workflow::{Actor, InstanceSnapshot, Outcome, WorkflowError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

use crate::audit_log::{self, AuditDraft};
use crate::auth::CurrentUser;
use crate::workflows::Deployed;
use crate::AppState;

/// An instance as the API shows it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub id: i32,
    pub workflow: String,
    pub workflow_version: i32,
    pub definition_id: i32,
    pub state: String,
    pub fields: BTreeMap<String, Value>,
    pub region_id: i32,
    pub created_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub is_final: bool,
}

/// What a transition did: the case after it, the engine's outcome and the audit event (its
/// hash is the receipt).
pub struct Fired {
    pub case: CaseView,
    pub outcome: Outcome,
    pub event: mufakat_audit::AuditEvent,
}

/// Who acts: a signed-in user, the same user recorded under a pseudonym (ballot privacy), or
/// the system (timers).
pub enum Acting<'a> {
    User(&'a CurrentUser),
    Pseudonymous(&'a CurrentUser, String),
    System,
}

impl Acting<'_> {
    fn user(&self) -> Option<&CurrentUser> {
        match self {
            Acting::User(u) | Acting::Pseudonymous(u, _) => Some(u),
            Acting::System => None,
        }
    }
}

fn view(m: wi::Model, d: &Deployed) -> AppResult<CaseView> {
    let fields: BTreeMap<String, Value> = serde_json::from_str(&m.fields)
        .map_err(|e| AppError::internal(anyhow::anyhow!("instance {} fields: {e}", m.id)))?;
    Ok(view_with(m, d, fields))
}

/// [`view`] of a case just decided, whose fields are at hand (the engine's outcome): not
/// parsed back from the text about to be stored.
fn view_with(m: wi::Model, d: &Deployed, fields: BTreeMap<String, Value>) -> CaseView {
    CaseView {
        id: m.id,
        workflow: m.workflow,
        workflow_version: d.version,
        definition_id: m.definition_id,
        state: m.state,
        fields,
        region_id: m.region_id,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
        is_final: m.is_final,
    }
}

pub fn workflow_error(e: WorkflowError) -> AppError {
    let code = e.code();
    let msg = Localized::new(
        e.message(mufakat_workflow::Lang::Id),
        e.message(mufakat_workflow::Lang::En),
    );
    match code {
        "FORBIDDEN" => AppError::Forbidden,
        "NOT_FOUND" => AppError::NotFound {
            entity: "transition",
        },
        "CONFLICT" => AppError::Conflict(msg),
        _ => match e.field_errors() {
            fields if !fields.is_empty() => AppError::Validation(
                fields
                    .into_iter()
                    .map(|(field, id, en)| mufakat_core::FieldError {
                        field,
                        rule: "workflow",
                        message: Localized::new(id, en),
                    })
                    .collect(),
            ),
            _ => AppError::Validation(vec![mufakat_core::FieldError {
                field: "input".into(),
                rule: "workflow",
                message: msg,
            }]),
        },
    }
}

async fn actor_for(state: &AppState, acting: &Acting<'_>, region_id: i32) -> Actor {
    match acting {
        Acting::System => Actor {
            id: "system".into(),
            roles: BTreeSet::from(["system".to_string()]),
            is_system: true,
        },
        Acting::User(u) | Acting::Pseudonymous(u, _) => {
            let path = state.region_path(region_id).await;
            Actor {
                id: u.id.to_string(),
                roles: state.authz.roles_in(u, &path),
                is_system: false,
            }
        }
    }
}

fn acting_role(d: &Deployed, transition: &str, actor: &Actor, owner: bool) -> String {
    if actor.is_system {
        return "system".into();
    }
    let allowed: BTreeSet<String> = d.def.transition_roles(transition).into_iter().collect();
    actor
        .roles
        .iter()
        .find(|r| allowed.contains(*r))
        .cloned()
        .or_else(|| (owner && allowed.contains("owner")).then(|| "owner".to_string()))
        .unwrap_or_else(|| actor.roles.iter().next().cloned().unwrap_or_default())
}

fn snapshot(m: &wi::Model, fields: &BTreeMap<String, Value>) -> InstanceSnapshot {
    InstanceSnapshot {
        id: m.id.to_string(),
        state: m.state.clone(),
        fields: fields.clone(),
        created_by: m.created_by.map(|c| c.to_string()),
        state_entered_at: m.state_entered_at,
    }
}

/// Whether `user` may read this case: its creator, or anyone holding a role the workflow names
/// (or an auditor) in the case's region or above.
pub async fn can_read(
    state: &AppState,
    user: &CurrentUser,
    d: &Deployed,
    region_id: i32,
    created_by: Option<i32>,
) -> bool {
    if created_by == Some(user.id) {
        return true;
    }
    let path = state.region_path(region_id).await;
    let roles = state.authz.roles_in(user, &path);
    roles.iter().any(|r| {
        r == "auditor" || r == "admin" || (r != "resident" && d.def.roles.iter().any(|x| x == r))
    })
}

/// Workflows whose cases belong to a module with rows of its own (registered by the module,
/// [`crate::state::OwnedWorkflow`]): the generic `startCase` / `fireTransition` may not touch
/// them, so that the module's API keeps its rows in step.
fn owned<'s>(state: &'s AppState, workflow: &str) -> Option<&'s crate::state::OwnedWorkflow> {
    state.owned_workflows.iter().find(|w| w.name == workflow)
}

fn module_owned(w: &crate::state::OwnedWorkflow) -> AppError {
    let (workflow, api) = (w.name, w.api);
    AppError::Validation(vec![mufakat_core::FieldError::new(
        "workflow",
        "module",
        format!("Proses `{workflow}` dijalankan melalui menu modulnya (mis. {api}), bukan secara umum."),
        format!("`{workflow}` cases are run through their module's API (e.g. {api}), not the generic one."),
    )])
}

pub fn deployed_latest(state: &AppState, workflow: &str) -> AppResult<Arc<Deployed>> {
    state
        .workflows
        .latest(workflow)
        .ok_or(AppError::NotFound { entity: "workflow" })
}

/// Starts a case of the newest version of `workflow` in `region_id`. The start is decided and
/// written by the batch writer ([`crate::writer`]) together with the other starts (and votes)
/// waiting then — one multi-row insert, one commit — and answered after that commit.
pub async fn start(
    state: &AppState,
    user: &CurrentUser,
    workflow: &str,
    region_id: i32,
    input: serde_json::Map<String, Value>,
) -> AppResult<CaseView> {
    if let Some(w) = owned(state, workflow) {
        return Err(module_owned(w));
    }
    let plan = plan_start(state, user, workflow, region_id, input).await?;
    crate::writer::submit::<CaseStarts>(state, plan).await
}

/// [`start`] inside the caller's transaction (whose chain is already locked), so that a module
/// can write its own rows in the same transaction.
pub async fn start_in(
    state: &AppState,
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    user: &CurrentUser,
    workflow: &str,
    region_id: i32,
    input: serde_json::Map<String, Value>,
) -> AppResult<Fired> {
    let plan = plan_start(state, user, workflow, region_id, input).await?;
    let decided = decide_start(&plan, chain.now)?;
    let mut row = decided.row.clone().into_active_model();
    row.id = NotSet;
    let m = row.insert(txn).await.db()?;
    arm_timers(txn, m.id, &decided.outcome).await?;
    let event = chain.append(txn, decided.draft(m.id)).await?;
    Ok(Fired {
        case: view_with(m, &plan.d, decided.outcome.fields.clone()),
        outcome: decided.outcome,
        event,
    })
}

/// A case start planned before the write's turn: everything it needs (definitions, regions,
/// grants) is in memory, and every microsecond spent holding the turn is one that every
/// waiting write waits.
pub struct StartPlan {
    d: Arc<Deployed>,
    actor: Actor,
    input: serde_json::Map<String, Value>,
    region_id: i32,
    user_id: i32,
}

/// Case starts, a kind of request of the batch writer ([`crate::writer`]).
pub struct CaseStarts;

#[async_trait::async_trait]
impl crate::writer::BatchKind for CaseStarts {
    type Request = StartPlan;
    type Answer = CaseView;
    type Effects = ();

    fn name(&self) -> &'static str {
        "case_starts"
    }

    async fn write(
        &self,
        _state: &AppState,
        txn: &audit_log::WriteTxn,
        chain: &mut audit_log::Chain,
        batch: &[&StartPlan],
    ) -> AppResult<(Vec<AppResult<CaseView>>, ())> {
        Ok((write_starts(txn, chain, batch).await?, ()))
    }
}

/// Users' transitions of existing cases, a kind of request of the batch writer.
pub struct CaseFires;

#[async_trait::async_trait]
impl crate::writer::BatchKind for CaseFires {
    type Request = FirePlan;
    type Answer = CaseView;
    type Effects = ();

    fn name(&self) -> &'static str {
        "case_transitions"
    }

    async fn write(
        &self,
        state: &AppState,
        txn: &audit_log::WriteTxn,
        chain: &mut audit_log::Chain,
        batch: &[&FirePlan],
    ) -> AppResult<(Vec<AppResult<CaseView>>, ())> {
        Ok((write_fires(state, txn, chain, batch).await?, ()))
    }
}

async fn plan_start(
    state: &AppState,
    user: &CurrentUser,
    workflow: &str,
    region_id: i32,
    input: serde_json::Map<String, Value>,
) -> AppResult<StartPlan> {
    let d = deployed_latest(state, workflow)?;
    state.known_region_path(region_id).await?;
    let actor = actor_for(state, &Acting::User(user), region_id).await;
    Ok(StartPlan {
        d,
        actor,
        input,
        region_id,
        user_id: user.id,
    })
}

/// A start decided at `now`: the case as it will be stored (its id still to be given), the
/// engine's outcome and the role the start was made in.
struct DecidedStart {
    row: wi::Model,
    outcome: Outcome,
    role: String,
    /// The definition's version, as the audit event records it.
    version: String,
}

impl DecidedStart {
    /// The start's audit event, for the case `id`.
    fn draft(&self, id: i32) -> AuditDraft {
        AuditDraft {
            actor: self.row.created_by.unwrap_or_default().to_string(),
            role: self.role.clone(),
            workflow: self.row.workflow.clone(),
            workflow_version: self.version.clone(),
            instance_id: id.to_string(),
            transition: self.outcome.transition.clone(),
            from_state: String::new(),
            to_state: self.outcome.to.clone(),
            input: self.outcome.input.clone(),
            comment: self.outcome.comment.clone(),
        }
    }
}

/// Runs the engine's start transition for the plan at `now`; nothing is written.
fn decide_start(p: &StartPlan, now: DateTime<Utc>) -> AppResult<DecidedStart> {
    let outcome =
        mufakat_workflow::start(&p.d.def, &p.actor, &p.input, now).map_err(workflow_error)?;
    let role = p
        .actor
        .roles
        .iter()
        .find(|r| p.d.def.start_roles.contains(r))
        .cloned()
        .unwrap_or_default();
    let fields = serde_json::to_string(&outcome.fields).map_err(AppError::internal)?;
    Ok(DecidedStart {
        row: wi::Model {
            id: 0,
            definition_id: p.d.id,
            workflow: p.d.def.name.clone(),
            state: outcome.to.clone(),
            fields,
            region_id: p.region_id,
            created_by: Some(p.user_id),
            created_at: now,
            updated_at: now,
            state_entered_at: now,
            version: 1,
            is_final: outcome.is_final,
        },
        outcome,
        role,
        version: p.d.version.to_string(),
    })
}

/// Writes a batch of starts in the batch writer's transaction: each is decided at the chain's
/// time in arrival order (a refusal is that start's answer and leaves the others alone); the
/// accepted ones get ids reserved in one statement, their cases go in multi-row inserts and
/// their timers in one more, and their audit events are sealed in order, to be written at the
/// commit. Returns each request's answer, in order.
pub async fn write_starts(
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    batch: &[&StartPlan],
) -> AppResult<Vec<AppResult<CaseView>>> {
    let decided: Vec<AppResult<DecidedStart>> =
        batch.iter().map(|p| decide_start(p, chain.now)).collect();
    let accepted = decided.iter().filter(|d| d.is_ok()).count();
    let mut ids = mufakat_store::repo::instances::reserve_ids(txn, accepted)
        .await?
        .into_iter();
    let mut rows = Vec::with_capacity(accepted);
    let mut timers = Vec::new();
    let mut answers = Vec::with_capacity(batch.len());
    for (plan, d) in batch.iter().zip(decided) {
        let d = match d {
            Ok(d) => d,
            Err(e) => {
                answers.push(Err(e));
                continue;
            }
        };
        let id = ids
            .next()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("a case id short")))?;
        chain.append_deferred(d.draft(id));
        timers.extend(timer_rows(id, &d.outcome));
        let row = wi::Model { id, ..d.row };
        answers.push(Ok(view_with(row.clone(), &plan.d, d.outcome.fields)));
        rows.push(row.into_active_model());
    }
    // Chunks of a power of two rows (32 + 4 + 1 for 37): few statement shapes, each prepared
    // once per connection, and no padding (the ids are the rows' own).
    let mut rest = rows.as_slice();
    while !rest.is_empty() {
        let size = 1usize << (usize::BITS - 1 - rest.len().min(64).leading_zeros());
        let (chunk, tail) = rest.split_at(size);
        wi::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .db()?;
        rest = tail;
    }
    for chunk in timers.chunks(TIMERS_PER_INSERT) {
        wt::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .db()?;
    }
    Ok(answers)
}

async fn arm_timers(
    txn: &impl ConnectionTrait,
    instance_id: i32,
    outcome: &Outcome,
) -> AppResult<()> {
    for t in timer_rows(instance_id, outcome) {
        t.insert(txn).await.db()?;
    }
    Ok(())
}

/// Timer rows per multi-row insert (7 columns each: far below SQLite's and PostgreSQL's limits
/// on bound values).
const TIMERS_PER_INSERT: usize = 256;

/// The timers a transition into `outcome.to` arms on case `instance_id`.
fn timer_rows(instance_id: i32, outcome: &Outcome) -> Vec<wt::ActiveModel> {
    outcome
        .timers
        .iter()
        .map(|t| wt::ActiveModel {
            instance_id: Set(instance_id),
            name: Set(t.name.clone()),
            transition: Set(t.transition.clone()),
            armed_in_state: Set(outcome.to.clone()),
            due_at: Set(t.due_at),
            fired_at: Set(None),
            ..Default::default()
        })
        .collect()
}

/// Fires `transition` on case `id`. With `expected_version`, a case changed since the caller
/// read it is a `CONFLICT`. A user's transition is decided and written by the batch writer
/// ([`crate::writer`]) with the others waiting then, and answered after that commit.
pub async fn fire(
    state: &AppState,
    acting: Acting<'_>,
    id: i32,
    transition: &str,
    input: serde_json::Map<String, Value>,
    comment: Option<String>,
    expected_version: Option<i32>,
) -> AppResult<CaseView> {
    if let Acting::User(user) = acting {
        let plan = FirePlan {
            user: user.clone(),
            id,
            transition: transition.to_owned(),
            input,
            comment,
            expected_version,
        };
        return crate::writer::submit::<CaseFires>(state, plan).await;
    }
    let now = Utc::now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let fired = fire_in(
        state,
        &txn,
        &mut chain,
        acting,
        id,
        transition,
        input,
        comment,
        expected_version,
        true,
    )
    .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(fired.case)
}

/// A user's transition waiting for the batch writer.
pub struct FirePlan {
    user: CurrentUser,
    id: i32,
    transition: String,
    input: serde_json::Map<String, Value>,
    comment: Option<String>,
    expected_version: Option<i32>,
}

/// Writes a batch of users' transitions in the batch writer's transaction: the cases are read
/// in one query, each transition is checked and decided in arrival order against the cases as
/// the batch's earlier transitions left them (a refusal is that request's answer and leaves the
/// others alone), and the changed cases, their timers and the events are written with a fixed
/// number of statements ([`store_steps`]). Returns each request's answer, in order.
pub async fn write_fires(
    state: &AppState,
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    batch: &[&FirePlan],
) -> AppResult<Vec<AppResult<CaseView>>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let now = chain.now;
    let mut ids: Vec<i32> = batch.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut cases = cases_by_id(txn, mufakat_store::pad_pow2(ids)).await?;
    let read_versions = cases.iter().map(|(id, m)| (*id, m.version)).collect();
    let mut moved = Vec::new();
    let mut answers = Vec::with_capacity(batch.len());
    for p in batch {
        let decided = match cases.get(&p.id) {
            None => Err(AppError::NotFound { entity: "instance" }),
            Some(m) => {
                checked_step(
                    state,
                    &Acting::User(&p.user),
                    m,
                    &p.transition,
                    &p.input,
                    p.comment.as_deref(),
                    p.expected_version,
                    true,
                    now,
                )
                .await
            }
        };
        match decided {
            Ok((d, step)) => {
                answers.push(Ok(view_with(
                    step.after.clone(),
                    &d,
                    step.outcome.fields.clone(),
                )));
                if step.moved {
                    moved.push((p.id, step.outcome));
                }
                cases.insert(p.id, step.after);
                chain.append_deferred(step.draft);
            }
            // Refusals are decided before anything of the transition is applied.
            Err(e) if !matches!(e, AppError::Internal(_)) => answers.push(Err(e)),
            Err(e) => return Err(e),
        }
    }
    store_steps(state, txn, &cases, &read_versions, &moved, now).await?;
    Ok(answers)
}

/// The cases with these ids, by id.
pub async fn cases_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> AppResult<std::collections::HashMap<i32, wi::Model>> {
    Ok(wi::Entity::find()
        .filter(wi::Column::Id.is_in(ids))
        .all(db)
        .await
        .db()?
        .into_iter()
        .map(|i| (i.id, i))
        .collect())
}

/// Checks that `acting` may fire `transition` on the case `m` (as read by the caller): the
/// generic API may not move a module's cases, a user who may not read the case is told it
/// does not exist (`check_read`), and `expected_version` must match; then decides it
/// ([`decide`]).
#[allow(clippy::too_many_arguments)]
async fn checked_step(
    state: &AppState,
    acting: &Acting<'_>,
    m: &wi::Model,
    transition: &str,
    input: &serde_json::Map<String, Value>,
    comment: Option<&str>,
    expected_version: Option<i32>,
    check_read: bool,
    now: DateTime<Utc>,
) -> AppResult<(Arc<Deployed>, Step)> {
    let d = state.workflows.get(m.definition_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("definition {} not loaded", m.definition_id))
    })?;
    // `check_read` is true for the generic API, false when a module acts on its own cases.
    if let Some(w) = owned(state, &m.workflow).filter(|w| check_read && !w.generic_fire) {
        return Err(module_owned(w));
    }
    // Modules whose cases are public (musrenbang proposals) authorise reading themselves.
    if let (true, Acting::User(u)) = (check_read, acting) {
        if !can_read(state, u, &d, m.region_id, m.created_by).await {
            return Err(AppError::NotFound { entity: "instance" });
        }
    }
    if let Some(v) = expected_version {
        if v != m.version {
            return Err(stale());
        }
    }
    let step = decide(state, acting, &d, m, transition, input, comment, now).await?;
    Ok((d, step))
}

/// [`fire`] inside the caller's transaction (whose chain is already locked).
#[allow(clippy::too_many_arguments)]
pub async fn fire_in(
    state: &AppState,
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    acting: Acting<'_>,
    id: i32,
    transition: &str,
    input: serde_json::Map<String, Value>,
    comment: Option<String>,
    expected_version: Option<i32>,
    check_read: bool,
) -> AppResult<Fired> {
    let now = chain.now;
    let m = wi::Entity::find_by_id(id)
        .one(txn)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "instance" })?;
    let (d, step) = checked_step(
        state,
        &acting,
        &m,
        transition,
        &input,
        comment.as_deref(),
        expected_version,
        check_read,
        now,
    )
    .await?;
    let res = wi::Entity::update_many()
        .col_expr(wi::Column::State, Expr::value(step.after.state.clone()))
        .col_expr(wi::Column::Fields, Expr::value(step.after.fields.clone()))
        .col_expr(wi::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            wi::Column::StateEnteredAt,
            Expr::value(step.after.state_entered_at),
        )
        .col_expr(wi::Column::Version, Expr::value(step.after.version))
        .col_expr(wi::Column::IsFinal, Expr::value(step.after.is_final))
        .filter(wi::Column::Id.eq(id))
        .filter(wi::Column::Version.eq(m.version))
        .exec(txn)
        .await
        .db()?;
    if res.rows_affected != 1 {
        return Err(stale());
    }
    if step.moved {
        rearm_timers(txn, &d, id, &step.outcome, now).await?;
    }
    let event = chain.append(txn, step.draft).await?;
    Ok(Fired {
        case: view_with(step.after, &d, step.outcome.fields.clone()),
        outcome: step.outcome,
        event,
    })
}

/// Whether a case of `d` may have pending timers while in `state`. Timers are armed on entering
/// a state (only that state's) and cancelled on leaving it, so a case's pending timers are those
/// of the state it is in; a state without timers has none to cancel. (The timer scheduler also
/// skips a timer whose case is no longer in the state it was armed in.)
fn may_have_pending_timers(d: &Deployed, state: &str) -> bool {
    d.def.timers.iter().any(|t| t.state == state)
}

/// Leaving a state cancels its pending timers; the new state's timers are armed.
pub async fn rearm_timers(
    txn: &impl ConnectionTrait,
    d: &Deployed,
    id: i32,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if may_have_pending_timers(d, &outcome.from) {
        wt::Entity::update_many()
            .col_expr(wt::Column::FiredAt, Expr::value(now))
            .filter(wt::Column::InstanceId.eq(id))
            .filter(wt::Column::FiredAt.is_null())
            .exec(txn)
            .await
            .db()?;
    }
    arm_timers(txn, id, outcome).await
}

/// Stores cases that batched steps ([`decide`] applied in memory, many per case) changed, in
/// one UPDATE whatever their number (`CASE id WHEN … THEN …` per column; each row matched on
/// the version read, `read_versions`), then re-arms the timers of the cases that moved (one
/// UPDATE and multi-row inserts). Call under the chain lock, which every audited writer holds,
/// so a version mismatch is an internal error. Cases whose version did not change are left
/// alone.
pub async fn store_steps(
    state: &AppState,
    txn: &impl ConnectionTrait,
    cases: &std::collections::HashMap<i32, wi::Model>,
    read_versions: &std::collections::HashMap<i32, i32>,
    moved: &[(i32, Outcome)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    use sea_orm::sea_query::{CaseStatement, Condition, ExprTrait};
    let touched: Vec<(i32, &wi::Model, i32)> = cases
        .iter()
        .filter_map(|(id, m)| {
            let read = read_versions.get(id).copied().unwrap_or(m.version);
            (m.version != read).then_some((*id, m, read))
        })
        .collect();
    let count = touched.len() as u64;
    // Padded (a repeated last case): few statement shapes, each prepared once.
    let touched = mufakat_store::pad_pow2(touched);
    if !touched.is_empty() {
        let per_case = |value: &dyn Fn(&wi::Model) -> sea_orm::sea_query::Expr| {
            touched.iter().fold(CaseStatement::new(), |c, (id, m, _)| {
                c.case(wi::Column::Id.eq(*id), value(m))
            })
        };
        let mut update = wi::Entity::update_many()
            .col_expr(
                wi::Column::State,
                per_case(&|m| Expr::val(m.state.clone())).into(),
            )
            .col_expr(
                wi::Column::Fields,
                per_case(&|m| Expr::val(m.fields.clone())).into(),
            )
            .col_expr(
                wi::Column::Version,
                per_case(&|m| Expr::val(m.version)).into(),
            )
            .col_expr(
                wi::Column::IsFinal,
                per_case(&|m| Expr::val(m.is_final)).into(),
            )
            .col_expr(wi::Column::UpdatedAt, Expr::value(now));
        if !moved.is_empty() {
            let entered = moved
                .iter()
                .fold(CaseStatement::new(), |c, (id, _)| {
                    c.case(wi::Column::Id.eq(*id), Expr::val(now))
                })
                .finally(Expr::col(wi::Column::StateEnteredAt));
            update = update.col_expr(wi::Column::StateEnteredAt, entered.into());
        }
        let matched = touched.iter().fold(Condition::any(), |c, (id, _, read)| {
            c.add(wi::Column::Id.eq(*id).and(wi::Column::Version.eq(*read)))
        });
        let res = update.filter(matched).exec(txn).await.db()?;
        if res.rows_affected != count {
            return Err(AppError::internal(anyhow::anyhow!(
                "cases changed under the chain lock"
            )));
        }
    }
    // Timers: a case that moved has the pending timers of the state it was in before the batch
    // cancelled (when that state has timers), and the state it moved to last arms its own
    // (those of a state it passed through would be cancelled at once).
    if !moved.is_empty() {
        let last: BTreeMap<i32, &Outcome> = moved.iter().map(|(id, o)| (*id, o)).collect();
        let mut left: BTreeMap<i32, &str> = BTreeMap::new();
        for (id, o) in moved {
            left.entry(*id).or_insert(&o.from);
        }
        let cancel: Vec<i32> = left
            .into_iter()
            .filter(|(id, from)| {
                cases
                    .get(id)
                    .and_then(|m| state.workflows.get(m.definition_id))
                    .is_none_or(|d| may_have_pending_timers(&d, from))
            })
            .map(|(id, _)| id)
            .collect();
        if !cancel.is_empty() {
            wt::Entity::update_many()
                .col_expr(wt::Column::FiredAt, Expr::value(now))
                .filter(wt::Column::InstanceId.is_in(mufakat_store::pad_pow2(cancel)))
                .filter(wt::Column::FiredAt.is_null())
                .exec(txn)
                .await
                .db()?;
        }
        let armed: Vec<wt::ActiveModel> =
            last.iter().flat_map(|(id, o)| timer_rows(*id, o)).collect();
        for chunk in armed.chunks(TIMERS_PER_INSERT) {
            wt::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await
                .db()?;
        }
    }
    Ok(())
}

/// A transition decided but not yet written: the engine's outcome, the case as it will be
/// stored, and the audit event to append.
pub struct Step {
    pub outcome: Outcome,
    pub after: wi::Model,
    pub moved: bool,
    pub draft: AuditDraft,
}

/// Runs the engine on the case `m` (as read inside the caller's transaction) and works out what
/// the transition writes, without writing. Shared by [`fire_in`] and batched writers (votes),
/// which apply many steps to one case in memory and store it once.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    state: &AppState,
    acting: &Acting<'_>,
    d: &Deployed,
    m: &wi::Model,
    transition: &str,
    input: &serde_json::Map<String, Value>,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Step> {
    let fields: BTreeMap<String, Value> =
        serde_json::from_str(&m.fields).map_err(AppError::internal)?;
    let actor = actor_for(state, acting, m.region_id).await;
    let outcome = mufakat_workflow::fire(
        &d.def,
        &snapshot(m, &fields),
        transition,
        &actor,
        input,
        comment,
        now,
    )
    .map_err(workflow_error)?;
    let owner = acting.user().is_some_and(|u| m.created_by == Some(u.id));
    let audit_actor = match acting {
        Acting::Pseudonymous(_, p) => p.clone(),
        _ => actor.id.clone(),
    };
    let role = acting_role(d, transition, &actor, owner);
    let moved = outcome.to != m.state;
    let after = wi::Model {
        state: outcome.to.clone(),
        fields: serde_json::to_string(&outcome.fields).map_err(AppError::internal)?,
        updated_at: now,
        state_entered_at: if moved { now } else { m.state_entered_at },
        version: m.version + 1,
        is_final: outcome.is_final,
        ..m.clone()
    };
    let draft = AuditDraft {
        actor: audit_actor,
        role,
        workflow: d.def.name.clone(),
        workflow_version: d.version.to_string(),
        instance_id: m.id.to_string(),
        transition: outcome.transition.clone(),
        from_state: m.state.clone(),
        to_state: outcome.to.clone(),
        input: outcome.input.clone(),
        comment: outcome.comment.clone(),
    };
    Ok(Step {
        outcome,
        after,
        moved,
        draft,
    })
}

fn stale() -> AppError {
    AppError::conflict(
        "Data ini baru saja diubah orang lain. Muat ulang lalu coba lagi.",
        "Someone else changed this just now. Reload and try again.",
    )
}

pub async fn get(state: &AppState, user: &CurrentUser, id: i32) -> AppResult<CaseView> {
    let (m, d) = readable(state, user, id).await?;
    view(m, &d)
}

/// A case and its definition, when `user` may read it (`NOT_FOUND` otherwise, as for a case
/// that does not exist).
async fn readable(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
) -> AppResult<(wi::Model, Arc<Deployed>)> {
    let m = wi::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "instance" })?;
    let d = state.workflows.get(m.definition_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("definition {} not loaded", m.definition_id))
    })?;
    if !can_read(state, user, &d, m.region_id, m.created_by).await {
        return Err(AppError::NotFound { entity: "instance" });
    }
    Ok((m, d))
}

/// The transitions `user` may fire now (role and state; guards that need input are checked on
/// firing).
pub async fn available(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
) -> AppResult<Vec<mufakat_workflow::Transition>> {
    let (m, d) = readable(state, user, id).await?;
    let fields: BTreeMap<String, Value> =
        serde_json::from_str(&m.fields).map_err(AppError::internal)?;
    let actor = actor_for(state, &Acting::User(user), m.region_id).await;
    Ok(
        mufakat_workflow::available(&d.def, &snapshot(&m, &fields), &actor)
            .into_iter()
            .cloned()
            .collect(),
    )
}

/// Cases of a workflow the user created or may handle, newest first.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    workflow: Option<&str>,
    status: Option<&str>,
    limit: u64,
) -> AppResult<Vec<CaseView>> {
    let mut q = wi::Entity::find().order_by_desc(wi::Column::Id);
    if let Some(w) = workflow {
        q = q.filter(wi::Column::Workflow.eq(w));
    }
    if let Some(s) = status {
        q = q.filter(wi::Column::State.eq(s));
    }
    // Narrow to the regions where the user holds any role, plus their own cases.
    let mut regions = BTreeSet::new();
    {
        let tree = state.regions.read().await;
        for (_, r) in &user.grants {
            regions.extend(tree.descendants_inclusive(*r));
        }
    }
    q = q.filter(
        sea_orm::Condition::any()
            .add(wi::Column::CreatedBy.eq(user.id))
            .add(wi::Column::RegionId.is_in(regions.into_iter().collect::<Vec<_>>())),
    );
    let rows = q.limit(limit.min(200) * 4).all(&state.db).await.db()?;
    let mut out = vec![];
    for m in rows {
        let Some(d) = state.workflows.get(m.definition_id) else {
            continue;
        };
        if can_read(state, user, &d, m.region_id, m.created_by).await {
            out.push(view(m, &d)?);
            if out.len() as u64 >= limit.min(200) {
                break;
            }
        }
    }
    Ok(out)
}

/// Fires every due timer, one per transaction, as the `system` actor. Exactly once: a timer is
/// marked fired in the same transaction as its transition, and that transaction holds the
/// chain lock, so another process re-reading it afterwards sees it fired.
pub async fn fire_due_timers(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut fired = 0;
    // A fired timer may arm another that is already due (catching up after downtime): go on
    // until a pass finds nothing more, within a bound.
    for _ in 0..100 {
        let due: Vec<wt::Model> = wt::Entity::find()
            .filter(wt::Column::FiredAt.is_null())
            .filter(wt::Column::DueAt.lte(now))
            .order_by_asc(wt::Column::DueAt)
            .order_by_asc(wt::Column::Id)
            .limit(100)
            .all(&state.db)
            .await
            .db()?;
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for t in due {
            match fire_timer(state, t.id, now).await {
                Ok(true) => {
                    fired += 1;
                    progressed = true;
                }
                Ok(false) => progressed = true, // spent or cancelled: no longer due
                Err(e) => {
                    tracing::warn!(timer = t.id, instance = t.instance_id, error = %e, "timer transition failed")
                }
            }
        }
        if !progressed {
            break;
        }
    }
    Ok(fired)
}

async fn fire_timer(state: &AppState, timer_id: i32, now: DateTime<Utc>) -> AppResult<bool> {
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let Some(t) = wt::Entity::find_by_id(timer_id).one(&txn).await.db()? else {
        return Ok(false);
    };
    if t.fired_at.is_some() {
        return Ok(false); // another process fired it
    }
    // Spent whatever happens next, in this transaction.
    wt::Entity::update_many()
        .col_expr(wt::Column::FiredAt, Expr::value(now))
        .filter(wt::Column::Id.eq(t.id))
        .filter(wt::Column::FiredAt.is_null())
        .exec(&txn)
        .await
        .db()?;
    let m = wi::Entity::find_by_id(t.instance_id)
        .one(&txn)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "instance" })?;
    if m.state != t.armed_in_state {
        crate::audit_log::commit(txn, chain).await?;
        return Ok(false);
    }
    let comment = Some(format!("timer `{}`", t.name));
    match fire_in(
        state,
        &txn,
        &mut chain,
        Acting::System,
        m.id,
        &t.transition,
        serde_json::Map::new(),
        comment,
        None,
        false,
    )
    .await
    {
        Ok(_) => {
            crate::audit_log::commit(txn, chain).await?;
            Ok(true)
        }
        // The engine refused (a guard says no) before writing: the timer is spent, the case stays.
        Err(e) if !matches!(e, AppError::Internal(_)) => {
            tracing::info!(timer = t.id, error = %e, "timer transition not applicable");
            crate::audit_log::commit(txn, chain).await?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
