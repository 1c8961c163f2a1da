//! The consultation form's documents: the PDF made now, and the archived versions, byte for byte.

use loket_domain::Visit;
use loket_domain::auth::Permission;
use loket_store::{ArchivedDocument, ArchivedVersion, User};

use crate::{App, AppError, AppResult, require};

/// The consultation form of a visit as PDF, made now: the original and the visitor's copy.
pub async fn render_form(app: &App, visit: Visit) -> AppResult<Vec<u8>> {
    let settings = app.settings().await?;
    let logo = app.store().office_logo().await?;
    let now = app.now();
    let rendered = tokio::task::spawn_blocking(move || {
        let cx = loket_documents::FormContext { settings: &settings, now, stamp: None, logo: logo.as_deref() };
        loket_documents::form_pdf(&visit, &cx)
    })
    .await
    .map_err(AppError::internal)?;
    rendered.map_err(AppError::internal)
}

/// The form's PDF, with its file name (`formulir-{reference}.pdf`, `-v{N}` for a version asked):
/// the fixed version asked for (404 when there is no such PDF), or the latest fixed one (the
/// archived document, or before the archive the one given as the visitor's copy), or, before any
/// (or for a document archived before the PDF), the form made now.
pub async fn form_pdf(app: &App, staff: &User, id: &str, version: Option<u32>) -> AppResult<(String, Vec<u8>)> {
    require(staff, Permission::ReadVisits)?;
    let visit = app.store().visit(id).await?.ok_or(AppError::NotFound)?;
    // An earlier version's file says which it is.
    let filename = match version {
        Some(n) => format!("formulir-{}-v{n}.pdf", visit.reference),
        None => format!("formulir-{}.pdf", visit.reference),
    };
    // Once the copy is given, the form is a fixed document: the copy given, then the archive.
    let archived = match visit.latest_document() {
        Some(_) => app.store().archived_document(&visit.id, version).await?.filter(|d| d.content.starts_with(b"%PDF-")),
        None => None,
    };
    let bytes = match (archived, version) {
        (Some(doc), _) => doc.content,
        (None, Some(_)) => return Err(AppError::NotFound),
        (None, None) => render_form(app, visit).await?,
    };
    Ok((filename, bytes))
}

/// The archived document, byte for byte (its SHA-256 is the visit's `archive.sha256`): the
/// version asked for, or the latest.
pub async fn archived_document(app: &App, staff: &User, id: &str, version: Option<u32>) -> AppResult<ArchivedDocument> {
    require(staff, Permission::ReadVisits)?;
    app.store().archived_document(id, version).await?.ok_or(AppError::NotFound)
}

/// Every archived version of the visit's form, oldest first.
pub async fn archived_versions(app: &App, staff: &User, id: &str) -> AppResult<Vec<ArchivedVersion>> {
    require(staff, Permission::ReadVisits)?;
    app.store().visit(id).await?.ok_or(AppError::NotFound)?;
    Ok(app.store().archived_versions(id).await?)
}
