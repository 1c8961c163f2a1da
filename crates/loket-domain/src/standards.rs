//! Time standards (mutu baku waktu): each SOP step's record, computed from the visit's history,
//! measured against the standard that was in force when the step started.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Measure, TimeMeasure};
use crate::errors::FieldErrors;
use crate::history::{Event, EventKind};

mod report;
pub mod watch;

pub use report::{
    AppliedStandard, Outcomes, StepSummary, StepTotals, TimeStandardsReport, WaitingSummary, report, running_over_ms,
};

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

pub(crate) fn standard_for(standards: &[StepStandard], step: u8) -> Option<u32> {
    standards.iter().find(|s| s.step == step).map(|s| s.minutes)
}

/// Steps recorded in the same instant as another one, by the same action: step 2 with the guest
/// book entry (1), steps 5 and 7, or 6, with the check (4), step 10 with the end of the analysis
/// (9). Their time is not measured, so they are never counted as within their standard. (Step 3
/// is instant too when the form comes filled from the kiosk with the guest book entry, and step 11
/// when the escalation goes through LKPP's TTS, its ticket number entered with it.)
pub fn is_instant(step: u8) -> bool {
    matches!(step, 2 | 5 | 6 | 7 | 10)
}

/// Who holds the form after step 7 until a helpdesk agent calls the visit: the waiting line.
pub const LINE_RECEIVER: &str = "line";

/// The standards in force for the steps an event starts, kept in the event's data under
/// `standards` (`{"3": 5}`), so that a later change of the settings never changes how the step
/// is judged. A step absent from it had no standard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardsInForce(BTreeMap<u8, u32>);

impl StandardsInForce {
    /// The standards of `steps` from the office's `standards`; step 9's is `analysis_minutes`
    /// (the category's target) when known.
    pub fn of(standards: &[StepStandard], analysis_minutes: Option<u32>, steps: &[u8]) -> StandardsInForce {
        let minutes = |step: u8| {
            if step == 9 { analysis_minutes.or(standard_for(standards, 9)) } else { standard_for(standards, step) }
        };
        StandardsInForce(steps.iter().filter_map(|&step| minutes(step).map(|m| (step, m))).collect())
    }

    pub fn minutes(&self, step: u8) -> Option<u32> {
        self.0.get(&step).copied()
    }

    /// What an event recorded: `None` for an event written before standards were recorded,
    /// else the standard of `step` in force then (itself `None` when the step had none).
    fn recorded(event: &Event, step: u8) -> Option<Option<u32>> {
        let recorded = event.data.get("standards")?;
        Some(recorded.get(step.to_string()).and_then(serde_json::Value::as_u64).and_then(|m| u32::try_from(m).ok()))
    }
}

/// How a step ended when not by its own act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    /// Step 9 ended by the visit's cancellation at the visitor's request, in service: no analysis
    /// was completed, so it is not judged against its standard.
    Cancelled,
}

/// One SOP step as it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepRecord {
    pub step: u8,
    #[serde(with = "crate::timestamp")]
    pub started_at: DateTime<Utc>,
    #[serde(default, with = "crate::timestamp::option")]
    pub finished_at: Option<DateTime<Utc>>,
    /// The standard in force when the step started.
    pub standard_minutes: Option<u32>,
    /// Null when the step has no standard, is instant, was cancelled, or is still running within
    /// it.
    pub within_standard: Option<bool>,
    /// Who did it; for step 7, who handed the form over. For the check (step 4) and the copy and
    /// archive (step 12), whose act is at their end, who ended them (the check, the archive),
    /// once ended; before, who started them.
    pub by: String,
    /// Who started the step (saved the form for the check, answered or escalated for step 12).
    #[serde(default)]
    pub started_by: String,
    /// Who ended it; none while it runs.
    #[serde(default)]
    pub finished_by: Option<String>,
    /// Recorded in the same instant as another step (2, 5, 6, 7, 10; 3 from the kiosk; 11 by
    /// TTS): not measured, not judged.
    #[serde(default)]
    pub instant: bool,
    /// Step 7 only: who received the form, `line` (the waiting line) until a helpdesk agent
    /// calls the visit, then that agent.
    #[serde(default)]
    pub received_by: Option<String>,
    /// How long the step took, or has run so far, in minutes, in the office's time measure
    /// (clock or working time); null for an instant step. A finished step's time is the one
    /// fixed when it finished (see [`seal_finished_steps`]).
    #[serde(default)]
    pub measured_minutes: Option<f64>,
    /// `cancelled` when the visit was cancelled at the visitor's request while this step (9, the
    /// analysis) ran: not judged; null otherwise.
    #[serde(default)]
    pub outcome: Option<StepOutcome>,
    /// The reason given for the cancellation, with `outcome: cancelled`.
    #[serde(default)]
    pub reason: Option<String>,
    /// The time fixed by the event that finished the step, in milliseconds.
    #[serde(skip)]
    pub(crate) sealed_ms: Option<i64>,
}

