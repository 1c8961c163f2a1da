//! The supervisors' reports: a small known history, and every figure of each report checked
//! against what the test computes itself from the visits' own steps and statuses.

use chrono::{DateTime, Duration, Utc};
use loket_domain::auth::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, id};

/// A visit filled in with `role` and `category`, checked: waiting in line.
async fn queued(app: &TestApp, fo: &str, name: &str, role: &str, category: &str) -> String {
    let v = app.post(fo, "/api/v1/visits", json!({"visitor": {"name": name}})).await.expect(201);
    let form = json!({
        "visitor": {"organization": "CV Maju", "role": role, "phone": "0812-3456-7890"},
        "form": {"category": category, "description": "Tidak bisa masuk"}
    });
    app.put(fo, &format!("/api/v1/visits/{}/form", id(&v)), form).await.expect(200);
    app.post_empty(fo, &format!("/api/v1/visits/{}/check", id(&v))).await.expect(200);
    id(&v)
}

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|t| t.with_timezone(&Utc)).expect("a time")
}

/// The first record of SOP step `n` of a visit.
fn step(visit: &Value, n: u64) -> Option<Value> {
    visit["steps"].as_array().and_then(|s| s.iter().find(|r| r["step"] == n)).cloned()
}

fn ms_between(from: &Value, to: &Value) -> i64 {
    (at(to) - at(from)).num_milliseconds()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Nearest-rank percentile of milliseconds, in minutes to two decimals.
fn percentile(xs: &[i64], p: f64) -> Value {
    let mut xs = xs.to_vec();
    xs.sort();
    if xs.is_empty() {
        return Value::Null;
    }
    let rank = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    json!(round2(xs[rank - 1] as f64 / 60_000.0))
}

fn average(xs: &[i64]) -> Value {
    if xs.is_empty() {
        return Value::Null;
    }
    json!(round2(xs.iter().sum::<i64>() as f64 / xs.len() as f64 / 60_000.0))
}

/// What the test expects of a visit: its outcome, from its status and escalation.
fn outcome(visit: &Value) -> &'static str {
    match visit["status"].as_str().unwrap_or_default() {
        "answered" => "answered",
        "escalated" => "escalated",
        "archived" if visit["escalation"].is_object() => "escalated",
        "archived" => "answered",
        "no_show" => "no_show",
        "not_served" => "not_served",
        "cancelled" => "cancelled",
        _ => "open",
    }
}

