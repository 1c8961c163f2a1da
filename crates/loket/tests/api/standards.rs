//! Time standards as the API shows them: running steps judged while they run, the standard in
//! force kept with each step, instant steps, the report, and the staff's live alerts.

use std::time::Duration;

use chrono::NaiveDate;
use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::support::{EventStream, TestApp, complete_form, id};

fn minutes(n: i64) -> chrono::Duration {
    chrono::Duration::minutes(n)
}

/// The last record of `step` in a visit's JSON.
fn step(v: &Value, n: u64) -> Value {
    v["steps"].as_array().expect("steps").iter().rev().find(|s| s["step"] == n).cloned().unwrap_or(Value::Null)
}

async fn visit(app: &TestApp, token: &str, v: &Value) -> Value {
    app.get(token, &format!("/api/v1/visits/{}", id(v))).await.expect(200)
}

/// A visit of `category` called at `counter` and started: its analysis (step 9) runs.
async fn in_service(app: &TestApp, fo: &str, hd: &str, category: &str, counter: &str) -> Value {
    let v = app.post(fo, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let mut form = complete_form();
    form["form"]["category"] = json!(category);
    app.put(fo, &format!("/api/v1/visits/{}/form", id(&v)), form).await.expect(200);
    app.post_empty(fo, &format!("/api/v1/visits/{}/check", id(&v))).await.expect(200);
    let called = app.post_empty(hd, &format!("/api/v1/counters/{counter}/call-next")).await.expect(200);
    assert_eq!(called["id"], v["id"]);
    app.post_empty(hd, &format!("/api/v1/visits/{}/start", id(&v))).await.expect(200)
}

/// The report for the office day the visit was opened (its reference begins with it) and the next.
async fn report_for(app: &TestApp, token: &str, v: &Value) -> Value {
    let reference = v["reference"].as_str().expect("reference");
    let day = NaiveDate::parse_from_str(&reference[..8], "%Y%m%d").expect("office day in the reference");
    let path = format!("/api/v1/reports/time-standards?from={day}&to={}", day + chrono::Days::new(1));
    app.get(token, &path).await.expect(200)
}

/// Steps 3, 4 and 12 are open from their start: past their standard they show
/// `within_standard: false` while they still run.
pub async fn running_steps_show_their_overrun(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    assert_eq!(
        (step(&v, 3)["finished_at"].clone(), step(&v, 3)["within_standard"].clone()),
        (Value::Null, Value::Null)
    );
    app.clock.advance(minutes(6));
    assert_eq!(step(&visit(&app, &fo, &v).await, 3)["within_standard"], false, "the form is out for 6 minutes");
    let saved = app.put(&fo, &format!("/api/v1/visits/{}/form", id(&v)), complete_form()).await.expect(200);
    assert_eq!(step(&saved, 3)["within_standard"], false);
    assert_eq!(
        (step(&saved, 4)["finished_at"].clone(), step(&saved, 4)["within_standard"].clone()),
        (Value::Null, Value::Null)
    );
    app.clock.advance(minutes(6));
    assert_eq!(step(&visit(&app, &fo, &v).await, 4)["within_standard"], false, "not checked for 6 minutes");
    app.post_empty(&fo, &format!("/api/v1/visits/{}/check", id(&v))).await.expect(200);
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/start", id(&v))).await.expect(200);
    let answered =
        app.post(&hd, &format!("/api/v1/visits/{}/answer", id(&v)), json!({"analysis": "a", "answer": "b"})).await;
    let answered = answered.expect(200);
    assert_eq!(step(&answered, 12)["finished_at"], Value::Null, "the archive runs from the answer");
    assert_eq!(step(&answered, 12)["within_standard"], Value::Null);
    app.clock.advance(minutes(11));
    assert_eq!(step(&visit(&app, &fo, &v).await, 12)["within_standard"], false, "not archived for 11 minutes");
    let copy = format!("/api/v1/visits/{}/copy", id(&v));
    app.post(&hd, &copy, json!({"via": "printed"})).await.expect(200);
    let archived = app.post_empty(&hd, &format!("/api/v1/visits/{}/archive", id(&v))).await.expect(200);
    assert!(step(&archived, 12)["finished_at"].is_string());
    assert_eq!(step(&archived, 12)["within_standard"], false);
}

/// Step 11 ends when the escalation has left: at once for TTS (its ticket number is entered; the
/// step is instant and not judged), and not while an e-mail is pending.
pub async fn step_eleven_runs_until_the_escalation_has_left(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = in_service(&app, &fo, &hd, "offer_upload", "1").await;
    let body = json!({"analysis": "a", "channel": "email", "summary": "s"});
    let esc = app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&v)), body).await.expect(200);
    assert_eq!(step(&esc, 11)["finished_at"], Value::Null, "the mail is pending");
    app.clock.advance(minutes(6));
    let later = visit(&app, &fo, &esc).await;
    assert_eq!(
        (later["escalation"]["status"].clone(), step(&later, 11)["within_standard"].clone()),
        (json!("pending"), json!(false))
    );
    let copy = format!("/api/v1/visits/{}/copy", id(&v));
    app.post(&hd, &copy, json!({"via": "printed"})).await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/archive", id(&v))).await.expect(200);
    let tts = in_service(&app, &fo, &hd, "offer_upload", "1").await;
    let body = json!({"analysis": "a", "channel": "tts", "summary": "s", "external_reference": "TTS-7"});
    let esc = app.post(&hd, &format!("/api/v1/visits/{}/escalate", id(&tts)), body).await.expect(200);
    let step11 = step(&esc, 11);
    assert_eq!(step11["finished_at"], step11["started_at"]);
    // The ticket was made in LKPP's application at a time not recorded: instant, not judged.
    assert_eq!((step11["instant"].clone(), step11["within_standard"].clone()), (json!(true), Value::Null));
    assert_eq!((step11["standard_minutes"].clone(), step11["measured_minutes"].clone()), (json!(5), Value::Null));
    // The report counts it as not judged, never as met; the e-mail never sent overruns.
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let report = report_for(&app, &sup, &esc).await;
    let row = report["steps"].as_array().expect("steps").iter().find(|s| s["step"] == 11).cloned().expect("11");
    assert_eq!(
        (row["count"].clone(), row["within"].clone(), row["running_over"].clone(), row["not_judged"].clone()),
        (json!(2), json!(0), json!(1), json!(1))
    );
    assert_eq!(row["compliance_pct"], 0.0);
}

