//! The write use cases, each written once for both databases. Each runs inside one write
//! transaction that its backend opened (see [`crate::Backend::write`]); rules are the domain's:
//! a use case loads what the rule needs, asks the domain, and writes what the domain decided.

use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::archive::{Archive, ArchivePattern, ArchiveStamp, CopyVia};
use loket_domain::auth::{Role, keeps_an_admin};
use loket_domain::calendar::DayOff;
use loket_domain::change_record::{self, AccountFacts, LogoFacts};
use loket_domain::escalation::OutgoingMail;
use loket_domain::history::Event;
use loket_domain::line::Requeue;
use loket_domain::logo::Logo;
use loket_domain::numbering::Sequence;
use loket_domain::office::{first_open_day, office_day, office_day_end};
use loket_domain::settings::{InUse, OfficeSettings, SettingsChange};
use loket_domain::survey::{self, Answers};
use loket_domain::visit::{Check, FollowUps, LinePlace, opening};
use loket_domain::{Refused, SYSTEM_ACTOR, Status, Visit};

use crate::change_records::record;
use crate::exec::{Col, Columns, FromRow, ReadOne, Sql, Tx, Value, WriteRows, int, opt_text, placeholders, text};
use crate::facts;
use crate::live::Announcements;
use crate::token::{hash_token, new_token};
use crate::{BoundRenderer, Change, Checked, NewUser, OFFICE, OpenVisit, Result, Skipped, StoreError, User};
use crate::{ms, new_id, roles_to_text, sha256_hex};

/// The visit, its row locked until the transaction ends (PostgreSQL), so that a change reads
/// what no one else changes meanwhile. [`read_visit`] reads it without a lock.
pub(crate) async fn load_visit(t: &mut dyn Tx, id: &str) -> Result<Visit> {
    let sql = format!("SELECT data FROM visits WHERE id = $1 AND office_id = $2{}", t.lock_rows());
    let data = t.text(&sql, &[text(id), text(OFFICE)]).await?.ok_or(StoreError::NotFound)?;
    Ok(serde_json::from_str(&data)?)
}

/// The visit as last committed (or as this transaction wrote it), without a lock.
pub(crate) async fn read_visit(r: &mut dyn Sql, id: &str) -> Result<Visit> {
    let data = r
        .text("SELECT data FROM visits WHERE id = $1 AND office_id = $2", &[text(id), text(OFFICE)])
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(serde_json::from_str(&data)?)
}

/// Writes the visit, inserted when it is new (`opened_on`: its office day), and appends the events
/// it gained since its history had `from` entries.
async fn store_visit(
    t: &mut dyn Tx,
    told: &mut Announcements,
    visit: &Visit,
    from: usize,
    opened_on: Option<NaiveDate>,
    settings: &OfficeSettings,
) -> Result<()> {
    // The steps the new events finish keep their time as measured now (the domain's rule).
    let mut sealed = visit.clone();
    loket_domain::standards::seal_finished_steps(&mut sealed.history, from, &settings.working_time());
    let visit = &sealed;
    let data = serde_json::to_string(visit)?;
    let number_day = visit.queue.day.map(|d| d.to_string());
    let opened_on = opened_on.map(|d| d.to_string());
    let row = Columns::new()
        .key("id", text(&visit.id))
        .set("status", text(visit.status.as_str()))
        .set("number", opt_text(visit.queue.number.as_deref()))
        .set("number_day", opt_text(number_day.as_deref()))
        .set("counter", opt_text(visit.queue.counter.as_deref()))
        .set("priority_lane", Value::Bool(visit.queue.priority_lane))
        .set("position", Value::Int(visit.queue.position))
        .set("updated_at", int(ms(visit.updated_at)))
        .set("data", text(&data));
    match opened_on.as_deref() {
        // What a visit is given once, when it is opened.
        Some(day) => {
            let row = row
                .on_insert("office_id", text(OFFICE))
                .on_insert("reference", text(&visit.reference))
                .on_insert("service", text(&visit.service))
                .on_insert("created_day", text(day))
                .on_insert("created_at", int(ms(visit.created_at)));
            t.insert("visits", &row).await?
        }
        None => t.update("visits", &row).await?,
    };
    // A new visit has no rows yet; a changed one had its facts written from its first `from` events.
    let stored = if opened_on.is_some() { Some(0) } else { Some(from) };
    let day = match opened_on {
        Some(day) => day,
        None => facts::opened_on(t, &visit.id).await?,
    };
    facts::store_facts(t, visit, &day, settings, visit.updated_at, stored).await?;
    append_events(t, told, visit, from).await
}

/// Writes a changed visit, its report facts, and the events it gained since its history had
/// `from` entries.
async fn save(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    visit: &Visit,
    from: usize,
) -> Result<()> {
    store_visit(t, told, visit, from, None, settings).await
}

/// Appends the visit's events from `from` on (those already stored are the ones before it).
async fn append_events(t: &mut dyn Tx, told: &mut Announcements, visit: &Visit, from: usize) -> Result<()> {
    let new: &[Event] = &visit.history[from.min(visit.history.len())..];
    for (i, e) in new.iter().enumerate() {
        let (kind, data) = (serde_json::to_value(e.kind)?, e.data.to_string());
        let row = Columns::new()
            .set("visit_id", text(&visit.id))
            .set("seq", int((from + i + 1) as i64))
            .set("kind", text(kind.as_str().unwrap_or_default()))
            .set("at", int(ms(e.at)))
            .set("by_user", text(&e.by))
            .set("from_status", opt_text(e.from.map(|s| s.as_str())))
            .set("to_status", text(e.to.as_str()))
            .set("data", text(&data));
        t.insert("visit_events", &row).await?;
    }
    told.observe(visit, new);
    Ok(())
}

