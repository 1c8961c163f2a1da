//! The office's mailbox, read: each mail taken once, and LKPP's answer recorded only when it is
//! plainly LKPP's (the domain's rule, [`IncomingMail::lkpps_answer`]). A mail that names an open
//! escalation without being so is kept as an unmatched mail, for a supervisor to confirm (then
//! recorded by the same transition, by the supervisor) or dismiss. Nothing kept is ever deleted.

use chrono::{DateTime, Utc};
use loket_domain::escalation::{AnswerMail, LkppAnswer};
use loket_domain::inbox::{Doubt, IncomingMail, ReplyOutcome, UnmatchedStatus};
use loket_domain::settings::OfficeSettings;
use loket_domain::{SYSTEM_ACTOR, Visit};

use crate::exec::{Col, Columns, FromRow, ReadOne, Row, Sql, Tx, WriteRows, int, opt_text, text};
use crate::live::Announcements;
use crate::writes::{change_visit, read_visit};
use crate::{BoundRenderer, Change, OFFICE, Result, StoreError, UnmatchedMail, from_ms, ms, new_id};

/// A mail read from the office's mailbox, taken once: claimed by its key, then matched to the
/// escalation it names (by the Message-IDs it replies to, else by the reference in its subject).
/// Plainly LKPP's answer, it is recorded by the same transition as a typed one; naming an open
/// escalation without being so, it is kept as an unmatched mail; all in one transaction.
pub(crate) async fn take_reply(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    mail: &IncomingMail,
    now: DateTime<Utc>,
) -> Result<ReplyOutcome> {
    let subject: String = mail.subject.chars().take(500).collect();
    // Claimed by its key: a mail taken before is left as it is.
    let row = Columns::new()
        .key("message_key", text(&mail.key))
        .on_insert("office_id", text(OFFICE))
        .on_insert("received_at", int(ms(now)))
        .on_insert("outcome", text("unmatched"))
        .on_insert("sender", opt_text(mail.from.as_deref()))
        .on_insert("subject", text(&subject));
    let claimed = t.upsert("mail_inbox", &row).await?;
    if claimed == 0 {
        return Ok(ReplyOutcome::AlreadyTaken);
    }
    let (outcome, visit_id) = if mail.is_auto_reply() {
        (ReplyOutcome::AutoReply, None)
    } else {
        match named_visit(t, mail).await? {
            None => (ReplyOutcome::Unmatched, None),
            Some(id) => {
                let ids = escalation_ids(t, &id).await?;
                let outcome = match mail.lkpps_answer(&settings.office.lkpp_email, &ids) {
                    Ok(()) => answer_by_mail(t, told, settings, renderer, mail, &id, now).await?,
                    Err(doubt) => {
                        let visit = read_visit(t, &id).await?;
                        keep(t, settings, mail, &visit, doubt, now).await?
                    }
                };
                let named = matches!(outcome, ReplyOutcome::Answered { .. } | ReplyOutcome::Kept { .. });
                (outcome, named.then_some(id))
            }
        }
    };
    let row = Columns::new()
        .key("message_key", text(&mail.key))
        .set("outcome", text(outcome.as_str()))
        .set("visit_id", opt_text(visit_id.as_deref()));
    t.update("mail_inbox", &row).await?;
    Ok(outcome)
}

/// The visit a mail names: the escalation mail it replies to, else the reference in brackets in
/// its subject. Naming is not answering: whether it is LKPP's answer is the domain's rule.
async fn named_visit(t: &mut dyn Tx, mail: &IncomingMail) -> Result<Option<String>> {
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
    t.text("SELECT id FROM visits WHERE reference = $1", &[text(&reference)]).await
}

/// The Message-IDs Loket gave the visit's escalation mails: a reply in their thread names one.
async fn escalation_ids(t: &mut dyn Tx, visit_id: &str) -> Result<Vec<String>> {
    t.texts(
        "SELECT message_id FROM mail_outbox WHERE visit_id = $1 AND kind = 'escalation' AND message_id IS NOT NULL",
        &[text(visit_id)],
    )
    .await
}

