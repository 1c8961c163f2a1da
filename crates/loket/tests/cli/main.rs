//! The `loket` binary as an IT admin runs it: first start, staff accounts, clear errors,
//! durability when the server is killed, its log and its shutdown.

mod accounts;
mod durability;
mod operations;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
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
