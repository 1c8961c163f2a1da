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
    let url = loket_store::testing::sqlite_url(dir.path());
    let store = SqliteStore::connect(&url, None).await.expect("sqlite store");
    TestDb { store: Arc::new(store), url, _dir: Some(dir) }
}

pub use loket_store::testing::{fresh_postgres_url, postgres_url};

pub async fn postgres() -> Option<TestDb> {
    let base = postgres_url()?;
    let url = fresh_postgres_url(&base).await;
    let store = PgStore::connect(&url, None).await.expect("postgres store");
    Some(TestDb { store: Arc::new(store), url, _dir: None })
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

/// The rows of one query, each as its columns' text (`NULL` for null), for comparing tables.
pub async fn raw_rows(url: &str, sql: &str) -> Result<Vec<Vec<String>>, sqlx::Error> {
    use sqlx::Row;
    fn text<'r, R: Row>(row: &'r R, i: usize) -> String
    where
        usize: sqlx::ColumnIndex<R>,
        Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            return v.map_or("NULL".into(), |v| v.to_string());
        }
        if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
            return v.map_or("NULL".into(), |v| v.to_string());
        }
        row.try_get::<Option<String>, _>(i).ok().flatten().unwrap_or_else(|| "NULL".into())
    }
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await?;
        let rows = sqlx::query(sql).fetch_all(&pool).await?;
        Ok(rows.iter().map(|r| (0..r.columns().len()).map(|i| text(r, i)).collect()).collect())
    } else {
        let pool = sqlx::PgPool::connect(url).await?;
        let rows = sqlx::query(sql).fetch_all(&pool).await?;
        Ok(rows.iter().map(|r| (0..r.columns().len()).map(|i| text(r, i)).collect()).collect())
    }
}

/// A second store on the same database, making archived documents with `renderer`.
pub async fn with_renderer(db: &TestDb, renderer: loket_store::DocumentRenderer) -> Arc<dyn Store> {
    if db.url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(&db.url, Some(renderer)).await.expect("sqlite store"))
    } else {
        Arc::new(PgStore::connect(&db.url, Some(renderer)).await.expect("postgres store"))
    }
}