/// A history of one office day: answered, escalated (TTS, then answered by LKPP), escalated by
/// e-mail (still open), cancelled, no-show, and a form never returned. It starts at 08:00 in
/// Jakarta (the office's default zone) of the next day, so that the day does not end in between.
/// Returns a supervisor's token and the visits' ids.
async fn history(app: &TestApp) -> (String, Vec<String>) {
    let now = app.clock.now();
    let eight = now.date_naive().and_hms_opt(1, 0, 0).expect("01:00 UTC").and_utc() + Duration::days(1);
    app.clock.advance(eight - now);
    let sup = app.staff("sup", &[Role::Supervisor]).await;
    // The history is written in whole minutes: calls are not spaced by seconds here.
    let mut office = app.get(&sup, "/api/v1/settings/office").await.expect(200);
    office["calling"]["seconds_between_calls"] = serde_json::json!(0);
    app.put(&sup, "/api/v1/settings/office", office).await.expect(200);
    let hd1 = app.staff("hd1", &[Role::Helpdesk]).await;
    let hd2 = app.staff("hd2", &[Role::Helpdesk]).await;
    let post = |token: &str, visit: &str, action: &str, body: Value| {
        let (token, path) = (token.to_owned(), format!("/api/v1/visits/{visit}/{action}"));
        async move { app.post(&token, &path, body).await.expect(200) }
    };
    let call = |token: &str, counter: &str| {
        let (token, path) = (token.to_owned(), format!("/api/v1/counters/{counter}/call-next"));
        async move { id(&app.post_empty(&token, &path).await.expect(200)) }
    };
    let answer = json!({"analysis": "a", "answer": "b"});
    // 1: waits 3 minutes, served 20 by hd1, answered, archived.
    let v1 = queued(app, &sup, "v1", "penyedia", "offer_upload").await;
    app.clock.advance(minutes(3));
    assert_eq!(call(&hd1, "1").await, v1);
    post(&hd1, &v1, "start", json!({})).await;
    app.clock.advance(minutes(20));
    post(&hd1, &v1, "answer", answer.clone()).await;
    post(&hd1, &v1, "copy", json!({"via": "printed"})).await;
    app.clock.advance(minutes(2));
    post(&hd1, &v1, "archive", json!({})).await;
    // 2: waits 10, served 40 by hd2 (the category's analysis target is 15: an overrun), escalated
    // by TTS, answered by LKPP two hours later.
    let v2 = queued(app, &sup, "v2", "ppk", "password").await;
    app.clock.advance(minutes(10));
    assert_eq!(call(&hd2, "2").await, v2);
    post(&hd2, &v2, "start", json!({})).await;
    app.clock.advance(minutes(40));
    let tts = json!({"analysis": "a", "channel": "tts", "summary": "s", "external_reference": "T-1"});
    post(&hd2, &v2, "escalate", tts).await;
    // 3: waits 1, served 5 by hd1, escalated by e-mail: still waiting for LKPP.
    let v3 = queued(app, &sup, "v3", "pokja_pemilihan", "tender").await;
    app.clock.advance(minutes(1));
    assert_eq!(call(&hd1, "1").await, v3);
    post(&hd1, &v3, "start", json!({})).await;
    app.clock.advance(minutes(5));
    post(&hd1, &v3, "escalate", json!({"analysis": "a", "channel": "email", "summary": "s"})).await;
    app.clock.advance(minutes(120));
    post(&hd2, &v2, "escalation/answer", json!({"answer": "Sudah diperbaiki"})).await;
    // 4: cancelled while waiting.
    let v4 = queued(app, &sup, "v4", "penyedia", "other").await;
    post(&sup, &v4, "cancel", json!({"reason": "pulang"})).await;
    // 5: three calls, skipped, called again at once (nobody else waits), skipped again: no-show.
    let v5 = queued(app, &sup, "v5", "auditor", "registration").await;
    app.clock.advance(minutes(7));
    assert_eq!(call(&hd2, "2").await, v5);
    for _ in 0..2 {
        post(&hd2, &v5, "recall", json!({})).await;
    }
    post(&hd2, &v5, "skip", json!({})).await;
    assert_eq!(call(&hd2, "2").await, v5);
    for _ in 0..2 {
        post(&hd2, &v5, "recall", json!({})).await;
    }
    let skipped = post(&hd2, &v5, "skip", json!({})).await;
    assert_eq!(skipped["skipped"]["status"], "no_show");
    // 6: a form issued and never returned.
    let v6 = app.post(&sup, "/api/v1/visits", json!({"visitor": {"name": "v6"}})).await.expect(201);
    app.clock.advance(minutes(30));
    (sup, vec![v1, v2, v3, v4, v5, id(&v6)])
}

/// The office day of the history (in Jakarta, it ends at 17:00 UTC).
fn day(app: &TestApp) -> chrono::NaiveDate {
    (app.clock.now() + Duration::hours(7)).date_naive()
}

async fn visits(app: &TestApp, sup: &str, ids: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ids {
        out.push(app.get(sup, &format!("/api/v1/visits/{id}")).await.expect(200));
    }
    out
}

