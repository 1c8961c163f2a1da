// The SQL and the use cases shared by both backends. This file is included by `sqlite.rs` and
// `postgres.rs`, each of which defines before it: `Db`, `Conn`, `StoreImpl` (with the fields
// `pool`, `live`, `cache`, `renderer`), `LOCK_ROW`, `SKIP_LOCKED`, and the methods
// `begin_write`, `lock_counter`, `announce` and `after_commit`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::archive::{Archive, ArchiveStamp, archive_number};
use loket_domain::escalation::escalation_mail;
use loket_domain::guest_book::Visitor;
use loket_domain::history::{Event, EventKind};
use loket_domain::office::{office_day, queue_number};
use loket_domain::settings::OfficeSettings;
use loket_domain::visit::{Check, Ticket};
use loket_domain::{Refused, Status, Visit};
use sqlx::Row;
use tokio::sync::broadcast;

use crate::{
    ArchivedDocument, Calling, Change, Checked, DisplayBoard, LiveEvent, NewUser, OpenVisit, QueueView, Result, Skipped,
    Store, StoreError, User, UserRecord, VisitFilter, from_ms, ms, new_id, roles_from_text, roles_to_text, sha256_hex,
};

/// The one office of this deployment; every row already names its office.
const OFFICE: &str = "default";

