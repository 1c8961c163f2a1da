//! The supervisors' reports, added up by the database from the report facts (`visit_facts`,
//! `visit_steps`): GROUP BY for counts and sums, and a percentile as the one value at its rank
//! (`ORDER BY … LIMIT 1 OFFSET rank - 1`), the same SQL in both databases. No report reads whole
//! visits.

use chrono::NaiveDate;
use loket_domain::reports::{
    AgentCount, BUCKET_MINUTES, BUCKETS, DayRecap, Durations, EscalationRow, EscalationTimes, KeyCount, Overrun, Recap,
    Times, average_minutes, minutes, nearest_rank,
};
use loket_domain::standards::{AppliedStandard, Outcomes, StepStandard, StepSummary, StepTotals, WaitingSummary};

use crate::exec::{Col, Sql, Value, int, text};
use crate::{OFFICE, Result, StoreError, from_ms};

/// The office and the office days `from..=to`: `$1`, `$2`, `$3` of every report query.
struct Period {
    from: String,
    to: String,
}

impl Period {
    fn new(from: NaiveDate, to: NaiveDate) -> Period {
        Period { from: from.to_string(), to: to.to_string() }
    }

    fn params(&self) -> [Value<'_>; 3] {
        [text(OFFICE), text(&self.from), text(&self.to)]
    }
}

fn count(v: i64) -> u64 {
    v.max(0) as u64
}

fn day(s: &str) -> Result<NaiveDate> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("office day {s:?}")))
}

/// Counts of the period's visits per value of one column of `visit_facts`.
async fn counts_by(r: &mut dyn Sql, p: &Period, column: &str) -> Result<Vec<KeyCount>> {
    let sql = format!(
        "SELECT {column}, COUNT(*) FROM visit_facts WHERE office_id = $1 AND day >= $2 AND day <= $3 \
         GROUP BY {column} ORDER BY COUNT(*) DESC, {column}"
    );
    let rows = r.rows(&sql, &p.params(), &[Col::OptText, Col::Int]).await?;
    rows.into_iter().map(|mut row| Ok(KeyCount { key: row.opt_text()?, count: count(row.int()?) })).collect()
}

/// The recap of the visits opened on the office days `from..=to`.
pub(crate) async fn recap(r: &mut dyn Sql, from: NaiveDate, to: NaiveDate) -> Result<Recap> {
    let p = Period::new(from, to);
    let mut recap = Recap::default();
    let rows = r
        .rows(
            "SELECT day, outcome, COUNT(*) FROM visit_facts WHERE office_id = $1 AND day >= $2 AND day <= $3 \
             GROUP BY day, outcome ORDER BY day",
            &p.params(),
            &[Col::Text, Col::Text, Col::Int],
        )
        .await?;
    for mut row in rows {
        let (d, outcome, n) = (day(&row.text()?)?, row.text()?, count(row.int()?));
        recap.visits += n;
        recap.outcomes.add(&outcome, n);
        match recap.by_day.last_mut() {
            Some(last) if last.day == Some(d) => last.add(&outcome, n),
            _ => {
                let mut new = DayRecap { day: Some(d), ..DayRecap::default() };
                new.add(&outcome, n);
                recap.by_day.push(new);
            }
        }
    }
    recap.by_role = counts_by(r, &p, "visitor_role").await?;
    recap.by_category = counts_by(r, &p, "category").await?;
    let rows = r
        .rows(
            "SELECT served_by, outcome, COUNT(*) FROM visit_facts WHERE office_id = $1 AND day >= $2 AND day <= $3 \
             AND served_by IS NOT NULL GROUP BY served_by, outcome ORDER BY served_by",
            &p.params(),
            &[Col::Text, Col::Text, Col::Int],
        )
        .await?;
    for mut row in rows {
        let (agent, outcome, n) = (row.text()?, row.text()?, count(row.int()?));
        if recap.by_agent.last().is_none_or(|a| a.agent != agent) {
            recap.by_agent.push(AgentCount { agent, answered: 0, escalated: 0 });
        }
        if let Some(a) = recap.by_agent.last_mut() {
            match outcome.as_str() {
                "answered" => a.answered += n,
                "escalated" => a.escalated += n,
                _ => {}
            }
        }
    }
    Ok(recap)
}

