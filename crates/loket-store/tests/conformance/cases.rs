//! The conformance cases. Each takes a fresh store and states one behaviour.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use loket_domain::archive::CopyVia;
use loket_domain::calendar::{DayOff, DayOffKind, Measure, TimeMeasure};
use loket_domain::escalation::{Channel, EscalationStatus, LkppAnswer};
use loket_domain::form::FormInput;
use loket_domain::guest_book::{VisitorInput, VisitorRole};
use loket_domain::history::EventKind;
use loket_domain::inbox::{Doubt, IncomingMail, ReplyOutcome, UnmatchedStatus};
use loket_domain::line::CallingPolicy;
use loket_domain::office::Counter;
use loket_domain::reports::{Overruns, StepCount};
use loket_domain::settings::SettingsChange;
use loket_domain::visit::EscalationRequest;
use loket_domain::{Refused, Status, Visit};
use loket_store::{LiveEvent, NewUser, OpenVisit, Store, StoreError};

use crate::support::{TestDb, raw_execute, raw_rows};

pub use crate::calendar_cases::*;
pub use crate::change_record_cases::*;
pub use crate::copy_cases::*;
pub use crate::logo_cases::*;
pub use crate::screen_cases::*;

pub type S = Arc<dyn Store>;

pub use crate::search::*;

/// 09:00 in Jakarta on 2026-11-27, plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap() + Duration::minutes(minutes)
}

pub fn visitor(name: &str) -> VisitorInput {
    VisitorInput {
        name: Some(name.into()),
        organization: Some("CV Maju Jaya".into()),
        role: Some(VisitorRole::Penyedia),
        phone: Some("0812-3456-7890".into()),
        email: Some("budi@example.co.id".into()),
    }
}

pub fn form() -> FormInput {
    FormInput {
        category: Some("password".into()),
        subject: Some("Lupa password".into()),
        description: Some("Tidak bisa masuk ke SPSE".into()),
        ..Default::default()
    }
}

/// A visit filled in at the kiosk and checked complete: waiting in line.
pub async fn waiting(store: &S, name: &str, service: &str, lane: bool, now: DateTime<Utc>) -> Visit {
    let open = OpenVisit { service: Some(service.into()), visitor: visitor(name), form: Some(form()) };
    let v = store.open_visit(open, now, "kiosk").await.expect("open");
    let checked = store.check_visit(&v.id, lane, now, "fo").await.expect("check");
    assert!(checked.incomplete.is_none());
    checked.visit
}

pub async fn set_counters(store: &S, counters: Vec<Counter>) {
    store.change_settings(SettingsChange::Counters(counters), "admin", at(0)).await.unwrap();
}

/// Services `A` (Konsultasi) and `B` (Verifikasi).
pub async fn set_services_a_and_b(store: &S) {
    let mut office = store.settings().await.unwrap().office.clone();
    office.services = serde_json::from_value(serde_json::json!([
        {"code": "A", "name": "Konsultasi"}, {"code": "B", "name": "Verifikasi"}
    ]))
    .unwrap();
    store.change_settings(SettingsChange::Office(office), "admin", at(0)).await.unwrap();
}

pub fn counter(code: &str, services: &[&str]) -> Counter {
    Counter {
        code: code.into(),
        name: format!("Loket {code}"),
        services: services.iter().map(|s| s.to_string()).collect(),
    }
}

/// Two more calls of a called number, in the instant of its call (without the office's spacing:
/// the spacing has its own case).
async fn recall_twice(store: &S, id: &str) {
    let unspaced = CallingPolicy { seconds_between_calls: 0, ..CallingPolicy::default() };
    let called_at = store.visit(id).await.unwrap().unwrap().queue.called_at.expect("called");
    for _ in 0..2 {
        store.change_visit(id, called_at, Box::new(move |v, _| v.recall(unspaced, called_at, "hd"))).await.unwrap();
    }
}

fn refused(e: StoreError) -> Refused {
    match e {
        StoreError::Refused(r) => r,
        other => panic!("expected a refusal, got {other}"),
    }
}

pub async fn a_visit_goes_through_all_twelve_steps(db: TestDb) {
    let store = db.store.clone();
    let open = OpenVisit {
        service: None,
        visitor: VisitorInput { name: Some("Budi".into()), ..Default::default() },
        form: None,
    };
    let v = store.open_visit(open, at(0), "fo").await.unwrap();
    assert_eq!(v.status, Status::FormIssued);
    assert_eq!(v.service, "A");
    let vi = visitor("Budi Santoso");
    let v = store
        .change_visit(&v.id, at(3), Box::new(move |v, s| v.save_form(Some(&vi), &form(), s, at(3), "fo")))
        .await
        .unwrap();
    assert_eq!(v.status, Status::FormSubmitted);
    let checked = store.check_visit(&v.id, false, at(5), "fo").await.unwrap();
    assert_eq!(checked.visit.status, Status::Waiting);
    assert_eq!(checked.visit.queue.number.as_deref(), Some("A-001"));
    let called = store.call_next("1", None, at(10), "hd").await.unwrap().expect("a visit");
    assert_eq!(called.id, v.id);
    assert_eq!(
        (called.status, called.queue.call_count, called.queue.counter.as_deref()),
        (Status::Called, 1, Some("1"))
    );
    store.change_visit(&v.id, at(11), Box::new(move |v, s| v.start(s, at(11), "hd"))).await.unwrap();
    let v = store
        .change_visit(
            &v.id,
            at(25),
            Box::new(move |v, s| v.answer("Akun terkunci", "Reset password melalui admin agency", s, at(25), "hd")),
        )
        .await
        .unwrap();
    assert_eq!(v.status, Status::Answered);
    assert!(matches!(refused(store.archive_visit(&v.id, at(29), "hd").await.unwrap_err()), Refused::CopyMissing));
    give_copy(&store, &v.id, at(29)).await;
    let v = store.archive_visit(&v.id, at(30), "hd").await.unwrap();
    assert_eq!(v.status, Status::Archived);
    let archive = v.archive.clone().expect("archive");
    assert_eq!(archive.number, "LPSE/2026/11/0001");
    let doc = store.archived_document(&v.id, None).await.unwrap().expect("document");
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&doc.content)), archive.sha256, "the hash is of the stored bytes");

    let history = store.history(&v.id).await.unwrap();
    let kinds: Vec<EventKind> = history.iter().map(|e| e.kind).collect();
    use EventKind::*;
    assert_eq!(kinds, [Created, FormSaved, Queued, Called, Started, Answered, CopyGiven, Archived]);
    assert_eq!(history[3].by, "hd");
    let settings = store.settings().await.unwrap();
    let steps = loket_domain::standards::steps(&history, &settings.time_standards, Some(15), at(60));
    let numbers: Vec<u8> = steps.iter().map(|s| s.step).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 7, 8, 9, 10, 12]);
}

pub async fn numbers_count_per_service_and_reset_at_local_midnight(db: TestDb) {
    let store = db.store.clone();
    set_services_a_and_b(&store).await;
    let a1 = waiting(&store, "a1", "A", false, at(0)).await;
    let b1 = waiting(&store, "b1", "B", false, at(1)).await;
    let a2 = waiting(&store, "a2", "A", false, at(2)).await;
    assert_eq!(a1.queue.number.as_deref(), Some("A-001"));
    assert_eq!(b1.queue.number.as_deref(), Some("B-001"));
    assert_eq!(a2.queue.number.as_deref(), Some("A-002"));
    // 23:59 in Jakarta is still the same day; 00:00 is the next.
    let late = Utc.with_ymd_and_hms(2026, 11, 27, 16, 59, 0).unwrap();
    let midnight = Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap();
    assert_eq!(waiting(&store, "a3", "A", false, late).await.queue.number.as_deref(), Some("A-003"));
    let next_day = waiting(&store, "a4", "A", false, midnight).await;
    assert_eq!(next_day.queue.number.as_deref(), Some("A-001"));
    assert_eq!(next_day.queue.day.map(|d| d.to_string()).as_deref(), Some("2026-11-28"));
}

pub async fn an_incomplete_form_keeps_what_was_entered(db: TestDb) {
    let store = db.store.clone();
    let open = OpenVisit {
        service: None,
        visitor: VisitorInput { name: Some("Siti".into()), ..Default::default() },
        form: Some(FormInput { description: Some("Tidak bisa unggah penawaran".into()), ..Default::default() }),
    };
    let v = store.open_visit(open, at(0), "kiosk").await.unwrap();
    let checked = store.check_visit(&v.id, false, at(2), "fo").await.unwrap();
    let missing = checked.incomplete.expect("incomplete");
    let fields: Vec<&str> = missing.0.keys().map(String::as_str).collect();
    assert_eq!(fields, ["form.category", "visitor.organization", "visitor.phone", "visitor.role"]);
    assert_eq!(checked.visit.status, Status::FormIncomplete);
    assert_eq!(checked.visit.queue.number, None);
    let stored = store.visit(&v.id).await.unwrap().unwrap();
    assert_eq!(stored.form.description.as_deref(), Some("Tidak bisa unggah penawaran"));
    let vi = visitor("Siti");
    let category = FormInput { category: Some("offer_upload".into()), ..Default::default() };
    store
        .change_visit(&v.id, at(6), Box::new(move |v, s| v.save_form(Some(&vi), &category, s, at(6), "fo")))
        .await
        .unwrap();
    let again = store.check_visit(&v.id, false, at(7), "fo").await.unwrap();
    assert!(again.incomplete.is_none());
    assert_eq!(again.visit.status, Status::Waiting);
    assert_eq!(again.visit.form.description.as_deref(), Some("Tidak bisa unggah penawaran"));
}