/// LKPP's answer as a mail carries it: its text, its Message-ID, LKPP's ticket number.
fn answer_of(text: String, message_id: String, ticket: Option<String>, by: Option<&str>) -> LkppAnswer {
    LkppAnswer { text, mail: Some(AnswerMail { message_id, lkpp_ticket: ticket, confirmed_by: by.map(str::to_owned) }) }
}

/// LKPP's ticket number in a mail, by the office's pattern. Only valid patterns are ever saved;
/// one that no longer compiles takes no number.
fn ticket(settings: &OfficeSettings, mail: &IncomingMail) -> Option<String> {
    let pattern = settings.imap.ticket_regex().ok().flatten();
    mail.lkpp_ticket(pattern.as_ref())
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
    let message_id = mail.message_id.clone().unwrap_or_else(|| mail.key.clone());
    let answer = answer_of(mail.answer_text(), message_id, ticket(settings, mail), None);
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

/// A mail that names `visit` but is not plainly LKPP's answer: kept as an unmatched mail when the
/// visit's escalation waits for LKPP, else left for a person like any mail naming a closed one.
async fn keep(
    t: &mut dyn Tx,
    settings: &OfficeSettings,
    mail: &IncomingMail,
    visit: &Visit,
    doubt: Doubt,
    now: DateTime<Utc>,
) -> Result<ReplyOutcome> {
    let reference = visit.reference.clone();
    if !visit.awaits_lkpp() {
        return Ok(ReplyOutcome::NotOpen { reference });
    }
    let id = new_id();
    let subject: String = mail.subject.chars().take(500).collect();
    let from: Option<String> = mail.from.as_ref().map(|f| f.chars().take(254).collect());
    let (answer, lkpp_ticket) = (mail.answer_text(), ticket(settings, mail));
    let authentication_results = mail.authentication_results();
    let row = Columns::new()
        .key("id", text(&id))
        .set("office_id", text(OFFICE))
        .set("message_key", text(&mail.key))
        .set("received_at", int(ms(now)))
        .set("sender", opt_text(from.as_deref()))
        .set("subject", text(&subject))
        .set("answer", text(&answer))
        .set("message_id", opt_text(mail.message_id.as_deref()))
        .set("lkpp_ticket", opt_text(lkpp_ticket.as_deref()))
        .set("visit_id", text(&visit.id))
        .set("doubt", text(doubt.as_str()))
        .set("authentication_results", opt_text(authentication_results.as_deref()))
        .set("status", text(UnmatchedStatus::Pending.as_str()));
    t.insert("unmatched_mail", &row).await?;
    Ok(ReplyOutcome::Kept { id, reference, doubt })
}

impl FromRow for UnmatchedMail {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("u.id", Col::Text),
            ("u.received_at", Col::Int),
            ("u.sender", Col::OptText),
            ("u.subject", Col::Text),
            ("u.answer", Col::Text),
            ("u.message_id", Col::OptText),
            ("u.lkpp_ticket", Col::OptText),
            ("u.visit_id", Col::OptText),
            ("v.reference", Col::OptText),
            ("u.doubt", Col::Text),
            ("u.authentication_results", Col::OptText),
            ("u.status", Col::Text),
            ("u.decided_by", Col::OptText),
            ("u.decided_at", Col::OptInt),
        ]
    }

    fn from_row(r: &mut Row) -> Result<UnmatchedMail> {
        let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("unmatched mail {what} {v}"));
        Ok(UnmatchedMail {
            id: r.text()?,
            received_at: from_ms(r.int()?)?,
            from: r.opt_text()?,
            subject: r.text()?,
            answer: r.text()?,
            message_id: r.opt_text()?,
            lkpp_ticket: r.opt_text()?,
            visit_id: r.opt_text()?,
            reference: r.opt_text()?,
            doubt: {
                let d = r.text()?;
                Doubt::parse(&d).ok_or_else(|| corrupt("doubt", &d))?
            },
            authentication_results: r.opt_text()?,
            status: {
                let s = r.text()?;
                UnmatchedStatus::parse(&s).ok_or_else(|| corrupt("status", &s))?
            },
            decided_by: r.opt_text()?,
            decided_at: r.opt_int()?.map(from_ms).transpose()?,
        })
    }
}

