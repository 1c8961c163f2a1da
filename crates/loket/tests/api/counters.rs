use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, id};

async fn three_calls(app: &TestApp, hd: &str, v: &Value) {
    for n in 2..=3 {
        let r = app.post_empty(hd, &format!("/api/v1/visits/{}/recall", id(v))).await.expect(200);
        assert_eq!(r["queue"]["call_count"], n);
    }
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