pub async fn nobody_waiting_gives_no_visit(db: TestDb) {
    let store = db.store.clone();
    assert!(store.call_next("1", None, at(0), "hd").await.unwrap().is_none());
    assert!(matches!(store.call_next("99", None, at(0), "hd").await, Err(StoreError::NotFound)));
}

pub async fn a_counter_serving_a_visit_cannot_call_another(db: TestDb) {
    let store = db.store.clone();
    waiting(&store, "a", "A", false, at(0)).await;
    waiting(&store, "b", "A", false, at(1)).await;
    let first = store.call_next("1", None, at(2), "hd").await.unwrap().unwrap();
    let busy = store.call_next("1", None, at(3), "hd").await.unwrap_err();
    assert_eq!(refused(busy), Refused::CounterBusy);
    store.change_visit(&first.id, at(4), Box::new(move |v, s| v.start(s, at(4), "hd"))).await.unwrap();
    assert_eq!(refused(store.call_next("1", None, at(5), "hd").await.unwrap_err()), Refused::CounterBusy);
    store.change_visit(&first.id, at(6), Box::new(move |v, s| v.answer("a", "b", s, at(6), "hd"))).await.unwrap();
    let second = store.call_next("1", None, at(7), "hd").await.unwrap().unwrap();
    assert_ne!(second.id, first.id);
}

pub async fn skipped_visit_is_called_right_after_the_next_one(db: TestDb) {
    let store = db.store.clone();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    let b = waiting(&store, "b", "A", false, at(1)).await;
    let c = waiting(&store, "c", "A", false, at(2)).await;
    let d = waiting(&store, "d", "A", false, at(3)).await;
    assert_eq!(store.call_next("1", None, at(5), "hd").await.unwrap().unwrap().id, a.id);
    let early = store.skip(&a.id, at(6), "hd").await.unwrap_err();
    assert_eq!(refused(early), Refused::CallsRemaining { made: 1 });
    recall_twice(&store, &a.id).await;
    let too_many = store
        .change_visit(&a.id, at(7), Box::new(move |v, s| v.recall(s.office.calling, at(7), "hd")))
        .await
        .unwrap_err();
    assert_eq!(refused(too_many), Refused::CallLimitReached);
    let skipped = store.skip(&a.id, at(8), "hd").await.unwrap();
    assert_eq!(skipped.next.as_ref().map(|v| v.id.as_str()), Some(b.id.as_str()));
    assert_eq!(skipped.next.as_ref().and_then(|v| v.queue.counter.as_deref()), Some("1"));
    assert_eq!(skipped.skipped.status, Status::Waiting);
    assert_eq!((skipped.skipped.queue.call_count, skipped.skipped.queue.skip_count), (0, 1));
    let line: Vec<String> = store.queue(None).await.unwrap().waiting.into_iter().map(|v| v.id).collect();
    assert_eq!(
        line,
        [a.id.clone(), c.id.clone(), d.id.clone()],
        "the skipped visit is next after the one called in its place"
    );
    assert_eq!(store.call_next("2", None, at(9), "hd").await.unwrap().unwrap().id, a.id);
}

pub async fn calls_of_one_number_are_spaced_and_a_skip_too_soon_calls_nobody(db: TestDb) {
    let store = db.store.clone();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    let b = waiting(&store, "b", "A", false, at(0)).await;
    let called_at = at(1);
    store.call_next("1", None, called_at, "hd").await.unwrap();
    let secs = |n: i64| called_at + Duration::seconds(n);
    let recall =
        |when: DateTime<Utc>| -> loket_store::Change { Box::new(move |v, s| v.recall(s.office.calling, when, "hd")) };
    let err = store.change_visit(&a.id, secs(10), recall(secs(10))).await.unwrap_err();
    assert_eq!(refused(err), Refused::CallTooSoon { seconds_left: 20 });
    store.change_visit(&a.id, secs(30), recall(secs(30))).await.unwrap();
    store.change_visit(&a.id, secs(60), recall(secs(60))).await.unwrap();
    let err = store.skip(&a.id, secs(75), "hd").await.unwrap_err();
    assert_eq!(refused(err), Refused::CallTooSoon { seconds_left: 15 });
    let still = store.visit(&b.id).await.unwrap().unwrap();
    assert_eq!(still.status, Status::Waiting, "a refused skip calls nobody");
    let skipped = store.skip(&a.id, secs(90), "hd").await.unwrap();
    assert_eq!(skipped.next.map(|v| v.id), Some(b.id));
    let calls: Vec<_> = store
        .visit(&a.id)
        .await
        .unwrap()
        .unwrap()
        .history
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Called | EventKind::Recalled))
        .map(|e| e.at)
        .collect();
    assert_eq!(calls, [secs(0), secs(30), secs(60)], "the refused call left no trace");
}

pub async fn skipped_visit_with_nobody_else_waiting_is_first_in_line(db: TestDb) {
    let store = db.store.clone();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    store.call_next("1", None, at(1), "hd").await.unwrap();
    recall_twice(&store, &a.id).await;
    let skipped = store.skip(&a.id, at(2), "hd").await.unwrap();
    assert!(skipped.next.is_none());
    let b = waiting(&store, "b", "A", false, at(3)).await;
    let line: Vec<String> = store.queue(None).await.unwrap().waiting.into_iter().map(|v| v.id).collect();
    assert_eq!(line, [a.id, b.id]);
}

pub async fn a_number_skipped_after_its_recall_is_a_no_show(db: TestDb) {
    let store = db.store.clone();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    for round in 0..2 {
        let called = store.call_next("1", None, at(round * 10), "hd").await.unwrap().unwrap();
        assert_eq!(called.id, a.id);
        recall_twice(&store, &a.id).await;
        let skipped = store.skip(&a.id, at(round * 10 + 5), "hd").await.unwrap();
        let expected = if round == 0 { Status::Waiting } else { Status::NoShow };
        assert_eq!(skipped.skipped.status, expected);
    }
    assert!(store.queue(None).await.unwrap().waiting.is_empty());
    // With two re-calls allowed, the second skip puts it back again.
    let mut office = store.settings().await.unwrap().office.clone();
    office.calling.returns_after_skip = 2;
    store.change_settings(SettingsChange::Office(office), "sup", at(0)).await.unwrap();
    let b = waiting(&store, "b", "A", false, at(30)).await;
    for _ in 0..2 {
        store.call_next("1", None, at(31), "hd").await.unwrap();
        recall_twice(&store, &b.id).await;
        assert_eq!(store.skip(&b.id, at(32), "hd").await.unwrap().skipped.status, Status::Waiting);
    }
}

pub async fn priority_lane_is_called_first_in_its_own_order(db: TestDb) {
    let store = db.store.clone();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    let p1 = waiting(&store, "p1", "A", true, at(1)).await;
    let b = waiting(&store, "b", "A", false, at(2)).await;
    let p2 = waiting(&store, "p2", "A", true, at(3)).await;
    let line: Vec<String> = store.queue(None).await.unwrap().waiting.into_iter().map(|v| v.id).collect();
    assert_eq!(line, [p1.id.clone(), p2.id.clone(), a.id.clone(), b.id.clone()]);
    // A skipped priority visit goes back to the head of the priority lane only.
    store.call_next("1", None, at(4), "hd").await.unwrap();
    recall_twice(&store, &p1.id).await;
    let skipped = store.skip(&p1.id, at(5), "hd").await.unwrap();
    assert_eq!(skipped.next.map(|v| v.id), Some(p2.id));
    let line: Vec<String> = store.queue(None).await.unwrap().waiting.into_iter().map(|v| v.id).collect();
    assert_eq!(line, [p1.id, a.id, b.id]);
}

pub async fn a_counter_with_several_services_calls_the_earliest_first(db: TestDb) {
    let store = db.store.clone();
    set_services_a_and_b(&store).await;
    set_counters(&store, vec![counter("1", &["A", "B"]), counter("2", &["B"])]).await;
    let b = waiting(&store, "b", "B", false, at(0)).await;
    let a = waiting(&store, "a", "A", false, at(1)).await;
    assert_eq!(store.call_next("1", None, at(2), "hd").await.unwrap().unwrap().id, b.id);
    assert!(store.call_next("2", None, at(2), "hd").await.unwrap().is_none(), "counter 2 calls only B");
    let not_served = store.call_next("2", Some("A"), at(2), "hd").await.unwrap_err();
    assert!(matches!(refused(not_served), Refused::Validation(_)));
    store.change_visit(&b.id, at(3), Box::new(move |v, s| v.start(s, at(3), "hd"))).await.unwrap();
    store.change_visit(&b.id, at(3), Box::new(move |v, _| v.cancel("left", at(3), "hd"))).await.unwrap();
    assert_eq!(store.call_next("1", Some("A"), at(4), "hd").await.unwrap().unwrap().id, a.id);
}

