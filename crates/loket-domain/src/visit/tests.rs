use chrono::{Duration, NaiveDate, TimeZone};

use super::*;
use crate::SYSTEM_ACTOR;
use crate::escalation::{AnswerMail, LkppAnswer};
use crate::guest_book::VisitorRole;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
}

/// The calling rule without spacing, for histories written in one instant.
fn unspaced() -> CallingPolicy {
    CallingPolicy { seconds_between_calls: 0, ..CallingPolicy::default() }
}

fn table() -> PriorityTable {
    PriorityTable::default_example()
}

fn settings() -> OfficeSettings {
    OfficeSettings::default()
}

fn required() -> Vec<String> {
    crate::form::DEFAULT_REQUIRED_FIELDS.iter().map(|s| s.to_string()).collect()
}

fn opened() -> Visit {
    let visitor = Visitor { name: Some("Budi".into()), ..Default::default() };
    Visit::open("v1".into(), "R-1".into(), "A".into(), visitor, &settings(), now(), "fo").0
}

fn complete_input() -> (VisitorInput, FormInput) {
    (
        VisitorInput {
            organization: Some("CV Maju".into()),
            role: Some(VisitorRole::Penyedia),
            phone: Some("0812 3456 7890".into()),
            ..Default::default()
        },
        FormInput {
            category: Some("password".into()),
            description: Some("Lupa password".into()),
            ..Default::default()
        },
    )
}

fn ticket(position: i64) -> LinePlace {
    LinePlace {
        number: "A-001".into(),
        day: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        position,
        priority_lane: false,
        status_token: "t".repeat(64),
    }
}

pub(super) fn waiting() -> Visit {
    let mut v = opened();
    let (vi, fi) = complete_input();
    v.save_form(Some(&vi), &fi, &settings(), now(), "fo").unwrap();
    assert_eq!(v.check(&required(), &table()).unwrap(), Check::Complete);
    v.enqueue(ticket(1), &settings(), now(), "fo").unwrap();
    v
}

fn called() -> Visit {
    let mut v = waiting();
    v.call("1", &settings(), now(), "hd").unwrap();
    v
}

/// Drives a visit into every status, by the shortest path.
fn in_status(status: Status) -> Visit {
    let mut v = called();
    match status {
        Status::FormIssued => return opened(),
        Status::FormSubmitted => {
            let mut v = opened();
            v.save_form(None, &FormInput::default(), &settings(), now(), "fo").unwrap();
            return v;
        }
        Status::FormIncomplete => {
            let mut v = in_status(Status::FormSubmitted);
            let Check::Incomplete(e) = v.check(&required(), &table()).unwrap() else { panic!("complete") };
            v.mark_incomplete(&e, &settings(), now(), "fo").unwrap();
            return v;
        }
        Status::Waiting => return waiting(),
        Status::Called => {}
        Status::InService => {
            v.start(&settings(), now(), "hd").unwrap();
        }
        Status::Answered => {
            v.start(&settings(), now(), "hd").unwrap();
            v.answer("analysis", "answer", &settings(), now(), "hd").unwrap();
            v.give_copy(CopyVia::Printed, now(), "hd").unwrap();
        }
        Status::Escalated => {
            v.start(&settings(), now(), "hd").unwrap();
            v.escalate(&tts(), &settings(), now(), "hd").unwrap();
            v.give_copy(CopyVia::Declined, now(), "hd").unwrap();
        }
        Status::Archived => {
            let mut v = in_status(Status::Answered);
            v.archive(archive(), now(), "hd").unwrap();
            return v;
        }
        Status::NoShow => {
            let policy = unspaced();
            v.recall(unspaced(), now(), "hd").unwrap();
            v.recall(unspaced(), now(), "hd").unwrap();
            v.skip(policy, Requeue::default(), now(), "hd").unwrap();
            v.call("1", &settings(), now(), "hd").unwrap();
            v.recall(unspaced(), now(), "hd").unwrap();
            v.recall(unspaced(), now(), "hd").unwrap();
            v.skip(policy, Requeue::default(), now(), "hd").unwrap();
        }
        Status::NotServed => {
            v.end_unserved(now(), "system").unwrap();
        }
        Status::Cancelled => {
            let mut v = in_status(Status::Waiting);
            v.cancel("left", now(), "hd").unwrap();
            return v;
        }
    }
    assert_eq!(v.status, status);
    v
}

