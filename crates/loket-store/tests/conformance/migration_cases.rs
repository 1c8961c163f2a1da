//! Migrations that rewrite rows written before them. A database is built at the migration before
//! (the migrator given only the files up to it), rows are written as the code of that time wrote
//! them, and the rest is run: the columns each migration fills must say what the domain writes now.
//!
//! - 0017 (`step_judgements`): a step 11 of a TTS escalation that ended when it started is
//!   instant; a step 9 that ended, of a visit cancelled (in service), is cancelled.
//! - 0018 (`copy_state`): each visit's facts say where its copy stands, read from the visit's
//!   JSON: printed or e-mailed and taken (`given`), e-mailed and waiting (`pending`), `declined`,
//!   none recorded (null).
//! - 0019 (`logo_changes`): the change record keeps the changes recorded before and takes the
//!   logo's.

use std::borrow::Cow;

use serde_json::{Value, json};
use sqlx::migrate::Migrator;

use crate::support::{postgres_url, raw_execute, raw_rows};

#[derive(Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Every migration of `backend` up to `version` (all of them for `None`).
fn migrator(backend: Backend, version: Option<i64>) -> Migrator {
    let all = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    let migrations: Vec<_> =
        all.migrations.iter().filter(|m| version.is_none_or(|v| m.version <= v)).cloned().collect();
    Migrator { migrations: Cow::Owned(migrations), ..all }
}

/// Runs the migrations up to `version` on the database at `url`.
async fn migrate(backend: Backend, url: &str, version: Option<i64>) {
    let m = migrator(backend, version);
    match backend {
        Backend::Sqlite => {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("sqlite url");
            let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true)).await.expect("sqlite");
            m.run(&pool).await.expect("migrate sqlite");
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.expect("postgres");
            m.run(&pool).await.expect("migrate postgres");
            pool.close().await;
        }
    }
}

/// A SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// 09:00 in Jakarta on 2026-03-02 plus `minutes`, in milliseconds.
fn ms(minutes: i64) -> i64 {
    1_772_416_800_000 + minutes * 60_000
}

/// A visit as stored: its row, and its JSON as the domain serialized it (the fields the
/// migrations read: `copy` and `escalation`; `copy` left out entirely for a visit stored before
/// the field existed).
async fn visit(url: &str, id: &str, status: &str, escalation: Value, copy: Option<Value>) {
    let mut data = json!({
        "id": id,
        "reference": format!("REF-{id}"),
        "service": "konsultasi",
        "status": status,
        "visitor": {"name": "Budi", "organization": "CV Maju Jaya", "role": "penyedia"},
        "form": {"category": "password", "subject": "Lupa password"},
        "queue": null,
        "analysis": "Akun terkunci",
        "answer": null,
        "escalation": escalation,
        "archive": null,
        "cancel_reason": null,
        "created_at": "2026-03-02T02:00:00.000Z",
        "updated_at": "2026-03-02T02:30:00.000Z",
        "history": []
    });
    if let (Some(copy), Value::Object(map)) = (copy, &mut data) {
        map.insert("copy".into(), copy);
    }
    let sql = format!(
        "INSERT INTO visits (id, office_id, reference, service, status, created_day, created_at, updated_at, data) \
         VALUES ({}, 'default', {}, 'konsultasi', {}, '2026-03-02', {}, {}, {})",
        lit(id),
        lit(&format!("REF-{id}")),
        lit(status),
        ms(0),
        ms(30),
        lit(&data.to_string())
    );
    raw_execute(url, &sql).await.expect("insert visit");
}

/// The visit's facts as migration 0016's code wrote them (no `copy_state`).
async fn facts(url: &str, id: &str, outcome: &str, channel: Option<&str>) {
    let channel = channel.map_or("NULL".to_owned(), lit);
    let sql = format!(
        "INSERT INTO visit_facts (visit_id, office_id, day, service, visitor_role, category, outcome, served_by, \
         queued_at, called_at, started_at, served_at, waiting_ms, service_ms, escalation_channel, \
         waiting_working_ms, service_working_ms) \
         VALUES ({}, 'default', '2026-03-02', 'konsultasi', 'penyedia', 'password', {}, 'hd', \
         {}, {}, {}, NULL, 600000, NULL, {channel}, 600000, NULL)",
        lit(id),
        lit(outcome),
        ms(0),
        ms(10),
        ms(11)
    );
    raw_execute(url, &sql).await.expect("insert facts");
}

