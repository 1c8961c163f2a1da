//! A small reference model of the line (SOP step 8) and the visit's statuses, and a property
//! test that drives a real store with random actions and compares it with the model after each.
//!
//! The rules the model states: numbers unique per service and day and given in order; the first
//! waiting visit (priority lane first) is the one called; a counter with a visit called or in
//! service calls no other; three calls, then skip; the skipped visit goes back directly behind
//! the one called in its place, or becomes a no-show once its one return is used; a called visit
//! cannot be cancelled (only skipped), a visit in service can; a visit is never
//! at two counters; when the office day ends, every visit still in line is not served and numbers
//! start again; every history runs from the first status to the current one, and the visit's
//! own copy of it is the one in the history table.

use std::collections::HashSet;

use loket_domain::escalation::Channel;
use loket_domain::form::FormInput;
use loket_domain::guest_book::VisitorInput;
use loket_domain::settings::SettingsChange;
use loket_domain::visit::EscalationRequest;
use loket_domain::{Refused, Status};
use loket_store::{OpenVisit, StoreError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::cases::{at, counter, form, set_counters, visitor};
use crate::support::TestDb;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        priority_lane: bool,
        complete: bool,
    },
    Complete(usize),
    CallNext(usize),
    Recall(usize),
    Skip(usize),
    Start(usize),
    Answer(usize),
    Escalate(usize),
    Archive(usize),
    Cancel(usize),
    /// The office day ends: the next actions happen the day after.
    NextDay,
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0usize..64;
    prop_oneof![
        4 => (any::<bool>(), prop::bool::weighted(0.8)).prop_map(|(priority_lane, complete)| Op::Create { priority_lane: priority_lane && complete, complete }),
        1 => i.clone().prop_map(Op::Complete),
        4 => (0usize..4).prop_map(Op::CallNext),
        3 => i.clone().prop_map(Op::Recall),
        3 => i.clone().prop_map(Op::Skip),
        2 => i.clone().prop_map(Op::Start),
        1 => i.clone().prop_map(Op::Answer),
        1 => i.clone().prop_map(Op::Escalate),
        1 => i.clone().prop_map(Op::Archive),
        1 => i.prop_map(Op::Cancel),
        1 => Just(Op::NextDay),
    ]
}

#[derive(Debug, Clone)]
struct ModelVisit {
    id: String,
    status: Status,
    call_count: u32,
    skip_count: u32,
    counter: Option<String>,
    priority_lane: bool,
}

#[derive(Debug, Default)]
struct Model {
    visits: Vec<ModelVisit>,
    /// Indices into `visits`, in calling order, one line per lane.
    priority: Vec<usize>,
    ordinary: Vec<usize>,
    numbers_given: u32,
}

impl Model {
    fn pop_first(&mut self) -> Option<usize> {
        if !self.priority.is_empty() {
            Some(self.priority.remove(0))
        } else if !self.ordinary.is_empty() {
            Some(self.ordinary.remove(0))
        } else {
            None
        }
    }

    fn line(&self) -> Vec<String> {
        self.priority.iter().chain(&self.ordinary).map(|&i| self.visits[i].id.clone()).collect()
    }

    fn busy(&self, counter: &str) -> bool {
        self.visits.iter().any(|v| v.counter.as_deref() == Some(counter) && v.status.occupies_counter())
    }

    fn enqueue(&mut self, i: usize) {
        self.visits[i].status = Status::Waiting;
        if self.visits[i].priority_lane {
            self.priority.push(i)
        } else {
            self.ordinary.push(i)
        }
        self.numbers_given += 1;
    }

    fn call(&mut self, i: usize, counter: &str) {
        let v = &mut self.visits[i];
        v.status = Status::Called;
        v.call_count = 1;
        v.counter = Some(counter.to_owned());
    }
}

fn incomplete_visitor() -> VisitorInput {
    VisitorInput { phone: None, ..visitor("model") }
}

fn is_invalid_transition(r: &Result<loket_domain::Visit, StoreError>) -> bool {
    matches!(r, Err(StoreError::Refused(Refused::InvalidTransition { .. })))
}

macro_rules! check_eq {
    ($a:expr, $b:expr, $($msg:tt)+) => {
        prop_assert_eq!($a, $b, $($msg)+)
    };
}

