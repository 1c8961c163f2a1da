//! Staff roles (peran). A front office role is a duty, not a person: a helpdesk agent, security
//! or a receptionist may hold it (SOP step 1, note).

use serde::{Deserialize, Serialize};

use crate::errors::{FieldErrors, Refused};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    FrontOffice,
    Helpdesk,
    Supervisor,
    Admin,
    /// An auditor (pemeriksa) of the Inspektorat: reads every visit, its history and documents,
    /// the reports, the settings and their change record, and changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::FrontOffice, Role::Helpdesk, Role::Supervisor, Role::Admin, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::FrontOffice => "front_office",
            Role::Helpdesk => "helpdesk",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The longest full name of a staff account.
pub const FULL_NAME_MAX: usize = 100;

/// A staff member's full name as given: one line, at most [`FULL_NAME_MAX`] characters, not empty.
pub fn parse_full_name(typed: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    match crate::text::one_line(typed, FULL_NAME_MAX, "full_name", &mut errors) {
        Some(name) => Ok(name),
        None if errors.is_empty() => Err(FieldErrors::one("full_name", "missing")),
        None => Err(errors),
    }
}

/// The shortest password a staff account may have, in characters.
pub const PASSWORD_MIN: usize = 12;

/// A new password for a staff account, wherever it is set (the admin's page, one's own, the
/// command line, the first admin's from the environment): at least [`PASSWORD_MIN`] characters
/// (`too_short`), and not one of the commonly used passwords, in any case (`common`: a list of
/// about 100,000 leaked passwords). The reason is the field error's code.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < PASSWORD_MIN {
        return Err("too_short");
    }
    let common = |p: &str| passwords::analyzer::is_common_password(p);
    if common(password) || common(&password.to_lowercase()) {
        return Err("common");
    }
    Ok(())
}

/// Roles as given: at least one.
pub fn parse_roles(roles: &[Role]) -> Result<Vec<Role>, FieldErrors> {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    if roles.is_empty() { Err(FieldErrors::one("roles", "missing")) } else { Ok(roles) }
}

/// An office keeps an enabled admin: somebody must be able to manage the accounts. A change that
/// takes the admin role from the last enabled admin (or disables them) is refused; `accounts` are
/// every account's roles and whether it is disabled, before and after the change.
pub fn keeps_an_admin<'a>(
    before: impl IntoIterator<Item = (&'a [Role], bool)>,
    after: impl IntoIterator<Item = (&'a [Role], bool)>,
) -> Result<(), Refused> {
    let admins = |accounts: &mut dyn Iterator<Item = (&'a [Role], bool)>| {
        accounts.filter(|(roles, disabled)| !disabled && roles.contains(&Role::Admin)).count()
    };
    let (had, has) = (admins(&mut before.into_iter()), admins(&mut after.into_iter()));
    if had > 0 && has == 0 { Err(Refused::LastAdmin) } else { Ok(()) }
}

/// What a set of roles may do. A supervisor may do all that front office and helpdesk may; an
/// auditor may do every read and nothing that changes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Steps 1-7: guest book, form, check.
    FrontOffice,
    /// Steps 8-12: calling, analysis, answer, escalation, archive.
    Helpdesk,
    /// Cancel a visit: front office or helpdesk.
    Cancel,
    /// Read visits, their history, the queue, archived documents: visitors' personal data, for
    /// those who serve them and for the auditor.
    ReadVisits,
    /// Read the counters and the services they call (the desks need them).
    ReadCounters,
    /// Read the reports and the office's overview.
    Supervise,
    /// Read the settings (days off and the logo included) and the record of their changes.
    ReadSettings,
    /// Change the settings, the days off and the logo (admins and supervisors).
    ChangeSettings,
    /// Users.
    ManageUsers,
    /// Unmatched mails: read them, confirm one as LKPP's answer or dismiss it. Supervisors only:
    /// a mail names a visit and carries what a visitor will be told (an admin alone reads no
    /// visitor's data), and confirming it answers an escalation as the helpdesk would.
    ReviewMail,
}

