use std::time::Duration;

use loket_domain::auth::Role;
use loket_web::limits::Limits;
use serde_json::json;

use crate::support::{Backend, EventStream, TestApp, fresh_database, id, spawn_on};

pub async fn the_board_shows_numbers_and_counters_and_waiting_counts(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    app.waiting_visit(&fo, "a").await;
    app.waiting_visit(&fo, "b").await;
    app.post_empty(&hd, "/api/v1/counters/3/call-next").await.expect(200);
    let board = app.send("GET", "/api/v1/display?service=A", None, None).await.expect(200);
    assert_eq!(board["waiting"], json!({"A": 1}));
    let calling = &board["calling"][0];
    assert_eq!(
        (calling["number"].as_str(), calling["counter"].as_str(), calling["call_count"].as_u64()),
        (Some("A-001"), Some("3"), Some(1))
    );
    assert!(calling["called_at"].as_str().is_some());
}

pub async fn live_events_announce_calls_and_queue_counts(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let mut events = EventStream::open(&app).await;
    let v = app.waiting_visit(&fo, "a").await;
    let queue = events.next("queue", Duration::from_secs(5)).await.expect("queue event");
    assert_eq!(queue, json!({"service": "A", "waiting": 1}));
    app.post_empty(&hd, "/api/v1/counters/2/call-next").await.expect(200);
    let called = events.next("called", Duration::from_secs(5)).await.expect("called event");
    assert_eq!(
        (&called["number"], &called["counter"], &called["call_count"], &called["service"]),
        (&json!("A-001"), &json!("2"), &json!(1), &json!("A"))
    );
    // The words to say come with the call: the board only plays them.
    assert_eq!(
        called["announcement"]["clips"],
        json!(["chime", "nomor-antrian", "huruf-a", "nol", "nol", "satu", "silakan-menuju-loket", "dua"])
    );
    assert_eq!(called["announcement"]["text"], "Nomor antrian A nol nol satu, silakan menuju loket dua");
    app.clock.advance(chrono::Duration::seconds(30));
    app.post_empty(&hd, &format!("/api/v1/visits/{}/recall", id(&v))).await.expect(200);
    let again = events.next("called", Duration::from_secs(5)).await.expect("recall event");
    assert_eq!(again["call_count"], 2);
}

/// No visitor name, phone, e-mail or organisation on the board or in the event stream.
pub async fn the_board_and_the_stream_carry_no_personal_data(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let mut events = EventStream::open(&app).await;
    let v = app.waiting_visit(&fo, "Bambang Sutrisno").await;
    app.waiting_visit(&fo, "Kartika Dewi").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.clock.advance(chrono::Duration::seconds(30));
    app.post_empty(&hd, &format!("/api/v1/visits/{}/recall", id(&v))).await.expect(200);
    app.post_empty(&hd, "/api/v1/counters/2/call-next").await.expect(200);
    while events.next("called", Duration::from_millis(800)).await.is_some() {}
    let board = app.send("GET", "/api/v1/display", None, None).await.expect(200).to_string();
    assert!(events.raw.contains("A-001") && board.contains("A-002"), "the check saw the numbers");
    for personal in ["Bambang", "Kartika", "0812", "081234567890", "majujaya", "Maju Jaya", "@", "penyedia", "Dokumen"]
    {
        assert!(!board.contains(personal), "display shows {personal}: {board}");
        assert!(!events.raw.contains(personal), "event stream shows {personal}: {}", events.raw);
    }
}

/// Two instances on one PostgreSQL database behave as one: a call made on one shows on the
/// other's event stream within a second.
pub async fn a_call_on_one_instance_reaches_the_other_within_a_second() {
    let Some((db_url, _dir)) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let a = spawn_on(&db_url, Limits::default()).await;
    let b = spawn_on(&db_url, Limits::default()).await;
    let fo = a.staff("fo", &[Role::FrontOffice]).await;
    let hd_on_b = b.staff("hd", &[Role::Helpdesk]).await;
    a.waiting_visit(&fo, "a").await;
    let mut on_a = EventStream::open(&a).await;
    let started = std::time::Instant::now();
    b.post_empty(&hd_on_b, "/api/v1/counters/1/call-next").await.expect(200);
    let called =
        on_a.next("called", Duration::from_secs(1)).await.expect("the call reached the other instance within 1 s");
    eprintln!("two instances: call on B seen on A's stream after {:?}", started.elapsed());
    assert_eq!(called["number"], "A-001");
    // And the line is one: the number B called is not waiting on A.
    let queue = a.get(&fo, "/api/v1/queue").await.expect(200);
    assert_eq!(queue["waiting"], json!([]));
    assert_eq!(queue["called"][0]["queue"]["counter"], "1");
}

/// A form handed in at the kiosk is told on the staff stream (the front office's list comes in
/// live), never on the public one.
pub async fn a_form_handed_in_at_the_kiosk_is_told_to_staff_only(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let mut public = EventStream::open(&app).await;
    let mut staff = EventStream::open_staff(&app, &fo).await;
    let body = json!({"visitor": {"name": "Sari"}, "form": {"description": "Lupa kata sandi"}});
    app.send("POST", "/api/v1/kiosk/visits", None, Some(body)).await.expect(201);
    assert_eq!(staff.next("forms", Duration::from_secs(5)).await, Some(json!({})), "nothing of whose");
    assert!(public.next("forms", Duration::from_millis(800)).await.is_none(), "staff business only");
    assert!(!public.raw.contains("event: forms") && !staff.raw.contains("Sari"), "{}", staff.raw);
}