fn counted<'a>(keys: impl Iterator<Item = Option<&'a str>>) -> Vec<(Option<String>, u64)> {
    let mut out: Vec<(Option<String>, u64)> = Vec::new();
    for k in keys {
        match out.iter_mut().find(|(o, _)| o.as_deref() == k) {
            Some((_, n)) => *n += 1,
            None => out.push((k.map(str::to_owned), 1)),
        }
    }
    out.sort();
    out
}

fn key_counts(report: &Value) -> Vec<(Option<String>, u64)> {
    let mut out: Vec<(Option<String>, u64)> = report
        .as_array()
        .expect("counts")
        .iter()
        .map(|k| (k["key"].as_str().map(str::to_owned), k["count"].as_u64().unwrap_or(0)))
        .collect();
    out.sort();
    out
}

pub async fn the_recap_counts_the_visits_by_role_category_outcome_and_agent(app: TestApp) {
    let (sup, ids) = history(&app).await;
    let visits = visits(&app, &sup, &ids).await;
    let recap = app.get(&sup, &format!("/api/v1/reports/recap?from={}", day(&app))).await.expect(200);
    assert_eq!(recap["visits"], visits.len());
    let roles = counted(visits.iter().map(|v| v["visitor"]["role"].as_str()));
    assert_eq!(key_counts(&recap["by_role"]), roles);
    let categories = counted(visits.iter().map(|v| v["form"]["category"].as_str()));
    assert_eq!(key_counts(&recap["by_category"]), categories);
    for o in ["answered", "escalated", "no_show", "not_served", "cancelled", "open"] {
        let n = visits.iter().filter(|v| outcome(v) == o).count();
        assert_eq!(recap["outcomes"][o], n, "{o}");
        assert_eq!(recap["by_day"][0][o], n, "{o} of the day");
    }
    assert_eq!(recap["by_day"].as_array().map(Vec::len), Some(1));
    // Step 12: the copies of the visits served, by where they stand; the rest are not given.
    let served: Vec<&Value> = visits.iter().filter(|v| ["answered", "escalated"].contains(&outcome(v))).collect();
    let copies = |state: &dyn Fn(&Value) -> bool| served.iter().filter(|v| state(&v["copy"])).count();
    assert_eq!(recap["copies"]["not_recorded"], copies(&|c| c.is_null()), "{recap}");
    assert_eq!(recap["copies"]["declined"], copies(&|c| c["via"] == "declined"));
    assert_eq!(recap["copies"]["pending"], copies(&|c| c["via"] != "declined" && c["pending"] == true));
    assert_eq!(recap["copies"]["given"], copies(&|c| !c.is_null() && c["via"] != "declined" && c["pending"] != true));
    // Who served: the agent of the answer (step 10) or of the escalation (step 11).
    for agent in ["hd1", "hd2"] {
        let row = recap["by_agent"].as_array().unwrap().iter().find(|a| a["agent"] == agent).unwrap().clone();
        let by = |n: u64, o: &str| {
            visits.iter().filter(|v| outcome(v) == o && step(v, n).is_some_and(|s| s["by"] == agent)).count()
        };
        assert_eq!(row["answered"], by(10, "answered"), "{agent}");
        assert_eq!(row["escalated"], by(11, "escalated"), "{agent}");
    }
    let empty = app.get(&sup, "/api/v1/reports/recap?from=2001-01-01&to=2001-01-31").await.expect(200);
    assert_eq!(empty["visits"], 0);
    app.get(&sup, "/api/v1/reports/recap?from=2026-13-01").await.error(422, "validation");
    let hd = app.staff("hd9", &[Role::Helpdesk]).await;
    app.get(&hd, "/api/v1/reports/recap").await.error(403, "forbidden");
}

