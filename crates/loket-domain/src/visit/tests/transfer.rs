//! The transfer of a called or in-service visit to another counter.

use super::*;
use crate::visit::TransferRequest;

fn called_at_1() -> Visit {
    called()
}

fn to(counter: &str, reason: &str) -> TransferRequest {
    TransferRequest { counter: counter.into(), agent: None, reason: reason.into() }
}

#[test]
fn a_transferred_visit_keeps_its_status_calls_and_running_step() {
    let mut v = called_at_1();
    v.recall(super::unspaced(), now(), "hd").unwrap();
    let steps_before = crate::standards::visit_steps(&v, &settings(), now());
    let later = now() + chrono::Duration::minutes(1);
    let event = v.transfer(&to("2", "Rina paham e-katalog"), &settings(), later, "hd").unwrap();
    assert_eq!(v.status, Status::Called);
    assert_eq!(v.queue.counter.as_deref(), Some("2"));
    assert_eq!(v.queue.call_count, 2);
    assert_eq!(event.kind, EventKind::Transferred);
    assert_eq!((event.from, event.to), (Some(Status::Called), Status::Called));
    assert_eq!(event.data["from_counter"], "1");
    assert_eq!(event.data["reason"], "Rina paham e-katalog");
    let steps_after = crate::standards::visit_steps(&v, &settings(), now());
    assert_eq!(steps_after, steps_before, "no step starts or ends with a transfer");
}

#[test]
fn a_transfer_names_what_is_wrong_and_changes_nothing() {
    let mut v = called_at_1();
    let before = v.clone();
    for (request, field, reason) in [
        (to("", "r"), "counter", "missing"),
        (to("9", "r"), "counter", "unknown"),
        (to("1", "r"), "counter", "invalid"),
        (to("2", " \u{200b} "), "reason", "missing"),
        (to("2", &"x".repeat(crate::visit::REASON_MAX + 1)), "reason", "too_long"),
    ] {
        match v.transfer(&request, &settings(), now(), "hd") {
            Err(Refused::Validation(f)) => assert_eq!(f.0.get(field).map(String::as_str), Some(reason), "{f:?}"),
            other => panic!("expected a refusal of {field}, got {other:?}"),
        }
    }
    let line_break = TransferRequest { agent: Some("ri\nna".into()), ..to("2", "r") };
    assert!(matches!(v.transfer(&line_break, &settings(), now(), "hd"), Err(Refused::Validation(_))));
    assert_eq!(v, before);
}

#[test]
fn only_a_called_or_in_service_visit_is_transferred() {
    let mut waiting = called_at_1();
    waiting.status = Status::Waiting;
    let refused = waiting.transfer(&to("2", "r"), &settings(), now(), "hd");
    assert!(matches!(refused, Err(Refused::InvalidTransition { from: Status::Waiting, .. })));
    let mut serving = called_at_1();
    serving.start(&settings(), now(), "hd").unwrap();
    serving.transfer(&to("3", "r"), &settings(), now(), "hd").unwrap();
    assert_eq!((serving.status, serving.queue.counter.as_deref()), (Status::InService, Some("3")));
}
