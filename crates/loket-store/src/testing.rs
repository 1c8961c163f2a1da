//! Fresh databases for tests (feature `testing`): a temporary SQLite file, or a new schema in
//! the PostgreSQL database named by `LOKET_TEST_POSTGRES_URL`.

/// The PostgreSQL URL for tests. In CI (`CI=true`) a missing URL fails the test; on a
/// developer's machine without PostgreSQL the test is skipped, loudly.
pub fn postgres_url() -> Option<String> {
    match std::env::var("LOKET_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("LOKET_TEST_POSTGRES_URL is not set, and CI must run the PostgreSQL tests")
        }
        _ => {
            eprintln!("SKIPPED: LOKET_TEST_POSTGRES_URL is not set; this PostgreSQL test did not run");
            None
        }
    }
}

/// A URL whose connections use a new, empty schema of the database at `base`.
pub async fn fresh_postgres_url(base: &str) -> String {
    use sqlx::Connection;
    let schema = format!("t_{}", unique_suffix());
    let mut admin = sqlx::PgConnection::connect(base).await.expect("connect to LOKET_TEST_POSTGRES_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut admin).await.expect("create schema");
    let _ = admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// A URL of a new SQLite file in `dir`.
pub fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("loket.db").display())
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{:x}{:x}{}", nanos, std::process::id(), COUNT.fetch_add(1, Ordering::Relaxed))
}

/// Every query that reads the running steps (the standards watch's visits, the reports' running
/// steps), named, as the store runs them: their plans must use the partial index
/// `visit_steps_running`. Parameters: `$1` the office, and for the reports `$2`, `$3` the first
/// and last office day, `$4` the step, `$5` now in milliseconds.
pub fn running_step_queries() -> Vec<(&'static str, String)> {
    let mut queries = vec![("visits with running steps", crate::reads::VISITS_WITH_RUNNING_STEPS.to_owned())];
    queries.extend(crate::report_reads::running_step_queries());
    queries
}
