//! The PostgreSQL backend, for offices that run several app instances on one database.
//! Calling locks the counter (an advisory lock) and claims the first waiting visit with
//! `FOR UPDATE SKIP LOCKED`; live events travel between instances by `LISTEN/NOTIFY`, sent
//! inside the transaction so that they are delivered only once it commits.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPoolOptions};
use sqlx::{Pool, Postgres};
use tokio::sync::broadcast;

use crate::exec::{Tx, text};
use crate::live::Announcements;
use crate::logo::LogoCache;
use crate::store::{Backend, SettingsCache, SqlStore, WriteWork};
use crate::{DocumentRenderer, LiveEvent, Result};

/// The store on a PostgreSQL database.
pub type PgStore = SqlStore<PgBackend>;

pub struct PgBackend {
    pool: Pool<Postgres>,
    /// Notification channels, named after the schema so that deployments sharing a database
    /// (and parallel test runs) do not hear each other.
    live_channel: String,
    settings_channel: String,
}

impl SqlStore<PgBackend> {
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
        let backend = PgBackend {
            pool,
            live_channel: format!("loket_live_{tag}"),
            settings_channel: format!("loket_settings_{tag}"),
        };
        let store = SqlStore::new(backend, broadcast::channel(1024).0, SettingsCache::default(), renderer);
        store.backend.listen(store.live.clone(), store.cache.clone(), store.logo.clone()).await?;
        store.backfill_facts(chrono::Utc::now()).await?;
        Ok(store)
    }
}

impl PgBackend {
    /// Relays notifications from every instance (this one included) to local subscribers.
    async fn listen(&self, live: broadcast::Sender<LiveEvent>, cache: SettingsCache, logo: LogoCache) -> Result<()> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen_all([self.live_channel.as_str(), self.settings_channel.as_str()]).await?;
        let settings_channel = self.settings_channel.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    // The logo has its own payload: a change of it leaves the settings cached.
                    Ok(n) if n.channel() == settings_channel && n.payload() == "logo" => logo.forget(),
                    Ok(n) if n.channel() == settings_channel => cache.forget(),
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
                        cache.forget();
                        logo.forget();
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(())
    }
}

#[async_trait]
impl Backend for PgBackend {
    type Reader = PgRead;

    fn reader(&self) -> PgRead {
        PgRead { pool: self.pool.clone() }
    }

    async fn write<R: Send + 'static>(&self, work: WriteWork<R>) -> Result<(R, Announcements)> {
        let mut tx = PgTx { tx: self.pool.begin().await? };
        let mut told = Announcements::default();
        let result = work(&mut tx, &mut told).await;
        let result = match result {
            Ok(value) => self.notify(&mut tx, &told).await.map(|()| value),
            Err(e) => Err(e),
        };
        match result {
            Ok(value) => {
                tx.tx.commit().await?;
                Ok((value, told))
            }
            Err(e) => {
                // At once: a dropped transaction would keep its locks until its connection is
                // used again.
                if let Err(rollback) = tx.tx.rollback().await {
                    tracing::error!(error = %rollback, "rollback failed");
                }
                Err(e)
            }
        }
    }

    fn relays_live(&self) -> bool {
        true
    }
}

impl PgBackend {
    /// Tells every instance what the transaction changed; delivered only if it commits.
    async fn notify(&self, tx: &mut PgTx, told: &Announcements) -> Result<()> {
        for event in &told.live {
            let payload = serde_json::to_string(event)?;
            tx.execute("SELECT pg_notify($1, $2)", &[text(&self.live_channel), text(&payload)]).await?;
        }
        if told.settings_changed {
            tx.execute("SELECT pg_notify($1, '')", &[text(&self.settings_channel)]).await?;
        }
        if told.logo_changed {
            tx.execute("SELECT pg_notify($1, 'logo')", &[text(&self.settings_channel)]).await?;
        }
        Ok(())
    }
}

/// The read connections.
pub struct PgRead {
    pool: Pool<Postgres>,
}

/// One write transaction.
pub struct PgTx {
    tx: sqlx::Transaction<'static, Postgres>,
}

/// One counter calls one visit at a time: concurrent presses at the same counter queue here.
async fn lock_counter(t: &mut PgTx, counter: &str) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("loket:counter:{counter}"))
        .execute(&mut *t.tx)
        .await?;
    Ok(())
}

crate::sqlx_exec::sqlx_sql!(PgRead, Postgres, |s| &s.pool, dialect: crate::exec::Dialect::Postgres);
crate::sqlx_exec::sqlx_sql!(PgTx, Postgres, |s| &mut *s.tx, dialect: crate::exec::Dialect::Postgres);
crate::sqlx_exec::sqlx_tx!(PgTx, Postgres, |s| &mut *s.tx, lock_counter: lock_counter,
    lock_rows: " FOR UPDATE", skip_locked: " FOR UPDATE SKIP LOCKED");