/// A step row as 0016's code wrote it (no `cancelled`): `ended` null for a running step.
async fn step(url: &str, id: &str, seq: i64, step: i64, started: i64, ended: Option<i64>, standard: Option<i64>) {
    let (ended_at, duration) = match ended {
        Some(e) => (ms(e).to_string(), ((e - started) * 60_000).to_string()),
        None => ("NULL".into(), "NULL".into()),
    };
    let standard = standard.map_or("NULL".into(), |s| s.to_string());
    let sql = format!(
        "INSERT INTO visit_steps (visit_id, seq, office_id, day, step, started_at, ended_at, duration_ms, \
         working_ms, standard_minutes, instant, by_user) \
         VALUES ({}, {seq}, 'default', '2026-03-02', {step}, {}, {ended_at}, {duration}, {duration}, {standard}, \
         FALSE, 'hd')",
        lit(id),
        ms(started)
    );
    raw_execute(url, &sql).await.expect("insert step");
}

/// `(visit, step, instant, cancelled)` of every step row, as `y`/`n`.
async fn step_marks(url: &str) -> Vec<(String, String, String, String)> {
    let rows = raw_rows(
        url,
        "SELECT visit_id, CAST(step AS TEXT), CASE WHEN instant THEN 'y' ELSE 'n' END, \
         CASE WHEN cancelled THEN 'y' ELSE 'n' END FROM visit_steps ORDER BY visit_id, seq",
    )
    .await
    .expect("read steps");
    rows.into_iter().map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone())).collect()
}

fn marks(rows: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    rows.iter().map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string())).collect()
}

