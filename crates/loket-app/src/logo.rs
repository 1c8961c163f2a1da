//! The office's logo, printed beside its name at the head of the consultation form.

use std::sync::Arc;

use loket_domain::auth::Permission;
use loket_domain::logo::{Logo, LogoProblem};
use loket_store::User;

use crate::{App, AppError, AppResult, require};

/// Checks an uploaded logo and keeps it: the domain's rule (format by its bytes, size, pixel
/// dimensions), then the PDF's own decoder, the same way the form draws it, so that a logo the
/// form could not carry is refused here rather than left out of every form.
pub async fn set(app: &App, staff: &User, bytes: Vec<u8>) -> AppResult<()> {
    require(staff, Permission::ChangeSettings)?;
    let by = staff.username.as_str();
    let logo = Logo::parse(bytes).map_err(AppError::InvalidLogo)?;
    let (logo, decoded) = tokio::task::spawn_blocking(move || {
        let decoded = loket_documents::check_logo(&logo);
        (logo, decoded)
    })
    .await
    .map_err(AppError::internal)?;
    if let Err(e) = decoded {
        tracing::info!(error = ?e.to_string(), by = ?by, "office logo refused: it cannot be decoded");
        return Err(AppError::InvalidLogo(LogoProblem::Undecodable));
    }
    let (w, h) = logo.size();
    let (kind, size) = (logo.content_type(), logo.bytes().len());
    app.store().put_office_logo(logo, by, app.now()).await?;
    tracing::info!(content_type = kind, bytes = size, width = w, height = h, by = ?by, "office logo set");
    Ok(())
}

/// The office's logo as it was uploaded; not found when it has none.
pub async fn get(app: &App, staff: &User) -> AppResult<Arc<Logo>> {
    require(staff, Permission::ReadSettings)?;
    app.store().office_logo().await?.ok_or(AppError::NotFound)
}

/// Removes the logo (forms are drawn without one from then on); done also when there was none.
pub async fn remove(app: &App, staff: &User) -> AppResult<()> {
    require(staff, Permission::ChangeSettings)?;
    if app.store().delete_office_logo(&staff.username, app.now()).await? {
        tracing::info!(by = ?staff.username, "office logo removed");
    }
    Ok(())
}
