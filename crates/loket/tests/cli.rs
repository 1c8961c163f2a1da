//! The `loket` binary as an IT admin runs it: first start, staff accounts, clear errors, and
//! durability when the server is killed.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_loket");

fn loket(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("LOKET_DATABASE_URL").env_remove("LOKET_LISTEN").env_remove("LOKET_ADMIN_PASSWORD");
    cmd.env_remove("LOKET_PASSWORD").env("LOKET_LOG", "warn").stdin(Stdio::null());
    cmd
}

/// A running `loket serve`, with the address it printed, what else it printed before, and its
/// log (standard error) so far.
struct Server {
    child: Child,
    base: String,
    printed: Vec<String>,
    log: Arc<Mutex<String>>,
}

async fn serve(database: &str, admin_password: Option<&str>) -> Server {
    serve_with(database, admin_password, "warn").await
}

async fn serve_with(database: &str, admin_password: Option<&str>, log_filter: &str) -> Server {
    let mut cmd = loket(&["serve", "--listen", "127.0.0.1:0", "--database", database]);
    cmd.env("LOKET_LOG", log_filter);
    if let Some(p) = admin_password {
        cmd.env("LOKET_ADMIN_PASSWORD", p);
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true).spawn().expect("spawn loket");
    let log = Arc::new(Mutex::new(String::new()));
    let mut errors = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let copy = log.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = errors.next_line().await {
            eprintln!("{line}");
            if let Ok(mut log) = copy.lock() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    });
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = Vec::new();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(addr) = line.strip_prefix("Loket listening on ") {
                return addr.to_owned();
            }
            printed.push(line);
        }
        panic!("loket serve ended before listening: {printed:?}");
    })
    .await
    .expect("loket serve starts within 30 s");
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server { child, base, printed, log }
}

