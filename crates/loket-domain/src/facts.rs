//! Report facts: what the supervisors' reports count about a visit, derived from the visit in one
//! place, so that the store keeps them beside the visit and the database adds them up. What a
//! visit's outcome is, who served it, and when its waiting and its service began and ended are
//! rules of the SOP, decided here only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Measure;
use crate::escalation::{Channel, EscalationStatus};
use crate::guest_book::VisitorRole;
use crate::history::EventKind;
use crate::standards::{StepRecord, StepStandard, steps};
use crate::visit::{Status, Visit};

/// How a visit ended, for the recap: answered (SOP step 10), escalated (step 11), no-show (skipped
/// with its returns used up), not served (still in line when its office day ended), cancelled;
/// `open` while none of these has happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    Escalated,
    NoShow,
    NotServed,
    Cancelled,
    Open,
}

impl Outcome {
    pub const ALL: [Outcome; 6] =
        [Outcome::Answered, Outcome::Escalated, Outcome::NoShow, Outcome::NotServed, Outcome::Cancelled, Outcome::Open];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Escalated => "escalated",
            Outcome::NoShow => "no_show",
            Outcome::NotServed => "not_served",
            Outcome::Cancelled => "cancelled",
            Outcome::Open => "open",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The outcome of a visit: an archived visit keeps the outcome of its service (answered, or
    /// escalated when it has an escalation).
    pub fn of(visit: &Visit) -> Outcome {
        match visit.status {
            Status::Answered => Outcome::Answered,
            Status::Escalated => Outcome::Escalated,
            Status::Archived if visit.escalation.is_some() => Outcome::Escalated,
            Status::Archived => Outcome::Answered,
            Status::NoShow => Outcome::NoShow,
            Status::NotServed => Outcome::NotServed,
            Status::Cancelled => Outcome::Cancelled,
            Status::FormIssued
            | Status::FormSubmitted
            | Status::FormIncomplete
            | Status::Waiting
            | Status::Called
            | Status::InService => Outcome::Open,
        }
    }
}

/// Where the visitor's copy of the form stands (step 12), as the reports count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyState {
    /// Printed, or e-mailed and taken by the mail server.
    Given,
    /// E-mailed, the mail server has not taken it yet: not given.
    Pending,
    /// The visitor did not want one.
    Declined,
}

impl CopyState {
    pub fn as_str(self) -> &'static str {
        match self {
            CopyState::Given => "given",
            CopyState::Pending => "pending",
            CopyState::Declined => "declined",
        }
    }

    /// The state of the copy last recorded; `None` when none is.
    pub fn of(visit: &Visit) -> Option<CopyState> {
        let copy = visit.copy.as_ref()?;
        Some(match copy.via {
            crate::archive::CopyVia::Declined => CopyState::Declined,
            _ if copy.pending => CopyState::Pending,
            _ => CopyState::Given,
        })
    }
}

/// What the reports count about one visit. Times are those of its history's events.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitFacts {
    pub visitor_role: Option<VisitorRole>,
    pub category: Option<String>,
    pub outcome: Outcome,
    /// Who answered or escalated it (the first such event): the staff member who served it.
    pub served_by: Option<String>,
    /// Step 12: the visitor's copy, once recorded.
    pub copy: Option<CopyState>,
    /// Step 5: the queue number given.
    pub queued_at: Option<DateTime<Utc>>,
    /// Step 8: the first call.
    pub called_at: Option<DateTime<Utc>>,
    /// The visitor at the counter: the service starts (step 9).
    pub started_at: Option<DateTime<Utc>>,
    /// The answer or escalation: the service ends.
    pub served_at: Option<DateTime<Utc>>,
    pub escalation_channel: Option<Channel>,
    pub escalation_status: Option<EscalationStatus>,
    pub escalated_at: Option<DateTime<Utc>>,
    /// LKPP's answer to the escalation.
    pub lkpp_answered_at: Option<DateTime<Utc>>,
    /// The SOP steps as recorded, each with the standard in force when it started.
    pub steps: Vec<StepFact>,
    /// The waiting time in working time, in milliseconds.
    pub waiting_working_ms: Option<i64>,
    /// The service time in working time, in milliseconds.
    pub service_working_ms: Option<i64>,
}

/// A step as the reports count it: the record, and how long it took once it has ended, by the
/// clock and in working time.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFact {
    pub record: StepRecord,
    pub clock_ms: Option<i64>,
    pub working_ms: Option<i64>,
}

impl StepFact {
    /// The same row of the reports: what the store keeps of a step (not how it is judged now).
    pub fn same_row(&self, other: &StepFact) -> bool {
        let (a, b) = (&self.record, &other.record);
        (a.step, a.started_at, a.finished_at, a.standard_minutes, a.instant, &a.by, a.outcome)
            == (b.step, b.started_at, b.finished_at, b.standard_minutes, b.instant, &b.by, b.outcome)
            && (self.clock_ms, self.working_ms) == (other.clock_ms, other.working_ms)
    }
}

