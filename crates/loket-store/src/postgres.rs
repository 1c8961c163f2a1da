//! The PostgreSQL backend, for offices that run several app instances on one database.
//! Calling locks the counter (an advisory lock) and claims the first waiting visit with
//! `FOR UPDATE SKIP LOCKED`; live events travel between instances by `LISTEN/NOTIFY`, sent
//! inside the transaction so that they are delivered only once it commits.

use std::sync::RwLock;
use std::time::Duration;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPoolOptions};
use sqlx::{Pool, Postgres};

use crate::{DocumentRenderer, default_renderer};

type Db = Postgres;
type Conn = sqlx::PgConnection;
type StoreImpl = PgStore;

const LOCK_ROW: &str = " FOR UPDATE";
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

pub struct PgStore {
    pool: Pool<Postgres>,
    live: broadcast::Sender<LiveEvent>,
    cache: Arc<RwLock<Option<Arc<OfficeSettings>>>>,
    renderer: DocumentRenderer,
    /// Notification channels, named after the schema so that deployments sharing a database
    /// (and parallel test runs) do not hear each other.
    live_channel: String,
    settings_channel: String,
}

impl PgStore {
    pub async fn connect(url: &str, renderer: Option<DocumentRenderer>) -> Result<PgStore> {
        let options: PgConnectOptions = url.parse()?;
        // One plain connection first, so that an unreachable server or a refused login is told
        // at once and as it is, not as a pool time-out.
        PgConnection::connect_with(&options).await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(&pool).await?;
        let tag: String = schema.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let store = PgStore {
            pool,
            live: broadcast::channel(1024).0,
            cache: Arc::default(),
            renderer: renderer.unwrap_or_else(default_renderer),
            live_channel: format!("loket_live_{tag}"),
            settings_channel: format!("loket_settings_{tag}"),
        };
        store.listen().await?;
        Ok(store)
    }

    /// Relays notifications from every instance (this one included) to local subscribers.
    async fn listen(&self) -> Result<()> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen_all([self.live_channel.as_str(), self.settings_channel.as_str()]).await?;
        let live = self.live.clone();
        let cache = self.cache.clone();
        let settings_channel = self.settings_channel.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) if n.channel() == settings_channel => {
                        if let Ok(mut c) = cache.write() {
                            *c = None;
                        }
                    }
                    Ok(n) => match serde_json::from_str::<LiveEvent>(n.payload()) {
                        Ok(event) => {
                            let _ = live.send(event);
                        }
                        Err(e) => tracing::warn!(error = %e, "unreadable live event"),
                    },
                    Err(e) => {
                        // The listener reconnects on the next recv; settings may have changed
                        // meanwhile.
                        tracing::warn!(error = %e, "live event listener lost its connection");
                        if let Ok(mut c) = cache.write() {
                            *c = None;
                        }
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(())
    }

    async fn begin_write(&self) -> Result<WriteTx> {
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, told: Told::default() })
    }

    /// One counter calls one visit at a time: concurrent presses at the same counter queue here.
    async fn lock_counter(c: &mut Conn, counter: &str) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("loket:counter:{counter}"))
            .execute(&mut *c)
            .await?;
        Ok(())
    }

    async fn announce(&self, c: &mut Conn, live: &[LiveEvent]) -> Result<()> {
        for event in live {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(&self.live_channel)
                .bind(serde_json::to_string(event)?)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    }

    async fn settings_changed(&self, c: &mut Conn) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, '')").bind(&self.settings_channel).execute(&mut *c).await?;
        Ok(())
    }

    fn after_commit(&self, _: Vec<LiveEvent>) {}
}

include!("sql/common.rs");
include!("sql/settings.rs");
include!("sql/users.rs");
include!("sql/visits.rs");
include!("sql/line.rs");
include!("sql/reports.rs");
include!("sql/writes.rs");
