//! The report facts of a visit (`visit_facts`, `visit_steps`), rewritten with the visit in the
//! same transaction from what the domain derives ([`Visit::facts`]), so that the reports are added
//! up by the database.

use chrono::{DateTime, Utc};
use loket_domain::Visit;
use loket_domain::facts::{VisitFacts, step_facts, unchanged_rows};
use loket_domain::settings::OfficeSettings;
use serde::Serialize;

use crate::exec::{ReadOne, Tx, Value, int, opt_text, text};
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
    t.execute(
        "INSERT INTO visit_facts (visit_id, office_id, day, service, visitor_role, category, outcome, served_by, \
         queued_at, called_at, started_at, served_at, waiting_ms, service_ms, escalation_channel, \
         escalation_status, escalated_at, lkpp_answered_at, waiting_working_ms, service_working_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
         ON CONFLICT (visit_id) DO UPDATE SET visitor_role = excluded.visitor_role, category = excluded.category, \
         outcome = excluded.outcome, served_by = excluded.served_by, queued_at = excluded.queued_at, \
         called_at = excluded.called_at, started_at = excluded.started_at, served_at = excluded.served_at, \
         waiting_ms = excluded.waiting_ms, service_ms = excluded.service_ms, \
         escalation_channel = excluded.escalation_channel, escalation_status = excluded.escalation_status, \
         escalated_at = excluded.escalated_at, lkpp_answered_at = excluded.lkpp_answered_at, \
         waiting_working_ms = excluded.waiting_working_ms, service_working_ms = excluded.service_working_ms",
        &[
            text(&visit.id),
            text(OFFICE),
            text(day),
            text(&visit.service),
            opt_text(role.as_deref()),
            opt_text(facts.category.as_deref()),
            text(facts.outcome.as_str()),
            opt_text(facts.served_by.as_deref()),
            opt_ms(facts.queued_at),
            opt_ms(facts.called_at),
            opt_ms(facts.started_at),
            opt_ms(facts.served_at),
            Value::Int(facts.waiting_ms()),
            Value::Int(facts.service_ms()),
            opt_text(channel.as_deref()),
            opt_text(status.as_deref()),
            opt_ms(facts.escalated_at),
            opt_ms(facts.lkpp_answered_at),
            Value::Int(facts.waiting_working_ms),
            Value::Int(facts.service_working_ms),
        ],
    )
    .await?;
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
    // One statement for all the steps: $1-$3 are the visit, its office and day; then 9 per step.
    const PER_STEP: usize = 9;
    let mut sql = String::from(
        "INSERT INTO visit_steps (visit_id, office_id, day, seq, step, started_at, ended_at, duration_ms, \
         working_ms, standard_minutes, instant, by_user) VALUES ",
    );
    let mut params = vec![text(&visit.id), text(OFFICE), text(day)];
    for (i, fact) in facts.steps.iter().enumerate().skip(kept) {
        let s = &fact.record;
        let p = 4 + (i - kept) * PER_STEP;
        if i > kept {
            sql.push_str(", ");
        }
        sql.push_str(&format!("($1, $2, $3, {})", crate::exec::placeholders(p, PER_STEP)));
        params.extend([
            int(i as i64),
            int(i64::from(s.step)),
            int(ms(s.started_at)),
            opt_ms(s.finished_at),
            Value::Int(fact.clock_ms),
            Value::Int(fact.working_ms),
            Value::Int(s.standard_minutes.map(i64::from)),
            Value::Bool(s.instant),
            text(&s.by),
        ]);
    }
    t.execute(&sql, &params).await?;
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
