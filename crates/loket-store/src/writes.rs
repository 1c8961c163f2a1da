//! The write use cases, each written once for both databases. Each runs inside one write
//! transaction that its backend opened (see [`crate::Backend::write`]); rules are the domain's:
//! a use case loads what the rule needs, asks the domain, and writes what the domain decided.

use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::archive::{Archive, ArchivePattern, ArchiveStamp};
use loket_domain::auth::{Role, keeps_an_admin};
use loket_domain::calendar::DayOff;
use loket_domain::escalation::{AnswerMail, LkppAnswer, OutgoingMail};
use loket_domain::history::Event;
use loket_domain::inbox::{IncomingMail, ReplyOutcome};
use loket_domain::line::Requeue;
use loket_domain::logo::Logo;
use loket_domain::numbering::Sequence;
use loket_domain::office::{first_open_day, office_day, office_day_end};
use loket_domain::settings::{InUse, OfficeSettings, SettingsChange};
use loket_domain::survey::{self, Answers};
use loket_domain::visit::{Check, FollowUps, LinePlace, opening};
use loket_domain::{Refused, SYSTEM_ACTOR, Status, Visit};

use crate::exec::{Col, FromRow, ReadOne, Sql, Tx, Value, int, opt_text, placeholders, text};
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
    let data = serde_json::to_string(visit)?;
    let number_day = visit.queue.day.map(|d| d.to_string());
    let opened_on = opened_on.map(|d| d.to_string());
    // $1-$9 are what every write of a visit sets; $10-$14 only what it is given once.
    let params = [
        text(&visit.id),
        text(visit.status.as_str()),
        opt_text(visit.queue.number.as_deref()),
        opt_text(number_day.as_deref()),
        opt_text(visit.queue.counter.as_deref()),
        Value::Bool(visit.queue.priority_lane),
        Value::Int(visit.queue.position),
        int(ms(visit.updated_at)),
        text(&data),
        text(OFFICE),
        text(&visit.reference),
        text(&visit.service),
        opt_text(opened_on.as_deref()),
        int(ms(visit.created_at)),
    ];
    if opened_on.is_some() {
        t.execute(
            "INSERT INTO visits (id, status, number, number_day, counter, priority_lane, position, updated_at, data, \
             office_id, reference, service, created_day, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &params,
        )
        .await?;
    } else {
        t.execute(
            "UPDATE visits SET status = $2, number = $3, number_day = $4, counter = $5, priority_lane = $6, \
             position = $7, updated_at = $8, data = $9 WHERE id = $1",
            &params[..9],
        )
        .await?;
    }
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
        t.execute(
            "INSERT INTO visit_events (visit_id, seq, kind, at, by_user, from_status, to_status, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                text(&visit.id),
                int((from + i + 1) as i64),
                text(kind.as_str().unwrap_or_default()),
                int(ms(e.at)),
                text(&e.by),
                opt_text(e.from.map(|s| s.as_str())),
                text(e.to.as_str()),
                text(&data),
            ],
        )
        .await?;
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
    t.execute(
        "INSERT INTO archived_documents (visit_id, version, number, sha256, content, archived_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            text(visit_id),
            int(i64::from(stamp.version)),
            text(&stamp.number),
            text(&sha256),
            Value::Blob(content),
            int(ms(stamp.archived_at)),
        ],
    )
    .await?;
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
        t.execute(
            "INSERT INTO settings (office_id, key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (office_id, key) DO UPDATE SET value = $3, updated_at = $4, updated_by = $5",
            &[text(OFFICE), text(&key), text(&value), int(ms(now)), text(by)],
        )
        .await?;
    }
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
    t.execute(
        "INSERT INTO days_off (office_id, day, kind, name, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (office_id, day) DO UPDATE SET kind = $3, name = $4, updated_at = $5, updated_by = $6",
        &[text(OFFICE), text(&date), text(day.kind.as_str()), text(&day.name), int(ms(now)), text(by)],
    )
    .await?;
    told.settings_changed = true;
    Ok(())
}

pub(crate) async fn delete_day_off(t: &mut dyn Tx, told: &mut Announcements, date: NaiveDate) -> Result<bool> {
    let date = date.format("%Y-%m-%d").to_string();
    let n = t.execute("DELETE FROM days_off WHERE office_id = $1 AND day = $2", &[text(OFFICE), text(&date)]).await?;
    told.settings_changed = true;
    Ok(n > 0)
}