pub async fn eight_counters_calling_at_once_call_every_visit_exactly_once(db: TestDb) {
    let store = db.store.clone();
    set_counters(&store, (1..=8).map(|i| counter(&i.to_string(), &["A"])).collect()).await;
    const VISITS: usize = 1000;
    let started = std::time::Instant::now();
    for i in 0..VISITS {
        waiting(&store, &format!("v{i}"), "A", false, at(0)).await;
    }
    let filled = started.elapsed();
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for c in 1..=8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let code = c.to_string();
            let mut got = Vec::new();
            while let Some(v) = store.call_next(&code, None, at(1), "hd").await.expect("call next") {
                assert_eq!(v.queue.counter.as_deref(), Some(code.as_str()));
                got.push(v.id.clone());
                // Served and answered, so the counter is free again.
                store.change_visit(&v.id, at(1), Box::new(move |v, s| v.start(s, at(1), "hd"))).await.expect("start");
                store
                    .change_visit(&v.id, at(1), Box::new(move |v, s| v.answer("a", "b", s, at(1), "hd")))
                    .await
                    .expect("answer");
            }
            got
        }));
    }
    let mut all = Vec::new();
    let mut per_counter = Vec::new();
    for t in tasks {
        let got = t.await.expect("task");
        per_counter.push(got.len());
        all.extend(got);
    }
    let unique: HashSet<&String> = all.iter().collect();
    eprintln!(
        "concurrency: {VISITS} visits queued in {filled:?}; called by 8 counters in {:?}; per counter {per_counter:?}",
        started.elapsed()
    );
    assert_eq!(all.len(), VISITS, "every visit called");
    assert_eq!(unique.len(), VISITS, "no visit called twice");
    for id in &all {
        let h = store.history(id).await.unwrap();
        assert_eq!(h.iter().filter(|e| e.kind == EventKind::Called).count(), 1);
    }
}

/// Step 12: the visitor's copy, printed.
pub async fn give_copy(store: &S, id: &str, now: DateTime<Utc>) {
    // As a supervisor would: whoever serves the visit.
    store.give_copy(id, CopyVia::Printed, now, "hd", true).await.expect("copy given");
}

/// A visit answered at counter 1 at `now`, no copy given yet.
pub async fn answered(store: &S, name: &str, now: DateTime<Utc>) -> Visit {
    let v = waiting(store, name, "A", false, now).await;
    let called = store.call_next("1", None, now, "hd").await.unwrap().expect("called");
    assert_eq!(called.id, v.id);
    store.change_visit(&v.id, now, Box::new(move |v, s| v.start(s, now, "hd"))).await.unwrap();
    store.change_visit(&v.id, now, Box::new(move |v, s| v.answer("a", "b", s, now, "hd"))).await.unwrap()
}

/// A visit answered at counter 1 at `now`, its copy printed: ready for the archive.
pub async fn ready_to_archive(store: &S, name: &str, now: DateTime<Utc>) -> Visit {
    let v = answered(store, name, now).await;
    give_copy(store, &v.id, now).await;
    store.visit(&v.id).await.unwrap().unwrap()
}

/// A visit answered at counter 1 at `now`, the copy declined: its archive makes the document.
pub async fn declined_copy(store: &S, name: &str, now: DateTime<Utc>) -> Visit {
    let v = answered(store, name, now).await;
    store.give_copy(&v.id, CopyVia::Declined, now, "hd", false).await.expect("copy declined")
}

/// Archive numbers follow the office's pattern and count per month by default; many archives
/// at once never share a number.
pub async fn archive_numbers_count_per_month_and_are_never_shared(db: TestDb) {
    let store = db.store.clone();
    let nov = at(0);
    let dec = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap();
    let a = ready_to_archive(&store, "a", nov).await;
    let b = ready_to_archive(&store, "b", nov).await;
    let c = ready_to_archive(&store, "c", dec).await;
    let number = |v: Visit| v.archive.map(|a| a.number).unwrap_or_default();
    assert_eq!(number(store.archive_visit(&a.id, nov, "hd").await.unwrap()), "LPSE/2026/11/0001");
    assert_eq!(number(store.archive_visit(&b.id, nov, "hd").await.unwrap()), "LPSE/2026/11/0002");
    assert_eq!(number(store.archive_visit(&c.id, dec, "hd").await.unwrap()), "LPSE/2026/12/0001", "a new month");

    let mut office = store.settings().await.unwrap().office.clone();
    office.office_name = "LPSE Kota Bandung".into();
    office.archive_pattern = "ARS-{yyyy}{mm}{dd}-{seq:3}".into();
    store.change_settings(SettingsChange::Office(office), "admin", dec).await.unwrap();
    let d = ready_to_archive(&store, "d", dec).await;
    assert_eq!(number(store.archive_visit(&d.id, dec, "hd").await.unwrap()), "ARS-20261201-001");

    const N: usize = 24;
    let mut ids = Vec::new();
    for i in 0..N {
        ids.push(ready_to_archive(&store, &format!("n{i}"), dec).await.id);
    }
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let store = store.clone();
            tokio::spawn(async move { store.archive_visit(&id, dec, "hd").await.expect("archived") })
        })
        .collect();
    let mut numbers = HashSet::new();
    for t in tasks {
        numbers.insert(number(t.await.expect("task")));
    }
    assert_eq!(numbers.len(), N, "no number shared: {numbers:?}");
    assert!(numbers.contains("ARS-20261201-002") && numbers.contains(&format!("ARS-20261201-{:03}", N + 1)));
}

pub async fn escalated(store: &S, channel: Channel) -> Visit {
    let v = waiting(store, "esc", "A", false, at(0)).await;
    store.call_next("1", None, at(1), "hd").await.unwrap();
    store.change_visit(&v.id, at(2), Box::new(move |v, s| v.start(s, at(2), "hd"))).await.unwrap();
    let req = EscalationRequest {
        analysis: "Galat server SPSE".into(),
        channel,
        summary: "Penawaran gagal terkirim".into(),
        external_reference: (channel == Channel::Tts).then(|| "TTS-2026-0042".into()),
    };
    store.change_visit(&v.id, at(10), Box::new(move |v, s| v.escalate(&req, s, at(10), "hd"))).await.unwrap()
}

pub async fn lkpp_answer_after_archive_adds_an_archive_version(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Tts).await;
    assert_eq!(v.escalation.as_ref().map(|e| e.status), Some(EscalationStatus::Sent));
    give_copy(&store, &v.id, at(14)).await;
    let archived = store.archive_visit(&v.id, at(15), "hd").await.unwrap();
    let first = store.archived_document(&v.id, None).await.unwrap().unwrap();
    assert_eq!(first.version, 1);
    let answered = store
        .change_visit(
            &v.id,
            at(600),
            Box::new(move |v, _| v.answer_escalation(&LkppAnswer::typed("Sudah diperbaiki LKPP"), at(600), "hd")),
        )
        .await
        .unwrap();
    assert_eq!(answered.status, Status::Archived);
    let archive = answered.archive.clone().unwrap();
    assert_eq!(archive.version, 2);
    assert_eq!(archive.number, archived.archive.unwrap().number, "same archive number");
    let second = store.archived_document(&v.id, None).await.unwrap().unwrap();
    assert_eq!(second.version, 2);
    assert_ne!(second.sha256, first.sha256);
    let kept = store.archived_document(&v.id, Some(1)).await.unwrap().unwrap();
    assert_eq!(kept.content, first.content, "the earlier version is kept as it was");
}

pub async fn history_and_archived_documents_cannot_be_changed(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Tts).await;
    give_copy(&store, &v.id, at(14)).await;
    store.archive_visit(&v.id, at(15), "hd").await.unwrap();
    let url_free_check = store.history(&v.id).await.unwrap().len();
    assert!(url_free_check > 0);
    // Changing the archive or the history directly is refused by the database itself.
    assert!(raw_execute(&db.url, "UPDATE archived_documents SET sha256 = 'x'").await.is_err());
    assert!(raw_execute(&db.url, "DELETE FROM visit_events").await.is_err());
    assert_eq!(store.history(&v.id).await.unwrap().len(), url_free_check);
}

pub async fn email_escalation_waits_in_the_outbox(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Email).await;
    assert_eq!(v.escalation.as_ref().map(|e| e.status), Some(EscalationStatus::Pending));
    let mail = store.pending_mail().await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "helpdesk@lkpp.go.id");
    assert!(mail[0].1.contains(&v.reference));
}

pub async fn sessions_expire_and_end(db: TestDb) {
    let store = db.store.clone();
    use loket_domain::auth::Role;
    let user = NewUser {
        username: "rina".into(),
        full_name: "Rina".into(),
        password_hash: "h".into(),
        roles: vec![Role::Helpdesk],
        password_change_required: true,
    };
    store.add_user(user.clone(), "admin", at(0)).await.unwrap();
    assert!(matches!(store.add_user(user, "admin", at(0)).await, Err(StoreError::Duplicate)));
    store.add_session("t1", "rina", at(0), at(60)).await.unwrap();
    assert_eq!(store.session_user("t1", at(30)).await.unwrap().map(|u| u.roles), Some(vec![Role::Helpdesk]));
    assert!(store.session_user("t1", at(61)).await.unwrap().is_none(), "expired");
    store.add_session("t2", "rina", at(0), at(600)).await.unwrap();
    store.end_session("t2").await.unwrap();
    assert!(store.session_user("t2", at(1)).await.unwrap().is_none(), "ended");
    store.add_session("t3", "rina", at(0), at(600)).await.unwrap();
    assert!(store.set_disabled("rina", true, "admin", at(1)).await.unwrap());
    assert!(store.session_user("t3", at(1)).await.unwrap().is_none(), "disabled");
    assert!(store.user("rina").await.unwrap().unwrap().user.disabled);
    assert!(!store.set_password("nobody", "h", false, "admin", at(1)).await.unwrap());
    assert_eq!(store.count_users().await.unwrap(), 1);
    // A password the user did not choose is kept with its flag; their own clears it.
    assert!(store.user("rina").await.unwrap().unwrap().user.password_change_required);
    assert!(store.set_password("rina", "h2", false, "admin", at(1)).await.unwrap());
    assert!(!store.user("rina").await.unwrap().unwrap().user.password_change_required);
    assert!(store.set_password("rina", "h3", true, "admin", at(1)).await.unwrap());
    assert!(store.user("rina").await.unwrap().unwrap().user.password_change_required);
}

