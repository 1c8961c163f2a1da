//! The kiosk: a visitor fills the form themselves (public, rate limited per address).

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loket_domain::Status;
use loket_domain::form::FormInput;
use loket_domain::guest_book::VisitorInput;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KioskVisit {
    pub visitor: VisitorInput,
    pub form: FormInput,
    pub service: Option<String>,
}

/// What the kiosk learns: nothing about any other visit.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KioskReceipt {
    pub id: String,
    pub reference: String,
    pub status: Status,
}

/// Steps 1-3 by the visitor; the front office then checks the form (step 4).
#[utoipa::path(post, path = "/api/v1/kiosk/visits", operation_id = "create_kiosk_visit", tag = "kiosk", request_body = KioskVisit,
    responses((status = 201, body = KioskReceipt), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<KioskVisit>,
) -> ApiResult<(StatusCode, Json<KioskReceipt>)> {
    if let Err(retry_after) = state.limiters.kiosk.hit(&ip.to_string(), Instant::now()) {
        return Err(ApiError::RateLimited { retry_after });
    }
    let visit = loket_app::visits::open_at_kiosk(&state.app, req.visitor, req.service, req.form).await?;
    Ok((StatusCode::CREATED, Json(KioskReceipt { id: visit.id, reference: visit.reference, status: visit.status })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CategoryName {
    pub code: String,
    pub name: String,
}

/// The problem categories a form may name (no priorities or targets).
#[utoipa::path(get, path = "/api/v1/categories", tag = "kiosk", responses((status = 200, body = [CategoryName])))]
pub async fn categories(State(state): State<AppState>) -> ApiResult<Json<Vec<CategoryName>>> {
    let settings = state.store.settings().await?;
    let list = settings
        .priorities
        .categories
        .iter()
        .map(|c| CategoryName { code: c.code.clone(), name: c.name.clone() })
        .collect();
    Ok(Json(list))
}