impl Permission {
    pub const ALL: [Permission; 10] = [
        Permission::FrontOffice,
        Permission::Helpdesk,
        Permission::Cancel,
        Permission::ReadVisits,
        Permission::ReadCounters,
        Permission::Supervise,
        Permission::ReadSettings,
        Permission::ChangeSettings,
        Permission::ManageUsers,
        Permission::ReviewMail,
    ];

    /// Whether the permission only reads: what an auditor may do.
    pub fn only_reads(self) -> bool {
        match self {
            Permission::ReadVisits | Permission::ReadCounters | Permission::Supervise | Permission::ReadSettings => {
                true
            }
            // Reviewing mail reads and decides in one: an auditor reads its outcome on the visit.
            Permission::FrontOffice
            | Permission::Helpdesk
            | Permission::Cancel
            | Permission::ChangeSettings
            | Permission::ManageUsers
            | Permission::ReviewMail => false,
        }
    }
}

pub fn allows(roles: &[Role], permission: Permission) -> bool {
    let has = |r: Role| roles.contains(&r);
    // An auditor reconstructs every visit and every change, and changes nothing.
    if has(Role::Auditor) && permission.only_reads() {
        return true;
    }
    match permission {
        Permission::FrontOffice => has(Role::FrontOffice) || has(Role::Supervisor),
        Permission::Helpdesk => has(Role::Helpdesk) || has(Role::Supervisor),
        Permission::Cancel => has(Role::FrontOffice) || has(Role::Helpdesk) || has(Role::Supervisor),
        // Least privilege: an admin manages users and settings, and reads no visitor's data
        // unless they also serve (supervisor).
        Permission::ReadVisits => has(Role::FrontOffice) || has(Role::Helpdesk) || has(Role::Supervisor),
        Permission::ReadCounters => !roles.is_empty(),
        Permission::Supervise => has(Role::Supervisor) || has(Role::Admin),
        Permission::ReadSettings | Permission::ChangeSettings => has(Role::Supervisor) || has(Role::Admin),
        Permission::ManageUsers => has(Role::Admin),
        Permission::ReviewMail => has(Role::Supervisor),
    }
}

/// Names the records use for actors that are not staff: a staff account may not take them.
pub const RESERVED_NAMES: [&str; 3] = [crate::KIOSK_ACTOR, crate::SYSTEM_ACTOR, crate::standards::LINE_RECEIVER];