fn select(filter: &str) -> String {
    format!(
        "SELECT {} FROM unmatched_mail u LEFT JOIN visits v ON v.id = u.visit_id WHERE u.office_id = $1{filter}",
        UnmatchedMail::select(None)
    )
}

/// The unmatched mails, the newest first, decided ones included (at most `limit`).
pub(crate) async fn unmatched_mail(r: &mut dyn Sql, limit: u32) -> Result<Vec<UnmatchedMail>> {
    let sql = format!("{} ORDER BY u.received_at DESC, u.id LIMIT $2", select(""));
    r.all(&sql, &[text(OFFICE), int(i64::from(limit))]).await
}

/// One unmatched mail, as it is now.
async fn one(t: &mut dyn Tx, id: &str) -> Result<UnmatchedMail> {
    t.first(&select(" AND u.id = $2"), &[text(OFFICE), text(id)]).await?.ok_or(StoreError::NotFound)
}

/// One unmatched mail, its row locked for the decision (two supervisors deciding at once: the
/// second sees the first's decision).
async fn locked(t: &mut dyn Tx, id: &str) -> Result<UnmatchedMail> {
    let lock = format!("SELECT id FROM unmatched_mail WHERE office_id = $1 AND id = $2{}", t.lock_rows());
    t.text(&lock, &[text(OFFICE), text(id)]).await?.ok_or(StoreError::NotFound)?;
    one(t, id).await
}

/// The decision written beside the mail, which stays.
async fn decided(t: &mut dyn Tx, id: &str, status: UnmatchedStatus, by: &str, now: DateTime<Utc>) -> Result<()> {
    let row = Columns::new()
        .key("id", text(id))
        .set("status", text(status.as_str()))
        .set("decided_by", text(by))
        .set("decided_at", int(ms(now)));
    t.update("unmatched_mail", &row).await?;
    Ok(())
}

/// A supervisor confirms an unmatched mail as LKPP's answer: recorded on the visit it names by
/// the same transition as any answer, by the supervisor, its event naming the mail and who
/// confirmed it; the visitor's mail follows as for an answer taken by itself. Refused when the
/// mail was decided already, names no visit, or the visit's escalation no longer waits.
pub(crate) async fn confirm_unmatched_mail(
    t: &mut dyn Tx,
    told: &mut Announcements,
    settings: &OfficeSettings,
    renderer: &BoundRenderer,
    id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<UnmatchedMail> {
    let mail = locked(t, id).await?;
    let status = mail.status.decide(true)?;
    let visit_id = mail.visit_id.clone().ok_or(StoreError::NotFound)?;
    let message_id = mail.message_id.clone().unwrap_or_else(|| format!("unmatched:{}", mail.id));
    let answer = answer_of(mail.answer.clone(), message_id, mail.lkpp_ticket.clone(), Some(by));
    let actor = by.to_owned();
    let change: Change = Box::new(move |v, _| v.answer_escalation(&answer, now, &actor));
    change_visit(t, told, settings, renderer, &visit_id, now, change).await?;
    decided(t, id, status, by, now).await?;
    one(t, id).await
}

/// A supervisor dismisses an unmatched mail: nothing is recorded on any visit; the mail stays,
/// marked dismissed, with who decided and when.
pub(crate) async fn dismiss_unmatched_mail(
    t: &mut dyn Tx,
    id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<UnmatchedMail> {
    let mail = locked(t, id).await?;
    let status = mail.status.decide(false)?;
    decided(t, id, status, by, now).await?;
    one(t, id).await
}
