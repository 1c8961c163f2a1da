//! The supervisors' reports, added up by the database: time standards, recap, times, overruns,
//! escalations and the satisfaction index (IKM), each over a period of office days.

use chrono::NaiveDate;
use loket_domain::FieldErrors;
use loket_domain::auth::Permission;
use loket_domain::office::office_day;
use loket_domain::reports::{EscalationAges, Escalations, Overruns, Recap, Times};
use loket_domain::standards::TimeStandardsReport;
use loket_domain::survey::{Ikm, Tally};
use loket_store::{ServedGroup, SurveyFilter, User};
use serde::Serialize;

use crate::visits::parse_day;
use crate::{App, AppError, AppResult, require};

/// The longest period one report covers.
pub const MAX_DAYS: u64 = 366;
/// The most overruns one report lists (all are counted).
pub const OVERRUNS_LISTED: u32 = 1000;
/// The most escalations one report lists (all are counted).
pub const ESCALATIONS_LISTED: u32 = 1000;

/// The office days a report covers, `from..=to`; empty when `to < from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The period of a report as asked: `from` today when absent, `to` = `from` when absent, cut to
/// [`MAX_DAYS`]; each day that is not one named.
pub fn period(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Period, FieldErrors> {
    let mut errors = FieldErrors::default();
    let from = parse_day(from, "from", &mut errors);
    let to = parse_day(to, "to", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let from = from.unwrap_or(today);
    let last = from.checked_add_days(chrono::Days::new(MAX_DAYS - 1)).unwrap_or(NaiveDate::MAX);
    Ok(Period { from, to: to.unwrap_or(from).min(last) })
}

/// The period asked, for a supervisor.
pub async fn asked(app: &App, staff: &User, from: Option<&str>, to: Option<&str>) -> AppResult<Period> {
    require(staff, Permission::Supervise)?;
    let settings = app.settings().await?;
    let today = office_day(app.now(), settings.zone());
    period(from, to, today).map_err(AppError::validation)
}

/// Per SOP step: how many, how many within the standard, average and 90th percentile; and the
/// waiting time; in the office's measure. Steps still running past their standard now count.
pub async fn time_standards(app: &App, staff: &User, p: Period) -> AppResult<TimeStandardsReport> {
    require(staff, Permission::Supervise)?;
    let settings = app.settings().await?;
    Ok(app.store().time_standards(p.from, p.to, &settings.time_standards, app.now(), &settings.measure()).await?)
}

/// The visits opened in the period by role, category, outcome, agent and day.
pub async fn recap(app: &App, staff: &User, p: Period) -> AppResult<Recap> {
    require(staff, Permission::Supervise)?;
    Ok(app.store().recap(p.from, p.to).await?)
}

/// Waiting and service times of the period, in the office's measure.
pub async fn times(app: &App, staff: &User, p: Period) -> AppResult<Times> {
    require(staff, Permission::Supervise)?;
    let measure = app.settings().await?.calendar.time_measure;
    Ok(app.store().times(p.from, p.to, measure).await?)
}

/// The steps of the period past their standard, finished or still running now: all counted, the
/// first [`OVERRUNS_LISTED`] listed.
pub async fn overruns(app: &App, staff: &User, p: Period) -> AppResult<Overruns> {
    require(staff, Permission::Supervise)?;
    let settings = app.settings().await?;
    Ok(app.store().overruns(p.from, p.to, OVERRUNS_LISTED, app.now(), &settings.measure()).await?)
}

/// The escalations of the period: counted and aged one at a time, the first
/// [`ESCALATIONS_LISTED`] listed.
pub async fn escalations(app: &App, staff: &User, p: Period) -> AppResult<Escalations> {
    require(staff, Permission::Supervise)?;
    let settings = app.settings().await?;
    let (now, measure) = (app.now(), settings.measure());
    let mut ages = EscalationAges::default();
    let mut each = |at, answered| ages.add(at, answered, now, &measure);
    let rows = app.store().escalations(p.from, p.to, ESCALATIONS_LISTED, &mut each).await?;
    Ok(Escalations::of(&ages, rows, now, &measure))
}

/// The index of one group of visits: how many were served, and the index of their responses
/// (`null` without any response).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IkmGroup {
    /// The service's code, or the staff member's user name.
    pub key: String,
    pub served: u64,
    pub ikm: Option<Ikm>,
}

/// The satisfaction index of a period: over all its visits, per service and per staff member
/// who served them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IkmReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub service: Option<String>,
    pub agent: Option<String>,
    /// Visits served (answered or escalated) in the period: the population of the sample.
    pub served: u64,
    /// `null` without any response.
    pub ikm: Option<Ikm>,
    pub by_service: Vec<IkmGroup>,
    pub by_agent: Vec<IkmGroup>,
}

/// The groups the database added up, rolled up by `key` (a service, or an agent), in its order.
fn rolled_up(groups: &[ServedGroup], key: impl Fn(&ServedGroup) -> &str) -> Vec<IkmGroup> {
    let mut out: Vec<(String, u64, Tally)> = Vec::new();
    for g in groups {
        match out.iter_mut().find(|(k, _, _)| k == key(g)) {
            Some((_, served, tally)) => {
                *served += g.served;
                *tally = tally.merge(g.tally);
            }
            None => out.push((key(g).to_owned(), g.served, g.tally)),
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(key, served, tally)| IkmGroup { key, served, ikm: Ikm::of(&tally, Some(served)) }).collect()
}

/// The satisfaction index (IKM, PermenPANRB 14/2017) of the period, for one service or agent
/// (or all; blank means all).
pub async fn ikm(
    app: &App,
    staff: &User,
    p: Period,
    service: Option<String>,
    agent: Option<String>,
) -> AppResult<IkmReport> {
    require(staff, Permission::Supervise)?;
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (service, agent) = (nonempty(service), nonempty(agent));
    let filter = SurveyFilter { from: p.from, to: p.to, service: service.clone(), agent: agent.clone() };
    let groups = if p.to < p.from { Vec::new() } else { app.store().survey_groups(&filter).await? };
    let served = groups.iter().map(|g| g.served).sum();
    let tally = groups.iter().fold(Tally::default(), |t, g| t.merge(g.tally));
    Ok(IkmReport {
        from: p.from,
        to: p.to,
        service,
        agent,
        served,
        ikm: Ikm::of(&tally, Some(served)),
        by_service: rolled_up(&groups, |g| &g.service),
        by_agent: rolled_up(&groups, |g| &g.agent),
    })
}