fn tts() -> EscalationRequest {
    EscalationRequest {
        analysis: "needs LKPP".into(),
        channel: Channel::Tts,
        summary: "server error".into(),
        external_reference: Some("TTS-123".into()),
    }
}

fn archive() -> Archive {
    Archive { number: "ARS/1".into(), archived_at: now(), sha256: "00".into(), version: 1 }
}

/// Every action, tried from a visit in a given status: Ok(new status) or the refusal.
fn try_all(status: Status) -> Vec<(&'static str, Result<Status, Refused>)> {
    type Action = fn(&mut Visit) -> Result<Event, Refused>;
    let actions: [(&'static str, Action); 13] = [
        ("save_form", |v| v.save_form(None, &FormInput::default(), &settings(), now(), "x")),
        ("enqueue", |v| v.enqueue(ticket(5), &settings(), now(), "x")),
        ("call", |v| v.call("2", &settings(), now(), "x")),
        ("recall", |v| v.recall(unspaced(), now(), "x")),
        ("skip", |v| v.skip(unspaced(), Requeue::default(), now(), "x")),
        ("end_unserved", |v| v.end_unserved(now(), "x")),
        ("start", |v| v.start(&settings(), now(), "x")),
        ("answer", |v| v.answer("a", "b", &settings(), now(), "x")),
        ("escalate", |v| v.escalate(&tts(), &settings(), now(), "x")),
        ("give_copy", |v| v.give_copy(CopyVia::Printed, now(), "x")),
        ("archive", |v| v.archive(archive(), now(), "x")),
        ("cancel", |v| v.cancel("r", now(), "x")),
        ("answer_escalation", |v| v.answer_escalation(&LkppAnswer::typed("lkpp says"), now(), "x")),
    ];
    actions
        .into_iter()
        .map(|(name, act)| {
            let mut v = in_status(status);
            (name, act(&mut v).map(|_| v.status))
        })
        .collect()
}

#[test]
fn only_the_transitions_of_the_sop_are_allowed() {
    use Status::*;
    let allowed: &[(Status, &str, Status)] = &[
        (FormIssued, "save_form", FormSubmitted),
        (FormSubmitted, "save_form", FormSubmitted),
        (FormIncomplete, "save_form", FormSubmitted),
        (FormSubmitted, "enqueue", Waiting),
        (FormIncomplete, "enqueue", Waiting),
        (Waiting, "call", Called),
        (Called, "recall", Called),
        (Called, "start", InService),
        (InService, "answer", Answered),
        (InService, "escalate", Escalated),
        (Answered, "give_copy", Answered),
        (Escalated, "give_copy", Escalated),
        (Answered, "archive", Archived),
        (Escalated, "archive", Archived),
        (Escalated, "answer_escalation", Escalated),
        (FormIssued, "cancel", Cancelled),
        (FormSubmitted, "cancel", Cancelled),
        (FormIncomplete, "cancel", Cancelled),
        (Waiting, "cancel", Cancelled),
        (InService, "cancel", Cancelled),
        (Waiting, "end_unserved", NotServed),
        (Called, "end_unserved", NotServed),
    ];
    for status in Status::ALL {
        for (action, result) in try_all(status) {
            let expected = allowed.iter().find(|(s, a, _)| *s == status && *a == action).map(|(_, _, to)| *to);
            match (expected, result) {
                (Some(to), Ok(got)) => assert_eq!(got, to, "{status} --{action}-->"),
                (None, Err(_)) => {}
                (Some(_), Err(e)) => panic!("{status} --{action}--> refused: {e}"),
                (None, Ok(got)) => panic!("{status} --{action}--> {got} should be refused"),
            }
        }
    }
}

#[test]
fn skip_is_refused_until_the_third_call() {
    let mut v = called();
    assert_eq!(v.skip(unspaced(), Requeue::default(), now(), "hd"), Err(Refused::CallsRemaining { made: 1 }));
    v.recall(unspaced(), now(), "hd").unwrap();
    assert_eq!(v.skip(unspaced(), Requeue::default(), now(), "hd"), Err(Refused::CallsRemaining { made: 2 }));
    v.recall(unspaced(), now(), "hd").unwrap();
    assert_eq!(v.recall(unspaced(), now(), "hd"), Err(Refused::CallLimitReached));
    let requeue = Requeue { called_in_place: None, first_waiting_of_service: Some(10) };
    let event = v.skip(unspaced(), requeue, now(), "hd").unwrap();
    assert_eq!(event.kind, EventKind::Skipped);
    assert_eq!(v.status, Status::Waiting);
    assert_eq!((v.queue.call_count, v.queue.skip_count), (0, 1));
    assert_eq!(v.queue.position, Some(1), "own place, already ahead of position 10");
    assert_eq!(v.queue.counter, None);
}

#[test]
fn a_number_skipped_again_after_its_recall_is_a_no_show() {
    let mut v = called();
    for _ in 0..2 {
        v.recall(unspaced(), now(), "hd").unwrap();
    }
    v.skip(unspaced(), Requeue::default(), now(), "hd").unwrap();
    v.call("2", &settings(), now(), "hd").unwrap();
    for _ in 0..2 {
        v.recall(unspaced(), now(), "hd").unwrap();
    }
    let event = v.skip(unspaced(), Requeue::default(), now(), "hd").unwrap();
    assert_eq!(event.kind, EventKind::NoShow);
    assert_eq!(v.status, Status::NoShow);
}

#[test]
fn a_bad_form_field_is_refused_and_nothing_is_lost() {
    let mut v = opened();
    let input = FormInput {
        description: Some("Tidak bisa login".into()),
        tender_code: Some("12 34!".into()),
        ..Default::default()
    };
    let err = v.save_form(None, &input, &settings(), now(), "fo").unwrap_err();
    let Refused::Validation(fields) = err else { panic!("not a validation error") };
    assert!(fields.0.contains_key("form.tender_code"));
    assert_eq!(v.status, Status::FormIssued);
    assert_eq!(v.form.description, None, "nothing of the failed request is applied");
    assert_eq!(v.visitor.name.as_deref(), Some("Budi"), "nothing stored before is lost");
}

#[test]
fn an_incomplete_form_keeps_what_was_entered_and_can_be_checked_again() {
    let mut v = opened();
    let input = FormInput { description: Some("Tidak bisa login".into()), ..Default::default() };
    v.save_form(None, &input, &settings(), now(), "fo").unwrap();
    let Check::Incomplete(errors) = v.check(&required(), &table()).unwrap() else { panic!("complete") };
    assert!(errors.0.contains_key("visitor.phone"));
    v.mark_incomplete(&errors, &settings(), now(), "fo").unwrap();
    assert_eq!(v.form.description.as_deref(), Some("Tidak bisa login"));
    let (vi, fi) = complete_input();
    v.save_form(Some(&vi), &fi, &settings(), now() + Duration::minutes(3), "fo").unwrap();
    assert_eq!(v.check(&required(), &table()).unwrap(), Check::Complete);
}

#[test]
fn tts_escalation_needs_the_ticket_number_and_email_starts_pending() {
    let mut v = in_status(Status::InService);
    let mut req = tts();
    req.external_reference = None;
    assert!(matches!(v.escalate(&req, &settings(), now(), "hd"), Err(Refused::Validation(_))));
    req.channel = Channel::Email;
    v.escalate(&req, &settings(), now(), "hd").unwrap();
    let esc = v.escalation.clone().unwrap();
    assert_eq!(esc.status, EscalationStatus::Pending);
    v.escalation_sent(Some("<m@x>".into()), now(), "mailer").unwrap();
    assert_eq!(v.escalation.as_ref().map(|e| e.status), Some(EscalationStatus::Sent));
}

#[test]
fn lkpp_may_answer_after_the_visit_is_archived() {
    let mut v = in_status(Status::Escalated);
    v.archive(archive(), now(), "hd").unwrap();
    v.answer_escalation(&LkppAnswer::typed("fixed by LKPP"), now(), "hd").unwrap();
    assert_eq!(v.status, Status::Archived);
    assert_eq!(v.escalation.as_ref().and_then(|e| e.answer.as_deref()), Some("fixed by LKPP"));
    assert!(v.answer_escalation(&LkppAnswer::typed("again"), now(), "hd").is_err(), "answered once");
}

#[test]
fn lkpps_answer_by_mail_names_the_mail_and_ticket_and_goes_to_the_visitor() {
    let mut v = in_status(Status::Escalated);
    v.visitor.email = Some("budi@example.com".into());
    let answer = LkppAnswer {
        text: "Akun sudah dibuka".into(),
        mail: Some(AnswerMail {
            message_id: "<r1@lkpp>".into(),
            lkpp_ticket: Some("TTS-1".into()),
            confirmed_by: None,
        }),
    };
    let event = v.answer_escalation(&answer, now(), SYSTEM_ACTOR).unwrap();
    assert_eq!(event.data["via"], "email");
    assert_eq!(event.data["message_id"], "<r1@lkpp>");
    assert_eq!(event.data.get("confirmed_by"), None, "recorded by itself");
    assert_eq!(v.escalation.as_ref().and_then(|e| e.lkpp_ticket.as_deref()), Some("TTS-1"));
    let mail = v.follow_ups(Status::Escalated, &event, &settings(), now()).mail.expect("the visitor's mail");
    assert_eq!(mail.kind, crate::escalation::MailKind::Answer);
    assert_eq!(mail.to, "budi@example.com");
    assert!(mail.body.contains("Akun sudah dibuka") && mail.body.contains("TTS-1"), "{}", mail.body);
    let mut silent = in_status(Status::Escalated);
    silent.visitor.email = None;
    let event = silent.answer_escalation(&LkppAnswer::typed("ok"), now(), "hd").unwrap();
    assert_eq!(silent.follow_ups(Status::Escalated, &event, &settings(), now()).mail, None, "no address, no mail");
}

#[test]
fn an_answer_confirmed_from_an_unmatched_mail_names_who_confirmed_it() {
    let mut v = in_status(Status::Escalated);
    let answer = LkppAnswer {
        text: "Akun sudah dibuka".into(),
        mail: Some(AnswerMail { message_id: "<r2@lkpp>".into(), lkpp_ticket: None, confirmed_by: Some("sup".into()) }),
    };
    let event = v.answer_escalation(&answer, now(), "sup").unwrap();
    assert_eq!(
        (event.by.as_str(), &event.data["via"], &event.data["confirmed_by"]),
        ("sup", &json!("email"), &json!("sup"))
    );
}

#[test]
fn answers_must_not_be_empty() {
    let mut v = in_status(Status::InService);
    let Err(Refused::Validation(f)) = v.answer(" ", "", &settings(), now(), "hd") else { panic!("accepted") };
    assert_eq!(f.0.len(), 2);
    assert_eq!(v.status, Status::InService);
}

#[test]
fn every_transition_is_appended_to_the_history() {
    let mut v = in_status(Status::Called);
    let before = v.history.len();
    let event = v.recall(unspaced(), now(), "hd").unwrap();
    assert_eq!(v.history.len(), before + 1);
    assert_eq!(v.history.last(), Some(&event));
    let _ = v.recall(unspaced(), now(), "hd");
    let refused = v.recall(unspaced(), now(), "hd");
    assert!(refused.is_err());
    assert_eq!(v.history.len(), before + 2, "a refused action appends nothing");
    let kinds: Vec<EventKind> = v.history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Created,
            EventKind::FormSaved,
            EventKind::Queued,
            EventKind::Called,
            EventKind::Recalled,
            EventKind::Recalled
        ]
    );
}

