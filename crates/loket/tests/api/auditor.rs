//! The auditor (pemeriksa) of the Inspektorat: reads every visit, its history, the archived
//! documents, the reports and the settings, and changes nothing, in the API and on the pages.

use loket_domain::auth::Role;
use serde_json::json;

use crate::pages::Browser;
use crate::support::{PASSWORD, TestApp, id};

/// An archived visit, by a helpdesk agent; its id.
async fn archived_visit(app: &TestApp) -> String {
    let (hd, v) = crate::helpdesk::in_service(app).await;
    let path = |p: &str| format!("/api/v1/visits/{}/{p}", id(&v));
    app.post(&hd, &path("answer"), json!({"analysis": "Sertifikat kedaluwarsa", "answer": "Perbarui"}))
        .await
        .expect(200);
    app.post(&hd, &path("copy"), json!({"via": "printed"})).await.expect(200);
    app.post_empty(&hd, &path("archive")).await.expect(200);
    id(&v)
}

pub async fn an_auditor_reads_every_visit_and_setting_and_changes_nothing(app: TestApp) {
    let visit = archived_visit(&app).await;
    let aud = app.staff("inspektorat", &[Role::Auditor]).await;
    let v = |rest: &str| format!("/api/v1/visits/{visit}{rest}");

    // Reads: the visits, one visit, its history, its archived document, the archive, reports,
    // settings of every kind, the days off.
    let list = app.get(&aud, "/api/v1/visits").await.expect(200);
    assert!(list.as_array().is_some_and(|l| l.iter().any(|x| x["id"] == visit.as_str())), "{list}");
    assert_eq!(app.get(&aud, &v("")).await.expect(200)["status"], "archived");
    let history = app.get(&aud, &v("/history")).await.expect(200);
    assert!(history.as_array().is_some_and(|h| h.iter().any(|e| e["kind"] == "archived")), "{history}");
    let doc = app.http.get(app.url(&v("/archive/document"))).bearer_auth(&aud).send().await.expect("document");
    assert_eq!(doc.status(), 200);
    assert!(!doc.bytes().await.expect("bytes").is_empty());
    app.get(&aud, &v("/archive")).await.expect(200);
    app.get(&aud, "/api/v1/archive").await.expect(200);
    app.get(&aud, "/api/v1/queue").await.expect(200);
    for report in ["recap", "times", "time-standards", "ikm", "overruns", "escalations"] {
        app.get(&aud, &format!("/api/v1/reports/{report}")).await.expect(200);
    }
    for setting in ["priorities", "time-standards", "counters", "office", "calendar", "mail", "imap"] {
        app.get(&aud, &format!("/api/v1/settings/{setting}")).await.expect(200);
    }
    app.get(&aud, "/api/v1/calendar/days-off?year=2027").await.expect(200);

    // Writes of every kind: 403, and nothing changed.
    let office = app.get(&aud, "/api/v1/settings/office").await.expect(200);
    let writes: Vec<(&str, String, Option<serde_json::Value>)> = vec![
        ("POST", "/api/v1/visits".into(), Some(json!({"visitor": {"name": "Siti"}}))),
        ("POST", "/api/v1/counters/1/call-next".into(), None),
        ("POST", v("/cancel"), Some(json!({"reason": "pulang"}))),
        ("PUT", "/api/v1/settings/office".into(), Some(office.clone())),
        ("PUT", "/api/v1/settings/priorities".into(), Some(json!([]))),
        ("PUT", "/api/v1/settings/mail".into(), Some(json!({"from_address": "loket@lpse.example.go.id"}))),
        ("PUT", "/api/v1/users/inspektorat".into(), Some(json!({"full_name": "X", "roles": ["admin"]}))),
        (
            "PUT",
            "/api/v1/calendar/days-off/2027-08-17".into(),
            Some(json!({"kind": "libur_nasional", "name": "HUT RI"})),
        ),
        ("DELETE", "/api/v1/calendar/days-off/2027-08-17".into(), None),
        ("POST", "/api/v1/mail/unmatched/none/dismiss".into(), None),
    ];
    for (method, path, body) in writes {
        app.send(method, &path, Some(&aud), body).await.error(403, "forbidden");
    }
    let days = app.get(&aud, "/api/v1/calendar/days-off?year=2027").await.expect(200);
    assert_eq!(days, json!([]), "no day off was written");
    let me = app.get(&aud, "/api/v1/auth/me").await.expect(200);
    assert_eq!(me["roles"], json!(["auditor"]), "the auditor did not make themselves an admin");
}

/// On the pages an auditor sees what they may read (the archive, the overview, reports, the
/// settings), the settings without a save button, and every form they post is refused.
pub async fn an_auditors_pages_read_and_offer_no_change(app: TestApp) {
    app.staff("inspektorat", &[Role::Auditor]).await;
    let mut b = Browser::new(&app);
    let landed = b.sign_in("inspektorat", PASSWORD).await;
    assert_eq!(landed.location(), "/archive", "the auditor starts at the archive search");
    let archive = b.get("/archive").await;
    assert_eq!(archive.status, 200);
    for link in ["href=\"/supervisor\"", "href=\"/archive\""] {
        assert!(archive.body.contains(link), "{link} in the navigation");
    }
    for link in ["href=\"/admin\"", "href=\"/counter\"", "href=\"/front-office\""] {
        assert!(!archive.body.contains(link), "{link} is not the auditor's");
    }
    let settings = [
        "/supervisor/settings/office",
        "/supervisor/settings/priorities",
        "/supervisor/settings/desks",
        "/supervisor/settings/form-fields",
        "/supervisor/settings/calendar",
        "/supervisor/settings/mail",
        "/supervisor/time-standards",
    ];
    let mut csrf = String::new();
    for path in settings {
        let page = b.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("id=\"settings-read-only\""), "{path} says it is read-only");
        assert!(!page.body.contains("type=\"submit\" class=\"primary\""), "{path} offers no save button");
        assert!(page.body.contains("<fieldset disabled"), "{path}'s inputs are disabled");
        if csrf.is_empty() && page.body.contains("name=\"_csrf\" value=\"") {
            csrf = page.csrf();
        }
    }
    let office = b.get("/supervisor/settings/office").await;
    assert!(!office.body.contains("id=\"upload-logo\""), "no logo upload");
    let calendar = b.get("/supervisor/settings/calendar").await;
    for form in ["id=\"add-form\"", "id=\"import-form\""] {
        assert!(!calendar.body.contains(form), "{form} is not offered");
    }
    // A form posted anyway, with a good CSRF token, is refused.
    let posts: [(&str, Vec<(&str, &str)>); 5] = [
        ("/supervisor/time-standards", vec![("step-9", "5")]),
        (
            "/supervisor/settings/calendar/days-off",
            vec![("date", "2027-08-17"), ("kind", "libur_nasional"), ("name", "HUT RI")],
        ),
        ("/supervisor/settings/calendar/days-off/delete", vec![("date", "2027-08-17")]),
        ("/admin/users", vec![("username", "baru"), ("password", "rahasia-loket-2026"), ("role", "admin")]),
        ("/front-office/visits", vec![("name", "Siti")]),
    ];
    for (path, fields) in posts {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend(fields);
        assert_eq!(b.post(path, &form).await.status, 403, "{path}");
    }
}
