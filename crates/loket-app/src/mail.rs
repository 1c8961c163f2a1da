//! The outbox, as the helpdesk and the supervisor see it: each mail's status, tries and last
//! error, so that a failing mail is seen; and how many mails the mailbox left for a person.

use loket_domain::auth::Permission;
use loket_store::{OutboxEntry, User};

use crate::{App, AppResult, require};

/// The most mails one list of the outbox answers, newest first.
pub const LISTED: u32 = 200;

/// The outbox, newest first.
pub async fn outbox(app: &App, staff: &User) -> AppResult<Vec<OutboxEntry>> {
    require(staff, Permission::Helpdesk)?;
    Ok(app.store().outbox(LISTED).await?)
}

/// How many mails read from the mailbox named no open escalation (shown with its settings).
pub async fn unmatched_replies(app: &App, staff: &User) -> AppResult<u64> {
    require(staff, Permission::ReadSettings)?;
    Ok(app.store().unmatched_replies().await?)
}
