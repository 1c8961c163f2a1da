//! Mail: the SMTP server escalations and copies are sent through, and the mailbox LKPP's answers
//! are read from (IMAP). Passwords are write-only: their fields are always empty, a hint says
//! whether one is stored, and an empty field keeps it. Both parts are checked before either is
//! saved, every bad value named next to its field.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use loket_app::{mail, settings};
use loket_domain::Refused;
use loket_domain::auth::Permission;
use loket_domain::inbox::ImapSettings;
use loket_domain::mail::{MailSettings, SmtpSecurity};
use loket_domain::settings::{OfficeSettings, SettingsChange};
use serde::Deserialize;

use super::counter::MailProblem;
use super::front_office::{Choice, FieldView};
use super::i18n::Tr;
use super::session::{PageForm, PageStaff};
use super::setting_forms::{SettingsFormPage, number, reason_text};
use super::settings::SavedQuery;
use super::{PageError, PageResult, see_other};
use crate::AppState;

pub const MAIL: &str = "/supervisor/settings/mail";

/// What the mail form posts, every value as typed.
#[derive(Deserialize, Default, Clone)]
pub struct MailForm {
    #[serde(default)]
    smtp_host: String,
    #[serde(default)]
    smtp_port: String,
    #[serde(default)]
    smtp_security: String,
    #[serde(default)]
    smtp_username: String,
    #[serde(default)]
    smtp_password: String,
    #[serde(default)]
    from_address: String,
    #[serde(default)]
    smtp_ca_pem: String,
    #[serde(rename = "imap.enabled", default)]
    imap_enabled: String,
    #[serde(rename = "imap.host", default)]
    imap_host: String,
    #[serde(rename = "imap.port", default)]
    imap_port: String,
    #[serde(rename = "imap.security", default)]
    imap_security: String,
    #[serde(rename = "imap.username", default)]
    imap_username: String,
    #[serde(rename = "imap.password", default)]
    imap_password: String,
    #[serde(rename = "imap.mailbox", default)]
    imap_mailbox: String,
    #[serde(rename = "imap.poll_seconds", default)]
    imap_poll_seconds: String,
    #[serde(rename = "imap.ticket_pattern", default)]
    imap_ticket_pattern: String,
    #[serde(rename = "imap.ca_pem", default)]
    imap_ca_pem: String,
}

const SECURITY: [(SmtpSecurity, &str); 3] =
    [(SmtpSecurity::Starttls, "starttls"), (SmtpSecurity::Tls, "tls"), (SmtpSecurity::Plain, "plain")];

fn security_name(s: SmtpSecurity) -> &'static str {
    SECURITY.iter().find(|(v, _)| *v == s).map(|(_, n)| *n).unwrap_or("starttls")
}

fn parse_security(typed: &str) -> Option<SmtpSecurity> {
    SECURITY.iter().find(|(_, n)| *n == typed).map(|(v, _)| *v)
}

impl MailForm {
    /// The stored settings as a form (passwords never).
    fn of(mail: &MailSettings, imap: &ImapSettings) -> MailForm {
        MailForm {
            smtp_host: mail.smtp_host.clone(),
            smtp_port: mail.smtp_port.to_string(),
            smtp_security: security_name(mail.smtp_security).into(),
            smtp_username: mail.smtp_username.clone(),
            smtp_password: String::new(),
            from_address: mail.from_address.clone(),
            smtp_ca_pem: mail.smtp_ca_pem.clone(),
            imap_enabled: if imap.enabled { "yes" } else { "no" }.into(),
            imap_host: imap.host.clone(),
            imap_port: imap.port.to_string(),
            imap_security: security_name(imap.security).into(),
            imap_username: imap.username.clone(),
            imap_password: String::new(),
            imap_mailbox: imap.mailbox.clone(),
            imap_poll_seconds: imap.poll_seconds.to_string(),
            imap_ticket_pattern: imap.ticket_pattern.clone(),
            imap_ca_pem: imap.ca_pem.clone(),
        }
    }
}

/// Whether a password is stored, as the hint under its (empty) field.
fn password_hint(t: Tr, stored: &Option<String>) -> String {
    t.get(if stored.as_deref().is_some_and(|p| !p.is_empty()) {
        "settings-password-stored"
    } else {
        "settings-password-none"
    })
}

