//! The SQLite backend: one embedded file, WAL, foreign keys on, `synchronous=FULL` so that a
//! committed step survives a power loss. Writes are serialized in the process and start with
//! `BEGIN IMMEDIATE`, so a use case reads and writes without another writer in between.

use std::str::FromStr;
use std::sync::RwLock;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};
use tokio::sync::Mutex;

use crate::{DocumentRenderer, default_renderer};

type Db = Sqlite;
type Conn = sqlx::SqliteConnection;
type StoreImpl = SqliteStore;

/// SQLite has no row locks: `BEGIN IMMEDIATE` already makes each write transaction exclusive.
const LOCK_ROW: &str = "";
const SKIP_LOCKED: &str = "";

pub struct SqliteStore {
    pool: Pool<Sqlite>,
    live: broadcast::Sender<LiveEvent>,
    cache: Arc<RwLock<Option<Arc<OfficeSettings>>>>,
    renderer: DocumentRenderer,
    write_lock: Arc<Mutex<()>>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` and runs the migrations.
    pub async fn connect(url: &str, renderer: Option<DocumentRenderer>) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore {
            pool,
            live: broadcast::channel(1024).0,
            cache: Arc::default(),
            renderer: renderer.unwrap_or_else(default_renderer),
            write_lock: Arc::new(Mutex::new(())),
        })
    }

    async fn begin_write(&self) -> Result<WriteTx> {
        let guard = self.write_lock.clone().lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx {
            tx,
            live: Vec::new(),
            waiting_changed: Vec::new(),
            guard: Some(guard),
        })
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
