//! The SQLite backend: one embedded file, WAL, foreign keys on, `synchronous=FULL` so that a
//! committed step survives a power loss. SQLite has one writer at a time: every write use case runs
//! whole, as one `BEGIN IMMEDIATE` transaction, on a writer thread with its own connection (see
//! `sqlite_writes.rs`); reads use a pool of sqlx connections.

use std::str::FromStr;
use std::sync::RwLock;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

use crate::{DocumentRenderer, default_renderer};

type Db = Sqlite;
type Conn = sqlx::SqliteConnection;
type StoreImpl = SqliteStore;

/// SQLite has no row locks: `BEGIN IMMEDIATE` already makes each write transaction exclusive.
const LOCK_ROW: &str = "";

pub struct SqliteStore {
    /// Readers.
    pool: Pool<Sqlite>,
    /// The one writer.
    writer: Writer,
    live: broadcast::Sender<LiveEvent>,
    cache: Arc<RwLock<Option<Arc<OfficeSettings>>>>,
    renderer: DocumentRenderer,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and runs the migrations.
    pub async fn connect(url: &str, renderer: Option<DocumentRenderer>) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?;
        // Readers and the writer are separate connections: they must meet in a file.
        let file = options.get_filename().to_string_lossy();
        if file.is_empty() || file.contains(":memory:") || url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "an in-memory SQLite database is not supported: give a file (sqlite://loket.db)".into(),
            )));
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .optimize_on_close(true, None);
        // A local file needs no liveness check before each use.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = Writer::open(options.get_filename())?;
        Ok(SqliteStore {
            pool,
            writer,
            live: broadcast::channel(1024).0,
            cache: Arc::default(),
            renderer: renderer.unwrap_or_else(default_renderer),
        })
    }

    fn after_commit(&self, live: Vec<LiveEvent>) {
        for event in live {
            // No receiver is not an error: nobody is watching.
            let _ = self.live.send(event);
        }
    }
}

include!("sql/common.rs");
include!("sql/settings.rs");
include!("sql/users.rs");
include!("sql/visits.rs");
include!("sql/line.rs");
include!("sql/reports.rs");
include!("sqlite_writes.rs");
