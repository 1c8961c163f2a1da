//! The SQLite backend: one embedded file, WAL, foreign keys on, `synchronous=FULL` so that a
//! committed step survives a power loss. SQLite has one writer at a time: every write use case runs
//! whole, as one `BEGIN IMMEDIATE` transaction, on a writer thread with its own connection (one
//! hand-off per use case instead of one per statement); reads use a pool of sqlx connections.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};
use tokio::sync::broadcast;

use crate::exec::{BoxFuture, Cell, Col, Row, Sql, Tx, Value};
use crate::live::Announcements;
use crate::store::{Backend, SqlStore, WriteWork};
use crate::{DocumentRenderer, Result, StoreError};

/// The store on a SQLite file.
pub type SqliteStore = SqlStore<SqliteBackend>;

pub struct SqliteBackend {
    /// Readers.
    pool: Pool<Sqlite>,
    /// The one writer.
    writer: Writer,
}

impl SqlStore<SqliteBackend> {
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
        let backend = SqliteBackend { pool, writer };
        let store = SqlStore::new(backend, broadcast::channel(1024).0, Default::default(), renderer);
        store.backfill_facts(chrono::Utc::now()).await?;
        Ok(store)
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    type Reader = SqliteRead;

    fn reader(&self) -> SqliteRead {
        SqliteRead { pool: self.pool.clone() }
    }

    async fn write<R: Send + 'static>(&self, work: WriteWork<R>) -> Result<(R, Announcements)> {
        self.writer.run(work).await
    }

    fn relays_live(&self) -> bool {
        false
    }
}

/// The read connections.
pub struct SqliteRead {
    pool: Pool<Sqlite>,
}

// Reads never lock: SQLite's readers see the last commit. A read connection is no `Tx`.
crate::sqlx_exec::sqlx_sql!(SqliteRead, Sqlite, |s| &s.pool, dialect: crate::exec::Dialect::Sqlite);

/// A job for the writer thread.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The one connection that writes, on a thread of its own. A thread that ends for any reason is
/// started again at the next write.
struct Writer {
    path: PathBuf,
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
}

impl Writer {
    fn open(path: &Path) -> Result<Writer> {
        Ok(Writer { path: path.to_owned(), jobs: Mutex::new(Self::start(path)?) })
    }

    /// Opens the writer's connection and starts its thread.
    fn start(path: &Path) -> Result<std::sync::mpsc::Sender<Job>> {
        let conn = Connection::open(path)?;
        // The same settings as the readers: WAL, every commit synced, foreign keys checked.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("loket-sqlite-writer".into())
            .spawn(move || {
                let mut conn = conn;
                while let Ok(job) = queue.recv() {
                    job(&mut conn);
                }
            })
            .map_err(|e| StoreError::Writer(format!("cannot start the SQLite writer: {e}")))?;
        Ok(jobs)
    }

