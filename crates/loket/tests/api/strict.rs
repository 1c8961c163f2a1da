//! Strict input: JSON declared as JSON and nothing after it, text that shows what it holds,
//! errors that name fields as sent, the bearer scheme in any case, and 429s that say when.

use loket_domain::auth::Role;
use loket_web::limits::Limits;
use serde_json::json;

use crate::support::{Backend, TestApp, spawn_app_with};

async fn raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, serde_json::Value) {
    let mut req = app.http.post(app.url(path)).body(body.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// Only `application/json`: a cross-site HTML form (urlencoded, multipart or text/plain) cannot
/// post to the public kiosk.
pub async fn json_bodies_must_be_declared_as_json(app: TestApp) {
    let kiosk = r#"{"visitor": {"name": "Budi"}, "form": {"description": "Lupa kata sandi"}}"#;
    for content_type in
        [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data; boundary=x"), None]
    {
        let (status, body) = raw(&app, "/api/v1/kiosk/visits", None, content_type, kiosk).await;
        assert_eq!((status, body["error"].as_str()), (415, Some("unsupported_media_type")), "{content_type:?}: {body}");
    }
    assert!(app.store.visits(Default::default()).await.unwrap().is_empty(), "nothing was stored");
    for content_type in ["application/json", "application/json; charset=utf-8", "Application/JSON"] {
        let (status, body) = raw(&app, "/api/v1/kiosk/visits", None, Some(content_type), kiosk).await;
        assert_eq!(status, 201, "{content_type}: {body}");
    }
    // An optional body may be left out, with no type at all.
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let (status, _) = raw(&app, "/api/v1/counters/1/call-next", Some(&hd), None, "").await;
    assert_eq!(status, 204);
    let (status, _) = raw(&app, "/api/v1/counters/1/call-next", Some(&hd), Some("text/plain"), "{}").await;
    assert_eq!(status, 415);
    // Empty is JSON's white space only (space, tab, line feed, carriage return): a form feed is
    // a body that is not JSON.
    let (status, _) = raw(&app, "/api/v1/counters/1/call-next", Some(&hd), Some("application/json"), " \r\n\t").await;
    assert_eq!(status, 204);
    let (status, reply) = raw(&app, "/api/v1/counters/1/call-next", Some(&hd), Some("application/json"), "\x0c").await;
    assert_eq!((status, reply["error"].as_str()), (400, Some("bad_request")), "{reply}");
}

pub async fn nothing_may_follow_the_json_value(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let json = Some("application/json");
    for body in [r#"{"visitor":{"name":"a"}} xyz"#, r#"{"visitor":{"name":"a"}}{"visitor":{"name":"b"}}"#] {
        let (status, reply) = raw(&app, "/api/v1/visits", Some(&fo), json, body).await;
        assert_eq!((status, reply["error"].as_str()), (400, Some("bad_request")), "{body}: {reply}");
    }
    assert!(app.store.visits(Default::default()).await.unwrap().is_empty(), "nothing was stored");
    let (status, _) = raw(&app, "/api/v1/visits", Some(&fo), json, "{\"visitor\":{\"name\":\"a\"}}\r\n").await;
    assert_eq!(status, 201, "white space after the value is fine");
}

/// A name of invisible characters is `missing`, like one of spaces; bidirectional controls are
/// refused in every text field; line breaks only in the description.
pub async fn text_shows_what_it_holds(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    for name in ["\u{200B}", "\u{200C}\u{200D}", "\u{FEFF} ", "   "] {
        let err = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": name}})).await.error(422, "validation");
        assert_eq!(err["fields"], json!({"visitor.name": "missing"}), "{name:?}");
    }
    let err =
        app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Budi\nadmin"}})).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"visitor.name": "invalid"}));
    let v = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "Budi"}})).await.expect(201);
    let id = v["id"].as_str().unwrap();
    let reversed = json!({"visitor": {"organization": "CV \u{202E}ayaJ ujaM"}, "form": {"subject": "a\u{2066}b", "description": "x\u{202D}"}});
    let err = app.put(&fo, &format!("/api/v1/visits/{id}/form"), reversed).await.error(422, "validation");
    assert_eq!(
        err["fields"],
        json!({"visitor.organization": "invalid", "form.subject": "invalid", "form.description": "invalid"})
    );
    let lines = json!({"form": {"description": "Langkah 1: masuk\nLangkah 2: unggah"}});
    let saved = app.put(&fo, &format!("/api/v1/visits/{id}/form"), lines).await.expect(200);
    assert_eq!(saved["form"]["description"], "Langkah 1: masuk\nLangkah 2: unggah");
}

pub async fn each_error_names_the_field_as_sent(app: TestApp) {
    let admin = app.staff("adm", &[Role::Admin]).await;
    let mut office = app.get(&admin, "/api/v1/settings/office").await.expect(200);
    office["services"] = json!([]);
    let err = app.put(&admin, "/api/v1/settings/office", office).await.error(422, "validation");
    assert_eq!(err["fields"]["services"], "missing", "{err}");
    assert!(err["fields"].as_object().unwrap().keys().all(|k| k == "services" || k.starts_with("services[")), "{err}");
}

pub async fn the_bearer_scheme_is_case_insensitive(app: TestApp) {
    let token = app.staff("hd", &[Role::Helpdesk]).await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let res = app
            .http
            .get(app.url("/api/v1/auth/me"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{scheme}");
    }
    let res = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds")
}

/// Sign-in and kiosk alike: a 429 says how long to wait.
pub async fn every_429_says_when_to_retry(backend: Backend) {
    let limits = Limits { kiosk_per_minute: 1, login_failures_per_user: 1, ..Limits::default() };
    let Some(app) = spawn_app_with(backend, limits).await else {
        return;
    };
    let kiosk = json!({"visitor": {"name": "Budi"}, "form": {}});
    app.send("POST", "/api/v1/kiosk/visits", None, Some(kiosk.clone())).await.expect(201);
    let res = app.http.post(app.url("/api/v1/kiosk/visits")).json(&kiosk).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!((1..=60).contains(&retry_after(&res)));
    let wrong = json!({"username": "siapa", "password": "salah"});
    app.send("POST", "/api/v1/auth/login", None, Some(wrong.clone())).await.error(401, "invalid_credentials");
    let res = app.http.post(app.url("/api/v1/auth/login")).json(&wrong).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert!((1..=15 * 60).contains(&retry_after(&res)));
}

/// A body is read as documented: an object where the document says object, never the array of
/// its fields in order that serde would also take.
pub async fn an_object_given_as_an_array_is_refused(app: TestApp) {
    let hd = app.staff("hd", &[Role::Helpdesk]).await;
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let json = Some("application/json");
    let (status, reply) = raw(&app, "/api/v1/counters/1/call-next", Some(&hd), json, "[null]").await;
    assert_eq!((status, reply["error"].as_str()), (422, Some("validation")), "{reply}");
    let (status, reply) = raw(&app, "/api/v1/visits", Some(&fo), json, r#"{"visitor": ["Budi"]}"#).await;
    assert_eq!((status, reply["error"].as_str()), (422, Some("validation")), "{reply}");
    assert_eq!(reply["fields"], json!({"visitor": "invalid"}));
}
