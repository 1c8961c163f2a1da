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
use super::session::{CSRF_FIELD, PageForm, PageStaff, same};
use super::setting_forms::LogoSection;
use super::{PageError, PageResult, see_other};
use crate::AppState;
use loket_app::AppError;

pub const LOGO: &str = "/supervisor/settings/office/logo";

/// The section as the office page shows it, with the reason the last file was refused.
pub async fn section(state: &AppState, staff: &PageStaff, error: Option<&str>) -> Result<LogoSection, PageError> {
    let t = staff.tr();
    Ok(LogoSection {
        present: match loket_app::logo::get(&state.app, &staff.user).await {
            Ok(_) => true,
            Err(AppError::NotFound) => false,
            Err(e) => return Err(PageError::from(e).for_staff(staff)),
        },
        error: error.map(|reason| t.get(&format!("logo-error-{reason}"))),
        notice: None,
    })
}

/// The logo itself, for the page's `<img>` (the API's GET needs a bearer token).
pub async fn image(State(state): State<AppState>, staff: PageStaff) -> PageResult<Response> {
    staff.require(Permission::ReadSettings)?;
    let logo = loket_app::logo::get(&state.app, &staff.user).await.map_err(|e| PageError::from(e).for_staff(&staff))?;
    Ok(crate::request::logo_response(&logo))
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

/// Why an upload was refused: the answer's status and the reason named next to the file input.
type Refusal = (StatusCode, &'static str);

/// Uploads a logo: back to the office page when it is kept, or the page again with the reason
/// next to the file input (422; 413 for a file over the body limit).
pub async fn upload(State(state): State<AppState>, staff: PageStaff, multipart: Multipart) -> PageResult {
    match take_upload(&state, &staff, multipart).await? {
        Ok(()) => Ok(see_other(&format!("{}?logo=saved", super::office_settings::OFFICE))),
        Err((status, reason)) => {
            let mut page = office_page_for(&state, &staff).await?;
            page.logo = Some(section(&state, &staff, Some(reason)).await?);
            Ok(page.refused(status, staff.tr().get("settings-logo-refused")))
        }
    }
}

/// The upload's use case: the form read, its CSRF token checked, the file kept through the same
/// use case as the API's, or refused with a reason.
async fn take_upload(
    state: &AppState,
    staff: &PageStaff,
    multipart: Multipart,
) -> Result<Result<(), Refusal>, PageError> {
    staff.require(Permission::ChangeSettings)?;
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(Err((StatusCode::PAYLOAD_TOO_LARGE, "too_large")));
        }
        Err(_) => return Err(PageError::BadForm(staff.lang)),
    };
    if !same(&upload.csrf, &staff.csrf) {
        tracing::info!(username = ?staff.user.username, "form refused: CSRF token missing or wrong");
        return Err(PageError::Csrf(staff.lang));
    }
    if upload.file.is_empty() {
        return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, "missing")));
    }
    match loket_app::logo::set(&state.app, &staff.user, upload.file).await {
        Ok(()) => Ok(Ok(())),
        Err(AppError::InvalidLogo(problem)) => Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, problem.as_str()))),
        Err(e) => Err(e.into()),
    }
}

/// Removes the logo.
pub async fn remove(
    State(state): State<AppState>,
    PageForm { staff, form: _ }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    loket_app::logo::remove(&state.app, &staff.user).await?;
    Ok(see_other(&format!("{}?logo=removed", super::office_settings::OFFICE)))
}
