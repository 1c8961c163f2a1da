//! The office's settings: each change replaces one part, checked by the store against the rest
//! and against the visits now in the office, and recorded (before and after) in the change
//! record, in one transaction. Supervisors and admins change them; auditors read them too.

use std::sync::Arc;

use loket_domain::auth::Permission;
use loket_domain::inbox::ImapSettings;
use loket_domain::mail::MailSettings;
use loket_domain::settings::{OfficeSettings, SettingsChange};
use loket_store::User;

use crate::{App, AppResult, require};

/// The settings as a supervisor or admin reads them to change them.
pub async fn read(app: &App, staff: &User) -> AppResult<Arc<OfficeSettings>> {
    require(staff, Permission::ReadSettings)?;
    app.settings().await
}

/// Replaces one part of the settings; the settings as they are afterwards.
pub async fn change(app: &App, staff: &User, change: SettingsChange) -> AppResult<Arc<OfficeSettings>> {
    let part = change.kind().as_str();
    change_part(app, staff, part, change).await
}

/// [`change`] from a screen that edits a narrower part than the one it replaces (the form's
/// required fields are kept in the office's profile): the log names the screen's `part`.
pub async fn change_part(
    app: &App,
    staff: &User,
    part: &'static str,
    change: SettingsChange,
) -> AppResult<Arc<OfficeSettings>> {
    require(staff, Permission::ChangeSettings)?;
    let settings = app.store().change_settings(change, &staff.username, app.now()).await?;
    tracing::info!(setting = part, by = ?staff.username, "setting changed");
    Ok(settings)
}

/// The SMTP server and the mailbox, saved from one form: the SMTP part first, then the mailbox.
pub async fn change_mail(
    app: &App,
    staff: &User,
    mail: MailSettings,
    imap: ImapSettings,
) -> AppResult<Arc<OfficeSettings>> {
    require(staff, Permission::ChangeSettings)?;
    let (by, now) = (staff.username.as_str(), app.now());
    app.store().change_settings(SettingsChange::Mail(mail), by, now).await?;
    let settings = app.store().change_settings(SettingsChange::Imap(imap), by, now).await?;
    tracing::info!(setting = "mail", by = ?by, "setting changed");
    Ok(settings)
}
