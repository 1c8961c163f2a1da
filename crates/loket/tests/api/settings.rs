use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, id};

pub async fn the_priority_table_ships_as_an_example_and_can_be_replaced(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let table = app.get(&sup, "/api/v1/settings/priorities").await.expect(200);
    assert!(table.as_array().unwrap().iter().all(|c| c["is_example"] == true));
    let codes: Vec<&str> = table.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    for code in ["registration", "password", "offer_upload", "tender", "e_purchasing", "sikap", "other"] {
        assert!(codes.contains(&code), "{code}");
    }
    let new =
        json!([{"code": "akun", "name": "Akun", "priority": 1, "analysis_minutes": 10, "resolution_minutes": 20}]);
    let saved = app.put(&sup, "/api/v1/settings/priorities", new).await.expect(200);
    assert_eq!(saved[0]["is_example"], false);
    assert_eq!(app.get(&sup, "/api/v1/settings/priorities").await.expect(200)[0]["code"], "akun");
    let cats = app.send("GET", "/api/v1/categories", None, None).await.expect(200);
    assert_eq!(cats, json!([{"code": "akun", "name": "Akun"}]));
    let bad = json!([{"code": "Bad Code", "name": "", "priority": 0, "analysis_minutes": 0, "resolution_minutes": 1}]);
    let err = app.put(&sup, "/api/v1/settings/priorities", bad).await.error(422, "validation");
    assert_eq!(err["fields"].as_object().unwrap().len(), 4);
    app.put(&sup, "/api/v1/settings/priorities", json!([{"code": "x"}])).await.error(422, "validation");
}

pub async fn time_standards_are_settings(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let defaults = app.get(&sup, "/api/v1/settings/time-standards").await.expect(200);
    let pairs: Vec<(u64, u64)> = defaults
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_u64().unwrap(), s["minutes"].as_u64().unwrap()))
        .collect();
    assert_eq!(pairs, [(2, 5), (3, 5), (4, 5), (5, 5), (6, 5), (7, 5), (9, 30), (11, 5), (12, 10)]);
    let saved = app
        .put(&sup, "/api/v1/settings/time-standards", json!([{"step": 12, "minutes": 15}, {"step": 3, "minutes": 10}]))
        .await
        .expect(200);
    assert_eq!(saved, json!([{"step": 3, "minutes": 10}, {"step": 12, "minutes": 15}]));
    app.put(&sup, "/api/v1/settings/time-standards", json!([{"step": 13, "minutes": 5}]))
        .await
        .error(422, "validation");
}

pub async fn counters_are_settings_of_the_office(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let counters = app.get(&admin, "/api/v1/settings/counters").await.expect(200);
    assert_eq!(counters.as_array().unwrap().len(), 3);
    assert_eq!(counters[0], json!({"code": "1", "name": "Loket 1", "services": ["A"]}));
    let new = json!([{"code": "VIP", "name": "Loket Prioritas", "services": ["A"]}]);
    app.put(&admin, "/api/v1/settings/counters", new).await.expect(200);
    app.post_empty(&hd, "/api/v1/counters/VIP/call-next").await.expect(204);
    app.post_empty(&hd, "/api/v1/counters/1/call-next").await.error(404, "not_found");
    let bad = json!([{"code": "2", "name": "Loket 2", "services": ["Z"]}]);
    let err = app.put(&admin, "/api/v1/settings/counters", bad).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"[0].services": "unknown"}));
}

pub async fn the_office_settings_can_be_changed(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin]).await;
    let mut office = app.get(&admin, "/api/v1/settings/office").await.expect(200);
    assert_eq!(office["time_zone"], "Asia/Jakarta");
    assert_eq!(office["calling"]["returns_after_skip"], 1);
    assert_eq!(office["closing_time"], serde_json::Value::Null);
    office["time_zone"] = json!("Asia/Makassar");
    office["required_fields"] = json!(["visitor.name", "form.category", "form.description"]);
    office["services"] = json!([{"code": "A", "name": "Konsultasi"}, {"code": "B", "name": "Verifikasi Penyedia"}]);
    let saved = app.put(&admin, "/api/v1/settings/office", office.clone()).await.expect(200);
    assert_eq!(saved["time_zone"], "Asia/Makassar");
    // The required set is a setting: a name, a category and a description are now enough.
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "x"}, "service": "B"})).await.expect(201);
    app.put(
        &fo,
        &format!("/api/v1/visits/{}/form", id(&v)),
        json!({"form": {"category": "other", "description": "y"}}),
    )
    .await
    .expect(200);
    let checked = app.post_empty(&fo, &format!("/api/v1/visits/{}/check", id(&v))).await.expect(200);
    assert_eq!(checked["queue"]["number"], "B-001");
    office["time_zone"] = json!("Europe/Paris");
    office["lkpp_email"] = json!("nope");
    office["services"] = json!([{"code": "B", "name": "Verifikasi"}]);
    let err = app.put(&admin, "/api/v1/settings/office", office.clone()).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"lkpp_email": "invalid", "time_zone": "invalid"}));
    // Well formed, but counters still call service A: a conflict with the office as it is.
    office["time_zone"] = json!("Asia/Makassar");
    office["lkpp_email"] = json!("helpdesk@lkpp.go.id");
    let err = app.put(&admin, "/api/v1/settings/office", office.clone()).await.error(409, "in_use");
    assert_eq!(err["fields"], json!({"services": "in_use"}));
    // Never fewer than the name, the category and the description: they are added.
    office["services"] = json!([{"code": "A", "name": "Konsultasi"}, {"code": "B", "name": "Verifikasi"}]);
    office["required_fields"] = json!(["visitor.phone"]);
    let saved = app.put(&admin, "/api/v1/settings/office", office).await.expect(200);
    assert_eq!(saved["required_fields"], json!(["visitor.phone", "visitor.name", "form.category", "form.description"]));
}

