//! A returning visitor: found by phone or e-mail, on the front office page without script and
//! through `GET /api/v1/guests/lookup`, only for the front office and supervisors.

use loket_domain::auth::Role;
use loket_web::limits::Limits;
use serde_json::json;

use crate::pages::Browser;
use crate::support::{Backend, PASSWORD, TestApp, spawn_app_with};

pub async fn the_front_office_takes_over_a_returning_visitors_data(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    app.waiting_visit(&fo, "Budi <b>Santoso</b>").await;
    let mut b = Browser::new(&app);
    b.sign_in("fo", PASSWORD).await;
    let page = b.get("/front-office").await;
    assert!(page.body.contains("id=\"lookup-visitor\" name=\"lookup\""), "{}", page.body);
    assert!(page.body.contains("/assets/front-office.js"));
    let csrf = page.csrf();
    // Typed another way than stored, with a name of its own already typed.
    let found = b
        .post(
            "/front-office/visits",
            &[("_csrf", &csrf), ("visitor.name", "Budi S."), ("visitor.phone", "+62 812 3456 7890"), ("lookup", "1")],
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.body.contains("id=\"lookup-notice\""));
    assert!(found.body.contains("value=\"Budi S.\""), "what was typed stays: {}", found.body);
    assert!(found.body.contains("value=\"CV Maju Jaya\""), "the rest comes from the last visit");
    assert!(found.body.contains("value=\"budi@majujaya.co.id\""));
    assert!(found.body.contains("value=\"+62 812 3456 7890\""), "the phone as typed");
    assert!(found.body.contains("<option value=\"penyedia\" selected>"));
    let notice =
        found.body.split("id=\"lookup-notice\">").nth(1).and_then(|n| n.split("</p>").next()).unwrap_or_default();
    assert!(notice.contains(" 2026, ") || notice.contains(" 2027, "), "the last visit's date, in words: {notice}");
    let none =
        b.post("/front-office/visits", &[("_csrf", &csrf), ("visitor.email", "siti@pu.go.id"), ("lookup", "1")]).await;
    assert_eq!(none.status, 200);
    assert!(none.body.contains("Belum ada kunjungan dengan nomor telepon atau e-mail ini."));
    assert!(none.body.contains("value=\"siti@pu.go.id\""));
    let nothing = b.post("/front-office/visits", &[("_csrf", &csrf), ("visitor.name", "Ani"), ("lookup", "1")]).await;
    assert!(nothing.body.contains("id=\"visitor-phone-error\""), "{}", nothing.body);
    assert!(nothing.body.contains("value=\"Ani\""));
    // Without the lookup button the same form opens the visit, as before.
    let opened = b
        .post(
            "/front-office/visits",
            &[("_csrf", &csrf), ("visitor.name", "Budi S."), ("visitor.phone", "0812 3456 7890")],
        )
        .await;
    assert_eq!(opened.status, 303);
}

pub async fn the_lookup_endpoint_needs_the_front_office(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let ad = app.staff("ad", &[Role::Admin]).await;
    let sv = app.staff("sv", &[Role::Supervisor]).await;
    let v = app.waiting_visit(&fo, "Budi").await;
    let path = "/api/v1/guests/lookup?contact=081234567890";
    app.send("GET", path, None, None).await.error(401, "unauthorized");
    app.get(&hd, path).await.error(403, "forbidden");
    app.get(&ad, path).await.error(403, "forbidden");
    let found = app.get(&sv, path).await.expect(200);
    assert_eq!(found["reference"], v["reference"]);
    assert_eq!(found["visitor"]["organization"], "CV Maju Jaya");
    assert_eq!(found["visitor"]["phone"], "081234567890");
    let by_mail = app.get(&fo, "/api/v1/guests/lookup?contact=BUDI%40majujaya.co.id").await.expect(200);
    assert_eq!(by_mail["visitor"]["name"], "Budi");
    app.get(&fo, "/api/v1/guests/lookup?contact=0899%200000%200000").await.error(404, "not_found");
    let bad = app.get(&fo, "/api/v1/guests/lookup?contact=Budi").await.error(422, "validation");
    assert_eq!(bad["fields"], json!({"contact": "invalid"}));
    app.get(&fo, "/api/v1/guests/lookup").await.error(400, "bad_request");
    // The document says what a contact looks like, so that a generated client sends one.
    let doc = app.send("GET", "/api/openapi.json", None, None).await.expect(200);
    let params = &doc["paths"]["/api/v1/guests/lookup"]["get"]["parameters"];
    let contact = params.as_array().into_iter().flatten().find(|p| p["name"] == "contact").expect("contact");
    assert!(
        contact["schema"]["pattern"].as_str().is_some_and(|p| p.contains("{8,15}") && p.contains('@')),
        "{contact}"
    );
    // The page's script asks with the sign-in cookie.
    let mut b = Browser::new(&app);
    b.sign_in("fo", PASSWORD).await;
    let page = b.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("CV Maju Jaya"));
}

/// Look-ups are counted per staff member: enough for a clerk typing, too few to read the guest
/// book out by guessing numbers (60 in 0.12 s went through before); another clerk is not slowed.
pub async fn the_lookup_is_rate_limited_per_staff_member(backend: Backend) {
    let limits = Limits { lookups_per_minute: 3, ..Limits::default() };
    let Some(app) = spawn_app_with(backend, limits).await else {
        return;
    };
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let fo2 = app.staff("fo2", &[Role::FrontOffice]).await;
    let path = "/api/v1/guests/lookup?contact=0899%200000%200000";
    for _ in 0..3 {
        app.get(&fo, path).await.error(404, "not_found");
    }
    let refused = app.get(&fo, path).await.error(429, "rate_limited");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("try again in")), "{refused}");
    app.get(&fo2, path).await.error(404, "not_found");
}

/// Every API answer says `nosniff` and `no-store` (they hold visitors' personal data), the
/// refusals too; the staff event stream is open to any staff role, as docs/api.md says.
pub async fn api_answers_are_neither_sniffed_nor_stored(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let ad = app.staff("ad", &[Role::Admin]).await;
    let v = app.waiting_visit(&fo, "Budi").await;
    let visit = format!("/api/v1/visits/{}", crate::support::id(&v));
    for (path, token, status) in [
        (visit.as_str(), Some(fo.as_str()), 200),
        ("/api/v1/guests/lookup?contact=081234567890", Some(fo.as_str()), 200),
        (visit.as_str(), None, 401),
        ("/api/v1/nope", Some(fo.as_str()), 404),
    ] {
        let mut request = app.http.get(app.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await.expect("answer");
        assert_eq!(answer.status().as_u16(), status, "{path}");
        let header = |name: &str| answer.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
        assert_eq!(header("cache-control").as_deref(), Some("no-store"), "{path}");
    }
    let stream = app.http.get(app.url("/api/v1/events/staff")).bearer_auth(&ad).send().await.expect("stream");
    assert_eq!(stream.status(), 200, "an admin's staff stream");
}
