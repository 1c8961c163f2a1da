//! The reads, each written once for both databases, on a backend's read connections.

use chrono::{DateTime, NaiveDate, Utc};
use loket_domain::calendar::{DayOff, DayOffKind, DaysOff};
use loket_domain::guest_book::Contact;
use loket_domain::history::Event;
use loket_domain::logo::Logo;
use loket_domain::settings::OfficeSettings;
use loket_domain::survey::Tally;
use loket_domain::{Status, Visit};

use crate::exec::{Col, FromRow, ReadOne, Row, Sql, Value, int, opt_text, text};
use crate::writes::read_visit;
use crate::{
    ArchivedDocument, BoardEntry, DisplayBoard, Line, OFFICE, Result, ServedGroup, StoreError, SurveyFilter,
    SurveyLink, User, UserRecord, VisitFilter, from_ms, roles_from_text,
};

fn parse_visits(rows: Vec<String>) -> Result<Vec<Visit>> {
    rows.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
}

pub(crate) async fn settings(r: &mut dyn Sql) -> Result<OfficeSettings> {
    let rows = r
        .rows("SELECT key, value FROM settings WHERE office_id = $1", &[text(OFFICE)], &[Col::Text, Col::Text])
        .await?;
    let mut stored = Vec::with_capacity(rows.len());
    for mut row in rows {
        let (key, value) = (row.text()?, row.text()?);
        match serde_json::from_str(&value) {
            Ok(value) => stored.push((key, value)),
            Err(e) => tracing::error!(setting = ?key, error = ?e.to_string(), "stored setting ignored"),
        }
    }
    let (mut settings, ignored) = OfficeSettings::from_stored(stored);
    for (key, error) in ignored {
        tracing::error!(setting = ?key, error = ?error.to_string(), "stored setting ignored");
    }
    settings.days_off = DaysOff::new(days_off_between(r, None).await?);
    Ok(settings)
}

/// The office's logo, as stored. A stored logo that no longer passes the rule (it was checked
/// when it was written) is left out and logged: a form is then drawn without it.
pub(crate) async fn office_logo(r: &mut dyn Sql) -> Result<Option<Logo>> {
    let rows = r.rows("SELECT bytes FROM office_logo WHERE office_id = $1", &[text(OFFICE)], &[Col::Blob]).await?;
    let Some(mut row) = rows.into_iter().next() else { return Ok(None) };
    match Logo::parse(row.blob()?) {
        Ok(logo) => Ok(Some(logo)),
        Err(problem) => {
            tracing::warn!(problem = problem.as_str(), "the stored office logo is not used");
            Ok(None)
        }
    }
}

/// The days off of a year, or all of them, in date order.
pub(crate) async fn days_off(r: &mut dyn Sql, year: i32) -> Result<Vec<DayOff>> {
    days_off_between(r, Some(year)).await
}

async fn days_off_between(r: &mut dyn Sql, year: Option<i32>) -> Result<Vec<DayOff>> {
    let (from, to) = match year {
        Some(y) => (format!("{y:04}-01-01"), format!("{y:04}-12-31")),
        None => ("0000-01-01".to_owned(), "9999-12-31".to_owned()),
    };
    let sql = format!(
        "SELECT {} FROM days_off WHERE office_id = $1 AND day >= $2 AND day <= $3 ORDER BY day",
        DayOff::select(None)
    );
    r.all(&sql, &[text(OFFICE), text(&from), text(&to)]).await
}

impl FromRow for DayOff {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![("day", Col::Text), ("kind", Col::Text), ("name", Col::Text)]
    }

    fn from_row(row: &mut Row) -> Result<DayOff> {
        let (day, kind, name) = (row.text()?, row.text()?, row.text()?);
        let date = day.parse().map_err(|_| StoreError::Corrupt(format!("day off {day:?} is not a date")))?;
        let kind = DayOffKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("day off kind {kind:?}")))?;
        Ok(DayOff { date, kind, name })
    }
}

