use loket_domain::auth::Role;
use loket_web::limits::Limits;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, complete_form, id, spawn_app_with};

fn steps(v: &Value) -> Vec<u64> {
    v["steps"].as_array().expect("steps").iter().map(|s| s["step"].as_u64().expect("step")).collect()
}

/// Steps 1 and 2 are recorded, and step 3 (filling the form) runs from then.
pub async fn a_visit_opens_with_steps_one_and_two(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    assert_eq!(v["status"], "form_issued");
    assert_eq!(v["service"], "A");
    assert_eq!(v["queue"]["number"], Value::Null);
    assert_eq!(v["visitor"]["name"], "Budi");
    assert_eq!(steps(&v), [1, 2, 3]);
    assert_eq!(v["steps"][1]["by"], "fo");
    assert_eq!(v["steps"][1]["standard_minutes"], 5);
    assert_eq!(v["steps"][2]["finished_at"], Value::Null, "the form is being filled");
    assert!(v["reference"].as_str().is_some_and(|r| !r.is_empty()));
    let got = app.get(&fo, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(got["reference"], v["reference"]);
}

pub async fn only_the_visitor_name_is_needed_to_open(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let body =
        app.post(&fo, "/api/v1/visits", json!({"visitor": {"organization": "CV Maju"}})).await.error(422, "validation");
    assert_eq!(body["fields"], json!({"visitor.name": "missing"}));
    let bad = app
        .post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Budi"}, "service": "Z"}))
        .await
        .error(422, "validation");
    assert_eq!(bad["fields"], json!({"service": "unknown"}));
}

pub async fn bad_formats_are_refused_at_once_and_nothing_is_applied(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let path = format!("/api/v1/visits/{}/form", id(&v));
    let body =
        json!({"visitor": {"email": "budi-at-mail", "phone": "12"}, "form": {"description": "Tidak bisa login"}});
    let err = app.put(&fo, &path, body).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"visitor.email": "invalid", "visitor.phone": "invalid"}));
    let role = json!({"visitor": {"role": "boss"}, "form": {}});
    let err = app.put(&fo, &path, role).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"visitor.role": "invalid"}));
    let long = json!({"form": {"subject": "x".repeat(201)}});
    assert_eq!(app.put(&fo, &path, long).await.error(422, "validation")["fields"], json!({"form.subject": "too_long"}));
    let got = app.get(&fo, &format!("/api/v1/visits/{}", id(&v))).await.expect(200);
    assert_eq!(got["status"], "form_issued");
    assert_eq!(got["form"]["description"], Value::Null, "nothing of a refused request is applied");
    assert_eq!(got["visitor"]["name"], "Budi", "nothing stored before is lost");
}

pub async fn the_check_names_every_missing_field_and_keeps_what_was_entered(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Siti"}})).await.expect(201);
    let vid = id(&v);
    let partial = json!({"form": {"description": "Lupa user ID", "spse_user_id": "siti.pokja"}});
    let saved = app.put(&fo, &format!("/api/v1/visits/{vid}/form"), partial).await.expect(200);
    assert_eq!(saved["status"], "form_submitted");
    assert_eq!(steps(&saved), [1, 2, 3, 4], "the check runs from the save");
    let err = app.post_empty(&fo, &format!("/api/v1/visits/{vid}/check")).await.error(422, "form_incomplete");
    assert_eq!(
        err["fields"],
        json!({"form.category": "missing", "visitor.organization": "missing", "visitor.phone": "missing", "visitor.role": "missing"})
    );
    let kept = app.get(&fo, &format!("/api/v1/visits/{vid}")).await.expect(200);
    assert_eq!(kept["status"], "form_incomplete");
    assert_eq!(kept["form"]["description"], "Lupa user ID");
    assert_eq!(kept["form"]["spse_user_id"], "siti.pokja");
    assert_eq!(steps(&kept), [1, 2, 3, 4, 6, 3], "the form is being completed");
    let rest = json!({"visitor": {"organization": "Dinas PU", "role": "pokja_pemilihan", "phone": "+62 811 222 333"}, "form": {"category": "password"}});
    app.put(&fo, &format!("/api/v1/visits/{vid}/form"), rest).await.expect(200);
    let waiting =
        app.post(&fo, &format!("/api/v1/visits/{vid}/check"), json!({"priority_lane": false})).await.expect(200);
    assert_eq!(waiting["status"], "waiting");
    assert_eq!(waiting["queue"]["number"], "A-001");
    assert_eq!(waiting["form"]["description"], "Lupa user ID");
    assert_eq!(steps(&waiting), [1, 2, 3, 4, 6, 3, 4, 5, 7]);
}