/// A write transaction and the live events to publish once it commits.
struct WriteTx {
    tx: sqlx::Transaction<'static, Db>,
    live: Vec<LiveEvent>,
    /// Services whose waiting count changed.
    waiting_changed: Vec<String>,
    #[allow(dead_code)]
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Notes what live clients must hear about these events.
    fn observe(&mut self, visit: &Visit, events: &[Event]) {
        for e in events {
            if matches!(e.kind, EventKind::Called | EventKind::Recalled) {
                let field = |k: &str| e.data.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let call_count = e.data.get("call_count").and_then(|v| v.as_u64()).unwrap_or(1) as u32;
                self.live.push(LiveEvent::Called { number: field("number"), counter: field("counter"), call_count });
            }
            let waiting_changed = (e.from == Some(Status::Waiting)) != (e.to == Status::Waiting);
            if waiting_changed && !self.waiting_changed.contains(&visit.service) {
                self.waiting_changed.push(visit.service.clone());
            }
        }
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

async fn load_visit(c: &mut Conn, id: &str, lock: bool) -> Result<Visit> {
    let sql = format!("SELECT data FROM visits WHERE id = $1 AND office_id = $2{}", if lock { LOCK_ROW } else { "" });
    let data: Option<String> = sqlx::query_scalar(&sql).bind(id).bind(OFFICE).fetch_optional(&mut *c).await?;
    let data = data.ok_or(StoreError::NotFound)?;
    Ok(serde_json::from_str(&data)?)
}

fn parse_visits(rows: Vec<String>) -> Result<Vec<Visit>> {
    rows.iter().map(|d| serde_json::from_str(d).map_err(corrupt)).collect()
}

async fn insert_visit(c: &mut Conn, visit: &Visit, created_day: NaiveDate) -> Result<()> {
    sqlx::query(
        "INSERT INTO visits (id, office_id, reference, service, status, created_day, number, number_day, counter, \
         priority_lane, position, created_at, updated_at, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&visit.id)
    .bind(OFFICE)
    .bind(&visit.reference)
    .bind(&visit.service)
    .bind(visit.status.as_str())
    .bind(created_day.to_string())
    .bind(&visit.queue.number)
    .bind(visit.queue.day.map(|d| d.to_string()))
    .bind(&visit.queue.counter)
    .bind(visit.queue.priority_lane)
    .bind(visit.queue.position)
    .bind(ms(visit.created_at))
    .bind(ms(visit.updated_at))
    .bind(serde_json::to_string(visit)?)
    .execute(&mut *c)
    .await?;
    Ok(())
}

async fn update_visit(c: &mut Conn, visit: &Visit) -> Result<()> {
    sqlx::query(
        "UPDATE visits SET status = $2, number = $3, number_day = $4, counter = $5, priority_lane = $6, position = $7, \
         updated_at = $8, data = $9 WHERE id = $1",
    )
    .bind(&visit.id)
    .bind(visit.status.as_str())
    .bind(&visit.queue.number)
    .bind(visit.queue.day.map(|d| d.to_string()))
    .bind(&visit.queue.counter)
    .bind(visit.queue.priority_lane)
    .bind(visit.queue.position)
    .bind(ms(visit.updated_at))
    .bind(serde_json::to_string(visit)?)
    .execute(&mut *c)
    .await?;
    Ok(())
}

async fn append_events(c: &mut Conn, visit_id: &str, events: &[Event]) -> Result<()> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(seq) FROM visit_events WHERE visit_id = $1").bind(visit_id).fetch_one(&mut *c).await?;
    let mut seq = last.unwrap_or(0);
    for e in events {
        seq += 1;
        sqlx::query(
            "INSERT INTO visit_events (visit_id, seq, kind, at, by_user, from_status, to_status, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(visit_id)
        .bind(seq)
        .bind(serde_json::to_value(e.kind)?.as_str().unwrap_or_default().to_owned())
        .bind(ms(e.at))
        .bind(&e.by)
        .bind(e.from.map(|s| s.as_str()))
        .bind(e.to.as_str())
        .bind(e.data.to_string())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// The next value of a named counter of the office, starting at 1.
async fn next_in_sequence(c: &mut Conn, name: &str) -> Result<i64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO sequences (office_id, name, last) VALUES ($1, $2, 1) \
         ON CONFLICT (office_id, name) DO UPDATE SET last = sequences.last + 1 RETURNING last",
    )
    .bind(OFFICE)
    .bind(name)
    .fetch_one(&mut *c)
    .await?;
    Ok(last)
}

async fn waiting_count(c: &mut Conn, service: &str) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visits WHERE office_id = $1 AND service = $2 AND status = 'waiting'")
        .bind(OFFICE)
        .bind(service)
        .fetch_one(&mut *c)
        .await?;
    Ok(n as u64)
}

/// Stores the archived document of a visit as it is now, and returns what the visit records.
async fn store_document(
    c: &mut Conn,
    renderer: &crate::DocumentRenderer,
    visit: &Visit,
    stamp: ArchiveStamp,
) -> Result<Archive> {
    let content = renderer(visit, &stamp);
    let sha256 = sha256_hex(&content);
    sqlx::query(
        "INSERT INTO archived_documents (visit_id, version, number, sha256, content, archived_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&visit.id)
    .bind(i64::from(stamp.version))
    .bind(&stamp.number)
    .bind(&sha256)
    .bind(&content)
    .bind(ms(stamp.archived_at))
    .execute(&mut *c)
    .await?;
    Ok(Archive { number: stamp.number, archived_at: stamp.archived_at, sha256, version: stamp.version })
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The first visit waiting for any of these services: priority lane first, then by position.
async fn claim_first_waiting(c: &mut Conn, services: &[String]) -> Result<Option<Visit>> {
    let sql = format!(
        "SELECT data FROM visits WHERE office_id = $1 AND status = 'waiting' AND service IN ({}) \
         ORDER BY priority_lane DESC, position ASC, id ASC LIMIT 1{SKIP_LOCKED}",
        placeholders(2, services.len())
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(OFFICE);
    for s in services {
        q = q.bind(s);
    }
    match q.fetch_optional(&mut *c).await? {
        Some(data) => Ok(Some(serde_json::from_str(&data)?)),
        None => Ok(None),
    }
}

fn user_from_row(r: &<Db as sqlx::Database>::Row) -> Result<User> {
    Ok(User {
        username: r.try_get("username")?,
        full_name: r.try_get("full_name")?,
        roles: roles_from_text(&r.try_get::<String, _>("roles")?),
        disabled: r.try_get("disabled")?,
    })
}

fn to_event(row: &<Db as sqlx::Database>::Row) -> Result<Event> {
    let kind: String = row.try_get("kind")?;
    let from: Option<String> = row.try_get("from_status")?;
    let to: String = row.try_get("to_status")?;
    let data: String = row.try_get("data")?;
    Ok(Event {
        kind: serde_json::from_value(serde_json::Value::String(kind))?,
        at: from_ms(row.try_get("at")?),
        by: row.try_get("by_user")?,
        from: from.as_deref().and_then(Status::parse),
        to: Status::parse(&to).ok_or_else(|| corrupt(format!("status {to}")))?,
        data: serde_json::from_str(&data)?,
    })
}

impl StoreImpl {
    /// Ends a write transaction: commits what succeeded, rolls back what did not, at once (a
    /// dropped transaction would keep its locks until its connection is used again).
    async fn close<T>(&self, mut w: WriteTx, result: Result<T>) -> Result<T> {
        match result {
            Ok(value) => {
                self.finish(w).await?;
                Ok(value)
            }
            Err(e) => {
                if let Err(rollback) = w.tx.rollback().await {
                    tracing::error!(error = %rollback, "rollback failed");
                }
                w.live.clear();
                Err(e)
            }
        }
    }

    /// Commits, and tells live clients what changed.
    async fn finish(&self, mut w: WriteTx) -> Result<()> {
        for service in std::mem::take(&mut w.waiting_changed) {
            let waiting = waiting_count(w.conn(), &service).await?;
            w.live.push(LiveEvent::Queue { service, waiting });
        }
        self.announce(&mut w.tx, &w.live).await?;
        let live = std::mem::take(&mut w.live);
        w.tx.commit().await?;
        self.after_commit(live);
        Ok(())
    }

    async fn save(w: &mut WriteTx, visit: &Visit, events: &[Event]) -> Result<()> {
        update_visit(w.conn(), visit).await?;
        append_events(w.conn(), &visit.id, events).await?;
        w.observe(visit, events);
        Ok(())
    }

    async fn load_settings(&self) -> Result<OfficeSettings> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings WHERE office_id = $1")
            .bind(OFFICE)
            .fetch_all(&self.pool)
            .await?;
        let mut settings = OfficeSettings::default();
        for (key, value) in rows {
            let applied = serde_json::from_str(&value).map_err(|e| e.to_string()).and_then(|v| settings.apply(&key, v));
            if let Err(e) = applied {
                tracing::error!(setting = %key, error = %e, "stored setting ignored");
            }
        }
        Ok(settings)
    }

    fn invalidate_settings(&self) {
        if let Ok(mut cache) = self.cache.write() {
            *cache = None;
        }
    }
}

#[async_trait]
impl Store for StoreImpl {
    async fn settings(&self) -> Result<Arc<OfficeSettings>> {
        if let Some(s) = self.cache.read().ok().and_then(|c| c.clone()) {
            return Ok(s);
        }
        let s = Arc::new(self.load_settings().await?);
        if let Ok(mut cache) = self.cache.write() {
            *cache = Some(s.clone());
        }
        Ok(s)
    }

    async fn save_setting(&self, key: &str, value: serde_json::Value, by: &str, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query(
                "INSERT INTO settings (office_id, key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (office_id, key) DO UPDATE SET value = $3, updated_at = $4, updated_by = $5",
            )
            .bind(OFFICE)
            .bind(key)
            .bind(value.to_string())
            .bind(ms(now))
            .bind(by)
            .execute(w.conn())
            .await?;
            self.settings_changed(w.conn()).await?;
            Ok(())
        }
        .await;
        let closed = self.close(w, result).await;
        self.invalidate_settings();
        closed
    }

    async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
    }

    async fn add_user(&self, user: NewUser, now: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT username FROM users WHERE username = $1").bind(&user.username).fetch_optional(w.conn()).await?;
            if exists.is_some() {
                return Err(StoreError::Duplicate);
            }
            sqlx::query("INSERT INTO users (username, full_name, password_hash, roles, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&user.username)
                .bind(&user.full_name)
                .bind(&user.password_hash)
                .bind(roles_to_text(&user.roles))
                .bind(false)
                .bind(ms(now))
                .execute(w.conn())
                .await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn user(&self, username: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT username, full_name, password_hash, roles, disabled FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(UserRecord { user: user_from_row(&r)?, password_hash: r.try_get("password_hash")? })
        })
        .transpose()
    }

    async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT username, full_name, roles, disabled FROM users ORDER BY username").fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_password(&self, username: &str, password_hash: &str) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let result = async {
            let n = sqlx::query("UPDATE users SET password_hash = $2 WHERE username = $1")
                .bind(username)
                .bind(password_hash)
                .execute(w.conn())
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM sessions WHERE username = $1").bind(username).execute(w.conn()).await?;
            Ok(n > 0)
        }
        .await;
        self.close(w, result).await
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let mut w = self.begin_write().await?;
        let result = async {
            let n = sqlx::query("UPDATE users SET disabled = $2 WHERE username = $1")
                .bind(username)
                .bind(disabled)
                .execute(w.conn())
                .await?
                .rows_affected();
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE username = $1").bind(username).execute(w.conn()).await?;
            }
            Ok(n > 0)
        }
        .await;
        self.close(w, result).await
    }

    async fn add_session(&self, token_hash: &str, username: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            // Expired sessions are removed as new ones are made.
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(ms(now)).execute(w.conn()).await?;
            sqlx::query("INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(username)
                .bind(ms(now))
                .bind(ms(expires_at))
                .execute(w.conn())
                .await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.username, u.full_name, u.roles, u.disabled FROM sessions s JOIN users u ON u.username = s.username \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = $3",
        )
        .bind(token_hash)
        .bind(ms(now))
        .bind(false)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        let mut w = self.begin_write().await?;
        let result = async {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(w.conn()).await?;
            Ok(())
        }
        .await;
        self.close(w, result).await
    }

    async fn open_visit(&self, open: OpenVisit, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        let service = match open.service {
            Some(code) if settings.services.iter().any(|s| s.code == code) => code,
            Some(_) => return Err(Refused::validation("service", "unknown").into()),
            None => settings.services.first().map(|s| s.code.clone()).unwrap_or_else(|| "A".into()),
        };
        let visitor = Visitor::default().apply(&open.visitor).map_err(Refused::Validation)?;
        if visitor.name.is_none() {
            return Err(Refused::validation("visitor.name", "missing").into());
        }
        let day = office_day(now, settings.zone());
        let mut w = self.begin_write().await?;
        let result = async {
            let seq = next_in_sequence(w.conn(), &format!("reference:{day}")).await?;
            let reference = format!("{}-{seq:04}", day.format("%Y%m%d"));
            let (mut visit, created) = Visit::open(new_id(), reference, service, visitor, now, by);
            let mut events = vec![created];
            if let Some(form) = &open.form {
                events.push(visit.save_form(None, form, &settings.priorities, now, by)?);
            }
            insert_visit(w.conn(), &visit, day).await?;
            append_events(w.conn(), &visit.id, &events).await?;
            w.observe(&visit, &events);
            Ok(visit)
        }
        .await;
        self.close(w, result).await
    }

    async fn visit(&self, id: &str) -> Result<Option<Visit>> {
        let mut c = self.pool.acquire().await?;
        match load_visit(&mut c, id, false).await {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn history(&self, id: &str) -> Result<Vec<Event>> {
        let rows = sqlx::query("SELECT kind, at, by_user, from_status, to_status, data FROM visit_events WHERE visit_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(to_event).collect()
    }

    async fn visits(&self, filter: VisitFilter) -> Result<Vec<Visit>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM visits WHERE office_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR created_day = $3) \
             ORDER BY created_at DESC, id LIMIT $4",
        )
        .bind(OFFICE)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(filter.day.map(|d| d.to_string()))
        .bind(i64::from(filter.limit.unwrap_or(500)))
        .fetch_all(&self.pool)
        .await?;
        parse_visits(rows)
    }

    async fn change_visit(&self, id: &str, now: DateTime<Utc>, change: Change<'_>) -> Result<Visit> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            let mut visit = load_visit(w.conn(), id, true).await?;
            let was = visit.status;
            let event = change(&mut visit, &settings)?;
            let mut events = vec![event];
            let mail = (events[0].kind == EventKind::Escalated)
                .then(|| escalation_mail(&visit, &settings.lkpp_email, &settings.office_name))
                .flatten();
            if let Some(mail) = mail {
                sqlx::query(
                    "INSERT INTO mail_outbox (id, visit_id, recipient, subject, body, status, attempts, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)",
                )
                .bind(new_id())
                .bind(&visit.id)
                .bind(&mail.to)
                .bind(&mail.subject)
                .bind(&mail.body)
                .bind(ms(now))
                .execute(w.conn())
                .await?;
            }
            // The archived record is immutable: a change after the archive is a new version.
            let rearchive = (was == Status::Archived && events[0].kind != EventKind::Archived)
                .then(|| visit.archive.clone())
                .flatten();
            if let Some(prev) = rearchive {
                let stamp = ArchiveStamp { number: prev.number, archived_at: now, version: prev.version + 1 };
                let by = events[0].by.clone();
                let archive = store_document(w.conn(), &self.renderer, &visit, stamp).await?;
                events.push(visit.rearchive(archive, now, &by)?);
            }
            Self::save(&mut w, &visit, &events).await?;
            Ok(visit)
        }
        .await;
        self.close(w, result).await
    }

    async fn check_visit(&self, id: &str, priority_lane: bool, now: DateTime<Utc>, by: &str) -> Result<Checked> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            let mut visit = load_visit(w.conn(), id, true).await?;
            let (event, incomplete) = match visit.check(&settings.required_fields, &settings.priorities)? {
                Check::Complete => {
                    let day = office_day(now, settings.zone());
                    let n = next_in_sequence(w.conn(), &format!("number:{}:{day}", visit.service)).await?;
                    let position = next_in_sequence(w.conn(), "position").await?;
                    let ticket = Ticket { number: queue_number(&visit.service, n), day, position, priority_lane };
                    (visit.enqueue(ticket, now, by)?, None)
                }
                Check::Incomplete(errors) => (visit.mark_incomplete(&errors, now, by)?, Some(errors)),
            };
            Self::save(&mut w, &visit, &[event]).await?;
            Ok(Checked { visit, incomplete })
        }
        .await;
        self.close(w, result).await
    }

    async fn call_next(&self, counter: &str, service: Option<&str>, now: DateTime<Utc>, by: &str) -> Result<Option<Visit>> {
        let settings = self.settings().await?;
        let desk = settings.counter(counter).ok_or(StoreError::NotFound)?;
        let services: Vec<String> = match service {
            Some(s) if desk.services.iter().any(|d| d == s) => vec![s.to_owned()],
            Some(_) => return Err(Refused::validation("service", "not_served").into()),
            None => desk.services.clone(),
        };
        let mut w = self.begin_write().await?;
        let result = async {
            Self::lock_counter(w.conn(), counter).await?;
            let busy: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM visits WHERE office_id = $1 AND counter = $2 AND status IN ('called', 'in_service')",
            )
            .bind(OFFICE)
            .bind(counter)
            .fetch_one(w.conn())
            .await?;
            if busy > 0 {
                return Err(Refused::CounterBusy.into());
            }
            let Some(mut visit) = claim_first_waiting(w.conn(), &services).await? else {
                return Ok(None);
            };
            let event = visit.call(counter, now, by)?;
            Self::save(&mut w, &visit, &[event]).await?;
            Ok(Some(visit))
        }
        .await;
        self.close(w, result).await
    }

    async fn skip(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Skipped> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            // The counter is locked before the visit, in the same order as `call_next`.
            let counter = load_visit(w.conn(), id, false).await?.queue.counter.unwrap_or_default();
            Self::lock_counter(w.conn(), &counter).await?;
            let mut skipped = load_visit(w.conn(), id, true).await?;
            skipped.ensure_skippable()?;
            let services = settings.counter(&counter).map(|c| c.services.clone()).unwrap_or_else(|| vec![skipped.service.clone()]);
            let next = match claim_first_waiting(w.conn(), &services).await? {
                Some(mut next) => {
                    let event = next.call(&counter, now, by)?;
                    Self::save(&mut w, &next, &[event]).await?;
                    Some(next)
                }
                None => None,
            };
            let head: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(position) FROM visits WHERE office_id = $1 AND status = 'waiting' AND priority_lane = $2",
            )
            .bind(OFFICE)
            .bind(skipped.queue.priority_lane)
            .fetch_one(w.conn())
            .await?;
            let event = skipped.skip(settings.calling, head, now, by)?;
            Self::save(&mut w, &skipped, &[event]).await?;
            Ok(Skipped { skipped, next })
        }
        .await;
        self.close(w, result).await
    }

    async fn archive_visit(&self, id: &str, now: DateTime<Utc>, by: &str) -> Result<Visit> {
        let settings = self.settings().await?;
        let mut w = self.begin_write().await?;
        let result = async {
            let mut visit = load_visit(w.conn(), id, true).await?;
            visit.ensure_archivable()?;
            let day = office_day(now, settings.zone());
            let seq = next_in_sequence(w.conn(), &format!("archive:{}", day.format("%Y"))).await?;
            let stamp = ArchiveStamp { number: archive_number(&settings.archive_pattern, day, seq), archived_at: now, version: 1 };
            let archive = store_document(w.conn(), &self.renderer, &visit, stamp).await?;
            let event = visit.archive(archive, now, by)?;
            Self::save(&mut w, &visit, &[event]).await?;
            Ok(visit)
        }
        .await;
        self.close(w, result).await
    }

    async fn archived_document(&self, id: &str, version: Option<u32>) -> Result<Option<ArchivedDocument>> {
        let row = sqlx::query(
            "SELECT version, number, sha256, content, archived_at FROM archived_documents \
             WHERE visit_id = $1 AND ($2 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .bind(version.map(i64::from))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(ArchivedDocument {
                version: r.try_get::<i64, _>("version")? as u32,
                number: r.try_get("number")?,
                sha256: r.try_get("sha256")?,
                content: r.try_get("content")?,
                archived_at: from_ms(r.try_get("archived_at")?),
            })
        })
        .transpose()
    }

    async fn queue(&self, service: Option<&str>) -> Result<QueueView> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT status, data FROM visits WHERE office_id = $1 AND status IN ('waiting', 'called') \
             AND ($2 IS NULL OR service = $2) ORDER BY priority_lane DESC, position ASC, id ASC",
        )
        .bind(OFFICE)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        let mut view = QueueView::default();
        for (status, data) in rows {
            let visit: Visit = serde_json::from_str(&data)?;
            if status == "waiting" { view.waiting.push(visit) } else { view.called.push(visit) }
        }
        view.called.sort_by_key(|v| v.queue.called_at);
        Ok(view)
    }

    async fn display(&self, service: Option<&str>) -> Result<DisplayBoard> {
        let mut board = DisplayBoard::default();
        let settings = self.settings().await?;
        for s in settings.services.iter().filter(|s| service.is_none_or(|x| x == s.code)) {
            board.waiting.insert(s.code.clone(), 0);
        }
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT service, COUNT(*) FROM visits WHERE office_id = $1 AND status = 'waiting' AND ($2 IS NULL OR service = $2) \
             GROUP BY service",
        )
        .bind(OFFICE)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        for (s, n) in counts {
            board.waiting.insert(s, n as u64);
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT status, data FROM visits WHERE office_id = $1 AND status IN ('called', 'in_service') \
             AND ($2 IS NULL OR service = $2) ORDER BY updated_at DESC",
        )
        .bind(OFFICE)
        .bind(service)
        .fetch_all(&self.pool)
        .await?;
        for (status, data) in rows {
            let v: Visit = serde_json::from_str(&data)?;
            let row = Calling {
                number: v.queue.number.unwrap_or_default(),
                counter: v.queue.counter.unwrap_or_default(),
                call_count: v.queue.call_count,
                called_at: v.queue.called_at.unwrap_or(v.updated_at),
            };
            if status == "called" { board.calling.push(row) } else { board.serving.push(row) }
        }
        board.calling.sort_by_key(|c| std::cmp::Reverse(c.called_at));
        Ok(board)
    }

    async fn histories(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(Visit, Vec<Event>)>> {
        let (from, to) = (from.to_string(), to.to_string());
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, data FROM visits WHERE office_id = $1 AND created_day >= $2 AND created_day <= $3 ORDER BY id",
        )
        .bind(OFFICE)
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?;
        let event_rows = sqlx::query(
            "SELECT e.visit_id, e.kind, e.at, e.by_user, e.from_status, e.to_status, e.data FROM visit_events e \
             JOIN visits v ON v.id = e.visit_id \
             WHERE v.office_id = $1 AND v.created_day >= $2 AND v.created_day <= $3 ORDER BY e.visit_id, e.seq",
        )
        .bind(OFFICE)
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?;
        let mut by_visit: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        for r in &event_rows {
            by_visit.entry(r.try_get("visit_id")?).or_default().push(to_event(r)?);
        }
        rows.into_iter()
            .map(|(id, data)| Ok((serde_json::from_str(&data)?, by_visit.remove(&id).unwrap_or_default())))
            .collect()
    }

    async fn pending_mail(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT recipient, subject FROM mail_outbox WHERE status = 'pending' ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?)
    }

    fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }
}