impl Server {
    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits until the log has a line for which `matches` holds; returns that line.
    async fn log_line(&self, matches: impl Fn(&str) -> bool) -> String {
        for _ in 0..100 {
            if let Some(line) = self.log().lines().find(|l| matches(l)) {
                return line.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no such line in the log:\n{}", self.log());
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let http = reqwest::Client::new();
        let mut req = http.request(method.parse().expect("method"), format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let bytes = res.bytes().await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn login(&self, username: &str, password: &str) -> Option<String> {
        let (status, body) = self
            .call("POST", "/api/v1/auth/login", None, Some(json!({"username": username, "password": password})))
            .await;
        (status == 200).then(|| body["token"].as_str().expect("token").to_owned())
    }
}

fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = loket_store::testing::sqlite_url(dir.path());
    (dir, url)
}

#[tokio::test]
async fn first_start_creates_an_admin_with_a_one_time_password() {
    let (_dir, db) = temp_db();
    let mut server = serve(&db, None).await;
    let line = server.printed.iter().find(|l| l.contains("one-time password")).expect("the password is printed");
    let password = line.rsplit(' ').next().expect("password");
    assert!(password.len() >= 16);
    let token = server.login("admin", password).await.expect("the printed password signs in");
    let (status, me) = server.call("GET", "/api/v1/auth/me", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(me["roles"], json!(["admin", "supervisor"]));
    // A supervisor runs the whole SOP: the first admin can try Loket at once.
    let (status, _) =
        server.call("POST", "/api/v1/visits", Some(&token), Some(json!({"visitor": {"name": "Coba"}}))).await;
    assert_eq!(status, 201);
    server.child.kill().await.expect("kill");
    // A second start creates nobody and prints no password.
    let mut again = serve(&db, None).await;
    assert!(again.printed.iter().all(|l| !l.contains("password")), "{:?}", again.printed);
    again.child.kill().await.expect("kill");
}

#[tokio::test]
async fn the_admin_password_can_come_from_the_environment() {
    let (_dir, db) = temp_db();
    let mut server = serve(&db, Some("sandi-awal-123")).await;
    assert!(server.login("admin", "sandi-awal-123").await.is_some());
    server.child.kill().await.expect("kill");
}

async fn run(args: &[&str], password: Option<&str>) -> (bool, String, String) {
    let mut cmd = loket(args);
    if let Some(p) = password {
        cmd.env("LOKET_PASSWORD", p);
    }
    let out = cmd.output().await.expect("run loket");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test]
async fn staff_accounts_are_managed_from_the_command_line() {
    let (_dir, db) = temp_db();
    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "rina",
            "--role",
            "front_office",
            "--role",
            "helpdesk",
            "--full-name",
            "Rina Wati",
            "--database",
            &db,
        ],
        Some("rahasia-123"),
    )
    .await;
    assert!(ok, "{err}");
    let (ok, out, _) = run(&["user", "list", "--database", &db], None).await;
    assert!(ok);
    assert!(out.contains("rina\tRina Wati\tfront_office,helpdesk"), "{out}");
    let (ok, _, err) =
        run(&["user", "add", "rina", "--role", "helpdesk", "--database", &db], Some("rahasia-123")).await;
    assert!(!ok && err.contains("exists"), "{err}");
    let (ok, _, err) = run(&["user", "add", "budi", "--role", "boss", "--database", &db], Some("rahasia-123")).await;
    assert!(!ok && err.contains("unknown role"), "{err}");
    let (ok, _, err) = run(&["user", "add", "budi", "--role", "helpdesk", "--database", &db], Some("short")).await;
    assert!(!ok && err.contains("8 characters"), "{err}");

    let mut server = serve(&db, Some("sandi-awal-123")).await;
    let token = server.login("rina", "rahasia-123").await.expect("rina signs in");
    let (ok, _, _) = run(&["user", "passwd", "rina", "--database", &db], Some("sandi-baru-456")).await;
    assert!(ok);
    assert_eq!(server.call("GET", "/api/v1/queue", Some(&token), None).await.0, 401, "a new password ends sessions");
    assert!(server.login("rina", "rahasia-123").await.is_none());
    let token = server.login("rina", "sandi-baru-456").await.expect("new password");
    let (ok, _, _) = run(&["user", "disable", "rina", "--database", &db], None).await;
    assert!(ok);
    assert_eq!(server.call("GET", "/api/v1/queue", Some(&token), None).await.0, 401, "disabling ends sessions");
    let (ok, out, _) = run(&["user", "list", "--database", &db], None).await;
    assert!(ok && out.contains("(disabled)"));
    let (ok, _, err) = run(&["user", "disable", "nobody", "--database", &db], None).await;
    assert!(!ok && err.contains("no user nobody"));
    server.child.kill().await.expect("kill");
}

/// Each start-up failure is one clear line and a non-zero exit, never a panic.
#[tokio::test]
async fn start_up_failures_are_one_clear_line() {
    let cases: [(&[&str], &str); 4] = [
        (&["migrate", "--database", "mysql://localhost/loket"], "unsupported database URL"),
        (&["migrate", "--database", "postgres://loket@127.0.0.1:1/loket"], "Connection refused"),
        (&["migrate", "--database", "sqlite:///no/such/folder/loket.db"], "unable to open database file"),
        (&["migrate", "--database", "sqlite::memory:"], "in-memory SQLite database is not supported"),
    ];
    for (args, expected) in cases {
        let (ok, _, err) = run(args, None).await;
        assert!(!ok);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].starts_with("error: ") && lines[0].contains(expected), "{err}");
        assert!(!err.contains("panicked"));
    }
    let (_dir, db) = temp_db();
    let mut server = serve(&db, Some("sandi-awal-123")).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let (ok, _, err) = run(&["serve", "--listen", &addr, "--database", &db], None).await;
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("cannot listen on {addr}")) && err.contains("in use"), "{err}");
    server.child.kill().await.expect("kill");
}

