//! Unmatched mails (surat tak dikenali): mails read from the office's mailbox that name an open
//! escalation but are not plainly LKPP's answer (`loket_domain::inbox`). A supervisor reads them
//! and confirms one as LKPP's answer (recorded by them, the visitor's mail following) or
//! dismisses it; either way the mail stays, for the auditor.

use loket_domain::auth::Permission;
use loket_store::{UnmatchedMail, User};

use crate::{App, AppResult, require};

/// The most unmatched mails one list answers, newest first.
pub const LISTED: u32 = 200;

/// The unmatched mails, newest first, decided ones included.
pub async fn unmatched(app: &App, staff: &User) -> AppResult<Vec<UnmatchedMail>> {
    require(staff, Permission::ReviewMail)?;
    Ok(app.store().unmatched_mail(LISTED).await?)
}

/// The mail is LKPP's answer after all: recorded on the visit it names, by the supervisor.
pub async fn confirm(app: &App, staff: &User, id: &str) -> AppResult<UnmatchedMail> {
    require(staff, Permission::ReviewMail)?;
    Ok(app.store().confirm_unmatched_mail(id, &staff.username, app.now()).await?)
}

/// The mail is not LKPP's answer: nothing recorded; it stays, dismissed.
pub async fn dismiss(app: &App, staff: &User, id: &str) -> AppResult<UnmatchedMail> {
    require(staff, Permission::ReviewMail)?;
    Ok(app.store().dismiss_unmatched_mail(id, &staff.username, app.now()).await?)
}
