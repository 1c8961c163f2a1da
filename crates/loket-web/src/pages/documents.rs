//! The consultation form as PDF for the staff pages (signed in by cookie): the same document as
//! `GET /api/v1/visits/{id}/form.pdf`, opened from the counter to print the visitor's copy, and
//! from the archive page (`?version=N` for an earlier archived version).

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use loket_domain::auth::Permission;

use super::session::PageStaff;
use super::{PageError, PageResult};
use crate::AppState;
use crate::api::visits::{DocumentQuery, form_bytes};

pub async fn form_pdf(
    State(state): State<AppState>,
    staff: PageStaff,
    Path(id): Path<String>,
    Query(q): Query<DocumentQuery>,
) -> PageResult<Response> {
    staff.require(Permission::ReadVisits)?;
    let visit = state.store.visit(&id).await?.ok_or(PageError::NotFound(staff.lang))?;
    let filename = match q.version {
        Some(n) => format!("formulir-{}-v{n}.pdf", visit.reference),
        None => format!("formulir-{}.pdf", visit.reference),
    };
    let bytes = form_bytes(&state, visit, q.version).await?.ok_or(PageError::NotFound(staff.lang))?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
    ];
    Ok((headers, bytes).into_response())
}
