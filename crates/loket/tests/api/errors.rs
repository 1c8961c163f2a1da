use loket_domain::auth::Role;
use serde_json::json;

use crate::support::TestApp;

pub async fn malformed_json_is_a_bad_request(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let res = app
        .http
        .post(app.url("/api/v1/visits"))
        .bearer_auth(&fo)
        .header("content-type", "application/json")
        .body("{\"visitor\": {\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    let res = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

pub async fn an_unknown_field_is_a_validation_error_naming_it(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let err =
        app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "a", "nik": "123"}})).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"visitor.nik": "unknown"}));
    let err =
        app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": "a"}, "extra": 1})).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"extra": "unknown"}));
    let err = app.post(&fo, "/api/v1/visits", json!({"visitor": {"name": 5}})).await.error(422, "validation");
    assert_eq!(err["fields"], json!({"visitor.name": "invalid"}));
    assert_eq!(app.store.visits(Default::default()).await.unwrap().len(), 0, "nothing stored");
}

pub async fn an_oversize_body_is_payload_too_large(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let big = json!({"visitor": {"name": "x".repeat(1024 * 1024 + 10)}});
    app.post(&fo, "/api/v1/visits", big).await.error(413, "payload_too_large");
    // Well over the limit: the client is still sending when the answer is ready, and must read
    // the 413, not a reset connection (the body is read on and thrown away up to 8 MiB).
    let kiosk = json!({"visitor": {"name": "x"}, "form": {"description": "y".repeat(4 * 1024 * 1024)}});
    app.send("POST", "/api/v1/kiosk/visits", None, Some(kiosk)).await.error(413, "payload_too_large");
}

pub async fn an_unknown_address_is_not_found(app: TestApp) {
    app.send("GET", "/api/v1/nothing-here", None, None).await.error(404, "not_found");
    app.send("DELETE", "/api/v1/visits", None, None).await.error(405, "method_not_allowed");
}

pub async fn a_query_that_does_not_parse_is_a_bad_request(app: TestApp) {
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    app.get(&fo, "/api/v1/visits/x/archive/document?version=abc").await.error(400, "bad_request");
}

pub async fn health_answers(app: TestApp) {
    assert_eq!(app.send("GET", "/api/v1/health", None, None).await.expect(200), json!({"status": "ok"}));
}

/// The OpenAPI document is generated from the routes and names every route of API.md.
pub async fn the_openapi_document_lists_every_route(app: TestApp) {
    let doc = app.send("GET", "/api/openapi.json", None, None).await.expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/visits", "post"),
        ("/api/v1/visits", "get"),
        ("/api/v1/visits/{id}", "get"),
        ("/api/v1/visits/{id}/form", "put"),
        ("/api/v1/visits/{id}/check", "post"),
        ("/api/v1/visits/{id}/cancel", "post"),
        ("/api/v1/kiosk/visits", "post"),
        ("/api/v1/categories", "get"),
        ("/api/v1/queue", "get"),
        ("/api/v1/counters/{counter}/call-next", "post"),
        ("/api/v1/visits/{id}/recall", "post"),
        ("/api/v1/visits/{id}/skip", "post"),
        ("/api/v1/visits/{id}/start", "post"),
        ("/api/v1/visits/{id}/answer", "post"),
        ("/api/v1/visits/{id}/escalate", "post"),
        ("/api/v1/visits/{id}/escalation/answer", "post"),
        ("/api/v1/visits/{id}/copy", "post"),
        ("/api/v1/visits/{id}/form.pdf", "get"),
        ("/api/v1/visits/{id}/archive", "post"),
        ("/api/v1/display", "get"),
        ("/api/v1/visits/{id}/status-link", "post"),
        ("/api/v1/visits/{id}/survey-link", "post"),
        ("/api/v1/surveys/{token}", "post"),
        ("/api/v1/reports/ikm", "get"),
        ("/api/v1/visits/{id}/ticket/print", "post"),
        ("/api/v1/events", "get"),
        ("/api/v1/settings/priorities", "get"),
        ("/api/v1/settings/priorities", "put"),
        ("/api/v1/settings/time-standards", "get"),
        ("/api/v1/settings/time-standards", "put"),
        ("/api/v1/settings/counters", "get"),
        ("/api/v1/settings/counters", "put"),
        ("/api/v1/settings/mail", "get"),
        ("/api/v1/settings/mail", "put"),
        ("/api/v1/mail", "get"),
        ("/api/v1/reports/time-standards", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    // Every documented operation answers (not the router's 404).
    let fo = app.staff("doc", &[Role::Supervisor, Role::Admin]).await;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            if path == "/api/v1/events" {
                continue;
            }
            let concrete = path.replace("{id}", "nope").replace("{counter}", "1");
            let reply = app.send(&method.to_uppercase(), &concrete, Some(&fo), None).await;
            assert!(reply.status != 404 || reply.body["error"] == "not_found", "{method} {path}");
            assert_ne!(reply.status, 405, "{method} {path} is documented but not routed");
        }
    }
}

