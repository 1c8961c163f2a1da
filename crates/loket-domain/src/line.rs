//! SOP step 8: the line (antrian) and the calling rule.
//!
//! Every counter calls from the same line. The line is ordered by lane (the priority lane first)
//! and then by an explicit position, so that putting a skipped visit back is one update.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::errors::Refused;

/// A number is called at most this many times before it may be skipped.
pub const CALLS_BEFORE_SKIP: u32 = 3;

/// How the office applies the calling rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallingPolicy {
    /// How many times a skipped number returns to the line (to be called again at the next turn)
    /// before a further skip closes it as no-show. At least 1: the SOP says the skipped visitor
    /// *will* be called again.
    #[serde(alias = "recalls_after_skip")]
    #[schema(minimum = 1, maximum = 10)]
    pub returns_after_skip: u32,
    /// The least time between two calls of the same number, and between its third call and its
    /// skip, in seconds: the visitor must have a chance to come. 0 to 600; 0 spaces nothing.
    #[serde(default = "default_seconds_between_calls")]
    #[schema(minimum = 0, maximum = 600, default = 30)]
    pub seconds_between_calls: u32,
}

/// Thirty seconds between two calls of one number, unless the office sets otherwise.
pub const DEFAULT_SECONDS_BETWEEN_CALLS: u32 = 30;

fn default_seconds_between_calls() -> u32 {
    DEFAULT_SECONDS_BETWEEN_CALLS
}

impl Default for CallingPolicy {
    fn default() -> Self {
        CallingPolicy { returns_after_skip: 1, seconds_between_calls: DEFAULT_SECONDS_BETWEEN_CALLS }
    }
}

impl CallingPolicy {
    /// The bounds a supervisor may set: at least one return (SOP step 8), at most ten.
    pub fn is_valid(&self) -> bool {
        (1..=10).contains(&self.returns_after_skip)
    }

    /// The bounds of the spacing of calls: ten minutes at most.
    pub fn spacing_is_valid(&self) -> bool {
        self.seconds_between_calls <= 600
    }

    /// When a number last called at `called_at` may be called again, or skipped.
    pub fn next_call_at(&self, called_at: DateTime<Utc>) -> DateTime<Utc> {
        called_at + chrono::Duration::seconds(i64::from(self.seconds_between_calls))
    }

    /// Whole seconds (rounded up) until a number last called at `called_at` may be called again
    /// or skipped; 0 when it may be now, or was never called.
    pub fn seconds_until_next_call(&self, called_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> u32 {
        let Some(called_at) = called_at else { return 0 };
        let left_ms = (self.next_call_at(called_at) - now).num_milliseconds().max(0);
        u32::try_from((left_ms + 999) / 1000).unwrap_or(u32::MAX)
    }

    /// Refuses a call (or a skip) of a number called at `called_at` before the spacing has
    /// passed, naming the whole seconds left.
    pub fn ensure_spaced(&self, called_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), Refused> {
        match self.seconds_until_next_call(called_at, now) {
            0 => Ok(()),
            seconds_left => Err(Refused::CallTooSoon { seconds_left }),
        }
    }
}

/// Where a skipped visit goes back into the line.
///
/// SOP step 8: the skipped user is called again at the next turn, directly behind the number
/// called in its place. That number has just left the line, so its place is free: when it came
/// from the skipped visit's lane, the skipped visit takes that place. It was the first in line for
/// the counter, so the skipped visit is now the next of its service, and stays behind every visit
/// of another service that was ahead of the one called. Otherwise (nobody called in its place, or
/// a visit of the other lane) the skipped visit goes one place before the first visit of its own
/// service still waiting in its lane, or keeps its place when none waits.
pub fn requeue_position(called_in_place: Option<i64>, first_waiting_of_service: Option<i64>, own: i64) -> i64 {
    match (called_in_place, first_waiting_of_service) {
        (Some(freed), Some(head)) if freed < head => freed,
        (Some(freed), None) => freed,
        (_, Some(head)) => head.min(own + 1) - 1,
        (None, None) => own,
    }
}

/// Where a skipped visit goes: what the store read of the line once the next visit was called.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requeue {
    /// The place the visit called in its place had, when it was of the same lane.
    pub called_in_place: Option<i64>,
    /// The first place still waiting in the skipped visit's service and lane.
    pub first_waiting_of_service: Option<i64>,
}

/// What happens to a skipped visit: back into the line, or closed as no-show when its re-calls
/// are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipOutcome {
    Requeued,
    NoShow,
}

pub fn skip_outcome(skips_so_far: u32, policy: CallingPolicy) -> SkipOutcome {
    if skips_so_far >= policy.returns_after_skip { SkipOutcome::NoShow } else { SkipOutcome::Requeued }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_visit_takes_the_place_of_the_visit_called_in_its_place() {
        // A-008 (place 1) skipped; A-009 (place 3) called instead; B-007 (place 2) and A-010
        // (place 4) wait. A-008 goes to place 3: the next A, still behind B-007.
        assert_eq!(requeue_position(Some(3), Some(4), 1), 3);
    }

    #[test]
    fn skipped_visit_goes_before_its_own_service_when_the_next_came_from_the_other_lane() {
        assert_eq!(requeue_position(None, Some(2), 30), 1);
        assert_eq!(requeue_position(None, Some(-4), 3), -5);
    }

    #[test]
    fn skipped_visit_keeps_its_place_when_nobody_else_waits() {
        assert_eq!(requeue_position(None, None, 7), 7);
    }

    #[test]
    fn skipped_visit_is_never_placed_behind_its_own_old_place() {
        // With nobody of its service ahead of it, the head is already behind its old place.
        assert_eq!(requeue_position(None, Some(20), 7), 7);
    }

    #[test]
    fn one_recall_by_default_then_no_show() {
        let policy = CallingPolicy::default();
        assert_eq!(skip_outcome(0, policy), SkipOutcome::Requeued);
        assert_eq!(skip_outcome(1, policy), SkipOutcome::NoShow);
        let two = CallingPolicy { returns_after_skip: 2, ..CallingPolicy::default() };
        assert_eq!(skip_outcome(1, two), SkipOutcome::Requeued);
    }

    #[test]
    fn a_skipped_number_returns_at_least_once() {
        assert!(!CallingPolicy { returns_after_skip: 0, ..CallingPolicy::default() }.is_valid());
        assert!(CallingPolicy { returns_after_skip: 1, ..CallingPolicy::default() }.is_valid());
        assert!(!CallingPolicy { returns_after_skip: 11, ..CallingPolicy::default() }.is_valid());
    }

    #[test]
    fn the_old_name_of_the_setting_is_still_read() {
        let p: CallingPolicy = serde_json::from_value(serde_json::json!({"recalls_after_skip": 2})).unwrap();
        assert_eq!(p.returns_after_skip, 2);
    }
}
