//! The SQLite backend: one embedded file, WAL, foreign keys on, `synchronous=FULL` so that a
//! committed step survives a power loss. SQLite has one writer at a time, so writes go through a
//! pool of exactly one connection (a fair queue, with its prepared statements always warm), each
//! starting with `BEGIN IMMEDIATE`; reads use a pool of their own.

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
const SKIP_LOCKED: &str = "";

pub struct SqliteStore {
    /// Readers.
    pool: Pool<Sqlite>,
    /// The one writer.
    writer: Pool<Sqlite>,
    live: broadcast::Sender<LiveEvent>,
    cache: Arc<RwLock<Option<Arc<OfficeSettings>>>>,
    renderer: DocumentRenderer,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and runs the migrations.
    pub async fn connect(url: &str, renderer: Option<DocumentRenderer>) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .optimize_on_close(true, None);
        // A local file needs no liveness check before each use.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let pool = SqlitePoolOptions::new().max_connections(4).test_before_acquire(false).connect_with(options).await?;
        Ok(SqliteStore {
            pool,
            writer,
            live: broadcast::channel(1024).0,
            cache: Arc::default(),
            renderer: renderer.unwrap_or_else(default_renderer),
        })
    }

    async fn begin_write(&self) -> Result<WriteTx> {
        let tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, live: Vec::new(), waiting_changed: Vec::new() })
    }

    async fn lock_counter(_: &mut Conn, _counter: &str) -> Result<()> {
        Ok(())
    }

    async fn announce(&self, _: &mut Conn, _: &[LiveEvent]) -> Result<()> {
        Ok(())
    }

    async fn settings_changed(&self, _: &mut Conn) -> Result<()> {
        Ok(())
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
include!("sql/writes.rs");