/// The one duration (`column`, in ms) of the period at the 1-based `rank` in ascending order.
async fn at_rank(r: &mut dyn Sql, p: &Period, from_where: &str, column: &str, rank: u64) -> Result<Option<i64>> {
    let sql = format!("SELECT {column} {from_where} ORDER BY {column} LIMIT 1 OFFSET $4");
    let [a, b, c] = p.params();
    r.int(&sql, &[a, b, c, int(rank as i64 - 1)]).await
}

/// The distribution of one duration column of `visit_facts` (`waiting_ms`, `service_ms`).
async fn durations(r: &mut dyn Sql, p: &Period, column: &str) -> Result<Durations> {
    let from_where =
        format!("FROM visit_facts WHERE office_id = $1 AND day >= $2 AND day <= $3 AND {column} IS NOT NULL");
    let rows = r
        .rows(
            &format!("SELECT COUNT(*), CAST(COALESCE(SUM({column}), 0) AS BIGINT), MAX({column}) {from_where}"),
            &p.params(),
            &[Col::Int, Col::Int, Col::OptInt],
        )
        .await?;
    let Some(mut totals) = rows.into_iter().next() else { return Ok(Durations::default()) };
    let (n, sum, max) = (count(totals.int()?), totals.int()?, totals.opt_int()?);
    if n == 0 {
        return Ok(Durations { distribution: Durations::buckets(&[]), ..Durations::default() });
    }
    let median = at_rank(r, p, &from_where, column, nearest_rank(n, 0.5)).await?;
    let p90 = at_rank(r, p, &from_where, column, nearest_rank(n, 0.9)).await?;
    let width = BUCKET_MINUTES * 60_000;
    let bars = r
        .rows(
            &format!(
                "SELECT CASE WHEN {column} >= {last} THEN {BUCKETS} ELSE {column} / {width} END AS bar, COUNT(*) \
                 {from_where} GROUP BY 1",
                last = BUCKETS * width
            ),
            &p.params(),
            &[Col::Int, Col::Int],
        )
        .await?;
    let bars = bars.into_iter().map(|mut b| Ok((b.int()?, count(b.int()?)))).collect::<Result<Vec<_>>>()?;
    Ok(Durations {
        count: n,
        avg_minutes: average_minutes(sum, n),
        median_minutes: median.map(minutes),
        p90_minutes: p90.map(minutes),
        max_minutes: max.map(minutes),
        distribution: Durations::buckets(&bars),
    })
}

/// Waiting and service times of the visits opened on the office days `from..=to`.
pub(crate) async fn times(r: &mut dyn Sql, from: NaiveDate, to: NaiveDate) -> Result<Times> {
    let p = Period::new(from, to);
    Ok(Times { waiting: durations(r, &p, "waiting_ms").await?, service: durations(r, &p, "service_ms").await? })
}

/// The finished, measured (not instant) steps of the period.
const MEASURED_STEPS: &str = "FROM visit_steps WHERE office_id = $1 AND day >= $2 AND day <= $3 \
     AND duration_ms IS NOT NULL AND NOT instant";