pub(crate) async fn visit(r: &mut dyn Sql, id: &str) -> Result<Option<Visit>> {
    match read_visit(r, id).await {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The visit of a status token still valid at `now`.
pub(crate) async fn status_visit(
    r: &mut dyn Sql,
    token_hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Visit>> {
    let rows = r
        .texts(
            "SELECT v.data FROM status_tokens s JOIN visits v ON v.id = s.visit_id \
             WHERE s.token_hash = $1 AND s.office_id = $2 AND s.expires_at > $3",
            &[text(token_hash), text(OFFICE), int(crate::ms(now))],
        )
        .await?;
    Ok(parse_visits(rows)?.into_iter().next())
}

pub(crate) async fn history(r: &mut dyn Sql, id: &str) -> Result<Vec<Event>> {
    let sql = format!("SELECT {} FROM visit_events WHERE visit_id = $1 ORDER BY seq", Event::select(None));
    r.all(&sql, &[text(id)]).await
}

impl FromRow for Event {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("kind", Col::Text),
            ("at", Col::Int),
            ("by_user", Col::Text),
            ("from_status", Col::OptText),
            ("to_status", Col::Text),
            ("data", Col::Text),
        ]
    }

    fn from_row(row: &mut Row) -> Result<Event> {
        let kind = row.text()?;
        let at = row.int()?;
        let by = row.text()?;
        let from = row.opt_text()?;
        let to = row.text()?;
        let data = row.text()?;
        Ok(Event {
            kind: serde_json::from_value(serde_json::Value::String(kind))?,
            at: from_ms(at)?,
            by,
            from: from.as_deref().and_then(Status::parse),
            to: Status::parse(&to).ok_or_else(|| StoreError::Corrupt(format!("status {to}")))?,
            data: serde_json::from_str(&data)?,
        })
    }
}

pub(crate) async fn visits(r: &mut dyn Sql, filter: &VisitFilter) -> Result<Vec<Visit>> {
    let day = filter.day.map(|d| d.to_string());
    let rows = r
        .texts(
            "SELECT data FROM visits WHERE office_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR created_day = $3) \
             ORDER BY created_at DESC, id LIMIT $4",
            &[
                text(OFFICE),
                opt_text(filter.status.map(|s| s.as_str())),
                opt_text(day.as_deref()),
                int(i64::from(filter.limit.unwrap_or(500))),
            ],
        )
        .await?;
    parse_visits(rows)
}

/// The visits at one counter (or at any, `None`) in one of `statuses`, oldest change first: what
/// a counter or the supervisor's overview shows, read by the counter's index.
pub(crate) async fn visits_at_counter(
    r: &mut dyn Sql,
    counter: Option<&str>,
    statuses: &[Status],
) -> Result<Vec<Visit>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT data FROM visits WHERE office_id = $1 AND counter IS NOT NULL AND ($2 IS NULL OR counter = $2) \
         AND status IN ({}) ORDER BY updated_at, id",
        crate::exec::placeholders(3, statuses.len())
    );
    let mut params = vec![text(OFFICE), opt_text(counter)];
    params.extend(statuses.iter().map(|s| text(s.as_str())));
    parse_visits(r.texts(&sql, &params).await?)
}

/// The escalations still waiting for LKPP's answer (sent, or whose mail waits), whatever became
/// of their visits since (archived or not), oldest first, read from the report facts.
pub(crate) async fn open_escalations(r: &mut dyn Sql, limit: u32) -> Result<Vec<Visit>> {
    let rows = r
        .texts(
            "SELECT v.data FROM visit_facts f JOIN visits v ON v.id = f.visit_id \
             WHERE f.escalation_status IN ('pending', 'sent') AND f.office_id = $1 \
             ORDER BY f.escalated_at, f.visit_id LIMIT $2",
            &[text(OFFICE), int(i64::from(limit))],
        )
        .await?;
    parse_visits(rows)
}