/// The next value of a sequence of the office, starting at 1.
async fn next_in(t: &mut dyn Tx, sequence: &Sequence) -> Result<i64> {
    let key = sequence.key();
    t.int(
        "INSERT INTO sequences (office_id, name, last) VALUES ($1, $2, 1) \
         ON CONFLICT (office_id, name) DO UPDATE SET last = sequences.last + 1 RETURNING last",
        &[text(OFFICE), text(&key)],
    )
    .await?
    .ok_or_else(|| StoreError::Corrupt(format!("sequence {key} returned nothing")))
}

/// Stores the archived document of a visit as it is now, and returns what the visit records.
async fn store_document(
    t: &mut dyn Tx,
    renderer: &BoundRenderer,
    settings: &OfficeSettings,
    visit: &Visit,
    stamp: ArchiveStamp,
) -> Result<Archive> {
    let content = renderer(visit, settings, &stamp).map_err(StoreError::Document)?;
    let sha256 = sha256_hex(&content);
    insert_document(t, &visit.id, stamp, &content, sha256).await
}

/// Stores a document made for a visit, with its SHA-256 (hex), and returns what the visit records.
async fn insert_document(
    t: &mut dyn Tx,
    visit_id: &str,
    stamp: ArchiveStamp,
    content: &[u8],
    sha256: String,
) -> Result<Archive> {
    let row = Columns::new()
        .set("visit_id", text(visit_id))
        .set("version", int(i64::from(stamp.version)))
        .set("number", text(&stamp.number))
        .set("sha256", text(&sha256))
        .set("content", Value::Blob(content))
        .set("archived_at", int(ms(stamp.archived_at)));
    t.insert("archived_documents", &row).await?;
    t.execute(
        "DELETE FROM archive_reservations WHERE visit_id = $1 AND version = $2",
        &[text(visit_id), int(i64::from(stamp.version))],
    )
    .await?;
    Ok(Archive { number: stamp.number, archived_at: stamp.archived_at, sha256, version: stamp.version })
}

/// The first visit waiting for any of these services: priority lane first, then by position.
async fn claim_first_waiting(t: &mut dyn Tx, services: &[String]) -> Result<Option<Visit>> {
    let sql = format!(
        "SELECT data FROM visits WHERE office_id = $1 AND status = 'waiting' AND service IN ({}) \
         ORDER BY priority_lane DESC, position ASC, id ASC LIMIT 1{}",
        placeholders(2, services.len()),
        t.skip_locked()
    );
    let mut params = vec![text(OFFICE)];
    params.extend(services.iter().map(|s| text(s)));
    match t.text(&sql, &params).await? {
        Some(data) => Ok(Some(serde_json::from_str(&data)?)),
        None => Ok(None),
    }
}

/// Adds the waiting counts that changed to what live clients are told.
pub(crate) async fn tell_waiting(t: &mut dyn Tx, told: &mut Announcements) -> Result<()> {
    for service in std::mem::take(&mut told.waiting_changed) {
        let waiting = t
            .int(
                "SELECT COUNT(*) FROM visits WHERE office_id = $1 AND service = $2 AND status = 'waiting'",
                &[text(OFFICE), text(&service)],
            )
            .await?
            .unwrap_or_default();
        told.live.push(crate::LiveEvent::Queue { service, waiting: waiting as u64 });
    }
    Ok(())
}

/// Replaces one part of the settings. The settings it is checked against, and the visits that
/// may depend on what it removes, are read in the same transaction.
pub(crate) async fn change_settings(
    t: &mut dyn Tx,
    told: &mut Announcements,
    change: SettingsChange,
    by: &str,
    now: DateTime<Utc>,
) -> Result<OfficeSettings> {
    // Every settings change takes the same row lock first, so two changes never check against
    // the same old settings.
    t.execute(
        "INSERT INTO sequences (office_id, name, last) VALUES ($1, 'settings', 1) \
         ON CONFLICT (office_id, name) DO UPDATE SET last = sequences.last + 1",
        &[text(OFFICE)],
    )
    .await?;
    let current = crate::reads::settings(t).await?;
    let kind = change.kind();
    let next = current.with(change)?;
    if let Some(stranded) = current.stranded(&next, &in_use(t).await?) {
        return Err(Refused::InUse(stranded).into());
    }
    let before: std::collections::BTreeMap<String, serde_json::Value> = current.entries().into_iter().collect();
    for (key, value) in next.entries() {
        if before.get(&key) == Some(&value) {
            continue;
        }
        let value = value.to_string();
        let row = Columns::new()
            .key("office_id", text(OFFICE))
            .key("key", text(&key))
            .set("value", text(&value))
            .set("updated_at", int(ms(now)))
            .set("updated_by", text(by));
        t.upsert("settings", &row).await?;
    }
    record(t, &change_record::settings_change(kind, &current, &next), by, now).await?;
    told.settings_changed = true;
    Ok(next)
}

/// Adds a day off, or replaces the one of its date.
pub(crate) async fn put_day_off(
    t: &mut dyn Tx,
    told: &mut Announcements,
    day: &DayOff,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let date = day.date.format("%Y-%m-%d").to_string();
    let before = day_off(t, &date).await?;
    let row = Columns::new()
        .key("office_id", text(OFFICE))
        .key("day", text(&date))
        .set("kind", text(day.kind.as_str()))
        .set("name", text(&day.name))
        .set("updated_at", int(ms(now)))
        .set("updated_by", text(by));
    t.upsert("days_off", &row).await?;
    record(t, &change_record::day_off_change(day.date, before.as_ref(), Some(day)), by, now).await?;
    told.settings_changed = true;
    Ok(())
}