pub async fn old_rows_are_rewritten_as_the_domain_writes_them_now(backend: Backend, url: &str) {
    migrate(backend, url, Some(16)).await;
    let recorded = "INSERT INTO change_records (id, office_id, kind, changed_by, changed_at, subject, before_value, \
         after_value) VALUES (1, 'default', 'day_off', 'sup', 0, '2026-08-17', NULL, '{\"kind\":\"libur_nasional\"}')";
    raw_execute(url, recorded).await.expect("a change recorded before 0019");
    let printed = json!({"via": "printed", "at": "2026-03-02T02:25:00.000Z", "by": "hd", "pending": false});
    let emailed_waiting = json!({"via": "email", "at": "2026-03-02T02:25:00.000Z", "by": "hd", "pending": true});
    let declined = json!({"via": "declined", "at": "2026-03-02T02:25:00.000Z", "by": "hd", "pending": false});
    let tts = json!({"channel": "tts", "status": "sent", "ticket": "TTS-1"});
    let email = json!({"channel": "email", "status": "sent", "ticket": null});

    // Answered, its copy printed.
    visit(url, "a-printed", "archived", Value::Null, Some(printed)).await;
    facts(url, "a-printed", "answered", None).await;
    step(url, "a-printed", 0, 8, 0, Some(10), Some(15)).await;
    step(url, "a-printed", 1, 9, 11, Some(20), Some(30)).await;
    step(url, "a-printed", 2, 12, 20, Some(22), Some(1)).await;
    // Escalated through TTS (step 11 ended when it started), its copy e-mailed, not taken yet.
    visit(url, "b-tts", "escalated", tts, Some(emailed_waiting)).await;
    facts(url, "b-tts", "escalated", Some("tts")).await;
    step(url, "b-tts", 0, 9, 11, Some(20), Some(30)).await;
    step(url, "b-tts", 1, 11, 20, Some(20), Some(60)).await;
    step(url, "b-tts", 2, 12, 20, None, Some(1)).await;
    // Escalated by e-mail: its step 11 is measured, even one sent in the minute it was made.
    visit(url, "c-email", "escalated", email.clone(), Some(declined)).await;
    facts(url, "c-email", "escalated", Some("email")).await;
    step(url, "c-email", 0, 11, 20, Some(20), Some(60)).await;
    visit(url, "d-email", "escalated", email, Some(Value::Null)).await;
    facts(url, "d-email", "escalated", Some("email")).await;
    step(url, "d-email", 0, 11, 20, Some(35), Some(60)).await;
    // Cancelled in service: its analysis (step 9) ended with the cancellation; no copy (stored
    // before the field existed).
    visit(url, "e-cancelled", "cancelled", Value::Null, None).await;
    facts(url, "e-cancelled", "cancelled", None).await;
    step(url, "e-cancelled", 0, 8, 0, Some(10), Some(15)).await;
    step(url, "e-cancelled", 1, 9, 11, Some(14), Some(30)).await;
    // Answered, still in analysis when stored (a running step 9 is not a cancelled one).
    visit(url, "f-running", "in_service", Value::Null, Some(Value::Null)).await;
    facts(url, "f-running", "open", None).await;
    step(url, "f-running", 0, 9, 11, None, Some(30)).await;

    migrate(backend, url, Some(17)).await;
    assert_eq!(
        step_marks(url).await,
        marks(&[
            ("a-printed", "8", "n", "n"),
            ("a-printed", "9", "n", "n"),
            ("a-printed", "12", "n", "n"),
            ("b-tts", "9", "n", "n"),
            ("b-tts", "11", "y", "n"),
            ("b-tts", "12", "n", "n"),
            ("c-email", "11", "n", "n"),
            ("d-email", "11", "n", "n"),
            ("e-cancelled", "8", "n", "n"),
            ("e-cancelled", "9", "n", "y"),
            ("f-running", "9", "n", "n"),
        ]),
        "0017: the TTS step 11 is instant, the cancelled analysis cancelled, nothing else"
    );

    // Written by the code of 0017 (the copy's `pending` not written yet: an e-mail taken).
    let emailed_taken = json!({"via": "email", "at": "2026-03-02T02:25:00.000Z", "by": "hd"});
    visit(url, "g-emailed", "archived", Value::Null, Some(emailed_taken)).await;
    facts(url, "g-emailed", "answered", None).await;

    migrate(backend, url, None).await;
    let states = raw_rows(url, "SELECT visit_id, copy_state FROM visit_facts ORDER BY visit_id").await.expect("facts");
    let states: Vec<(&str, &str)> = states.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(
        states,
        [
            ("a-printed", "given"),
            ("b-tts", "pending"),
            ("c-email", "declined"),
            ("d-email", "NULL"),
            ("e-cancelled", "NULL"),
            ("f-running", "NULL"),
            ("g-emailed", "given"),
        ],
        "0018: each copy where it stands, as `CopyState::of` says"
    );
    assert_eq!(step_marks(url).await.len(), 11, "0018 leaves the steps alone");

    // 0019 lets the change record hold the logo's changes, and keeps the changes recorded before.
    let kept = raw_rows(url, "SELECT id, kind, subject, after_value FROM change_records").await.expect("records");
    assert_eq!(kept, [["1", "day_off", "2026-08-17", r#"{"kind":"libur_nasional"}"#]]);
    let logo = "INSERT INTO change_records (id, office_id, kind, changed_by, changed_at) VALUES (2, 'default', 'logo', 'sup', 1)";
    raw_execute(url, logo).await.expect("a logo change recorded");
    let unknown = "INSERT INTO change_records (id, office_id, kind, changed_by, changed_at) VALUES (3, 'default', 'logos', 'sup', 1)";
    assert!(raw_execute(url, unknown).await.is_err(), "an unknown kind is still refused");
}

pub async fn sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = loket_store::testing::sqlite_url(dir.path());
    old_rows_are_rewritten_as_the_domain_writes_them_now(Backend::Sqlite, &url).await;
}

pub async fn postgres() {
    let Some(base) = postgres_url() else { return };
    let url = loket_store::testing::fresh_postgres_url(&base).await;
    old_rows_are_rewritten_as_the_domain_writes_them_now(Backend::Postgres, &url).await;
}