/// A staff user name: lower-case letters, digits, `.`, `_` and `-`, at most 64, and none of the
/// names the records give to the kiosk, the system and the waiting line.
pub fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && !RESERVED_NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_records_give_to_non_staff_are_not_user_names() {
        assert!(valid_username("rina.w"));
        for name in ["kiosk", "system", "line", "", "Rina"] {
            assert!(!valid_username(name), "{name}");
        }
    }

    #[test]
    fn supervisor_may_do_what_front_office_and_helpdesk_may() {
        let s = [Role::Supervisor];
        assert!(allows(&s, Permission::FrontOffice));
        assert!(allows(&s, Permission::Helpdesk));
        assert!(allows(&s, Permission::Supervise));
        assert!(!allows(&s, Permission::ManageUsers));
        assert!(allows(&s, Permission::ReviewMail));
        assert!(!allows(&[Role::Helpdesk], Permission::ReviewMail));
    }

    #[test]
    fn front_office_may_not_call_numbers() {
        assert!(!allows(&[Role::FrontOffice], Permission::Helpdesk));
        assert!(allows(&[Role::FrontOffice], Permission::Cancel));
    }

    #[test]
    fn admin_manages_users_and_settings_but_not_visits() {
        let a = [Role::Admin];
        assert!(allows(&a, Permission::ManageUsers));
        assert!(allows(&a, Permission::ChangeSettings));
        assert!(!allows(&a, Permission::Helpdesk));
        assert!(!allows(&a, Permission::ReviewMail));
        assert!(!allows(&a, Permission::ReadVisits), "an admin alone reads no visitor's personal data");
        assert!(allows(&[Role::Admin, Role::Supervisor], Permission::ReadVisits));
    }

    #[test]
    fn an_auditor_reads_everything_and_changes_nothing() {
        let a = [Role::Auditor];
        for p in Permission::ALL {
            assert_eq!(allows(&a, p), p.only_reads(), "{p:?}");
        }
        for p in [Permission::ReadVisits, Permission::ReadCounters, Permission::Supervise, Permission::ReadSettings] {
            assert!(allows(&a, p), "{p:?} is a read");
        }
        for p in [
            Permission::FrontOffice,
            Permission::Helpdesk,
            Permission::Cancel,
            Permission::ChangeSettings,
            Permission::ManageUsers,
            Permission::ReviewMail,
        ] {
            assert!(!allows(&a, p), "{p:?} changes something");
        }
    }

    #[test]
    fn reading_the_settings_is_apart_from_changing_them() {
        for r in [Role::Supervisor, Role::Admin] {
            assert!(allows(&[r], Permission::ReadSettings) && allows(&[r], Permission::ChangeSettings), "{r:?}");
        }
        assert!(allows(&[Role::Auditor], Permission::ReadSettings));
        assert!(!allows(&[Role::Auditor], Permission::ChangeSettings));
        for r in [Role::FrontOffice, Role::Helpdesk] {
            assert!(!allows(&[r], Permission::ReadSettings), "{r:?}");
        }
    }

    #[test]
    fn every_staff_role_reads_the_counters() {
        for r in Role::ALL {
            assert!(allows(&[r], Permission::ReadCounters), "{r:?}");
        }
        assert!(!allows(&[], Permission::ReadCounters));
    }

    #[test]
    fn roles_parse_from_their_api_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("boss"), None);
    }

    #[test]
    fn the_last_enabled_admin_keeps_the_admin_role() {
        let admin: &[Role] = &[Role::Admin, Role::Supervisor];
        let supervisor: &[Role] = &[Role::Supervisor];
        assert_eq!(keeps_an_admin([(admin, false)], [(supervisor, false)]), Err(Refused::LastAdmin));
        assert_eq!(keeps_an_admin([(admin, false)], [(admin, true)]), Err(Refused::LastAdmin), "nor is disabled");
        assert_eq!(keeps_an_admin([(admin, false), (admin, false)], [(supervisor, false), (admin, false)]), Ok(()));
        assert_eq!(
            keeps_an_admin([(admin, false), (admin, true)], [(supervisor, false), (admin, true)]),
            Err(Refused::LastAdmin),
            "a disabled admin does not count"
        );
        assert_eq!(keeps_an_admin([(supervisor, false)], [(supervisor, false)]), Ok(()), "no admin to lose");
    }

    #[test]
    fn a_full_name_is_one_line_and_roles_are_at_least_one() {
        assert_eq!(parse_full_name("  Rina Wati ").as_deref(), Ok("Rina Wati"));
        assert_eq!(check_password("12345678"), Err("too_short"), "eight characters are no more enough");
        assert_eq!(check_password("sebelas-abc"), Err("too_short"), "eleven characters");
        assert_eq!(check_password("123456789012"), Err("common"));
        assert_eq!(check_password("PasswordPassword"), Err("common"), "in any case");
        assert_eq!(check_password("rahasia-loket-2026"), Ok(()));
        assert_eq!(check_password("kata sandi panjang"), Ok(()), "spaces are characters too");
        assert_eq!(parse_full_name(" ").unwrap_err().0.get("full_name").map(String::as_str), Some("missing"));
        assert_eq!(parse_full_name("Rina\nWati").unwrap_err().0.get("full_name").map(String::as_str), Some("invalid"));
        assert!(parse_full_name(&"x".repeat(101)).is_err());
        assert_eq!(
            parse_roles(&[Role::Helpdesk, Role::FrontOffice, Role::Helpdesk]),
            Ok(vec![Role::FrontOffice, Role::Helpdesk])
        );
        assert!(parse_roles(&[]).is_err());
    }
}