#[test]
fn the_archive_needs_the_visitors_copy_first() {
    let mut v = in_status(Status::InService);
    v.answer("analysis", "answer", &settings(), now(), "hd").unwrap();
    assert_eq!(v.archive(archive(), now(), "hd"), Err(Refused::CopyMissing));
    let event = v.give_copy(CopyVia::Declined, now(), "hd").unwrap();
    assert_eq!(event.kind, EventKind::CopyGiven);
    assert_eq!(event.data["via"], "declined");
    assert_eq!(v.status, Status::Answered, "the copy is an event, not a status");
    v.archive(archive(), now(), "hd").unwrap();
    assert_eq!(v.status, Status::Archived);
}

#[test]
fn an_emailed_copy_needs_the_visitors_address() {
    let mut v = in_status(Status::InService);
    v.answer("analysis", "answer", &settings(), now(), "hd").unwrap();
    v.visitor.email = None;
    let before = v.history.len();
    let Err(Refused::Validation(f)) = v.give_copy(CopyVia::Email, now(), "hd") else { panic!("accepted") };
    assert_eq!(f.0.get("visitor.email").map(String::as_str), Some("missing"));
    assert_eq!(v.history.len(), before, "nothing recorded");
    assert!(v.copy.is_none());
    v.visitor.email = Some("budi@example.co.id".into());
    v.give_copy(CopyVia::Email, now(), "hd").unwrap();
    assert_eq!(v.copy.as_ref().map(|c| c.via), Some(CopyVia::Email));
}

