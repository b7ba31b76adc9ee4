//! Firing a transition on an existing case: users' transitions go through the batch writer
//! ([`CaseFires`]); [`fire_in`] fires inside the caller's transaction (modules, timers).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::workflow_instance as wi;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;

use super::timers::{rearm_timers, retime_timers};
use super::{
    can_read, cases_by_id, decide, module_owned, owned, stale, store_steps, view_with, Acting,
    CaseView, Fired, Step,
};
use crate::audit_log;
use crate::auth::CurrentUser;
use crate::workflows::Deployed;
use crate::AppState;

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
    // A user's transition goes to the batch writer, unless a module follows it by hand.
    let hooks = match acting {
        Acting::User(user) => match by_hand_hooks(state, id).await? {
            Some(hooks) => hooks,
            None => {
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
        },
        _ => vec![],
    };
    fire_with_hooks(
        state,
        acting,
        id,
        transition,
        input,
        comment,
        expected_version,
        &hooks,
    )
    .await
}

/// The hooks that follow case `id`'s workflow when fired by hand ([`super::AfterTimer::by_hand_too`]),
/// when there are any: such a transition is written on its own, with the hooks, instead of in
/// a batch.
async fn by_hand_hooks(
    state: &AppState,
    id: i32,
) -> AppResult<Option<Vec<Arc<dyn super::AfterTimer>>>> {
    if !state.after_timers.iter().any(|h| h.by_hand_too()) {
        return Ok(None);
    }
    let Some(workflow) = wi::Entity::find_by_id(id)
        .select_only()
        .column(wi::Column::Workflow)
        .into_tuple::<String>()
        .one(&state.db)
        .await
        .db()?
    else {
        return Ok(None);
    };
    let hooks: Vec<_> = state
        .after_timers
        .iter()
        .filter(|h| h.by_hand_too() && h.workflows().contains(&workflow.as_str()))
        .cloned()
        .collect();
    Ok((!hooks.is_empty()).then_some(hooks))
}

/// Fires on its own (not in a batch), then runs `hooks` in the same transaction.
#[allow(clippy::too_many_arguments)]
async fn fire_with_hooks(
    state: &AppState,
    acting: Acting<'_>,
    id: i32,
    transition: &str,
    input: serde_json::Map<String, Value>,
    comment: Option<String>,
    expected_version: Option<i32>,
    hooks: &[Arc<dyn super::AfterTimer>],
) -> AppResult<CaseView> {
    let (txn, mut chain) = crate::audit_log::open(state, state.now()).await?;
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
    for hook in hooks {
        hook.after(state, &txn, &mut chain, &fired).await?;
    }
    crate::audit_log::commit(txn, chain).await?;
    for hook in hooks {
        hook.committed(state, &fired);
    }
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
                } else if !step.outcome.retimed.is_empty() {
                    // Rare (a deadline moved): written at once, before the batch's moves.
                    retime_timers(txn, p.id, &step.outcome, now).await?;
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
        if !can_read(state, u, &d, m).await {
            return Err(AppError::NotFound { entity: "instance" });
        }
    }
    if let Some(v) = expected_version {
        if v != m.version {
            return Err(stale());
        }
    }
    let input = super::check_master_fields(state, &d.def, m.region_id, input.clone()).await?;
    let step = decide(state, acting, &d, m, transition, &input, comment, now).await?;
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
    } else if !step.outcome.retimed.is_empty() {
        retime_timers(txn, id, &step.outcome, now).await?;
    }
    let event = chain.append(txn, step.draft).await?;
    Ok(Fired {
        case: view_with(step.after, &d, step.outcome.fields.clone()),
        outcome: step.outcome,
        event,
    })
}