impl StepRecord {
    pub fn minutes(&self) -> Option<f64> {
        self.finished_at.map(|f| (f - self.started_at).num_milliseconds() as f64 / 60_000.0)
    }
}

/// The standards as the office has them now: only for histories written before standards were
/// recorded with the events that start the steps.
struct CurrentStandards<'a> {
    standards: &'a [StepStandard],
    analysis_minutes: Option<u32>,
}

/// Builds the step records while the history is read, oldest event first.
struct Steps<'a> {
    out: Vec<StepRecord>,
    current: CurrentStandards<'a>,
    /// The measure whose sealed times are read.
    measure: TimeMeasure,
}

impl Steps<'_> {
    /// The standard in force for `step` when `event` started it.
    fn standard(&self, event: &Event, step: u8) -> Option<u32> {
        StandardsInForce::recorded(event, step).unwrap_or_else(|| {
            let CurrentStandards { standards, analysis_minutes } = self.current;
            StandardsInForce::of(standards, analysis_minutes, &[step]).minutes(step)
        })
    }

    /// A step that starts at `event` and runs until a later event ends it.
    fn open(&mut self, step: u8, event: &Event) {
        self.push(step, event.at, None, event);
    }

    /// A step that starts and ends at `event`.
    fn done(&mut self, step: u8, event: &Event) {
        self.push(step, event.at, Some(event.at), event);
    }

    fn push(&mut self, step: u8, started_at: DateTime<Utc>, finished_at: Option<DateTime<Utc>>, event: &Event) {
        let record = StepRecord {
            step,
            started_at,
            finished_at,
            standard_minutes: self.standard(event, step),
            within_standard: None,
            by: event.by.clone(),
            started_by: event.by.clone(),
            finished_by: finished_at.map(|_| event.by.clone()),
            instant: is_instant(step),
            received_by: (step == 7).then(|| LINE_RECEIVER.to_owned()),
            measured_minutes: None,
            outcome: None,
            reason: None,
            sealed_ms: None,
        };
        self.out.push(record);
    }

    fn running(&mut self, step: u8) -> Option<&mut StepRecord> {
        self.out.iter_mut().rev().find(|r| r.step == step && r.finished_at.is_none())
    }

    /// Ends the running `step` at `event`; false when none runs. The check (4) and the copy and
    /// archive (12) are done by whoever ends them.
    fn finish(&mut self, step: u8, event: &Event) -> bool {
        let measure = self.measure;
        match self.running(step) {
            Some(r) => {
                r.finished_at = Some(event.at);
                r.finished_by = Some(event.by.clone());
                r.sealed_ms = sealed_ms(event, step, measure);
                if matches!(step, 4 | 12) {
                    r.by = event.by.clone();
                }
                true
            }
            None => false,
        }
    }

    /// Ends the running `step` at `event`, or records it as done there when it was not running
    /// (a history that did not open it).
    fn finish_or_done(&mut self, step: u8, event: &Event) {
        if !self.finish(step, event) {
            self.done(step, event);
        }
    }

    /// Step 3 ends when the form is saved, and step 4 (the check) starts. Saving again before the
    /// check extends the same step 3: the check starts anew from the last save.
    fn form_saved(&mut self, event: &Event) {
        let measure = self.measure;
        if let Some(step3) = self.running(3) {
            step3.finished_at = Some(event.at);
            step3.finished_by = Some(event.by.clone());
            step3.sealed_ms = sealed_ms(event, 3, measure);
            // Saved in the instant it was issued: the form was filled before (at the kiosk), and
            // that time is not measured.
            step3.instant = step3.started_at == event.at;
        } else {
            let resaved = self.running(4).is_some();
            self.out.retain(|r| !(r.step == 4 && r.finished_at.is_none()));
            match self.out.iter_mut().rev().find(|r| r.step == 3) {
                Some(step3) if resaved => {
                    step3.finished_at = Some(event.at);
                    step3.finished_by = Some(event.by.clone());
                    step3.sealed_ms = sealed_ms(event, 3, measure);
                }
                _ => self.done(3, event),
            }
        }
        self.open(4, event);
    }
}