pub async fn settings_replace_the_defaults(db: TestDb) {
    let store = db.store.clone();
    let before = store.settings().await.unwrap();
    assert!(before.priorities.is_example);
    assert_eq!(before.counters.len(), 3);
    set_counters(&store, vec![counter("7", &["A"])]).await;
    let after = store.settings().await.unwrap();
    assert_eq!(after.counters.len(), 1);
    assert_eq!(after.counters[0].code, "7");
}

pub async fn calls_and_queue_changes_are_announced_after_commit(db: TestDb) {
    let store = db.store.clone();
    let mut rx = store.subscribe();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    store.call_next("2", None, at(1), "hd").await.unwrap();
    store.change_visit(&a.id, at(2), Box::new(move |v, s| v.recall(s.office.calling, at(2), "hd"))).await.unwrap();
    let mut got = Vec::new();
    while got.len() < 6 {
        let e = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("event in time")
            .expect("event");
        got.push(e);
    }
    assert_eq!(
        got,
        [
            // Handed in at the kiosk, then checked: the front office's list changed twice.
            LiveEvent::Forms,
            LiveEvent::Forms,
            LiveEvent::Queue { service: "A".into(), waiting: 1 },
            LiveEvent::Called { number: "A-001".into(), counter: "2".into(), call_count: 1 },
            LiveEvent::Queue { service: "A".into(), waiting: 0 },
            LiveEvent::Called { number: "A-001".into(), counter: "2".into(), call_count: 2 },
        ]
    );
}

pub async fn a_failed_change_writes_nothing(db: TestDb) {
    let store = db.store.clone();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    let before = store.history(&a.id).await.unwrap().len();
    let err = store.change_visit(&a.id, at(1), Box::new(move |v, s| v.start(s, at(1), "hd"))).await.unwrap_err();
    assert!(matches!(refused(err), Refused::InvalidTransition { .. }));
    assert_eq!(store.history(&a.id).await.unwrap().len(), before);
    assert_eq!(store.visit(&a.id).await.unwrap().unwrap(), a);
    assert!(matches!(
        store.change_visit("nope", at(1), Box::new(move |v, s| v.start(s, at(1), "hd"))).await,
        Err(StoreError::NotFound)
    ));
}

/// A refused change must release its row at once: a caller at another counter right after it
/// still gets the visit (it once stayed locked until its connection was used again).
pub async fn a_refused_change_leaves_the_visit_free_for_the_next_caller(db: TestDb) {
    let store = db.store.clone();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    for _ in 0..3 {
        let refused = store.change_visit(&a.id, at(1), Box::new(move |v, s| v.start(s, at(1), "hd"))).await;
        assert!(refused.is_err());
    }
    let called = store.call_next("2", None, at(2), "hd").await.unwrap();
    assert_eq!(called.map(|v| v.id), Some(a.id));
}

pub async fn a_visit_still_in_line_when_its_office_day_ends_is_not_served(db: TestDb) {
    let store = db.store.clone();
    let waiting_yesterday = waiting(&store, "w", "A", false, at(0)).await;
    let called_yesterday = waiting(&store, "c", "A", false, at(1)).await;
    store.call_next("1", None, at(2), "hd").await.unwrap();
    store.call_next("2", None, at(3), "hd").await.unwrap();
    let tomorrow = at(24 * 60);
    let first_today = waiting(&store, "t", "A", false, tomorrow).await;
    assert_eq!(first_today.queue.number.as_deref(), Some("A-001"));
    // The first call of the new day ends the old one: yesterday's visits are never called again.
    let called = store.call_next("1", None, tomorrow, "hd").await.unwrap().expect("today's visit");
    assert_eq!(called.id, first_today.id, "counter 1 was busy with yesterday's call, now ended");
    for id in [&waiting_yesterday.id, &called_yesterday.id] {
        let v = store.visit(id).await.unwrap().unwrap();
        assert_eq!(v.status, Status::NotServed);
        assert_eq!(v.queue.counter, None);
        let last = v.history.last().unwrap();
        assert_eq!((last.kind, last.by.as_str()), (EventKind::NotServed, "system"));
    }
    assert!(store.queue(None).await.unwrap().waiting.is_empty());
    let board = store.display(None).await.unwrap();
    assert_eq!(board.calling.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), ["A-001"]);
}

pub async fn the_office_day_ends_at_its_closing_time(db: TestDb) {
    let store = db.store.clone();
    let mut office = store.settings().await.unwrap().office.clone();
    office.closing_time = chrono::NaiveTime::from_hms_opt(16, 0, 0);
    store.change_settings(SettingsChange::Office(office), "sup", at(0)).await.unwrap();
    let v = waiting(&store, "w", "A", false, at(0)).await;
    // 09:00 + 419 minutes is 15:59 in Jakarta: still open.
    assert_eq!(store.end_office_days(at(419)).await.unwrap(), 0);
    assert_eq!(store.end_office_days(at(420)).await.unwrap(), 1);
    assert_eq!(store.visit(&v.id).await.unwrap().unwrap().status, Status::NotServed);
    assert_eq!(store.end_office_days(at(421)).await.unwrap(), 0, "ended once");
}

pub async fn no_number_is_given_after_closing_time(db: TestDb) {
    let store = db.store.clone();
    let mut office = store.settings().await.unwrap().office.clone();
    office.closing_time = chrono::NaiveTime::from_hms_opt(16, 0, 0);
    store.change_settings(SettingsChange::Office(office), "sup", at(0)).await.unwrap();
    let open = OpenVisit { service: Some("A".into()), visitor: visitor("late"), form: Some(form()) };
    let v = store.open_visit(open, at(419), "fo").await.unwrap();
    // 16:00 in Jakarta: a number now would be closed as not served at the next call.
    let err = store.check_visit(&v.id, false, at(420), "fo").await.unwrap_err();
    assert_eq!(refused(err), Refused::OfficeClosed);
    let kept = store.visit(&v.id).await.unwrap().unwrap();
    assert_eq!((kept.status, kept.queue.number), (Status::FormSubmitted, None), "the form is kept, unnumbered");
    assert_eq!(kept.form.description, v.form.description);
    // The next morning it gets that day's first number.
    let next_day = store.check_visit(&v.id, false, at(24 * 60), "fo").await.unwrap();
    assert_eq!(next_day.visit.queue.number.as_deref(), Some("A-001"));
    assert_eq!(next_day.visit.status, Status::Waiting);
}

pub async fn a_skipped_visit_goes_back_among_its_own_service(db: TestDb) {
    let store = db.store.clone();
    set_services_a_and_b(&store).await;
    set_counters(&store, vec![counter("1", &["A"]), counter("2", &["A", "B"])]).await;
    let a8 = waiting(&store, "a8", "A", false, at(0)).await;
    let b7 = waiting(&store, "b7", "B", false, at(1)).await;
    let a9 = waiting(&store, "a9", "A", false, at(2)).await;
    let a10 = waiting(&store, "a10", "A", false, at(3)).await;
    assert_eq!(store.call_next("1", None, at(4), "hd").await.unwrap().unwrap().id, a8.id);
    recall_twice(&store, &a8.id).await;
    let skipped = store.skip(&a8.id, at(5), "hd").await.unwrap();
    assert_eq!(skipped.next.map(|v| v.id), Some(a9.id));
    let line: Vec<String> = store.queue(None).await.unwrap().waiting.into_iter().map(|v| v.id).collect();
    assert_eq!(line, [b7.id.clone(), a8.id.clone(), a10.id.clone()], "A-008 is the next A, still behind B-007");
    assert_eq!(store.call_next("2", None, at(6), "hd").await.unwrap().unwrap().id, b7.id);
}

pub async fn a_called_visit_cannot_be_cancelled(db: TestDb) {
    let store = db.store.clone();
    let v = waiting(&store, "v", "A", false, at(0)).await;
    store.call_next("1", None, at(1), "hd").await.unwrap();
    let cancel = |at_: DateTime<Utc>| -> loket_store::Change { Box::new(move |v, _| v.cancel("pergi", at_, "fo")) };
    let err = store.change_visit(&v.id, at(2), cancel(at(2))).await.unwrap_err();
    assert!(matches!(refused(err), Refused::InvalidTransition { from: Status::Called, .. }));
    // At the visitor's request, once at the counter, it can.
    store.change_visit(&v.id, at(3), Box::new(move |v, s| v.start(s, at(3), "hd"))).await.unwrap();
    let cancelled = store.change_visit(&v.id, at(4), cancel(at(4))).await.unwrap();
    assert_eq!(cancelled.status, Status::Cancelled);
}

