//! Reports: the time standards and the satisfaction index, added up by the database.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use loket_app::reports::{self, IkmReport, Period};
use loket_domain::reports::{Escalations, Overrun, Recap, StepCount, Times};
use loket_domain::standards::TimeStandardsReport;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Staff};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First office day, `YYYY-MM-DD`; today when absent.
    pub from: Option<String>,
    /// Last office day, `YYYY-MM-DD`; `from` when absent.
    pub to: Option<String>,
}

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
    let p = asked_period(&state, &staff, &q).await?;
    let report = reports::time_standards(&state.app, &staff.user, p).await?;
    Ok(Json(PeriodReport { from: p.from, to: p.to, report }))
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
    let p = reports::asked(&state.app, &staff.user, q.from.as_deref(), q.to.as_deref()).await?;
    Ok(Json(reports::ikm(&state.app, &staff.user, p, q.service, q.agent).await?))
}

/// The period a report covers, as asked: the office days `from..=to`.
async fn asked_period(state: &AppState, staff: &Staff, q: &PeriodQuery) -> ApiResult<Period> {
    Ok(reports::asked(&state.app, &staff.user, q.from.as_deref(), q.to.as_deref()).await?)
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
    let p = asked_period(&state, &staff, &q).await?;
    Ok(Json(RecapReport { from: p.from, to: p.to, recap: reports::recap(&state.app, &staff.user, p).await? }))
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
    let p = asked_period(&state, &staff, &q).await?;
    Ok(Json(TimesReport { from: p.from, to: p.to, times: reports::times(&state.app, &staff.user, p).await? }))
}

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
    let p = asked_period(&state, &staff, &q).await?;
    let found = reports::overruns(&state.app, &staff.user, p).await?;
    Ok(Json(OverrunsReport {
        from: p.from,
        to: p.to,
        total: found.total(),
        by_step: found.by_step,
        overruns: found.list,
    }))
}

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
    let p = asked_period(&state, &staff, &q).await?;
    let escalations = reports::escalations(&state.app, &staff.user, p).await?;
    Ok(Json(EscalationsReport { from: p.from, to: p.to, escalations }))
}
