//! Unmatched mails (surat tak dikenali): mails read from the office's mailbox that name an open
//! escalation but are not plainly LKPP's answer (`loket_domain::inbox`). A supervisor reads them
//! and confirms one as LKPP's answer (recorded by them, the visitor's mail following) or
//! dismisses it; either way the mail stays, for the auditor.

use loket_domain::auth::{Permission, allows};
use loket_domain::inbox::UnmatchedStatus;
use loket_store::{UnmatchedMail, User};

use crate::{App, AppResult, require};

/// The most unmatched mails one list answers, newest first.
pub const LISTED: u32 = 200;

/// The unmatched mails, newest first, decided ones included.
pub async fn unmatched(app: &App, staff: &User) -> AppResult<Vec<UnmatchedMail>> {
    require(staff, Permission::ReviewMail)?;
    Ok(app.store().unmatched_mail(LISTED).await?)
}

/// How many unmatched mails wait for a decision, for who decides them; `None` for anyone else
/// (an admin alone is not asked).
pub async fn pending_count(app: &App, staff: &User) -> AppResult<Option<usize>> {
    if !allows(&staff.roles, Permission::ReviewMail) {
        return Ok(None);
    }
    let mails = unmatched(app, staff).await?;
    Ok(Some(mails.iter().filter(|m| m.status == UnmatchedStatus::Pending).count()))
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
