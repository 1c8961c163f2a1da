//! The estimated wait a visitor's status page shows: a range in minutes, from the recent service
//! times of their service, or nothing when there are too few to go by ("belum dapat
//! diperkirakan"). An estimate, never a promise: a range, from the quartiles of what counters
//! took lately, shared among the counters that serve the service.

use crate::history::{Event, EventKind};

/// Fewer finished services than this, and there is no estimate.
pub const MIN_SAMPLES: usize = 3;
/// How many of the latest finished services an estimate looks at.
pub const RECENT: usize = 20;

/// A wait of `low` to `high` minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitEstimate {
    pub low: u32,
    pub high: u32,
}

/// The minutes a visit spent at the counter, from its start to its answer or escalation, and
/// when that ended; `None` for a visit not served to the end.
pub fn service_time(history: &[Event]) -> Option<(f64, chrono::DateTime<chrono::Utc>)> {
    let started = history.iter().rev().find(|e| e.kind == EventKind::Started)?;
    let ended =
        history.iter().find(|e| matches!(e.kind, EventKind::Answered | EventKind::Escalated) && e.at >= started.at)?;
    let minutes = (ended.at - started.at).num_milliseconds() as f64 / 60_000.0;
    Some((minutes, ended.at))
}

/// The wait of a visitor with `ahead` visits before them in line, at `counters` counters that
/// serve their service, from the service times (minutes) of recent visits of that service.
///
/// The rule: the shortest wait is everyone ahead served at the faster quartile's pace, shared
/// among the counters; the longest, everyone ahead and one visit still at the counter served at
/// the slower quartile's pace. The range is at least one minute wide.
pub fn estimate_wait(ahead: usize, recent_minutes: &[f64], counters: usize) -> Option<WaitEstimate> {
    if recent_minutes.len() < MIN_SAMPLES || counters == 0 {
        return None;
    }
    let mut times: Vec<f64> = recent_minutes.iter().copied().filter(|m| m.is_finite() && *m >= 0.0).collect();
    if times.len() < MIN_SAMPLES {
        return None;
    }
    times.sort_by(f64::total_cmp);
    let quartile = |q: usize| times[(times.len() * q / 4).min(times.len() - 1)];
    let (fast, slow) = (quartile(1), quartile(3));
    let counters = counters as f64;
    let low = (ahead as f64 * fast / counters).floor();
    let high = ((ahead as f64 + 1.0) * slow / counters).ceil();
    let low = low.min(f64::from(u32::MAX - 1)) as u32;
    let high = (high.min(f64::from(u32::MAX)) as u32).max(low + 1);
    Some(WaitEstimate { low, high })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn too_few_services_give_no_estimate() {
        assert_eq!(estimate_wait(3, &[10.0, 12.0], 2), None);
        assert_eq!(estimate_wait(3, &[10.0, 12.0, 14.0], 0), None);
        assert_eq!(estimate_wait(3, &[10.0, f64::NAN, 14.0], 1), None);
    }

    #[test]
    fn the_range_follows_the_quartiles_shared_among_counters() {
        // Quartiles of 8, 10, 12, 20: 10 and 20.
        let times = [12.0, 8.0, 20.0, 10.0];
        assert_eq!(estimate_wait(4, &times, 2), Some(WaitEstimate { low: 20, high: 50 }));
        assert_eq!(estimate_wait(0, &times, 1), Some(WaitEstimate { low: 0, high: 20 }));
    }

    proptest! {
        /// With more visits ahead the wait never shrinks, and the range is never empty.
        #[test]
        fn more_ahead_never_waits_less(
            times in proptest::collection::vec(0.0f64..120.0, MIN_SAMPLES..40),
            ahead in 0usize..200,
            counters in 1usize..10,
        ) {
            let now = estimate_wait(ahead, &times, counters).unwrap();
            let later = estimate_wait(ahead + 1, &times, counters).unwrap();
            prop_assert!(now.low < now.high);
            prop_assert!(later.low >= now.low);
            prop_assert!(later.high >= now.high);
            // More counters never make the wait longer.
            let more = estimate_wait(ahead, &times, counters + 1).unwrap();
            prop_assert!(more.high <= now.high.max(more.low + 1));
        }
    }
}
