//! The business calendar: opening hours and the time measure (a settings document), and the
//! days off (libur nasional, cuti bersama), one by one or imported from CSV. Supervisors and
//! admins, as every setting.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use loket_app::{calendar, settings};
use loket_domain::FieldErrors;
use loket_domain::calendar::{CalendarSettings, DayOff, DayOffKind, parse_day_off_date};
use loket_domain::settings::SettingsChange;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, CsvBody, Staff};

/// The opening hours per weekday and how time standards and escalation age are measured.
#[utoipa::path(get, path = "/api/v1/settings/calendar", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = CalendarSettings), (status = 403, body = ErrorBody)))]
pub async fn get_calendar(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<CalendarSettings>> {
    Ok(Json(settings::read(&state.app, &staff.user).await?.calendar.clone()))
}

/// Replaces the opening hours and the time measure at once. Each interval opens before it
/// closes, a day's intervals in order without overlapping (`opening_hours.monday[1]: invalid`).
#[utoipa::path(put, path = "/api/v1/settings/calendar", tag = "settings", request_body = CalendarSettings, security(("bearer" = [])),
    responses((status = 200, body = CalendarSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_calendar(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(calendar): ApiJson<CalendarSettings>,
) -> ApiResult<Json<CalendarSettings>> {
    let settings = settings::change(&state.app, &staff.user, SettingsChange::Calendar(calendar)).await?;
    Ok(Json(settings.calendar.clone()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year, `2027`; the office's current year when left out.
    pub year: Option<String>,
}

/// The days off of a year, in date order.
#[utoipa::path(get, path = "/api/v1/calendar/days-off", tag = "settings", params(YearQuery), security(("bearer" = [])),
    responses((status = 200, body = [DayOff]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_days_off(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<DayOff>>> {
    Ok(Json(calendar::days_off(&state.app, &staff.user, q.year.as_deref()).await?))
}

/// A day off as given for one date.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayOffInput {
    pub kind: DayOffKind,
    /// One line, at most 120 characters.
    pub name: String,
}

fn parse_date(text: &str) -> Result<NaiveDate, FieldErrors> {
    parse_day_off_date(text).ok_or_else(|| FieldErrors::one("date", "invalid"))
}

/// Adds the day off of a date, or replaces it.
#[utoipa::path(put, path = "/api/v1/calendar/days-off/{date}", tag = "settings", request_body = DayOffInput, security(("bearer" = [])),
    params(("date" = String, Path, description = "The date, `YYYY-MM-DD`")),
    responses((status = 200, body = DayOff), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_day_off(
    State(state): State<AppState>,
    staff: Staff,
    Path(date): Path<String>,
    ApiJson(input): ApiJson<DayOffInput>,
) -> ApiResult<Json<DayOff>> {
    let day = parse_date(&date).and_then(|date| DayOff::parse(date, input.kind, &input.name));
    Ok(Json(calendar::put_day_off(&state.app, &staff.user, day).await?))
}

/// Removes the day off of a date: 204, or 404 when there was none.
#[utoipa::path(delete, path = "/api/v1/calendar/days-off/{date}", tag = "settings", security(("bearer" = [])),
    params(("date" = String, Path, description = "The date, `YYYY-MM-DD`")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_day_off(
    State(state): State<AppState>,
    staff: Staff,
    Path(date): Path<String>,
) -> ApiResult<StatusCode> {
    if !calendar::delete_day_off(&state.app, &staff.user, parse_date(&date)).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// How many days off were added or replaced.
    pub imported: usize,
}

/// Imports days off from CSV (`text/csv`): a header `date,kind,name` (or `tanggal,jenis,nama`),
/// then one day a line, `2027-08-17,libur_nasional,Hari Kemerdekaan RI`; the kind may also be
/// written `Libur Nasional` or `Cuti Bersama`. A date already kept is replaced. When a line is
/// bad nothing is imported: 422 `validation` names every bad line in `fields`
/// (`lines[3].kind: invalid`, the number counting the header as line 1).
#[utoipa::path(post, path = "/api/v1/calendar/days-off/import", tag = "settings",
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 200, body = Imported), (status = 403, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import_days_off(
    State(state): State<AppState>,
    staff: Staff,
    CsvBody(text): CsvBody,
) -> ApiResult<Json<Imported>> {
    let imported = calendar::import_days_off(&state.app, &staff.user, &text).await?.days;
    Ok(Json(Imported { imported }))
}