pub async fn settings_that_would_strand_a_visit_are_refused(db: TestDb) {
    let store = db.store.clone();
    set_services_a_and_b(&store).await;
    let called = waiting(&store, "c", "A", false, at(0)).await;
    store.call_next("1", None, at(1), "hd").await.unwrap();
    let _in_line = waiting(&store, "w", "B", false, at(2)).await;
    let settings = store.settings().await.unwrap();
    // Counter 1 is calling: it cannot go.
    let without_1 = settings.counters.iter().filter(|c| c.code != "1").cloned().collect();
    let err = store.change_settings(SettingsChange::Counters(without_1), "sup", at(3)).await.unwrap_err();
    match refused(err) {
        Refused::InUse(s) => assert_eq!(s.counters, ["1"]),
        other => panic!("{other:?}"),
    }
    // Service B has a visit in line: it cannot go.
    let mut office = settings.office.clone();
    office.services.retain(|s| s.code == "A");
    let err = store.change_settings(SettingsChange::Office(office), "sup", at(3)).await.unwrap_err();
    assert!(matches!(refused(err), Refused::InUse(s) if s.services == ["B"]));
    // The category open visits name cannot go.
    let categories: Vec<_> = settings.priorities.categories.iter().filter(|c| c.code != "password").cloned().collect();
    let err = store.change_settings(SettingsChange::Priorities(categories), "sup", at(3)).await.unwrap_err();
    assert!(matches!(refused(err), Refused::InUse(s) if s.categories == ["password"]));
    // An empty list is not a setting.
    let err = store.change_settings(SettingsChange::Counters(vec![]), "sup", at(3)).await.unwrap_err();
    assert!(matches!(refused(err), Refused::Validation(f) if f.0.contains_key("counters")));
    assert_eq!(store.settings().await.unwrap(), settings, "nothing refused was saved");
    assert_eq!(store.visit(&called.id).await.unwrap().unwrap().queue.counter.as_deref(), Some("1"));
    // Once the visit has left the counter, the counter may go.
    store.change_visit(&called.id, at(4), Box::new(move |v, s| v.start(s, at(4), "hd"))).await.unwrap();
    store.change_visit(&called.id, at(5), Box::new(move |v, _| v.cancel("pergi", at(5), "hd"))).await.unwrap();
    let without_1 = settings.counters.iter().filter(|c| c.code != "1").cloned().collect();
    store.change_settings(SettingsChange::Counters(without_1), "sup", at(6)).await.expect("counter 1 is free");
}

pub async fn a_skipped_number_returns_at_least_once(db: TestDb) {
    let store = db.store.clone();
    let mut office = store.settings().await.unwrap().office.clone();
    office.calling.returns_after_skip = 0;
    let err = store.change_settings(SettingsChange::Office(office), "sup", at(0)).await.unwrap_err();
    assert!(matches!(refused(err), Refused::Validation(f) if f.0.contains_key("calling.returns_after_skip")));
}

pub async fn a_returning_visitor_is_found_by_phone_or_email(db: TestDb) {
    use loket_domain::guest_book::Contact;
    let store = db.store.clone();
    let contact = |typed: &str| Contact::parse(typed).expect("a contact");
    assert!(store.last_visit_by_contact(&contact("0812-3456-7890")).await.unwrap().is_none(), "nobody yet");
    let first = waiting(&store, "Budi", "A", false, at(0)).await;
    let mut again = visitor("Budi Santoso");
    again.phone = Some("+62 812 3456 7890".into());
    again.email = Some("Budi_S@Example.co.id".into());
    let open = OpenVisit { service: None, visitor: again, form: None };
    let latest = store.open_visit(open, at(60), "fo").await.unwrap();
    let other = VisitorInput { name: Some("Siti".into()), phone: Some("0813 0000 1111".into()), ..Default::default() };
    store.open_visit(OpenVisit { service: None, visitor: other, form: None }, at(90), "fo").await.unwrap();
    let found = store.last_visit_by_contact(&contact("081234567890")).await.unwrap().expect("found");
    assert_eq!(found.id, latest.id, "the latest visit of that number, however it was written");
    let by_mail = store.last_visit_by_contact(&contact("budi_s@example.co.id")).await.unwrap().expect("found");
    assert_eq!(by_mail.visitor.name.as_deref(), Some("Budi Santoso"));
    let first_mail = store.last_visit_by_contact(&contact("BUDI@example.co.id")).await.unwrap().expect("found");
    assert_eq!(first_mail.id, first.id);
    // `_` is a wildcard of LIKE: it must match only itself.
    assert!(store.last_visit_by_contact(&contact("budixs@example.co.id")).await.unwrap().is_none());
    assert!(store.last_visit_by_contact(&contact("0812 3456 789")).await.unwrap().is_none(), "a part is no match");
}

pub async fn the_office_keeps_an_enabled_admin(db: TestDb) {
    use loket_domain::auth::Role;
    let store = db.store.clone();
    let new = |name: &str, roles: Vec<Role>| NewUser {
        username: name.into(),
        full_name: name.into(),
        password_hash: "h".into(),
        roles,
        password_change_required: false,
    };
    store.add_user(new("admin", vec![Role::Admin, Role::Supervisor]), "admin", at(0)).await.unwrap();
    store.add_user(new("rina", vec![Role::Helpdesk]), "admin", at(0)).await.unwrap();
    let changed =
        store.change_user("rina", "Rina Wati", &[Role::FrontOffice, Role::Helpdesk], "admin", at(1)).await.unwrap();
    assert_eq!(
        changed.map(|u| (u.full_name, u.roles)),
        Some(("Rina Wati".into(), vec![Role::FrontOffice, Role::Helpdesk]))
    );
    assert_eq!(store.user("rina").await.unwrap().unwrap().user.full_name, "Rina Wati");
    assert!(store.change_user("nobody", "X", &[Role::Helpdesk], "admin", at(1)).await.unwrap().is_none());
    let last = store.change_user("admin", "Admin", &[Role::Supervisor], "admin", at(1)).await;
    assert!(matches!(last, Err(StoreError::Refused(Refused::LastAdmin))), "{last:?}");
    assert!(matches!(
        store.set_disabled("admin", true, "admin", at(1)).await,
        Err(StoreError::Refused(Refused::LastAdmin))
    ));
    assert_eq!(
        store.user("admin").await.unwrap().unwrap().user.roles,
        vec![Role::Admin, Role::Supervisor],
        "unchanged"
    );
    store.change_user("rina", "Rina Wati", &[Role::Admin], "admin", at(1)).await.unwrap();
    store.change_user("admin", "Admin", &[Role::Supervisor], "admin", at(1)).await.unwrap();
    assert!(matches!(
        store.change_user("rina", "Rina Wati", &[Role::Helpdesk], "admin", at(1)).await,
        Err(StoreError::Refused(Refused::LastAdmin))
    ));
}

fn scores(values: [u8; 9]) -> loket_domain::survey::Answers {
    use loket_domain::survey::{Answers, Element, Respondent};
    let given: Vec<(Element, Option<u8>)> = Element::ALL.iter().zip(values).map(|(e, v)| (*e, Some(v))).collect();
    Answers::parse(&given, Some("Terima kasih"), Respondent::default()).expect("valid answers")
}

pub async fn a_survey_is_answered_once_and_opening_it_records_nothing(db: TestDb) {
    use loket_store::SurveyFilter;
    let store = db.store.clone();
    let served = escalated(&store, Channel::Email).await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let filter = SurveyFilter { from: day, to: day, service: None, agent: None };
    store.add_survey_token("h1", &served.id, at(20), at(60 * 24)).await.unwrap();
    store.add_survey_token("h2", &served.id, at(21), at(60 * 24)).await.unwrap();

    // Opening the link, twice, records nothing.
    for _ in 0..2 {
        let link = store.survey_link("h1", at(22)).await.unwrap().expect("a valid link");
        assert_eq!(link.visit.id, served.id);
        assert!(!link.answered);
    }
    let groups = store.survey_groups(&filter).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].served, groups[0].tally.responses), (1, 0), "served, not answered");
    assert_eq!(groups[0].agent, "hd");

    assert!(store.survey_link("nope", at(22)).await.unwrap().is_none());
    assert!(store.survey_link("h1", at(60 * 24)).await.unwrap().is_none(), "expired");
    assert!(matches!(store.answer_survey("h1", scores([4; 9]), at(60 * 24)).await, Err(StoreError::NotFound)));

    store.answer_survey("h1", scores([4, 3, 2, 4, 3, 4, 4, 1, 3]), at(23)).await.unwrap();
    assert!(store.survey_link("h1", at(24)).await.unwrap().expect("still known").answered);
    for token in ["h1", "h2"] {
        let again = store.answer_survey(token, scores([1; 9]), at(25)).await;
        assert!(matches!(again, Err(StoreError::Refused(Refused::SurveyAnswered))), "{token}: {again:?}");
    }
    let groups = store.survey_groups(&filter).await.unwrap();
    assert_eq!(groups[0].tally.responses, 1);
    assert_eq!(groups[0].tally.sums, [4, 3, 2, 4, 3, 4, 4, 1, 3], "the first answer, not the refused one");
    let other_agent = SurveyFilter { agent: Some("someone".into()), ..filter.clone() };
    assert!(store.survey_groups(&other_agent).await.unwrap().is_empty());
    let next_day = SurveyFilter { from: day.succ_opt().unwrap(), to: day.succ_opt().unwrap(), ..filter };
    assert!(store.survey_groups(&next_day).await.unwrap().is_empty());

    // The database itself keeps one response per visit.
    let second = raw_execute(
        &db.url,
        &format!(
            "INSERT INTO survey_responses (visit_id, office_id, visit_day, service, served_by, answered_at, \
             u1, u2, u3, u4, u5, u6, u7, u8, u9) VALUES ('{}', 'default', '{day}', 'A', 'hd', 0, 1, 1, 1, 1, 1, 1, 1, 1, 1)",
            served.id
        ),
    )
    .await;
    assert!(second.is_err(), "a second response is refused by the database");
}