impl FromRow for ArchivedDocument {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("version", Col::Int),
            ("number", Col::Text),
            ("sha256", Col::Text),
            ("content", Col::Blob),
            ("archived_at", Col::Int),
        ]
    }

    fn from_row(r: &mut Row) -> Result<ArchivedDocument> {
        Ok(ArchivedDocument {
            version: u32::try_from(r.int()?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            number: r.text()?,
            sha256: r.text()?,
            content: r.blob()?,
            archived_at: from_ms(r.int()?)?,
        })
    }
}

pub(crate) async fn archived_document(
    r: &mut dyn Sql,
    id: &str,
    version: Option<u32>,
) -> Result<Option<ArchivedDocument>> {
    let sql = format!(
        "SELECT {} FROM archived_documents WHERE visit_id = $1 AND ($2 IS NULL OR version = $2) \
         ORDER BY version DESC LIMIT 1",
        ArchivedDocument::select(None)
    );
    r.first(&sql, &[text(id), Value::Int(version.map(i64::from))]).await
}

pub(crate) async fn pending_mail(r: &mut dyn Sql) -> Result<Vec<(String, String)>> {
    let rows = r
        .rows(
            "SELECT recipient, subject FROM mail_outbox WHERE status = 'pending' ORDER BY created_at",
            &[],
            &[Col::Text, Col::Text],
        )
        .await?;
    rows.into_iter().map(|mut r| Ok((r.text()?, r.text()?))).collect()
}

pub(crate) async fn count_users(r: &mut dyn Sql) -> Result<i64> {
    Ok(r.int("SELECT COUNT(*) FROM users", &[]).await?.unwrap_or_default())
}

impl FromRow for User {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("username", Col::Text),
            ("full_name", Col::Text),
            ("roles", Col::Text),
            ("disabled", Col::Bool),
            ("language", Col::OptText),
            ("password_change_required", Col::Bool),
        ]
    }

    fn from_row(r: &mut Row) -> Result<User> {
        Ok(User {
            username: r.text()?,
            full_name: r.text()?,
            roles: roles_from_text(&r.text()?),
            disabled: r.bool()?,
            language: r.opt_text()?,
            password_change_required: r.bool()?,
        })
    }
}

/// A user and the hash to check their password against: the user's columns, then the hash.
impl FromRow for UserRecord {
    fn columns() -> Vec<(&'static str, Col)> {
        let mut columns = User::columns();
        columns.push(("password_hash", Col::Text));
        columns
    }

    fn from_row(r: &mut Row) -> Result<UserRecord> {
        Ok(UserRecord { user: User::from_row(r)?, password_hash: r.text()? })
    }
}

pub(crate) async fn user(r: &mut dyn Sql, username: &str) -> Result<Option<UserRecord>> {
    let sql = format!("SELECT {} FROM users WHERE username = $1", UserRecord::select(None));
    r.first(&sql, &[text(username)]).await
}

pub(crate) async fn users(r: &mut dyn Sql) -> Result<Vec<User>> {
    r.all(&format!("SELECT {} FROM users ORDER BY username", User::select(None)), &[]).await
}