    /// Runs `work` in one write transaction on the writer thread: committed when it returns
    /// `Ok`, rolled back otherwise. A use case that panics is rolled back and reported as an
    /// error; the writer goes on.
    async fn run<R: Send + 'static>(&self, work: WriteWork<R>) -> Result<(R, Announcements)> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| transaction(conn, work)))
                .unwrap_or_else(|panic| {
                    let what = panic_message(&panic);
                    tracing::error!(panic = ?what, "a write use case panicked; rolled back");
                    if !conn.is_autocommit()
                        && let Err(e) = conn.execute_batch("ROLLBACK")
                    {
                        tracing::error!(error = %e, "rollback after a panic failed");
                    }
                    Err(StoreError::Writer(format!("the write panicked: {what}")))
                });
            // The caller may have gone (its request was dropped): the outcome is committed anyway.
            let _ = done.send(result);
        });
        self.send(job)?;
        outcome.await.map_err(|_| StoreError::Writer("the SQLite writer ended during a write".into()))?
    }

    /// Hands a job to the writer thread, starting a new one if it has ended.
    fn send(&self, job: Job) -> Result<()> {
        let mut jobs = self.jobs.lock().map_err(|_| StoreError::Writer("the writer's queue is poisoned".into()))?;
        match jobs.send(job) {
            Ok(()) => Ok(()),
            Err(std::sync::mpsc::SendError(job)) => {
                tracing::error!("the SQLite writer thread had ended; starting a new one");
                *jobs = Self::start(&self.path)?;
                jobs.send(job).map_err(|_| StoreError::Writer("the SQLite writer cannot be started".into()))
            }
        }
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// One `BEGIN IMMEDIATE` transaction around `work`, on the writer's connection.
fn transaction<R>(conn: &mut Connection, work: WriteWork<R>) -> Result<(R, Announcements)> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let mut tx = SqliteTx { conn: &mut *conn };
    let mut told = Announcements::default();
    let result = finish_now(work(&mut tx, &mut told));
    match result {
        Ok(value) => {
            conn.execute_batch("COMMIT")?;
            Ok((value, told))
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK")?;
            Err(e)
        }
    }
}

/// Runs a use case's future, which on this connection never waits: each statement completes
/// within its call. One poll must finish it.
fn finish_now<R>(mut future: BoxFuture<'_, Result<R>>) -> Result<R> {
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Writer("a write use case waited on something other than SQLite".into())),
    }
}

/// The writer's connection inside a `BEGIN IMMEDIATE` transaction. (rusqlite's own
/// `Transaction` cannot cross into a `Send` future; the transaction is opened and closed by
/// [`transaction`].)
struct SqliteTx<'c> {
    conn: &'c mut Connection,
}

impl SqliteTx<'_> {
    /// A cached statement with `params` bound: `$N` in the SQL is parameter N.
    fn prepare(&self, sql: &str, params: &[Value<'_>]) -> Result<rusqlite::CachedStatement<'_>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        for i in 1..=stmt.parameter_count() {
            let name = stmt.parameter_name(i).unwrap_or_default();
            let value = name
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| params.get(n.checked_sub(1)?))
                .ok_or_else(|| StoreError::Writer(format!("parameter {name:?} has no value in: {sql}")))?;
            match value {
                Value::Text(v) => stmt.raw_bind_parameter(i, v)?,
                Value::Int(v) => stmt.raw_bind_parameter(i, v)?,
                Value::Bool(v) => stmt.raw_bind_parameter(i, v)?,
                Value::Blob(v) => stmt.raw_bind_parameter(i, v)?,
            }
        }
        Ok(stmt)
    }
}

#[async_trait]
impl Tx for SqliteTx<'_> {
    async fn execute(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64> {
        Ok(self.prepare(sql, params)?.raw_execute()? as u64)
    }

    async fn lock_counter(&mut self, _: &str) -> Result<()> {
        // `BEGIN IMMEDIATE` already makes each write transaction exclusive.
        Ok(())
    }

    fn lock_rows(&self) -> &'static str {
        ""
    }

    fn skip_locked(&self) -> &'static str {
        ""
    }
}

#[async_trait]
impl Sql for SqliteTx<'_> {
    async fn rows(&mut self, sql: &str, params: &[Value<'_>], cols: &[Col]) -> Result<Vec<Row>> {
        let mut stmt = self.prepare(sql, params)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut cells = Vec::with_capacity(cols.len());
            for (i, col) in cols.iter().enumerate() {
                cells.push(match col {
                    Col::Text | Col::OptText => Cell::Text(row.get(i)?),
                    Col::Int | Col::OptInt => Cell::Int(row.get(i)?),
                    Col::Bool => Cell::Bool(row.get(i)?),
                    Col::Blob => Cell::Blob(row.get(i)?),
                });
            }
            out.push(Row::new(cells));
        }
        Ok(out)
    }

    fn dialect(&self) -> crate::exec::Dialect {
        crate::exec::Dialect::Sqlite
    }
}