mod transfer;

#[test]
fn calls_of_one_number_are_spaced_and_so_is_its_skip() {
    let policy = CallingPolicy::default();
    let mut v = in_status(Status::Called);
    let called = v.queue.called_at.expect("called");
    let at = |seconds: i64| called + Duration::seconds(seconds);
    assert_eq!(v.recall(policy, at(0), "hd"), Err(Refused::CallTooSoon { seconds_left: 30 }));
    assert_eq!(
        v.recall(policy, called + Duration::milliseconds(29_001), "hd"),
        Err(Refused::CallTooSoon { seconds_left: 1 }),
        "whole seconds, rounded up"
    );
    assert_eq!(v.queue.call_count, 1, "a refused call is not counted");
    v.recall(policy, at(30), "hd").unwrap();
    assert_eq!(v.recall(policy, at(45), "hd"), Err(Refused::CallTooSoon { seconds_left: 15 }));
    v.recall(policy, at(60), "hd").unwrap();
    assert_eq!(v.queue.call_count, 3);
    // Three calls made: the skip waits its turn too.
    assert_eq!(v.ensure_skippable(policy, at(70)), Err(Refused::CallTooSoon { seconds_left: 20 }));
    assert_eq!(
        v.skip(policy, Requeue::default(), at(89), "hd").map(|_| ()),
        Err(Refused::CallTooSoon { seconds_left: 1 })
    );
    v.skip(policy, Requeue::default(), at(90), "hd").unwrap();
    assert_eq!(v.status, Status::Waiting);
}