pub async fn a_visit_not_yet_served_cannot_be_surveyed(db: TestDb) {
    let store = db.store.clone();
    let v = waiting(&store, "Sari", "A", false, at(0)).await;
    store.add_survey_token("w", &v.id, at(1), at(60)).await.unwrap();
    let refused = store.answer_survey("w", scores([3; 9]), at(2)).await;
    assert!(matches!(refused, Err(StoreError::Refused(Refused::InvalidTransition { .. }))), "{refused:?}");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let filter = loket_store::SurveyFilter { from: day, to: day, service: None, agent: None };
    assert!(store.survey_groups(&filter).await.unwrap().is_empty(), "nothing was served nor answered");
}

/// The archive takes the visit's number before its document is made: a document that could not
/// be made leaves the visit as it was, and its next try takes the same number, so the numbers
/// have no gap.
pub async fn an_archive_whose_document_failed_keeps_its_number_for_the_next_try(db: TestDb) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let failing = Arc::new(AtomicBool::new(true));
    let renderer: loket_store::DocumentRenderer = {
        let failing = failing.clone();
        Arc::new(move |visit, _, stamp, _| {
            if failing.load(Ordering::SeqCst) {
                Err("the fonts are missing".into())
            } else {
                loket_domain::archive::json_document(visit, stamp)
            }
        })
    };
    let store = crate::support::with_renderer(&db, renderer).await;
    let a = declined_copy(&store, "a", at(0)).await;
    let b = declined_copy(&store, "b", at(0)).await;
    let c = answered(&store, "c", at(0)).await;
    let err = store.archive_visit(&a.id, at(1), "hd").await.unwrap_err();
    assert!(matches!(err, StoreError::Document(ref m) if m.contains("fonts")), "{err:?}");
    let a_now = store.visit(&a.id).await.unwrap().unwrap();
    assert_eq!((a_now.status, a_now.history.len()), (Status::Answered, a.history.len()), "nothing recorded");
    assert!(store.archived_document(&a.id, None).await.unwrap().is_none());
    // The copy's document failing too: no copy recorded, its number kept.
    let err = store.give_copy(&c.id, CopyVia::Printed, at(1), "hd", false).await.unwrap_err();
    assert!(matches!(err, StoreError::Document(ref m) if m.contains("fonts")), "{err:?}");
    let c_now = store.visit(&c.id).await.unwrap().unwrap();
    assert_eq!((c_now.copy.is_none(), c_now.history.len()), (true, c.history.len()), "nothing recorded");

    failing.store(false, Ordering::SeqCst);
    let number = |v: Visit| v.archive.map(|a| a.number).unwrap_or_default();
    assert_eq!(number(store.archive_visit(&b.id, at(2), "hd").await.unwrap()), "LPSE/2026/11/0003");
    let a = store.archive_visit(&a.id, at(3), "hd").await.unwrap();
    assert_eq!(number(a.clone()), "LPSE/2026/11/0001", "the number taken at the failed try");
    let doc = store.archived_document(&a.id, None).await.unwrap().expect("document");
    assert_eq!(doc.number, "LPSE/2026/11/0001");
    assert_eq!(doc.archived_at, at(3), "archived when it was stored");
    let c = store.give_copy(&c.id, CopyVia::Printed, at(4), "hd", false).await.unwrap();
    let given = c.copy.and_then(|c| c.document).expect("document");
    assert_eq!(given.number, "LPSE/2026/11/0002", "the number taken at the copy's failed try");
}

/// A visit that changes while its document is made outside the writer is archived with a
/// document made again from the visit as it is: the archive never holds a stale form.
pub async fn a_visit_changed_while_its_document_is_made_is_archived_as_it_is(db: TestDb) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, Ordering};
    let first = Arc::new(AtomicBool::new(true));
    let target: Arc<OnceLock<(S, String)>> = Arc::new(OnceLock::new());
    let renderer: loket_store::DocumentRenderer = {
        let (first, target) = (first.clone(), target.clone());
        Arc::new(move |visit, _, stamp, _| {
            // The first document is made outside the writer, on a blocking thread: the visit
            // changes meanwhile (the visitor declines the copy after all).
            if first.swap(false, Ordering::SeqCst)
                && let Some((store, id)) = target.get()
            {
                let (store, id) = (store.clone(), id.clone());
                tokio::runtime::Handle::current()
                    .block_on(store.change_visit(
                        &id,
                        at(2),
                        Box::new(|v, _| v.give_copy(CopyVia::Printed, at(2), "hd")),
                    ))
                    .map_err(|e| e.to_string())?;
            }
            loket_domain::archive::json_document(visit, stamp)
        })
    };
    let store = crate::support::with_renderer(&db, renderer).await;
    // Declined, so the archive makes the document; meanwhile the visitor wants it printed
    // after all (recorded without a document of its own here, to change the visit only).
    let v = declined_copy(&store, "a", at(0)).await;
    let _ = target.set((store.clone(), v.id.clone()));
    let archived = store.archive_visit(&v.id, at(3), "hd").await.unwrap();
    assert_eq!(archived.status, Status::Archived);
    assert_eq!(archived.copy.as_ref().map(|c| c.via), Some(CopyVia::Printed), "the change is kept");
    let doc = store.archived_document(&v.id, None).await.unwrap().expect("document");
    let text = String::from_utf8(doc.content).unwrap();
    assert!(text.contains("\"printed\""), "the document shows the visit as archived, copy printed: {text}");
    assert_eq!(doc.number, "LPSE/2026/11/0001", "one number");
}

fn reply(key: &str, subject: &str, replies_to: &[&str]) -> IncomingMail {
    IncomingMail {
        key: key.into(),
        message_id: Some(key.into()),
        replies_to: replies_to.iter().map(|s| s.to_string()).collect(),
        subject: subject.into(),
        from: Some("helpdesk@lkpp.go.id".into()),
        text: "Nomor tiket: TTS-2026-777\nAkun sudah dibuka.\n\nOn Sat, Loket wrote:\n> Eskalasi".into(),
        headers: Vec::new(),
    }
}

pub async fn a_reply_from_the_mailbox_is_taken_once_and_answers_its_escalation(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Email).await;
    let sent = store.claim_mail(at(11), at(20), 10).await.unwrap();
    let message_id = sent[0].message_id.clone().unwrap();
    store.mail_sent(&sent[0].id, at(12)).await.unwrap();
    let auto = IncomingMail {
        headers: vec![("auto-submitted".into(), "auto-replied".into())],
        ..reply("<ooo@lkpp>", &format!("Out of office: [{}]", v.reference), &[message_id.trim_matches(['<', '>'])])
    };
    assert_eq!(store.take_reply(auto, at(30)).await.unwrap(), ReplyOutcome::AutoReply);
    let answer = reply("<r1@lkpp>", "Re: Eskalasi", &["other@x", message_id.trim_matches(['<', '>'])]);
    // Two instances reading the same message at once: it is taken once.
    let (a, b) = tokio::join!(store.take_reply(answer.clone(), at(40)), store.take_reply(answer.clone(), at(40)));
    let mut outcomes = [a.unwrap().as_str(), b.unwrap().as_str()];
    outcomes.sort();
    assert_eq!(outcomes, ["already_taken", "answered"]);
    let answered = store.visit(&v.id).await.unwrap().unwrap();
    let esc = answered.escalation.clone().unwrap();
    assert_eq!(esc.status, EscalationStatus::Answered);
    assert_eq!(esc.answer.as_deref(), Some("Nomor tiket: TTS-2026-777\nAkun sudah dibuka."));
    assert_eq!(esc.lkpp_ticket.as_deref(), Some("TTS-2026-777"));
    let last = answered.history.last().unwrap();
    assert_eq!(
        (last.kind, last.data["via"].as_str(), last.by.as_str()),
        (EventKind::EscalationAnswered, Some("email"), "system")
    );
    assert_eq!(last.data["message_id"], "<r1@lkpp>");
    // A second reply to an answered escalation, and a mail naming nothing, are left for a person.
    let again = reply("<r2@lkpp>", &format!("Re: [{}]", v.reference), &[]);
    assert_eq!(
        store.take_reply(again, at(50)).await.unwrap(),
        ReplyOutcome::NotOpen { reference: v.reference.clone() }
    );
    assert_eq!(store.take_reply(reply("<spam@x>", "Halo", &[]), at(50)).await.unwrap(), ReplyOutcome::Unmatched);
    assert_eq!(store.unmatched_replies().await.unwrap(), 2);
    assert_eq!(store.take_reply(answer, at(60)).await.unwrap(), ReplyOutcome::AlreadyTaken);
    // The bracketed reference in the subject names the visit, but makes no answer by itself:
    // from LKPP's address outside the thread, the mail is kept for a supervisor.
    let w = escalated_again(&store).await;
    let by_subject = reply("<r3@lkpp>", &format!("RE: [{}] Eskalasi LPSE", w.reference), &["unknown@x"]);
    let ReplyOutcome::Kept { id, reference, doubt } = store.take_reply(by_subject, at(70)).await.unwrap() else {
        panic!("kept")
    };
    assert_eq!((reference.as_str(), doubt), (w.reference.as_str(), Doubt::Thread));
    let waiting = store.visit(&w.id).await.unwrap().unwrap();
    assert!(waiting.awaits_lkpp(), "nothing recorded");
    let listed = store.unmatched_mail(10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id.as_str(), listed[0].status), (id.as_str(), UnmatchedStatus::Pending));
    assert_eq!(listed[0].answer, "Nomor tiket: TTS-2026-777\nAkun sudah dibuka.");
}

