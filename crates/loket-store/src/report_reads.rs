//! The supervisors' reports, added up by the database from the report facts (`visit_facts`,
//! `visit_steps`): GROUP BY for counts and sums, and a percentile as the one value at its rank
//! (`ORDER BY … LIMIT 1 OFFSET rank - 1`), the same SQL in both databases. No report reads whole
//! visits. Durations are read in the office's measure: the facts keep each by the clock and in
//! working time. Steps are read one SOP step at a time: each step's rows of a period are one
//! range of the index `visit_steps_step`, so nothing sorts the whole period's steps to group them.

use chrono::{DateTime, Days, NaiveDate, Utc};
use loket_domain::calendar::{Measure, TimeMeasure};
use loket_domain::reports::{
    AgentCount, BUCKET_MINUTES, BUCKETS, DayRecap, Durations, EscalationRow, KeyCount, Overrun, Overruns, Recap,
    StepCount, Times, average_minutes, minutes, nearest_rank,
};
use loket_domain::standards::{
    AppliedStandard, Outcomes, StepStandard, StepSummary, StepTotals, WaitingSummary, running_over_ms,
};

use crate::exec::{Col, FromRow, ReadOne, Row, Sql, Value, int, text};
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

/// The column of a step's duration in `measure`.
fn step_duration(measure: TimeMeasure) -> &'static str {
    match measure {
        TimeMeasure::Clock => "duration_ms",
        TimeMeasure::Working => "working_ms",
    }
}

/// The columns of the waiting and the service time in `measure`.
fn visit_durations(measure: TimeMeasure) -> (&'static str, &'static str) {
    match measure {
        TimeMeasure::Clock => ("waiting_ms", "service_ms"),
        TimeMeasure::Working => ("waiting_working_ms", "service_working_ms"),
    }
}

/// The running steps of one SOP step (`$4`) of the period already past their standard by the
/// clock at `$5` (now, in ms): all those past it in working time are among them, since working
/// time never runs ahead of the clock. Served by the partial index `visit_steps_running`.
const RUNNING_PAST: &str = "s.office_id = $1 AND s.step = $4 AND s.day >= $2 AND s.day <= $3 AND s.ended_at IS NULL \
     AND NOT s.instant AND s.standard_minutes IS NOT NULL \
     AND s.started_at + CAST(s.standard_minutes AS BIGINT) * 60000 < $5";

/// The running steps past their standard by the clock, counted per standard (read by the clock).
fn running_counted_sql() -> String {
    format!("SELECT s.standard_minutes, COUNT(*) FROM visit_steps s WHERE {RUNNING_PAST} GROUP BY s.standard_minutes")
}

/// The running steps past their standard by the clock, each with its start (measured in working
/// time by the domain).
fn running_listed_sql() -> String {
    format!("SELECT s.started_at, s.standard_minutes FROM visit_steps s WHERE {RUNNING_PAST}")
}

/// The running steps past their standard by the clock, listed among the overruns.
fn running_overruns_sql() -> String {
    format!(
        "SELECT {} FROM visit_steps s JOIN visits v ON v.id = s.visit_id WHERE {RUNNING_PAST} \
         ORDER BY s.started_at, s.visit_id, s.seq",
        StepOverrun::select(None)
    )
}

/// Every query of the reports that reads the running steps, named: their plans are tested.
#[cfg(feature = "testing")]
pub(crate) fn running_step_queries() -> Vec<(&'static str, String)> {
    vec![
        ("time standards, by the clock", running_counted_sql()),
        ("time standards, in working time", running_listed_sql()),
        ("overruns, the running ones", running_overruns_sql()),
    ]
}

