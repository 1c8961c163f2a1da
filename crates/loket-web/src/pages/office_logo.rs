//! The office's logo on the office settings page (*Logo kantor*): shown, uploaded as a file
//! (`multipart/form-data`, so that it works without a script) and removed, each its own form
//! below the office's settings, so that a refused file never loses what was typed there. The
//! upload goes through the same use case as `PUT /api/v1/settings/logo`.

use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use loket_domain::auth::Permission;

use super::office_settings::office_page_for;
use super::session::{CSRF_FIELD, PageForm, PageStaff};
use super::setting_forms::LogoSection;
use super::{PageError, PageResult, see_other};
use crate::AppState;
use crate::api::settings_logo::{logo_response, set_logo};
use crate::error::ApiError;

pub const LOGO: &str = "/supervisor/settings/office/logo";

/// The section as the office page shows it.
pub async fn section(
    state: &AppState,
    staff: &PageStaff,
    error: Option<&str>,
    notice: Option<&str>,
) -> Result<LogoSection, PageError> {
    let t = staff.tr();
    Ok(LogoSection {
        present: state.store.office_logo().await?.is_some(),
        error: error.map(|reason| t.get(&format!("logo-error-{reason}"))),
        notice: notice.map(|key| t.get(key)),
    })
}

/// The logo itself, for the page's `<img>` (the API's GET needs a bearer token).
pub async fn image(State(state): State<AppState>, staff: PageStaff) -> PageResult<Response> {
    staff.require(Permission::Settings)?;
    match logo_response(&state).await {
        Ok(response) => Ok(response),
        Err(ApiError::NotFound) => Err(PageError::NotFound(staff.lang)),
        Err(e) => Err(e.into()),
    }
}

/// What the upload form sent: its CSRF token and the file's bytes (none when no file was chosen).
struct Upload {
    csrf: String,
    file: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, MultipartError> {
    let mut upload = Upload { csrf: String::new(), file: Vec::new() };
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some(CSRF_FIELD) => upload.csrf = field.text().await?,
            Some("logo") => upload.file = field.bytes().await?.to_vec(),
            _ => {}
        }
    }
    Ok(upload)
}

/// Uploads a logo: back to the office page when it is kept, or the page again with the reason
/// next to the file input (422; 413 for a file over the body limit).
pub async fn upload(State(state): State<AppState>, staff: PageStaff, multipart: Multipart) -> PageResult {
    let refused = |status: StatusCode, reason: &'static str| (status, reason);
    let outcome = match read_upload(multipart).await {
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(refused(StatusCode::PAYLOAD_TOO_LARGE, "too_large"))
        }
        Err(_) => return Err(PageError::BadForm(staff.lang)),
        Ok(upload) => {
            if !super::session::same(&upload.csrf, &staff.csrf) {
                tracing::info!(username = ?staff.user.username, "form refused: CSRF token missing or wrong");
                return Err(PageError::Csrf(staff.lang));
            }
            staff.require(Permission::Settings)?;
            if upload.file.is_empty() {
                Err(refused(StatusCode::UNPROCESSABLE_ENTITY, "missing"))
            } else {
                match set_logo(&state, upload.file, &staff.user.username).await {
                    Ok(()) => Ok(()),
                    Err(ApiError::InvalidLogo(problem)) => {
                        Err(refused(StatusCode::UNPROCESSABLE_ENTITY, problem.as_str()))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("{}?logo=saved", super::office_settings::OFFICE))),
        Err((status, reason)) => {
            let mut page = office_page_for(&state, &staff).await?;
            page.logo = Some(section(&state, &staff, Some(reason), None).await?);
            Ok(page.refused(status, staff.tr().get("settings-logo-refused")))
        }
    }
}

/// Removes the logo.
pub async fn remove(
    State(state): State<AppState>,
    PageForm { staff, form: _ }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::Settings)?;
    if state.store.delete_office_logo().await? {
        tracing::info!(by = ?staff.user.username, "office logo removed");
    }
    Ok(see_other(&format!("{}?logo=removed", super::office_settings::OFFICE)))
}
