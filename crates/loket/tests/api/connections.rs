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

/// A connection from `from` (any address of 127.0.0.0/8: they all reach the loopback listener).
async fn connect_from(app: &TestApp, from: [u8; 4]) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind(std::net::SocketAddr::from((from, 0))).expect("bind to a loopback address");
    let to: std::net::SocketAddr = app.base.trim_start_matches("http://").parse().expect("the app's address");
    socket.connect(to).await.expect("connect")
}

/// Opens the public event stream from `from`; returns the socket and the answer's status line.
async fn open_stream(app: &TestApp, from: [u8; 4]) -> (TcpStream, String) {
    let mut s = connect_from(app, from).await;
    s.write_all(b"GET /api/v1/events HTTP/1.1\r\nHost: loket\r\nAccept: text/event-stream\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await.expect("an answer").expect("read");
    let head = String::from_utf8_lossy(&buf[..n]).into_owned();
    let status = head.lines().next().unwrap_or_default().to_owned();
    (s, status)
}

/// Health on a fresh connection from 127.0.0.1, answered at once.
async fn health_at_once(app: &TestApp) {
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let t = Instant::now();
    let res = tokio::time::timeout(Duration::from_secs(2), fresh.get(app.url("/api/v1/health")).send())
        .await
        .expect("health answered within 2 s")
        .expect("health");
    assert_eq!(res.status(), 200);
    assert!(t.elapsed() < Duration::from_millis(500), "health waited {:?}", t.elapsed());
}

/// The public event stream needs no sign-in and never times out, so one client could hold every
/// connection with it: streams are bounded per address (429 past it) and in all, and the API
/// stays at everyone's disposal. A stream that ends gives its place back.
pub async fn public_streams_are_bounded_per_address_and_in_all(backend: Backend) {
    let mut limits = Limits::default();
    limits.connections.public_streams_per_address = 3;
    limits.connections.max_public_streams = 5;
    let Some(app) = spawn_app_with(backend, limits).await else {
        return;
    };
    let mut open = Vec::new();
    for _ in 0..3 {
        let (s, status) = open_stream(&app, [127, 0, 0, 2]).await;
        assert!(status.starts_with("HTTP/1.1 200"), "a stream within the limit: {status}");
        open.push(s);
    }
    let (_, status) = open_stream(&app, [127, 0, 0, 2]).await;
    assert!(status.starts_with("HTTP/1.1 429"), "a fourth stream from one address: {status}");
    health_at_once(&app).await;

    for _ in 0..2 {
        let (s, status) = open_stream(&app, [127, 0, 0, 3]).await;
        assert!(status.starts_with("HTTP/1.1 200"), "another address: {status}");
        open.push(s);
    }
    let (_, status) = open_stream(&app, [127, 0, 0, 4]).await;
    assert!(status.starts_with("HTTP/1.1 429"), "past the total: {status}");
    health_at_once(&app).await;

    // One stream of 127.0.0.2 ends: its place is free again.
    drop(open.remove(0));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_s, status) = open_stream(&app, [127, 0, 0, 4]).await;
    assert!(status.starts_with("HTTP/1.1 200"), "a place given back: {status}");
}

/// One address holding its whole share of connections (silent ones here) gets 429 for the
/// next at once, and every other client is still served at once: no waiting for the silent
/// ones' header timeout.
pub async fn one_address_cannot_take_every_connection(backend: Backend) {
    let mut limits = Limits::default();
    limits.connections.max_connections = 8;
    limits.connections.max_connections_per_address = 4;
    let Some(app) = spawn_app_with(backend, limits).await else {
        return;
    };
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(connect_from(&app, [127, 0, 0, 2]).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = connect_from(&app, [127, 0, 0, 2]).await;
    let (sent, _) = read_until_closed(refused, Duration::from_secs(3)).await.expect("closed at once");
    assert!(sent.starts_with("HTTP/1.1 429"), "the fifth from one address: {sent}");
    assert!(sent.contains("rate_limited"), "{sent}");
    health_at_once(&app).await;
}

/// Every body has the same deadline, a form's too: the sign-in and kiosk forms (signed out)
/// sent one byte at a time are answered 408 and closed once the body timeout has passed.
pub async fn slow_form_bodies_are_cut_like_json_ones(backend: Backend) {
    let Some(app) = spawn_app_with(backend, short_limits()).await else {
        return;
    };
    let slack = Duration::from_secs(2);
    for path in ["/login", "/kiosk"] {
        let body = "username=admin&password=rahasia-sekali";
        let mut s = connect(&app).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: loket\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        // A byte every 300 ms: the whole body would take about 11 s.
        let (reader, mut writer) = s.into_split();
        let trickle = tokio::spawn(async move {
            for b in body.bytes() {
                if writer.write_all(&[b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        });
        let mut reader = reader;
        let mut seen = Vec::new();
        let mut buf = [0u8; 2048];
        loop {
            match tokio::time::timeout(BODY_TIMEOUT + slack + slack, reader.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
                Err(_) => panic!("{path}: still open after {:?}", started.elapsed()),
            }
        }
        trickle.abort();
        let sent = String::from_utf8_lossy(&seen);
        assert!(started.elapsed() <= BODY_TIMEOUT + slack, "{path}: closed after {:?}", started.elapsed());
        assert!(sent.starts_with("HTTP/1.1 408"), "{path}: {sent}");
    }
}