pub(crate) async fn session_user(
    r: &mut dyn Sql,
    token_hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<User>> {
    let sql = format!(
        "SELECT {} FROM sessions s JOIN users u ON u.username = s.username \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = $3",
        User::select(Some("u"))
    );
    r.first(&sql, &[text(token_hash), int(crate::ms(now)), Value::Bool(false)]).await
}

pub(crate) async fn queue(r: &mut dyn Sql, service: Option<&str>) -> Result<Line> {
    let rows = r
        .rows(
            "SELECT status, data FROM visits WHERE office_id = $1 AND status IN ('waiting', 'called') \
             AND ($2 IS NULL OR service = $2) ORDER BY priority_lane DESC, position ASC, id ASC",
            &[text(OFFICE), opt_text(service)],
            &[Col::Text, Col::Text],
        )
        .await?;
    let mut view = Line::default();
    for mut row in rows {
        let (status, data) = (row.text()?, row.text()?);
        let visit: Visit = serde_json::from_str(&data)?;
        if status == "waiting" { view.waiting.push(visit) } else { view.called.push(visit) }
    }
    view.called.sort_by_key(|v| v.queue.called_at);
    Ok(view)
}

pub(crate) async fn display(r: &mut dyn Sql, settings: &OfficeSettings, service: Option<&str>) -> Result<DisplayBoard> {
    let mut board = DisplayBoard::default();
    for s in settings.office.services.iter().filter(|s| service.is_none_or(|x| x == s.code)) {
        board.waiting.insert(s.code.clone(), 0);
    }
    let counts = r
        .rows(
            "SELECT service, COUNT(*) FROM visits WHERE office_id = $1 AND status = 'waiting' AND ($2 IS NULL OR service = $2) \
             GROUP BY service",
            &[text(OFFICE), opt_text(service)],
            &[Col::Text, Col::Int],
        )
        .await?;
    for mut row in counts {
        let (s, n) = (row.text()?, row.int()?);
        board.waiting.insert(s, n as u64);
    }
    let rows = r
        .rows(
            "SELECT status, data FROM visits WHERE office_id = $1 AND status IN ('called', 'in_service') \
             AND ($2 IS NULL OR service = $2) ORDER BY updated_at DESC",
            &[text(OFFICE), opt_text(service)],
            &[Col::Text, Col::Text],
        )
        .await?;
    for mut row in rows {
        let (status, data) = (row.text()?, row.text()?);
        let v: Visit = serde_json::from_str(&data)?;
        let calling = BoardEntry {
            number: v.queue.number.unwrap_or_default(),
            counter: v.queue.counter.unwrap_or_default(),
            call_count: v.queue.call_count,
            called_at: v.queue.called_at.unwrap_or(v.updated_at),
        };
        if status == "called" { board.calling.push(calling) } else { board.serving.push(calling) }
    }
    board.calling.sort_by_key(|c| std::cmp::Reverse(c.called_at));
    let waiting = r
        .texts(
            "SELECT data FROM visits WHERE office_id = $1 AND status = 'waiting' AND ($2 IS NULL OR service = $2) \
             ORDER BY priority_lane DESC, position ASC, id ASC",
            &[text(OFFICE), opt_text(service)],
        )
        .await?;
    board.skipped =
        parse_visits(waiting)?.into_iter().filter(Visit::waits_after_skip).filter_map(|v| v.queue.number).collect();
    Ok(board)
}

/// The last `limit` calls of the office day `day`, newest first, whatever became of them since.
pub(crate) async fn recent_calls(
    r: &mut dyn Sql,
    service: Option<&str>,
    day: NaiveDate,
    limit: usize,
) -> Result<Vec<BoardEntry>> {
    let day = day.to_string();
    let rows = r
        .texts(
            "SELECT data FROM visits WHERE office_id = $1 AND created_day = $2 AND ($3 IS NULL OR service = $3) \
             AND status IN ('called', 'in_service', 'answered', 'escalated', 'archived', 'no_show')",
            &[text(OFFICE), text(&day), opt_text(service)],
        )
        .await?;
    let mut calls: Vec<BoardEntry> = parse_visits(rows)?
        .into_iter()
        .filter_map(|v| {
            Some(BoardEntry {
                number: v.queue.number?,
                counter: v.queue.counter.unwrap_or_default(),
                call_count: v.queue.call_count,
                called_at: v.queue.called_at?,
            })
        })
        .collect();
    calls.sort_by_key(|c| std::cmp::Reverse(c.called_at));
    calls.truncate(limit);
    Ok(calls)
}

pub(crate) async fn visits_opened(r: &mut dyn Sql, from: NaiveDate, to: NaiveDate) -> Result<Vec<Visit>> {
    let (from, to) = (from.to_string(), to.to_string());
    let rows = r
        .texts(
            "SELECT data FROM visits WHERE office_id = $1 AND created_day >= $2 AND created_day <= $3 ORDER BY created_at, id",
            &[text(OFFICE), text(&from), text(&to)],
        )
        .await?;
    parse_visits(rows)
}

/// Every visit with a step still running that has a standard (found by its step rows, through the
/// partial index `visit_steps_running`), whatever day it was opened, oldest first. Each visit is
/// found by its id: a condition on the visit's office too would let SQLite read every visit of the
/// office and test each against the list (the steps' office is their visit's).
pub(crate) const VISITS_WITH_RUNNING_STEPS: &str = "SELECT v.data FROM visits v \
     WHERE v.id IN (SELECT s.visit_id FROM visit_steps s \
     WHERE s.office_id = $1 AND s.ended_at IS NULL AND NOT s.instant AND s.standard_minutes IS NOT NULL) \
     ORDER BY v.created_at, v.id";

pub(crate) async fn visits_with_running_steps(r: &mut dyn Sql) -> Result<Vec<Visit>> {
    let rows = r.texts(VISITS_WITH_RUNNING_STEPS, &[text(OFFICE)]).await?;
    parse_visits(rows)
}

/// The latest visit whose visitor gave `contact`: the guest book data a returning visitor can take
/// over. The stored text is searched for the contact's digits or address (a cheap filter, the same
/// in both databases), and the domain decides which candidates are the same contact.
pub(crate) async fn last_visit_by_contact(r: &mut dyn Sql, contact: &Contact) -> Result<Option<Visit>> {
    let escaped: String = contact
        .needle()
        .chars()
        .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
        .collect();
    let rows = r
        .texts(
            "SELECT data FROM visits WHERE office_id = $1 AND lower(data) LIKE $2 ESCAPE '\\' \
             ORDER BY created_at DESC, id DESC LIMIT 200",
            &[text(OFFICE), text(&format!("%{escaped}%"))],
        )
        .await?;
    for data in rows {
        let visit: Visit = serde_json::from_str(&data)?;
        if contact.matches(&visit.visitor) {
            return Ok(Some(visit));
        }
    }
    Ok(None)
}

/// A mail of the outbox with the reference of its visit (`o`: `mail_outbox`, `v`: `visits`).
impl FromRow for crate::OutboxEntry {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("o.id", Col::Text),
            ("o.visit_id", Col::OptText),
            ("v.reference", Col::OptText),
            ("o.recipient", Col::Text),
            ("o.subject", Col::Text),
            ("o.kind", Col::Text),
            ("o.status", Col::Text),
            ("o.attempts", Col::Int),
            ("o.last_error", Col::OptText),
            ("o.created_at", Col::Int),
            ("o.sent_at", Col::OptInt),
            ("o.next_attempt_at", Col::Int),
        ]
    }

    fn from_row(r: &mut Row) -> Result<crate::OutboxEntry> {
        let mut entry = crate::OutboxEntry {
            id: r.text()?,
            visit_id: r.opt_text()?,
            reference: r.opt_text()?,
            to: r.text()?,
            subject: r.text()?,
            kind: r.text()?,
            status: r.text()?,
            attempts: r.int()?,
            last_error: r.opt_text()?,
            created_at: from_ms(r.int()?)?,
            sent_at: r.opt_int()?.map(from_ms).transpose()?,
            next_attempt_at: Some(from_ms(r.int()?)?),
        };
        if entry.status != "pending" {
            entry.next_attempt_at = None;
        }
        Ok(entry)
    }
}

