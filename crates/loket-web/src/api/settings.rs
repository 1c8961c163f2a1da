//! Office settings: the priority table, time standards, counters, and the office itself.
//! Supervisors and admins; each `PUT` replaces the whole setting after checking it.

use axum::Json;
use axum::extract::State;
use loket_domain::auth::Permission;
use loket_domain::form::REQUIRABLE_FIELDS;
use loket_domain::line::CallingPolicy;
use loket_domain::office::{Counter, Service, ZONES, validate_counters, validate_services};
use loket_domain::priority::{Category, PriorityTable};
use loket_domain::settings::keys;
use loket_domain::standards::{StepStandard, validate_standards};
use loket_domain::{FieldErrors, guest_book::is_email};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Staff};

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

async fn save(state: &AppState, staff: &Staff, key: &str, value: impl Serialize) -> ApiResult<()> {
    let value = serde_json::to_value(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    state.store.save_setting(key, value, staff.name(), state.now()).await?;
    tracing::info!(setting = key, by = staff.name(), "setting changed");
    Ok(())
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
    staff.require(Permission::Settings)?;
    Ok(Json(priorities_view(&state.store.settings().await?.priorities)))
}

#[utoipa::path(put, path = "/api/v1/settings/priorities", tag = "settings", request_body = Vec<Category>, security(("bearer" = [])),
    responses((status = 200, body = [CategoryView]), (status = 422, body = ErrorBody)))]
pub async fn put_priorities(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(categories): ApiJson<Vec<Category>>,
) -> ApiResult<Json<Vec<CategoryView>>> {
    staff.require(Permission::Settings)?;
    let table = PriorityTable::parse(categories).map_err(ApiError::validation)?;
    save(&state, &staff, keys::PRIORITIES, &table).await?;
    Ok(Json(priorities_view(&table)))
}

#[utoipa::path(get, path = "/api/v1/settings/time-standards", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = [StepStandard]), (status = 403, body = ErrorBody)))]
pub async fn get_time_standards(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Vec<StepStandard>>> {
    staff.require(Permission::Settings)?;
    Ok(Json(state.store.settings().await?.time_standards.clone()))
}

#[utoipa::path(put, path = "/api/v1/settings/time-standards", tag = "settings", request_body = Vec<StepStandard>, security(("bearer" = [])),
    responses((status = 200, body = [StepStandard]), (status = 422, body = ErrorBody)))]
pub async fn put_time_standards(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(mut standards): ApiJson<Vec<StepStandard>>,
) -> ApiResult<Json<Vec<StepStandard>>> {
    staff.require(Permission::Settings)?;
    validate_standards(&standards).map_err(ApiError::validation)?;
    standards.sort_by_key(|s| s.step);
    save(&state, &staff, keys::TIME_STANDARDS, &standards).await?;
    Ok(Json(standards))
}

/// The counters (loket) and the services each calls from.
#[utoipa::path(get, path = "/api/v1/settings/counters", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = [Counter]), (status = 403, body = ErrorBody)))]
pub async fn get_counters(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Vec<Counter>>> {
    staff.require(Permission::Settings)?;
    Ok(Json(state.store.settings().await?.counters.clone()))
}

#[utoipa::path(put, path = "/api/v1/settings/counters", tag = "settings", request_body = Vec<Counter>, security(("bearer" = [])),
    responses((status = 200, body = [Counter]), (status = 422, body = ErrorBody)))]
pub async fn put_counters(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(counters): ApiJson<Vec<Counter>>,
) -> ApiResult<Json<Vec<Counter>>> {
    staff.require(Permission::Settings)?;
    let settings = state.store.settings().await?;
    validate_counters(&counters, &settings.services).map_err(ApiError::validation)?;
    save(&state, &staff, keys::COUNTERS, &counters).await?;
    Ok(Json(counters))
}

/// The office: name, time zone, services, which fields a complete form needs, how many
/// re-calls a skipped number gets, the archive number pattern, the LKPP address.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeView {
    pub office_name: String,
    /// `Asia/Jakarta`, `Asia/Makassar` or `Asia/Jayapura`.
    pub time_zone: String,
    pub services: Vec<Service>,
    pub required_fields: Vec<String>,
    pub calling: CallingPolicy,
    /// `{yyyy}`, `{mm}`, `{dd}`, `{seq}`.
    pub archive_pattern: String,
    pub lkpp_email: String,
    pub session_minutes: u32,
}

#[utoipa::path(get, path = "/api/v1/settings/office", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = OfficeView), (status = 403, body = ErrorBody)))]
pub async fn get_office(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<OfficeView>> {
    staff.require(Permission::Settings)?;
    let s = state.store.settings().await?;
    Ok(Json(OfficeView {
        office_name: s.office_name.clone(),
        time_zone: s.time_zone.clone(),
        services: s.services.clone(),
        required_fields: s.required_fields.clone(),
        calling: s.calling,
        archive_pattern: s.archive_pattern.clone(),
        lkpp_email: s.lkpp_email.clone(),
        session_minutes: s.session_minutes,
    }))
}

#[utoipa::path(put, path = "/api/v1/settings/office", tag = "settings", request_body = OfficeView, security(("bearer" = [])),
    responses((status = 200, body = OfficeView), (status = 422, body = ErrorBody)))]
pub async fn put_office(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(office): ApiJson<OfficeView>,
) -> ApiResult<Json<OfficeView>> {
    staff.require(Permission::Settings)?;
    let mut errors = FieldErrors::default();
    let name_len = office.office_name.trim().chars().count();
    if name_len == 0 || name_len > 120 {
        errors.add("office_name", "invalid");
    }
    if !ZONES.contains(&office.time_zone.as_str()) {
        errors.add("time_zone", "invalid");
    }
    if let Err(e) = validate_services(&office.services) {
        for (k, v) in e.0 {
            errors.add(&format!("services{k}"), &v);
        }
    }
    if office.required_fields.iter().any(|f| !REQUIRABLE_FIELDS.contains(&f.as_str())) {
        errors.add("required_fields", "unknown");
    }
    if office.calling.recalls_after_skip > 10 {
        errors.add("calling.recalls_after_skip", "invalid");
    }
    if !loket_domain::archive::valid_pattern(&office.archive_pattern) {
        errors.add("archive_pattern", "invalid");
    }
    if !is_email(&office.lkpp_email) {
        errors.add("lkpp_email", "invalid");
    }
    if !(5..=24 * 60).contains(&office.session_minutes) {
        errors.add("session_minutes", "invalid");
    }
    let settings = state.store.settings().await?;
    if validate_counters(&settings.counters, &office.services).is_err() {
        errors.add("services", "in_use");
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    save(&state, &staff, keys::OFFICE_NAME, &office.office_name).await?;
    save(&state, &staff, keys::TIME_ZONE, &office.time_zone).await?;
    save(&state, &staff, keys::SERVICES, &office.services).await?;
    save(&state, &staff, keys::REQUIRED_FIELDS, &office.required_fields).await?;
    save(&state, &staff, keys::CALLING, office.calling).await?;
    save(&state, &staff, keys::ARCHIVE_PATTERN, &office.archive_pattern).await?;
    save(&state, &staff, keys::LKPP_EMAIL, &office.lkpp_email).await?;
    save(&state, &staff, keys::SESSION_MINUTES, office.session_minutes).await?;
    Ok(Json(office))
}
