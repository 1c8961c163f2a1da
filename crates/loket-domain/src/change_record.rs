//! The change record (catatan perubahan): every change of the office's settings, logo, days off
//! and staff accounts, with who made it, when, what it was about, and the part as it was before and
//! after. An auditor reads it to know which rules were in force when a visit was served. What it
//! keeps is decided here; the store writes it in the same transaction as the change.
//!
//! A password never enters it: the SMTP and IMAP passwords are written as whether one is set
//! (and whether the change replaced it), a staff password as the fact that it was set.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::auth::Role;
use crate::calendar::DayOff;
use crate::settings::{OfficeSettings, SettingsChange};

/// What a recorded change changed: a part of the settings, the office's logo, a day off, or a
/// staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Priorities,
    TimeStandards,
    Counters,
    Office,
    Desks,
    Mail,
    Imap,
    /// The opening hours and the time measure.
    Calendar,
    /// The office's logo on the form: uploaded, replaced or removed.
    Logo,
    DayOff,
    User,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 11] = [
        ChangeKind::Priorities,
        ChangeKind::TimeStandards,
        ChangeKind::Counters,
        ChangeKind::Office,
        ChangeKind::Desks,
        ChangeKind::Mail,
        ChangeKind::Imap,
        ChangeKind::Calendar,
        ChangeKind::Logo,
        ChangeKind::DayOff,
        ChangeKind::User,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Priorities => "priorities",
            ChangeKind::TimeStandards => "time_standards",
            ChangeKind::Counters => "counters",
            ChangeKind::Office => "office",
            ChangeKind::Desks => "desks",
            ChangeKind::Mail => "mail",
            ChangeKind::Imap => "imap",
            ChangeKind::Calendar => "calendar",
            ChangeKind::Logo => "logo",
            ChangeKind::DayOff => "day_off",
            ChangeKind::User => "user",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A change as the record keeps it, before the store numbers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    /// What the change was about, when a kind has many: a user name, a day off's date.
    pub subject: Option<String>,
    /// The part as it was; null when there was none (a new user, a new day off).
    pub before: Value,
    /// The part as it is now; null when it is gone (a day off removed).
    pub after: Value,
}

impl Change {
    /// A write that changes nothing (the same table saved again) leaves no record.
    pub fn changes_anything(&self) -> bool {
        self.before != self.after
    }
}

/// One recorded change, as the record lists it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangeRecord {
    /// Numbered in the order the changes were made, from 1.
    pub id: i64,
    pub kind: ChangeKind,
    /// The staff member who made it (`system` for the command line and the first start).
    pub by: String,
    #[serde(with = "crate::timestamp")]
    pub at: DateTime<Utc>,
    pub subject: Option<String>,
    /// The part before the change, as JSON; null when there was none.
    pub before: Value,
    /// The part after the change, as JSON; null when it is gone.
    pub after: Value,
}

impl SettingsChange {
    /// The part of the settings this change replaces.
    pub fn kind(&self) -> ChangeKind {
        match self {
            SettingsChange::Priorities(_) => ChangeKind::Priorities,
            SettingsChange::TimeStandards(_) => ChangeKind::TimeStandards,
            SettingsChange::Counters(_) => ChangeKind::Counters,
            SettingsChange::Office(_) => ChangeKind::Office,
            SettingsChange::Desks { .. } => ChangeKind::Desks,
            SettingsChange::Mail(_) => ChangeKind::Mail,
            SettingsChange::Calendar(_) => ChangeKind::Calendar,
            SettingsChange::Imap(_) => ChangeKind::Imap,
        }
    }
}

/// A settings change of `kind`, from the settings `before` to `after`: the part each had.
pub fn settings_change(kind: ChangeKind, before: &OfficeSettings, after: &OfficeSettings) -> Change {
    let (mut was, mut is) = (part(kind, before), part(kind, after));
    // The passwords: whether one is set, and whether this change replaced it. Never the password.
    let passwords = match kind {
        ChangeKind::Mail => Some(("smtp_password", &before.mail.smtp_password, &after.mail.smtp_password)),
        ChangeKind::Imap => Some(("password", &before.imap.password, &after.imap.password)),
        _ => None,
    };
    if let Some((field, old, new)) = passwords {
        redact(&mut was, field, old.is_some(), false);
        redact(&mut is, field, new.is_some(), old.is_some() && new.is_some() && old != new);
    }
    Change { kind, subject: None, before: was, after: is }
}

/// The part of the settings a change of `kind` replaces, as JSON.
fn part(kind: ChangeKind, s: &OfficeSettings) -> Value {
    let value = match kind {
        ChangeKind::Priorities => serde_json::to_value(&s.priorities),
        ChangeKind::TimeStandards => serde_json::to_value(&s.time_standards),
        ChangeKind::Counters => serde_json::to_value(&s.counters),
        ChangeKind::Office => serde_json::to_value(&s.office),
        ChangeKind::Desks => Ok(json!({"services": s.office.services, "counters": s.counters})),
        ChangeKind::Mail => serde_json::to_value(&s.mail),
        ChangeKind::Imap => serde_json::to_value(&s.imap),
        ChangeKind::Calendar => serde_json::to_value(&s.calendar),
        ChangeKind::Logo | ChangeKind::DayOff | ChangeKind::User => Ok(Value::Null),
    };
    value.unwrap_or(Value::Null)
}

/// `field` (a password) taken out of `part`, and `{field}_set` (and `{field}_changed` when the
/// change replaced it) put in.
fn redact(part: &mut Value, field: &str, set: bool, changed: bool) {
    if let Value::Object(map) = part {
        map.remove(field);
        map.insert(format!("{field}_set"), Value::Bool(set));
        if changed {
            map.insert(format!("{field}_changed"), Value::Bool(true));
        }
    }
}