/// Per SOP step, the totals of the time-standards report; `standards` are the current settings.
pub(crate) async fn step_summaries(
    r: &mut dyn Sql,
    from: NaiveDate,
    to: NaiveDate,
    standards: &[StepStandard],
) -> Result<Vec<StepSummary>> {
    let p = Period::new(from, to);
    let rows = r
        .rows(
            "SELECT step, COUNT(*), \
             SUM(CASE WHEN NOT instant AND standard_minutes IS NOT NULL THEN 1 ELSE 0 END), \
             SUM(CASE WHEN NOT instant AND standard_minutes IS NOT NULL \
                 AND duration_ms <= CAST(standard_minutes AS BIGINT) * 60000 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN instant THEN 0 ELSE 1 END), \
             CAST(COALESCE(SUM(CASE WHEN instant THEN 0 ELSE duration_ms END), 0) AS BIGINT) \
             FROM visit_steps WHERE office_id = $1 AND day >= $2 AND day <= $3 AND duration_ms IS NOT NULL \
             GROUP BY step",
            &p.params(),
            &[Col::Int, Col::Int, Col::Int, Col::Int, Col::Int, Col::Int],
        )
        .await?;
    let mut totals: Vec<StepTotals> = (1..=12u8).map(|step| StepTotals { step, ..StepTotals::default() }).collect();
    for mut row in rows {
        let step = row.int()?;
        let Some(t) = totals.iter_mut().find(|t| i64::from(t.step) == step) else { continue };
        (t.count, t.judged, t.within, t.measured) =
            (count(row.int()?), count(row.int()?), count(row.int()?), count(row.int()?));
        t.sum_ms = row.int()?;
    }
    let applied = r
        .rows(
            &format!(
                "SELECT step, standard_minutes, COUNT(*) {MEASURED_STEPS} AND standard_minutes IS NOT NULL \
                 GROUP BY step, standard_minutes"
            ),
            &p.params(),
            &[Col::Int, Col::Int, Col::Int],
        )
        .await?;
    for mut row in applied {
        let (step, minutes, n) = (row.int()?, row.int()?, count(row.int()?));
        if let Some(t) = totals.iter_mut().find(|t| i64::from(t.step) == step) {
            t.applied.push(AppliedStandard { minutes: u32::try_from(minutes).unwrap_or(u32::MAX), count: n });
        }
    }
    for t in totals.iter_mut().filter(|t| t.measured > 0) {
        let sql = format!("SELECT duration_ms {MEASURED_STEPS} AND step = $5 ORDER BY duration_ms LIMIT 1 OFFSET $4");
        let [a, b, c] = p.params();
        let rank = nearest_rank(t.measured, 0.9) as i64 - 1;
        t.p90_ms = r.int(&sql, &[a, b, c, int(rank), int(i64::from(t.step))]).await?;
    }
    Ok(totals.into_iter().map(|t| StepSummary::of(t, standards)).collect())
}

/// The waiting time as the time-standards report shows it.
pub(crate) async fn waiting_summary(r: &mut dyn Sql, from: NaiveDate, to: NaiveDate) -> Result<WaitingSummary> {
    let d = durations(r, &Period::new(from, to), "waiting_ms").await?;
    Ok(WaitingSummary { count: d.count, avg_minutes: d.avg_minutes, p90_minutes: d.p90_minutes })
}

/// How the period's visits ended, as the time-standards report shows it.
pub(crate) async fn outcomes(r: &mut dyn Sql, from: NaiveDate, to: NaiveDate) -> Result<Outcomes> {
    let recap = recap_outcomes(r, &Period::new(from, to)).await?;
    Ok(Outcomes {
        visits: recap.visits,
        served: recap.answered + recap.escalated,
        no_show: recap.no_show,
        not_served: recap.not_served,
        cancelled: recap.cancelled,
        open: recap.open,
    })
}

async fn recap_outcomes(r: &mut dyn Sql, p: &Period) -> Result<DayRecap> {
    let mut total = DayRecap::default();
    for KeyCount { key, count } in counts_by(r, p, "outcome").await? {
        total.add(key.as_deref().unwrap_or_default(), count);
    }
    Ok(total)
}