/// The day off of a date (`YYYY-MM-DD`), its row locked until the transaction ends.
async fn day_off(t: &mut dyn Tx, date: &str) -> Result<Option<DayOff>> {
    let sql = format!(
        "SELECT {} FROM days_off WHERE office_id = $1 AND day = $2{}",
        <DayOff as FromRow>::select(None),
        t.lock_rows()
    );
    t.first(&sql, &[text(OFFICE), text(date)]).await
}

pub(crate) async fn delete_day_off(
    t: &mut dyn Tx,
    told: &mut Announcements,
    date: NaiveDate,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let day = date.format("%Y-%m-%d").to_string();
    let Some(before) = day_off(t, &day).await? else { return Ok(false) };
    t.execute("DELETE FROM days_off WHERE office_id = $1 AND day = $2", &[text(OFFICE), text(&day)]).await?;
    record(t, &change_record::day_off_change(date, Some(&before), None), by, now).await?;
    told.settings_changed = true;
    Ok(true)
}

/// Sets the office's logo, replacing the one before; every instance forgets the logo it kept. The
/// change record says what it was and is (type, size, SHA-256), never the bytes.
pub(crate) async fn put_office_logo(
    t: &mut dyn Tx,
    told: &mut Announcements,
    logo: &Logo,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let before = office_logo_facts(t).await?;
    let sha256 = sha256_hex(logo.bytes());
    let row = Columns::new()
        .key("office_id", text(OFFICE))
        .set("content_type", text(logo.content_type()))
        .set("bytes", Value::Blob(logo.bytes()))
        .set("sha256", text(&sha256))
        .set("updated_at", int(ms(now)))
        .set("updated_by", text(by));
    t.upsert("office_logo", &row).await?;
    let after = LogoFacts { content_type: logo.content_type().to_owned(), size: logo.bytes().len() as u64, sha256 };
    record(t, &change_record::logo_change(before.as_ref(), Some(&after)), by, now).await?;
    told.logo_changed = true;
    Ok(())
}

/// Removes the office's logo; false when there was none (and nothing is recorded).
pub(crate) async fn delete_office_logo(
    t: &mut dyn Tx,
    told: &mut Announcements,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(before) = office_logo_facts(t).await? else { return Ok(false) };
    t.execute("DELETE FROM office_logo WHERE office_id = $1", &[text(OFFICE)]).await?;
    record(t, &change_record::logo_change(Some(&before), None), by, now).await?;
    told.logo_changed = true;
    Ok(true)
}

/// What the change record says of the office's logo (not its bytes), its row locked until the
/// transaction ends.
async fn office_logo_facts(t: &mut dyn Tx) -> Result<Option<LogoFacts>> {
    let sql = format!(
        "SELECT content_type, CAST(length(bytes) AS BIGINT), sha256 FROM office_logo WHERE office_id = $1{}",
        t.lock_rows()
    );
    let rows = t.rows(&sql, &[text(OFFICE)], &[Col::Text, Col::Int, Col::Text]).await?;
    let Some(mut row) = rows.into_iter().next() else { return Ok(None) };
    let (content_type, size, sha256) = (row.text()?, row.int()?, row.text()?);
    let size = u64::try_from(size).map_err(|_| StoreError::Corrupt(format!("logo size {size}")))?;
    Ok(Some(LogoFacts { content_type, size, sha256 }))
}

/// Many days off in this one transaction: a date given twice refuses the whole import, even
/// after the rows before it were written (they are rolled back with it).
pub(crate) async fn import_days_off(
    t: &mut dyn Tx,
    told: &mut Announcements,
    days: &[DayOff],
    by: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    for (i, day) in days.iter().enumerate() {
        if days[..i].iter().any(|d| d.date == day.date) {
            return Err(Refused::validation(&format!("[{i}].date"), "duplicate").into());
        }
        put_day_off(t, told, day, by, now).await?;
    }
    Ok(days.len())
}

/// What the visits now in the office depend on: counters calling or serving, services with
/// visits in line, categories named by visits before their answer or escalation.
async fn in_use(t: &mut dyn Tx) -> Result<InUse> {
    let open = [Status::FormSubmitted, Status::FormIncomplete, Status::Waiting, Status::Called, Status::InService];
    let sql = format!(
        "SELECT status, service, counter, data FROM visits WHERE office_id = $1 AND status IN ({})",
        placeholders(2, open.len())
    );
    let mut params = vec![text(OFFICE)];
    params.extend(open.iter().map(|s| text(s.as_str())));
    let rows = t.rows(&sql, &params, &[Col::Text, Col::Text, Col::OptText, Col::Text]).await?;
    let mut used = InUse::default();
    for mut row in rows {
        let status = row.text()?;
        let status = Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?;
        let (service, counter, data) = (row.text()?, row.opt_text()?, row.text()?);
        if status.occupies_counter() {
            used.counters.extend(counter);
        }
        if status.in_line() {
            used.services.push(service);
        }
        let visit: Visit = serde_json::from_str(&data)?;
        used.categories.extend(visit.form.category);
    }
    Ok(used)
}

pub(crate) async fn add_user(t: &mut dyn Tx, user: &NewUser, by: &str, now: DateTime<Utc>) -> Result<()> {
    if t.text("SELECT username FROM users WHERE username = $1", &[text(&user.username)]).await?.is_some() {
        return Err(StoreError::Duplicate);
    }
    let roles = roles_to_text(&user.roles);
    let row = Columns::new()
        .set("username", text(&user.username))
        .set("full_name", text(&user.full_name))
        .set("password_hash", text(&user.password_hash))
        .set("roles", text(&roles))
        .set("disabled", Value::Bool(false))
        .set("password_change_required", Value::Bool(user.password_change_required))
        .set("created_at", int(ms(now)));
    t.insert("users", &row).await?;
    let created = AccountFacts {
        full_name: Some(user.full_name.clone()),
        roles: Some(user.roles.clone()),
        disabled: Some(false),
    };
    record(t, &change_record::account_change(&user.username, None, &created), by, now).await?;
    Ok(())
}