pub async fn waiting_and_service_times_are_those_of_the_steps(app: TestApp) {
    let (sup, ids) = history(&app).await;
    let visits = visits(&app, &sup, &ids).await;
    let report = app.get(&sup, &format!("/api/v1/reports/times?from={}", day(&app))).await.expect(200);
    // Waiting: from the number (step 5) to the first call (step 8); service: step 9.
    let waits: Vec<i64> = visits
        .iter()
        .filter_map(|v| Some(ms_between(&step(v, 5)?["started_at"], &step(v, 8)?["started_at"])))
        .collect();
    let services: Vec<i64> = visits
        .iter()
        .filter_map(|v| {
            let s9 = step(v, 9)?;
            (s9["finished_at"].is_string() && v["status"] != "cancelled")
                .then(|| ms_between(&s9["started_at"], &s9["finished_at"]))
        })
        .collect();
    assert_eq!(waits.len(), 4, "v1, v2, v3 and v5 were called");
    assert_eq!(services.len(), 3);
    for (name, xs) in [("waiting", &waits), ("service", &services)] {
        let r = &report[name];
        assert_eq!(r["count"], xs.len(), "{name}");
        assert_eq!(r["avg_minutes"], average(xs), "{name}");
        assert_eq!(r["median_minutes"], percentile(xs, 0.5), "{name}");
        assert_eq!(r["p90_minutes"], percentile(xs, 0.9), "{name}");
        assert_eq!(r["max_minutes"], percentile(xs, 1.0), "{name}");
        let bars = r["distribution"].as_array().unwrap();
        assert_eq!(bars.len(), 13);
        for (i, bar) in bars.iter().enumerate() {
            let n = xs.iter().filter(|&&ms| ((ms / 300_000) as usize).min(12) == i).count();
            assert_eq!(bar["count"], n, "{name} bar {i}");
        }
    }
}

pub async fn time_standards_and_overruns_are_those_of_the_steps(app: TestApp) {
    let (sup, ids) = history(&app).await;
    let visits = visits(&app, &sup, &ids).await;
    let report = app.get(&sup, &format!("/api/v1/reports/time-standards?from={}", day(&app))).await.expect(200);
    let overruns = app.get(&sup, &format!("/api/v1/reports/overruns?from={}", day(&app))).await.expect(200);
    let mut expected_overruns = Vec::new();
    for n in 1..=12u64 {
        let records: Vec<Value> = visits
            .iter()
            .flat_map(|v| v["steps"].as_array().cloned().unwrap_or_default())
            // The finished steps, and those still running past their standard.
            .filter(|r| r["step"] == n && (r["finished_at"].is_string() || r["within_standard"] == false))
            .collect();
        let row = report["steps"].as_array().unwrap().iter().find(|s| s["step"] == n).unwrap().clone();
        assert_eq!(row["count"], records.len(), "step {n}");
        let running = records.iter().filter(|r| r["finished_at"].is_null()).count();
        assert_eq!(row["running_over"], running, "step {n}");
        let judged: Vec<&Value> = records.iter().filter(|r| r["within_standard"].is_boolean()).collect();
        let within = judged.iter().filter(|r| r["within_standard"] == true).count();
        assert_eq!(row["within"], within, "step {n}");
        let measured: Vec<i64> = records
            .iter()
            .filter(|r| r["instant"] != true && r["finished_at"].is_string())
            .map(|r| ms_between(&r["started_at"], &r["finished_at"]))
            .collect();
        assert_eq!(row["avg_minutes"], average(&measured), "step {n}");
        assert_eq!(row["p90_minutes"], percentile(&measured, 0.9), "step {n}");
        for r in judged.iter().filter(|r| r["within_standard"] == false) {
            expected_overruns.push((n, r["by"].as_str().unwrap_or_default().to_owned(), r["finished_at"].is_null()));
        }
    }
    let step9 = report["steps"].as_array().unwrap().iter().find(|s| s["step"] == 9).unwrap().clone();
    assert_eq!(step9["within"], 2, "v1 (20 of 30) and v3 (5 of 30) within, v2 (40 of 15) past");
    let listed: Vec<(u64, String, bool)> = overruns["overruns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let by = o["by"].as_str().unwrap_or_default().to_owned();
            (o["step"].as_u64().unwrap_or(0), by, o["running"] == true)
        })
        .collect();
    // The form never returned (v6), the e-mail never sent (v3) and the visits never archived
    // (v2, v3) are still running past their standard.
    let running: Vec<u64> = listed.iter().filter(|o| o.2).map(|o| o.0).collect();
    assert_eq!(running.len(), 4, "{listed:?}");
    assert!([3, 11, 12].iter().all(|n| running.contains(n)), "{listed:?}");
    let (mut listed_sorted, mut expected_sorted) = (listed.clone(), expected_overruns.clone());
    listed_sorted.sort();
    expected_sorted.sort();
    assert_eq!(listed_sorted, expected_sorted);
    assert_eq!(overruns["total"], expected_overruns.len());
    let by_step: u64 = overruns["by_step"].as_array().unwrap().iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(by_step, expected_overruns.len() as u64, "by_step counts every overrun");
    let v2 = visits.iter().find(|v| v["visitor"]["name"] == "v2").unwrap();
    let o9 = overruns["overruns"].as_array().unwrap().iter().find(|o| o["step"] == 9).unwrap().clone();
    assert_eq!(o9["reference"], v2["reference"]);
    assert_eq!((o9["by"].as_str(), o9["standard_minutes"].as_u64()), (Some("hd2"), Some(15)));
    let s9 = step(v2, 9).unwrap();
    assert_eq!(o9["minutes"], json!(round2(ms_between(&s9["started_at"], &s9["finished_at"]) as f64 / 60_000.0)));
}