/// The time of `step` fixed by `event`, which finished it, in `measure`: milliseconds, as the
/// event recorded them (its `measured`, `{"9": {"clock": 1834000, "working": 1834000}}`).
fn sealed_ms(event: &Event, step: u8, measure: TimeMeasure) -> Option<i64> {
    let key = match measure {
        TimeMeasure::Clock => "clock",
        TimeMeasure::Working => "working",
    };
    event.data.get("measured")?.get(step.to_string())?.get(key)?.as_i64()
}

/// Fixes the time of each step that the events from `from` on finish: measured when they are
/// written, by the clock and in working time by the calendar as it stands (`working`), and kept
/// in the finishing event's data under `measured`. A later change of the calendar or the opening
/// hours then never changes a finished step's time or verdict, on any screen or report; the
/// office's choice of measure picks one of the two. Events already sealed, and steps finished
/// in the instant they started, are left as they are.
pub fn seal_finished_steps(history: &mut [Event], from: usize, working: &Measure<'_>) {
    for i in from..history.len() {
        if history[i].data.get("measured").is_some() {
            continue;
        }
        let before = record_steps(&history[..i], &[], None, TimeMeasure::Clock);
        let after = record_steps(&history[..=i], &[], None, TimeMeasure::Clock);
        let at = history[i].at;
        let finished_here = |r: &&StepRecord| {
            !r.instant
                && r.finished_at == Some(at)
                && r.started_at < at
                && !before.iter().any(|b| b.step == r.step && b.started_at == r.started_at && b.finished_at.is_some())
        };
        let measured: serde_json::Map<String, serde_json::Value> = after
            .iter()
            .filter(finished_here)
            .map(|r| {
                let clock = Measure::Clock.between(r.started_at, at).num_milliseconds();
                let working = working.between(r.started_at, at).num_milliseconds();
                (r.step.to_string(), serde_json::json!({"clock": clock, "working": working}))
            })
            .collect();
        if !measured.is_empty() && history[i].data.is_object() {
            history[i].data["measured"] = serde_json::Value::Object(measured);
        }
    }
}

/// The steps of a visit, in order, read from its history. A step with a standard is open from
/// its start: judged against `now` while it runs, it shows `within_standard: false` once it has
/// passed its standard. Each step is judged by the standard recorded with the event that started
/// it; `standards` and `analysis_minutes` (step 9's standard from the category's priority) are
/// the office's current ones, used only for events written before standards were recorded.
pub fn steps(
    history: &[Event],
    standards: &[StepStandard],
    analysis_minutes: Option<u32>,
    now: DateTime<Utc>,
) -> Vec<StepRecord> {
    steps_measured(history, standards, analysis_minutes, now, &Measure::Clock)
}

/// A visit's steps at `now`, read from its history, in the office's measure (clock or working
/// time); the office's current standards serve only events written before standards were
/// recorded with them. What every screen and the API show of a visit's steps.
pub fn visit_steps(
    visit: &crate::Visit,
    settings: &crate::settings::OfficeSettings,
    now: DateTime<Utc>,
) -> Vec<StepRecord> {
    let analysis_minutes = settings.analysis_minutes(visit.form.category.as_deref());
    steps_measured(&visit.history, &settings.time_standards, analysis_minutes, now, &settings.measure())
}

/// The step still running among a visit's steps (not instant, not finished), the latest one.
pub fn running_step(steps: &[StepRecord]) -> Option<&StepRecord> {
    steps.iter().rev().find(|s| s.finished_at.is_none() && !s.instant)
}

/// [`steps`], each step's time measured by `measure` (the office's choice, clock or working
/// time): its `measured_minutes` and whether it is within its standard.
pub fn steps_measured(
    history: &[Event],
    standards: &[StepStandard],
    analysis_minutes: Option<u32>,
    now: DateTime<Utc>,
    measure: &Measure<'_>,
) -> Vec<StepRecord> {
    let mut out = record_steps(history, standards, analysis_minutes, measure.kind());
    for r in &mut out {
        if r.instant {
            continue;
        }
        let elapsed_ms = r
            .sealed_ms
            .unwrap_or_else(|| measure.between(r.started_at, r.finished_at.unwrap_or(now)).num_milliseconds());
        r.measured_minutes = Some(elapsed_ms as f64 / 60_000.0);
        r.within_standard = judge(r, elapsed_ms);
    }
    out
}

