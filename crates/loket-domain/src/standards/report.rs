//! The time-standards report: per SOP step, how many, how many within the standard applied to
//! them, average and 90th percentile minutes; and the waiting time.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{StepRecord, StepStandard, is_instant, standard_for};
use crate::calendar::Measure;
use crate::visit::Status;

/// How many of a step's judged records were held to a standard of so many minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AppliedStandard {
    pub minutes: u32,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StepSummary {
    pub step: u8,
    /// The standard applied to the steps counted, when it was one for all of them; null when
    /// they were held to several (see `standards_applied`); the current setting when none was
    /// counted.
    pub standard_minutes: Option<u32>,
    /// Steps counted: the finished ones, and those still running past their standard when the
    /// report was read (`running_over`).
    pub count: u64,
    /// Of those judged, how many were within their standard.
    pub within: u64,
    /// Of `count`, the steps still running past their standard when the report was read: judged
    /// as not within, not in `avg_minutes` or `p90_minutes` (their time is not known yet).
    pub running_over: u64,
    /// Of `count`, the steps not judged: instant, without a standard, or cancelled.
    pub not_judged: u64,
    /// Of `count` (and of `not_judged`), the analyses (step 9) ended by the visit's cancellation
    /// at the visitor's request: neither judged nor in the times.
    pub cancelled: u64,
    pub compliance_pct: Option<f64>,
    pub avg_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
    /// Recorded in the same instant as another step: not measured, so `within` is 0 and
    /// `compliance_pct`, `avg_minutes` and `p90_minutes` are null.
    pub instant: bool,
    /// The standards the counted steps were judged by (recorded when each started), smallest
    /// first.
    pub standards_applied: Vec<AppliedStandard>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WaitingSummary {
    pub count: u64,
    pub avg_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TimeStandardsReport {
    pub steps: Vec<StepSummary>,
    pub waiting: WaitingSummary,
    /// How the visits of the period ended.
    pub outcomes: Outcomes,
}

/// How visits ended: served (answered, escalated or archived), no-show, not served (still in line
/// when their office day ended), cancelled, or still open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Outcomes {
    pub visits: u64,
    pub served: u64,
    pub no_show: u64,
    pub not_served: u64,
    pub cancelled: u64,
    /// Of `cancelled`, the visits cancelled at the visitor's request while in service.
    pub cancelled_in_service: u64,
    pub open: u64,
}

impl Outcomes {
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Outcomes {
        let mut o = Outcomes::default();
        for status in statuses {
            o.visits += 1;
            let slot = match status {
                Status::Answered | Status::Escalated | Status::Archived => &mut o.served,
                Status::NoShow => &mut o.no_show,
                Status::NotServed => &mut o.not_served,
                Status::Cancelled => &mut o.cancelled,
                Status::FormIssued
                | Status::FormSubmitted
                | Status::FormIncomplete
                | Status::Waiting
                | Status::Called
                | Status::InService => &mut o.open,
            };
            *slot += 1;
        }
        o
    }
}

/// Aggregates visits' step records and waiting times into the time-standards report: the finished
/// steps, and those still running past their standard (judged at the `now` of the records).
/// `standards` are the current settings, shown for a step none of whose records was counted.
/// `outcomes` is filled in by [`Outcomes::of`] from the same visits.
pub fn report(visits: &[(Vec<StepRecord>, Option<f64>)], standards: &[StepStandard]) -> TimeStandardsReport {
    let steps = (1..=12u8)
        .map(|step| {
            let records: Vec<&StepRecord> = visits
                .iter()
                .flat_map(|(s, _)| s.iter())
                .filter(|r| r.step == step && (r.finished_at.is_some() || r.within_standard == Some(false)))
                .collect();
            summary(step, &records, standards)
        })
        .collect();
    let mut waits: Vec<f64> = visits.iter().filter_map(|(_, w)| *w).collect();
    TimeStandardsReport {
        steps,
        waiting: WaitingSummary {
            count: waits.len() as u64,
            avg_minutes: average(&waits),
            p90_minutes: percentile(&mut waits, 0.9),
        },
        outcomes: Outcomes::default(),
    }
}

/// The summary of one step's records, as the database adds them up (see [`StepTotals`]).
fn summary(step: u8, records: &[&StepRecord], standards: &[StepStandard]) -> StepSummary {
    let judged: Vec<&StepRecord> = records.iter().copied().filter(|r| r.within_standard.is_some()).collect();
    let mut applied: Vec<AppliedStandard> = Vec::new();
    for minutes in judged.iter().filter_map(|r| r.standard_minutes) {
        match applied.iter_mut().find(|a| a.minutes == minutes) {
            Some(a) => a.count += 1,
            None => applied.push(AppliedStandard { minutes, count: 1 }),
        }
    }
    // Each record's duration in the office's measure (clock or working time), as it was read.
    let mut ms: Vec<i64> = records
        .iter()
        .filter(|r| !r.instant && r.outcome.is_none() && r.finished_at.is_some())
        .filter_map(|r| r.measured_minutes.or_else(|| r.minutes()).map(|m| (m * 60_000.0).round() as i64))
        .collect();
    ms.sort_unstable();
    let rank = ((0.9 * ms.len() as f64).ceil() as usize).clamp(1, ms.len().max(1));
    let totals = StepTotals {
        step,
        count: records.len() as u64,
        judged: judged.len() as u64,
        running_over: records.iter().filter(|r| r.finished_at.is_none()).count() as u64,
        cancelled: records.iter().filter(|r| r.outcome.is_some()).count() as u64,
        within: judged.iter().filter(|r| r.within_standard == Some(true)).count() as u64,
        measured: ms.len() as u64,
        sum_ms: ms.iter().sum(),
        p90_ms: ms.get(rank - 1).copied(),
        applied,
    };
    StepSummary::of(totals, standards)
}

/// A step's figures over a period as the database adds them up: finished records counted, judged
/// (not instant, with a standard), within their standard, measured (not instant) and their
/// milliseconds, the 90th percentile of those, and the standards applied; and the steps still
/// running past their standard (counted and judged apart, see [`StepTotals::add_running_over`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepTotals {
    pub step: u8,
    pub count: u64,
    pub judged: u64,
    pub running_over: u64,
    pub cancelled: u64,
    pub within: u64,
    pub measured: u64,
    pub sum_ms: i64,
    pub p90_ms: Option<i64>,
    pub applied: Vec<AppliedStandard>,
}