pub async fn escalations_are_listed_with_their_age(app: TestApp) {
    let (sup, ids) = history(&app).await;
    let visits = visits(&app, &sup, &ids).await;
    let report = app.get(&sup, &format!("/api/v1/reports/escalations?from={}", day(&app))).await.expect(200);
    let escalated: Vec<&Value> = visits.iter().filter(|v| v["escalation"].is_object()).collect();
    assert_eq!(report["count"], escalated.len());
    let answered = escalated.iter().filter(|v| v["escalation"]["status"] == "answered").count();
    assert_eq!((report["answered"].as_u64(), report["open"].as_u64()), (Some(answered as u64), Some(1)));
    let rows = report["rows"].as_array().unwrap();
    for v in escalated {
        let row = rows.iter().find(|r| r["reference"] == v["reference"]).unwrap();
        let escalated_at = &step(v, 11).unwrap()["started_at"];
        // Stored to the millisecond.
        assert_eq!(at(&row["escalated_at"]).timestamp_millis(), at(escalated_at).timestamp_millis());
        assert_eq!(row["channel"], v["escalation"]["channel"]);
        assert_eq!(row["status"], v["escalation"]["status"]);
        if v["escalation"]["status"] == "answered" {
            let age = ms_between(escalated_at, &v["escalation"]["answered_at"]);
            assert_eq!(row["age_minutes"], json!(round2(age as f64 / 60_000.0)));
            assert_eq!(report["answered_avg_age_minutes"], json!(round2(age as f64 / 60_000.0)));
        } else {
            // Open: aged until now, which moves on with the real clock between the two reads.
            let now = app.clock.now();
            let age = (now - at(escalated_at)).num_milliseconds() as f64 / 60_000.0;
            let shown = row["age_minutes"].as_f64().unwrap();
            assert!(shown <= age + 0.01 && shown > age - 1.0, "{shown} vs {age}");
            assert!(shown >= 150.0, "escalated 150 minutes and more ago: {shown}");
        }
    }
}

/// The sheets of a workbook, each as rows of cells as text.
fn sheets(bytes: Vec<u8>) -> Vec<Vec<Vec<String>>> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX file");
    let names = book.sheet_names();
    names
        .iter()
        .map(|name| {
            let range = book.worksheet_range(name).expect("a sheet");
            range.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
        })
        .collect()
}

