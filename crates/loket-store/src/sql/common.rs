// What both backends share: imports, row readers, the checks before a write, and the reads.
// Included by `sqlite.rs` and `postgres.rs` (with the other files of this folder), each of which
// defines before it `Db`, `Conn`, `StoreImpl` (with the fields `pool`, `live`, `cache`,
// `renderer`), `LOCK_ROW` and `after_commit`, and after it the `write_*` methods.

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

/// What live clients must hear about a write, gathered while it runs and told after its commit.
#[derive(Default)]
struct Told {
    live: Vec<LiveEvent>,
    /// Services whose waiting count changed.
    waiting_changed: Vec<String>,
}

impl Told {
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

/// What a change to a visit brings with it besides itself: the escalation e-mail for the outbox,
/// and, when an archived visit changed, the stamp of its new archived version (the archived record
/// is immutable: a later change is a new version, the earlier one kept).
fn follow_ups(
    visit: &Visit,
    was: Status,
    event: &Event,
    settings: &OfficeSettings,
    now: DateTime<Utc>,
) -> (Option<loket_domain::escalation::OutgoingMail>, Option<ArchiveStamp>) {
    let mail = (event.kind == EventKind::Escalated)
        .then(|| escalation_mail(visit, &settings.lkpp_email, &settings.office_name))
        .flatten();
    let rearchive = (was == Status::Archived && event.kind != EventKind::Archived)
        .then_some(visit.archive.as_ref())
        .flatten()
        .map(|prev| ArchiveStamp { number: prev.number.clone(), archived_at: now, version: prev.version + 1 });
    (mail, rearchive)
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