pub(crate) async fn set_password(
    t: &mut dyn Tx,
    username: &str,
    password_hash: &str,
    change_required: bool,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let row = Columns::new()
        .key("username", text(username))
        .set("password_hash", text(password_hash))
        .set("password_change_required", Value::Bool(change_required));
    let n = t.update("users", &row).await?;
    t.execute("DELETE FROM sessions WHERE username = $1", &[text(username)]).await?;
    if n > 0 {
        record(t, &change_record::password_change(username, change_required), by, now).await?;
    }
    Ok(n > 0)
}

pub(crate) async fn set_disabled(
    t: &mut dyn Tx,
    username: &str,
    disabled: bool,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some((was, _)) = change_account(t, username, |u| u.disabled = disabled).await? else { return Ok(false) };
    t.update("users", &Columns::new().key("username", text(username)).set("disabled", Value::Bool(disabled))).await?;
    if disabled {
        t.execute("DELETE FROM sessions WHERE username = $1", &[text(username)]).await?;
    }
    let facts = |disabled| AccountFacts { disabled: Some(disabled), ..AccountFacts::default() };
    record(t, &change_record::account_change(username, Some(&facts(was.disabled)), &facts(disabled)), by, now).await?;
    Ok(true)
}

pub(crate) async fn set_language(t: &mut dyn Tx, username: &str, language: &str) -> Result<bool> {
    let n = t.update("users", &Columns::new().key("username", text(username)).set("language", text(language))).await?;
    Ok(n > 0)
}

/// A user's full name and roles, replaced. None when there is no such user.
pub(crate) async fn change_user(
    t: &mut dyn Tx,
    username: &str,
    full_name: &str,
    roles: &[Role],
    by: &str,
    now: DateTime<Utc>,
) -> Result<Option<User>> {
    let changed = change_account(t, username, |u| {
        u.full_name = full_name.to_owned();
        u.roles = roles.to_vec();
    })
    .await?;
    let Some((was, is)) = changed else { return Ok(None) };
    let roles = roles_to_text(roles);
    let row =
        Columns::new().key("username", text(username)).set("full_name", text(full_name)).set("roles", text(&roles));
    t.update("users", &row).await?;
    let facts =
        |u: &User| AccountFacts { full_name: Some(u.full_name.clone()), roles: Some(u.roles.clone()), disabled: None };
    record(t, &change_record::account_change(username, Some(&facts(&was)), &facts(&is)), by, now).await?;
    Ok(Some(is))
}

/// The account of `username` before and after `apply`, checked by the domain's rule that the
/// office keeps an enabled admin. Every such change takes the same row lock first, so that two admins taking
/// the role from each other at the same instant cannot both pass the check.
async fn change_account(t: &mut dyn Tx, username: &str, apply: impl FnOnce(&mut User)) -> Result<Option<(User, User)>> {
    t.execute(
        "INSERT INTO sequences (office_id, name, last) VALUES ($1, 'accounts', 1) \
         ON CONFLICT (office_id, name) DO UPDATE SET last = sequences.last + 1",
        &[text(OFFICE)],
    )
    .await?;
    let before = crate::reads::users(t).await?;
    let Some(i) = before.iter().position(|u| u.username == username) else { return Ok(None) };
    let mut after = before.clone();
    apply(&mut after[i]);
    let accounts = |users: &[User]| users.iter().map(|u| (u.roles.clone(), u.disabled)).collect::<Vec<_>>();
    let (was, will) = (accounts(&before), accounts(&after));
    keeps_an_admin(was.iter().map(|(r, d)| (r.as_slice(), *d)), will.iter().map(|(r, d)| (r.as_slice(), *d)))?;
    Ok(Some((before[i].clone(), after[i].clone())))
}

pub(crate) async fn add_session(
    t: &mut dyn Tx,
    token_hash: &str,
    username: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    // Expired sessions are removed as new ones are made.
    t.execute("DELETE FROM sessions WHERE expires_at < $1", &[int(ms(now))]).await?;
    let row = Columns::new()
        .set("token_hash", text(token_hash))
        .set("username", text(username))
        .set("created_at", int(ms(now)))
        .set("expires_at", int(ms(expires_at)));
    t.insert("sessions", &row).await?;
    Ok(())
}

pub(crate) async fn end_session(t: &mut dyn Tx, token_hash: &str) -> Result<()> {
    t.execute("DELETE FROM sessions WHERE token_hash = $1", &[text(token_hash)]).await?;
    Ok(())
}

/// The pages a token opens about one visit, each token kept by its hash in its own table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum VisitLink {
    /// The visitor's status page (`status_tokens`).
    Status,
    /// The satisfaction survey (`survey_tokens`).
    Survey,
}

/// A token of a visit's page, by its hash; the expired tokens of that page are removed as new ones
/// are made.
pub(crate) async fn add_visit_link(
    t: &mut dyn Tx,
    link: VisitLink,
    token_hash: &str,
    visit_id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let table = match link {
        VisitLink::Status => "status_tokens",
        VisitLink::Survey => "survey_tokens",
    };
    t.execute(&format!("DELETE FROM {table} WHERE expires_at <= $1"), &[int(ms(now))]).await?;
    let row = Columns::new()
        .set("token_hash", text(token_hash))
        .set("office_id", text(OFFICE))
        .set("visit_id", text(visit_id))
        .set("created_at", int(ms(now)))
        .set("expires_at", int(ms(expires_at)));
    t.insert(table, &row).await?;
    Ok(())
}

