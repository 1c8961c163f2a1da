//! SOP step 8: the line (antrian) and the calling rule.
//!
//! Every counter calls from the same line. The line is ordered by lane (the priority lane first)
//! and then by an explicit position, so that putting a skipped visit back is one update.

use serde::{Deserialize, Serialize};

/// A number is called at most this many times before it may be skipped.
pub const CALLS_BEFORE_SKIP: u32 = 3;

/// How the office applies the calling rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallingPolicy {
    /// How many times a skipped number goes back into the line before it is closed as no-show.
    pub recalls_after_skip: u32,
}

impl Default for CallingPolicy {
    fn default() -> Self {
        CallingPolicy { recalls_after_skip: 1 }
    }
}

/// Where a skipped visit goes back into the line.
///
/// SOP step 8: the skipped user is called again at the next turn. The number called in its place
/// has just left the line, so "directly behind it" is the head of the skipped visit's lane:
/// one place before the first visit still waiting in that lane, or its own place when nobody waits.
pub fn requeue_position(first_waiting_in_lane: Option<i64>, own: i64) -> i64 {
    match first_waiting_in_lane {
        Some(head) => head.min(own + 1) - 1,
        None => own,
    }
}

/// What happens to a skipped visit: back into the line, or closed as no-show when its re-calls
/// are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipOutcome {
    Requeued,
    NoShow,
}

pub fn skip_outcome(skips_so_far: u32, policy: CallingPolicy) -> SkipOutcome {
    if skips_so_far >= policy.recalls_after_skip { SkipOutcome::NoShow } else { SkipOutcome::Requeued }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_visit_goes_before_everyone_still_waiting_in_its_lane() {
        assert_eq!(requeue_position(Some(2), 30), 1);
        assert_eq!(requeue_position(Some(-4), 3), -5);
    }

    #[test]
    fn skipped_visit_keeps_its_place_when_nobody_else_waits() {
        assert_eq!(requeue_position(None, 7), 7);
    }

    #[test]
    fn skipped_visit_is_never_placed_behind_its_own_old_place() {
        // With nobody ahead of it, the head is already behind its old place.
        assert_eq!(requeue_position(Some(20), 7), 7);
    }

    #[test]
    fn one_recall_by_default_then_no_show() {
        let policy = CallingPolicy::default();
        assert_eq!(skip_outcome(0, policy), SkipOutcome::Requeued);
        assert_eq!(skip_outcome(1, policy), SkipOutcome::NoShow);
        let two = CallingPolicy { recalls_after_skip: 2 };
        assert_eq!(skip_outcome(1, two), SkipOutcome::Requeued);
        assert_eq!(skip_outcome(0, CallingPolicy { recalls_after_skip: 0 }), SkipOutcome::NoShow);
    }
}
