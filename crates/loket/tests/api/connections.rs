//! Slow, idle and malformed connections, as raw sockets: each is closed in time, while normal
//! requests on other connections are served throughout and the event stream stays open.

use std::time::{Duration, Instant};

use loket_domain::auth::Role;
use loket_web::limits::{ConnectionLimits, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Backend, EventStream, TestApp, spawn_app_with};

const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const BODY_TIMEOUT: Duration = Duration::from_secs(1);

fn short_limits() -> Limits {
    Limits {
        connections: ConnectionLimits {
            header_timeout: HEADER_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            ..ConnectionLimits::default()
        },
        ..Limits::default()
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://")).await.expect("connect")
}

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn read_until_closed(mut socket: TcpStream, within: Duration) -> Result<(String, Instant), String> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Ok((String::from_utf8_lossy(&seen).into_owned(), Instant::now())),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return Err(format!("still open after {within:?}; got {:?}", String::from_utf8_lossy(&seen))),
        }
    }
}

/// The cases of the report: unfinished headers, a body promised and never sent, a connection
/// that says nothing, an idle keep-alive connection, half a body with the rest too late. Each
/// is closed within its timeout (and a little slack); none is ever answered 2xx.
pub async fn slow_and_idle_connections_are_closed_in_time(backend: Backend) {
    let Some(app) = spawn_app_with(backend, short_limits()).await else {
        return;
    };
    let fo = app.staff("fo", &[Role::FrontOffice]).await;
    let mut events = EventStream::open(&app).await;
    let kiosk = r#"{"visitor":{"name":"Budi"},"form":{"description":"Lupa kata sandi"}}"#;
    let slack = Duration::from_secs(2);

    let mut cases = Vec::new();
    // Headers never finished.
    let mut s = connect(&app).await;
    s.write_all(b"POST /api/v1/kiosk/visits HTTP/1.1\r\nHost: loket\r\nContent-Type: applic").await.unwrap();
    cases.push(("unfinished headers", s, HEADER_TIMEOUT));
    // A body promised by Content-Length and never sent.
    let mut s = connect(&app).await;
    let head = format!(
        "POST /api/v1/kiosk/visits HTTP/1.1\r\nHost: loket\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        kiosk.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    cases.push(("body never sent", s, BODY_TIMEOUT));
    // Nothing at all.
    cases.push(("silent connection", connect(&app).await, HEADER_TIMEOUT));
    // Half a body; the rest would come after the body timeout.
    let mut half = connect(&app).await;
    half.write_all(head.as_bytes()).await.unwrap();
    half.write_all(&kiosk.as_bytes()[..kiosk.len() / 2]).await.unwrap();
    cases.push(("half a body", half, BODY_TIMEOUT));
    // An idle keep-alive connection after one answered request.
    let mut idle = connect(&app).await;
    idle.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: loket\r\n\r\n").await.unwrap();
    let mut first = [0u8; 512];
    let n = idle.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"), "the first request is answered");
    cases.push(("idle keep-alive", idle, HEADER_TIMEOUT));

    let started = Instant::now();
    let mut waits = Vec::new();
    for (name, socket, timeout) in cases {
        waits.push(tokio::spawn(
            async move { (name, timeout, read_until_closed(socket, timeout + slack + slack).await) },
        ));
    }
    // Meanwhile a normal client is served, again and again, on its own connections.
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    while started.elapsed() < BODY_TIMEOUT + Duration::from_millis(1500) {
        let t = Instant::now();
        let res = fresh.get(app.url("/api/v1/health")).send().await.expect("health");
        assert_eq!(res.status(), 200);
        assert!(t.elapsed() < Duration::from_millis(500), "a normal request waited {:?}", t.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for wait in waits {
        let (name, timeout, result) = wait.await.unwrap();
        let (sent, closed_at) = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let took = closed_at.duration_since(started);
        assert!(took <= timeout + slack, "{name}: closed after {took:?}");
        assert!(!sent.starts_with("HTTP/1.1 2"), "{name}: answered {sent}");
        if name == "body never sent" || name == "half a body" {
            assert!(sent.starts_with("HTTP/1.1 408"), "{name}: {sent}");
            assert!(sent.contains("request_timeout"), "{name}: {sent}");
        }
    }
    assert!(app.store.visits(Default::default()).await.unwrap().is_empty(), "no kiosk visit was made");

    // The event stream outlived every timeout: a change still reaches it.
    app.waiting_visit(&fo, "Siti").await;
    assert!(events.next("queue", Duration::from_secs(5)).await.is_some(), "the event stream stays open");
}

/// Past `max_connections`, a new connection waits until one of the open ones ends.
pub async fn open_connections_are_bounded(backend: Backend) {
    let mut limits = short_limits();
    limits.connections.max_connections = 3;
    let Some(app) = spawn_app_with(backend, limits).await else {
        return;
    };
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(connect(&app).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let res = fresh.get(app.url("/api/v1/health")).send().await.expect("health");
    assert_eq!(res.status(), 200);
    let waited = started.elapsed();
    assert!(
        waited >= HEADER_TIMEOUT - Duration::from_millis(300),
        "served after {waited:?}, before a silent connection was closed"
    );
    assert!(waited < HEADER_TIMEOUT + Duration::from_secs(2), "served after {waited:?}");
}