#[test]
fn an_emailed_copy_is_given_once_the_mail_server_took_it() {
    let mut v = in_status(Status::Answered);
    v.visitor.email = Some("budi@example.co.id".into());
    v.give_copy(CopyVia::Email, now(), "hd").unwrap();
    assert_eq!(v.copy.as_ref().map(|c| c.pending), Some(true));
    assert_eq!(v.ensure_archivable(), Err(Refused::CopyPending));
    let sent = v.copy_sent(now(), SYSTEM_ACTOR).unwrap();
    assert_eq!(sent.kind, EventKind::CopySent);
    assert_eq!(v.ensure_archivable(), Ok(()));
    assert!(v.copy_sent(now(), SYSTEM_ACTOR).is_err(), "sent once");
    // A printed copy given meanwhile is not waiting for any server.
    v.give_copy(CopyVia::Email, now(), "hd").unwrap();
    v.give_copy(CopyVia::Printed, now(), "hd").unwrap();
    assert_eq!(v.ensure_archivable(), Ok(()));
    assert!(v.copy_sent(now(), SYSTEM_ACTOR).is_err(), "a late mail changes nothing");
}

fn fixed(version: u32, sha: &str) -> Archive {
    Archive { number: "LPSE/2026/11/0001".into(), archived_at: now(), sha256: sha.into(), version }
}

