//! Moving a test server's clock forward ("time travel"), for black-box tests of timers and
//! deadlines without sleeping. Only a server started with `test_clock` has a clock that moves
//! ([`mufakat_core::Clock`]); on any other the use case refuses.

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};

use crate::auth::CurrentUser;
use crate::authz::perms;
use crate::AppState;

/// How far to move the clock.
pub enum Target {
    /// A span as in workflow files: `P3D`, `PT2H`, or working days of the national calendar
    /// (`P10WD`).
    By(String),
    /// To this time (not in the clock's past).
    To(DateTime<Utc>),
}

/// What moving the clock did.
pub struct Advanced {
    pub from: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// Timers that became due and were fired before the answer.
    pub fired_timers: usize,
}

/// Moves the clock forward (an admin, on a test server), records it in the audit trail, then
/// fires the timers now due, so that the answer reflects the new time.
pub async fn advance(state: &AppState, user: &CurrentUser, target: Target) -> AppResult<Advanced> {
    let roots: Vec<i32> = state.regions.read().await.roots().map(|r| r.id).collect();
    state.authz.require(user, &roots, perms::CLOCK_ADVANCE)?;
    if !state.clock.is_travelling() {
        return Err(AppError::conflict(
            "Jam server ini tidak dapat dipindah: hanya server dalam mode uji (test_clock) yang dapat.",
            "This server's clock cannot be moved: only a server in test mode (test_clock) can.",
        ));
    }
    let from = state.now();
    let to = match target {
        Target::To(t) => t,
        Target::By(text) => {
            let span = mufakat_workflow::Span::parse(&text).map_err(|_| {
                AppError::validation(
                    "by",
                    "format",
                    "Tulis lama waktu seperti P3D, PT2H atau P10WD (hari kerja).",
                    "Write a span like P3D, PT2H or P10WD (working days).",
                )
            })?;
            span.after(from, &state.calendar, &[])
        }
    };
    if to < from {
        return Err(AppError::validation(
            "to",
            "range",
            "Jam hanya dapat maju, tidak mundur.",
            "The clock only moves forward.",
        ));
    }
    // Recorded first, at the old time: the trail shows when time jumped and by whom.
    let (txn, mut chain) = crate::audit_log::open(state, from).await?;
    chain
        .append(
            &txn,
            crate::audit_log::AuditDraft {
                actor: user.id.to_string(),
                role: "admin".into(),
                workflow: "system.clock".into(),
                workflow_version: "1".into(),
                instance_id: "clock".into(),
                transition: "advance".into(),
                from_state: from.to_rfc3339(),
                to_state: to.to_rfc3339(),
                input: serde_json::json!({ "seconds": (to - from).num_seconds() }),
                comment: None,
            },
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    let now = state
        .clock
        .advance_to(to.max(state.now()))
        .map_err(AppError::internal)?;
    tracing::warn!(%from, %now, "test clock moved forward");
    let fired_timers = super::cases::fire_due_timers(state, now).await?;
    state.metrics.timers_fired.inc_by(fired_timers as u64);
    Ok(Advanced {
        from,
        now,
        fired_timers,
    })
}