/// The steps of the period that ran past the standard in force when they started, in the order
/// they started: at most `limit`, and how many there are.
pub(crate) async fn overruns(
    r: &mut dyn Sql,
    from: NaiveDate,
    to: NaiveDate,
    limit: u32,
) -> Result<(u64, Vec<Overrun>)> {
    let p = Period::new(from, to);
    let over = "s.office_id = $1 AND s.day >= $2 AND s.day <= $3 AND s.duration_ms IS NOT NULL AND NOT s.instant \
                AND s.standard_minutes IS NOT NULL AND s.duration_ms > CAST(s.standard_minutes AS BIGINT) * 60000";
    let total = r.int(&format!("SELECT COUNT(*) FROM visit_steps s WHERE {over}"), &p.params()).await?.unwrap_or(0);
    let [a, b, c] = p.params();
    let rows = r
        .rows(
            &format!(
                "SELECT s.visit_id, v.reference, v.number, s.step, s.by_user, s.started_at, s.duration_ms, \
                 s.standard_minutes FROM visit_steps s JOIN visits v ON v.id = s.visit_id WHERE {over} \
                 ORDER BY s.started_at, s.visit_id, s.seq LIMIT $4"
            ),
            &[a, b, c, int(i64::from(limit))],
            &[Col::Text, Col::Text, Col::OptText, Col::Int, Col::Text, Col::Int, Col::Int, Col::Int],
        )
        .await?;
    let list = rows
        .into_iter()
        .map(|mut row| {
            Ok(Overrun {
                visit_id: row.text()?,
                reference: row.text()?,
                number: row.opt_text()?,
                step: u8::try_from(row.int()?).unwrap_or_default(),
                by: row.text()?,
                started_at: from_ms(row.int()?)?,
                minutes: minutes(row.int()?),
                standard_minutes: u32::try_from(row.int()?).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((count(total), list))
}

/// The escalations of the visits opened on the office days `from..=to`: when each was escalated
/// and answered (every one, two numbers each, for the domain to age), and the first `limit` of
/// them, oldest first, to list.
pub(crate) async fn escalations(
    r: &mut dyn Sql,
    from: NaiveDate,
    to: NaiveDate,
    limit: u32,
) -> Result<(EscalationTimes, Vec<EscalationRow>)> {
    let p = Period::new(from, to);
    let escalated = "FROM visit_facts f WHERE f.office_id = $1 AND f.day >= $2 AND f.day <= $3 \
                     AND f.escalated_at IS NOT NULL";
    let times = r
        .rows(&format!("SELECT f.escalated_at, f.lkpp_answered_at {escalated}"), &p.params(), &[Col::Int, Col::OptInt])
        .await?
        .into_iter()
        .map(|mut row| Ok((from_ms(row.int()?)?, row.opt_int()?.map(from_ms).transpose()?)))
        .collect::<Result<Vec<_>>>()?;
    let [a, b, c] = p.params();
    let rows = r
        .rows(
            "SELECT f.visit_id, v.reference, f.day, f.escalation_channel, f.escalation_status, f.served_by, \
             f.escalated_at, f.lkpp_answered_at FROM visit_facts f JOIN visits v ON v.id = f.visit_id \
             WHERE f.office_id = $1 AND f.day >= $2 AND f.day <= $3 AND f.escalated_at IS NOT NULL \
             ORDER BY f.escalated_at, f.visit_id LIMIT $4",
            &[a, b, c, int(i64::from(limit))],
            &[Col::Text, Col::Text, Col::Text, Col::OptText, Col::OptText, Col::OptText, Col::Int, Col::OptInt],
        )
        .await?;
    let list = rows
        .into_iter()
        .map(|mut row| {
            Ok(EscalationRow {
                visit_id: row.text()?,
                reference: row.text()?,
                day: day(&row.text()?)?,
                channel: row.opt_text()?.unwrap_or_default(),
                status: row.opt_text()?.unwrap_or_default(),
                escalated_by: row.opt_text()?.unwrap_or_default(),
                escalated_at: from_ms(row.int()?)?,
                answered_at: row.opt_int()?.map(from_ms).transpose()?,
                age_minutes: 0.0,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((times, list))
}
