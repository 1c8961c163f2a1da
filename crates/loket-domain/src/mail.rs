//! How the office sends mail (SOP steps 11 and 12: the escalation to LKPP, the visitor's copy):
//! its SMTP server, and the retries of a mail the server did not take.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::guest_book::is_email;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection, upgraded with STARTTLS (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server.
    Plain,
}

/// The office's SMTP server. `smtp_password` is write-only: it is stored, never shown back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// Empty: no mail is sent; it waits in the outbox.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    /// Empty: no authentication.
    pub smtp_username: String,
    pub smtp_password: Option<String>,
    /// The sender of every mail.
    pub from_address: String,
    /// An extra certificate authority (PEM) trusted for the server's TLS certificate, for a server
    /// whose certificate a private (office or ministry) CA signed; empty: the public ones only.
    pub smtp_ca_pem: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: String::new(),
            smtp_password: None,
            from_address: "loket@lpse.go.id".into(),
            smtp_ca_pem: String::new(),
        }
    }
}

impl MailSettings {
    /// Checks what a supervisor gives, field by field.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let host_ok = self.smtp_host.len() <= 253
            && self.smtp_host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':');
        if !host_ok || !crate::outbound::typed_host_allowed(&self.smtp_host) {
            errors.add("smtp_host", "invalid");
        }
        if self.smtp_port == 0 {
            errors.add("smtp_port", "invalid");
        }
        if self.smtp_username.chars().count() > 254 || self.smtp_username.chars().any(char::is_control) {
            errors.add("smtp_username", "invalid");
        }
        if self.smtp_password.as_ref().is_some_and(|p| p.chars().count() > 1000 || p.chars().any(char::is_control)) {
            errors.add("smtp_password", "invalid");
        }
        if !is_email(&self.from_address) {
            errors.add("from_address", "invalid");
        }
        if !valid_ca_pem(&self.smtp_ca_pem) {
            errors.add("smtp_ca_pem", "invalid");
        }
        errors.into_result(())
    }

    /// The settings after a change: a change without a password keeps the one stored (it is
    /// never shown, so a form cannot send it back), unless it moves the server the password goes
    /// to ([`same_server`]): then the password is given again (`smtp_password`: `required`), so
    /// that nobody sends the stored one to a server of their own.
    pub fn changed_to(&self, mut next: MailSettings) -> Result<MailSettings, FieldErrors> {
        if next.smtp_password.is_none() && self.smtp_password.is_some() {
            let before = (&self.smtp_host, self.smtp_port, self.smtp_security, &self.smtp_ca_pem);
            let after = (&next.smtp_host, next.smtp_port, next.smtp_security, &next.smtp_ca_pem);
            if !same_server(before, after) {
                return Err(FieldErrors::one("smtp_password", "required"));
            }
            next.smtp_password = self.smtp_password.clone();
        }
        Ok(next)
    }

    pub fn configured(&self) -> bool {
        !self.smtp_host.is_empty()
    }
}

/// Whether a mail server's address is the one a stored password was given for: the same host
/// (in any case), port and security, and the same extra CA (a new one would let another server
/// pass for the host).
pub fn same_server(
    before: (&String, u16, SmtpSecurity, &String),
    after: (&String, u16, SmtpSecurity, &String),
) -> bool {
    before.0.trim().eq_ignore_ascii_case(after.0.trim())
        && before.1 == after.1
        && before.2 == after.2
        && before.3.trim() == after.3.trim()
}

/// The longest extra CA certificate text accepted.
pub const CA_PEM_MAX: usize = 20_000;

/// An extra CA as given: empty, or PEM certificates (checked again when a connection uses it).
pub fn valid_ca_pem(pem: &str) -> bool {
    pem.trim().is_empty()
        || (pem.len() <= CA_PEM_MAX
            && pem.contains("-----BEGIN CERTIFICATE-----")
            && pem.contains("-----END CERTIFICATE-----"))
}

/// When a mail the server did not take is tried again: 30 seconds after the first failure,
/// doubling each time, at most an hour apart. A mail is never given up: it stays pending, its
/// last error shown, until the server takes it.
pub fn next_attempt(failures: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = 30i64.saturating_mul(1i64 << failures.saturating_sub(1).min(10)).min(3600);
    now + Duration::seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_at_most_an_hour() {
        let now = DateTime::from_timestamp(0, 0).unwrap();
        let waits: Vec<i64> = (1..=9).map(|n| (next_attempt(n, now) - now).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    #[test]
    fn a_change_without_a_password_keeps_the_stored_one() {
        let stored = MailSettings {
            smtp_host: "smtp.example.go.id".into(),
            smtp_password: Some("rahasia".into()),
            ..Default::default()
        };
        let next = MailSettings {
            smtp_host: "SMTP.example.go.id".into(),
            from_address: "x@y.id".into(),
            ..Default::default()
        };
        assert_eq!(stored.changed_to(next).ok().and_then(|m| m.smtp_password).as_deref(), Some("rahasia"));
        let replaced = MailSettings { smtp_password: Some("baru".into()), ..Default::default() };
        assert_eq!(stored.changed_to(replaced).ok().and_then(|m| m.smtp_password).as_deref(), Some("baru"));
    }

    #[test]
    fn moving_the_server_needs_the_password_again() {
        let stored = MailSettings {
            smtp_host: "smtp.example.go.id".into(),
            smtp_password: Some("rahasia".into()),
            ..Default::default()
        };
        let required = Err(FieldErrors::one("smtp_password", "required"));
        let moves = [
            MailSettings { smtp_host: "evil.example".into(), ..stored.clone() },
            MailSettings { smtp_port: 2525, ..stored.clone() },
            MailSettings { smtp_security: SmtpSecurity::Plain, ..stored.clone() },
            MailSettings { smtp_ca_pem: "-----BEGIN CERTIFICATE-----".into(), ..stored.clone() },
        ];
        for moved in moves {
            assert_eq!(stored.changed_to(MailSettings { smtp_password: None, ..moved }), required);
        }
        let with_password =
            MailSettings { smtp_host: "evil.example".into(), smtp_password: Some("lain".into()), ..stored.clone() };
        assert!(stored.changed_to(with_password).is_ok(), "with its password the move is the office's");
    }

    #[test]
    fn bad_mail_settings_are_named() {
        let bad = MailSettings {
            smtp_host: "smtp example".into(),
            smtp_port: 0,
            from_address: "nobody".into(),
            ..Default::default()
        };
        let names: Vec<String> = bad.validate().unwrap_err().0.into_keys().collect();
        assert_eq!(names, ["from_address", "smtp_host", "smtp_port"]);
        assert!(MailSettings::default().validate().is_ok());
    }
}
