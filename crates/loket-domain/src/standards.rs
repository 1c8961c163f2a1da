//! Time standards (mutu baku waktu): each SOP step's record, computed from the visit's history,
//! measured against the step's standard.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::history::{Event, EventKind};

/// One step's standard in minutes (a setting of the office).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepStandard {
    pub step: u8,
    pub minutes: u32,
}

/// The standards of SOP.md: steps 2-7 five minutes each, analysis 30 (or as the priority table
/// says), escalation 5, archive 10. Steps 1, 8 and 10 have none.
pub fn default_standards() -> Vec<StepStandard> {
    [(2, 5), (3, 5), (4, 5), (5, 5), (6, 5), (7, 5), (9, 30), (11, 5), (12, 10)]
        .into_iter()
        .map(|(step, minutes)| StepStandard { step, minutes })
        .collect()
}

pub fn validate_standards(standards: &[StepStandard]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for (i, s) in standards.iter().enumerate() {
        if !(1..=12).contains(&s.step) {
            errors.add(&format!("[{i}].step"), "invalid");
        }
        if standards[..i].iter().any(|o| o.step == s.step) {
            errors.add(&format!("[{i}].step"), "duplicate");
        }
        if s.minutes == 0 || s.minutes > 100_000 {
            errors.add(&format!("[{i}].minutes"), "invalid");
        }
    }
    errors.into_result(())
}

fn standard_for(standards: &[StepStandard], step: u8) -> Option<u32> {
    standards.iter().find(|s| s.step == step).map(|s| s.minutes)
}

/// One SOP step as it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepRecord {
    pub step: u8,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub standard_minutes: Option<u32>,
    /// Null when the step has no standard, or is still running within it.
    pub within_standard: Option<bool>,
    pub by: String,
}

impl StepRecord {
    pub fn minutes(&self) -> Option<f64> {
        self.finished_at.map(|f| (f - self.started_at).num_milliseconds() as f64 / 60_000.0)
    }
}

/// The steps of a visit, in order, read from its history. A running step is judged against
/// `now`: once it passes its standard it shows `within_standard: false` while it still runs.
/// `analysis_minutes` is the standard of step 9 from the category's priority, when known.
pub fn steps(
    history: &[Event],
    standards: &[StepStandard],
    analysis_minutes: Option<u32>,
    now: DateTime<Utc>,
) -> Vec<StepRecord> {
    let mut out: Vec<StepRecord> = Vec::new();
    // When the step now running began: the end of the last step before it.
    let mut mark: Option<DateTime<Utc>> = None;
    let standard = |step: u8| {
        if step == 9 { analysis_minutes.or_else(|| standard_for(standards, 9)) } else { standard_for(standards, step) }
    };
    let push =
        |out: &mut Vec<StepRecord>, step: u8, started: DateTime<Utc>, finished: Option<DateTime<Utc>>, by: &str| {
            out.push(StepRecord {
                step,
                started_at: started,
                finished_at: finished,
                standard_minutes: standard(step),
                within_standard: None,
                by: by.to_owned(),
            });
        };
    let finish = |out: &mut Vec<StepRecord>, step: u8, at: DateTime<Utc>| {
        if let Some(r) = out.iter_mut().rev().find(|r| r.step == step && r.finished_at.is_none()) {
            r.finished_at = Some(at);
        }
    };
    for e in history {
        let at = e.at;
        let by = e.by.as_str();
        match e.kind {
            EventKind::Created => {
                push(&mut out, 1, at, Some(at), by);
                push(&mut out, 2, at, Some(at), by);
                mark = Some(at);
            }
            EventKind::FormSaved => match out.last_mut() {
                // Saving again before the check extends the same step 3.
                Some(last) if last.step == 3 => last.finished_at = Some(at),
                _ => {
                    push(&mut out, 3, mark.unwrap_or(at), Some(at), by);
                    mark = Some(at);
                }
            },
            EventKind::FoundIncomplete => {
                push(&mut out, 4, mark.unwrap_or(at), Some(at), by);
                push(&mut out, 6, at, Some(at), by);
                mark = Some(at);
            }
            EventKind::Queued => {
                push(&mut out, 4, mark.unwrap_or(at), Some(at), by);
                push(&mut out, 5, at, Some(at), by);
                push(&mut out, 7, at, Some(at), by);
                mark = Some(at);
            }
            EventKind::Called => {
                if !out.iter().any(|r| r.step == 8 && r.finished_at.is_none()) {
                    push(&mut out, 8, at, None, by);
                }
            }
            EventKind::NoShow | EventKind::NotServed => finish(&mut out, 8, at),
            EventKind::Started => {
                finish(&mut out, 8, at);
                push(&mut out, 9, at, None, by);
            }
            EventKind::Answered => {
                finish(&mut out, 9, at);
                push(&mut out, 10, at, Some(at), by);
                mark = Some(at);
            }
            EventKind::Escalated => {
                finish(&mut out, 9, at);
                push(&mut out, 11, at, Some(at), by);
                mark = Some(at);
            }
            EventKind::Archived => {
                // A later archived version is not a second step 12.
                if !out.iter().any(|r| r.step == 12) {
                    push(&mut out, 12, mark.unwrap_or(at), Some(at), by);
                }
            }
            EventKind::Cancelled => {
                // Cancelled while called, or in service at the visitor's request.
                finish(&mut out, 8, at);
                finish(&mut out, 9, at);
            }
            EventKind::Recalled | EventKind::Skipped | EventKind::EscalationSent | EventKind::EscalationAnswered => {}
        }
    }
    for r in &mut out {
        r.within_standard = r.standard_minutes.and_then(|limit| {
            let limit_ms = i64::from(limit) * 60_000;
            match r.finished_at {
                Some(f) => Some((f - r.started_at).num_milliseconds() <= limit_ms),
                None => ((now - r.started_at).num_milliseconds() > limit_ms).then_some(false),
            }
        });
    }
    out
}

