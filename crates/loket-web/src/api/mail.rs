//! Mail: the office's SMTP server and the mailbox LKPP's answers are read from (IMAP), their
//! passwords write-only, and the outbox, where a mail that failed shows why; the unmatched mails
//! a supervisor confirms as LKPP's answer or dismisses.

use axum::Json;
use axum::extract::{Path, State};
use loket_app::{inbox, mail, settings};
use loket_domain::inbox::ImapSettings;
use loket_domain::mail::{MailSettings, SmtpSecurity};
use loket_domain::settings::SettingsChange;
use loket_store::{OutboxEntry, UnmatchedMail};
use serde::Serialize;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Staff};

/// The SMTP server as shown: never the password, only whether one is set.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MailSettingsView {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    pub smtp_username: String,
    /// True when a password is stored (it is never shown).
    pub smtp_password_set: bool,
    pub from_address: String,
    pub smtp_ca_pem: String,
}

impl From<&MailSettings> for MailSettingsView {
    fn from(m: &MailSettings) -> Self {
        MailSettingsView {
            smtp_host: m.smtp_host.clone(),
            smtp_port: m.smtp_port,
            smtp_security: m.smtp_security,
            smtp_username: m.smtp_username.clone(),
            smtp_password_set: m.smtp_password.as_deref().is_some_and(|p| !p.is_empty()),
            from_address: m.from_address.clone(),
            smtp_ca_pem: m.smtp_ca_pem.clone(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/settings/mail", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = MailSettingsView), (status = 403, body = ErrorBody)))]
pub async fn get_mail(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<MailSettingsView>> {
    Ok(Json((&settings::read(&state.app, &staff.user).await?.mail).into()))
}

/// Replaces the SMTP settings. `smtp_password` is write-only: absent or null keeps the stored
/// one; the answer never contains it.
#[utoipa::path(put, path = "/api/v1/settings/mail", tag = "settings", request_body = MailSettings, security(("bearer" = [])),
    responses((status = 200, body = MailSettingsView), (status = 422, body = ErrorBody)))]
pub async fn put_mail(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(mail): ApiJson<MailSettings>,
) -> ApiResult<Json<MailSettingsView>> {
    let settings = settings::change(&state.app, &staff.user, SettingsChange::Mail(mail)).await?;
    Ok(Json((&settings.mail).into()))
}

/// The mailbox as shown: never the password, only whether one is set.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImapSettingsView {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    /// True when a password is stored (it is never shown).
    pub password_set: bool,
    pub mailbox: String,
    pub poll_seconds: u32,
    pub ticket_pattern: String,
    pub ca_pem: String,
    /// Mails read from the mailbox that named no open escalation, left there for a person.
    pub unmatched_replies: u64,
}

impl ImapSettingsView {
    pub fn new(m: &ImapSettings, unmatched_replies: u64) -> Self {
        ImapSettingsView {
            enabled: m.enabled,
            host: m.host.clone(),
            port: m.port,
            security: m.security,
            username: m.username.clone(),
            password_set: m.password.as_deref().is_some_and(|p| !p.is_empty()),
            mailbox: m.mailbox.clone(),
            poll_seconds: m.poll_seconds,
            ticket_pattern: m.ticket_pattern.clone(),
            ca_pem: m.ca_pem.clone(),
            unmatched_replies,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/settings/imap", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = ImapSettingsView), (status = 403, body = ErrorBody)))]
pub async fn get_imap(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<ImapSettingsView>> {
    let settings = settings::read(&state.app, &staff.user).await?;
    let unmatched = mail::unmatched_replies(&state.app, &staff.user).await?;
    Ok(Json(ImapSettingsView::new(&settings.imap, unmatched)))
}

/// Replaces the mailbox settings. `password` is write-only: absent or null keeps the stored one;
/// the answer never contains it.
#[utoipa::path(put, path = "/api/v1/settings/imap", tag = "settings", request_body = ImapSettings, security(("bearer" = [])),
    responses((status = 200, body = ImapSettingsView), (status = 422, body = ErrorBody)))]
pub async fn put_imap(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(imap): ApiJson<ImapSettings>,
) -> ApiResult<Json<ImapSettingsView>> {
    let settings = settings::change(&state.app, &staff.user, SettingsChange::Imap(imap)).await?;
    let unmatched = mail::unmatched_replies(&state.app, &staff.user).await?;
    Ok(Json(ImapSettingsView::new(&settings.imap, unmatched)))
}

/// The outbox, newest first (at most 200): each mail's status, tries and last error, so that a
/// failing mail is seen by the helpdesk and the supervisor.
#[utoipa::path(get, path = "/api/v1/mail", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = [OutboxEntry]), (status = 403, body = ErrorBody)))]
pub async fn outbox(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Vec<OutboxEntry>>> {
    Ok(Json(mail::outbox(&state.app, &staff.user).await?))
}

/// The unmatched mails, newest first (at most 200), decided ones included: mails read from the
/// mailbox that name an open escalation but are not plainly LKPP's answer (another sender, or
/// LKPP's sender outside the escalation's thread). Supervisors only.
#[utoipa::path(get, path = "/api/v1/mail/unmatched", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = [UnmatchedMail]), (status = 403, body = ErrorBody)))]
pub async fn unmatched(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Vec<UnmatchedMail>>> {
    Ok(Json(inbox::unmatched(&state.app, &staff.user).await?))
}

/// Records the unmatched mail as LKPP's answer on the visit it names, by the supervisor (event
/// data `via: email`, `confirmed_by`); the visitor's mail follows as for any answer.
#[utoipa::path(post, path = "/api/v1/mail/unmatched/{id}/confirm", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = UnmatchedMail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn confirm_unmatched(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<UnmatchedMail>> {
    let mail = inbox::confirm(&state.app, &staff.user, &id).await?;
    tracing::info!(mail = ?mail.id, reference = ?mail.reference, by = ?staff.name(), "unmatched mail confirmed as LKPP's answer");
    Ok(Json(mail))
}

/// Dismisses the unmatched mail: nothing recorded; it stays listed, dismissed.
#[utoipa::path(post, path = "/api/v1/mail/unmatched/{id}/dismiss", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = UnmatchedMail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn dismiss_unmatched(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<UnmatchedMail>> {
    let mail = inbox::dismiss(&state.app, &staff.user, &id).await?;
    tracing::info!(mail = ?mail.id, by = ?staff.name(), "unmatched mail dismissed");
    Ok(Json(mail))
}
