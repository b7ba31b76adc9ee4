//! The server's clock: read it (anyone), and move a test server's clock forward (admins).

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{require_user, state};
use crate::services::clock::{self, Target};

/// The time by the server's clock.
#[derive(SimpleObject)]
pub struct ServerClock {
    pub now: DateTime<Utc>,
    /// Whether this server runs in test mode, on a clock that `advanceClock` moves.
    pub test_mode: bool,
    /// How far the clock is ahead of the system clock, in seconds (0 outside test mode).
    pub offset_seconds: i64,
}

/// What `advanceClock` did.
#[derive(SimpleObject)]
pub struct ClockAdvance {
    pub from: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// Timers that became due and were fired before this answer.
    pub fired_timers: i32,
}

#[derive(Default)]
pub struct ClockQuery;

#[Object]
impl ClockQuery {
    /// The time now by the server's clock, which every deadline and timer follows.
    async fn server_clock(&self, ctx: &Context<'_>) -> ServerClock {
        let c = &state(ctx).clock;
        ServerClock {
            now: c.now(),
            test_mode: c.is_travelling(),
            offset_seconds: c.offset().num_seconds(),
        }
    }
}

#[derive(Default)]
pub struct ClockMutation;

#[Object]
impl ClockMutation {
    /// Test mode only (admins): moves the server's clock forward, `by` a span (`P3D`, `PT2H`,
    /// `P10WD` in working days) or `to` a time, then fires the timers that became due. The jump
    /// is recorded in the audit trail. A server not started in test mode refuses (`CONFLICT`).
    async fn advance_clock(
        &self,
        ctx: &Context<'_>,
        by: Option<String>,
        to: Option<DateTime<Utc>>,
    ) -> Result<ClockAdvance> {
        let user = require_user(ctx)?;
        let target = match (by, to) {
            (Some(by), None) => Target::By(by),
            (None, Some(to)) => Target::To(to),
            _ => {
                return Err(mufakat_core::AppError::validation(
                    "by",
                    "required",
                    "Isi salah satu: `by` (lama waktu) atau `to` (waktu tujuan).",
                    "Give one of `by` (a span) or `to` (a time).",
                )
                .into())
            }
        };
        let a = clock::advance(state(ctx), user, target).await?;
        Ok(ClockAdvance {
            from: a.from,
            now: a.now,
            fired_timers: a.fired_timers as i32,
        })
    }
}