/// The steps of a history as the reports count them (see [`Visit::facts`]). A history's steps
/// depend only on its events, so the steps of a history and of its first events share their
/// first rows: a write that appends events rewrites only the rows from the first that changed.
pub fn step_facts(
    history: &[crate::history::Event],
    standards: &[StepStandard],
    analysis_minutes: Option<u32>,
    now: DateTime<Utc>,
    working: &Measure<'_>,
) -> Vec<StepFact> {
    // The working time fixed when each step finished, where it was (see `seal_finished_steps`).
    let sealed_working = crate::standards::record_steps(history, &[], None, crate::calendar::TimeMeasure::Working)
        .into_iter()
        .map(|r| r.sealed_ms);
    steps(history, standards, analysis_minutes, now)
        .into_iter()
        .zip(sealed_working)
        .map(|(record, sealed_working)| StepFact {
            clock_ms: record.finished_at.map(|f| (f - record.started_at).num_milliseconds()),
            working_ms: record
                .finished_at
                .map(|f| sealed_working.unwrap_or_else(|| working.between(record.started_at, f).num_milliseconds())),
            record,
        })
        .collect()
}

/// How many rows `before` and `after` share from the start: the rows a write keeps.
pub fn unchanged_rows(before: &[StepFact], after: &[StepFact]) -> usize {
    before.iter().zip(after).take_while(|(a, b)| a.same_row(b)).count()
}

impl VisitFacts {
    /// Waiting time (number given to first call), in milliseconds.
    pub fn waiting_ms(&self) -> Option<i64> {
        Some((self.called_at? - self.queued_at?).num_milliseconds())
    }

    /// Service time (start of service to answer or escalation), in milliseconds.
    pub fn service_ms(&self) -> Option<i64> {
        Some((self.served_at? - self.started_at?).num_milliseconds())
    }
}

impl Visit {
    /// The visit's report facts. `standards` and `analysis_minutes` are the office's current
    /// time standards and the category's analysis target, used only for events written before
    /// the standard in force was recorded with them (see [`steps`]); `now` only judges running
    /// steps, which the reports do not count. `working` measures the working time kept beside
    /// the clock time: the office's calendar as it stands when the facts are written.
    pub fn facts(
        &self,
        standards: &[StepStandard],
        analysis_minutes: Option<u32>,
        now: DateTime<Utc>,
        working: &Measure<'_>,
    ) -> VisitFacts {
        let first = |kinds: &[EventKind]| self.history.iter().find(|e| kinds.contains(&e.kind));
        let served = first(&[EventKind::Answered, EventKind::Escalated]);
        let (queued_at, called_at, started_at, served_at) = (
            first(&[EventKind::Queued]).map(|e| e.at),
            first(&[EventKind::Called]).map(|e| e.at),
            first(&[EventKind::Started]).map(|e| e.at),
            served.map(|e| e.at),
        );
        let in_working = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| {
            Some(working.between(from?, to?).num_milliseconds())
        };
        let steps = step_facts(&self.history, standards, analysis_minutes, now, working);
        VisitFacts {
            visitor_role: self.visitor.role,
            category: self.form.category.clone(),
            outcome: Outcome::of(self),
            served_by: served.map(|e| e.by.clone()),
            copy: CopyState::of(self),
            queued_at,
            called_at,
            started_at,
            served_at,
            escalation_channel: self.escalation.as_ref().map(|e| e.channel),
            escalation_status: self.escalation.as_ref().map(|e| e.status),
            escalated_at: first(&[EventKind::Escalated]).map(|e| e.at),
            lkpp_answered_at: first(&[EventKind::EscalationAnswered]).map(|e| e.at),
            steps,
            waiting_working_ms: in_working(queued_at, called_at),
            service_working_ms: in_working(started_at, served_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, h, m, 0).single().unwrap_or_default()
    }

    #[test]
    fn an_open_escalation_ages_until_now_and_an_answered_one_until_its_answer() {
        use crate::calendar::{Measure, age_between};
        assert_eq!(age_between(at(1, 0), None, at(3, 30), &Measure::Clock), Duration::minutes(150));
        assert_eq!(age_between(at(1, 0), Some(at(2, 0)), at(3, 30), &Measure::Clock), Duration::minutes(60));
    }

    #[test]
    fn an_answer_recorded_before_the_escalation_never_gives_a_negative_age() {
        use crate::calendar::{Measure, age_between};
        assert_eq!(age_between(at(2, 0), Some(at(1, 0)), at(3, 0), &Measure::Clock), Duration::zero());
    }

    #[test]
    fn outcome_codes_read_back() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }
}
