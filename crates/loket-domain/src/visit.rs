//! The visit: one walk-in case from guest book to archive, and the state machine of the SOP.
//!
//! Each transition is a method that either changes the visit and returns the event it produced,
//! or says which rule it broke. Time comes in as `now`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::archive::{Archive, ArchiveStamp, CopyGiven, CopyVia};
use crate::errors::{FieldErrors, Refused};
use crate::escalation::{
    Channel, Escalation, EscalationStatus, LkppAnswer, OutgoingMail, answer_mail, copy_mail, escalation_mail,
};
use crate::form::{Form, FormInput, completeness};
use crate::guest_book::{Visitor, VisitorInput, text};
use crate::history::{Event, EventKind};
use crate::line::{CALLS_BEFORE_SKIP, CallingPolicy, Requeue, SkipOutcome, requeue_position, skip_outcome};
use crate::priority::PriorityTable;
use crate::settings::OfficeSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    FormIssued,
    FormSubmitted,
    FormIncomplete,
    Waiting,
    Called,
    InService,
    Answered,
    Escalated,
    Archived,
    NoShow,
    /// The office day ended while the visit was still in line (tidak terlayani).
    NotServed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 12] = [
        Status::FormIssued,
        Status::FormSubmitted,
        Status::FormIncomplete,
        Status::Waiting,
        Status::Called,
        Status::InService,
        Status::Answered,
        Status::Escalated,
        Status::Archived,
        Status::NoShow,
        Status::NotServed,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::FormIssued => "form_issued",
            Status::FormSubmitted => "form_submitted",
            Status::FormIncomplete => "form_incomplete",
            Status::Waiting => "waiting",
            Status::Called => "called",
            Status::InService => "in_service",
            Status::Answered => "answered",
            Status::Escalated => "escalated",
            Status::Archived => "archived",
            Status::NoShow => "no_show",
            Status::NotServed => "not_served",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A counter with a visit in one of these may not call another.
    pub fn occupies_counter(self) -> bool {
        matches!(self, Status::Called | Status::InService)
    }

    /// The statuses that occupy a counter.
    pub fn occupying_counter() -> impl Iterator<Item = Status> {
        Status::ALL.into_iter().filter(|s| s.occupies_counter())
    }

    /// In line: waiting, or called and not yet at the counter. Such a visit belongs to its office
    /// day and ends with it.
    pub fn in_line(self) -> bool {
        matches!(self, Status::Waiting | Status::Called)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The visit's place in the line (steps 5-8).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// `A-001`; none until step 5.
    pub number: Option<String>,
    /// The office day the number belongs to.
    pub day: Option<NaiveDate>,
    pub call_count: u32,
    pub skip_count: u32,
    pub counter: Option<String>,
    /// The priority lane (visitors with special needs, UU 25/2009) is called first.
    pub priority_lane: bool,
    /// Order within the lane; smaller is called earlier.
    pub position: Option<i64>,
    #[serde(default, with = "crate::timestamp::option")]
    pub called_at: Option<DateTime<Utc>>,
    /// The token of the visitor's status page (`/status/{token}`), given with the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: String,
    pub reference: String,
    pub service: String,
    pub status: Status,
    pub visitor: Visitor,
    pub form: Form,
    pub queue: Queue,
    pub analysis: Option<String>,
    pub answer: Option<String>,
    pub escalation: Option<Escalation>,
    pub archive: Option<Archive>,
    /// Step 12: the visitor's copy of the form, as last recorded.
    #[serde(default)]
    pub copy: Option<CopyGiven>,
    /// The token of the visit's satisfaction survey link (`/survey/{token}`), made once when the
    /// visit is served, printed as a link and a QR code on the visitor's copy of the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_token: Option<String>,
    pub cancel_reason: Option<String>,
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Every transition so far, oldest first: each method that changes the visit appends one.
    #[serde(default)]
    pub history: Vec<Event>,
}

/// The place a visit is given in the line at step 5, allocated by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePlace {
    pub number: String,
    pub day: NaiveDate,
    pub position: i64,
    pub priority_lane: bool,
    /// The random token of the visitor's status page.
    pub status_token: String,
}