/// The server is killed with SIGKILL right after it answered; after a restart every
/// acknowledged visit and step is there.
async fn acknowledged_writes_survive_a_kill(db: &str) {
    let server = serve(db, Some("sandi-awal-123")).await;
    let token = server.login("admin", "sandi-awal-123").await.expect("admin");
    let form = json!({
        "visitor": {"organization": "CV Maju", "role": "penyedia", "phone": "081234567890"},
        "form": {"category": "password", "description": "Lupa password"}
    });
    let mut acknowledged: Vec<Value> = Vec::new();
    for i in 0..12 {
        let (s, v) = server
            .call("POST", "/api/v1/visits", Some(&token), Some(json!({"visitor": {"name": format!("v{i}")}})))
            .await;
        assert_eq!(s, 201);
        let id = v["id"].as_str().expect("id").to_owned();
        let mut last = v;
        if i % 3 != 0 {
            let (s, v) =
                server.call("PUT", &format!("/api/v1/visits/{id}/form"), Some(&token), Some(form.clone())).await;
            assert_eq!(s, 200);
            let (s, v2) = server.call("POST", &format!("/api/v1/visits/{id}/check"), Some(&token), None).await;
            assert_eq!(s, 200, "{v}");
            last = v2;
        }
        acknowledged.push(last);
    }
    let (s, called) = server.call("POST", "/api/v1/counters/1/call-next", Some(&token), None).await;
    assert_eq!(s, 200);
    let id = called["id"].as_str().expect("id").to_owned();
    server.call("POST", &format!("/api/v1/visits/{id}/start"), Some(&token), None).await;
    let answer = json!({"analysis": "a", "answer": "b"});
    server.call("POST", &format!("/api/v1/visits/{id}/answer"), Some(&token), Some(answer)).await;
    let (s, archived) = server.call("POST", &format!("/api/v1/visits/{id}/archive"), Some(&token), None).await;
    assert_eq!(s, 200);
    // Killed the moment the last answer arrived.
    let mut child = server.child;
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("wait");
    for v in acknowledged.iter_mut() {
        if v["id"] == archived["id"] {
            *v = archived.clone();
        }
    }
    let mut again = serve(db, None).await;
    let token = again.login("admin", "sandi-awal-123").await.expect("admin after restart");
    for before in &acknowledged {
        let id = before["id"].as_str().expect("id");
        let (s, after) = again.call("GET", &format!("/api/v1/visits/{id}"), Some(&token), None).await;
        assert_eq!(s, 200, "visit {id} lost");
        assert_eq!(after["status"], before["status"]);
        assert_eq!(after["queue"]["number"], before["queue"]["number"]);
        assert_eq!(after["archive"], before["archive"]);
        let steps = |v: &Value| {
            v["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|s| (s["step"].clone(), s["finished_at"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(steps(&after), steps(before), "steps of {id}");
    }
    again.child.kill().await.expect("kill");
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_on_sqlite() {
    let (_dir, db) = temp_db();
    acknowledged_writes_survive_a_kill(&db).await;
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_on_postgres() {
    let Some(base) = loket_store::testing::postgres_url() else {
        return;
    };
    let db = loket_store::testing::fresh_postgres_url(&base).await;
    acknowledged_writes_survive_a_kill(&db).await;
}

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
    let server = serve_with(db, Some("sandi-awal-123"), "info").await;
    let token = server.login("admin", "sandi-awal-123").await.expect("admin");
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
    let server = serve_with(&db, Some("sandi-awal-123"), "info").await;
    let token = server.login("admin", "sandi-awal-123").await.expect("admin");
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
    for secret in [token.as_str(), "visit-of-siti", "Siti-Rahayu", "sandi-awal-123"] {
        assert!(!log.contains(secret), "{secret} is in the log");
    }
}

/// SIGTERM: the server stops accepting, ends the event streams, finishes the request in flight
/// and exits 0, promptly.
#[tokio::test]
async fn sigterm_finishes_the_requests_in_flight_then_exits() {
    let (_dir, db) = temp_db();
    let mut server = serve(&db, Some("sandi-awal-123")).await;
    let token = server.login("admin", "sandi-awal-123").await.expect("admin");
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
