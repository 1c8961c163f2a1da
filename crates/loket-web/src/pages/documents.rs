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
use loket_app::documents;

/// Which archived version (the latest when absent).
#[derive(serde::Deserialize)]
pub struct DocumentQuery {
    pub version: Option<u32>,
}

pub async fn form_pdf(
    State(state): State<AppState>,
    staff: PageStaff,
    Path(id): Path<String>,
    Query(q): Query<DocumentQuery>,
) -> PageResult<Response> {
    staff.require(Permission::ReadVisits)?;
    let (filename, bytes) = documents::form_pdf(&state.app, &staff.user, &id, q.version)
        .await
        .map_err(|e| PageError::from(e).for_staff(&staff))?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
    ];
    Ok((headers, bytes).into_response())
}