/// The outcome of the check at step 4, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Complete,
    Incomplete(FieldErrors),
}

pub const ANALYSIS_MAX: usize = 5000;
pub const ANSWER_MAX: usize = 10_000;
pub const REASON_MAX: usize = 500;

impl Visit {
    /// Steps 1-2: the guest book entry is made and the form issued; step 3 (filling the form)
    /// starts. Each transition records the standards in force for the steps it starts.
    pub fn open(
        id: String,
        reference: String,
        service: String,
        visitor: Visitor,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> (Visit, Event) {
        let visit = Visit {
            id,
            reference,
            service,
            status: Status::FormIssued,
            visitor,
            form: Form::default(),
            queue: Queue::default(),
            analysis: None,
            answer: None,
            escalation: None,
            archive: None,
            copy: None,
            survey_token: None,
            cancel_reason: None,
            created_at: now,
            updated_at: now,
            history: Vec::new(),
        };
        let standards = settings.standards_in_force(&[1, 2, 3], None);
        // The guest book entry as first written, so that a later correction never loses it.
        let written = crate::corrections::as_written(&visit.visitor, &visit.form);
        let data = json!({"service": visit.service, "standards": standards, "written": written});
        let event = visit.event(EventKind::Created, None, now, by, data);
        let mut visit = visit;
        visit.history.push(event.clone());
        (visit, event)
    }

    fn event(
        &self,
        kind: EventKind,
        from: Option<Status>,
        at: DateTime<Utc>,
        by: &str,
        data: serde_json::Value,
    ) -> Event {
        Event { kind, at, by: by.to_owned(), from, to: self.status, data }
    }

    fn refuse(&self, action: &'static str) -> Refused {
        Refused::InvalidTransition { from: self.status, action }
    }

    fn moved(&mut self, to: Status, kind: EventKind, now: DateTime<Utc>, by: &str, data: serde_json::Value) -> Event {
        let from = self.status;
        self.status = to;
        self.updated_at = now;
        let event = self.event(kind, Some(from), now, by, data);
        self.history.push(event.clone());
        event
    }

    /// Step 3: the visitor's form is saved, complete or not; the check (step 4) starts. Each given
    /// field is checked for its format at once; on any error nothing is applied.
    pub fn save_form(
        &mut self,
        visitor: Option<&VisitorInput>,
        form: &FormInput,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        let table = &settings.priorities;
        if !matches!(self.status, Status::FormIssued | Status::FormSubmitted | Status::FormIncomplete) {
            return Err(self.refuse("given a form"));
        }
        let mut errors = FieldErrors::default();
        let next_visitor = match visitor.map(|v| self.visitor.apply(v)) {
            None => Some(self.visitor.clone()),
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                errors.merge(e);
                None
            }
        };
        let next_form = self.form.apply(form, table).map_err(|e| errors.merge(e)).ok();
        match (next_visitor, next_form) {
            (Some(v), Some(f)) if errors.is_empty() => {
                // What the save changed, before and after: every version of the form stays readable.
                let changed = crate::corrections::changed((&self.visitor, &self.form), (&v, &f));
                self.visitor = v;
                self.form = f;
                let data = json!({"standards": settings.standards_in_force(&[4], None), "changed": changed});
                Ok(self.moved(Status::FormSubmitted, EventKind::FormSaved, now, by, data))
            }
            _ => Err(Refused::Validation(errors)),
        }
    }

    /// Step 4: is the form complete? Writes nothing; see [`Visit::enqueue`] and
    /// [`Visit::mark_incomplete`].
    pub fn check(&self, required: &[String], table: &PriorityTable) -> Result<Check, Refused> {
        if !matches!(self.status, Status::FormSubmitted | Status::FormIncomplete) {
            return Err(self.refuse("checked"));
        }
        let errors = completeness(&self.visitor, &self.form, required, table);
        Ok(if errors.is_empty() { Check::Complete } else { Check::Incomplete(errors) })
    }