fn mail_fields(
    t: Tr,
    typed: &MailForm,
    stored: (&MailSettings, &ImapSettings),
    errors: &BTreeMap<String, String>,
) -> Vec<FieldView> {
    let field = |name: &'static str, kind: &'static str, value: &str, options: Vec<Choice>| FieldView {
        name,
        id: name.replace(['.', '_'], "-"),
        label: t.get(&format!("settings-field-{}", name.replace(['.', '_'], "-"))),
        kind,
        value: value.to_owned(),
        required: false,
        error: errors.get(name).map(|reason| reason_text(t, reason)),
        options,
        autocomplete: if kind == "password" { "new-password" } else { "off" },
        hint: None,
    };
    let choices = |selected: &str, values: &[&str], prefix: &str| -> Vec<Choice> {
        values
            .iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                label: t.get(&format!("{prefix}-{v}")),
                selected: *v == selected,
            })
            .collect()
    };
    let securities: Vec<&str> = SECURITY.iter().map(|(_, n)| *n).collect();
    let mut smtp_password = field("smtp_password", "password", "", Vec::new());
    smtp_password.hint = Some(password_hint(t, &stored.0.smtp_password));
    let mut imap_password = field("imap.password", "password", "", Vec::new());
    imap_password.hint = Some(password_hint(t, &stored.1.password));
    let mut pattern = field("imap.ticket_pattern", "text", &typed.imap_ticket_pattern, Vec::new());
    pattern.hint = Some(t.get("settings-ticket-pattern-hint"));
    vec![
        field("smtp_host", "text", &typed.smtp_host, Vec::new()),
        field("smtp_port", "text", &typed.smtp_port, Vec::new()),
        field("smtp_security", "select", "", choices(&typed.smtp_security, &securities, "mail-security")),
        field("smtp_username", "text", &typed.smtp_username, Vec::new()),
        smtp_password,
        field("from_address", "email", &typed.from_address, Vec::new()),
        field("smtp_ca_pem", "textarea", &typed.smtp_ca_pem, Vec::new()),
        field("imap.enabled", "select", "", choices(&typed.imap_enabled, &["no", "yes"], "settings-imap-enabled")),
        field("imap.host", "text", &typed.imap_host, Vec::new()),
        field("imap.port", "text", &typed.imap_port, Vec::new()),
        field("imap.security", "select", "", choices(&typed.imap_security, &securities, "mail-security")),
        field("imap.username", "text", &typed.imap_username, Vec::new()),
        imap_password,
        field("imap.mailbox", "text", &typed.imap_mailbox, Vec::new()),
        field("imap.poll_seconds", "text", &typed.imap_poll_seconds, Vec::new()),
        pattern,
        field("imap.ca_pem", "textarea", &typed.imap_ca_pem, Vec::new()),
    ]
}

async fn mail_page(
    state: &AppState,
    staff: &PageStaff,
    typed: &MailForm,
    errors: &BTreeMap<String, String>,
    saved: bool,
) -> Result<SettingsFormPage, PageError> {
    let settings = state.store.settings().await?;
    let unmatched =
        mail::unmatched_replies(&state.app, &staff.user).await.map_err(|e| PageError::from(e).for_staff(staff))?;
    let mut page = SettingsFormPage::new(state, staff, MAIL, "settings-mail", saved).await?;
    let t = staff.tr();
    page.fields = mail_fields(t, typed, (&settings.mail, &settings.imap), errors);
    if unmatched > 0 {
        page.hint = format!("{} {}", page.hint, t.with("settings-mail-unmatched", "count", unmatched));
    }
    Ok(page)
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<SavedQuery>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let settings = state.store.settings().await?;
    let typed = MailForm::of(&settings.mail, &settings.imap);
    Ok(mail_page(&state, &staff, &typed, &BTreeMap::new(), q.saved.is_some()).await?.into_response())
}

/// A password as typed: empty keeps the stored one.
fn typed_password(typed: &str) -> Option<String> {
    (!typed.is_empty()).then(|| typed.to_owned())
}