/// The steps as the history records them, not yet measured.
pub(crate) fn record_steps(
    history: &[Event],
    standards: &[StepStandard],
    analysis_minutes: Option<u32>,
    measure: TimeMeasure,
) -> Vec<StepRecord> {
    let mut s = Steps { out: Vec::new(), current: CurrentStandards { standards, analysis_minutes }, measure };
    for e in history {
        match e.kind {
            EventKind::Created => {
                s.done(1, e);
                s.done(2, e);
                s.open(3, e);
            }
            EventKind::FormSaved => s.form_saved(e),
            EventKind::FoundIncomplete => {
                s.finish_or_done(4, e);
                s.done(6, e);
                s.open(3, e);
            }
            EventKind::Queued => {
                s.finish_or_done(4, e);
                s.done(5, e);
                s.done(7, e);
            }
            EventKind::Called => {
                // The first agent to call the visit receives the form from the line.
                let handover = s.out.iter_mut().rev().find(|r| r.step == 7);
                if let Some(h) = handover.filter(|h| h.received_by.as_deref() == Some(LINE_RECEIVER)) {
                    h.received_by = Some(e.by.clone());
                }
                if s.running(8).is_none() {
                    s.open(8, e);
                }
            }
            EventKind::NoShow | EventKind::NotServed => {
                s.finish(8, e);
            }
            EventKind::Started => {
                s.finish(8, e);
                s.open(9, e);
            }
            EventKind::Answered => {
                s.finish(9, e);
                s.done(10, e);
                s.open(12, e);
            }
            EventKind::Escalated => {
                s.finish(9, e);
                // Step 11 ends when the escalation has left: a TTS ticket exists once its number
                // is entered (with the escalation); an e-mail has left once the mail server took it.
                // The TTS ticket is made in LKPP's application before it is entered here, at a
                // time Loket does not know: the step is instant, not measured and not judged.
                if e.data.get("channel").and_then(serde_json::Value::as_str) == Some("tts") {
                    s.done(11, e);
                    if let Some(r) = s.out.last_mut() {
                        r.instant = true;
                    }
                } else {
                    s.open(11, e);
                }
                s.open(12, e);
            }
            // LKPP's answer shows the escalation had left, if its sending was never recorded.
            EventKind::EscalationSent | EventKind::EscalationAnswered => {
                s.finish(11, e);
            }
            EventKind::Archived => {
                // A later archived version is not a second step 12.
                if !s.finish(12, e) && !s.out.iter().any(|r| r.step == 12) {
                    s.done(12, e);
                }
            }
            EventKind::Cancelled => {
                // Cancelled before the call, or in service at the visitor's request: then the
                // analysis ends without a result, its own outcome, with the reason given.
                s.finish(8, e);
                if s.finish(9, e)
                    && let Some(r) = s.out.iter_mut().rev().find(|r| r.step == 9)
                {
                    r.outcome = Some(StepOutcome::Cancelled);
                    r.reason = e.data.get("reason").and_then(serde_json::Value::as_str).map(str::to_owned);
                }
                // A form never returned or never checked: those steps did not happen.
                s.out.retain(|r| !(matches!(r.step, 3 | 4) && r.finished_at.is_none()));
            }
            // The copy is part of step 12, which ends with the archive.
            EventKind::Recalled
            | EventKind::Skipped
            | EventKind::CopyGiven
            | EventKind::CopySent
            | EventKind::Transferred => {}
        }
    }
    s.out
}

/// Within the standard, past it, or not (yet) judged, after `elapsed_ms` (to its end, or to now
/// while it runs) in the office's measure.
fn judge(r: &StepRecord, elapsed_ms: i64) -> Option<bool> {
    if r.instant || r.outcome.is_some() {
        return None;
    }
    let limit_ms = i64::from(r.standard_minutes?) * 60_000;
    match r.finished_at {
        Some(_) => Some(elapsed_ms <= limit_ms),
        None => (elapsed_ms > limit_ms).then_some(false),
    }
}

/// Waiting time (step 8's main figure): from the number given to the first call, in minutes.
pub fn waiting_minutes(history: &[Event]) -> Option<f64> {
    waiting_minutes_measured(history, &Measure::Clock)
}

/// [`waiting_minutes`] in the office's measure.
pub fn waiting_minutes_measured(history: &[Event], measure: &Measure<'_>) -> Option<f64> {
    let queued = history.iter().find(|e| e.kind == EventKind::Queued)?.at;
    let called = history.iter().find(|e| e.kind == EventKind::Called)?.at;
    Some(measure.between(queued, called).num_milliseconds() as f64 / 60_000.0)
}

#[cfg(test)]
mod tests;