pub async fn the_time_standards_report_reads_the_histories(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let v = app.waiting_visit(&sup, "a").await;
    app.post_empty(&sup, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&sup, &format!("/api/v1/visits/{}/start", id(&v))).await.expect(200);
    app.post(&sup, &format!("/api/v1/visits/{}/answer", id(&v)), json!({"analysis": "a", "answer": "b"}))
        .await
        .expect(200);
    let copy = format!("/api/v1/visits/{}/copy", id(&v));
    app.post(&sup, &copy, json!({"via": "printed"})).await.expect(200);
    app.post_empty(&sup, &format!("/api/v1/visits/{}/archive", id(&v))).await.expect(200);
    let report = app.get(&sup, "/api/v1/reports/time-standards").await.expect(200);
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 12);
    let step = |n: u64| steps.iter().find(|s| s["step"] == n).unwrap().clone();
    assert_eq!(step(3)["count"], 1);
    assert_eq!(step(3)["within"], 1);
    assert_eq!(step(3)["compliance_pct"], 100.0);
    assert_eq!(step(6)["count"], 0);
    assert_eq!(step(6)["compliance_pct"], Value::Null);
    assert_eq!(step(12)["standard_minutes"], 10);
    assert_eq!(report["waiting"]["count"], 1);
    assert!(report["waiting"]["avg_minutes"].as_f64().is_some());
    let empty = app.get(&sup, "/api/v1/reports/time-standards?from=2001-01-01&to=2001-01-31").await.expect(200);
    assert_eq!(empty["waiting"]["count"], 0);
    app.get(&sup, "/api/v1/reports/time-standards?from=2026-13-01").await.error(422, "validation");
    app.get(&sup, "/api/v1/reports/time-standards?from=2026-1-01").await.error(422, "validation");
    // A `to` before `from` is an empty period; one past 366 days is cut, and the answer says so.
    let none = app.get(&sup, "/api/v1/reports/time-standards?from=2026-11-02&to=2026-11-01").await.expect(200);
    assert_eq!(none["waiting"]["count"], 0);
    let cut = app.get(&sup, "/api/v1/reports/time-standards?from=2026-01-01&to=2030-01-01").await.expect(200);
    assert_eq!((cut["from"].as_str(), cut["to"].as_str()), (Some("2026-01-01"), Some("2027-01-01")));
}

pub async fn settings_that_would_strand_a_visit_are_refused(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin, Role::Supervisor]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    app.waiting_visit(&fo, "a").await;
    app.post_empty(&hd, "/api/v1/counters/2/call-next").await.expect(200);
    let only_1 = json!([{"code": "1", "name": "Loket 1", "services": ["A"]}]);
    let err = app.put(&admin, "/api/v1/settings/counters", only_1).await.error(409, "in_use");
    assert!(err["message"].as_str().unwrap().contains("counters 2"), "{err}");
    app.put(&admin, "/api/v1/settings/counters", json!([])).await.error(422, "validation");
    app.put(&admin, "/api/v1/settings/time-standards", json!([])).await.error(422, "validation");
    let counters = app.get(&admin, "/api/v1/settings/counters").await.expect(200);
    assert_eq!(counters.as_array().unwrap().len(), 3, "nothing refused was saved");
}

/// A finished step keeps the time and the verdict it finished with: a later change of the
/// opening hours changes neither on the visit's view.
pub async fn a_finished_steps_verdict_survives_a_change_of_opening_hours(app: TestApp) {
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    let every_day = |hours: Value| {
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        Value::Object(days.iter().map(|d| (d.to_string(), hours.clone())).collect())
    };
    let open_all_day =
        json!({"time_measure": "working", "opening_hours": every_day(json!([{"opens": "00:00", "closes": "23:59"}]))});
    app.put(&sup, "/api/v1/settings/calendar", open_all_day).await.expect(200);
    let v = app.waiting_visit(&sup, "Budi").await;
    let path = format!("/api/v1/visits/{}", id(&v));
    app.post_empty(&sup, "/api/v1/counters/1/call-next").await.expect(200);
    app.post_empty(&sup, &format!("{path}/start")).await.expect(200);
    app.clock.advance(chrono::Duration::minutes(45));
    app.post(&sup, &format!("{path}/answer"), json!({"analysis": "a", "answer": "b"})).await.expect(200);
    let step9 =
        |v: &Value| v["steps"].as_array().and_then(|s| s.iter().find(|s| s["step"] == 9)).cloned().unwrap_or_default();
    let before = step9(&app.get(&sup, &path).await.expect(200));
    assert!(before["measured_minutes"].as_f64().unwrap_or_default() > 40.0, "{before}");
    assert_eq!(before["within_standard"], false, "{before}");

    let closed = json!({"time_measure": "working", "opening_hours": every_day(json!([]))});
    app.put(&sup, "/api/v1/settings/calendar", closed).await.expect(200);
    let after = step9(&app.get(&sup, &path).await.expect(200));
    assert_eq!(
        (&after["measured_minutes"], &after["within_standard"]),
        (&before["measured_minutes"], &before["within_standard"]),
        "a closed office would count 0 minutes, within: {after}"
    );
}