pub async fn priority_lane_visits_are_called_first(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    app.waiting_visit(&fo, "Biasa").await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Prioritas"}})).await.expect(201);
    app.put(&fo, &format!("/api/v1/visits/{}/form", id(&v)), complete_form()).await.expect(200);
    let p =
        app.post(&fo, &format!("/api/v1/visits/{}/check", id(&v)), json!({"priority_lane": true})).await.expect(200);
    assert_eq!(p["queue"]["priority_lane"], true);
    let called = app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    assert_eq!(called["id"], p["id"]);
}

pub async fn the_kiosk_returns_nothing_about_other_visits(app: TestApp) {
    let mut body = complete_form();
    body["visitor"]["name"] = json!("Andi");
    let receipt = app.send("POST", "/api/v1/kiosk/visits", None, Some(body)).await.expect(201);
    let keys: Vec<&String> = receipt.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "reference", "status"]);
    assert_eq!(receipt["status"], "form_submitted");
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let checked = app.post_empty(&fo, &format!("/api/v1/visits/{}/check", id(&receipt))).await.expect(200);
    assert_eq!(checked["status"], "waiting");
    assert_eq!(checked["steps"][0]["by"], "kiosk");
    assert_eq!(checked["steps"][2]["step"], 3);
    assert_eq!(checked["steps"][2]["instant"], true, "filled at the kiosk before it was recorded");
    assert_eq!(checked["steps"][2]["within_standard"], Value::Null);
    let bad = json!({"visitor": {"name": "Andi", "email": "x"}, "form": {}});
    app.send("POST", "/api/v1/kiosk/visits", None, Some(bad)).await.error(422, "validation");
}

pub async fn the_kiosk_is_rate_limited(backend: Backend) {
    let Some(app) = spawn_app_with(backend, Limits { kiosk_per_minute: 2, ..Limits::default() }).await else {
        return;
    };
    let body = json!({"visitor": {"name": "Andi"}, "form": {"description": "x"}});
    for _ in 0..2 {
        app.send("POST", "/api/v1/kiosk/visits", None, Some(body.clone())).await.expect(201);
    }
    app.send("POST", "/api/v1/kiosk/visits", None, Some(body)).await.error(429, "rate_limited");
}

pub async fn categories_are_public_without_priorities(app: TestApp) {
    let list = app.send("GET", "/api/v1/categories", None, None).await.expect(200);
    let first = &list[0];
    assert_eq!(first.as_object().unwrap().keys().collect::<Vec<_>>(), ["code", "name"]);
    assert!(list.as_array().unwrap().iter().any(|c| c["code"] == "offer_upload"));
}

pub async fn visits_are_listed_by_status_and_date(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    app.waiting_visit(&fo, "a").await;
    app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "b"}})).await.expect(201);
    let waiting = app.get(&fo, "/api/v1/visits?status=waiting").await.expect(200);
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    let all = app.get(&fo, "/api/v1/visits").await.expect(200);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let none = app.get(&fo, "/api/v1/visits?date=2001-01-01").await.expect(200);
    assert_eq!(none, json!([]));
    app.get(&fo, "/api/v1/visits?status=lost").await.error(422, "validation");
    app.get(&fo, "/api/v1/visits?date=28-11-2026").await.error(422, "validation");
}

/// Before the call, or at the visitor's request in service; never while called (an absent
/// visitor leaves the line only by the calling rule).
pub async fn cancel_before_the_call_or_in_service(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let a = app.waiting_visit(&fo, "a").await;
    app.post(&fo, &format!("/api/v1/visits/{}/cancel", id(&a)), json!({"reason": ""})).await.error(422, "validation");
    let c = app.post(&fo, &format!("/api/v1/visits/{}/cancel", id(&a)), json!({"reason": "Pulang"})).await.expect(200);
    assert_eq!(c["status"], "cancelled");
    let b = app.waiting_visit(&fo, "b").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post(&hd, &format!("/api/v1/visits/{}/cancel", id(&b)), json!({"reason": "x"}))
        .await
        .error(409, "invalid_transition");
    app.post_empty(&hd, &format!("/api/v1/visits/{}/start", id(&b))).await.expect(200);
    let c = app.post(&hd, &format!("/api/v1/visits/{}/cancel", id(&b)), json!({"reason": "Pulang"})).await.expect(200);
    assert_eq!(c["status"], "cancelled");
    let step9 = c["steps"].as_array().unwrap().iter().find(|s| s["step"] == 9).unwrap();
    assert!(step9["finished_at"].is_string(), "cancelling ends the analysis");
    let c = app.waiting_visit(&fo, "c").await;
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, &format!("/api/v1/visits/{}/start", id(&c))).await.expect(200);
    let answer = json!({"analysis": "a", "answer": "b"});
    app.post(&hd, &format!("/api/v1/visits/{}/answer", id(&c)), answer).await.expect(200);
    app.post(&hd, &format!("/api/v1/visits/{}/cancel", id(&c)), json!({"reason": "x"}))
        .await
        .error(409, "invalid_transition");
}