/// Sets the office's logo, replacing the one before; every instance forgets the logo it kept.
pub(crate) async fn put_office_logo(
    t: &mut dyn Tx,
    told: &mut Announcements,
    logo: &Logo,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let sha256 = sha256_hex(logo.bytes());
    t.execute(
        "INSERT INTO office_logo (office_id, content_type, bytes, sha256, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (office_id) DO UPDATE SET content_type = $2, bytes = $3, \
         sha256 = $4, updated_at = $5, updated_by = $6",
        &[text(OFFICE), text(logo.content_type()), Value::Blob(logo.bytes()), text(&sha256), int(ms(now)), text(by)],
    )
    .await?;
    told.logo_changed = true;
    Ok(())
}

/// Removes the office's logo; false when there was none.
pub(crate) async fn delete_office_logo(t: &mut dyn Tx, told: &mut Announcements) -> Result<bool> {
    let n = t.execute("DELETE FROM office_logo WHERE office_id = $1", &[text(OFFICE)]).await?;
    told.logo_changed = true;
    Ok(n > 0)
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

pub(crate) async fn add_user(t: &mut dyn Tx, user: &NewUser, now: DateTime<Utc>) -> Result<()> {
    if t.text("SELECT username FROM users WHERE username = $1", &[text(&user.username)]).await?.is_some() {
        return Err(StoreError::Duplicate);
    }
    let roles = roles_to_text(&user.roles);
    t.execute(
        "INSERT INTO users (username, full_name, password_hash, roles, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            text(&user.username),
            text(&user.full_name),
            text(&user.password_hash),
            text(&roles),
            Value::Bool(false),
            int(ms(now)),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn set_password(t: &mut dyn Tx, username: &str, password_hash: &str) -> Result<bool> {
    let n = t
        .execute("UPDATE users SET password_hash = $2 WHERE username = $1", &[text(username), text(password_hash)])
        .await?;
    t.execute("DELETE FROM sessions WHERE username = $1", &[text(username)]).await?;
    Ok(n > 0)
}

pub(crate) async fn set_disabled(t: &mut dyn Tx, username: &str, disabled: bool) -> Result<bool> {
    if change_account(t, username, |u| u.disabled = disabled).await?.is_none() {
        return Ok(false);
    }
    t.execute("UPDATE users SET disabled = $2 WHERE username = $1", &[text(username), Value::Bool(disabled)]).await?;
    if disabled {
        t.execute("DELETE FROM sessions WHERE username = $1", &[text(username)]).await?;
    }
    Ok(true)
}

pub(crate) async fn set_language(t: &mut dyn Tx, username: &str, language: &str) -> Result<bool> {
    let n = t.execute("UPDATE users SET language = $2 WHERE username = $1", &[text(username), text(language)]).await?;
    Ok(n > 0)
}

/// A user's full name and roles, replaced. None when there is no such user.
pub(crate) async fn change_user(
    t: &mut dyn Tx,
    username: &str,
    full_name: &str,
    roles: &[Role],
) -> Result<Option<User>> {
    let changed = change_account(t, username, |u| {
        u.full_name = full_name.to_owned();
        u.roles = roles.to_vec();
    })
    .await?;
    if changed.is_some() {
        t.execute(
            "UPDATE users SET full_name = $2, roles = $3 WHERE username = $1",
            &[text(username), text(full_name), text(&roles_to_text(roles))],
        )
        .await?;
    }
    Ok(changed)
}

/// The account of `username` after `apply`, checked by the domain's rule that the office keeps
/// an enabled admin. Every such change takes the same row lock first, so that two admins taking
/// the role from each other at the same instant cannot both pass the check.
async fn change_account(t: &mut dyn Tx, username: &str, apply: impl FnOnce(&mut User)) -> Result<Option<User>> {
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
    Ok(Some(after[i].clone()))
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
    t.execute(
        "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[text(token_hash), text(username), int(ms(now)), int(ms(expires_at))],
    )
    .await?;
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
    t.execute(
        &format!(
            "INSERT INTO {table} (token_hash, office_id, visit_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
        ),
        &[text(token_hash), text(OFFICE), text(visit_id), int(ms(now)), int(ms(expires_at))],
    )
    .await?;
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
    let codes = [
        r.age_group.map(|v| survey::code_of(&v)),
        r.sex.map(|v| survey::code_of(&v)),
        r.education.map(|v| survey::code_of(&v)),
        r.occupation.map(|v| survey::code_of(&v)),
    ];
    let mut params = vec![
        text(&visit.id),
        text(OFFICE),
        text(&day),
        text(&visit.service),
        text(&served_by),
        int(ms(now)),
        opt_text(answers.comment.as_deref()),
    ];
    params.extend(codes.iter().map(|c| opt_text(c.as_deref())));
    params.extend(answers.scores.iter().map(|s| int(i64::from(s.value()))));
    t.execute(
        "INSERT INTO survey_responses (visit_id, office_id, visit_day, service, served_by, answered_at, comment, \
         age_group, sex, education, occupation, u1, u2, u3, u4, u5, u6, u7, u8, u9) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        &params,
    )
    .await?;
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
    t.execute(
        "INSERT INTO mail_outbox (id, visit_id, recipient, subject, body, status, attempts, created_at, kind, \
         attach_form, message_id, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8, $9, $6)",
        &[
            text(&id),
            text(&visit.id),
            text(&mail.to),
            text(&mail.subject),
            text(&mail.body),
            int(ms(now)),
            text(mail.kind.as_str()),
            Value::Bool(mail.attach_form),
            text(&message_id),
        ],
    )
    .await?;
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
    let FollowUps { mail, new_version, survey_link } = visit.follow_ups(was, &event, settings, now);
    if survey_link {
        // Kept with the visit, as the status token is, so that every copy of the form shows it.
        let token = new_token();
        let expires = now + chrono::Days::new(survey::LINK_DAYS);
        add_visit_link(t, VisitLink::Survey, &hash_token(&token), &visit.id, now, expires).await?;
        visit.survey_token = Some(token);
    }
    if let Some(mail) = mail {
        queue_mail(t, &visit, &mail, now).await?;
    }
    if let Some(stamp) = new_version {
        let archive = store_document(t, renderer, settings, &visit, stamp).await?;
        visit.rearchive(archive, now, &event.by)?;
        crate::archive_search::index_visit(t, settings, &visit).await?;
    }
    save(t, told, settings, &visit, before).await?;
    Ok(visit)
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
            let day = office_day(now, settings.zone());
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
pub(crate) async fn reserve_archive(
    t: &mut dyn Tx,
    settings: &OfficeSettings,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(Visit, ArchiveStamp)> {
    // Locked, so that two tries for one visit take one number.
    let visit = load_visit(t, id).await?;
    visit.ensure_archivable()?;
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
            t.execute(
                "INSERT INTO archive_reservations (visit_id, version, number, reserved_at) VALUES ($1, 1, $2, $3)",
                &[text(id), text(&number), int(ms(now))],
            )
            .await?;
            number
        }
    };
    Ok((visit, ArchiveStamp { number, archived_at: now, version: 1 }))
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
    let before = visit.history.len();
    visit.archive(archive, now, by)?;
    crate::archive_search::index_visit(t, settings, &visit).await?;
    save(t, told, settings, &visit, before).await?;
    Ok(Some(visit))
}

/// Step 12 whole, the document made inside the transaction: for a visit that changed while its
/// document was made outside the writer.
pub(crate) async fn archive_visit(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    id: &str,
    stamp: ArchiveStamp,
    by: &str,
) -> Result<Visit> {
    let mut visit = load_visit(t, id).await?;
    visit.ensure_archivable()?;
    let now = stamp.archived_at;
    let archive = store_document(t, renderer, settings, &visit, stamp).await?;
    let before = visit.history.len();
    visit.archive(archive, now, by)?;
    crate::archive_search::index_visit(t, settings, &visit).await?;
    save(t, told, settings, &visit, before).await?;
    Ok(visit)
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
    skipped.ensure_skippable()?;
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
        t.execute("UPDATE mail_outbox SET lease_until = $2 WHERE id = $1", &[text(&mail.id), int(ms(lease_until))])
            .await?;
        out.push(mail);
    }
    Ok(out)
}

/// The mail server took the mail: it is sent; an escalation's step 11 ends.
pub(crate) async fn mail_sent(t: &mut dyn Tx, told: &mut Announcements, id: &str, now: DateTime<Utc>) -> Result<()> {
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
    if let (Some(visit_id), "escalation") = (visit_id, kind.as_str()) {
        let mut visit = load_visit(t, &visit_id).await?;
        let before = visit.history.len();
        if visit.escalation_sent(message_id, now, SYSTEM_ACTOR).is_ok() {
            let settings = crate::reads::settings(t).await?;
            save(t, told, &settings, &visit, before).await?;
        }
    }
    Ok(())
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

/// A mail read from the office's mailbox, taken once: claimed by its key, then matched to the
/// escalation it answers (by the Message-IDs it replies to, else by the reference in its subject),
/// and recorded as LKPP's answer by the same transition as a typed one, all in one transaction.
pub(crate) async fn take_reply(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    mail: &IncomingMail,
    now: DateTime<Utc>,
) -> Result<ReplyOutcome> {
    let subject: String = mail.subject.chars().take(500).collect();
    let claimed = t
        .execute(
            "INSERT INTO mail_inbox (message_key, office_id, received_at, outcome, sender, subject) \
             VALUES ($1, $2, $3, 'unmatched', $4, $5) ON CONFLICT (message_key) DO NOTHING",
            &[text(&mail.key), text(OFFICE), int(ms(now)), opt_text(mail.from.as_deref()), text(&subject)],
        )
        .await?;
    if claimed == 0 {
        return Ok(ReplyOutcome::AlreadyTaken);
    }
    let outcome = if mail.is_auto_reply() {
        ReplyOutcome::AutoReply
    } else {
        match replied_visit(t, mail).await? {
            None => ReplyOutcome::Unmatched,
            Some(id) => answer_by_mail(t, told, settings, renderer, mail, &id, now).await?,
        }
    };
    let visit_id = match &outcome {
        ReplyOutcome::Answered { visit_id, .. } => Some(visit_id.as_str()),
        _ => None,
    };
    t.execute(
        "UPDATE mail_inbox SET outcome = $2, visit_id = $3 WHERE message_key = $1",
        &[text(&mail.key), text(outcome.as_str()), opt_text(visit_id)],
    )
    .await?;
    Ok(outcome)
}

/// The visit a reply names: the escalation mail it replies to, else the reference in brackets in
/// its subject (a visitor replying to their own copy is not LKPP: their address is not taken).
async fn replied_visit(t: &mut dyn Tx, mail: &IncomingMail) -> Result<Option<String>> {
    for id in &mail.replies_to {
        let found = t
            .text(
                "SELECT visit_id FROM mail_outbox WHERE message_id = $1 AND kind = 'escalation' AND visit_id IS NOT NULL",
                &[text(&format!("<{id}>"))],
            )
            .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    let Some(reference) = mail.subject_reference() else { return Ok(None) };
    let Some(id) = t.text("SELECT id FROM visits WHERE reference = $1", &[text(&reference)]).await? else {
        return Ok(None);
    };
    let visit = read_visit(t, &id).await?;
    let from_visitor = match (&mail.from, &visit.visitor.email) {
        (Some(from), Some(visitor)) => from.eq_ignore_ascii_case(visitor.trim()),
        _ => false,
    };
    Ok((!from_visitor).then_some(id))
}

/// LKPP's answer from a mail, on visit `id`; a visit whose escalation is not open is left alone.
async fn answer_by_mail(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    mail: &IncomingMail,
    id: &str,
    now: DateTime<Utc>,
) -> Result<ReplyOutcome> {
    // Only valid patterns are ever saved; one that no longer compiles takes no number.
    let pattern = settings.imap.ticket_regex().ok().flatten();
    let answer = LkppAnswer {
        text: mail.answer_text(),
        mail: Some(AnswerMail {
            message_id: mail.message_id.clone().unwrap_or_else(|| mail.key.clone()),
            lkpp_ticket: mail.lkpp_ticket(pattern.as_ref()),
        }),
    };
    let change: Change = Box::new(move |v, _| v.answer_escalation(&answer, now, SYSTEM_ACTOR));
    match change_visit(t, told, settings, renderer, id, now, change).await {
        Ok(visit) => Ok(ReplyOutcome::Answered { visit_id: visit.id, reference: visit.reference }),
        Err(StoreError::Refused(_)) => {
            let reference = t.text("SELECT reference FROM visits WHERE id = $1", &[text(id)]).await?;
            Ok(ReplyOutcome::NotOpen { reference: reference.unwrap_or_default() })
        }
        Err(e) => Err(e),
    }
}