    /// Steps 4 and 6: not complete; the visitor is asked to complete the form (step 3 again).
    /// Nothing entered is lost.
    pub fn mark_incomplete(
        &mut self,
        errors: &FieldErrors,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        if !matches!(self.status, Status::FormSubmitted | Status::FormIncomplete) {
            return Err(self.refuse("checked"));
        }
        let data = json!({"fields": errors, "standards": settings.standards_in_force(&[6, 3], None)});
        Ok(self.moved(Status::FormIncomplete, EventKind::FoundIncomplete, now, by, data))
    }

    /// Steps 4, 5 and 7: complete; the visit gets its number and waits in line, and the form
    /// goes to the helpdesk.
    pub fn enqueue(
        &mut self,
        place: LinePlace,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        if !matches!(self.status, Status::FormSubmitted | Status::FormIncomplete) {
            return Err(self.refuse("given a number"));
        }
        let standards = settings.standards_in_force(&[5, 7], None);
        let data = json!({"number": place.number, "priority_lane": place.priority_lane, "standards": standards});
        self.queue = Queue {
            number: Some(place.number),
            day: Some(place.day),
            call_count: 0,
            skip_count: 0,
            counter: None,
            priority_lane: place.priority_lane,
            position: Some(place.position),
            called_at: None,
            status_token: Some(place.status_token),
        };
        Ok(self.moved(Status::Waiting, EventKind::Queued, now, by, data))
    }

    /// Step 8: the first call of this number at a counter.
    pub fn call(
        &mut self,
        counter: &str,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        if self.status != Status::Waiting {
            return Err(self.refuse("called"));
        }
        self.queue.call_count = 1;
        self.queue.counter = Some(counter.to_owned());
        self.queue.called_at = Some(now);
        let mut data = self.call_data();
        data["standards"] = json!(settings.standards_in_force(&[8], None));
        Ok(self.moved(Status::Called, EventKind::Called, now, by, data))
    }

    fn call_data(&self) -> serde_json::Value {
        json!({"counter": self.queue.counter, "number": self.queue.number, "call_count": self.queue.call_count})
    }

    /// Step 8: the same number called again; three calls in all, each at least the office's
    /// spacing after the one before.
    pub fn recall(&mut self, policy: CallingPolicy, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        if self.status != Status::Called {
            return Err(self.refuse("called again"));
        }
        if self.queue.call_count >= CALLS_BEFORE_SKIP {
            return Err(Refused::CallLimitReached);
        }
        policy.ensure_spaced(self.queue.called_at, now)?;
        self.queue.call_count += 1;
        self.queue.called_at = Some(now);
        let data = self.call_data();
        Ok(self.moved(Status::Called, EventKind::Recalled, now, by, data))
    }

    /// SOP step 8: after the third unanswered call, and only then, the counter may skip.
    /// The skipped visit goes back directly behind the one called in its place (see
    /// [`requeue_position`]; `requeue` is read after the next visit was called), or is closed as
    /// no-show once its returns are used up.
    pub fn skip(
        &mut self,
        policy: CallingPolicy,
        requeue: Requeue,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        self.ensure_skippable(policy, now)?;
        let counter = self.queue.counter.take();
        let data = json!({"counter": counter, "number": self.queue.number, "calls": self.queue.call_count});
        self.queue.call_count = 0;
        match skip_outcome(self.queue.skip_count, policy) {
            SkipOutcome::NoShow => Ok(self.moved(Status::NoShow, EventKind::NoShow, now, by, data)),
            SkipOutcome::Requeued => {
                self.queue.skip_count += 1;
                let own = self.queue.position.unwrap_or_default();
                self.queue.position =
                    Some(requeue_position(requeue.called_in_place, requeue.first_waiting_of_service, own));
                Ok(self.moved(Status::Waiting, EventKind::Skipped, now, by, data))
            }
        }
    }