async fn a_handler_that_breaks() -> &'static str {
    panic!("a handler that breaks")
}

/// A panic in a handler is caught: the client gets the API's 500 body with the request's id,
/// and the server goes on serving.
pub async fn a_panic_in_a_handler_is_a_500_in_the_api_format() {
    let router = axum::Router::new().route("/boom", axum::routing::get(a_handler_that_breaks));
    let app = loket_web::middleware::around(router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let limits = loket_web::limits::ConnectionLimits::default();
    tokio::spawn(async move { loket_web::server::serve(listener, app, &limits, std::future::pending()).await });
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let res = http.get(format!("{base}/boom")).send().await.expect("an answer, not a dropped connection");
        assert_eq!(res.status(), 500);
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "internal");
        assert_eq!(body["request_id"], id.as_str());
        assert!(!body.to_string().contains("breaks"), "the panic's text stays in the log: {body}");
    }
}

/// Each operation documents the statuses it can answer, and the document names the office's
/// current codes.
pub async fn the_openapi_document_tells_every_status_and_constraint(app: TestApp) {
    let doc = app.send("GET", "/api/openapi.json", None, None).await.expect(200);
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(ids.insert(op["operationId"].as_str().unwrap()), "{method} {path}: operationId used twice");
            for (status, answer) in op["responses"].as_object().unwrap() {
                for (name, link) in answer.get("links").and_then(|l| l.as_object()).into_iter().flatten() {
                    let target = link["operationId"].as_str().unwrap();
                    let exists = doc["paths"]
                        .as_object()
                        .unwrap()
                        .values()
                        .any(|i| i.as_object().unwrap().values().any(|o| o["operationId"] == target));
                    assert!(exists, "{method} {path} {status}: link {name} to no operation");
                }
            }
            let documented = |s: &str| op["responses"].get(s).is_some();
            assert!(documented("500"), "{method} {path}: 500");
            if op.get("security").is_some_and(|s| !s.as_array().unwrap().is_empty()) {
                assert!(documented("401"), "{method} {path}: 401");
            }
            if op.get("requestBody").is_some() {
                for s in ["400", "408", "413", "415", "422"] {
                    assert!(documented(s), "{method} {path}: {s}");
                }
            }
            if path.contains('{') {
                assert!(documented("404"), "{method} {path}: 404");
            }
        }
    }
    assert!(doc["paths"]["/api/v1/kiosk/visits"]["post"]["responses"]["429"]["headers"]["Retry-After"].is_object());
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["NewVisitor"]["required"], json!(["name"]));
    assert_eq!(schemas["VisitorInput"]["properties"]["name"]["maxLength"], 100);
    assert!(schemas["FormInput"]["properties"]["category"]["enum"].as_array().unwrap().contains(&json!("password")));

    let admin = app.staff("adm", &[Role::Supervisor]).await;
    let table = json!([{"code": "spse_baru", "name": "SPSE baru", "priority": 1, "analysis_minutes": 10, "resolution_minutes": 60}]);
    app.put(&admin, "/api/v1/settings/priorities", table).await.expect(200);
    let doc = app.send("GET", "/api/openapi.json", None, None).await.expect(200);
    assert_eq!(
        doc["components"]["schemas"]["FormInput"]["properties"]["category"]["enum"],
        json!(["spse_baru", "", null])
    );
}