impl StepTotals {
    /// Counts a step still running at `now` if it has run past its standard of `standard_minutes`
    /// since `started_at`, in `measure`: counted, judged, and not within. Returns the time it has
    /// run, in milliseconds, when it counts.
    pub fn add_running_over(
        &mut self,
        started_at: DateTime<Utc>,
        standard_minutes: u32,
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) -> Option<i64> {
        let ms = running_over_ms(started_at, standard_minutes, now, measure)?;
        self.add_running_over_count(standard_minutes, 1);
        Some(ms)
    }

    /// Counts `n` steps still running past their standard of `standard_minutes` (as the database
    /// judged them by the clock).
    pub fn add_running_over_count(&mut self, standard_minutes: u32, n: u64) {
        self.count += n;
        self.judged += n;
        self.running_over += n;
        match self.applied.iter_mut().find(|a| a.minutes == standard_minutes) {
            Some(a) => a.count += n,
            None => self.applied.push(AppliedStandard { minutes: standard_minutes, count: n }),
        }
    }
}

/// How long a step still running at `now`, started at `started_at`, has run in `measure`, when
/// that is past its standard of `standard_minutes`: the overrun a report counts before the step
/// ends. Working time never runs ahead of the clock, so a step past its standard in working time
/// is past it by the clock too: the database selects those by the clock, and this judges them.
pub fn running_over_ms(
    started_at: DateTime<Utc>,
    standard_minutes: u32,
    now: DateTime<Utc>,
    measure: &Measure<'_>,
) -> Option<i64> {
    let ms = measure.between(started_at, now).num_milliseconds();
    (ms > i64::from(standard_minutes) * 60_000).then_some(ms)
}

impl StepSummary {
    /// The summary of a step from its totals; `standards` are the current settings, shown when no
    /// record was judged.
    pub fn of(totals: StepTotals, standards: &[StepStandard]) -> StepSummary {
        let StepTotals { step, count, judged, running_over, cancelled, within, measured, sum_ms, p90_ms, mut applied } =
            totals;
        applied.sort_by_key(|a| a.minutes);
        let standard_minutes = match applied.as_slice() {
            [] => standard_for(standards, step),
            [one] => Some(one.minutes),
            _ => None,
        };
        StepSummary {
            step,
            standard_minutes,
            count,
            within,
            running_over,
            not_judged: count.saturating_sub(judged),
            cancelled,
            compliance_pct: (judged > 0).then(|| round2(within as f64 * 100.0 / judged as f64)),
            avg_minutes: (measured > 0).then(|| round2(sum_ms as f64 / measured as f64 / 60_000.0)),
            p90_minutes: p90_ms.map(|ms| round2(ms as f64 / 60_000.0)),
            instant: is_instant(step),
            standards_applied: applied,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn average(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| round2(xs.iter().sum::<f64>() / xs.len() as f64))
}

/// Nearest-rank percentile.
fn percentile(xs: &mut [f64], p: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let rank = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    Some(round2(xs[rank - 1]))
}

#[cfg(test)]
mod outcome_tests {
    use super::*;

    #[test]
    fn visits_not_served_are_counted_apart_from_no_shows_and_the_served() {
        let o = Outcomes::of([Status::Archived, Status::NotServed, Status::NotServed, Status::NoShow, Status::Waiting]);
        assert_eq!(
            o,
            Outcomes {
                visits: 5,
                served: 1,
                no_show: 1,
                not_served: 2,
                cancelled: 0,
                cancelled_in_service: 0,
                open: 1
            }
        );
    }
}