#[test]
fn a_copy_names_the_document_given_and_a_copy_again_gives_the_same() {
    let mut v = in_status(Status::Escalated);
    v.visitor.email = Some("budi@example.co.id".into());
    assert!(v.copy_needs_document(CopyVia::Printed) && v.copy_needs_document(CopyVia::Email));
    assert!(!v.copy_needs_document(CopyVia::Declined), "nothing is given");
    let event = v.give_copy_of(CopyVia::Printed, Some(fixed(1, "aa")), now(), "hd").unwrap();
    assert_eq!((&event.data["sha256"], &event.data["version"]), (&json!("aa"), &json!(1)));
    assert_eq!(v.document_current(), Some(&fixed(1, "aa")));
    assert_eq!(v.latest_document(), Some(fixed(1, "aa")));
    // The mail server taking an e-mailed copy changes nothing the document says.
    let again = v.give_copy(CopyVia::Email, now(), "hd").unwrap();
    assert_eq!(again.data["sha256"], "aa", "the same document");
    v.copy_sent(now(), SYSTEM_ACTOR).unwrap();
    assert!(!v.copy_needs_document(CopyVia::Printed));
    // LKPP answers: the document no longer says what the visit says.
    v.answer_escalation(&LkppAnswer::typed("Sudah diperbaiki"), now(), "hd").unwrap();
    assert_eq!(v.document_current(), None);
    assert!(v.copy_needs_document(CopyVia::Printed));
    assert_eq!(v.latest_document().map(|d| d.version), Some(1), "the next document is version 2");
}

#[test]
fn a_declined_copy_gives_no_document_and_keeps_the_version_count() {
    let mut v = in_status(Status::Answered);
    v.give_copy_of(CopyVia::Printed, Some(fixed(1, "aa")), now(), "hd").unwrap();
    let declined = v.give_copy_of(CopyVia::Declined, Some(fixed(2, "bb")), now(), "hd").unwrap();
    assert!(declined.data.get("sha256").is_none(), "a declined copy gives nothing: {}", declined.data);
    assert_eq!(v.copy.as_ref().and_then(|c| c.document.as_ref()), None);
    assert_eq!(v.document_current(), None, "the archive makes its own");
    assert_eq!(v.latest_document().map(|d| d.version), Some(1), "version 1 stays taken");
}

#[test]
fn a_skipped_visit_waits_again_with_its_first_waiting_time() {
    let mut v = in_status(Status::Waiting);
    let queued = v.queued_at().expect("queued");
    assert!(!v.waits_after_skip());
    let policy = unspaced();
    v.call("1", &settings(), now() + Duration::minutes(10), "hd").unwrap();
    for _ in 1..CALLS_BEFORE_SKIP {
        v.recall(policy, now() + Duration::minutes(11), "hd").unwrap();
    }
    v.skip(policy, Requeue::default(), now() + Duration::minutes(12), "hd").unwrap();
    assert_eq!(v.status, Status::Waiting);
    assert!(v.waits_after_skip());
    assert_eq!(v.queued_at(), Some(queued), "the first waiting time is kept");
}
