//! The report facts of a visit (`visit_facts`, `visit_steps`), rewritten with the visit in the
//! same transaction from what the domain derives ([`Visit::facts`]), so that the reports are added
//! up by the database.

use chrono::{DateTime, Utc};
use loket_domain::Visit;
use loket_domain::facts::{VisitFacts, step_facts, unchanged_rows};
use loket_domain::settings::OfficeSettings;
use loket_domain::standards::StepOutcome;
use serde::Serialize;

use crate::exec::{Columns, ReadOne, Rows, Tx, Value, WriteRows, int, opt_text, text};
use crate::{OFFICE, Result, StoreError, ms};

/// The snake_case code serde gives a value (a visitor role, a channel, a status).
fn code<T: Serialize>(value: Option<T>) -> Option<String> {
    value.and_then(|v| serde_json::to_value(v).ok()).and_then(|v| v.as_str().map(str::to_owned))
}

fn opt_ms(at: Option<DateTime<Utc>>) -> Value<'static> {
    Value::Int(at.map(ms))
}

/// Writes the facts of `visit`, opened on the office day `day`, replacing what was stored.
/// `stored` is how many of its events the stored facts were written from (none for a new
/// visit, or facts written anew): the step rows those events gave that did not change are kept.
pub(crate) async fn store_facts(
    t: &mut dyn Tx,
    visit: &Visit,
    day: &str,
    settings: &OfficeSettings,
    now: DateTime<Utc>,
    stored: Option<usize>,
) -> Result<()> {
    let analysis = settings.analysis_minutes(visit.form.category.as_deref());
    let working = settings.working_time();
    let facts: VisitFacts = visit.facts(&settings.time_standards, analysis, now, &working);
    let (role, channel, status) =
        (code(facts.visitor_role), code(facts.escalation_channel), code(facts.escalation_status));
    // The visit, its office, day and service are the row's from the start; the rest is rewritten.
    let row = Columns::new()
        .key("visit_id", text(&visit.id))
        .on_insert("office_id", text(OFFICE))
        .on_insert("day", text(day))
        .on_insert("service", text(&visit.service))
        .set("visitor_role", opt_text(role.as_deref()))
        .set("category", opt_text(facts.category.as_deref()))
        .set("outcome", text(facts.outcome.as_str()))
        .set("served_by", opt_text(facts.served_by.as_deref()))
        .set("copy_state", opt_text(facts.copy.map(|c| c.as_str())))
        .set("queued_at", opt_ms(facts.queued_at))
        .set("called_at", opt_ms(facts.called_at))
        .set("started_at", opt_ms(facts.started_at))
        .set("served_at", opt_ms(facts.served_at))
        .set("waiting_ms", Value::Int(facts.waiting_ms()))
        .set("service_ms", Value::Int(facts.service_ms()))
        .set("escalation_channel", opt_text(channel.as_deref()))
        .set("escalation_status", opt_text(status.as_deref()))
        .set("escalated_at", opt_ms(facts.escalated_at))
        .set("lkpp_answered_at", opt_ms(facts.lkpp_answered_at))
        .set("waiting_working_ms", Value::Int(facts.waiting_working_ms))
        .set("service_working_ms", Value::Int(facts.service_working_ms));
    t.upsert("visit_facts", &row).await?;
    let kept = match stored.and_then(|n| visit.history.get(..n)) {
        Some(before) if !before.is_empty() => {
            let before = step_facts(before, &settings.time_standards, analysis, now, &working);
            let kept = unchanged_rows(&before, &facts.steps);
            if kept < before.len() {
                t.execute(
                    "DELETE FROM visit_steps WHERE visit_id = $1 AND seq >= $2",
                    &[text(&visit.id), int(kept as i64)],
                )
                .await?;
            }
            kept
        }
        Some(_) => 0,
        None => {
            t.execute("DELETE FROM visit_steps WHERE visit_id = $1", &[text(&visit.id)]).await?;
            0
        }
    };
    if facts.steps.len() <= kept {
        return Ok(());
    }
    // One statement for all the new steps, which share the visit, its office and day.
    let mut steps =
        Rows::new(Columns::new().set("visit_id", text(&visit.id)).set("office_id", text(OFFICE)).set("day", text(day)));
    for (i, fact) in facts.steps.iter().enumerate().skip(kept) {
        let s = &fact.record;
        steps.push(
            Columns::new()
                .set("seq", int(i as i64))
                .set("step", int(i64::from(s.step)))
                .set("started_at", int(ms(s.started_at)))
                .set("ended_at", opt_ms(s.finished_at))
                .set("duration_ms", Value::Int(fact.clock_ms))
                .set("working_ms", Value::Int(fact.working_ms))
                .set("standard_minutes", Value::Int(s.standard_minutes.map(i64::from)))
                .set("instant", Value::Bool(s.instant))
                .set("cancelled", Value::Bool(s.outcome == Some(StepOutcome::Cancelled)))
                .set("by_user", text(&s.by)),
        )?;
    }
    t.insert_rows("visit_steps", &steps).await?;
    Ok(())
}

/// The office day a stored visit was opened on.
pub(crate) async fn opened_on(t: &mut dyn Tx, visit_id: &str) -> Result<String> {
    t.text("SELECT created_day FROM visits WHERE id = $1", &[text(visit_id)]).await?.ok_or(StoreError::NotFound)
}

/// Fills in the facts of visits stored without them (before migration 0008), `batch` at a time;
/// returns how many were filled. Run at start until it returns 0.
pub(crate) async fn backfill_facts(t: &mut dyn Tx, batch: i64, now: DateTime<Utc>) -> Result<u64> {
    let settings = crate::reads::settings(t).await?;
    let rows = t
        .rows(
            "SELECT v.created_day, v.data FROM visits v WHERE v.office_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM visit_facts f WHERE f.visit_id = v.id) ORDER BY v.id LIMIT $2",
            &[text(OFFICE), int(batch)],
            &[crate::exec::Col::Text, crate::exec::Col::Text],
        )
        .await?;
    let mut filled = 0;
    for mut row in rows {
        let (day, data) = (row.text()?, row.text()?);
        let visit: Visit = serde_json::from_str(&data)?;
        store_facts(t, &visit, &day, &settings, now, None).await?;
        filled += 1;
    }
    Ok(filled)
}