pub async fn an_unmatched_mail_is_kept_and_decided_once_by_a_supervisor(db: TestDb) {
    let store = db.store.clone();
    let v = escalated(&store, Channel::Email).await;
    let sent = store.claim_mail(at(11), at(20), 10).await.unwrap();
    let thread = sent[0].message_id.clone().unwrap();
    store.mail_sent(&sent[0].id, at(12)).await.unwrap();
    // A stranger in the escalation's thread, with the reference in the subject.
    let stranger = IncomingMail {
        from: Some("phish@evil.example".into()),
        headers: vec![("authentication-results".into(), "mx.lpse; spf=fail; dkim=none; dmarc=fail".into())],
        ..reply("<p1@evil>", &format!("Re: [{}]", v.reference), &[thread.trim_matches(['<', '>'])])
    };
    let ReplyOutcome::Kept { id: phish, doubt, .. } = store.take_reply(stranger, at(30)).await.unwrap() else {
        panic!("kept")
    };
    assert_eq!(doubt, Doubt::Sender);
    let lkpp = reply("<l1@lkpp>", &format!("Re: [{}]", v.reference), &[]);
    let ReplyOutcome::Kept { id: real, doubt, .. } = store.take_reply(lkpp, at(31)).await.unwrap() else {
        panic!("kept")
    };
    assert_eq!(doubt, Doubt::Thread);
    let listed = store.unmatched_mail(10).await.unwrap();
    assert_eq!(
        listed.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        [real.as_str(), phish.as_str()],
        "newest first"
    );
    assert_eq!(listed[1].authentication_results.as_deref(), Some("mx.lpse; spf=fail; dkim=none; dmarc=fail"));
    assert_eq!(
        (listed[1].from.as_deref(), listed[1].visit_id.as_deref()),
        (Some("phish@evil.example"), Some(v.id.as_str()))
    );
    assert!(store.visit(&v.id).await.unwrap().unwrap().awaits_lkpp());

    let dismissed = store.dismiss_unmatched_mail(&phish, "sup", at(40)).await.unwrap();
    assert_eq!((dismissed.status, dismissed.decided_by.as_deref()), (UnmatchedStatus::Dismissed, Some("sup")));
    let confirmed = store.confirm_unmatched_mail(&real, "sup", at(41)).await.unwrap();
    assert_eq!((confirmed.status, confirmed.decided_at), (UnmatchedStatus::Confirmed, Some(at(41))));
    let answered = store.visit(&v.id).await.unwrap().unwrap();
    assert_eq!(answered.escalation.as_ref().map(|e| e.status), Some(EscalationStatus::Answered));
    let last = answered.history.last().unwrap();
    assert_eq!((last.kind, last.by.as_str()), (EventKind::EscalationAnswered, "sup"));
    assert_eq!(
        (&last.data["via"], &last.data["confirmed_by"]),
        (&serde_json::json!("email"), &serde_json::json!("sup"))
    );
    // Decided once; every mail stays, for the auditor.
    for again in [
        store.confirm_unmatched_mail(&phish, "sup", at(42)).await,
        store.dismiss_unmatched_mail(&real, "sup", at(42)).await,
    ] {
        assert!(matches!(again, Err(StoreError::Refused(Refused::AlreadyDecided))), "{again:?}");
    }
    assert!(matches!(store.dismiss_unmatched_mail("nope", "sup", at(42)).await, Err(StoreError::NotFound)));
    let kept = store.unmatched_mail(10).await.unwrap();
    let statuses: Vec<_> = kept.iter().map(|m| m.status).collect();
    assert_eq!(statuses, [UnmatchedStatus::Confirmed, UnmatchedStatus::Dismissed]);
}

/// A visit of `name` opened at `t0`, called at `counter` by `by` and escalated by e-mail 10
/// minutes later.
async fn escalated_by_mail(store: &S, name: &str, counter: &str, by: &'static str, t0: DateTime<Utc>) -> Visit {
    let t = move |m: i64| t0 + Duration::minutes(m);
    let v = waiting(store, name, "A", false, t(0)).await;
    store.call_next(counter, None, t(1), by).await.unwrap();
    store.change_visit(&v.id, t(2), Box::new(move |v, s| v.start(s, t(2), by))).await.unwrap();
    let req = EscalationRequest {
        analysis: "Galat".into(),
        channel: Channel::Email,
        summary: "Perlu LKPP".into(),
        external_reference: None,
    };
    store.change_visit(&v.id, t(10), Box::new(move |v, s| v.escalate(&req, s, t(10), by))).await.unwrap()
}

/// A second visit, escalated by e-mail at another counter.
async fn escalated_again(store: &S) -> Visit {
    escalated_by_mail(store, "esc2", "2", "hd2", at(100)).await
}

/// Reconnects to the database of `db`, as a server starting again would.
async fn reopen(db: &TestDb) -> Arc<dyn Store> {
    if db.url.starts_with("sqlite:") {
        Arc::new(loket_store::SqliteStore::connect(&db.url, None).await.expect("sqlite store"))
    } else {
        Arc::new(loket_store::PgStore::connect(&db.url, None).await.expect("postgres store"))
    }
}

pub async fn report_facts_are_written_with_each_visit_and_filled_in_at_start(db: TestDb) {
    let store = db.store.clone();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    escalated(&store, Channel::Email).await;
    waiting(&store, "Sari", "A", false, at(5)).await;
    let recap = store.recap(day, day).await.unwrap();
    assert_eq!(recap.visits, 2);
    assert_eq!((recap.outcomes.escalated, recap.outcomes.open), (1, 1));
    assert_eq!(recap.by_agent.len(), 1);
    assert_eq!((recap.by_agent[0].agent.as_str(), recap.by_agent[0].escalated), ("hd", 1));
    let mut times = Vec::new();
    let escalations = store.escalations(day, day, 10, &mut |at, answered| times.push((at, answered))).await.unwrap();
    assert_eq!((times.len(), escalations.len()), (1, 1));
    assert_eq!(times[0], (escalations[0].escalated_at, None));
    assert!(store.escalations(day, day, 0, &mut |_, _| {}).await.unwrap().is_empty(), "listed up to the limit");
    assert_eq!((escalations[0].channel.as_str(), escalations[0].status.as_str()), ("email", "pending"));
    let times = store.times(day, day, TimeMeasure::Clock).await.unwrap();
    assert_eq!((times.waiting.count, times.service.count), (1, 1));
    let standards = store
        .time_standards(day, day, &loket_domain::standards::default_standards(), at(10), &Measure::Clock)
        .await
        .unwrap();
    let working = store.times(day, day, TimeMeasure::Working).await.unwrap();
    assert!(store.recap(day.succ_opt().unwrap(), day.succ_opt().unwrap()).await.unwrap().visits == 0);

    // Visits stored without their facts (before migration 0008) get them when the store opens.
    raw_execute(&db.url, "DELETE FROM visit_steps").await.unwrap();
    raw_execute(&db.url, "DELETE FROM visit_facts").await.unwrap();
    assert_eq!(store.recap(day, day).await.unwrap().visits, 0);
    let reopened = reopen(&db).await;
    assert_eq!(reopened.recap(day, day).await.unwrap(), recap);
    assert_eq!(reopened.times(day, day, TimeMeasure::Clock).await.unwrap(), times);
    assert_eq!(reopened.times(day, day, TimeMeasure::Working).await.unwrap(), working);
    let again = reopened
        .time_standards(day, day, &loket_domain::standards::default_standards(), at(10), &Measure::Clock)
        .await
        .unwrap();
    assert_eq!(again, standards);
}

/// A visit escalated `days_ago` days before `at(0)`'s office day.
async fn escalated_days_ago(store: &S, name: &str, days_ago: i64) -> Visit {
    escalated_by_mail(store, name, "1", "hd", at(0) - Duration::days(days_ago)).await
}

pub async fn escalations_of_a_long_period_are_all_counted_and_listed(db: TestDb) {
    let store = db.store.clone();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    // Read a month at a time: these fall in different months of the period.
    for (name, days_ago) in [("a", 0), ("b", 40), ("c", 75)] {
        escalated_days_ago(&store, name, days_ago).await;
    }
    let mut times = Vec::new();
    let from = day - Duration::days(80);
    let listed = store.escalations(from, day, 10, &mut |at, answered| times.push((at, answered))).await.unwrap();
    assert_eq!((times.len(), listed.len()), (3, 3));
    assert!(listed.windows(2).all(|w| w[0].escalated_at <= w[1].escalated_at), "oldest first");
    times.sort();
    let expected: Vec<_> = listed.iter().map(|e| (e.escalated_at, e.answered_at)).collect();
    assert_eq!(times, expected);
    let mut only_last_day = 0;
    store.escalations(day, day, 10, &mut |_, _| only_last_day += 1).await.unwrap();
    assert_eq!(only_last_day, 1);
}