/// Saves both parts, or neither: each is checked by the domain first, every problem named.
pub async fn save(State(state): State<AppState>, PageForm { staff, form }: PageForm<MailForm>) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let settings = state.store.settings().await?;
    let (mail, imap, mut errors) = read_form(&form);
    check(&settings, &mail, &imap, &mut errors)?;
    if errors.is_empty() {
        settings::change_mail(&state.app, &staff.user, mail, imap)
            .await
            .map_err(|e| PageError::from(e).for_staff(&staff))?;
        return Ok(see_other(&format!("{MAIL}?saved=1")));
    }
    let page = mail_page(&state, &staff, &form, &errors, false).await?;
    Ok(page.refused(axum::http::StatusCode::UNPROCESSABLE_ENTITY, staff.tr().get("error-validation-password")))
}

/// Both parts as typed, and the fields that cannot be read (`invalid`, by name).
fn read_form(form: &MailForm) -> (MailSettings, ImapSettings, BTreeMap<String, String>) {
    let mut errors = BTreeMap::new();
    let mut bad = |name: &str, is_bad: bool| {
        if is_bad {
            errors.insert(name.to_owned(), "invalid".to_owned());
        }
    };
    let (mut smtp_port_bad, mut imap_port_bad, mut poll_bad) = (false, false, false);
    let smtp_security = parse_security(&form.smtp_security);
    let imap_security = parse_security(&form.imap_security);
    let mail = MailSettings {
        smtp_host: form.smtp_host.trim().to_owned(),
        smtp_port: number(&form.smtp_port, &mut smtp_port_bad),
        smtp_security: smtp_security.unwrap_or_default(),
        smtp_username: form.smtp_username.trim().to_owned(),
        smtp_password: typed_password(&form.smtp_password),
        from_address: form.from_address.trim().to_owned(),
        smtp_ca_pem: form.smtp_ca_pem.trim().to_owned(),
    };
    let imap = ImapSettings {
        enabled: form.imap_enabled == "yes",
        host: form.imap_host.trim().to_owned(),
        port: number(&form.imap_port, &mut imap_port_bad),
        security: imap_security.unwrap_or(SmtpSecurity::Tls),
        username: form.imap_username.trim().to_owned(),
        password: typed_password(&form.imap_password),
        mailbox: form.imap_mailbox.trim().to_owned(),
        poll_seconds: number(&form.imap_poll_seconds, &mut poll_bad),
        ticket_pattern: form.imap_ticket_pattern.trim().to_owned(),
        ca_pem: form.imap_ca_pem.trim().to_owned(),
    };
    bad("smtp_port", smtp_port_bad);
    bad("smtp_security", smtp_security.is_none());
    bad("imap.port", imap_port_bad);
    bad("imap.poll_seconds", poll_bad);
    bad("imap.security", imap_security.is_none());
    (mail, imap, errors)
}

/// Each part checked by the domain's rules; every problem it names is added to `errors`, unless
/// the field has one already.
fn check(
    settings: &OfficeSettings,
    mail: &MailSettings,
    imap: &ImapSettings,
    errors: &mut BTreeMap<String, String>,
) -> Result<(), PageError> {
    for (change, prefix) in [(SettingsChange::Mail(mail.clone()), ""), (SettingsChange::Imap(imap.clone()), "imap.")] {
        match settings.with(change) {
            Ok(_) => {}
            Err(Refused::Validation(fields)) => {
                for (k, v) in fields.0 {
                    errors.entry(format!("{prefix}{k}")).or_insert(v);
                }
            }
            Err(other) => return Err(PageError::Internal(other.into())),
        }
    }
    Ok(())
}

/// The mails the SMTP server has not taken yet (pending with an error), as the counter and the
/// supervisor see them: never lost, tried again at `next try`.
pub fn failing_mail(t: Tr, outbox: &[loket_store::OutboxEntry], zone: chrono_tz::Tz) -> Vec<MailProblem> {
    outbox
        .iter()
        .filter(|m| m.status == "pending" && m.last_error.is_some())
        .map(|m| MailProblem {
            reference: m.reference.clone().unwrap_or_default(),
            to: if m.to.is_empty() { t.get("mail-to-hidden") } else { m.to.clone() },
            kind: t.get(match m.kind.as_str() {
                "copy" => "counter-mail-copy",
                "answer" => "counter-mail-answer",
                _ => "counter-mail-escalation",
            }),
            attempts: m.attempts,
            error: m.last_error.clone().unwrap_or_default(),
            next_try: m.next_attempt_at.map(|at| loket_domain::format::time(t.lang, at, zone)).unwrap_or_default(),
        })
        .collect()
}