/// The SOP steps, in order.
const STEPS: std::ops::RangeInclusive<u8> = 1..=12;

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
    for (d, n) in cancelled_in_service(r, &p).await? {
        recap.outcomes.cancelled_in_service += n;
        if let Some(row) = recap.by_day.iter_mut().find(|row| row.day == Some(d)) {
            row.cancelled_in_service += n;
        }
    }
    let rows = r
        .rows(
            "SELECT copy_state, COUNT(*) FROM visit_facts WHERE office_id = $1 AND day >= $2 AND day <= $3 \
             AND outcome IN ('answered', 'escalated') GROUP BY copy_state",
            &p.params(),
            &[Col::OptText, Col::Int],
        )
        .await?;
    for mut row in rows {
        let (state, n) = (row.opt_text()?, count(row.int()?));
        recap.copies.add(state.as_deref(), n);
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

/// Per office day of the period, the visits cancelled at the visitor's request while in service:
/// cancelled once their service had started.
async fn cancelled_in_service(r: &mut dyn Sql, p: &Period) -> Result<Vec<(NaiveDate, u64)>> {
    let rows = r
        .rows(
            "SELECT day, COUNT(*) FROM visit_facts WHERE office_id = $1 AND day >= $2 AND day <= $3 \
             AND outcome = 'cancelled' AND started_at IS NOT NULL GROUP BY day ORDER BY day",
            &p.params(),
            &[Col::Text, Col::Int],
        )
        .await?;
    rows.into_iter().map(|mut row| Ok((day(&row.text()?)?, count(row.int()?)))).collect()
}

/// The one duration (`column`, in ms) of the period at the 1-based `rank` in ascending order.
async fn at_rank(r: &mut dyn Sql, p: &Period, from_where: &str, column: &str, rank: u64) -> Result<Option<i64>> {
    let sql = format!("SELECT {column} {from_where} ORDER BY {column} LIMIT 1 OFFSET $4");
    let [a, b, c] = p.params();
    r.int(&sql, &[a, b, c, int(rank as i64 - 1)]).await
}

/// How many durations one column of `visit_facts` (`waiting_ms`, `service_ms`, …) has in the
/// period, their sum and their longest; and the query part that selects them.
struct Column {
    from_where: String,
    n: u64,
    sum: i64,
    max: Option<i64>,
}

async fn column_totals(r: &mut dyn Sql, p: &Period, column: &str) -> Result<Column> {
    let from_where =
        format!("FROM visit_facts WHERE office_id = $1 AND day >= $2 AND day <= $3 AND {column} IS NOT NULL");
    let rows = r
        .rows(
            &format!("SELECT COUNT(*), CAST(COALESCE(SUM({column}), 0) AS BIGINT), MAX({column}) {from_where}"),
            &p.params(),
            &[Col::Int, Col::Int, Col::OptInt],
        )
        .await?;
    let Some(mut totals) = rows.into_iter().next() else {
        return Ok(Column { from_where, n: 0, sum: 0, max: None });
    };
    Ok(Column { n: count(totals.int()?), sum: totals.int()?, max: totals.opt_int()?, from_where })
}

/// The distribution of one duration column of `visit_facts` (`waiting_ms`, `service_ms`, …).
async fn durations(r: &mut dyn Sql, p: &Period, column: &str) -> Result<Durations> {
    let Column { from_where, n, sum, max } = column_totals(r, p, column).await?;
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

/// Waiting and service times of the visits opened on the office days `from..=to`, in `measure`.
pub(crate) async fn times(r: &mut dyn Sql, from: NaiveDate, to: NaiveDate, measure: TimeMeasure) -> Result<Times> {
    let p = Period::new(from, to);
    let (waiting, service) = visit_durations(measure);
    Ok(Times { waiting: durations(r, &p, waiting).await?, service: durations(r, &p, service).await? })
}

/// Per SOP step, the totals of the time-standards report in `measure`; `standards` are the
/// current settings. The steps still running past their standard at `now` are counted too.
pub(crate) async fn step_summaries(
    r: &mut dyn Sql,
    from: NaiveDate,
    to: NaiveDate,
    standards: &[StepStandard],
    now: DateTime<Utc>,
    measure: &Measure<'_>,
) -> Result<Vec<StepSummary>> {
    let p = Period::new(from, to);
    let d = step_duration(measure.kind());
    // $4 is the step: one seek into `visit_steps_step` per step.
    let finished =
        format!("FROM visit_steps WHERE office_id = $1 AND step = $4 AND day >= $2 AND day <= $3 AND {d} IS NOT NULL");
    // A cancelled analysis (step 9) is counted, neither judged nor measured.
    let judged = "NOT instant AND NOT cancelled AND standard_minutes IS NOT NULL";
    let totals_sql = format!(
        "SELECT COUNT(*), \
         COALESCE(SUM(CASE WHEN {judged} THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN {judged} AND {d} <= CAST(standard_minutes AS BIGINT) * 60000 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN instant OR cancelled THEN 0 ELSE 1 END), 0), \
         CAST(COALESCE(SUM(CASE WHEN instant OR cancelled THEN 0 ELSE {d} END), 0) AS BIGINT), \
         MIN(CASE WHEN {judged} THEN standard_minutes END), MAX(CASE WHEN {judged} THEN standard_minutes END), \
         COALESCE(SUM(CASE WHEN cancelled THEN 1 ELSE 0 END), 0) \
         {finished}"
    );
    let mut out = Vec::new();
    for step in STEPS {
        let [a, b, c] = p.params();
        let params = [a, b, c, int(i64::from(step))];
        let cols = [Col::Int, Col::Int, Col::Int, Col::Int, Col::Int, Col::OptInt, Col::OptInt, Col::Int];
        let Some(mut row) = r.rows(&totals_sql, &params, &cols).await?.into_iter().next() else { continue };
        let mut t = StepTotals { step, ..StepTotals::default() };
        (t.count, t.judged, t.within, t.measured) =
            (count(row.int()?), count(row.int()?), count(row.int()?), count(row.int()?));
        t.sum_ms = row.int()?;
        let (least, most) = (row.opt_int()?, row.opt_int()?);
        t.cancelled = count(row.int()?);
        // The standards applied: nearly always one, read from the same pass.
        match (least, most) {
            (Some(least), Some(most)) if least == most => {
                t.applied.push(AppliedStandard { minutes: u32::try_from(least).unwrap_or(u32::MAX), count: t.judged });
            }
            (Some(_), Some(_)) => {
                let sql = format!(
                    "SELECT standard_minutes, COUNT(*) {finished} AND {judged} GROUP BY standard_minutes \
                     ORDER BY standard_minutes"
                );
                for mut row in r.rows(&sql, &params, &[Col::Int, Col::Int]).await? {
                    let (minutes, n) = (row.int()?, count(row.int()?));
                    t.applied.push(AppliedStandard { minutes: u32::try_from(minutes).unwrap_or(u32::MAX), count: n });
                }
            }
            _ => {}
        }
        if t.measured > 0 {
            let sql = format!("SELECT {d} {finished} AND NOT instant AND NOT cancelled ORDER BY {d} LIMIT 1 OFFSET $5");
            let rank = nearest_rank(t.measured, 0.9) as i64 - 1;
            let [a, b, c] = p.params();
            t.p90_ms = r.int(&sql, &[a, b, c, int(i64::from(step)), int(rank)]).await?;
        }
        running_over(r, &p, step, now, measure, &mut t).await?;
        out.push(t);
    }
    Ok(out.into_iter().map(|t| StepSummary::of(t, standards)).collect())
}

/// Adds to `t` the steps `step` of the period still running past their standard at `now`: by the
/// clock the database judges and counts them; in working time it selects those past by the clock
/// and the domain measures each.
async fn running_over(
    r: &mut dyn Sql,
    p: &Period,
    step: u8,
    now: DateTime<Utc>,
    measure: &Measure<'_>,
    t: &mut StepTotals,
) -> Result<()> {
    let [a, b, c] = p.params();
    let params = [a, b, c, int(i64::from(step)), int(crate::ms(now))];
    match measure {
        Measure::Clock => {
            for mut row in r.rows(&running_counted_sql(), &params, &[Col::Int, Col::Int]).await? {
                let (minutes, n) = (row.int()?, count(row.int()?));
                t.add_running_over_count(u32::try_from(minutes).unwrap_or(u32::MAX), n);
            }
        }
        Measure::Working { .. } => {
            for mut row in r.rows(&running_listed_sql(), &params, &[Col::Int, Col::Int]).await? {
                let (started_at, minutes) = (from_ms(row.int()?)?, row.int()?);
                t.add_running_over(started_at, u32::try_from(minutes).unwrap_or(u32::MAX), now, measure);
            }
        }
    }
    Ok(())
}

/// The waiting time as the time-standards report shows it, in `measure`: its count, average and
/// 90th percentile (the times report has its whole distribution).
pub(crate) async fn waiting_summary(
    r: &mut dyn Sql,
    from: NaiveDate,
    to: NaiveDate,
    measure: TimeMeasure,
) -> Result<WaitingSummary> {
    let p = Period::new(from, to);
    let column = visit_durations(measure).0;
    let Column { from_where, n, sum, .. } = column_totals(r, &p, column).await?;
    if n == 0 {
        return Ok(WaitingSummary { count: 0, avg_minutes: None, p90_minutes: None });
    }
    let p90 = at_rank(r, &p, &from_where, column, nearest_rank(n, 0.9)).await?;
    Ok(WaitingSummary { count: n, avg_minutes: average_minutes(sum, n), p90_minutes: p90.map(minutes) })
}

/// How the period's visits ended, as the time-standards report shows it.
pub(crate) async fn outcomes(r: &mut dyn Sql, from: NaiveDate, to: NaiveDate) -> Result<Outcomes> {
    let p = Period::new(from, to);
    let recap = recap_outcomes(r, &p).await?;
    let cancelled_in_service = cancelled_in_service(r, &p).await?.into_iter().map(|(_, n)| n).sum();
    Ok(Outcomes {
        visits: recap.visits,
        served: recap.answered + recap.escalated,
        no_show: recap.no_show,
        not_served: recap.not_served,
        cancelled: recap.cancelled,
        cancelled_in_service,
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

/// The steps of the period that ran past the standard in force when they started, in `measure`,
/// and those still running past it at `now`: how many per step, and the first `limit` of them in
/// the order they started.
pub(crate) async fn overruns(
    r: &mut dyn Sql,
    from: NaiveDate,
    to: NaiveDate,
    limit: u32,
    now: DateTime<Utc>,
    measure: &Measure<'_>,
) -> Result<Overruns> {
    let p = Period::new(from, to);
    let d = step_duration(measure.kind());
    // $4 is the step: one seek into `visit_steps_step` per step.
    let over = format!(
        "s.office_id = $1 AND s.step = $4 AND s.day >= $2 AND s.day <= $3 AND s.{d} IS NOT NULL AND NOT s.instant \
         AND NOT s.cancelled AND s.standard_minutes IS NOT NULL AND s.{d} > CAST(s.standard_minutes AS BIGINT) * 60000"
    );
    let mut out = Overruns::default();
    // Each step's first `limit`, with its place in the visit's steps; merged below.
    let mut listed: Vec<(Overrun, i64)> = Vec::new();
    let count_sql = format!("SELECT COUNT(*) FROM visit_steps s WHERE {over}");
    let list_sql = format!(
        "SELECT {} FROM visit_steps s JOIN visits v ON v.id = s.visit_id WHERE {over} \
         ORDER BY s.started_at, s.visit_id, s.seq LIMIT $5",
        StepOverrun::select(None)
    );
    // The running ones past their standard by the clock, measured here in the office's measure:
    // few, since a step runs until it ends (the forms never returned, the visits never archived).
    let running_sql = running_overruns_sql();
    for step in STEPS {
        let [a, b, c] = p.params();
        let mut n = count(r.int(&count_sql, &[a, b, c, int(i64::from(step))]).await?.unwrap_or(0));
        if n > 0 {
            let [a, b, c] = p.params();
            let rows: Vec<StepOverrun> =
                r.all(&list_sql, &[a, b, c, int(i64::from(step)), int(i64::from(limit))]).await?;
            for StepOverrun { mut overrun, duration_ms, working_ms, seq } in rows {
                let took = match measure.kind() {
                    TimeMeasure::Clock => duration_ms,
                    TimeMeasure::Working => working_ms,
                };
                // Read where it is not null.
                overrun.minutes =
                    minutes(took.ok_or_else(|| StoreError::Corrupt("an overrun without a duration".into()))?);
                listed.push((overrun, seq));
            }
        }
        let [a, b, c] = p.params();
        let running: Vec<StepOverrun> =
            r.all(&running_sql, &[a, b, c, int(i64::from(step)), int(crate::ms(now))]).await?;
        for StepOverrun { mut overrun, seq, .. } in running {
            let Some(ms) = running_over_ms(overrun.started_at, overrun.standard_minutes, now, measure) else {
                continue;
            };
            n += 1;
            (overrun.minutes, overrun.running) = (minutes(ms), true);
            listed.push((overrun, seq));
        }
        if n > 0 {
            out.by_step.push(StepCount { step, count: n });
        }
    }
    listed
        .sort_by(|(a, a_seq), (b, b_seq)| (a.started_at, &a.visit_id, a_seq).cmp(&(b.started_at, &b.visit_id, b_seq)));
    out.list = listed.into_iter().take(limit as usize).map(|(o, _)| o).collect();
    Ok(out)
}

/// A step that ran past its standard (`s`: `visit_steps`, `v`: `visits`), with both its durations
/// (the report's measure picks one; none while it runs) and its place among the visit's steps.
struct StepOverrun {
    /// Its minutes not yet set.
    overrun: Overrun,
    duration_ms: Option<i64>,
    working_ms: Option<i64>,
    seq: i64,
}

impl FromRow for StepOverrun {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("s.visit_id", Col::Text),
            ("v.reference", Col::Text),
            ("v.number", Col::OptText),
            ("s.step", Col::Int),
            ("s.by_user", Col::Text),
            ("s.started_at", Col::Int),
            ("s.standard_minutes", Col::Int),
            ("s.duration_ms", Col::OptInt),
            ("s.working_ms", Col::OptInt),
            ("s.seq", Col::Int),
        ]
    }

    fn from_row(row: &mut Row) -> Result<StepOverrun> {
        Ok(StepOverrun {
            overrun: Overrun {
                visit_id: row.text()?,
                reference: row.text()?,
                number: row.opt_text()?,
                step: u8::try_from(row.int()?).unwrap_or_default(),
                by: row.text()?,
                started_at: from_ms(row.int()?)?,
                minutes: 0.0,
                standard_minutes: u32::try_from(row.int()?).unwrap_or_default(),
                running: false,
            },
            duration_ms: row.opt_int()?,
            working_ms: row.opt_int()?,
            seq: row.int()?,
        })
    }
}

/// The longest stretch of office days whose escalations are read at once.
const ESCALATION_DAYS: u64 = 31;

/// The escalations of the visits opened on the office days `from..=to`: when each was escalated
/// and answered, handed to `each` (a month of them read at a time, so that a year is never held
/// at once), and the first `limit` of them, oldest first, to list.
pub(crate) async fn escalations(
    r: &mut dyn Sql,
    from: NaiveDate,
    to: NaiveDate,
    limit: u32,
    each: &mut (dyn FnMut(DateTime<Utc>, Option<DateTime<Utc>>) + Send),
) -> Result<Vec<EscalationRow>> {
    let mut first = from;
    while first <= to {
        let last = first.checked_add_days(Days::new(ESCALATION_DAYS - 1)).unwrap_or(NaiveDate::MAX).min(to);
        let rows = r
            .rows(
                "SELECT f.escalated_at, f.lkpp_answered_at FROM visit_facts f WHERE f.office_id = $1 \
                 AND f.day >= $2 AND f.day <= $3 AND f.escalated_at IS NOT NULL",
                &Period::new(first, last).params(),
                &[Col::Int, Col::OptInt],
            )
            .await?;
        for mut row in rows {
            each(from_ms(row.int()?)?, row.opt_int()?.map(from_ms).transpose()?);
        }
        match last.succ_opt() {
            Some(next) => first = next,
            None => break,
        }
    }
    let p = Period::new(from, to);
    let [a, b, c] = p.params();
    let sql = format!(
        "SELECT {} FROM visit_facts f JOIN visits v ON v.id = f.visit_id \
         WHERE f.office_id = $1 AND f.day >= $2 AND f.day <= $3 AND f.escalated_at IS NOT NULL \
         ORDER BY f.escalated_at, f.visit_id LIMIT $4",
        EscalationRow::select(None)
    );
    r.all(&sql, &[a, b, c, int(i64::from(limit))]).await
}

/// An escalation as the report lists it (`f`: `visit_facts`, `v`: `visits`); its age is the
/// report's to work out.
impl FromRow for EscalationRow {
    fn columns() -> Vec<(&'static str, Col)> {
        vec![
            ("f.visit_id", Col::Text),
            ("v.reference", Col::Text),
            ("f.day", Col::Text),
            ("f.escalation_channel", Col::OptText),
            ("f.escalation_status", Col::OptText),
            ("f.served_by", Col::OptText),
            ("f.escalated_at", Col::Int),
            ("f.lkpp_answered_at", Col::OptInt),
        ]
    }

    fn from_row(row: &mut Row) -> Result<EscalationRow> {
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
    }
}
