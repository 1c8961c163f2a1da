//! The supervisors' reports (issue 10): the recap of visits, waiting and service times, and
//! escalations with their age. The database adds the figures up; what they mean, and how a
//! percentile is taken, is decided here.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::calendar::{Measure, age_between};

/// How many visits have one value of a key (a visitor role, a category, an outcome, a day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KeyCount {
    /// The value; `null` when the visits did not give it (a form without a category).
    pub key: Option<String>,
    pub count: u64,
}

/// What one staff member served: visits answered and escalated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AgentCount {
    pub agent: String,
    pub answered: u64,
    pub escalated: u64,
}

/// One office day of the recap, by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayRecap {
    pub day: Option<NaiveDate>,
    pub visits: u64,
    pub answered: u64,
    pub escalated: u64,
    pub no_show: u64,
    pub not_served: u64,
    pub cancelled: u64,
    /// Of `cancelled`, the visits cancelled at the visitor's request while in service (their
    /// analysis, step 9, ended without a result).
    pub cancelled_in_service: u64,
    pub open: u64,
}

/// The daily or monthly recap: the visits of the office days of a period by visitor role,
/// category, outcome and staff member who served them, and per day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Recap {
    /// Every visit opened in the period.
    pub visits: u64,
    /// The period's total by outcome (`day` null).
    pub outcomes: DayRecap,
    pub by_day: Vec<DayRecap>,
    pub by_role: Vec<KeyCount>,
    pub by_category: Vec<KeyCount>,
    pub by_agent: Vec<AgentCount>,
    /// Step 12: the visitors' copies of the form of the visits served (answered or escalated).
    pub copies: CopyCounts,
}

/// The copies of the form of the visits served in a period, by where they stand (step 12). All
/// but `given` are copies not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CopyCounts {
    /// Printed, or e-mailed and taken by the mail server.
    pub given: u64,
    /// E-mailed, not taken by the mail server yet.
    pub pending: u64,
    /// The visitor did not want one.
    pub declined: u64,
    /// Served, and no copy recorded yet.
    pub not_recorded: u64,
}

impl CopyCounts {
    /// Adds `count` visits served whose copy stands at `state` (a [`crate::facts::CopyState`]
    /// code; `None`: not recorded).
    pub fn add(&mut self, state: Option<&str>, count: u64) {
        let slot = match state {
            Some("given") => &mut self.given,
            Some("pending") => &mut self.pending,
            Some("declined") => &mut self.declined,
            _ => &mut self.not_recorded,
        };
        *slot += count;
    }

    /// The copies not given: pending, declined and not recorded.
    pub fn not_given(&self) -> u64 {
        self.pending + self.declined + self.not_recorded
    }
}

impl DayRecap {
    /// Adds `count` visits of the outcome `outcome` (its code).
    pub fn add(&mut self, outcome: &str, count: u64) {
        use crate::facts::Outcome;
        self.visits += count;
        let slot = match Outcome::parse(outcome) {
            Some(Outcome::Answered) => &mut self.answered,
            Some(Outcome::Escalated) => &mut self.escalated,
            Some(Outcome::NoShow) => &mut self.no_show,
            Some(Outcome::NotServed) => &mut self.not_served,
            Some(Outcome::Cancelled) => &mut self.cancelled,
            Some(Outcome::Open) | None => &mut self.open,
        };
        *slot += count;
    }
}

/// The width of a bar of the time distribution, in minutes; the last bar holds everything from
/// `BUCKETS * BUCKET_MINUTES` minutes on.
pub const BUCKET_MINUTES: i64 = 5;
pub const BUCKETS: i64 = 12;

/// One bar of a time distribution: durations from `from_minutes` up to (not including)
/// `to_minutes` (`null`: no end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Bucket {
    pub from_minutes: i64,
    pub to_minutes: Option<i64>,
    pub count: u64,
}

