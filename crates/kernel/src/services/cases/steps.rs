//! Transitions decided without writing ([`decide`], a [`Step`]), and storing many decided steps
//! at once ([`store_steps`]), for batched writers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::{workflow_instance as wi, workflow_timer as wt};
use mufakat_store::DbResultExt;
use mufakat_workflow::Outcome;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use super::timers::{may_have_pending_timers, timer_rows, TIMERS_PER_INSERT};
use super::{acting_role, actor_for, snapshot, workflow_error, Acting};
use crate::audit_log::AuditDraft;
use crate::workflows::Deployed;
use crate::AppState;

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
/// the transition writes, without writing. Shared by [`fire_in`](super::fire_in) and batched writers (votes),
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
    if let Some(e) = comment.and_then(|c| mufakat_core::text::check("comment", c, 2000, true)) {
        return Err(AppError::Validation(vec![e]));
    }
    let fields: BTreeMap<String, Value> =
        serde_json::from_str(&m.fields).map_err(AppError::internal)?;
    let actor = actor_for(state, acting, m.region_id, super::stored_opd(&d.def, m)).await;
    let region = state.region_codes(m.region_id).await;
    let when = mufakat_workflow::When {
        now,
        calendar: &state.calendar,
        region: &region,
    };
    let outcome = mufakat_workflow::fire_when(
        &d.def,
        &snapshot(m, &fields),
        transition,
        &actor,
        input,
        comment,
        &when,
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