    /// Whether [`Visit::skip`] would be refused, asked before the next visit is called: after
    /// the third call, once the office's spacing has passed since it.
    pub fn ensure_skippable(&self, policy: CallingPolicy, now: DateTime<Utc>) -> Result<(), Refused> {
        if self.status != Status::Called {
            return Err(self.refuse("skipped"));
        }
        if self.queue.call_count < CALLS_BEFORE_SKIP {
            return Err(Refused::CallsRemaining { made: self.queue.call_count });
        }
        policy.ensure_spaced(self.queue.called_at, now)
    }

    /// The visitor came to the counter: the analysis (step 9) starts, held to the analysis target
    /// of the form's category.
    pub fn start(&mut self, settings: &OfficeSettings, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        if self.status != Status::Called {
            return Err(self.refuse("started"));
        }
        let standards = settings.standards_in_force(&[9], self.form.category.as_deref());
        let data = json!({"counter": self.queue.counter, "standards": standards});
        Ok(self.moved(Status::InService, EventKind::Started, now, by, data))
    }

    /// Steps 9-10: analysed, and answered in writing on the form; step 12 (copy and archive)
    /// starts.
    pub fn answer(
        &mut self,
        analysis: &str,
        answer: &str,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        if self.status != Status::InService {
            return Err(self.refuse("answered"));
        }
        let mut errors = FieldErrors::default();
        let analysis = required_text(analysis, ANALYSIS_MAX, "analysis", &mut errors);
        let answer = required_text(answer, ANSWER_MAX, "answer", &mut errors);
        if !errors.is_empty() {
            return Err(Refused::Validation(errors));
        }
        self.analysis = analysis;
        self.answer = answer;
        let data = json!({"standards": settings.standards_in_force(&[10, 12], None)});
        Ok(self.moved(Status::Answered, EventKind::Answered, now, by, data))
    }

    /// Steps 9 and 11: analysed, no solution found here; escalated to the LKPP helpdesk; step 12
    /// starts. A TTS escalation needs the ticket number TTS gave; an e-mail one waits in the
    /// outbox, and step 11 runs until it is sent.
    pub fn escalate(
        &mut self,
        request: &EscalationRequest,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        if self.status != Status::InService {
            return Err(self.refuse("escalated"));
        }
        let mut errors = FieldErrors::default();
        let analysis = required_text(&request.analysis, ANALYSIS_MAX, "analysis", &mut errors);
        let summary = required_text(&request.summary, crate::escalation::SUMMARY_MAX, "summary", &mut errors);
        let reference = request
            .external_reference
            .as_deref()
            .and_then(|r| text(r, crate::escalation::EXTERNAL_REFERENCE_MAX, "external_reference", &mut errors));
        if request.channel == Channel::Tts && reference.is_none() {
            errors.add("external_reference", "missing");
        }
        if !errors.is_empty() {
            return Err(Refused::Validation(errors));
        }
        let (status, sent_at) = match request.channel {
            Channel::Tts => (EscalationStatus::Sent, Some(now)),
            Channel::Email => (EscalationStatus::Pending, None),
        };
        self.analysis = analysis;
        self.escalation = Some(Escalation {
            channel: request.channel,
            status,
            external_reference: reference,
            sent_at,
            answer: None,
            summary: summary.unwrap_or_default(),
            answered_at: None,
            lkpp_ticket: None,
        });
        let data = json!({"channel": request.channel, "standards": settings.standards_in_force(&[11, 12], None)});
        Ok(self.moved(Status::Escalated, EventKind::Escalated, now, by, data))
    }

    /// The escalation e-mail was accepted by the mail server: step 11 ends.
    pub fn escalation_sent(
        &mut self,
        message_id: Option<String>,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        let status = self.status;
        let Some(esc) = self.escalation.as_mut().filter(|e| e.status == EscalationStatus::Pending) else {
            return Err(Refused::InvalidTransition { from: status, action: "marked as sent" });
        };
        esc.status = EscalationStatus::Sent;
        esc.sent_at = Some(now);
        if esc.external_reference.is_none() {
            esc.external_reference = message_id;
        }
        Ok(self.moved(status, EventKind::EscalationSent, now, by, json!({})))
    }