/// A change of the settings does not change how a step already started is judged; the report
/// shows the standards applied, and marks the instant steps instead of counting them as met.
pub async fn steps_keep_the_standard_in_force_when_they_started(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let first = in_service(&app, &sup, &sup, "offer_upload", "1").await;
    assert_eq!(step(&first, 9)["standard_minutes"], 30, "offer_upload's analysis target");
    let table = json!([
        {"code": "offer_upload", "name": "Unggah penawaran", "priority": 1, "analysis_minutes": 10, "resolution_minutes": 60},
        {"code": "password", "name": "Lupa password", "priority": 1, "analysis_minutes": 15, "resolution_minutes": 30}
    ]);
    app.put(&sup, "/api/v1/settings/priorities", table).await.expect(200);
    app.put(&sup, "/api/v1/settings/time-standards", json!([{"step": 9, "minutes": 45}, {"step": 12, "minutes": 1}]))
        .await
        .expect(200);
    let second = in_service(&app, &sup, &sup, "offer_upload", "2").await;
    assert_eq!(step(&second, 9)["standard_minutes"], 10, "the new target holds from now on");
    app.clock.advance(minutes(20));
    for v in [&first, &second] {
        app.post(&sup, &format!("/api/v1/visits/{}/answer", id(v)), json!({"analysis": "a", "answer": "b"}))
            .await
            .expect(200);
    }
    let first = visit(&app, &sup, &first).await;
    assert_eq!(
        (step(&first, 9)["standard_minutes"].clone(), step(&first, 9)["within_standard"].clone()),
        (json!(30), json!(true))
    );
    assert_eq!(step(&first, 12)["standard_minutes"], 1, "step 12 started after the change");
    let second = visit(&app, &sup, &second).await;
    assert_eq!(step(&second, 9)["within_standard"], false);

    let report = report_for(&app, &sup, &first).await;
    let row =
        |n: u64| report["steps"].as_array().expect("steps").iter().find(|s| s["step"] == n).cloned().expect("row");
    let step9 = row(9);
    assert_eq!(
        (step9["count"].clone(), step9["within"].clone(), step9["compliance_pct"].clone()),
        (json!(2), json!(1), json!(50.0))
    );
    assert_eq!(step9["standard_minutes"], Value::Null, "two standards applied, not the 45 of today's setting");
    assert_eq!(step9["standards_applied"], json!([{"minutes": 10, "count": 1}, {"minutes": 30, "count": 1}]));
    assert_eq!(step9["instant"], false);
    for n in [5, 7] {
        let r = row(n);
        assert_eq!(r["instant"], true, "step {n}");
        assert_eq!(
            (r["count"].clone(), r["within"].clone(), r["compliance_pct"].clone()),
            (json!(2), json!(0), Value::Null)
        );
        assert_eq!(r["standards_applied"], json!([]));
    }
    assert_eq!(row(4)["instant"], false);
    assert_eq!(row(4)["compliance_pct"], 100.0);
}

