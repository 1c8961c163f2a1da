use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, id};

/// The second and third calls, each the office's spacing (30 seconds) after the one before; the
/// skip may follow 30 seconds later.
async fn three_calls(app: &TestApp, hd: &str, v: &Value) {
    for n in 2..=3 {
        app.clock.advance(chrono::Duration::seconds(30));
        let r = app.post_empty(hd, &format!("/api/v1/visits/{}/recall", id(v))).await.expect(200);
        assert_eq!(r["queue"]["call_count"], n);
    }
    app.clock.advance(chrono::Duration::seconds(30));
}

/// Three calls and a skip in 34 ms gave an absent visitor no chance: each call of one number,
/// and its skip, comes at least `seconds_between_calls` after the one before.
pub async fn calls_of_one_number_are_spaced(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let a = app.waiting_visit(&fo, "a").await;
    app.waiting_visit(&fo, "b").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    let recall = format!("/api/v1/visits/{}/recall", id(&a));
    let err = app.post_empty(&hd, &recall).await.error(409, "call_too_soon");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("30 seconds")), "{err}");
    app.clock.advance(chrono::Duration::seconds(20));
    let err = app.post_empty(&hd, &recall).await.error(409, "call_too_soon");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("10 seconds")), "{err}");
    app.clock.advance(chrono::Duration::seconds(10));
    app.post_empty(&hd, &recall).await.expect(200);
    app.clock.advance(chrono::Duration::seconds(30));
    app.post_empty(&hd, &recall).await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/skip", id(&a))).await.error(409, "call_too_soon");
    let line = app.get(&hd, "/api/v1/queue").await.expect(200);
    assert_eq!(line["waiting"].as_array().map(Vec::len), Some(1), "a refused skip calls nobody");
    // The office sets the spacing, ten minutes at most; here none at all.
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let mut office = app.get(&sup, "/api/v1/settings/office").await.expect(200);
    assert_eq!(office["calling"]["seconds_between_calls"], 30, "the default");
    office["calling"]["seconds_between_calls"] = json!(601);
    let err = app.put(&sup, "/api/v1/settings/office", office.clone()).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"calling.seconds_between_calls": "invalid"}));
    office["calling"]["seconds_between_calls"] = json!(0);
    app.put(&sup, "/api/v1/settings/office", office).await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/skip", id(&a))).await.expect(200);
}

pub async fn call_next_calls_the_first_in_line_and_204_when_nobody_waits(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let none = app.post_empty(&hd, "/api/v1/counters/1/call-next").await;
    assert_eq!(none.status.as_u16(), 204);
    let a = app.waiting_visit(&fo, "a").await;
    app.waiting_visit(&fo, "b").await;
    let called = app.post(&hd, "/api/v1/counters/2/call-next", json!({"service": "A"})).await.expect(200);
    assert_eq!(called["id"], a["id"]);
    assert_eq!(called["status"], "called");
    assert_eq!(called["queue"]["call_count"], 1);
    assert_eq!(called["queue"]["counter"], "2");
    assert_eq!(called["steps"].as_array().unwrap().last().unwrap()["step"], 8);
}

pub async fn a_busy_counter_gets_counter_busy(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    app.waiting_visit(&fo, "a").await;
    app.waiting_visit(&fo, "b").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.error(409, "counter_busy");
    app.post_empty(&hd, "/api/v1/counters/2/call-next").await.expect(200);
}

pub async fn an_unknown_counter_is_not_found(app: TestApp) {
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    app.post_empty(&hd, "/api/v1/counters/9/call-next").await.error(404, "not_found");
    app.post(&hd, "/api/v1/counters/1/call-next", json!({"service": "Q"})).await.error(422, "validation");
}

pub async fn three_calls_then_call_limit_reached(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = app.waiting_visit(&fo, "a").await;
    app.post_empty(&hd, &format!("/api/v1/visits/{}/recall", id(&v))).await.error(409, "invalid_transition");
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    three_calls(&app, &hd, &v).await;
    app.post_empty(&hd, &format!("/api/v1/visits/{}/recall", id(&v))).await.error(409, "call_limit_reached");
}

pub async fn skip_after_the_third_call_calls_the_next_and_requeues_behind_it(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let a = app.waiting_visit(&fo, "a").await;
    let b = app.waiting_visit(&fo, "b").await;
    let c = app.waiting_visit(&fo, "c").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/skip", id(&a))).await.error(409, "calls_remaining");
    three_calls(&app, &hd, &a).await;
    let skipped = app.post_empty(&hd, &format!("/api/v1/visits/{}/skip", id(&a))).await.expect(200);
    assert_eq!(skipped["skipped"]["status"], "waiting");
    assert_eq!(skipped["skipped"]["queue"]["skip_count"], 1);
    assert_eq!(skipped["skipped"]["queue"]["call_count"], 0);
    assert_eq!(skipped["next"]["id"], b["id"]);
    assert_eq!(skipped["next"]["queue"]["counter"], "1");
    let queue = app.get(&hd, "/api/v1/queue?service=A").await.expect(200);
    let waiting: Vec<&Value> = queue["waiting"].as_array().unwrap().iter().map(|v| &v["id"]).collect();
    assert_eq!(waiting, [&a["id"], &c["id"]]);
    assert_eq!(queue["called"][0]["id"], b["id"]);

    // The skipped visitor can learn it: the board lists the number (numbers only), the status
    // page says it was called and comes again, the counter's line marks it.
    let number = a["queue"]["number"].as_str().unwrap().to_owned();
    let board = app.get(&hd, "/api/v1/display").await.expect(200);
    assert_eq!(board["skipped"], json!([number]), "{board}");
    let display = app.http.get(app.url("/display")).send().await.unwrap().text().await.unwrap();
    assert!(display.contains("Nomor terlewat") && display.contains(&number), "{display}");
    let status_url = a["queue"]["status_url"].as_str().unwrap();
    let status = app.http.get(app.url(status_url)).send().await.unwrap().text().await.unwrap();
    assert!(status.contains("dipanggil tiga kali dan dilewati") && status.contains("dipanggil lagi"), "{status}");
    crate::pages::user(&app, "hd-page", &[Role::Helpdesk]).await;
    let mut b = crate::pages::Browser::new(&app);
    b.sign_in("hd-page", crate::support::PASSWORD).await;
    let counter = b.get("/counter?counter=2").await;
    let row = counter.body.split("<tr>").find(|r| r.contains(&number)).unwrap_or_default().to_owned();
    assert!(row.contains("terlewat, dipanggil lagi"), "{row}");
    assert!(row.contains("1 menit"), "the first waiting time is kept (a minute of calls): {row}");
}

pub async fn a_number_skipped_again_is_a_no_show(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let a = app.waiting_visit(&fo, "a").await;
    for expected in ["waiting", "no_show"] {
        app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
        three_calls(&app, &hd, &a).await;
        let s = app.post_empty(&hd, &format!("/api/v1/visits/{}/skip", id(&a))).await.expect(200);
        assert_eq!(s["skipped"]["status"], expected);
        assert_eq!(s["next"], Value::Null);
    }
}
