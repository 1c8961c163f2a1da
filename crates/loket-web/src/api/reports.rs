//! Reports: the time standards, read from the visits' histories.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use loket_domain::FieldErrors;
use loket_domain::auth::Permission;
use loket_domain::office::office_day;
use loket_domain::standards::{Outcomes, TimeStandardsReport, report, waiting_minutes};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::visits::parse_day;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Staff};
use crate::views::visit_steps;

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
    let visits = if to < from { Vec::new() } else { state.store.visits_opened(from, to).await? };
    let measured: Vec<_> =
        visits.iter().map(|visit| (visit_steps(visit, &settings, now), waiting_minutes(&visit.history))).collect();
    let mut report = report(&measured, &settings.time_standards);
    report.outcomes = Outcomes::of(visits.iter().map(|v| v.status));
    Ok(Json(PeriodReport { from, to, report }))
}