/// The cells of a line of the people's CSV: split on `;` outside quotes, unquoted.
fn csv_cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ';' if !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// The rows of the CSV table under `caption`.
fn csv_table(csv: &str, caption: &str) -> Vec<Vec<String>> {
    let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut lines = csv.split("\r\n").skip_while(|l| *l != caption).skip(1);
    let mut out = Vec::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        out.push(csv_cells(line));
    }
    out
}

pub async fn the_recap_page_shows_the_chart_and_downloads_csv_xlsx_and_pdf(app: TestApp) {
    use crate::pages::Browser;
    let (sup, _) = history(&app).await;
    let d = day(&app);
    let recap = app.get(&sup, &format!("/api/v1/reports/recap?from={d}")).await.expect(200);
    let mut browser = Browser::new(&app);
    browser.sign_in("sup", crate::support::PASSWORD).await;
    let base = format!("/supervisor/reports?report=recap&period=day&day={d}");
    let page = browser.get(&base).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<svg id=\"chart\""));
    assert!(page.body.contains("Rekap kunjungan"));
    assert!(
        page.body.contains(&format!("<td>Dijawab</td><td>{}</td>", recap["outcomes"]["answered"])),
        "{}",
        page.body
    );

    let (status, headers, csv) = browser.bytes(&format!("{base}&format=csv")).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = String::from_utf8(csv).expect("UTF-8");
    // For Excel in the Indonesian locale: a byte order mark, `;` between cells.
    assert!(csv.starts_with("\u{feff}Per hasil\r\nHasil;Jumlah\r\n"), "{csv}");
    let outcomes = csv_table(&csv, "Per hasil");
    assert_eq!(outcomes[0], ["Hasil", "Jumlah"]);
    let expected: Vec<Vec<String>> = [
        ("Dijawab", "answered"),
        ("Dieskalasi", "escalated"),
        ("Tidak hadir", "no_show"),
        ("Tidak terlayani", "not_served"),
        ("Dibatalkan", "cancelled"),
        ("Belum selesai", "open"),
    ]
    .iter()
    .map(|(name, code)| vec![name.to_string(), recap["outcomes"][code].to_string()])
    .chain([
        vec!["Jumlah kunjungan".to_owned(), recap["visits"].to_string()],
        vec![
            "Dibatalkan saat dilayani (termasuk dalam Dibatalkan)".to_owned(),
            recap["outcomes"]["cancelled_in_service"].to_string(),
        ],
    ])
    .collect();
    assert_eq!(outcomes[1..], expected[..]);
    let copies = csv_table(&csv, "Salinan formulir (langkah 12) dari kunjungan yang dilayani");
    let not_given =
        ["pending", "declined", "not_recorded"].iter().map(|k| recap["copies"][k].as_u64().unwrap()).sum::<u64>();
    assert!(copies.contains(&vec!["Jumlah salinan belum diberikan".to_owned(), not_given.to_string()]), "{copies:?}");
    let agents = csv_table(&csv, "Per petugas helpdesk");
    for a in recap["by_agent"].as_array().unwrap() {
        let row = vec![a["agent"].as_str().unwrap().to_owned(), a["answered"].to_string(), a["escalated"].to_string()];
        assert!(agents.contains(&row), "{row:?} in {agents:?}");
    }

    let (status, headers, xlsx) = browser.bytes(&format!("{base}&format=xlsx")).await;
    assert_eq!(status, 200);
    assert!(headers["content-disposition"].to_str().unwrap().contains(".xlsx"));
    let book = sheets(xlsx);
    assert_eq!(book.len(), 6, "one sheet per table");
    let first = &book[0];
    assert_eq!(first[0][0], "Rekap kunjungan");
    assert_eq!(first[4][..2], ["Hasil", "Jumlah"]);
    assert_eq!(first[5][..2], ["Dijawab".to_owned(), recap["outcomes"]["answered"].to_string()]);
    assert_eq!(first[11][..2], ["Jumlah kunjungan".to_owned(), recap["visits"].to_string()]);

    let (status, headers, pdf) = browser.bytes(&format!("{base}&format=pdf")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    let text = crate::helpdesk::pdf_text(&pdf);
    for needle in ["LPSE", "Rekap kunjungan", "Periode", "Per hasil", "Kepala LPSE", "hd1", "hd2", "Salinan formulir"] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let total_line = text.lines().find(|l| l.contains("Jumlah kunjungan")).unwrap_or_default();
    assert!(total_line.contains(&recap["visits"].to_string()), "{total_line}");

    // Every report has its page and its downloads.
    for report in ["times", "time-standards", "overruns", "escalations"] {
        let path = format!("/supervisor/reports?report={report}&period=month&month={}", d.format("%Y-%m"));
        assert_eq!(browser.get(&path).await.status, 200, "{report}");
        let (status, _, xlsx) = browser.bytes(&format!("{path}&format=xlsx")).await;
        assert_eq!(status, 200, "{report}");
        assert!(!sheets(xlsx).is_empty());
    }
    let times = app.get(&sup, &format!("/api/v1/reports/times?from={d}")).await.expect(200);
    let (_, _, csv) = browser.bytes(&format!("/supervisor/reports?report=times&period=day&day={d}&format=csv")).await;
    let csv = String::from_utf8(csv).expect("UTF-8");
    let waiting = csv_table(&csv, "Waktu tunggu (nomor antrian sampai dipanggil)");
    assert_eq!(waiting[1][0], times["waiting"]["count"].to_string());
    // With a decimal comma (the JSON keeps its dot).
    let median = times["waiting"]["median_minutes"].as_f64().unwrap();
    assert_eq!(waiting[1][2], format!("{median:.2}").replace('.', ","));
    assert!(csv.contains(&format!("\"{}\"", format!("{median:.2}").replace('.', ","))), "quoted: {csv}");
    // The page shows the same figure as the JSON, in Indonesian.
    let page = browser.get(&format!("/supervisor/reports?report=times&period=day&day={d}")).await;
    assert!(page.body.contains(&format!("<td>{}</td>", format!("{median:.2}").replace('.', ","))), "{}", page.body);
    let (_, _, pdf) =
        browser.bytes(&format!("/supervisor/reports?report=escalations&period=day&day={d}&format=pdf")).await;
    let text = crate::helpdesk::pdf_text(&pdf);
    assert!(text.contains("Eskalasi ke LKPP") && text.contains("TTS") && text.contains("E-mail"), "{text}");
    assert!(!text.contains("EMAIL"), "the channel by its word: {text}");

    // The IKM with its elements as a spreadsheet and a PDF.
    let (status, _, xlsx) = browser.bytes(&format!("/supervisor/ikm?from={d}&format=xlsx")).await;
    assert_eq!(status, 200);
    let book = sheets(xlsx);
    assert_eq!(book[1][4][..2], ["Kode", "Unsur"]);
    assert_eq!(book[1].len(), 5 + 9, "the nine elements");
    let (status, _, pdf) = browser.bytes(&format!("/supervisor/ikm?from={d}&format=pdf")).await;
    assert_eq!(status, 200);
    let text = crate::helpdesk::pdf_text(&pdf);
    assert!(text.contains("Indeks Kepuasan Masyarakat") && text.contains("U9") && text.contains("Kepala LPSE"));

    // A bad period is said, on the page.
    let bad = browser.get("/supervisor/reports?report=recap&period=month&month=2026-13").await;
    assert_eq!(bad.status, 422);
    let mut hd = Browser::new(&app);
    app.staff("hd7", &[Role::Helpdesk]).await;
    hd.sign_in("hd7", crate::support::PASSWORD).await;
    assert_eq!(hd.get("/supervisor/reports").await.status, 403);
}