/// The distribution of one duration (waiting or service) over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Durations {
    pub count: u64,
    pub avg_minutes: Option<f64>,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
    pub max_minutes: Option<f64>,
    pub distribution: Vec<Bucket>,
}

impl Durations {
    /// The distribution's bars, every one of them, from the counts per bar index
    /// (`duration / BUCKET_MINUTES`, at most `BUCKETS`).
    pub fn buckets(counts: &[(i64, u64)]) -> Vec<Bucket> {
        (0..=BUCKETS)
            .map(|i| Bucket {
                from_minutes: i * BUCKET_MINUTES,
                to_minutes: (i < BUCKETS).then_some((i + 1) * BUCKET_MINUTES),
                count: counts.iter().filter(|(b, _)| *b == i).map(|(_, c)| c).sum(),
            })
            .collect()
    }
}

/// Waiting time (SOP step 8: number given to first call) and service time (start of service to
/// answer or escalation, steps 9-11).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Times {
    pub waiting: Durations,
    pub service: Durations,
}

/// The 1-based rank of the nearest-rank percentile `p` (0 < p ≤ 1) among `n` sorted values.
pub fn nearest_rank(n: u64, p: f64) -> u64 {
    ((p * n as f64).ceil() as u64).clamp(1, n.max(1))
}

/// Milliseconds as minutes, rounded to two decimals.
pub fn minutes(ms: i64) -> f64 {
    round2(ms as f64 / 60_000.0)
}

/// An average of `sum_ms` over `count` values, in minutes to two decimals.
pub fn average_minutes(sum_ms: i64, count: u64) -> Option<f64> {
    (count > 0).then(|| round2(sum_ms as f64 / count as f64 / 60_000.0))
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One escalation as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EscalationRow {
    pub visit_id: String,
    pub reference: String,
    pub day: NaiveDate,
    pub channel: String,
    /// `pending`, `sent` or `answered`.
    pub status: String,
    pub escalated_by: String,
    #[serde(with = "crate::timestamp")]
    pub escalated_at: DateTime<Utc>,
    #[serde(with = "crate::timestamp::option")]
    pub answered_at: Option<DateTime<Utc>>,
    /// From the escalation to LKPP's answer, or to now while it waits ([`age_between`], in the office's measure).
    pub age_minutes: f64,
}

impl EscalationRow {
    pub fn aged(mut self, now: DateTime<Utc>, measure: &Measure<'_>) -> EscalationRow {
        self.age_minutes = minutes(age_between(self.escalated_at, self.answered_at, now, measure).num_milliseconds());
        self
    }
}

/// The counts and ages of a period's escalations, added up one escalation at a time (a year of
/// them is never held at once), each aged at `now` by [`age_between`] in the office's measure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EscalationAges {
    count: u64,
    open: u64,
    answered: u64,
    open_sum: f64,
    open_max: Option<f64>,
    answered_sum: f64,
}

impl EscalationAges {
    /// Adds the escalation made at `escalated_at` and answered by LKPP at `answered_at`.
    pub fn add(
        &mut self,
        escalated_at: DateTime<Utc>,
        answered_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) {
        let age = minutes(age_between(escalated_at, answered_at, now, measure).num_milliseconds());
        self.count += 1;
        if answered_at.is_some() {
            self.answered += 1;
            self.answered_sum += age;
        } else {
            self.open += 1;
            self.open_sum += age;
            self.open_max = Some(self.open_max.map_or(age, |m| m.max(age)));
        }
    }
}

/// The escalations of the visits of a period: how many wait for LKPP and how many it answered,
/// their age, and the list (the first 1,000, oldest first).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Escalations {
    pub count: u64,
    pub open: u64,
    pub answered: u64,
    pub open_avg_age_minutes: Option<f64>,
    pub open_max_age_minutes: Option<f64>,
    pub answered_avg_age_minutes: Option<f64>,
    pub rows: Vec<EscalationRow>,
}

