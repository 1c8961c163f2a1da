//! Reports: the time standards and the satisfaction index, added up by the database.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use loket_domain::FieldErrors;
use loket_domain::auth::Permission;
use loket_domain::office::office_day;
use loket_domain::reports::{EscalationAges, Escalations, Overrun, Recap, StepCount, Times};
use loket_domain::settings::OfficeSettings;
use loket_domain::standards::TimeStandardsReport;
use loket_domain::survey::{Ikm, Tally};
use loket_store::{ServedGroup, SurveyFilter};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::visits::parse_day;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Staff};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First office day, `YYYY-MM-DD`; today when absent.
    pub from: Option<String>,
    /// Last office day, `YYYY-MM-DD`; `from` when absent.
    pub to: Option<String>,
}

/// The longest period one report covers.
const MAX_DAYS: u64 = 366;

/// A report and the office days it covers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PeriodReport {
    /// First office day reported.
    pub from: NaiveDate,
    /// Last office day reported: `to` as asked, or cut to 366 days from `from`. Before `from`,
    /// the period is empty and every count is 0.
    pub to: NaiveDate,
    #[serde(flatten)]
    pub report: TimeStandardsReport,
}

/// Per SOP step: how many, how many within the standard, average and 90th percentile minutes;
/// and the waiting time from number to first call. At most 366 days at once.
#[utoipa::path(get, path = "/api/v1/reports/time-standards", tag = "reports", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = PeriodReport), (status = 422, body = ErrorBody)))]
pub async fn time_standards(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<PeriodReport>> {
    staff.require(Permission::Supervise)?;
    let settings = state.store.settings().await?;
    let now = state.now();
    let mut errors = FieldErrors::default();
    let from = parse_day(q.from.as_deref(), "from", &mut errors);
    let to = parse_day(q.to.as_deref(), "to", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let from = from.unwrap_or_else(|| office_day(now, settings.zone()));
    let last = from.checked_add_days(chrono::Days::new(MAX_DAYS - 1)).unwrap_or(NaiveDate::MAX);
    let to = to.unwrap_or(from).min(last);
    let report = time_standards_report(&state, &settings, from, to).await?;
    Ok(Json(PeriodReport { from, to, report }))
}

/// The time-standards report of the office days `from..=to` (empty when `to < from`), in the
/// office's measure (clock or working time), added up by the database.
pub(crate) async fn time_standards_report(
    state: &AppState,
    settings: &OfficeSettings,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<TimeStandardsReport, ApiError> {
    Ok(state.store.time_standards(from, to, &settings.time_standards, settings.calendar.time_measure).await?)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IkmQuery {
    /// First office day, `YYYY-MM-DD`; today when absent.
    pub from: Option<String>,
    /// Last office day, `YYYY-MM-DD`; `from` when absent.
    pub to: Option<String>,
    /// Only the visits of this service (its code).
    pub service: Option<String>,
    /// Only the visits served by this staff member (user name).
    pub agent: Option<String>,
}

/// The index of one group of visits: how many were served, and the index of their responses
/// (`null` without any response).
#[derive(Serialize, utoipa::ToSchema)]
pub struct IkmGroup {
    /// The service's code, or the staff member's user name.
    pub key: String,
    pub served: u64,
    pub ikm: Option<Ikm>,
}

/// The satisfaction index of a period: over all its visits, per service and per staff member
/// who served them.
#[derive(Serialize, utoipa::ToSchema)]
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

/// The index of the office days `from..=to`, added up by the database.
pub async fn ikm_report(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
    service: Option<String>,
    agent: Option<String>,
) -> ApiResult<IkmReport> {
    let filter = SurveyFilter { from, to, service: service.clone(), agent: agent.clone() };
    let groups = if to < from { Vec::new() } else { state.store.survey_groups(&filter).await? };
    let served = groups.iter().map(|g| g.served).sum();
    let tally = groups.iter().fold(Tally::default(), |t, g| t.merge(g.tally));
    Ok(IkmReport {
        from,
        to,
        service,
        agent,
        served,
        ikm: Ikm::of(&tally, Some(served)),
        by_service: rolled_up(&groups, |g| &g.service),
        by_agent: rolled_up(&groups, |g| &g.agent),
    })
}

/// The period of a report query: `from` today when absent, `to` = `from` when absent, at most
/// 366 days.
pub fn period(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), FieldErrors> {
    let mut errors = FieldErrors::default();
    let from = parse_day(from, "from", &mut errors);
    let to = parse_day(to, "to", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let from = from.unwrap_or(today);
    let last = from.checked_add_days(chrono::Days::new(MAX_DAYS - 1)).unwrap_or(NaiveDate::MAX);
    Ok((from, to.unwrap_or(from).min(last)))
}

/// The satisfaction index (IKM, PermenPANRB 14/2017) of the visits of a period: per element the
/// average score (NRR) and its index, the IKM and its grade, per service and per staff member who
/// served, with `sample_too_small` when fewer visitors answered than a sample of the visits
/// served needs. At most 366 days at once.
#[utoipa::path(get, path = "/api/v1/reports/ikm", tag = "reports", params(IkmQuery), security(("bearer" = [])),
    responses((status = 200, body = IkmReport), (status = 422, body = ErrorBody)))]
pub async fn ikm(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<IkmQuery>,
) -> ApiResult<Json<IkmReport>> {
    staff.require(Permission::Supervise)?;
    let settings = state.store.settings().await?;
    let today = office_day(state.now(), settings.zone());
    let (from, to) = period(q.from.as_deref(), q.to.as_deref(), today).map_err(ApiError::validation)?;
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Json(ikm_report(&state, from, to, nonempty(q.service), nonempty(q.agent)).await?))
}

/// The period a report covers, as asked: the office days `from..=to`.
pub async fn asked_period(state: &AppState, q: &PeriodQuery) -> ApiResult<(NaiveDate, NaiveDate)> {
    let settings = state.store.settings().await?;
    let today = office_day(state.now(), settings.zone());
    period(q.from.as_deref(), q.to.as_deref(), today).map_err(ApiError::validation)
}

/// The daily or monthly recap.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RecapReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub recap: Recap,
}

/// The visits opened on the office days of a period by visitor role, category, outcome
/// (answered, escalated, no-show, not served, cancelled, open), per staff member who served them,
/// and per day. At most 366 days at once.
#[utoipa::path(get, path = "/api/v1/reports/recap", tag = "reports", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = RecapReport), (status = 422, body = ErrorBody)))]
pub async fn recap(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<RecapReport>> {
    staff.require(Permission::Supervise)?;
    let (from, to) = asked_period(&state, &q).await?;
    Ok(Json(RecapReport { from, to, recap: state.store.recap(from, to).await? }))
}

/// Waiting and service times of a period.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TimesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub times: Times,
}

/// Waiting time (number given to first call) and service time (start of service to answer or
/// escalation) of the visits of a period: count, average, median, 90th percentile (nearest rank),
/// longest, and the distribution in bars of 5 minutes (the last from 60 minutes on).
#[utoipa::path(get, path = "/api/v1/reports/times", tag = "reports", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = TimesReport), (status = 422, body = ErrorBody)))]
pub async fn times(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<TimesReport>> {
    staff.require(Permission::Supervise)?;
    let (from, to) = asked_period(&state, &q).await?;
    let measure = state.store.settings().await?.calendar.time_measure;
    Ok(Json(TimesReport { from, to, times: state.store.times(from, to, measure).await? }))
}

/// The most overruns one answer lists.
pub const OVERRUNS_LISTED: u32 = 1000;

/// The steps of a period that ran past their standard.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OverrunsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every overrun of the period.
    pub total: u64,
    /// Every overrun of the period per step, for the steps that have any.
    pub by_step: Vec<StepCount>,
    /// The first 1,000 of them, in the order they started.
    pub overruns: Vec<Overrun>,
}

/// The finished steps of the visits of a period that took longer than the standard in force when
/// they started: which visit, which step, by whom, how long. At most 366 days at once.
#[utoipa::path(get, path = "/api/v1/reports/overruns", tag = "reports", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = OverrunsReport), (status = 422, body = ErrorBody)))]
pub async fn overruns(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<OverrunsReport>> {
    staff.require(Permission::Supervise)?;
    let (from, to) = asked_period(&state, &q).await?;
    let measure = state.store.settings().await?.calendar.time_measure;
    let found = state.store.overruns(from, to, OVERRUNS_LISTED, measure).await?;
    Ok(Json(OverrunsReport { from, to, total: found.total(), by_step: found.by_step, overruns: found.list }))
}

/// The most escalations one answer lists.
pub const ESCALATIONS_LISTED: u32 = 1000;

/// The escalations of a period.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EscalationsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub escalations: Escalations,
}

/// The escalations to LKPP of the visits of a period: how many still wait for LKPP's answer and
/// how many it answered, their age (from the escalation to the answer, or to now), and the first
/// 1,000, oldest first.
#[utoipa::path(get, path = "/api/v1/reports/escalations", tag = "reports", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = EscalationsReport), (status = 422, body = ErrorBody)))]
pub async fn escalations(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<EscalationsReport>> {
    staff.require(Permission::Supervise)?;
    let (from, to) = asked_period(&state, &q).await?;
    let settings = state.store.settings().await?;
    let (now, measure) = (state.now(), settings.measure());
    let mut ages = EscalationAges::default();
    let mut each = |at, answered| ages.add(at, answered, now, &measure);
    let rows = state.store.escalations(from, to, ESCALATIONS_LISTED, &mut each).await?;
    Ok(Json(EscalationsReport { from, to, escalations: Escalations::of(&ages, rows, now, &measure) }))
}
