//! The transfer of a visit to another counter, and the queries the counter and the supervisor's
//! overview read.

use loket_domain::archive::CopyVia;
use loket_domain::escalation::Channel;
use loket_domain::visit::{EscalationRequest, TransferRequest};
use loket_domain::{EventKind, Refused, Status};
use loket_store::{LiveEvent, StoreError};

use crate::cases::{S, at, waiting};
use crate::support::TestDb;

fn refused(e: StoreError) -> Refused {
    match e {
        StoreError::Refused(r) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn to(counter: &str) -> TransferRequest {
    TransferRequest { counter: counter.into(), agent: Some("rina".into()), reason: "Rina paham e-katalog".into() }
}

pub async fn a_transfer_moves_the_visit_to_a_free_counter_and_keeps_its_place(db: TestDb) {
    let store = db.store.clone();
    let mut live = store.subscribe();
    let a = waiting(&store, "a", "A", false, at(0)).await;
    waiting(&store, "b", "A", false, at(1)).await;
    store.call_next("1", None, at(2), "hd").await.unwrap().unwrap();
    let b = store.call_next("2", None, at(3), "hd2").await.unwrap().unwrap();

    assert_eq!(refused(store.transfer_visit(&a.id, &to("2"), at(4), "hd").await.unwrap_err()), Refused::CounterBusy);
    let unchanged = store.visit(&a.id).await.unwrap().unwrap();
    assert_eq!(unchanged.queue.counter.as_deref(), Some("1"), "a refused transfer writes nothing");
    assert_eq!(unchanged.history.len(), store.history(&a.id).await.unwrap().len());

    let moved = store.transfer_visit(&a.id, &to("3"), at(5), "hd").await.unwrap();
    assert_eq!((moved.status, moved.queue.counter.as_deref(), moved.queue.call_count), (Status::Called, Some("3"), 1));
    let history = store.history(&a.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.kind, last.by.as_str(), last.at), (EventKind::Transferred, "hd", at(5)));
    assert_eq!(last.data["from_counter"], "1");
    assert_eq!(last.data["agent"], "rina");

    // Counter 1 is free: it calls again; counter 3 is now busy.
    let c = waiting(&store, "c", "A", false, at(6)).await;
    assert_eq!(store.call_next("1", None, at(7), "hd").await.unwrap().unwrap().id, c.id);
    assert_eq!(refused(store.call_next("3", None, at(8), "hd3").await.unwrap_err()), Refused::CounterBusy);
    let _ = b;

    let mut told = Vec::new();
    while let Ok(e) = live.try_recv() {
        told.push(e);
    }
    assert!(
        told.iter().any(|e| matches!(e, LiveEvent::Called { counter, .. } if counter == "3")),
        "the board is told the number's new counter: {told:?}"
    );
}

pub async fn the_counter_queries_read_the_visits_at_a_counter_and_the_open_escalations(db: TestDb) {
    let store: S = db.store.clone();
    let mut open_escalation = None;
    for (i, counter) in ["1", "2", "1"].into_iter().enumerate() {
        let minute = i as i64 * 10;
        let v = waiting(&store, &format!("v{i}"), "A", false, at(minute)).await;
        let called = store.call_next(counter, None, at(minute + 1), "hd").await.unwrap().unwrap();
        assert_eq!(called.id, v.id);
        store
            .change_visit(&v.id, at(minute + 2), Box::new(move |v, s| v.start(s, at(minute + 2), "hd")))
            .await
            .unwrap();
        if i == 0 {
            let tts = EscalationRequest {
                analysis: "Akun terkunci".into(),
                channel: Channel::Tts,
                summary: "Reset".into(),
                external_reference: Some("TTS-1".into()),
            };
            store
                .change_visit(&v.id, at(minute + 3), Box::new(move |v, s| v.escalate(&tts, s, at(minute + 3), "hd")))
                .await
                .unwrap();
            store
                .change_visit(
                    &v.id,
                    at(minute + 4),
                    Box::new(move |v, _| v.give_copy(CopyVia::Printed, at(minute + 4), "hd")),
                )
                .await
                .unwrap();
            store.archive_visit(&v.id, at(minute + 5), "hd").await.unwrap();
            open_escalation = Some(v.id.clone());
        } else if i == 1 {
            store
                .change_visit(&v.id, at(minute + 3), Box::new(move |v, s| v.answer("a", "b", s, at(minute + 3), "hd")))
                .await
                .unwrap();
        }
    }
    let at_1 = store.visits_at_counter(Some("1"), &[Status::Called, Status::InService]).await.unwrap();
    assert_eq!(at_1.iter().map(|v| v.status).collect::<Vec<_>>(), [Status::InService]);
    let at_2 = store.visits_at_counter(Some("2"), &[Status::Answered, Status::Escalated]).await.unwrap();
    assert_eq!(at_2.len(), 1);
    let anywhere = store.visits_at_counter(None, &[Status::InService, Status::Answered]).await.unwrap();
    assert_eq!(anywhere.len(), 2);
    assert!(store.visits_at_counter(Some("1"), &[]).await.unwrap().is_empty());

    let open = store.open_escalations(10).await.unwrap();
    assert_eq!(open.iter().map(|v| v.id.clone()).collect::<Vec<_>>(), [open_escalation.clone().unwrap()]);
    assert_eq!(open[0].status, Status::Archived, "an archived escalation still waits for LKPP");
    let id = open_escalation.unwrap();
    store
        .change_visit(
            &id,
            at(60),
            Box::new(move |v, _| {
                v.answer_escalation(&loket_domain::escalation::LkppAnswer::typed("Sudah direset"), at(60), "hd")
            }),
        )
        .await
        .unwrap();
    assert!(store.open_escalations(10).await.unwrap().is_empty(), "an answered escalation is no longer open");
}
