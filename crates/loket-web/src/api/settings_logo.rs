//! The office's logo, printed beside its name at the head of the consultation form. Supervisors
//! and admins, as the other office settings. The image is sent as it is (`image/png` or
//! `image/jpeg`), not inside JSON.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ImageBody, Staff};

/// The office's logo, byte for byte as uploaded.
#[utoipa::path(get, path = "/api/v1/settings/logo", tag = "settings", security(("bearer" = [])),
    responses((status = 200, description = "The logo", content(("image/png"), ("image/jpeg"))),
        (status = 403, body = ErrorBody), (status = 404, description = "The office has no logo", body = ErrorBody)))]
pub async fn get_logo(State(state): State<AppState>, staff: Staff) -> ApiResult<Response> {
    let logo = loket_app::logo::get(&state.app, &staff.user).await?;
    Ok(crate::request::logo_response(&logo))
}

/// Sets the office's logo, replacing the one before: a PNG or JPEG (known by its bytes, whichever
/// of the two types is declared) of at most 512 KiB, 1 to 4000 pixels a side and 16 MiB once
/// decoded, that the form's PDF can decode (a JPEG is decoded whole). 422 `invalid_logo` names
/// why in `fields.logo`: `format`, `too_large`, `dimensions`, `too_many_pixels`, `undecodable`. Archived forms keep the logo they were made with.
#[utoipa::path(put, path = "/api/v1/settings/logo", tag = "settings", security(("bearer" = [])),
    request_body(description = "The image file itself", content(("image/png"), ("image/jpeg"))),
    responses((status = 204, description = "Set"), (status = 403, body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not declared image/png or image/jpeg", body = ErrorBody),
        (status = 422, description = "`invalid_logo`: not a PNG or JPEG, too large, bad dimensions, too many pixels, or undecodable", body = ErrorBody)))]
pub async fn put_logo(
    State(state): State<AppState>,
    staff: Staff,
    ImageBody(bytes): ImageBody,
) -> ApiResult<StatusCode> {
    loket_app::logo::set(&state.app, &staff.user, bytes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the office's logo (forms are drawn without one from then on): 204, also when there
/// was none.
#[utoipa::path(delete, path = "/api/v1/settings/logo", tag = "settings", security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody)))]
pub async fn delete_logo(State(state): State<AppState>, staff: Staff) -> ApiResult<StatusCode> {
    loket_app::logo::remove(&state.app, &staff.user).await?;
    Ok(StatusCode::NO_CONTENT)
}
