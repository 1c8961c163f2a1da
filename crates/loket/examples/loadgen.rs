//! Load generator for Loket's benchmarks (`bench/run.sh`, `docs/benchmarks.md`).
//!
//! ```text
//! loadgen cycle --url http://127.0.0.1:8080 --user admin --password secret --clients 8 --seconds 10
//! loadgen noop --clients 32 --seconds 5
//! loadgen fsync --seconds 5 [--postgres postgres://user@host/db]
//! ```
//!
//! - `cycle`: each of N staff clients signs in once, then loops the whole visit cycle of the SOP
//!   at its own counter (client i calls at counter `i+1`): create (steps 1-2), form (3),
//!   check (4-7), call-next (8), start, answer (9-10), copy and archive (12). A server from
//!   before the visitor's copy was recorded (no `/copy`, 404) archives without it.
//! - `noop`: the machine's HTTP limit: an in-process axum server whose one handler does nothing,
//!   hammered by N clients over keep-alive connections, as `cycle` does.
//! - `fsync`: the machine's durable-commit limit: single-row INSERT transactions on a fresh SQLite
//!   file opened like the app's (WAL, `synchronous=FULL`), plus raw `fdatasync` calls, and
//!   optionally single-connection commits on PostgreSQL.
//!
//! Each subcommand prints one line of JSON on stdout; problems go to stderr.

use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const USAGE: &str = "usage:
  loadgen cycle --url URL --user NAME --password PASSWORD [--clients N] [--seconds S] [--threads T]
                [--server-pid PID]
  loadgen noop [--clients N] [--seconds S] [--threads T]
  loadgen fsync [--seconds S] [--postgres URL]";

/// Errors printed to stderr in full; the rest are only counted.
const ERRORS_SHOWN: u64 = 5;

