//! The consultation form as PDF for the staff pages (signed in by cookie): the same document as
//! `GET /api/v1/visits/{id}/form.pdf`, opened from the counter to print the visitor's copy.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use loket_domain::auth::Permission;

use super::session::PageStaff;
use super::{PageError, PageResult};
use crate::AppState;

pub async fn form_pdf(State(state): State<AppState>, staff: PageStaff, Path(id): Path<String>) -> PageResult<Response> {
    staff.require(Permission::ReadVisits)?;
    let visit = state.store.visit(&id).await?.ok_or(PageError::NotFound(staff.lang))?;
    let archived = match visit.archive {
        Some(_) => state.store.archived_document(&id, None).await?.filter(|d| d.content.starts_with(b"%PDF-")),
        None => None,
    };
    let filename = format!("formulir-{}.pdf", visit.reference);
    let bytes = match archived {
        Some(doc) => doc.content,
        None => crate::api::visits::render_form(&state, visit).await?,
    };
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
    ];
    Ok((headers, bytes).into_response())
}