pub async fn an_unknown_visit_is_not_found(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice, Role::Helpdesk]).await;
    app.get(&fo, "/api/v1/visits/nope").await.error(404, "not_found");
    app.post_empty(&fo, "/api/v1/visits/nope/check").await.error(404, "not_found");
    app.post_empty(&fo, "/api/v1/visits/nope/recall").await.error(404, "not_found");
    app.post_empty(&fo, "/api/v1/visits/nope/skip").await.error(404, "not_found");
    app.get(&fo, "/api/v1/visits/nope/history").await.error(404, "not_found");
}

/// The check (step 4) is the act of whoever checked the form, not of whoever saved it: one clerk
/// saves, another checks, and the step names both; the archive (step 12) names who archived.
pub async fn each_step_names_who_performed_it(app: TestApp) {
    let fo1 = app.staff("fo1", &[Role::FrontOffice]).await;
    let fo2 = app.staff("fo2", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let v = app.post(&fo1, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    let form = json!({
        "visitor": {"organization": "CV Maju Jaya", "role": "penyedia", "phone": "0812-3456-7890"},
        "form": {"category": "offer_upload", "description": "Dokumen penawaran gagal terkirim"}
    });
    app.put(&fo1, &path("form"), form).await.expect(200);
    let checked = app.post_empty(&fo2, &path("check")).await.expect(200);
    let step =
        |v: &Value, n: u64| v["steps"].as_array().unwrap().iter().rev().find(|s| s["step"] == n).cloned().unwrap();
    let check = step(&checked, 4);
    assert_eq!((check["by"].as_str(), check["started_by"].as_str()), (Some("fo2"), Some("fo1")), "{check}");
    assert_eq!(check["finished_by"], "fo2");
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&hd, &path("start")).await.expect(200);
    app.post(&hd, &path("answer"), json!({"analysis": "a", "answer": "b"})).await.expect(200);
    app.post(&sup, &path("copy"), json!({"via": "printed"})).await.expect(200);
    let archived = app.post_empty(&sup, &path("archive")).await.expect(200);
    let archive = step(&archived, 12);
    assert_eq!((archive["by"].as_str(), archive["started_by"].as_str()), (Some("sup"), Some("hd")), "{archive}");
}

/// After the closing time the check gives no number (it would be closed as not served at the
/// next call): 409 `office_closed`, the form kept as it was, and the front office page says so.
pub async fn after_closing_time_the_check_gives_no_number(app: TestApp) {
    use chrono::{Duration, NaiveTime, Utc};
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let mut office = app.get(&sup, "/api/v1/settings/office").await.expect(200);
    office["closing_time"] = json!("16:00");
    app.put(&sup, "/api/v1/settings/office", office).await.expect(200);
    // Tomorrow, 17:00 in Jakarta (UTC+7).
    let now = app.clock.now();
    let tomorrow = (now + Duration::hours(7)).date_naive() + Duration::days(1);
    let five_pm = tomorrow.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()).and_utc();
    app.clock.advance(five_pm - now + Duration::seconds(1));
    assert!(app.clock.now() > five_pm && app.clock.now() < Utc::now() + Duration::days(3));

    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let path = format!("/api/v1/visits/{}", id(&v));
    app.put(&fo, &format!("{path}/form"), complete_form()).await.expect(200);
    app.post_empty(&fo, &format!("{path}/check")).await.error(409, "office_closed");
    let kept = app.get(&fo, &path).await.expect(200);
    assert_eq!((kept["status"].as_str(), &kept["queue"]["number"]), (Some("form_submitted"), &Value::Null));
    assert_eq!(kept["form"]["description"], complete_form()["form"]["description"]);

    crate::pages::user(&app, "fo2", &[Role::FrontOffice]).await;
    let mut b = crate::pages::Browser::new(&app);
    b.sign_in("fo2", crate::support::PASSWORD).await;
    let page_path = format!("/front-office/visits/{}", id(&v));
    let csrf = b.get(&page_path).await.csrf();
    let typed = [
        ("_csrf", csrf.as_str()),
        ("visitor.name", "Budi Santoso"),
        ("visitor.organization", "CV Maju Jaya"),
        ("visitor.role", "penyedia"),
        ("visitor.phone", "0812-3456-7890"),
        ("form.category", "offer_upload"),
        ("form.description", "Tetap tersimpan"),
    ];
    let refused = b.post(&page_path, &typed).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Kantor sudah tutup untuk hari ini"), "{}", refused.body);
    assert!(refused.body.contains("Tetap tersimpan"), "what was typed is shown again");
    let kept = app.get(&fo, &path).await.expect(200);
    assert_eq!(kept["queue"]["number"], Value::Null);
}

