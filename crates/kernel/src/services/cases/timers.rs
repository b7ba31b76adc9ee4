//! Case timers: the rows a transition arms, cancelling and re-arming them when a case moves,
//! and firing the due ones as the `system` actor.

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::{workflow_instance as wi, workflow_timer as wt};
use mufakat_store::DbResultExt;
use mufakat_workflow::Outcome;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{fire_in, Acting};
use crate::workflows::Deployed;
use crate::AppState;

/// What a module does when a timer has moved one of its cases (a recommendation past its
/// deadline escalates: its row follows and people are told), in the same transaction as the
/// transition and its audit event. An error rolls the whole timer back; it is tried again at
/// the next poll.
#[async_trait::async_trait]
pub trait AfterTimer: Send + Sync {
    /// The workflows whose timer transitions this hook follows.
    fn workflows(&self) -> &'static [&'static str];
    async fn after(
        &self,
        state: &AppState,
        txn: &crate::audit_log::WriteTxn,
        chain: &mut crate::audit_log::Chain,
        fired: &super::Fired,
    ) -> AppResult<()>;

    /// After the timer's transaction committed (to tell this node's subscribers of what
    /// [`AfterTimer::after`] wrote, once it can be read).
    fn committed(&self, _state: &AppState, _fired: &super::Fired) {}

    /// Whether the hook also follows a transition of these workflows fired by hand through the
    /// generic API (`fireTransition`: a step a timer would take, taken early by staff), in that
    /// transition's transaction.
    fn by_hand_too(&self) -> bool {
        false
    }
}

pub(super) async fn arm_timers(
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
pub(super) const TIMERS_PER_INSERT: usize = 256;

/// The timers a transition into `outcome.to` arms on case `instance_id`.
pub(super) fn timer_rows(instance_id: i32, outcome: &Outcome) -> Vec<wt::ActiveModel> {
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

/// Whether a case of `d` may have pending timers while in `state`. Timers are armed on entering
/// a state (only that state's) and cancelled on leaving it, so a case's pending timers are those
/// of the state it is in; a state without timers has none to cancel. (The timer scheduler also
/// skips a timer whose case is no longer in the state it was armed in.)
pub(super) fn may_have_pending_timers(d: &Deployed, state: &str) -> bool {
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

/// Staying in a state with a changed `at` field: that field's pending timers are cancelled and
/// armed again at the new time (`outcome.retimed`, `outcome.timers`).
pub(super) async fn retime_timers(
    txn: &impl ConnectionTrait,
    id: i32,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> AppResult<()> {
    wt::Entity::update_many()
        .col_expr(wt::Column::FiredAt, Expr::value(now))
        .filter(wt::Column::InstanceId.eq(id))
        .filter(wt::Column::Name.is_in(outcome.retimed.iter().cloned()))
        .filter(wt::Column::FiredAt.is_null())
        .exec(txn)
        .await
        .db()?;
    arm_timers(txn, id, outcome).await
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
        Ok(fired) => {
            for hook in &state.after_timers {
                if hook.workflows().contains(&fired.case.workflow.as_str()) {
                    hook.after(state, &txn, &mut chain, &fired).await?;
                }
            }
            crate::audit_log::commit(txn, chain).await?;
            for hook in &state.after_timers {
                if hook.workflows().contains(&fired.case.workflow.as_str()) {
                    hook.committed(state, &fired);
                }
            }
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