    /// Whether the visit's escalation waits for LKPP's answer: escalated (or archived since) and
    /// not answered yet.
    pub fn awaits_lkpp(&self) -> bool {
        matches!(self.status, Status::Escalated | Status::Archived)
            && self.escalation.as_ref().is_some_and(|e| e.status != EscalationStatus::Answered)
    }

    /// LKPP answered: typed in by the agent, or read from the office's mailbox (then the event
    /// names the mail and LKPP's ticket number). Allowed after the archive too (LKPP answers take
    /// days): the archive then gets a new version.
    pub fn answer_escalation(&mut self, answer: &LkppAnswer, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        let status = self.status;
        let open = self.awaits_lkpp();
        let Some(esc) = self.escalation.as_mut().filter(|_| open) else {
            return Err(Refused::InvalidTransition { from: status, action: "given LKPP's answer" });
        };
        let mut errors = FieldErrors::default();
        let text = required_text(&answer.text, ANSWER_MAX, "answer", &mut errors);
        if !errors.is_empty() {
            return Err(Refused::Validation(errors));
        }
        esc.status = EscalationStatus::Answered;
        esc.answer = text;
        esc.answered_at = Some(now);
        let data = match &answer.mail {
            Some(mail) => {
                esc.lkpp_ticket = mail.lkpp_ticket.clone();
                let mut data = json!({"via": "email", "message_id": mail.message_id, "lkpp_ticket": mail.lkpp_ticket});
                if let Some(by) = &mail.confirmed_by {
                    data["confirmed_by"] = json!(by);
                }
                data
            }
            None => json!({}),
        };
        Ok(self.moved(status, EventKind::EscalationAnswered, now, by, data))
    }

    /// Step 12: the visitor's copy of the form, printed, e-mailed (to the address they gave),
    /// or declined by them. Recorded again when given again (printed, then e-mailed too). A copy
    /// printed or e-mailed is the form's document as last fixed, when nothing but copies happened
    /// since ([`Visit::document_current`]); otherwise the store fixes a new one first
    /// ([`Visit::give_copy_of`]).
    pub fn give_copy(&mut self, via: CopyVia, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        self.give_copy_of(via, None, now, by)
    }

    /// Step 12: the visitor's copy, `fixed` the document made for it just now (an archived
    /// version: its number, version and SHA-256). Without one, a printed or e-mailed copy is the
    /// current document, if any. The event records which document was given.
    pub fn give_copy_of(
        &mut self,
        via: CopyVia,
        fixed: Option<Archive>,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        if !matches!(self.status, Status::Answered | Status::Escalated) {
            return Err(self.refuse("given a copy"));
        }
        if via == CopyVia::Email && self.visitor.email.as_deref().is_none_or(str::is_empty) {
            return Err(Refused::validation("visitor.email", "missing"));
        }
        let document = match via {
            CopyVia::Declined => None,
            CopyVia::Printed | CopyVia::Email => fixed.or_else(|| self.document_current().cloned()),
        };
        let mut data = json!({"via": via});
        if let Some(doc) = &document {
            data["sha256"] = json!(doc.sha256);
            data["number"] = json!(doc.number);
            data["version"] = json!(doc.version);
        }
        let pending = via == CopyVia::Email;
        self.copy = Some(CopyGiven { via, at: now, by: by.to_owned(), pending, document });
        let status = self.status;
        Ok(self.moved(status, EventKind::CopyGiven, now, by, data))
    }

    /// When the visit got its number (step 5): its waiting time counts from there, a skip does
    /// not start it again.
    pub fn queued_at(&self) -> Option<DateTime<Utc>> {
        self.history.iter().find(|e| e.kind == EventKind::Queued).map(|e| e.at)
    }

    /// Waiting again after its number was called three times and skipped: it is called again at
    /// the next turn (SOP step 8).
    pub fn waits_after_skip(&self) -> bool {
        self.status == Status::Waiting && self.queue.skip_count > 0
    }

