//! Load generator for the display boards (see docs/benchmarks.md, "Display boards"): opens N
//! event streams (`GET /api/v1/events`) as display boards do, then makes calls at a counter
//! through the API and measures, for every board, the time from the call's request to the
//! `called` event's arrival. Prints one JSON line.
//!
//!   boards --base http://127.0.0.1:8080 --boards 500 --calls 20 \
//!          --front-office fo --helpdesk hd --password … [--pid PID]
//!
//! With `--pid`, the server's resident memory (VmRSS) is read from /proc while it runs.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

struct Args {
    base: String,
    boards: usize,
    calls: usize,
    front_office: String,
    helpdesk: String,
    password: String,
    pid: Option<u32>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        base: "http://127.0.0.1:8080".into(),
        boards: 500,
        calls: 20,
        front_office: "fo".into(),
        helpdesk: "hd".into(),
        password: String::new(),
        pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--base" => a.base = value,
            "--boards" => a.boards = value.parse().map_err(|e| format!("--boards: {e}"))?,
            "--calls" => a.calls = value.parse().map_err(|e| format!("--calls: {e}"))?,
            "--front-office" => a.front_office = value,
            "--helpdesk" => a.helpdesk = value,
            "--password" => a.password = value,
            "--pid" => a.pid = Some(value.parse().map_err(|e| format!("--pid: {e}"))?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One board: connects, tells `ready` once the stream's headers are in, then reports the number
/// of each `called` event with the time it arrived.
async fn board(
    host: String,
    ready: mpsc::Sender<()>,
    calls: mpsc::UnboundedSender<(String, Instant)>,
) -> Result<(), String> {
    let mut stream = TcpStream::connect(&host).await.map_err(|e| e.to_string())?;
    let request = format!("GET /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut lines = BufReader::new(stream).lines();
    let mut in_headers = true;
    let mut event = String::new();
    while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
        if in_headers {
            if line.is_empty() {
                in_headers = false;
                let _ = ready.send(()).await;
            }
            continue;
        }
        // Chunked encoding puts chunk sizes on lines of their own; only event lines matter.
        if let Some(name) = line.strip_prefix("event: ") {
            event = name.to_owned();
        } else if let Some(data) = line.strip_prefix("data: ") {
            if event == "called" {
                let at = Instant::now();
                let v: Value = serde_json::from_str(data).map_err(|e| e.to_string())?;
                let number = v["number"].as_str().unwrap_or_default().to_owned();
                let _ = calls.send((number, at));
            }
            event.clear();
        }
    }
    Ok(())
}

async fn api(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Value,
) -> Result<Value, String> {
    let req = match method {
        "PUT" => http.put(format!("{base}{path}")),
        _ => http.post(format!("{base}{path}")),
    };
    let res = req.bearer_auth(token).json(&body).send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    let text = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{method} {path}: {status} {text}"));
    }
    Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text).map_err(|e| e.to_string())? })
}

async fn login(http: &reqwest::Client, base: &str, user: &str, password: &str) -> Result<String, String> {
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let v: Value = res.json().await.map_err(|e| e.to_string())?;
    v["token"].as_str().map(str::to_owned).ok_or(format!("sign-in of {user}: {v}"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn run(a: Args) -> Result<Value, String> {
    let host = a.base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let http = reqwest::Client::new();
    let fo = login(&http, &a.base, &a.front_office, &a.password).await?;
    let hd = login(&http, &a.base, &a.helpdesk, &a.password).await?;
    let rss_before = a.pid.and_then(rss_kib);
    let (ready_tx, mut ready_rx) = mpsc::channel(a.boards);
    let (calls_tx, mut calls_rx) = mpsc::unbounded_channel();
    let started = Instant::now();
    for _ in 0..a.boards {
        let (host, ready, calls) = (host.clone(), ready_tx.clone(), calls_tx.clone());
        tokio::spawn(async move {
            if let Err(e) = board(host, ready, calls).await {
                eprintln!("boards: a board failed: {e}");
            }
        });
    }
    drop(ready_tx);
    for i in 0..a.boards {
        tokio::time::timeout(Duration::from_secs(30), ready_rx.recv())
            .await
            .map_err(|_| format!("only {i} of {} boards connected", a.boards))?;
    }
    let connect_ms = started.elapsed().as_secs_f64() * 1000.0;
    let peak_rss = Arc::new(Mutex::new(rss_before.unwrap_or(0)));
    let mut latencies = Vec::with_capacity(a.boards * a.calls);
    let mut missing = 0usize;
    for round in 0..a.calls {
        let v =
            api(&http, &a.base, &fo, "POST", "/api/v1/visits", json!({"visitor": {"name": format!("Bench {round}")}}))
                .await?;
        let id = v["id"].as_str().unwrap_or_default().to_owned();
        let form = json!({"visitor": {"organization": "CV Bench", "role": "penyedia", "phone": "0812-3456-7890"},
            "form": {"category": "offer_upload", "description": "bench"}});
        api(&http, &a.base, &fo, "PUT", &format!("/api/v1/visits/{id}/form"), form).await?;
        api(&http, &a.base, &fo, "POST", &format!("/api/v1/visits/{id}/check"), json!({})).await?;
        // Whatever the stream told before this call is not part of it.
        while calls_rx.try_recv().is_ok() {}
        let sent = Instant::now();
        let called = api(&http, &a.base, &hd, "POST", "/api/v1/counters/1/call-next", json!({})).await?;
        let number = called["queue"]["number"].as_str().unwrap_or_default().to_owned();
        let mut got = 0;
        while got < a.boards {
            match tokio::time::timeout(Duration::from_secs(5), calls_rx.recv()).await {
                Ok(Some((n, at))) if n == number => {
                    latencies.push(at.duration_since(sent).as_secs_f64() * 1000.0);
                    got += 1;
                }
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        missing += a.boards - got;
        if let Some(kib) = a.pid.and_then(rss_kib) {
            let mut peak = peak_rss.lock().await;
            *peak = (*peak).max(kib);
        }
        api(&http, &a.base, &hd, "POST", &format!("/api/v1/visits/{id}/start"), json!({})).await?;
        api(
            &http,
            &a.base,
            &hd,
            "POST",
            &format!("/api/v1/visits/{id}/answer"),
            json!({"analysis": "a", "answer": "b"}),
        )
        .await?;
    }
    latencies.sort_by(f64::total_cmp);
    let peak = *peak_rss.lock().await;
    Ok(json!({
        "boards": a.boards,
        "calls": a.calls,
        "deliveries": latencies.len(),
        "missing": missing,
        "connect_all_ms": (connect_ms * 10.0).round() / 10.0,
        "latency_ms": {
            "p50": percentile(&latencies, 50.0),
            "p90": percentile(&latencies, 90.0),
            "p99": percentile(&latencies, 99.0),
            "max": latencies.last().copied().unwrap_or(f64::NAN),
        },
        "server_rss_kib": {"before_boards": rss_before, "peak": a.pid.map(|_| peak)},
    }))
}

fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("boards: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("boards: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(a)) {
        Ok(result) => {
            println!("{result}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("boards: {e}");
            ExitCode::FAILURE
        }
    }
}