async fn run(db: TestDb, counters: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let store = db.store.clone();
    set_counters(&store, (1..=counters).map(|c| counter(&c.to_string(), &["A"])).collect()).await;
    // The model runs in one instant: calls are not spaced (the spacing has its own case).
    let mut office = store.settings().await.expect("settings").office.clone();
    office.calling.seconds_between_calls = 0;
    store.change_settings(SettingsChange::Office(office), "admin", at(0)).await.expect("unspaced");
    let mut m = Model::default();
    let mut now = at(0);
    for (step, op) in ops.into_iter().enumerate() {
        let pick = |i: usize| {
            if m.visits.is_empty() { None } else { Some(i % m.visits.len()) }
        };
        match op {
            Op::Create { priority_lane, complete } => {
                let v = if complete { visitor("model") } else { incomplete_visitor() };
                let open = OpenVisit { service: None, visitor: v, form: Some(form()) };
                let opened = store.open_visit(open, now, "kiosk").await.expect("open");
                let checked = store.check_visit(&opened.id, priority_lane, now, "fo").await.expect("check");
                m.visits.push(ModelVisit {
                    id: opened.id,
                    status: Status::FormIncomplete,
                    call_count: 0,
                    skip_count: 0,
                    counter: None,
                    priority_lane,
                });
                let i = m.visits.len() - 1;
                if complete {
                    m.enqueue(i);
                    let expected = format!("A-{:03}", m.numbers_given);
                    check_eq!(
                        checked.visit.queue.number.as_deref(),
                        Some(expected.as_str()),
                        "numbers in order, step {}",
                        step
                    );
                }
                check_eq!(checked.visit.status, m.visits[i].status, "check, step {}", step);
            }
            Op::Complete(i) => {
                let Some(i) = pick(i) else { continue };
                let r = store
                    .change_visit(
                        &m.visits[i].id,
                        now,
                        Box::new(move |v, s| v.save_form(Some(&visitor("model")), &FormInput::default(), s, now, "fo")),
                    )
                    .await;
                if m.visits[i].status == Status::FormIncomplete {
                    r.expect("form saved");
                    let checked =
                        store.check_visit(&m.visits[i].id, m.visits[i].priority_lane, now, "fo").await.expect("check");
                    m.enqueue(i);
                    check_eq!(checked.visit.status, Status::Waiting, "completed, step {}", step);
                } else {
                    prop_assert!(is_invalid_transition(&r), "form refused after the check, step {}", step);
                }
            }
            Op::CallNext(c) => {
                let code = (c % counters + 1).to_string();
                let r = store.call_next(&code, None, now, "hd").await;
                if m.busy(&code) {
                    prop_assert!(
                        matches!(r, Err(StoreError::Refused(Refused::CounterBusy))),
                        "counter busy, step {}",
                        step
                    );
                } else {
                    let expected = m.pop_first();
                    let got = r.expect("call next");
                    check_eq!(
                        got.as_ref().map(|v| v.id.clone()),
                        expected.map(|i| m.visits[i].id.clone()),
                        "called, step {}",
                        step
                    );
                    if let Some(i) = expected {
                        m.call(i, &code);
                    }
                }
            }
            Op::Recall(i) => {
                let Some(i) = pick(i) else { continue };
                let r = store
                    .change_visit(&m.visits[i].id, now, Box::new(move |v, s| v.recall(s.office.calling, now, "hd")))
                    .await;
                let v = &mut m.visits[i];
                match (v.status, v.call_count) {
                    (Status::Called, n) if n < 3 => {
                        v.call_count += 1;
                        check_eq!(r.expect("recall").queue.call_count, v.call_count, "recall, step {}", step);
                    }
                    (Status::Called, _) => {
                        prop_assert!(matches!(r, Err(StoreError::Refused(Refused::CallLimitReached))))
                    }
                    _ => prop_assert!(is_invalid_transition(&r), "recall refused, step {}", step),
                }
            }
            Op::Skip(i) => {
                let Some(i) = pick(i) else { continue };
                let r = store.skip(&m.visits[i].id, now, "hd").await;
                match (m.visits[i].status, m.visits[i].call_count) {
                    (Status::Called, 3) => {
                        let got = r.expect("skip");
                        let counter = m.visits[i].counter.clone().unwrap_or_default();
                        let next = m.pop_first();
                        if let Some(n) = next {
                            m.call(n, &counter);
                        }
                        check_eq!(
                            got.next.map(|v| v.id),
                            next.map(|n| m.visits[n].id.clone()),
                            "next after skip, step {}",
                            step
                        );
                        let v = &mut m.visits[i];
                        v.call_count = 0;
                        v.counter = None;
                        if v.skip_count >= 1 {
                            v.status = Status::NoShow;
                        } else {
                            v.skip_count += 1;
                            v.status = Status::Waiting;
                            if v.priority_lane { m.priority.insert(0, i) } else { m.ordinary.insert(0, i) }
                        }
                        check_eq!(got.skipped.status, m.visits[i].status, "skipped, step {}", step);
                    }
                    (Status::Called, made) => {
                        prop_assert!(
                            matches!(r, Err(StoreError::Refused(Refused::CallsRemaining { made: m })) if m == made),
                            "skip too early"
                        );
                    }
                    _ => prop_assert!(is_invalid_transition(&r.map(|s| s.skipped)), "skip refused, step {}", step),
                }
            }
            Op::NextDay => {
                now += chrono::Duration::days(1);
                let ended = store.end_office_days(now).await.expect("end the day");
                let mut expected = 0;
                for v in m.visits.iter_mut().filter(|v| v.status.in_line()) {
                    v.status = Status::NotServed;
                    v.counter = None;
                    expected += 1;
                }
                check_eq!(ended, expected, "visits not served, step {}", step);
                m.priority.clear();
                m.ordinary.clear();
                m.numbers_given = 0;
            }
            Op::Start(i) | Op::Answer(i) | Op::Escalate(i) | Op::Archive(i) | Op::Cancel(i) => {
                let Some(i) = pick(i) else { continue };
                let id = m.visits[i].id.clone();
                let from = m.visits[i].status;
                let (r, allowed, to) = match op {
                    Op::Start(_) => (
                        store.change_visit(&id, now, Box::new(move |v, s| v.start(s, now, "hd"))).await,
                        from == Status::Called,
                        Status::InService,
                    ),
                    Op::Answer(_) => (
                        store.change_visit(&id, now, Box::new(move |v, s| v.answer("a", "b", s, now, "hd"))).await,
                        from == Status::InService,
                        Status::Answered,
                    ),
                    Op::Escalate(_) => {
                        let req = EscalationRequest {
                            analysis: "a".into(),
                            channel: Channel::Tts,
                            summary: "s".into(),
                            external_reference: Some("T-1".into()),
                        };
                        (
                            store.change_visit(&id, now, Box::new(move |v, s| v.escalate(&req, s, now, "hd"))).await,
                            from == Status::InService,
                            Status::Escalated,
                        )
                    }
                    Op::Archive(_) => {
                        // Step 12 gives the visitor's copy, then archives (the copy is refused
                        // where the archive is).
                        let copy = Box::new(move |v: &mut loket_domain::Visit, _: &_| {
                            v.give_copy(loket_domain::archive::CopyVia::Declined, now, "hd")
                        });
                        let _ = store.change_visit(&id, now, copy).await;
                        (
                            store.archive_visit(&id, now, "hd").await,
                            matches!(from, Status::Answered | Status::Escalated),
                            Status::Archived,
                        )
                    }
                    _ => (
                        store.change_visit(&id, now, Box::new(move |v, _| v.cancel("pergi", now, "fo"))).await,
                        matches!(
                            from,
                            Status::FormIssued
                                | Status::FormSubmitted
                                | Status::FormIncomplete
                                | Status::Waiting
                                | Status::InService
                        ),
                        Status::Cancelled,
                    ),
                };
                if allowed {
                    check_eq!(r.expect("allowed").status, to, "{:?}, step {}", op, step);
                    m.visits[i].status = to;
                    if to == Status::Cancelled {
                        m.visits[i].counter = None;
                        m.priority.retain(|&x| x != i);
                        m.ordinary.retain(|&x| x != i);
                    }
                } else {
                    prop_assert!(is_invalid_transition(&r), "{:?} from {} refused, step {}", op, from, step);
                }
            }
        }
        let line: Vec<String> = store.queue(None).await.expect("queue").waiting.into_iter().map(|v| v.id).collect();
        check_eq!(line, m.line(), "the line after step {}", step);
    }

    // Every visit as the model has it; numbers unique; no visit at two counters; histories whole.
    let mut numbers = HashSet::new();
    let mut occupied = HashSet::new();
    for mv in &m.visits {
        let v = store.visit(&mv.id).await.expect("read").expect("stored");
        check_eq!(v.status, mv.status, "status of {}", mv.id);
        check_eq!(v.queue.call_count, mv.call_count, "calls of {}", mv.id);
        check_eq!(v.queue.skip_count, mv.skip_count, "skips of {}", mv.id);
        check_eq!(&v.queue.counter, &mv.counter, "counter of {}", mv.id);
        if let Some(n) = &v.queue.number {
            prop_assert!(numbers.insert((n.clone(), v.queue.day)), "number {} given twice on a day", n);
        }
        if v.status.occupies_counter() {
            let c = v.queue.counter.clone().unwrap_or_default();
            prop_assert!(occupied.insert(c.clone()), "two visits at counter {}", c);
        }
        let history = store.history(&mv.id).await.expect("history");
        check_eq!(&v.history, &history, "the visit's own history is the stored one, {}", mv.id);
        let mut current: Option<Status> = None;
        for e in &history {
            check_eq!(e.from, current, "history of {} is a chain", mv.id);
            current = Some(e.to);
        }
        check_eq!(current, Some(v.status), "history of {} ends at its status", mv.id);
    }
    Ok(())
}

/// Runs `cases` random sequences, each on a fresh database.
pub fn check(backend: Backend, cases: u32) {
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy = (1usize..=4, prop::collection::vec(op(), 1..80));
    let result = runner.run(&strategy, |(counters, ops)| {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let db = match backend {
                Backend::Sqlite => crate::support::sqlite().await,
                Backend::Postgres => crate::support::postgres().await.expect("postgres"),
            };
            run(db, counters, ops).await
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
