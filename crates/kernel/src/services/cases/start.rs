//! Starting cases: planned before the write's turn, decided at the chain's time, and written
//! by the batch writer ([`CaseStarts`]) or inside a module's own transaction ([`start_in`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::{workflow_instance as wi, workflow_timer as wt};
use mufakat_store::DbResultExt;
use mufakat_workflow::{Actor, Outcome};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, NotSet};
use serde_json::Value;

use super::timers::{arm_timers, timer_rows, TIMERS_PER_INSERT};
use super::{
    actor_for, deployed_latest, module_owned, owned, view_with, workflow_error, Acting, CaseView,
    Fired,
};
use crate::audit_log::{self, AuditDraft};
use crate::auth::CurrentUser;
use crate::workflows::Deployed;
use crate::AppState;

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
    start_in_as(
        state,
        txn,
        chain,
        Acting::User(user),
        workflow,
        region_id,
        input,
    )
    .await
}

/// [`start_in`] by whoever acts: a user, or the system (for a workflow whose `start_roles`
/// name `system`, e.g. a flag a timer raises in its own transaction).
pub async fn start_in_as(
    state: &AppState,
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    acting: Acting<'_>,
    workflow: &str,
    region_id: i32,
    input: serde_json::Map<String, Value>,
) -> AppResult<Fired> {
    let plan = plan_start_as(state, &acting, workflow, region_id, input).await?;
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
    /// The region's codes from the top, and the working calendar (working-day timers).
    region_codes: Vec<String>,
    calendar: Arc<mufakat_workflow::Calendar>,
    /// None when the system starts it.
    user_id: Option<i32>,
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

async fn plan_start(
    state: &AppState,
    user: &CurrentUser,
    workflow: &str,
    region_id: i32,
    input: serde_json::Map<String, Value>,
) -> AppResult<StartPlan> {
    plan_start_as(state, &Acting::User(user), workflow, region_id, input).await
}

async fn plan_start_as(
    state: &AppState,
    acting: &Acting<'_>,
    workflow: &str,
    region_id: i32,
    input: serde_json::Map<String, Value>,
) -> AppResult<StartPlan> {
    let d = deployed_latest(state, workflow)?;
    state.known_region_path(region_id).await?;
    let input = super::check_master_fields(state, &d.def, region_id, input).await?;
    let actor = actor_for(state, acting, region_id, super::case_opd(&d.def, &input)).await;
    Ok(StartPlan {
        d,
        actor,
        input,
        region_id,
        region_codes: state.region_codes(region_id).await,
        calendar: state.calendar.clone(),
        user_id: acting.user().map(|u| u.id),
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
            actor: self
                .row
                .created_by
                .map(|u| u.to_string())
                .unwrap_or_else(|| mufakat_workflow::SYSTEM.to_string()),
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
    let when = mufakat_workflow::When {
        now,
        calendar: &p.calendar,
        region: &p.region_codes,
    };
    let outcome = mufakat_workflow::start_when(&p.d.def, &p.actor, &p.input, &when)
        .map_err(workflow_error)?;
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
            created_by: p.user_id,
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