/// Waiting time (step 8's main figure): from the number given to the first call, in minutes.
pub fn waiting_minutes(history: &[Event]) -> Option<f64> {
    let queued = history.iter().find(|e| e.kind == EventKind::Queued)?.at;
    let called = history.iter().find(|e| e.kind == EventKind::Called)?.at;
    Some((called - queued).num_milliseconds() as f64 / 60_000.0)
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StepSummary {
    pub step: u8,
    pub standard_minutes: Option<u32>,
    /// Finished steps counted.
    pub count: u64,
    /// Of those with a standard, how many were within it.
    pub within: u64,
    pub compliance_pct: Option<f64>,
    pub avg_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
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
}

/// Aggregates visits' step records and waiting times into the time-standards report.
pub fn report(visits: &[(Vec<StepRecord>, Option<f64>)], standards: &[StepStandard]) -> TimeStandardsReport {
    let steps = (1..=12u8)
        .map(|step| {
            let records: Vec<&StepRecord> = visits
                .iter()
                .flat_map(|(s, _)| s.iter())
                .filter(|r| r.step == step && r.finished_at.is_some())
                .collect();
            let mut minutes: Vec<f64> = records.iter().filter_map(|r| r.minutes()).collect();
            let judged: Vec<bool> = records.iter().filter_map(|r| r.within_standard).collect();
            let within = judged.iter().filter(|w| **w).count() as u64;
            StepSummary {
                step,
                standard_minutes: standard_for(standards, step),
                count: records.len() as u64,
                within,
                compliance_pct: (!judged.is_empty()).then(|| round2(within as f64 * 100.0 / judged.len() as f64)),
                avg_minutes: average(&minutes),
                p90_minutes: percentile(&mut minutes, 0.9),
            }
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
mod tests {
    use super::*;
    use crate::visit::Status;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
    }

    fn ev(kind: EventKind, minute: i64) -> Event {
        Event {
            kind,
            at: t0() + Duration::minutes(minute),
            by: "fo".into(),
            from: None,
            to: Status::Waiting,
            data: serde_json::json!({}),
        }
    }

    #[test]
    fn steps_are_read_from_history_in_order() {
        let h = [
            ev(EventKind::Created, 0),
            ev(EventKind::FormSaved, 4),
            ev(EventKind::Queued, 6),
            ev(EventKind::Called, 20),
            ev(EventKind::Started, 22),
            ev(EventKind::Answered, 40),
            ev(EventKind::Archived, 45),
        ];
        let s = steps(&h, &default_standards(), None, t0() + Duration::hours(1));
        let numbers: Vec<u8> = s.iter().map(|r| r.step).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 7, 8, 9, 10, 12]);
        let step3 = &s[2];
        assert_eq!(step3.minutes(), Some(4.0));
        assert_eq!(step3.within_standard, Some(true));
        let step9 = s.iter().find(|r| r.step == 9).unwrap();
        assert_eq!(step9.minutes(), Some(18.0));
        assert_eq!(step9.standard_minutes, Some(30));
        assert_eq!(s[0].within_standard, None, "step 1 has no standard");
    }

    #[test]
    fn a_step_checked_twice_appears_twice() {
        let h = [
            ev(EventKind::Created, 0),
            ev(EventKind::FormSaved, 2),
            ev(EventKind::FoundIncomplete, 3),
            ev(EventKind::FormSaved, 10),
            ev(EventKind::Queued, 11),
        ];
        let s = steps(&h, &default_standards(), None, t0());
        let numbers: Vec<u8> = s.iter().map(|r| r.step).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 6, 3, 4, 5, 7]);
        // The second fill took 7 minutes, over the standard of 5.
        assert_eq!(s[5].within_standard, Some(false));
    }

    #[test]
    fn a_running_step_past_its_standard_shows_the_overrun() {
        let h = [
            ev(EventKind::Created, 0),
            ev(EventKind::FormSaved, 1),
            ev(EventKind::Queued, 2),
            ev(EventKind::Called, 3),
            ev(EventKind::Started, 4),
        ];
        let early = steps(&h, &default_standards(), Some(15), t0() + Duration::minutes(10));
        assert_eq!(early.last().map(|r| r.within_standard), Some(None));
        let late = steps(&h, &default_standards(), Some(15), t0() + Duration::minutes(30));
        let step9 = late.last().unwrap();
        assert_eq!(step9.standard_minutes, Some(15), "analysis standard from the priority table");
        assert_eq!(step9.within_standard, Some(false));
    }

    #[test]
    fn waiting_time_runs_from_the_number_to_the_first_call() {
        let h = [
            ev(EventKind::Created, 0),
            ev(EventKind::Queued, 5),
            ev(EventKind::Called, 17),
            ev(EventKind::Recalled, 19),
        ];
        assert_eq!(waiting_minutes(&h), Some(12.0));
    }

    #[test]
    fn the_report_counts_compliance_and_percentiles() {
        let mk = |m: i64| {
            let h = [ev(EventKind::Created, 0), ev(EventKind::FormSaved, m)];
            (steps(&h, &default_standards(), None, t0()), Some(m as f64))
        };
        let visits: Vec<_> = (1..=10).map(mk).collect();
        let r = report(&visits, &default_standards());
        let s3 = &r.steps[2];
        assert_eq!((s3.count, s3.within), (10, 5));
        assert_eq!(s3.compliance_pct, Some(50.0));
        assert_eq!(s3.avg_minutes, Some(5.5));
        assert_eq!(s3.p90_minutes, Some(9.0));
        assert_eq!(r.waiting.count, 10);
        assert_eq!(r.steps[7].compliance_pct, None, "step 8 has no standard");
    }

    #[test]
    fn standards_must_be_positive_and_unique() {
        let bad = [
            StepStandard { step: 3, minutes: 0 },
            StepStandard { step: 3, minutes: 5 },
            StepStandard { step: 13, minutes: 5 },
        ];
        let e = validate_standards(&bad).unwrap_err();
        assert_eq!(e.0.len(), 3);
        assert!(validate_standards(&default_standards()).is_ok());
    }
}
