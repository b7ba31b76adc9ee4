//! The one clock a server takes its time from.
//!
//! In production it is the system clock. A server started in test mode
//! (`mufakat serve --test-clock`, [`Clock::travelling`]) runs on a clock that tests can move
//! forward, so that timers and deadlines are tested without sleeping, through the real server
//! (the `advanceClock` mutation) as well as directly. The travelling clock keeps ticking with
//! the system clock, at an offset that only grows: time never runs backwards, so the audit
//! trail's timestamps stay in order.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

#[derive(Clone)]
pub struct Clock(Arc<Inner>);

struct Inner {
    /// Microseconds added to the system time.
    offset_us: AtomicI64,
    travelling: bool,
}

/// Why the clock could not be moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("this server runs on the system clock; only a server in test mode can move it")]
    NotTravelling,
    #[error("the clock only moves forward")]
    Backwards,
    #[error("too far to move the clock")]
    TooFar,
}

impl Clock {
    /// The system clock, which nothing can move.
    pub fn system() -> Self {
        Clock(Arc::new(Inner {
            offset_us: AtomicI64::new(0),
            travelling: false,
        }))
    }

    /// A clock for tests: the system clock until [`Clock::advance`] moves it forward.
    pub fn travelling() -> Self {
        Clock(Arc::new(Inner {
            offset_us: AtomicI64::new(0),
            travelling: true,
        }))
    }

    pub fn now(&self) -> DateTime<Utc> {
        let offset = self.0.offset_us.load(Ordering::Acquire);
        Utc::now() + Duration::microseconds(offset)
    }

    /// Whether this clock can be moved (test mode).
    pub fn is_travelling(&self) -> bool {
        self.0.travelling
    }

    /// How far this clock is ahead of the system clock.
    pub fn offset(&self) -> Duration {
        Duration::microseconds(self.0.offset_us.load(Ordering::Acquire))
    }

    /// Moves the clock forward by `by`; returns the new time.
    pub fn advance(&self, by: Duration) -> Result<DateTime<Utc>, ClockError> {
        if !self.0.travelling {
            return Err(ClockError::NotTravelling);
        }
        if by < Duration::zero() {
            return Err(ClockError::Backwards);
        }
        let us = by.num_microseconds().ok_or(ClockError::TooFar)?;
        self.0.offset_us.fetch_add(us, Ordering::AcqRel);
        Ok(self.now())
    }

    /// Moves the clock forward to `to` (it must not be in the clock's past); returns the new
    /// time.
    pub fn advance_to(&self, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        if !self.0.travelling {
            return Err(ClockError::NotTravelling);
        }
        let now = self.now();
        if to < now {
            return Err(ClockError::Backwards);
        }
        // A microsecond more: the offset keeps whole microseconds, the time is finer.
        self.advance(to - now + Duration::microseconds(1))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("travelling", &self.0.travelling)
            .field("offset_us", &self.0.offset_us.load(Ordering::Relaxed))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_cannot_be_moved() {
        let c = Clock::system();
        assert_eq!(c.advance(Duration::days(1)), Err(ClockError::NotTravelling));
        assert!((c.now() - Utc::now()).num_seconds().abs() < 2);
    }

    #[test]
    fn a_travelling_clock_moves_forward_only_and_keeps_ticking() {
        let c = Clock::travelling();
        let shared = c.clone();
        let before = c.now();
        let after = c.advance(Duration::days(10)).unwrap();
        assert!(after - before >= Duration::days(10));
        // Clones share the one clock.
        assert!(shared.now() >= after);
        assert_eq!(c.advance(Duration::seconds(-1)), Err(ClockError::Backwards));
        assert_eq!(c.advance_to(before), Err(ClockError::Backwards));
        let target = after + Duration::hours(5);
        let moved = c.advance_to(target).unwrap();
        assert!(moved >= target && moved - target < Duration::seconds(1));
        assert!(c.offset() >= Duration::days(10) + Duration::hours(5) - Duration::seconds(1));
    }
}