/// A correction never loses what was written: the guest book entry as first written stays in
/// the history, each save keeps the fields it changed before and after, and the counter shows
/// "changed from … by …".
pub async fn a_correction_keeps_what_was_written_before(app: TestApp) {
    let fo1 = app.staff("fo1", &[Role::FrontOffice]).await;
    let fo2 = app.staff("fo2", &[Role::FrontOffice]).await;
    let v = app.post(&fo1, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let path = format!("/api/v1/visits/{}", id(&v));
    app.put(&fo1, &format!("{path}/form"), complete_form()).await.expect(200);
    let corrected = json!({"visitor": {"name": "Budi Santoso"}, "form": {"description": "Lupa kata sandi SPSE"}});
    app.put(&fo2, &format!("{path}/form"), corrected).await.expect(200);
    let history = app.get(&fo1, &format!("{path}/history")).await.expect(200);
    let events = history.as_array().cloned().unwrap_or_default();
    assert_eq!(events[0]["data"]["written"], json!({"visitor.name": "Budi"}), "as first written");
    let last = events.iter().rev().find(|e| e["kind"] == "form_saved").cloned().unwrap_or_default();
    assert_eq!(last["by"], "fo2");
    assert_eq!(
        last["data"]["changed"],
        json!({
            "form.description": {"before": "Dokumen penawaran gagal terkirim", "after": "Lupa kata sandi SPSE"},
            "visitor.name": {"before": "Budi", "after": "Budi Santoso"},
        })
    );
    app.post_empty(&fo1, &format!("{path}/check")).await.expect(200);

    crate::pages::user(&app, "hd", &[Role::Helpdesk]).await;
    let mut b = crate::pages::Browser::new(&app);
    b.sign_in("hd", crate::support::PASSWORD).await;
    let csrf = b.get("/counter?counter=1").await.csrf();
    let form = [("_csrf", csrf.as_str()), ("counter", "1")];
    b.post("/counter/call-next", &form).await;
    b.post(&format!("/counter/visits/{}/start", id(&v)), &form).await;
    let page = b.get("/counter?counter=1").await;
    assert!(page.body.contains("Budi Santoso"), "{}", page.body);
    assert!(page.body.contains("diubah dari «Budi» oleh fo2"), "{}", page.body);
    assert!(page.body.contains("diubah dari «Dokumen penawaran gagal terkirim» oleh fo2"));

    // The visit's record, as an auditor reads it once archived: the corrections, each step, the
    // copy given and the archive with their SHA-256, every event.
    b.post(
        &format!("/counter/visits/{}/answer", id(&v)),
        &[("_csrf", csrf.as_str()), ("counter", "1"), ("analysis", "Akun"), ("answer", "Atur ulang kata sandi")],
    )
    .await;
    let hd = app.staff("hd-api", &[Role::Helpdesk, Role::Supervisor]).await;
    let copied = app.post(&hd, &format!("{path}/copy"), json!({"via": "printed"})).await.expect(200);
    let sha = copied["copy"]["document"]["sha256"].as_str().expect("a document given").to_owned();
    let archived = app.post_empty(&hd, &format!("{path}/archive")).await.expect(200);
    assert_eq!(archived["archive"]["sha256"], json!(sha));
    crate::pages::user(&app, "auditor", &[Role::Auditor]).await;
    let mut auditor = crate::pages::Browser::new(&app);
    auditor.sign_in("auditor", crate::support::PASSWORD).await;
    let archive = auditor.get("/archive").await;
    assert!(archive.body.contains(&format!("href=\"/visits/{}\"", id(&v))), "the archive links the record");
    let record = auditor.get(&format!("/visits/{}", id(&v))).await;
    assert_eq!(record.status, StatusCode::OK);
    let body = &record.body;
    for needle in [
        "Rekam kunjungan",
        "diubah dari «Budi» oleh fo2",
        "Budi Santoso",
        "Atur ulang kata sandi",
        sha.as_str(),
        "salinan yang diberikan, arsip",
        "Salinan: dicetak, oleh hd-api",
        "Buku tamu diisi, formulir diberikan",
        "Salinan dicatat",
        "Diarsipkan",
        "dalam standar",
    ] {
        assert!(body.contains(needle), "{needle} in {body}");
    }
    assert!(!body.contains("action=\"/counter") && !body.contains("action=\"/visits"), "read only");
    assert_eq!(auditor.get("/visits/no-such-visit").await.status, StatusCode::NOT_FOUND);
}
