//! The archive (SOP step 12): searched by its words with filters, every version of a visit's
//! form listed, and the answers of similar archived visits for the agent at step 9.

use axum::Json;
use axum::extract::{Path, State};
use loket_app::archive::{self, ArchiveResults, SearchParams, Suggestion};
use loket_app::documents;
use loket_store::ArchivedVersion;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Staff};

/// Archived visits with all the words of `q` in any of their text fields (reference, archive
/// and queue numbers, the visitor, the form, analysis, answer, escalation, LKPP's answer, the
/// officer), within the filters. One entry per visit, showing its latest version.
#[utoipa::path(get, path = "/api/v1/archive", tag = "helpdesk", params(SearchParams), security(("bearer" = [])),
    responses((status = 200, body = ArchiveResults), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<ArchiveResults>> {
    // The API takes its parameters as documented: an enum or a number given empty is refused.
    let empty = params.given_empty();
    if !empty.is_empty() {
        return Err(ApiError::validation(empty));
    }
    Ok(Json(archive::search(&state.app, &staff.user, &params).await?))
}

/// Every archived version of the visit's form, oldest first: an archived form is never changed,
/// a correction is a new version (`GET /api/v1/visits/{id}/form.pdf?version=N` serves each).
/// Empty while the visit is not archived.
#[utoipa::path(get, path = "/api/v1/visits/{id}/archive", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = [ArchivedVersion]), (status = 404, body = ErrorBody)))]
pub async fn versions(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ArchivedVersion>>> {
    Ok(Json(documents::archived_versions(&state.app, &staff.user, &id).await?))
}

/// The five archived visits with an answer (the counter's, or LKPP's) most like this visit's
/// problem (any of the significant words of its subject and description; more of them first),
/// never the visit itself. For the agent analysing the problem (step 9).
#[utoipa::path(get, path = "/api/v1/visits/{id}/suggestions", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = [Suggestion]), (status = 404, body = ErrorBody)))]
pub async fn suggestions(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Suggestion>>> {
    Ok(Json(archive::suggest(&state.app, &staff.user, &id).await?))
}