/// Step 7 names who handed the form over and who received it: the line, until a helpdesk agent
/// calls the visit.
pub async fn the_handover_names_who_gave_and_who_received_the_form(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = app.waiting_visit(&fo, "Budi").await;
    let step7 = step(&v, 7);
    assert_eq!(
        (step7["by"].clone(), step7["received_by"].clone(), step7["instant"].clone()),
        (json!("fo"), json!("line"), json!(true))
    );
    assert_eq!(step7["within_standard"], Value::Null, "instant: not counted as met");
    app.post_empty(&hd, "/api/v1/counters/2/call-next").await.expect(200);
    let step7 = step(&visit(&app, &fo, &v).await, 7);
    assert_eq!((step7["by"].clone(), step7["received_by"].clone()), (json!("fo"), json!("hd")));
}

/// Staff get `warning` at 80% of a running step's standard and `overrun` past it, once each, on
/// their own stream; the public stream never carries them.
pub async fn staff_are_told_when_a_running_step_warns_and_overruns(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let anonymous = app.http.get(app.url("/api/v1/events/staff")).send().await.expect("request");
    assert_eq!(anonymous.status(), 401);
    let mut public = EventStream::open(&app).await;
    let mut staff = EventStream::open_staff(&app, &hd).await;
    let v = in_service(&app, &fo, &hd, "offer_upload", "1").await;
    let called = staff.next("called", Duration::from_secs(5)).await.expect("the public events too");
    assert_eq!(called["number"], "A-001");
    app.clock.advance(minutes(25));
    let warning = staff.next("warning", Duration::from_secs(5)).await.expect("a warning at 80%");
    let expected = json!({
        "visit_id": v["id"], "reference": v["reference"], "number": "A-001", "step": 9,
        "standard_minutes": 30, "started_at": step(&v, 9)["started_at"], "counter": "1"
    });
    assert_eq!(warning, expected);
    app.clock.advance(minutes(6));
    let overrun = staff.next("overrun", Duration::from_secs(5)).await.expect("an overrun past 30 minutes");
    assert_eq!(overrun, expected);
    // Several looks of the watch later, nothing more about that step.
    assert_eq!(staff.next("warning", Duration::from_millis(400)).await, None, "warned once");
    assert_eq!(staff.raw.matches("event: warning").count(), 1);
    assert_eq!(staff.raw.matches("event: overrun").count(), 1);
    assert_eq!(public.next("overrun", Duration::from_millis(200)).await, None);
    assert!(!public.raw.contains("warning") && !public.raw.contains(v["reference"].as_str().expect("reference")));
}

/// The staff stream ends with its sign-in: after sign-out, at the next event at the latest.
pub async fn the_staff_stream_ends_when_its_sign_in_ends(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let mut staff = EventStream::open_staff(&app, &hd).await;
    app.waiting_visit(&fo, "a").await;
    staff.next("queue", Duration::from_secs(5)).await.expect("signed in: events arrive");
    app.post_empty(&hd, "/api/v1/auth/logout").await.expect(204);
    app.waiting_visit(&fo, "b").await;
    assert!(staff.ended(Duration::from_secs(5)).await, "the stream outlived its sign-in");
    assert_eq!(staff.raw.matches("event: queue").count(), 1, "nothing after the sign-out");
}

