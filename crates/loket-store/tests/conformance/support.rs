//! Fresh databases for the conformance suite: a temporary SQLite file, or a new schema in the
//! PostgreSQL database named by `LOKET_TEST_POSTGRES_URL`.

use std::sync::Arc;

use loket_store::{PgStore, SqliteStore, Store};

pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("loket.db").display());
    let store = SqliteStore::connect(&url, None).await.expect("sqlite store");
    TestDb {
        store: Arc::new(store),
        url,
        _dir: Some(dir),
    }
}

/// The PostgreSQL URL for tests. In CI (`CI=true`) a missing URL fails the test; on a
/// developer's machine without PostgreSQL the test is skipped, loudly.
pub fn postgres_url() -> Option<String> {
    match std::env::var("LOKET_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("LOKET_TEST_POSTGRES_URL is not set, and CI must run the PostgreSQL tests")
        }
        _ => {
            eprintln!("SKIPPED: LOKET_TEST_POSTGRES_URL is not set; PostgreSQL conformance not run");
            None
        }
    }
}

/// A URL whose connections use a new, empty schema of the test database.
pub async fn fresh_postgres_url(base: &str) -> String {
    let schema = format!("t_{}", hex_id());
    let admin = sqlx::PgPool::connect(base)
        .await
        .expect("connect to LOKET_TEST_POSTGRES_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

pub async fn postgres() -> Option<TestDb> {
    let base = postgres_url()?;
    let url = fresh_postgres_url(&base).await;
    let store = PgStore::connect(&url, None).await.expect("postgres store");
    Some(TestDb {
        store: Arc::new(store),
        url,
        _dir: None,
    })
}

fn hex_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{:x}{:x}{}",
        nanos,
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs one statement with a plain connection, bypassing the store (to prove what the database
/// itself refuses).
pub async fn raw_execute(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await?;
        sqlx::query(sql).execute(&pool).await?;
    } else {
        let pool = sqlx::PgPool::connect(url).await?;
        sqlx::query(sql).execute(&pool).await?;
    }
    Ok(())
}