    /// The latest fixed document of the form, as its history names it: the latest archived
    /// version, or a document given as the visitor's copy since (a copy declined later does not
    /// undo it: the document stays fixed under its version).
    pub fn latest_document(&self) -> Option<Archive> {
        self.history.iter().rev().filter(|e| matches!(e.kind, EventKind::CopyGiven | EventKind::Archived)).find_map(
            |e| {
                Some(Archive {
                    number: e.data["number"].as_str()?.to_owned(),
                    archived_at: e.at,
                    sha256: e.data["sha256"].as_str()?.to_owned(),
                    version: u32::try_from(e.data["version"].as_u64()?).ok()?,
                })
            },
        )
    }

    /// The document given as the visitor's copy, while it still says what the visit says: since
    /// it was fixed, nothing but copies happened (no answer of LKPP, no escalation mail leaving).
    /// Step 12 archives this very document; a copy given again gives it again.
    pub fn document_current(&self) -> Option<&Archive> {
        let doc = self.copy.as_ref()?.document.as_ref()?;
        let fixed_at = self
            .history
            .iter()
            .position(|e| e.kind == EventKind::CopyGiven && e.data["sha256"] == json!(doc.sha256))?;
        let only_copies =
            self.history[fixed_at + 1..].iter().all(|e| matches!(e.kind, EventKind::CopyGiven | EventKind::CopySent));
        only_copies.then_some(doc)
    }

    /// Whether a copy by `via` needs a new document fixed for it (printed or e-mailed, and no
    /// current one).
    pub fn copy_needs_document(&self, via: CopyVia) -> bool {
        via != CopyVia::Declined && self.document_current().is_none()
    }

    /// Step 12: the mail server took the e-mailed copy; it counts as given from now.
    pub fn copy_sent(&mut self, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        let status = self.status;
        let Some(copy) = self.copy.as_mut().filter(|c| c.pending) else {
            return Err(Refused::InvalidTransition { from: status, action: "marked as given by mail" });
        };
        copy.pending = false;
        Ok(self.moved(status, EventKind::CopySent, now, by, json!({"via": CopyVia::Email})))
    }

    /// Whether the visit may be archived now: answered or escalated, and the visitor's copy
    /// recorded (SOP step 12 gives the copy, then archives the original).
    pub fn ensure_archivable(&self) -> Result<(), Refused> {
        if !matches!(self.status, Status::Answered | Status::Escalated) {
            return Err(self.refuse("archived"));
        }
        match &self.copy {
            None => Err(Refused::CopyMissing),
            Some(copy) if copy.pending => Err(Refused::CopyPending),
            Some(_) => Ok(()),
        }
    }

    /// Step 12: the copy given, the original archived. `archive` names the document stored.
    pub fn archive(&mut self, archive: Archive, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        self.ensure_archivable()?;
        let data = json!({"number": archive.number, "sha256": archive.sha256, "version": archive.version});
        self.archive = Some(archive);
        Ok(self.moved(Status::Archived, EventKind::Archived, now, by, data))
    }

    /// A new archived version after a change to an archived visit (LKPP's answer).
    pub fn rearchive(&mut self, archive: Archive, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        if self.status != Status::Archived {
            return Err(self.refuse("archived again"));
        }
        let data = json!({"number": archive.number, "sha256": archive.sha256, "version": archive.version});
        self.archive = Some(archive);
        Ok(self.moved(Status::Archived, EventKind::Archived, now, by, data))
    }

    /// The visitor left, or the visit was opened by mistake: before the visitor is called, or at
    /// the visitor's request once in service. A called visit cannot be cancelled: an absent
    /// visitor leaves the line only by the calling rule (three calls, skip, return, no-show).
    pub fn cancel(&mut self, reason: &str, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        if !matches!(
            self.status,
            Status::FormIssued | Status::FormSubmitted | Status::FormIncomplete | Status::Waiting | Status::InService
        ) {
            return Err(self.refuse("cancelled"));
        }
        let mut errors = FieldErrors::default();
        let reason = required_text(reason, REASON_MAX, "reason", &mut errors);
        if !errors.is_empty() {
            return Err(Refused::Validation(errors));
        }
        let data = json!({"reason": reason, "counter": self.queue.counter});
        self.cancel_reason = reason;
        self.queue.counter = None;
        Ok(self.moved(Status::Cancelled, EventKind::Cancelled, now, by, data))
    }
}

