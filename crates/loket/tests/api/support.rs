//! `spawn_app`: the real app on a random port with a fresh database, and a small HTTP client.

use std::sync::Arc;

use loket_domain::auth::Role;
use loket_store::{NewUser, Store};
use loket_web::AppState;
use loket_web::clock::Clock;
use loket_web::limits::Limits;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub store: Arc<dyn Store>,
    /// The app's clock: `clock.advance(…)` lets time standards pass without waiting.
    pub clock: Clock,
    _dir: Option<tempfile::TempDir>,
}

/// How often the standards watch looks in tests (5 s in `loket serve`).
pub const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

pub const PASSWORD: &str = "rahasia-loket-123";

/// A fresh database of the backend: `None` when PostgreSQL is not configured on a developer's
/// machine (the test is then skipped, loudly; in CI it fails).
pub async fn fresh_database(backend: Backend) -> Option<(String, Option<tempfile::TempDir>)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            Some((loket_store::testing::sqlite_url(dir.path()), Some(dir)))
        }
        Backend::Postgres => {
            let base = loket_store::testing::postgres_url()?;
            Some((loket_store::testing::fresh_postgres_url(&base).await, None))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Limits::default()).await
}

pub async fn spawn_app_with(backend: Backend, limits: Limits) -> Option<TestApp> {
    let (db_url, dir) = fresh_database(backend).await?;
    let mut app = spawn_on(&db_url, limits).await;
    app._dir = dir;
    Some(app)
}

/// Another app instance on an existing database.
pub async fn spawn_on(db_url: &str, limits: Limits) -> TestApp {
    spawn_rendering(db_url, limits, Some(loket_documents::archive_renderer())).await
}

/// An app whose archive keeps the visit as JSON instead of drawing the form's PDF: for tests
/// that archive hundreds of visits, where the form's looks do not matter.
pub async fn spawn_app_archiving_json(backend: Backend) -> Option<TestApp> {
    let (db_url, dir) = fresh_database(backend).await?;
    let mut app = spawn_rendering(&db_url, Limits::default(), None).await;
    app._dir = dir;
    Some(app)
}

async fn spawn_rendering(db_url: &str, limits: Limits, renderer: Option<loket_store::DocumentRenderer>) -> TestApp {
    let store = loket_store::connect(db_url, renderer).await.expect("store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let clock = Clock::default();
    let connections = limits.connections.clone();
    let state = AppState::new(store.clone(), limits).with_clock(clock.clone());
    loket_web::watch::spawn(state.clone(), WATCH_EVERY);
    let app = loket_web::app(state);
    tokio::spawn(async move {
        loket_web::server::serve(listener, app, &connections, std::future::pending()).await.expect("serve");
    });
    TestApp { base: format!("http://{addr}"), http: reqwest::Client::new(), store, clock, _dir: None }
}

/// A response: status and JSON body (null when empty).
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// Asserts the status and, for errors, the API error code; returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected answer: {}", self.body);
        self.body
    }

    #[track_caller]
    pub fn error(self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected answer: {}", self.body);
        assert_eq!(self.body["error"], code, "unexpected error: {}", self.body);
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()), "no message: {}", self.body);
        self.body
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a staff user with these roles and signs them in; returns the token.
    pub async fn staff(&self, username: &str, roles: &[Role]) -> String {
        let hash = password_auth::generate_hash(PASSWORD);
        let user = NewUser {
            username: username.into(),
            full_name: username.into(),
            password_hash: hash,
            roles: roles.to_vec(),
            password_change_required: false,
        };
        self.store.add_user(user, loket_domain::SYSTEM_ACTOR, chrono::Utc::now()).await.expect("add user");
        let reply = self
            .send("POST", "/api/v1/auth/login", None, Some(json!({"username": username, "password": PASSWORD})))
            .await;
        reply.expect(200)["token"].as_str().expect("token").to_owned()
    }

    pub async fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let bytes = res.bytes().await.expect("body");
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Reply { status, body }
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.send("GET", path, Some(token), None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(token), Some(body)).await
    }

    pub async fn post_empty(&self, token: &str, path: &str) -> Reply {
        self.send("POST", path, Some(token), None).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(token), Some(body)).await
    }

    /// A visit filled in and checked: waiting in line. Returns its JSON.
    pub async fn waiting_visit(&self, fo: &str, name: &str) -> Value {
        let v = self.post(fo, "/api/v1/visits", json!({"visitor": {"name": name}})).await.expect(201);
        let id = v["id"].as_str().expect("id").to_owned();
        self.put(fo, &format!("/api/v1/visits/{id}/form"), complete_form()).await.expect(200);
        self.post_empty(fo, &format!("/api/v1/visits/{id}/check")).await.expect(200)
    }
}

/// A form body that makes a visit complete.
pub fn complete_form() -> Value {
    json!({
        "visitor": {"organization": "CV Maju Jaya", "role": "penyedia", "phone": "0812-3456-7890", "email": "budi@majujaya.co.id"},
        "form": {"category": "offer_upload", "subject": "Gagal unggah", "description": "Dokumen penawaran gagal terkirim", "tender_code": "10023456"}
    })
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// Reads Server-Sent Events as (event, data) pairs.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
    pub raw: String,
}

impl EventStream {
    /// The public stream.
    pub async fn open(app: &TestApp) -> EventStream {
        EventStream::read(app.http.get(app.url("/api/v1/events")).send().await.expect("events"))
    }

    /// The staff stream, signed in with `token`.
    pub async fn open_staff(app: &TestApp, token: &str) -> EventStream {
        let response = app.http.get(app.url("/api/v1/events/staff")).bearer_auth(token).send().await;
        EventStream::read(response.expect("staff events"))
    }

    fn read(response: reqwest::Response) -> EventStream {
        assert_eq!(response.status(), 200);
        assert!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"))
        );
        EventStream { response, buffer: String::new(), raw: String::new() }
    }

    /// Whether the server ended the stream within `within` (events before the end are read).
    pub async fn ended(&mut self, within: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return false,
                Ok(Ok(Some(chunk))) => self.raw.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(_) => return true,
            }
        }
    }

    /// The next event named `name`, waiting at most `within`.
    pub async fn next(&mut self, name: &str, within: std::time::Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = "message";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(e) = line.strip_prefix("event:") {
                        event = e.trim();
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim());
                    }
                }
                if event == name {
                    return serde_json::from_str(&data).ok();
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.ok()??;
            let text = String::from_utf8_lossy(&chunk).to_string();
            self.raw.push_str(&text);
            self.buffer.push_str(&text);
        }
    }
}
