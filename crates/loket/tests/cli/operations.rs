//! The running server: its log, its errors, its shutdown.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{serve, serve_with, temp_db};

/// A table of the database goes away under the running server (as a broken disk or a bad
/// manual change would do it).
async fn break_database(db: &str) {
    let rename = "ALTER TABLE visits RENAME TO visits_away";
    if db.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(db).await.expect("postgres");
        sqlx::query(rename).execute(&pool).await.expect("rename");
    } else {
        let pool = sqlx::SqlitePool::connect(db).await.expect("sqlite");
        sqlx::query(rename).execute(&pool).await.expect("rename");
    }
}

/// A 500 answers in the API's error format with the request's id, never the cause; the log has
/// the cause with its whole chain (the driver's error) under the same id.
async fn an_internal_error_is_logged_with_its_causes_under_the_request_id(db: &str, cause: &str) {
    let server = serve_with(db, Some("sandi-awal-loket-1"), "info").await;
    let token = server.login("admin", "sandi-awal-loket-1").await.expect("admin");
    break_database(db).await;
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/visits", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 500);
    let id = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("x-request-id").to_owned();
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"], "internal");
    assert_eq!(body["request_id"], id.as_str(), "{body}");
    assert!(!body.to_string().contains(cause), "the cause stays in the log: {body}");
    let line = server.log_line(|l| l.contains("internal error") && l.contains(&id)).await;
    assert!(line.contains("ERROR") && line.contains("database error: ") && line.contains(cause), "{line}");
    let access = server.log_line(|l| l.contains("answered") && l.contains(&id)).await;
    assert!(access.contains("status=500"), "{access}");
}

#[tokio::test]
async fn an_internal_error_is_logged_with_its_causes_under_the_request_id_on_sqlite() {
    let (_dir, db) = temp_db();
    an_internal_error_is_logged_with_its_causes_under_the_request_id(&db, "no such table").await;
}

#[tokio::test]
async fn an_internal_error_is_logged_with_its_causes_under_the_request_id_on_postgres() {
    let Some(base) = loket_store::testing::postgres_url() else {
        return;
    };
    let db = loket_store::testing::fresh_postgres_url(&base).await;
    an_internal_error_is_logged_with_its_causes_under_the_request_id(&db, "does not exist").await;
}

/// One access-log line per request: method, route as declared, status, latency, request id;
/// never the token, the address as sent or its query. A value from a request is logged escaped:
/// a user name cannot forge a line of its own.
#[tokio::test]
async fn the_log_has_one_line_per_request_and_nothing_a_client_can_forge() {
    let (_dir, db) = temp_db();
    let server = serve_with(&db, Some("sandi-awal-loket-1"), "info").await;
    let token = server.login("admin", "sandi-awal-loket-1").await.expect("admin");
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/api/v1/visits/visit-of-siti?date=Siti-Rahayu", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 404);
    let id = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("x-request-id").to_owned();
    let line = server.log_line(|l| l.contains("answered") && l.contains(&id)).await;
    for part in ["INFO", "method=GET", r#"route="/api/v1/visits/{id}""#, "status=404", "latency_ms="] {
        assert!(line.contains(part), "{part} missing: {line}");
    }

    let forged = "siapa\nINFO signed in username=admin\u{1b}[2K";
    let (status, _) =
        server.call("POST", "/api/v1/auth/login", None, Some(json!({"username": forged, "password": "x"}))).await;
    assert_eq!(status, 401);
    server.log_line(|l| l.contains("sign-in refused")).await;
    let log = server.log();
    assert!(!log.contains('\u{1b}'), "an escape code reached the log");
    for line in log.lines() {
        assert!(!line.contains("signed in username=admin") || line.contains("sign-in refused"), "forged: {line}");
    }
    assert!(log.contains(r#"username="siapa\ninfo signed in username=admin\u{1b}[2k""#), "{log}");
    for secret in [token.as_str(), "visit-of-siti", "Siti-Rahayu", "sandi-awal-loket-1"] {
        assert!(!log.contains(secret), "{secret} is in the log");
    }
}

/// SIGTERM: the server stops accepting, ends the event streams, finishes the request in flight
/// and exits 0, promptly.
#[tokio::test]
async fn sigterm_finishes_the_requests_in_flight_then_exits() {
    let (_dir, db) = temp_db();
    let mut server = serve(&db, Some("sandi-awal-loket-1")).await;
    let token = server.login("admin", "sandi-awal-loket-1").await.expect("admin");
    let http = reqwest::Client::new();
    let mut events = http.get(format!("{}/api/v1/events", server.base)).send().await.expect("events");
    assert_eq!(events.status(), 200);
    // A request in flight: its headers and half its body are in.
    let body = json!({"visitor": {"name": "Budi"}}).to_string();
    let mut socket = tokio::net::TcpStream::connect(server.base.trim_start_matches("http://")).await.expect("connect");
    let head = format!(
        "POST /api/v1/visits HTTP/1.1\r\nHost: loket\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.expect("head");
    socket.write_all(&body.as_bytes()[..5]).await.expect("half");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = i32::try_from(server.child.id().expect("pid")).expect("pid");
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let stopped = std::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    socket.write_all(&body.as_bytes()[5..]).await.expect("rest");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), socket.read_to_string(&mut answer))
        .await
        .expect("answered within 5 s")
        .expect("read");
    assert!(answer.starts_with("HTTP/1.1 201"), "the request in flight is finished: {answer}");
    let ended =
        tokio::time::timeout(Duration::from_secs(5), async { while let Ok(Some(_)) = events.chunk().await {} }).await;
    assert!(ended.is_ok(), "the event stream ends on shutdown");
    let status = tokio::time::timeout(Duration::from_secs(10), server.child.wait())
        .await
        .expect("exits within 10 s")
        .expect("wait");
    assert!(status.success(), "{status:?}");
    assert!(stopped.elapsed() < Duration::from_secs(5), "took {:?}", stopped.elapsed());
}