/// What opening a visit needs (steps 1-2): a service the office has (its first when none is
/// named), and a guest book entry with at least the visitor's name.
pub fn opening(
    settings: &OfficeSettings,
    service: Option<&str>,
    visitor: &VisitorInput,
) -> Result<(String, Visitor), Refused> {
    let services = &settings.office.services;
    let service = match service {
        Some(code) if services.iter().any(|s| s.code == code) => code.to_owned(),
        Some(_) => return Err(Refused::validation("service", "unknown")),
        None => services.first().map(|s| s.code.clone()).ok_or_else(|| Refused::validation("service", "missing"))?,
    };
    let visitor = Visitor::default().apply(visitor).map_err(Refused::Validation)?;
    if visitor.name.is_none() {
        return Err(Refused::validation("visitor.name", "missing"));
    }
    Ok((service, visitor))
}

/// What a change to a visit brings with it besides itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUps {
    /// A mail for the outbox: the escalation (step 11), the visitor's copy (step 12), or LKPP's
    /// answer to the visitor.
    pub mail: Option<OutgoingMail>,
    /// The stamp of a new archived version, when an archived visit changed: the archived record
    /// is immutable, a later change is a new version, the earlier one kept.
    pub new_version: Option<ArchiveStamp>,
    /// The visit was served (answered or escalated) and has no survey link yet: one is made,
    /// for the visitor's copy of the form.
    pub survey_link: bool,
}

impl Visit {
    /// What the change that produced `event` (from status `was`) brings with it.
    pub fn follow_ups(&self, was: Status, event: &Event, settings: &OfficeSettings, now: DateTime<Utc>) -> FollowUps {
        let office = &settings.office;
        let copy_by_mail = event.kind == EventKind::CopyGiven && event.data["via"] == json!(CopyVia::Email);
        let mail = match event.kind {
            EventKind::Escalated => escalation_mail(self, &office.lkpp_email, &office.office_name),
            EventKind::CopyGiven if copy_by_mail => copy_mail(self, &office.office_name),
            EventKind::EscalationAnswered => answer_mail(self, &office.office_name),
            _ => None,
        };
        let new_version = (was == Status::Archived && event.kind != EventKind::Archived)
            .then_some(self.archive.as_ref())
            .flatten()
            .map(|prev| ArchiveStamp { number: prev.number.clone(), archived_at: now, version: prev.version + 1 });
        let served = matches!(event.kind, EventKind::Answered | EventKind::Escalated);
        FollowUps { mail, new_version, survey_link: served && self.survey_token.is_none() }
    }

    /// The office day of the visit's number ended while it was still in line: it is not served
    /// (tidak terlayani), and never called again. Numbers are per office day (SOP step 8).
    pub fn end_unserved(&mut self, now: DateTime<Utc>, by: &str) -> Result<Event, Refused> {
        if !self.status.in_line() {
            return Err(self.refuse("closed as not served"));
        }
        let data = json!({"number": self.queue.number, "day": self.queue.day, "counter": self.queue.counter});
        self.queue.counter = None;
        Ok(self.moved(Status::NotServed, EventKind::NotServed, now, by, data))
    }
}

/// What the helpdesk gives to escalate (step 11).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationRequest {
    pub analysis: String,
    pub channel: Channel,
    pub summary: String,
    pub external_reference: Option<String>,
}

fn required_text(value: &str, max: usize, field: &str, errors: &mut FieldErrors) -> Option<String> {
    let v = text(value, max, field, errors);
    // Empty once trimmed (spaces, or invisible characters only), and not refused for another reason.
    if v.is_none() && !errors.0.contains_key(field) {
        errors.add(field, "missing");
    }
    v
}

mod server;
mod transfer;
pub use transfer::TransferRequest;

#[cfg(test)]
mod tests;
