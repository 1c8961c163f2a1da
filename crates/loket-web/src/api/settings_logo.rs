//! The office's logo, printed beside its name at the head of the consultation form. Supervisors
//! and admins, as the other office settings. The image is sent as it is (`image/png` or
//! `image/jpeg`), not inside JSON.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use loket_domain::auth::Permission;
use loket_domain::logo::{Logo, LogoProblem};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ImageBody, Staff};

/// Checks an uploaded logo and keeps it: the domain's rule (format by its bytes, size, pixel
/// dimensions), then the PDF's own decoder, the same way the form draws it, so that a logo the
/// form could not carry is refused here rather than left out of every form. The API and the
/// settings page both upload through this.
pub async fn set_logo(state: &AppState, bytes: Vec<u8>, by: &str) -> ApiResult<()> {
    let logo = Logo::parse(bytes).map_err(ApiError::InvalidLogo)?;
    let (logo, decoded) = tokio::task::spawn_blocking(move || {
        let decoded = loket_documents::check_logo(&logo);
        (logo, decoded)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    if let Err(e) = decoded {
        tracing::info!(error = %e, by = ?by, "office logo refused: it cannot be decoded");
        return Err(ApiError::InvalidLogo(LogoProblem::Undecodable));
    }
    let (w, h) = logo.size();
    let (kind, size) = (logo.content_type(), logo.bytes().len());
    state.store.put_office_logo(logo, by, state.now()).await?;
    tracing::info!(content_type = kind, bytes = size, width = w, height = h, by = ?by, "office logo set");
    Ok(())
}

/// The office's logo, as it was uploaded, with its content type; 404 when it has none.
pub async fn logo_response(state: &AppState) -> ApiResult<Response> {
    let logo = state.store.office_logo().await?.ok_or(ApiError::NotFound)?;
    let headers = [(header::CONTENT_TYPE, logo.content_type()), (header::CACHE_CONTROL, "private, no-cache")];
    Ok((headers, logo.bytes().to_vec()).into_response())
}

/// The office's logo, byte for byte as uploaded.
#[utoipa::path(get, path = "/api/v1/settings/logo", tag = "settings", security(("bearer" = [])),
    responses((status = 200, description = "The logo", content(("image/png"), ("image/jpeg"))),
        (status = 403, body = ErrorBody), (status = 404, description = "The office has no logo", body = ErrorBody)))]
pub async fn get_logo(State(state): State<AppState>, staff: Staff) -> ApiResult<Response> {
    staff.require(Permission::Settings)?;
    logo_response(&state).await
}

/// Sets the office's logo, replacing the one before: a PNG or JPEG (known by its bytes, whichever
/// of the two types is declared) of at most 512 KiB and 1 to 4000 pixels a side, that the form's
/// PDF can decode. 422 `invalid_logo` names why in `fields.logo`: `format`, `too_large`,
/// `dimensions`, `undecodable`. Archived forms keep the logo they were made with.
#[utoipa::path(put, path = "/api/v1/settings/logo", tag = "settings", security(("bearer" = [])),
    request_body(description = "The image file itself", content(("image/png"), ("image/jpeg"))),
    responses((status = 204, description = "Set"), (status = 403, body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not declared image/png or image/jpeg", body = ErrorBody),
        (status = 422, description = "`invalid_logo`: not a PNG or JPEG, too large, bad dimensions, or undecodable", body = ErrorBody)))]
pub async fn put_logo(
    State(state): State<AppState>,
    staff: Staff,
    ImageBody(bytes): ImageBody,
) -> ApiResult<StatusCode> {
    staff.require(Permission::Settings)?;
    set_logo(&state, bytes, staff.name()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the office's logo (forms are drawn without one from then on): 204, also when there
/// was none.
#[utoipa::path(delete, path = "/api/v1/settings/logo", tag = "settings", security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody)))]
pub async fn delete_logo(State(state): State<AppState>, staff: Staff) -> ApiResult<StatusCode> {
    staff.require(Permission::Settings)?;
    if state.store.delete_office_logo().await? {
        tracing::info!(by = ?staff.name(), "office logo removed");
    }
    Ok(StatusCode::NO_CONTENT)
}