impl Escalations {
    /// The report of the escalations counted and aged in `ages`, listing `rows`, each aged at
    /// `now` in the office's measure.
    pub fn of(
        ages: &EscalationAges,
        rows: Vec<EscalationRow>,
        now: DateTime<Utc>,
        measure: &Measure<'_>,
    ) -> Escalations {
        let rows: Vec<EscalationRow> = rows.into_iter().map(|r| r.aged(now, measure)).collect();
        let avg = |sum: f64, n: u64| (n > 0).then(|| round2(sum / n as f64));
        Escalations {
            count: ages.count,
            open: ages.open,
            answered: ages.answered,
            open_avg_age_minutes: avg(ages.open_sum, ages.open),
            open_max_age_minutes: ages.open_max,
            answered_avg_age_minutes: avg(ages.answered_sum, ages.answered),
            rows,
        }
    }
}

/// A step that ran past the standard in force when it started, or still runs past it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Overrun {
    pub visit_id: String,
    pub reference: String,
    pub number: Option<String>,
    pub step: u8,
    pub by: String,
    #[serde(with = "crate::timestamp")]
    pub started_at: DateTime<Utc>,
    /// How long it took; for a step still running, how long it has run so far.
    pub minutes: f64,
    pub standard_minutes: u32,
    /// Still running when the report was read (not finished yet).
    pub running: bool,
}

/// How many runs of one SOP step a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StepCount {
    pub step: u8,
    pub count: u64,
}

/// The steps of a period that ran past the standard in force when they started, finished or
/// still running: how many per step (every one of them), and the first of them in the order they
/// started, to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Overruns {
    /// Per step with any overrun, in step order.
    pub by_step: Vec<StepCount>,
    pub list: Vec<Overrun>,
}

impl Overruns {
    /// Every overrun of the period, listed or not.
    pub fn total(&self) -> u64 {
        self.by_step.iter().map(|s| s.count).sum()
    }

    /// The overruns of `step`, listed or not.
    pub fn of_step(&self, step: u8) -> u64 {
        self.by_step.iter().find(|s| s.step == step).map_or(0, |s| s.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalation_ages_are_added_one_at_a_time() {
        use chrono::TimeZone;
        let t = |h: u32| Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).single().unwrap_or_default();
        let mut ages = EscalationAges::default();
        ages.add(t(1), None, t(5), &Measure::Clock);
        ages.add(t(2), None, t(5), &Measure::Clock);
        ages.add(t(1), Some(t(3)), t(5), &Measure::Clock);
        let e = Escalations::of(&ages, Vec::new(), t(5), &Measure::Clock);
        assert_eq!((e.count, e.open, e.answered), (3, 2, 1));
        assert_eq!((e.open_avg_age_minutes, e.open_max_age_minutes), (Some(210.0), Some(240.0)));
        assert_eq!(e.answered_avg_age_minutes, Some(120.0));
        let none = Escalations::of(&EscalationAges::default(), Vec::new(), t(5), &Measure::Clock);
        assert_eq!((none.count, none.open_avg_age_minutes, none.open_max_age_minutes), (0, None, None));
    }

    #[test]
    fn the_nearest_rank_of_the_median_and_the_90th_percentile() {
        assert_eq!(nearest_rank(10, 0.5), 5);
        assert_eq!(nearest_rank(10, 0.9), 9);
        assert_eq!(nearest_rank(3, 0.9), 3);
        assert_eq!(nearest_rank(1, 0.5), 1);
    }

    #[test]
    fn the_distribution_has_every_bar_and_an_open_last_one() {
        let b = Durations::buckets(&[(0, 2), (12, 1)]);
        assert_eq!(b.len(), 13);
        assert_eq!(b[0], Bucket { from_minutes: 0, to_minutes: Some(5), count: 2 });
        assert_eq!(b[12], Bucket { from_minutes: 60, to_minutes: None, count: 1 });
    }
}