/// Records a visit's survey response, the only one it will have (the visit's row is locked while
/// it is checked, and the table's key refuses a second one in any case).
pub(crate) async fn answer_survey(
    t: &mut dyn Tx,
    token_hash: &str,
    answers: &Answers,
    now: DateTime<Utc>,
) -> Result<()> {
    let visit_id = t
        .text(
            "SELECT visit_id FROM survey_tokens WHERE token_hash = $1 AND office_id = $2 AND expires_at > $3",
            &[text(token_hash), text(OFFICE), int(ms(now))],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let visit = load_visit(t, &visit_id).await?;
    if !survey::can_survey(visit.status) {
        return Err(Refused::InvalidTransition { from: visit.status, action: "surveyed" }.into());
    }
    let answered = t.int("SELECT COUNT(*) FROM survey_responses WHERE visit_id = $1", &[text(&visit.id)]).await?;
    if answered.unwrap_or(0) > 0 {
        return Err(Refused::SurveyAnswered.into());
    }
    let day = t
        .text("SELECT created_day FROM visits WHERE id = $1", &[text(&visit.id)])
        .await?
        .ok_or(StoreError::NotFound)?;
    let served_by = survey::served_by(&visit.history).unwrap_or_default().to_owned();
    let r = &answers.respondent;
    let (age_group, sex, education, occupation) = (
        r.age_group.map(|v| survey::code_of(&v)),
        r.sex.map(|v| survey::code_of(&v)),
        r.education.map(|v| survey::code_of(&v)),
        r.occupation.map(|v| survey::code_of(&v)),
    );
    let mut row = Columns::new()
        .set("visit_id", text(&visit.id))
        .set("office_id", text(OFFICE))
        .set("visit_day", text(&day))
        .set("service", text(&visit.service))
        .set("served_by", text(&served_by))
        .set("answered_at", int(ms(now)))
        .set("comment", opt_text(answers.comment.as_deref()))
        .set("age_group", opt_text(age_group.as_deref()))
        .set("sex", opt_text(sex.as_deref()))
        .set("education", opt_text(education.as_deref()))
        .set("occupation", opt_text(occupation.as_deref()));
    // The score of each of the nine elements, U1 to U9.
    const SCORES: [&str; 9] = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"];
    for (column, score) in SCORES.into_iter().zip(&answers.scores) {
        row = row.set(column, int(i64::from(score.value())));
    }
    t.insert("survey_responses", &row).await?;
    Ok(())
}

/// Steps 1-2 (and 3 from the kiosk).
pub(crate) async fn open_visit(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    open: &OpenVisit,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Visit> {
    let (service, visitor) = opening(settings, open.service.as_deref(), &open.visitor)?;
    let day = office_day(now, settings.zone());
    let sequence = Sequence::Reference(day);
    let reference = sequence.format(next_in(t, &sequence).await?);
    let (mut visit, _) = Visit::open(new_id(), reference, service, visitor, settings, now, by);
    if let Some(form) = &open.form {
        visit.save_form(None, form, settings, now, by)?;
    }
    store_visit(t, told, &visit, 0, Some(day), settings).await?;
    Ok(visit)
}

/// Puts a mail in the outbox, with its own Message-ID (a reply names it).
async fn queue_mail(t: &mut dyn Tx, visit: &Visit, mail: &OutgoingMail, now: DateTime<Utc>) -> Result<()> {
    let id = new_id();
    let message_id = format!("<{}.{id}@loket>", visit.reference);
    let row = Columns::new()
        .set("id", text(&id))
        .set("visit_id", text(&visit.id))
        .set("recipient", text(&mail.to))
        .set("subject", text(&mail.subject))
        .set("body", text(&mail.body))
        .set("status", text("pending"))
        .set("attempts", int(0))
        .set("created_at", int(ms(now)))
        .set("kind", text(mail.kind.as_str()))
        .set("attach_form", Value::Bool(mail.attach_form))
        .set("message_id", text(&message_id))
        .set("next_attempt_at", int(ms(now)));
    t.insert("mail_outbox", &row).await?;
    Ok(())
}

/// One domain transition of a visit, with what it brings along (the escalation mail, a new
/// archived version).
pub(crate) async fn change_visit(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    id: &str,
    now: DateTime<Utc>,
    change: Change,
) -> Result<Visit> {
    let mut visit = load_visit(t, id).await?;
    let was = visit.status;
    let before = visit.history.len();
    let event = change(&mut visit, settings)?;
    follow_up(t, told, settings, renderer, &mut visit, was, before, &event, now).await?;
    Ok(visit)
}

/// What a change of a visit brings with it (its survey link, its mail, a new archived version),
/// then the visit saved.
#[allow(clippy::too_many_arguments)]
async fn follow_up(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    visit: &mut Visit,
    was: Status,
    before: usize,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<()> {
    let FollowUps { mail, new_version, survey_link } = visit.follow_ups(was, event, settings, now);
    if survey_link {
        // Kept with the visit, as the status token is, so that every copy of the form shows it.
        let token = new_token();
        let expires = now + chrono::Days::new(survey::LINK_DAYS);
        add_visit_link(t, VisitLink::Survey, &hash_token(&token), &visit.id, now, expires).await?;
        visit.survey_token = Some(token);
    }
    if let Some(mail) = mail {
        queue_mail(t, visit, &mail, now).await?;
    }
    if let Some(stamp) = new_version {
        let archive = store_document(t, renderer, settings, visit, stamp).await?;
        visit.rearchive(archive, now, &event.by)?;
        crate::archive_search::index_visit(t, settings, visit).await?;
    }
    save(t, told, settings, visit, before).await
}

/// Step 4, with 5-7 or 6.
pub(crate) async fn check_visit(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    id: &str,
    priority_lane: bool,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Checked> {
    let mut visit = load_visit(t, id).await?;
    let before = visit.history.len();
    let incomplete = match visit.check(&settings.office.required_fields, &settings.priorities)? {
        Check::Complete => {
            let day = settings.numbering_day(now)?;
            let numbers = Sequence::Number { service: visit.service.clone(), day };
            let number = numbers.format(next_in(t, &numbers).await?);
            let position = next_in(t, &Sequence::Place).await?;
            // The visitor's status page: the token is kept with the visit, so that every read of
            // it can show the address, and by its hash for the page to find the visit.
            let status_token = new_token();
            let expires = office_day_end(now, settings.zone(), settings.office.closing_time);
            add_visit_link(t, VisitLink::Status, &hash_token(&status_token), id, now, expires).await?;
            visit.enqueue(LinePlace { number, day, position, priority_lane, status_token }, settings, now, by)?;
            None
        }
        Check::Incomplete(errors) => {
            visit.mark_incomplete(&errors, settings, now, by)?;
            Some(errors)
        }
    };
    save(t, told, settings, &visit, before).await?;
    Ok(Checked { visit, incomplete })
}

/// Step 12, first part: the visit ready to be archived, and its archive number, taken once and
/// kept until its document is stored (a later try takes the same number, so a failed try
/// leaves no gap). The document is then made outside the writer.
/// The stamp of the next fixed document of a visit: its archive number (the visit's, or one
/// taken now and kept for it, see migration 0010) and the version after its latest document.
async fn next_stamp(
    t: &mut dyn Tx,
    settings: &OfficeSettings,
    visit: &Visit,
    now: DateTime<Utc>,
) -> Result<ArchiveStamp> {
    if let Some(latest) = visit.latest_document() {
        return Ok(ArchiveStamp { number: latest.number.clone(), archived_at: now, version: latest.version + 1 });
    }
    let id = visit.id.as_str();
    let reserved =
        t.text("SELECT number FROM archive_reservations WHERE visit_id = $1 AND version = 1", &[text(id)]).await?;
    let number = match reserved {
        Some(number) => number,
        None => {
            let day = office_day(now, settings.zone());
            // Only valid patterns are ever saved; a stored one that no longer parses counts by the default.
            let pattern = ArchivePattern::parse(&settings.office.archive_pattern).unwrap_or_default();
            let seq = next_in(t, &Sequence::Archive(pattern.period(day))).await?;
            let number = pattern.number(&settings.office.office_name, day, seq);
            let row = Columns::new()
                .set("visit_id", text(id))
                .set("version", int(1))
                .set("number", text(&number))
                .set("reserved_at", int(ms(now)));
            t.insert("archive_reservations", &row).await?;
            number
        }
    };
    Ok(ArchiveStamp { number, archived_at: now, version: 1 })
}

/// Step 12, first part: the visit as it is, and the stamp of the document to make for its
/// archive; no stamp when the archive takes the document given as the visitor's copy.
pub(crate) async fn reserve_archive(
    t: &mut dyn Tx,
    settings: &OfficeSettings,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(Visit, Option<ArchiveStamp>)> {
    // Locked, so that two tries for one visit take one number.
    let visit = load_visit(t, id).await?;
    visit.ensure_archivable()?;
    if visit.document_current().is_some() {
        return Ok((visit, None));
    }
    let stamp = next_stamp(t, settings, &visit, now).await?;
    Ok((visit, Some(stamp)))
}

/// Step 12 for a visit whose copy was given: the document given is the one archived (its
/// SHA-256 is the archive's). A visit changed since the copy (LKPP's answer, the escalation mail
/// gone) gets a new version, made here.
pub(crate) async fn adopt_archive(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    id: &str,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Visit> {
    let mut visit = load_visit(t, id).await?;
    visit.ensure_archivable()?;
    let archive = match visit.document_current() {
        Some(given) => Archive { archived_at: now, ..given.clone() },
        None => {
            let stamp = next_stamp(t, settings, &visit, now).await?;
            store_document(t, renderer, settings, &visit, stamp).await?
        }
    };
    archive_with(t, told, settings, &mut visit, archive, now, by).await?;
    Ok(visit)
}

/// Step 12's end: the visit archived with `archive`, indexed for the search, saved.
async fn archive_with(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    visit: &mut Visit,
    archive: Archive,
    now: DateTime<Utc>,
    by: &str,
) -> Result<()> {
    let before = visit.history.len();
    visit.archive(archive, now, by)?;
    crate::archive_search::index_visit(t, settings, visit).await?;
    save(t, told, settings, visit, before).await
}

/// Step 12, the copy, first part: the visit as it will be once the copy is given, and the stamp
/// of the document to fix for it; `None` when the copy needs none (declined, or the document
/// given before still says what the visit says). Nothing is written but a reserved number.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn prepare_copy(
    t: &mut dyn Tx,
    settings: &OfficeSettings,
    id: &str,
    via: CopyVia,
    now: DateTime<Utc>,
    by: &str,
    for_anyone: bool,
) -> Result<Option<(Visit, ArchiveStamp)>> {
    let visit = load_visit(t, id).await?;
    visit.check_server(by, for_anyone)?;
    copy_document_to_make(t, settings, &visit, via, now, by).await
}

/// The visit as its copy's document shows it (the copy recorded, so that the document says how
/// it was given) and the document's stamp; `None` when the copy needs no new document.
async fn copy_document_to_make(
    t: &mut dyn Tx,
    settings: &OfficeSettings,
    visit: &Visit,
    via: CopyVia,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Option<(Visit, ArchiveStamp)>> {
    if !visit.copy_needs_document(via) {
        return Ok(None);
    }
    let stamp = next_stamp(t, settings, visit, now).await?;
    let mut given = visit.clone();
    given.give_copy(via, now, by)?;
    Ok(Some((given, stamp)))
}

/// Step 12, the copy: recorded with the document given, fixed now as an archived version (the
/// visitor's copy is byte for byte the archived document). `made` is the document made outside
/// the writer from the visit as it was; a visit changed since has it made again here.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn give_copy(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    id: &str,
    via: CopyVia,
    made: Option<MadeDocument>,
    now: DateTime<Utc>,
    by: &str,
    for_anyone: bool,
) -> Result<Visit> {
    let mut visit = load_visit(t, id).await?;
    visit.check_server(by, for_anyone)?;
    let was = visit.status;
    let before = visit.history.len();
    let fixed = match (copy_document_to_make(t, settings, &visit, via, now, by).await?, made) {
        (None, _) => None,
        (Some(_), Some(made)) if made.made_from == before => {
            Some(insert_document(t, id, made.stamp, &made.content, made.sha256).await?)
        }
        // Not made outside the writer, or made from the visit as it was before a change: made here.
        (Some((given, stamp)), _) => Some(store_document(t, renderer, settings, &given, stamp).await?),
    };
    let event = visit.give_copy_of(via, fixed, now, by)?;
    follow_up(t, told, settings, renderer, &mut visit, was, before, &event, now).await?;
    Ok(visit)
}

/// A visit's archived document, made outside the writer.
pub(crate) struct MadeDocument {
    pub stamp: ArchiveStamp,
    pub content: Vec<u8>,
    /// Its SHA-256, hex, computed with it (outside the writer too).
    pub sha256: String,
    /// The length of the history the document was made from.
    pub made_from: usize,
}

/// Step 12, second part: archives the visit with the document made from it, unless the visit
/// changed since: then nothing is stored, and `None` says so.
pub(crate) async fn store_archive(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    id: &str,
    made: MadeDocument,
    by: &str,
) -> Result<Option<Visit>> {
    let mut visit = load_visit(t, id).await?;
    visit.ensure_archivable()?;
    if visit.history.len() != made.made_from {
        return Ok(None);
    }
    let now = made.stamp.archived_at;
    let archive = insert_document(t, id, made.stamp, &made.content, made.sha256).await?;
    archive_with(t, told, settings, &mut visit, archive, now, by).await?;
    Ok(Some(visit))
}

/// Closes as not served every visit still in line whose office day is over (SOP step 8: numbers
/// are per office day; a visit never crosses into the next).
pub(crate) async fn end_office_days(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    now: DateTime<Utc>,
) -> Result<u64> {
    let open_day = first_open_day(now, settings.zone(), settings.office.closing_time).to_string();
    let over = t
        .texts(
            &format!(
                "SELECT data FROM visits WHERE office_id = $1 AND status IN ($2, $3) AND number_day < $4{}",
                t.lock_rows()
            ),
            &[text(OFFICE), text(Status::Waiting.as_str()), text(Status::Called.as_str()), text(&open_day)],
        )
        .await?;
    for data in &over {
        let mut visit: Visit = serde_json::from_str(data)?;
        let before = visit.history.len();
        visit.end_unserved(now, SYSTEM_ACTOR)?;
        save(t, told, settings, &visit, before).await?;
    }
    Ok(over.len() as u64)
}

/// Whether a visit called or served at the counter keeps it from calling another.
async fn counter_busy(t: &mut dyn Tx, counter: &str) -> Result<bool> {
    let occupying: Vec<Status> = Status::occupying_counter().collect();
    let sql = format!(
        "SELECT COUNT(*) FROM visits WHERE office_id = $1 AND counter = $2 AND status IN ({})",
        placeholders(3, occupying.len())
    );
    let mut params = vec![text(OFFICE), text(counter)];
    params.extend(occupying.iter().map(|s| text(s.as_str())));
    Ok(t.int(&sql, &params).await?.unwrap_or_default() > 0)
}

/// Step 8: the first visit in line for the counter, called there. The first call of a new office
/// day ends the days before it.
pub(crate) async fn call_next(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    counter: &str,
    services: &[String],
    now: DateTime<Utc>,
    by: &str,
) -> Result<Option<Visit>> {
    t.lock_counter(counter).await?;
    end_office_days(t, told, settings, now).await?;
    if counter_busy(t, counter).await? {
        return Err(Refused::CounterBusy.into());
    }
    let Some(mut visit) = claim_first_waiting(t, services).await? else {
        return Ok(None);
    };
    let before = visit.history.len();
    visit.call(counter, settings, now, by)?;
    save(t, told, settings, &visit, before).await?;
    Ok(Some(visit))
}

/// Step 8: skip after the third call, and call the next one at the same counter.
pub(crate) async fn skip(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    id: &str,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Skipped> {
    // The counter is locked before the visit, in the same order as `call_next`.
    let counter = read_visit(t, id).await?.queue.counter.unwrap_or_default();
    t.lock_counter(&counter).await?;
    end_office_days(t, told, settings, now).await?;
    let mut skipped = load_visit(t, id).await?;
    skipped.ensure_skippable(settings.office.calling, now)?;
    let services = settings.services_called_at(&counter, None).map_err(|_| StoreError::NotFound)?;
    let lane = skipped.queue.priority_lane;
    let mut requeue = Requeue::default();
    let next = match claim_first_waiting(t, &services).await? {
        Some(mut next) => {
            if next.queue.priority_lane == lane {
                requeue.called_in_place = next.queue.position;
            }
            let before = next.history.len();
            next.call(&counter, settings, now, by)?;
            save(t, told, settings, &next, before).await?;
            Some(next)
        }
        None => None,
    };
    requeue.first_waiting_of_service = t
        .int(
            "SELECT MIN(position) FROM visits WHERE office_id = $1 AND status = 'waiting' AND service = $2 \
             AND priority_lane = $3",
            &[text(OFFICE), text(&skipped.service), Value::Bool(lane)],
        )
        .await?;
    let before = skipped.history.len();
    skipped.skip(settings.office.calling, requeue, now, by)?;
    save(t, told, settings, &skipped, before).await?;
    Ok(Skipped { skipped, next })
}

/// A called or in-service visit sent to another counter, which must be free: both counters are
/// locked, in the order of their codes so that two transfers between the same counters never
/// wait on each other, as a call at either would be.
pub(crate) async fn transfer_visit(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    id: &str,
    to: &loket_domain::visit::TransferRequest,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Visit> {
    let here = read_visit(t, id).await?.queue.counter.unwrap_or_default();
    let there = to.counter.trim().to_owned();
    let mut counters = [here.as_str(), there.as_str()];
    counters.sort_unstable();
    for counter in counters.into_iter().filter(|c| !c.is_empty()) {
        t.lock_counter(counter).await?;
    }
    let mut visit = load_visit(t, id).await?;
    let before = visit.history.len();
    visit.transfer(to, settings, now, by)?;
    if counter_busy(t, &there).await? {
        return Err(Refused::CounterBusy.into());
    }
    save(t, told, settings, &visit, before).await?;
    Ok(visit)
}

impl FromRow for crate::OutboxMail {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("id", Col::Text),
            ("visit_id", Col::OptText),
            ("recipient", Col::Text),
            ("subject", Col::Text),
            ("body", Col::Text),
            ("kind", Col::Text),
            ("attach_form", Col::Bool),
            ("message_id", Col::OptText),
            ("attempts", Col::Int),
        ]
    }

    fn from_row(row: &mut crate::exec::Row) -> Result<Self> {
        Ok(crate::OutboxMail {
            id: row.text()?,
            visit_id: row.opt_text()?,
            to: row.text()?,
            subject: row.text()?,
            body: row.text()?,
            kind: row.text()?,
            attach_form: row.bool()?,
            message_id: row.opt_text()?,
            attempts: row.int()?,
        })
    }
}

/// Claims up to `limit` mails that are due, for `lease_until`: no other instance takes them
/// until then (PostgreSQL: rows another transaction holds are skipped, so two instances never
/// claim the same mail). A mail whose sender died is claimed again once its lease ran out.
pub(crate) async fn claim_mail(
    t: &mut dyn Tx,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<crate::OutboxMail>> {
    let sql = format!(
        "SELECT {} FROM mail_outbox \
         WHERE status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1 ORDER BY created_at, id LIMIT $2{}",
        crate::OutboxMail::select(None),
        t.skip_locked()
    );
    let mails: Vec<crate::OutboxMail> = t.all(&sql, &[int(ms(now)), int(i64::from(limit))]).await?;
    let mut out = Vec::with_capacity(mails.len());
    for mail in mails {
        t.update("mail_outbox", &Columns::new().key("id", text(&mail.id)).set("lease_until", int(ms(lease_until))))
            .await?;
        out.push(mail);
    }
    Ok(out)
}

/// The mail server took the mail: it is sent; an escalation's step 11 ends, an e-mailed copy is
/// given. Recorded as any change of the visit is, with what it brings along: a visit archived
/// while its escalation mail waited gets a new archived version that says the mail left.
pub(crate) async fn mail_sent(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows = t
        .rows(
            "SELECT visit_id, kind, message_id FROM mail_outbox WHERE id = $1 AND status = 'pending'",
            &[text(id)],
            &[Col::OptText, Col::Text, Col::OptText],
        )
        .await?;
    let Some(mut row) = rows.into_iter().next() else { return Ok(()) };
    let (visit_id, kind, message_id) = (row.opt_text()?, row.text()?, row.opt_text()?);
    t.execute(
        "UPDATE mail_outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, lease_until = 0 WHERE id = $1",
        &[text(id), int(ms(now))],
    )
    .await?;
    let Some(visit_id) = visit_id else { return Ok(()) };
    let change: Change = match kind.as_str() {
        "escalation" => Box::new(move |v, _| v.escalation_sent(message_id, now, SYSTEM_ACTOR)),
        // The e-mailed copy is given once the server took it (a copy given again since, printed
        // or declined, is not pending any more and stays as it is).
        "copy" => Box::new(move |v, _| v.copy_sent(now, SYSTEM_ACTOR)),
        _ => return Ok(()),
    };
    match change_visit(t, told, settings, renderer, &visit_id, now, change).await {
        // Nothing waited for this mail any more: the mail is sent all the same.
        Ok(_) | Err(StoreError::Refused(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The mail server did not take the mail: it stays pending, with the error, until `retry_at`.
pub(crate) async fn mail_failed(t: &mut dyn Tx, id: &str, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
    let error: String = error.chars().take(1000).collect();
    t.execute(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, lease_until = 0 \
         WHERE id = $1 AND status = 'pending'",
        &[text(id), text(&error), int(ms(retry_at))],
    )
    .await?;
    Ok(())
}
