// The SQL shared by both backends: imports, row helpers and the write transaction. Included by
// `sqlite.rs` and `postgres.rs` (with the other files of this folder), each of which defines before it: `Db`, `Conn`, `StoreImpl` (with the fields
// `pool`, `live`, `cache`, `renderer`), `LOCK_ROW`, `SKIP_LOCKED`, and the methods
// `begin_write`, `lock_counter`, `announce` and `after_commit`.

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
    ArchivedDocument, Calling, Change, Checked, DisplayBoard, LineStore, LiveEvent, NewUser, OpenVisit, QueueView, ReportStore, Result, SettingsStore, Skipped, UserStore, VisitStore,
    StoreError, User, UserRecord, VisitFilter, from_ms, ms, new_id, roles_from_text, roles_to_text, sha256_hex,
};

/// The one office of this deployment; every row already names its office.
const OFFICE: &str = "default";

/// A write transaction and the live events to publish once it commits.
struct WriteTx {
    tx: sqlx::Transaction<'static, Db>,
    live: Vec<LiveEvent>,
    /// Services whose waiting count changed.
    waiting_changed: Vec<String>,
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

/// Appends the visit's events from `from` on (those already stored are the ones before it).
async fn append_events(c: &mut Conn, visit: &Visit, from: usize) -> Result<()> {
    let visit_id = &visit.id;
    let mut seq = from as i64;
    for e in visit.history.iter().skip(from) {
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

/// The service and guest book entry of a visit to open (steps 1-2), checked.
fn opening(settings: &OfficeSettings, open: &OpenVisit) -> Result<(String, Visitor)> {
    let service = match &open.service {
        Some(code) if settings.services.iter().any(|s| &s.code == code) => code.clone(),
        Some(_) => return Err(Refused::validation("service", "unknown").into()),
        None => settings.services.first().map(|s| s.code.clone()).unwrap_or_else(|| "A".into()),
    };
    let visitor = Visitor::default().apply(&open.visitor).map_err(Refused::Validation)?;
    if visitor.name.is_none() {
        return Err(Refused::validation("visitor.name", "missing").into());
    }
    Ok((service, visitor))
}

/// The services a counter calls from now: all it serves, or the one asked for.
fn counter_services(settings: &OfficeSettings, counter: &str, service: Option<&str>) -> Result<Vec<String>> {
    let desk = settings.counter(counter).ok_or(StoreError::NotFound)?;
    match service {
        Some(s) if desk.services.iter().any(|d| d == s) => Ok(vec![s.to_owned()]),
        Some(_) => Err(Refused::validation("service", "not_served").into()),
        None => Ok(desk.services.clone()),
    }
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

    /// Writes the visit and the events it gained since its history had `from` entries.
    async fn save(w: &mut WriteTx, visit: &Visit, from: usize) -> Result<()> {
        update_visit(w.conn(), visit).await?;
        append_events(w.conn(), visit, from).await?;
        w.observe(visit, &visit.history[from.min(visit.history.len())..]);
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