/// A day off put (`after`), replaced (`before` and `after`) or removed (`before`).
pub fn day_off_change(date: chrono::NaiveDate, before: Option<&DayOff>, after: Option<&DayOff>) -> Change {
    let day = |d: Option<&DayOff>| d.map_or(Value::Null, |d| json!({"kind": d.kind, "name": d.name}));
    Change {
        kind: ChangeKind::DayOff,
        subject: Some(date.format("%Y-%m-%d").to_string()),
        before: day(before),
        after: day(after),
    }
}

/// The office's logo as the record shows it: what it is, never its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoFacts {
    /// `image/png` or `image/jpeg`.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, in hex: the logo uploaded, told apart from any other.
    pub sha256: String,
}

/// The office's logo set (`after`), replaced (`before` and `after`) or removed (`before`). The
/// same logo uploaded again changes nothing.
pub fn logo_change(before: Option<&LogoFacts>, after: Option<&LogoFacts>) -> Change {
    let logo = |l: Option<&LogoFacts>| {
        l.map_or(Value::Null, |l| json!({"content_type": l.content_type, "size_bytes": l.size, "sha256": l.sha256}))
    };
    Change { kind: ChangeKind::Logo, subject: None, before: logo(before), after: logo(after) }
}

/// A staff account as the record shows it: never its password or the password's hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFacts {
    pub full_name: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub disabled: Option<bool>,
}

impl AccountFacts {
    fn to_value(&self) -> Value {
        let mut map = serde_json::Map::new();
        if let Some(n) = &self.full_name {
            map.insert("full_name".into(), json!(n));
        }
        if let Some(r) = &self.roles {
            map.insert("roles".into(), json!(r));
        }
        if let Some(d) = self.disabled {
            map.insert("disabled".into(), json!(d));
        }
        Value::Object(map)
    }
}

/// A staff account created (`before` is `None`) or changed: its name, roles, or whether it is
/// disabled.
pub fn account_change(username: &str, before: Option<&AccountFacts>, after: &AccountFacts) -> Change {
    Change {
        kind: ChangeKind::User,
        subject: Some(username.to_owned()),
        before: before.map_or(Value::Null, AccountFacts::to_value),
        after: after.to_value(),
    }
}

/// A staff account's password set: by an admin or the command line (the user must change it,
/// `change_required`), or by its user. The record says that it was set, never what it is.
pub fn password_change(username: &str, change_required: bool) -> Change {
    Change {
        kind: ChangeKind::User,
        subject: Some(username.to_owned()),
        before: Value::Null,
        after: json!({"password": "set", "password_change_required": change_required}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::MailSettings;

    #[test]
    fn kinds_parse_from_their_names() {
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(json!(k.as_str())));
        }
        assert_eq!(ChangeKind::parse("logos"), None);
    }

    #[test]
    fn a_mail_password_is_recorded_as_set_and_changed_never_as_itself() {
        let before = OfficeSettings {
            mail: MailSettings { smtp_password: Some("rahasia-lama".into()), ..MailSettings::default() },
            ..OfficeSettings::default()
        };
        let after = OfficeSettings {
            mail: MailSettings { smtp_password: Some("rahasia-baru".into()), ..before.mail.clone() },
            ..before.clone()
        };
        let change = settings_change(ChangeKind::Mail, &before, &after);
        let text = format!("{} {}", change.before, change.after);
        assert!(!text.contains("rahasia"), "{text}");
        assert_eq!(change.before["smtp_password_set"], true);
        assert_eq!(change.after["smtp_password_changed"], true);
        assert!(change.changes_anything(), "a new password alone is a change");
        let kept = settings_change(ChangeKind::Mail, &before, &before);
        assert!(!kept.changes_anything(), "saved again as it was");
    }

    #[test]
    fn an_imap_password_is_redacted_too() {
        let mut after = OfficeSettings::default();
        after.imap.password = Some("kotak-surat".into());
        let change = settings_change(ChangeKind::Imap, &OfficeSettings::default(), &after);
        assert_eq!(change.before["password_set"], false);
        assert_eq!(change.after["password_set"], true);
        assert!(!change.after.to_string().contains("kotak-surat"));
    }

    #[test]
    fn a_logo_is_recorded_by_its_type_size_and_hash() {
        let png = LogoFacts { content_type: "image/png".into(), size: 2048, sha256: "ab".repeat(32) };
        let change = logo_change(None, Some(&png));
        assert_eq!(change.kind, ChangeKind::Logo);
        assert_eq!(change.before, Value::Null);
        assert_eq!(change.after, json!({"content_type": "image/png", "size_bytes": 2048, "sha256": "ab".repeat(32)}));
        assert!(!logo_change(Some(&png), Some(&png)).changes_anything(), "the same logo again");
        assert_eq!(logo_change(Some(&png), None).after, Value::Null, "removed");
    }

    #[test]
    fn an_account_change_names_the_user_and_what_changed() {
        let was = AccountFacts { full_name: Some("Rina".into()), roles: Some(vec![Role::Helpdesk]), disabled: None };
        let is = AccountFacts { roles: Some(vec![Role::Supervisor]), ..was.clone() };
        let change = account_change("rina", Some(&was), &is);
        assert_eq!(change.subject.as_deref(), Some("rina"));
        assert_eq!(change.before, json!({"full_name": "Rina", "roles": ["helpdesk"]}));
        assert_eq!(change.after, json!({"full_name": "Rina", "roles": ["supervisor"]}));
        assert_eq!(password_change("rina", true).after["password"], "set");
    }
}