/// A step still running past its standard when a report is read is counted, judged as not within
/// and listed as running, in the period of its start; in working time only once working time has
/// passed its standard. The standards watch finds its visit whatever day it was opened.
pub async fn running_steps_past_their_standard_count_when_the_report_is_read(db: TestDb) {
    let store = db.store.clone();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let standards = loket_domain::standards::default_standards();
    // Answered at 09:50: step 12 (10 minutes) runs from then, never archived.
    let late = answered_late(&store).await;
    let step12 = |r: &loket_domain::standards::TimeStandardsReport| {
        r.steps.iter().find(|s| s.step == 12).map(|s| (s.count, s.within, s.running_over, s.compliance_pct)).unwrap()
    };
    let within = store.time_standards(day, day, &standards, at(55), &Measure::Clock).await.unwrap();
    assert_eq!(step12(&within), (0, 0, 0, None), "running within its standard: not judged yet");
    let now = at(61);
    let past = store.time_standards(day, day, &standards, now, &Measure::Clock).await.unwrap();
    assert_eq!(step12(&past), (1, 0, 1, Some(0.0)));
    let s12 = past.steps.iter().find(|s| s.step == 12).unwrap();
    assert_eq!((s12.avg_minutes, s12.standards_applied.len()), (None, 1), "no time is known yet");
    let overruns = store.overruns(day, day, 10, now, &Measure::Clock).await.unwrap();
    assert_eq!(overruns.by_step, vec![StepCount { step: 9, count: 1 }, StepCount { step: 12, count: 1 }]);
    let running = overruns.list.iter().find(|o| o.step == 12).expect("listed");
    assert_eq!((running.running, running.minutes, running.standard_minutes), (true, 11.0, 10));
    assert!(!overruns.list.iter().any(|o| o.step == 9 && o.running));
    assert_eq!(store.overruns(day, day, 0, now, &Measure::Clock).await.unwrap().total(), 2, "counted, not listed");
    // The next day's report does not count it: it belongs to the day it started.
    let next = day.succ_opt().unwrap();
    assert_eq!(store.overruns(next, next, 10, now, &Measure::Clock).await.unwrap(), Overruns::default());
    // In working time: 09:50-10:01 is working time on a Friday, 08:00-16:00 by default.
    let settings = store.settings().await.unwrap();
    let working = settings.working_time();
    assert_eq!(step12(&store.time_standards(day, day, &standards, now, &working).await.unwrap()).2, 1);
    // A day later, past 16:00 and the night: still one overrun, of all the working time since.
    let later = at(60 * 24 * 3);
    let o = store.overruns(day, day, 10, later, &working).await.unwrap();
    let working_minutes = working.between(at(50), later).num_milliseconds() as f64 / 60_000.0;
    assert_eq!(o.list.iter().find(|o| o.step == 12).map(|o| o.minutes), Some(working_minutes));
    // The watch finds the visit days after it was opened; archived, it no longer has a running step.
    let open: Vec<String> = store.visits_with_running_steps().await.unwrap().into_iter().map(|v| v.id).collect();
    assert_eq!(open, vec![late.id.clone()]);
    give_copy(&store, &late.id, later).await;
    store.archive_visit(&late.id, later, "hd").await.unwrap();
    assert!(store.visits_with_running_steps().await.unwrap().is_empty());
    let after = store.time_standards(day, day, &standards, later, &Measure::Clock).await.unwrap();
    assert_eq!(step12(&after).2, 0, "finished: counted as what it took");
}

pub async fn step_rows_kept_across_writes_are_those_a_fresh_write_makes(db: TestDb) {
    let store = db.store.clone();
    set_counters(&store, vec![Counter { code: "1".into(), name: "Loket 1".into(), services: vec!["A".into()] }]).await;
    // Histories that change earlier rows: an escalation archived, a form found incomplete and
    // saved again, a number skipped, a visit cancelled in service.
    let late = answered_late(&store).await;
    give_copy(&store, &late.id, at(51)).await;
    store.archive_visit(&late.id, at(52), "hd").await.unwrap();
    let partial = FormInput { description: Some("Tidak bisa unggah".into()), ..Default::default() };
    let open = OpenVisit { service: Some("A".into()), visitor: visitor("ulang"), form: Some(partial) };
    let v = store.open_visit(open, at(53), "fo").await.unwrap();
    assert!(store.check_visit(&v.id, false, at(54), "fo").await.unwrap().incomplete.is_some());
    let (vi, filled) = (visitor("ulang"), form());
    store
        .change_visit(&v.id, at(55), Box::new(move |v, s| v.save_form(Some(&vi), &filled, s, at(55), "fo")))
        .await
        .unwrap();
    assert!(store.check_visit(&v.id, false, at(56), "fo").await.unwrap().incomplete.is_none());
    waiting(&store, "lewat", "A", false, at(57)).await;
    let called = store.call_next("1", None, at(58), "hd").await.unwrap().expect("called");
    for m in [59, 60] {
        store
            .change_visit(&called.id, at(m), Box::new(move |v, s| v.recall(s.office.calling, at(m), "hd")))
            .await
            .unwrap();
    }
    // Skipping calls the next visit at the counter.
    let next = store.skip(&called.id, at(61), "hd").await.unwrap().next.expect("called next");
    store.change_visit(&next.id, at(63), Box::new(move |v, s| v.start(s, at(63), "hd"))).await.unwrap();
    store.change_visit(&next.id, at(64), Box::new(move |v, _| v.cancel("pulang", at(64), "hd"))).await.unwrap();
    let rows = "SELECT visit_id, seq, step, started_at, ended_at, duration_ms, working_ms, standard_minutes, \
                instant, cancelled, by_user FROM visit_steps ORDER BY visit_id, seq";
    let written = raw_rows(&db.url, rows).await.unwrap();
    assert!(written.len() > 20, "{written:?}");
    // The analysis cancelled in service is kept as such (`cancelled`, the tenth column).
    let cancelled: Vec<&Vec<String>> = written.iter().filter(|r| r[9] == "true" || r[9] == "1").collect();
    assert_eq!(cancelled.len(), 1, "{written:?}");
    assert_eq!((cancelled[0][0].as_str(), cancelled[0][2].as_str()), (next.id.as_str(), "9"));
    // Written anew, all at once, from each visit's whole history.
    raw_execute(&db.url, "DELETE FROM visit_steps").await.unwrap();
    raw_execute(&db.url, "DELETE FROM visit_facts").await.unwrap();
    reopen(&db).await;
    assert_eq!(raw_rows(&db.url, rows).await.unwrap(), written);
}

/// A visit served in 48 minutes (step 9's standard is 30): one overrun by the clock.
async fn answered_late(store: &S) -> Visit {
    let v = waiting(store, "lambat", "A", false, at(0)).await;
    store.call_next("1", None, at(1), "hd").await.unwrap();
    store.change_visit(&v.id, at(2), Box::new(move |v, s| v.start(s, at(2), "hd"))).await.unwrap();
    store.change_visit(&v.id, at(50), Box::new(move |v, s| v.answer("a", "b", s, at(50), "hd"))).await.unwrap()
}

pub async fn reports_in_working_time_add_up_the_working_durations_kept_with_each_visit(db: TestDb) {
    let store = db.store.clone();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let standards = loket_domain::standards::default_standards();
    // The whole office day is cuti bersama: none of its minutes is working time.
    let off = DayOff { date: day, kind: DayOffKind::CutiBersama, name: "Cuti bersama".into() };
    store.put_day_off(off, "admin", at(0)).await.unwrap();
    answered_late(&store).await;

    let settings = store.settings().await.unwrap();
    let in_working_time = settings.working_time();
    // Read when the answer was given: step 12 (the copy and archive) has only just started.
    let now = at(50);
    let clock = store.overruns(day, day, 10, now, &Measure::Clock).await.unwrap();
    assert_eq!(clock.by_step, vec![StepCount { step: 9, count: 1 }]);
    assert_eq!((clock.list.len(), clock.list[0].minutes), (1, 48.0));
    let counted_only = store.overruns(day, day, 0, now, &Measure::Clock).await.unwrap();
    assert_eq!((counted_only.total(), counted_only.list.len()), (1, 0), "counted past the listed ones");
    let working = store.overruns(day, day, 10, now, &in_working_time).await.unwrap();
    assert_eq!(working, Overruns::default(), "no working minute passed on a day off");

    let by_clock = store.time_standards(day, day, &standards, now, &Measure::Clock).await.unwrap();
    let in_working = store.time_standards(day, day, &standards, now, &in_working_time).await.unwrap();
    let step9 = |r: &loket_domain::standards::TimeStandardsReport| {
        r.steps.iter().find(|s| s.step == 9).map(|s| (s.count, s.within, s.avg_minutes)).unwrap()
    };
    assert_eq!(step9(&by_clock), (1, 0, Some(48.0)));
    assert_eq!(step9(&in_working), (1, 1, Some(0.0)));
    assert_eq!((by_clock.waiting.avg_minutes, in_working.waiting.avg_minutes), (Some(1.0), Some(0.0)));
    let times = store.times(day, day, TimeMeasure::Working).await.unwrap();
    assert_eq!((times.service.avg_minutes, times.waiting.max_minutes), (Some(0.0), Some(0.0)));
    assert_eq!(store.times(day, day, TimeMeasure::Clock).await.unwrap().service.avg_minutes, Some(48.0));
}
