//! Office settings: the priority table, time standards, counters, and the office itself.
//! Supervisors and admins; each `PUT` replaces the whole setting after checking it, and the
//! change record keeps what it replaced. Auditors read them and the record.

use axum::Json;
use axum::extract::State;
use loket_app::{changes, settings};
use loket_domain::auth::Permission;
use loket_domain::change_record::{ChangeKind, ChangeRecord};
use loket_domain::office::Counter;
use loket_domain::priority::{Category, PriorityTable};
use loket_domain::settings::{OfficeProfile, SettingsChange};
use loket_domain::standards::StepStandard;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Staff};

#[derive(Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub priority: u8,
    pub analysis_minutes: u32,
    pub resolution_minutes: u32,
    /// True while the table is the shipped example, not one the office has set.
    pub is_example: bool,
}

fn priorities_view(table: &PriorityTable) -> Vec<CategoryView> {
    table
        .categories
        .iter()
        .map(|c| CategoryView {
            code: c.code.clone(),
            name: c.name.clone(),
            priority: c.priority,
            analysis_minutes: c.analysis_minutes,
            resolution_minutes: c.resolution_minutes,
            is_example: table.is_example,
        })
        .collect()
}

/// The priority table (Tabel Prioritas Penyelesaian Permasalahan SPSE).
#[utoipa::path(get, path = "/api/v1/settings/priorities", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = [CategoryView]), (status = 403, body = ErrorBody)))]
pub async fn get_priorities(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Vec<CategoryView>>> {
    Ok(Json(priorities_view(&settings::read(&state.app, &staff.user).await?.priorities)))
}

#[utoipa::path(put, path = "/api/v1/settings/priorities", tag = "settings", request_body = Vec<Category>, security(("bearer" = [])),
    responses((status = 200, body = [CategoryView]), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_priorities(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(categories): ApiJson<Vec<Category>>,
) -> ApiResult<Json<Vec<CategoryView>>> {
    let settings = settings::change(&state.app, &staff.user, SettingsChange::Priorities(categories)).await?;
    Ok(Json(priorities_view(&settings.priorities)))
}

#[utoipa::path(get, path = "/api/v1/settings/time-standards", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = [StepStandard]), (status = 403, body = ErrorBody)))]
pub async fn get_time_standards(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Vec<StepStandard>>> {
    Ok(Json(settings::read(&state.app, &staff.user).await?.time_standards.clone()))
}

#[utoipa::path(put, path = "/api/v1/settings/time-standards", tag = "settings", request_body = Vec<StepStandard>, security(("bearer" = [])),
    responses((status = 200, body = [StepStandard]), (status = 422, body = ErrorBody)))]
pub async fn put_time_standards(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(standards): ApiJson<Vec<StepStandard>>,
) -> ApiResult<Json<Vec<StepStandard>>> {
    let settings = settings::change(&state.app, &staff.user, SettingsChange::TimeStandards(standards)).await?;
    Ok(Json(settings.time_standards.clone()))
}

/// The counters (loket) and the services each calls from; every staff role may read them.
#[utoipa::path(get, path = "/api/v1/settings/counters", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = [Counter]), (status = 403, body = ErrorBody)))]
pub async fn get_counters(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Vec<Counter>>> {
    staff.require(Permission::ReadCounters)?;
    Ok(Json(state.store.settings().await?.counters.clone()))
}

#[utoipa::path(put, path = "/api/v1/settings/counters", tag = "settings", request_body = Vec<Counter>, security(("bearer" = [])),
    responses((status = 200, body = [Counter]), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_counters(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(counters): ApiJson<Vec<Counter>>,
) -> ApiResult<Json<Vec<Counter>>> {
    let settings = settings::change(&state.app, &staff.user, SettingsChange::Counters(counters)).await?;
    Ok(Json(settings.counters.clone()))
}

/// The office: name, time zone, services, which fields a complete form needs, how many
/// re-calls a skipped number gets, the archive number pattern, the LKPP address.
#[utoipa::path(get, path = "/api/v1/settings/office", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = OfficeProfile), (status = 403, body = ErrorBody)))]
pub async fn get_office(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<OfficeProfile>> {
    Ok(Json(settings::read(&state.app, &staff.user).await?.office.clone()))
}

/// Replaces all of the office profile at once, or nothing. 409 `in_use` when counters still call
/// a service it removes (change the counters first).
#[utoipa::path(put, path = "/api/v1/settings/office", tag = "settings", request_body = OfficeProfile, security(("bearer" = [])),
    responses((status = 200, body = OfficeProfile), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_office(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(office): ApiJson<OfficeProfile>,
) -> ApiResult<Json<OfficeProfile>> {
    let settings = settings::change(&state.app, &staff.user, SettingsChange::Office(office)).await?;
    Ok(Json(settings.office.clone()))
}

/// What the change record is asked for. Dates are office days (the office's time zone).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Only the changes of this kind: a part of the settings, `logo`, `day_off` or `user`; empty: all.
    #[param(value_type = Option<ChangeKind>, inline)]
    pub kind: Option<String>,
    /// The first office day, `YYYY-MM-DD` (empty: from the first change).
    #[param(example = "2027-08-01")]
    pub from: Option<String>,
    /// The last office day, `YYYY-MM-DD` (empty: to the last change).
    #[param(example = "2027-08-31")]
    pub to: Option<String>,
    /// How many of the newest matching changes to skip (the next page: the previous offset plus
    /// 500); 0 when absent; at most 1,000,000.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub offset: Option<u32>,
}

/// One list of the change record.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangesPage {
    /// At most 500, newest first.
    pub changes: Vec<ChangeRecord>,
    /// Older changes match too: ask again with `offset` 500 further.
    pub more: bool,
}

/// The change record: every change of the settings (each part), the days off and the staff
/// accounts, with who made it, when, its subject (a user name, a date) and the part before and
/// after. Passwords are never in it (`smtp_password_set`, `password_set`, `"password": "set"`).
/// Supervisors, admins and auditors.
#[utoipa::path(get, path = "/api/v1/settings/changes", tag = "settings", params(ChangesQuery), security(("bearer" = [])),
    responses((status = 200, body = ChangesPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> ApiResult<Json<ChangesPage>> {
    let asked = changes::Asked {
        kind: q.kind.as_deref(),
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        offset: q.offset.unwrap_or(0),
    };
    let listed = changes::list(&state.app, &staff.user, asked).await?;
    Ok(Json(ChangesPage { changes: listed.changes, more: listed.more }))
}