/// The steps of one cycle, in order, as they are named in the output.
const STEPS: [&str; 8] = ["create", "form", "check", "call_next", "start", "answer", "copy", "archive"];
const CREATE: usize = 0;
const FORM: usize = 1;
const CHECK: usize = 2;
const CALL_NEXT: usize = 3;
const START: usize = 4;
const ANSWER: usize = 5;
const COPY: usize = 6;
const ARCHIVE: usize = 7;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let options = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command.as_str() {
        "cycle" => options
            .only(&["url", "user", "password", "clients", "seconds", "threads", "server-pid"])
            .and_then(|()| run(&options, cycle(&options))),
        "noop" => options.only(&["clients", "seconds", "threads"]).and_then(|()| noop(&options)),
        "fsync" => options.only(&["seconds", "postgres"]).and_then(|()| run(&options, fsync(&options))),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => Err(format!("unknown subcommand {other:?}")),
    };
    match result {
        Ok(line) => {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--name value` pairs.
struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut map = HashMap::new();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let (name, value) = match arg.strip_prefix("--") {
                Some(rest) => match rest.split_once('=') {
                    Some((n, v)) => (n.to_owned(), v.to_owned()),
                    None => {
                        let v = args.next().ok_or_else(|| format!("--{rest} needs a value"))?;
                        (rest.to_owned(), v)
                    }
                },
                None => return Err(format!("unexpected argument {arg:?}")),
            };
            map.insert(name, value);
        }
        Ok(Options(map))
    }

    fn only(&self, allowed: &[&str]) -> Result<(), String> {
        match self.0.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown option --{k}")),
            None => Ok(()),
        }
    }

    fn text(&self, name: &str) -> Result<String, String> {
        self.0.get(name).cloned().ok_or_else(|| format!("--{name} is required"))
    }

    fn number(&self, name: &str, default: u64) -> Result<u64, String> {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("--{name} must be a positive whole number, not {v:?}")),
        }
    }

    fn runtime(&self) -> Result<tokio::runtime::Runtime, String> {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if let Some(threads) = self.0.get("threads") {
            builder
                .worker_threads(self.number("threads", 1).map_err(|_| format!("bad --threads {threads:?}"))? as usize);
        }
        builder.enable_all().build().map_err(|e| format!("cannot start the runtime: {e}"))
    }
}

fn run(options: &Options, work: impl Future<Output = Result<Value, String>>) -> Result<Value, String> {
    options.runtime()?.block_on(work)
}

// ---------------------------------------------------------------------------------------------
// cycle

/// One staff member at one counter.
struct Staff {
    http: reqwest::Client,
    base: String,
    token: String,
    counter: String,
}

/// What one staff client saw.
#[derive(Default)]
struct Tally {
    cycles: u64,
    requests: u64,
    errors: u64,
    nobody_waiting: u64,
    /// Latency of every successful request, per step, in microseconds.
    steps: [Vec<u32>; STEPS.len()],
    /// Latency of every whole cycle, in microseconds.
    cycles_us: Vec<u32>,
}

/// Errors across all clients, to print only the first few.
struct ErrorLog(AtomicU64);

impl ErrorLog {
    fn report(&self, client: usize, what: &str) {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        if n < ERRORS_SHOWN {
            eprintln!("loadgen: client {client}: {what}");
        } else if n == ERRORS_SHOWN {
            eprintln!("loadgen: (further errors are only counted)");
        }
    }
}

fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

impl Staff {
    async fn login(base: &str, user: &str, password: &str, counter: String) -> Result<Staff, String> {
        let http = http_client()?;
        let url = format!("{base}/api/v1/auth/login");
        let response = http
            .post(&url)
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {e}"))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("sign-in as {user} refused: {status} {body}"));
        }
        let token = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_owned))
            .ok_or_else(|| format!("sign-in answer without a token: {body}"))?;
        Ok(Staff { http, base: base.to_owned(), token, counter })
    }

    /// One request; a 2xx answer gives its status and JSON body (Null when empty), anything else
    /// an error that says what happened.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value, Duration), String> {
        let started = Instant::now();
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| format!("{method} {path}: reading the answer: {e}"))?;
        let elapsed = started.elapsed();
        if !status.is_success() {
            return Err(format!("{method} {path}: {status} {}", String::from_utf8_lossy(&bytes)));
        }
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| format!("{method} {path}: answer is not JSON: {e}"))?
        };
        Ok((status.as_u16(), value, elapsed))
    }

    /// A step of the cycle: the request, its latency noted under the step.
    async fn step(
        &self,
        tally: &mut Tally,
        step: usize,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let method = if step == FORM { reqwest::Method::PUT } else { reqwest::Method::POST };
        tally.requests += 1;
        let (status, value, elapsed) = self.send(method, path, body).await?;
        tally.steps[step].push(micros(elapsed));
        Ok((status, value))
    }

    /// The whole cycle once. `held` is the visit this counter has called and not yet archived,
    /// so that a failure half-way can be finished later instead of leaving the counter busy.
    /// Ok(false): nobody was waiting when the counter called (not expected: each client puts a
    /// visit in line before it calls).
    async fn cycle(&self, n: u64, tally: &mut Tally, held: &mut Option<String>) -> Result<bool, String> {
        let name = json!({"visitor": {"name": format!("Pengunjung {} {n}", self.counter)}});
        let (_, visit) = self.step(tally, CREATE, "/api/v1/visits", Some(&name)).await?;
        let id = id_of(&visit)?;
        let form = json!({
            "visitor": {"organization": "CV Maju", "role": "penyedia", "phone": "081234567890"},
            "form": {"category": "password", "description": "Lupa password"}
        });
        self.step(tally, FORM, &format!("/api/v1/visits/{id}/form"), Some(&form)).await?;
        self.step(tally, CHECK, &format!("/api/v1/visits/{id}/check"), None).await?;
        let call = format!("/api/v1/counters/{}/call-next", self.counter);
        let (status, called) = self.step(tally, CALL_NEXT, &call, None).await?;
        if status == 204 {
            return Ok(false);
        }
        let called = id_of(&called)?;
        *held = Some(called.clone());
        self.serve_visit(tally, &called, START).await?;
        *held = None;
        Ok(true)
    }

    /// Steps `from`..=archive on a called visit.
    async fn serve_visit(&self, tally: &mut Tally, id: &str, from: usize) -> Result<(), String> {
        if from <= START {
            self.step(tally, START, &format!("/api/v1/visits/{id}/start"), None).await?;
        }
        if from <= ANSWER {
            let answer = json!({
                "analysis": "Pengguna lupa password akun SPSE.",
                "answer": "Password direset; tautan dikirim ke e-mail terdaftar."
            });
            self.step(tally, ANSWER, &format!("/api/v1/visits/{id}/answer"), Some(&answer)).await?;
        }
        if from <= COPY {
            let printed = json!({"via": "printed"});
            match self.step(tally, COPY, &format!("/api/v1/visits/{id}/copy"), Some(&printed)).await {
                Ok(_) => {}
                // Builds from before the copy was recorded archive without it.
                Err(e) if e.contains(": 404 Not Found") => {}
                Err(e) => return Err(e),
            }
        }
        self.step(tally, ARCHIVE, &format!("/api/v1/visits/{id}/archive"), None).await?;
        Ok(())
    }

    /// After a failure: finishes the visit this counter still holds, from where it is.
    async fn recover(&self, tally: &mut Tally, held: &mut Option<String>) -> Result<(), String> {
        let Some(id) = held.clone() else { return Ok(()) };
        tally.requests += 1;
        let (_, visit, _) = self.send(reqwest::Method::GET, &format!("/api/v1/visits/{id}"), None).await?;
        let from = match visit["status"].as_str() {
            Some("called") => Some(START),
            Some("in_service") => Some(ANSWER),
            Some("answered") => Some(COPY),
            _ => None,
        };
        if let Some(from) = from {
            self.serve_visit(tally, &id, from).await?;
        }
        *held = None;
        Ok(())
    }
}

fn id_of(visit: &Value) -> Result<String, String> {
    visit["id"].as_str().map(str::to_owned).ok_or_else(|| format!("a visit without an id: {visit}"))
}

async fn cycle(options: &Options) -> Result<Value, String> {
    let base = options.text("url")?.trim_end_matches('/').to_owned();
    let user = options.text("user")?;
    let password = options.text("password")?;
    let clients = options.number("clients", 1)? as usize;
    let seconds = options.number("seconds", 10)?;

    // Sign-in (a deliberately slow password hash) is not part of what is measured.
    let mut staff = Vec::with_capacity(clients);
    for i in 0..clients {
        staff.push(Staff::login(&base, &user, &password, (i + 1).to_string()).await?);
    }
    let server = match options.0.get("server-pid") {
        Some(_) => Some(options.number("server-pid", 1)?),
        None => None,
    };
    let errors = Arc::new(ErrorLog(AtomicU64::new(0)));
    let cpu_before = CpuSample::take(server);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::with_capacity(clients);
    for (i, staff) in staff.into_iter().enumerate() {
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut held = None;
            let mut n = 0;
            while Instant::now() < deadline {
                // Nothing to do unless a failure left this counter holding a visit.
                if let Err(e) = staff.recover(&mut tally, &mut held).await {
                    tally.errors += 1;
                    errors.report(i, &format!("finishing the held visit: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                n += 1;
                let cycle_started = Instant::now();
                match staff.cycle(n, &mut tally, &mut held).await {
                    Ok(true) => {
                        tally.cycles += 1;
                        tally.cycles_us.push(micros(cycle_started.elapsed()));
                    }
                    Ok(false) => tally.nobody_waiting += 1,
                    Err(e) => {
                        tally.errors += 1;
                        errors.report(i, &e);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await.map_err(|e| format!("a client failed: {e}"))?;
        total.cycles += tally.cycles;
        total.requests += tally.requests;
        total.errors += tally.errors;
        total.nobody_waiting += tally.nobody_waiting;
        for (all, mine) in total.steps.iter_mut().zip(tally.steps) {
            all.extend(mine);
        }
        total.cycles_us.extend(tally.cycles_us);
    }
    // Cycles under way at the deadline are finished and counted, so the rate is over the time
    // until the last one ended.
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = CpuSample::take(server).usage_since(&cpu_before);
    let mut steps_p50 = serde_json::Map::new();
    let mut steps_p99 = serde_json::Map::new();
    for (name, latencies) in STEPS.iter().zip(total.steps.iter_mut()) {
        latencies.sort_unstable();
        steps_p50.insert((*name).to_owned(), json!(percentile_ms(latencies, 0.50)));
        steps_p99.insert((*name).to_owned(), json!(percentile_ms(latencies, 0.99)));
    }
    total.cycles_us.sort_unstable();
    let call_next = &total.steps[CALL_NEXT];
    Ok(json!({
        "clients": clients,
        "seconds": seconds,
        "cycles": total.cycles,
        "cycles_per_sec": round2(total.cycles as f64 / elapsed),
        "call_next_p50_ms": percentile_ms(call_next, 0.50),
        "call_next_p99_ms": percentile_ms(call_next, 0.99),
        "errors": total.errors,
        "call_next_max_ms": percentile_ms(call_next, 1.0),
        "elapsed_sec": round2(elapsed),
        "requests": total.requests,
        "requests_per_sec": round2(total.requests as f64 / elapsed),
        "nobody_waiting": total.nobody_waiting,
        "cycle_p50_ms": percentile_ms(&total.cycles_us, 0.50),
        "cycle_p99_ms": percentile_ms(&total.cycles_us, 0.99),
        "step_p50_ms": steps_p50,
        "step_p99_ms": steps_p99,
        "server_cpu_pct": cpu.server,
        "loadgen_cpu_pct": cpu.loadgen,
        "machine_cpu_busy_pct": cpu.machine_busy,
    }))
}

/// CPU time so far, from `/proc` (Linux; elsewhere the figures come out null): of the server
/// (when its process id is given), of this process, and of the whole machine.
struct CpuSample {
    server: Option<u64>,
    loadgen: Option<u64>,
    /// Busy and total ticks of all cores.
    machine: Option<(u64, u64)>,
    cores: u64,
}

/// CPU use over a time span: of the server and the load generator in percent of one core (so
/// 200 is both cores of a 2-core machine), of the machine in percent of all its cores.
struct CpuUsage {
    server: Option<f64>,
    loadgen: Option<f64>,
    machine_busy: Option<f64>,
}

impl CpuSample {
    fn take(server: Option<u64>) -> CpuSample {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let machine = stat.lines().next().and_then(|line| {
            let ticks: Vec<u64> =
                line.strip_prefix("cpu ")?.split_whitespace().filter_map(|t| t.parse().ok()).collect();
            // user nice system idle iowait irq softirq steal (guest time is inside user).
            let total: u64 = ticks.iter().take(8).sum();
            let idle = ticks.get(3)? + ticks.get(4)?;
            Some((total - idle, total))
        });
        let cores = stat
            .lines()
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .count() as u64;
        CpuSample {
            server: server.and_then(|pid| process_ticks(&pid.to_string())),
            loadgen: process_ticks("self"),
            machine,
            cores: cores.max(1),
        }
    }

    fn usage_since(&self, before: &CpuSample) -> CpuUsage {
        let (Some((busy1, total1)), Some((busy0, total0))) = (self.machine, before.machine) else {
            return CpuUsage { server: None, loadgen: None, machine_busy: None };
        };
        let total = (total1 - total0).max(1) as f64;
        // Ticks of all cores over the span, divided by the cores: the span in ticks.
        let span = total / self.cores as f64;
        let share = |now: Option<u64>, then: Option<u64>| Some(round2(100.0 * (now? - then?) as f64 / span));
        CpuUsage {
            server: share(self.server, before.server),
            loadgen: share(self.loadgen, before.loadgen),
            machine_busy: Some(round2(100.0 * (busy1 - busy0) as f64 / total)),
        }
    }
}

/// User and system ticks of a process.
fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in parentheses: state is the first field, utime the 12th, stime the 13th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds; null when there are none.
fn percentile_ms(sorted: &[u32], p: f64) -> Value {
    if sorted.is_empty() {
        return Value::Null;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    json!(round2(f64::from(sorted[rank - 1]) / 1000.0))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------------
// noop

/// The server runs on a runtime of its own on its own threads, as `loket serve` runs in a
/// process of its own, so the clients and the server compete for the cores as in `cycle`.
fn noop(options: &Options) -> Result<Value, String> {
    let clients = options.number("clients", 1)? as usize;
    let seconds = options.number("seconds", 5)?;
    let (addr_tx, addr_rx) = std::sync::mpsc::channel::<Result<SocketAddr, String>>();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(r) => r,
            Err(e) => {
                let _ = addr_tx.send(Err(format!("cannot start the server runtime: {e}")));
                return;
            }
        };
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => {
                    let _ = addr_tx.send(Err(format!("cannot listen on 127.0.0.1: {e}")));
                    return;
                }
            };
            let _ = addr_tx.send(listener.local_addr().map_err(|e| e.to_string()));
            let app = axum::Router::new().route("/noop", axum::routing::post(|| async {}));
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("loadgen: the no-op server stopped: {e}");
            }
        });
    });
    let addr = addr_rx.recv().map_err(|_| "the no-op server did not start".to_owned())??;
    let url = format!("http://{addr}/noop");
    options.runtime()?.block_on(async move {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let mut tasks = Vec::with_capacity(clients);
        for _ in 0..clients {
            let http = http_client()?;
            let url = url.clone();
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match http.post(&url).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            latencies.push(micros(t.elapsed()));
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        for task in tasks {
            let (latencies, e) = task.await.map_err(|e| format!("a client failed: {e}"))?;
            all.extend(latencies);
            errors += e;
        }
        let elapsed = started.elapsed().as_secs_f64();
        all.sort_unstable();
        Ok(json!({
            "noop_clients": clients,
            "seconds": seconds,
            "requests_per_sec": round2(all.len() as f64 / elapsed),
            "p50_ms": percentile_ms(&all, 0.50),
            "p99_ms": percentile_ms(&all, 0.99),
            "errors": errors,
        }))
    })
}

// ---------------------------------------------------------------------------------------------
// fsync

async fn fsync(options: &Options) -> Result<Value, String> {
    let seconds = options.number("seconds", 5)?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let sqlite = sqlite_commits(&dir.path().join("fsync.db"), seconds).await?;
    let raw = {
        let path = dir.path().join("fdatasync.bin");
        tokio::task::spawn_blocking(move || raw_fdatasyncs(&path, seconds))
            .await
            .map_err(|e| format!("the fdatasync loop failed: {e}"))??
    };
    let mut result = json!({
        "seconds": seconds,
        "sqlite_commits_per_sec": round2(sqlite),
        "fdatasyncs_per_sec": round2(raw),
        "directory": dir.path().parent().map(|p| p.display().to_string()),
    });
    if let Ok(url) = options.text("postgres") {
        result["postgres_commits_per_sec"] = json!(round2(postgres_commits(&url, seconds).await?));
    }
    Ok(result)
}

/// Single-row write transactions, one after the other, on a database opened as the app opens
/// its own: every commit waits for its `fsync` of the WAL.
async fn sqlite_commits(path: &std::path::Path, seconds: u64) -> Result<f64, String> {
    use sqlx::Connection as _;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
    let failed = |e: sqlx::Error| format!("SQLite ({}): {e}", path.display());
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true);
    let mut conn = SqliteConnection::connect_with(&options).await.map_err(failed)?;
    sqlx::query("CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, data TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .map_err(failed)?;
    let data = "x".repeat(200);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut commits = 0u64;
    while Instant::now() < deadline {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(failed)?;
        sqlx::query("INSERT INTO events (at, data) VALUES ($1, $2)")
            .bind(commits as i64)
            .bind(&data)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        commits += 1;
    }
    let rate = commits as f64 / started.elapsed().as_secs_f64();
    conn.close().await.map_err(failed)?;
    Ok(rate)
}

/// Appends of 4 KiB, each followed by `fdatasync`: what the disk gives without a database.
fn raw_fdatasyncs(path: &std::path::Path, seconds: u64) -> Result<f64, String> {
    let failed = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(failed)?;
    let block = [0x5au8; 4096];
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut syncs = 0u64;
    while Instant::now() < deadline {
        file.write_all(&block).map_err(failed)?;
        file.sync_data().map_err(failed)?;
        syncs += 1;
    }
    Ok(syncs as f64 / started.elapsed().as_secs_f64())
}

/// Single-row transactions on one PostgreSQL connection (in a table of its own, dropped after).
async fn postgres_commits(url: &str, seconds: u64) -> Result<f64, String> {
    use sqlx::Connection as _;
    let failed = |e: sqlx::Error| format!("PostgreSQL: {e}");
    let mut conn = sqlx::PgConnection::connect(url).await.map_err(failed)?;
    sqlx::query("CREATE TABLE loadgen_fsync (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, data TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .map_err(failed)?;
    let data = "x".repeat(200);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut commits = 0u64;
    let outcome = async {
        while Instant::now() < deadline {
            let mut tx = conn.begin().await?;
            sqlx::query("INSERT INTO loadgen_fsync (at, data) VALUES ($1, $2)")
                .bind(commits as i64)
                .bind(&data)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            commits += 1;
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    let rate = commits as f64 / started.elapsed().as_secs_f64();
    let dropped = sqlx::query("DROP TABLE loadgen_fsync").execute(&mut conn).await;
    outcome.map_err(failed)?;
    dropped.map_err(failed)?;
    Ok(rate)
}