/// A visit still in line when its office day ends is not served: the first call of the next day
/// ends it, and the report of its day counts it.
pub async fn a_visit_left_in_line_at_the_end_of_its_day_is_reported_not_served(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let v = app.waiting_visit(&fo, "a").await;
    let reference = v["reference"].as_str().expect("reference");
    let day = NaiveDate::parse_from_str(&reference[..8], "%Y%m%d").expect("the reference starts with the day");
    app.clock.advance(chrono::Duration::days(1));
    // Signed in on the new day.
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(204);
    let ended = visit(&app, &sup, &v).await;
    assert_eq!(ended["status"], "not_served");
    app.post_empty(&hd, &format!("/api/v1/visits/{}/recall", id(&v))).await.error(409, "invalid_transition");
    let report = app.get(&sup, &format!("/api/v1/reports/time-standards?from={day}")).await.expect(200);
    assert_eq!(
        report["outcomes"],
        json!({"visits": 1, "served": 0, "no_show": 0, "not_served": 1, "cancelled": 0, "cancelled_in_service": 0, "open": 0})
    );
}

/// The auditor's case: a visit answered and not archived is past step 12's standard (set to one
/// minute here) at 1.2 minutes. The time-standards report counts it as not within, and the
/// overruns report lists it as still running, over the API and on the reports page.
pub async fn a_step_still_running_past_its_standard_counts_in_the_reports(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let standards = json!([{"step": 9, "minutes": 30}, {"step": 12, "minutes": 1}]);
    app.put(&sup, "/api/v1/settings/time-standards", standards).await.expect(200);
    let answer = json!({"analysis": "a", "answer": "b"});
    let done = in_service(&app, &sup, &sup, "offer_upload", "1").await;
    app.post(&sup, &format!("/api/v1/visits/{}/answer", id(&done)), answer.clone()).await.expect(200);
    app.post(&sup, &format!("/api/v1/visits/{}/copy", id(&done)), json!({"via": "printed"})).await.expect(200);
    app.post_empty(&sup, &format!("/api/v1/visits/{}/archive", id(&done))).await.expect(200);
    let left = in_service(&app, &sup, &sup, "offer_upload", "1").await;
    app.post(&sup, &format!("/api/v1/visits/{}/answer", id(&left)), answer).await.expect(200);
    app.clock.advance(chrono::Duration::milliseconds(72_000));
    assert_eq!(step(&visit(&app, &sup, &left).await, 12)["within_standard"], false);

    let report = report_for(&app, &sup, &left).await;
    let step12 = report["steps"].as_array().expect("steps").iter().find(|s| s["step"] == 12).cloned().expect("12");
    assert_eq!(
        (step12["count"].clone(), step12["within"].clone(), step12["running_over"].clone()),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!(step12["compliance_pct"], 50.0, "the running overrun is not within");
    let day = &left["reference"].as_str().expect("reference")[..8];
    let day = NaiveDate::parse_from_str(day, "%Y%m%d").expect("day");
    let overruns = app.get(&sup, &format!("/api/v1/reports/overruns?from={day}")).await.expect(200);
    assert_eq!(overruns["total"], 1);
    let listed = &overruns["overruns"][0];
    assert_eq!((listed["reference"].clone(), listed["step"].clone()), (left["reference"].clone(), json!(12)));
    assert_eq!((listed["running"].clone(), listed["standard_minutes"].clone()), (json!(true), json!(1)));
    let minutes = listed["minutes"].as_f64().expect("minutes");
    assert!((1.2..1.3).contains(&minutes), "run so far: {minutes}");

    let mut browser = crate::pages::Browser::new(&app);
    browser.sign_in("sup", crate::support::PASSWORD).await;
    let page = browser.get(&format!("/supervisor/reports?report=overruns&period=day&day={day}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("masih berjalan"), "{}", page.body);
}

/// Five analyses of six within their standard: the reports page reads `83,33%` in Indonesian and
/// `83.33%` in English, the JSON keeps its number.
pub async fn the_reports_page_writes_compliance_with_a_decimal_comma(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let answer = json!({"analysis": "a", "answer": "b"});
    let mut first = None;
    for i in 0..6 {
        let v = in_service(&app, &sup, &sup, "offer_upload", "1").await;
        if i == 5 {
            // The last one takes 45 minutes: past the category's 30.
            app.clock.advance(minutes(45));
        }
        app.post(&sup, &format!("/api/v1/visits/{}/answer", id(&v)), answer.clone()).await.expect(200);
        app.clock.advance(minutes(1));
        first.get_or_insert(v);
    }
    let first = first.expect("a visit");
    let report = report_for(&app, &sup, &first).await;
    let step9 = report["steps"].as_array().expect("steps").iter().find(|s| s["step"] == 9).cloned().expect("9");
    assert_eq!((step9["count"].clone(), step9["within"].clone()), (json!(6), json!(5)), "{step9}");
    let pct = step9["compliance_pct"].as_f64().expect("a number in the JSON");
    assert!((pct - 83.333).abs() < 0.01, "{pct}");
    let day = NaiveDate::parse_from_str(&first["reference"].as_str().expect("reference")[..8], "%Y%m%d").expect("day");
    let mut browser = crate::pages::Browser::new(&app);
    browser.sign_in("sup", crate::support::PASSWORD).await;
    let path = format!("/supervisor/reports?report=time-standards&period=day&day={day}");
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<td>83,33%</td>"), "{}", page.body);
    assert!(page.body.contains(">83%</text>"), "the chart's label: {}", page.body);
    let english = browser.post("/language/en", &[("_csrf", &page.csrf()), ("next", "/supervisor")]).await;
    assert_eq!(english.status, 303, "{}", english.body);
    let page = browser.get(&path).await;
    assert!(page.body.contains("<td>83.33%</td>"), "{}", page.body);
}

/// The watch looks at every visit with a running step, not only those opened today and
/// yesterday: a visit answered three days ago and never archived overruns on the staff stream.
pub async fn the_watch_tells_of_running_steps_of_visits_opened_days_ago(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let v = in_service(&app, &fo, &hd, "offer_upload", "1").await;
    app.post(&hd, &format!("/api/v1/visits/{}/answer", id(&v)), json!({"analysis": "a", "answer": "b"}))
        .await
        .expect(200);
    app.clock.advance(chrono::Duration::days(3));
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let mut staff = EventStream::open_staff(&app, &sup).await;
    let overrun = staff.next("overrun", Duration::from_secs(5)).await.expect("an overrun of step 12");
    assert_eq!((overrun["visit_id"].clone(), overrun["step"].clone()), (v["id"].clone(), json!(12)));
}

/// A visit cancelled at the visitor's request while in service: its analysis (step 9) ends with
/// the outcome `cancelled` and the reason, is not judged as met, and the reports count it apart.
pub async fn a_visit_cancelled_in_service_is_its_own_outcome(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let v = in_service(&app, &fo, &hd, "offer_upload", "1").await;
    app.clock.advance(minutes(10));
    let reason = "Pengunjung harus kembali ke kantor";
    let cancelled = app.post(&hd, &format!("/api/v1/visits/{}/cancel", id(&v)), json!({"reason": reason})).await;
    let cancelled = cancelled.expect(200);
    let step9 = step(&visit(&app, &sup, &cancelled).await, 9);
    assert!(step9["finished_at"].is_string());
    assert_eq!(
        (step9["within_standard"].clone(), step9["outcome"].clone(), step9["reason"].clone()),
        (Value::Null, json!("cancelled"), json!(reason))
    );
    let report = report_for(&app, &sup, &v).await;
    let row = report["steps"].as_array().expect("steps").iter().find(|s| s["step"] == 9).cloned().expect("9");
    assert_eq!(
        (row["count"].clone(), row["within"].clone(), row["cancelled"].clone(), row["not_judged"].clone()),
        (json!(1), json!(0), json!(1), json!(1))
    );
    assert_eq!((row["compliance_pct"].clone(), row["avg_minutes"].clone()), (Value::Null, Value::Null));
    assert_eq!(
        (report["outcomes"]["cancelled"].clone(), report["outcomes"]["cancelled_in_service"].clone()),
        (json!(1), json!(1))
    );
    let day = &v["reference"].as_str().expect("reference")[..8];
    let day = NaiveDate::parse_from_str(day, "%Y%m%d").expect("day");
    let recap = app.get(&sup, &format!("/api/v1/reports/recap?from={day}")).await.expect(200);
    assert_eq!(
        (recap["outcomes"]["cancelled"].clone(), recap["outcomes"]["cancelled_in_service"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(recap["by_day"][0]["cancelled_in_service"], 1);
}