/// The outbox, newest first: what waits, what was sent, and why a mail failed.
pub(crate) async fn outbox(r: &mut dyn Sql, limit: u32) -> Result<Vec<crate::OutboxEntry>> {
    let sql = format!(
        "SELECT {} FROM mail_outbox o LEFT JOIN visits v ON v.id = o.visit_id ORDER BY o.created_at DESC, o.id LIMIT $1",
        crate::OutboxEntry::select(None)
    );
    r.all(&sql, &[int(i64::from(limit))]).await
}

/// The visit of a survey link valid at `now`, and whether its survey was answered.
pub(crate) async fn survey_link(r: &mut dyn Sql, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SurveyLink>> {
    let rows = r
        .rows(
            "SELECT v.data, (SELECT COUNT(*) FROM survey_responses a WHERE a.visit_id = v.id) \
             FROM survey_tokens s JOIN visits v ON v.id = s.visit_id \
             WHERE s.token_hash = $1 AND s.office_id = $2 AND s.expires_at > $3",
            &[text(token_hash), text(OFFICE), int(crate::ms(now))],
            &[Col::Text, Col::Int],
        )
        .await?;
    rows.into_iter()
        .next()
        .map(|mut row| Ok(SurveyLink { visit: serde_json::from_str(&row.text()?)?, answered: row.int()? > 0 }))
        .transpose()
}

/// Per service and staff member who served: the visits served (answered or escalated) of the
/// period's office days, and the count and sums of their survey responses, each added up by the
/// database.
pub(crate) async fn survey_groups(r: &mut dyn Sql, filter: &SurveyFilter) -> Result<Vec<ServedGroup>> {
    let (from, to) = (filter.from.to_string(), filter.to.to_string());
    let params =
        [text(OFFICE), text(&from), text(&to), opt_text(filter.service.as_deref()), opt_text(filter.agent.as_deref())];
    let served = r
        .rows(
            "SELECT v.service, e.by_user, COUNT(*) FROM visits v JOIN visit_events e ON e.visit_id = v.id \
             WHERE v.office_id = $1 AND v.created_day >= $2 AND v.created_day <= $3 \
             AND e.kind IN ('answered', 'escalated') \
             AND (CAST($4 AS TEXT) IS NULL OR v.service = $4) AND (CAST($5 AS TEXT) IS NULL OR e.by_user = $5) \
             GROUP BY v.service, e.by_user",
            &params,
            &[Col::Text, Col::Text, Col::Int],
        )
        .await?;
    let mut groups: Vec<ServedGroup> = Vec::new();
    for mut row in served {
        let (service, agent, served) = (row.text()?, row.text()?, row.int()?);
        groups.push(ServedGroup { service, agent, served: served.max(0) as u64, tally: Tally::default() });
    }
    let mut cols = vec![Col::Text, Col::Text, Col::Int];
    cols.extend([Col::Int; 9]);
    let answered = r
        .rows(
            "SELECT service, served_by, COUNT(*), SUM(u1), SUM(u2), SUM(u3), SUM(u4), SUM(u5), SUM(u6), SUM(u7), \
             SUM(u8), SUM(u9) FROM survey_responses \
             WHERE office_id = $1 AND visit_day >= $2 AND visit_day <= $3 \
             AND (CAST($4 AS TEXT) IS NULL OR service = $4) AND (CAST($5 AS TEXT) IS NULL OR served_by = $5) \
             GROUP BY service, served_by",
            &params,
            &cols,
        )
        .await?;
    for mut row in answered {
        let (service, agent) = (row.text()?, row.text()?);
        let mut tally = Tally { responses: row.int()?.max(0) as u64, sums: [0; 9] };
        for sum in tally.sums.iter_mut() {
            *sum = row.int()?.max(0) as u64;
        }
        match groups.iter_mut().find(|g| g.service == service && g.agent == agent) {
            Some(group) => group.tally = tally,
            None => groups.push(ServedGroup { service, agent, served: 0, tally }),
        }
    }
    groups.sort_by(|a, b| (&a.service, &a.agent).cmp(&(&b.service, &b.agent)));
    Ok(groups)
}

/// How many mails read from the mailbox named no open escalation (left there for a person).
pub(crate) async fn unmatched_replies(r: &mut dyn Sql) -> Result<u64> {
    let n = r
        .int(
            "SELECT COUNT(*) FROM mail_inbox WHERE office_id = $1 AND outcome IN ('unmatched', 'not_open')",
            &[text(OFFICE)],
        )
        .await?;
    Ok(u64::try_from(n.unwrap_or_default()).unwrap_or_default())
}
