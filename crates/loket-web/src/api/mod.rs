//! The handlers of `/api/v1`, grouped as API.md groups them.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::AppState;
use crate::error::ApiResult;

pub mod archive;
pub mod auth;
pub mod calendar;
pub mod guests;
pub mod kiosk;
pub mod line;
pub mod mail;
pub mod reports;
pub mod settings;
pub mod settings_logo;
pub mod staff_events;
pub mod survey;
pub mod users;
pub mod visits;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Whether the app and its database answer.
#[utoipa::path(get, path = "/api/v1/health", tag = "display", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.settings().await?;
    Ok(Json(Health { status: "ok" }))
}
