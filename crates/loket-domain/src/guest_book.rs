//! SOP step 1: the guest book (buku tamu). Who the visitor is.

use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::text::{is_bidi_control, is_invisible, one_line};

/// The kind of SPSE user (Pengguna SPSE) a visitor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitorRole {
    Penyedia,
    PaKpa,
    Ppk,
    PokjaPemilihan,
    PejabatPengadaan,
    Pphp,
    Auditor,
    Public,
    Other,
}

/// A guest book entry as stored: every field already checked for its format.
/// Fields may be absent until the form check (step 4) asks for them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Visitor {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub role: Option<VisitorRole>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A guest book entry as a request gives it. Absent fields keep what was stored; an empty string
/// clears a field.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorInput {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub role: Option<VisitorRole>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub const NAME_MAX: usize = 100;
pub const ORGANIZATION_MAX: usize = 150;
pub const EMAIL_MAX: usize = 254;

impl Visitor {
    /// Applies what a request gave, checking each given field's format. On any error nothing is
    /// applied.
    pub fn apply(&self, input: &VisitorInput) -> Result<Visitor, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut next = self.clone();
        if let Some(v) = &input.name {
            next.name = one_line(v, NAME_MAX, "visitor.name", &mut errors);
        }
        if let Some(v) = &input.organization {
            next.organization = one_line(v, ORGANIZATION_MAX, "visitor.organization", &mut errors);
        }
        if let Some(v) = input.role {
            next.role = Some(v);
        }
        if let Some(v) = &input.phone {
            next.phone = match v.trim() {
                "" => None,
                s => match parse_phone(s) {
                    Some(p) => Some(p),
                    None => {
                        errors.add("visitor.phone", "invalid");
                        None
                    }
                },
            };
        }
        if let Some(v) = &input.email {
            next.email = match v.trim() {
                _ if v.chars().count() > EMAIL_MAX => {
                    errors.add("visitor.email", "too_long");
                    None
                }
                "" => None,
                s if is_email(s) => Some(s.to_owned()),
                _ => {
                    errors.add("visitor.email", "invalid");
                    None
                }
            };
        }
        errors.into_result(next)
    }
}

/// How the front office finds a returning visitor: by the phone number or the e-mail address they
/// give again. The same number written another way (`0812-3456-7890`, `+62 812 3456 7890`) is
/// the same contact; an address is the same in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    /// The national number's digits, without the leading `0` or `+62`.
    Phone(String),
    /// The address in lower case.
    Email(String),
}

impl Contact {
    /// A phone number or an e-mail address as typed; anything else is none.
    pub fn parse(typed: &str) -> Option<Contact> {
        let typed = typed.trim();
        if typed.contains('@') {
            return is_email(typed).then(|| Contact::Email(typed.to_lowercase()));
        }
        parse_phone(typed).map(|p| Contact::Phone(national(&p)))
    }

    /// What the stored guest book text holds wherever this contact was given: the digits of the
    /// national number, or the address (in lower case).
    pub fn needle(&self) -> &str {
        match self {
            Contact::Phone(digits) => digits,
            Contact::Email(address) => address,
        }
    }

    /// Whether a visitor gave this contact.
    pub fn matches(&self, visitor: &Visitor) -> bool {
        match self {
            Contact::Phone(digits) => visitor.phone.as_deref().is_some_and(|p| national(p) == *digits),
            Contact::Email(address) => visitor.email.as_deref().is_some_and(|e| e.to_lowercase() == *address),
        }
    }
}

/// A stored phone number without its trunk prefix: `081234567890` and `+6281234567890` are both
/// `81234567890`. A number of another country keeps its digits.
fn national(phone: &str) -> String {
    if let Some(rest) = phone.strip_prefix("+62") {
        return rest.to_owned();
    }
    let digits = phone.trim_start_matches('+');
    digits.strip_prefix('0').unwrap_or(digits).to_owned()
}

/// A free-text field that may run over several lines (see [`crate::text`]).
pub(crate) use crate::text::multi_line as text;

/// Indonesian phone numbers as people write them (`0812-3456-7890`, `+62 812 3456 7890`,
/// `(021) 555 1234`), stored as digits with an optional leading `+`.
pub fn parse_phone(s: &str) -> Option<String> {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        match c {
            '+' if i == 0 => out.push('+'),
            '0'..='9' => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let digits = out.trim_start_matches('+').len();
    (8..=15).contains(&digits).then_some(out)
}

/// A plain, strict-enough e-mail check: one `@`, a local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    !local.is_empty()
        && local.chars().count() <= 64
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c == '@' || c.is_control() || is_bidi_control(c) || is_invisible(c))
        && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returning_visitor_is_the_same_contact_however_it_is_written() {
        let visitor = Visitor {
            phone: parse_phone("+62 812 3456 7890"),
            email: Some("Budi@MajuJaya.co.id".into()),
            ..Visitor::default()
        };
        for typed in ["0812-3456-7890", "+62 812 3456 7890", "081234567890", " budi@majujaya.co.id "] {
            let contact = Contact::parse(typed).unwrap_or_else(|| panic!("{typed}"));
            assert!(contact.matches(&visitor), "{typed}");
        }
        assert_eq!(Contact::parse("0812-3456-7890").map(|c| c.needle().to_owned()).as_deref(), Some("81234567890"));
        assert!(!Contact::parse("0812-3456-7891").is_some_and(|c| c.matches(&visitor)));
        assert!(!Contact::parse("budi@majujaya.com").is_some_and(|c| c.matches(&visitor)));
        assert_eq!(Contact::parse("Budi"), None, "a name is no contact");
        assert_eq!(Contact::parse("budi@"), None);
        assert!(!Contact::parse("0812-3456-7890").is_some_and(|c| c.matches(&Visitor::default())));
    }

    #[test]
    fn phone_numbers_are_read_as_people_write_them() {
        assert_eq!(parse_phone("0812-3456-7890").as_deref(), Some("081234567890"));
        assert_eq!(parse_phone("+62 812 3456 7890").as_deref(), Some("+6281234567890"));
        assert_eq!(parse_phone("(021) 555 1234").as_deref(), Some("0215551234"));
        assert_eq!(parse_phone("12345"), None);
        assert_eq!(parse_phone("0812abc4567"), None);
        assert_eq!(parse_phone("08+12345678"), None);
    }

    #[test]
    fn email_addresses_need_a_local_part_and_a_dotted_domain() {
        assert!(is_email("budi@pu.go.id"));
        assert!(!is_email("budi"));
        assert!(!is_email("budi@localhost"));
        assert!(!is_email("bu di@pu.go.id"));
        assert!(!is_email("@pu.go.id"));
        assert!(!is_email("budi@pu..go.id"));
        assert!(!is_email("budi\u{202E}moc@pu.go.id"));
        assert!(!is_email("bu\u{200B}di@pu.go.id"));
    }

    #[test]
    fn a_bad_field_applies_nothing_and_names_the_field() {
        let v = Visitor { name: Some("Budi".into()), ..Default::default() };
        let input = VisitorInput { name: Some("Siti".into()), phone: Some("not a phone".into()), ..Default::default() };
        let err = v.apply(&input).unwrap_err();
        assert_eq!(err.0.get("visitor.phone").map(String::as_str), Some("invalid"));
    }

    #[test]
    fn absent_fields_keep_their_value_and_empty_ones_clear_it() {
        let v = Visitor { name: Some("Budi".into()), organization: Some("CV Maju".into()), ..Default::default() };
        let input = VisitorInput { organization: Some("  ".into()), ..Default::default() };
        let next = v.apply(&input).unwrap();
        assert_eq!(next.name.as_deref(), Some("Budi"));
        assert_eq!(next.organization, None);
    }

    #[test]
    fn a_name_of_invisible_characters_is_no_name_and_one_line_only() {
        let blank = VisitorInput { name: Some("\u{200B}\u{FEFF}".into()), ..Default::default() };
        assert_eq!(Visitor::default().apply(&blank).unwrap().name, None);
        let two_lines = VisitorInput { name: Some("Budi\nadmin".into()), ..Default::default() };
        let err = Visitor::default().apply(&two_lines).unwrap_err();
        assert_eq!(err.0.get("visitor.name").map(String::as_str), Some("invalid"));
        let reversed = VisitorInput { organization: Some("CV \u{202E}ayaJ ujaM".into()), ..Default::default() };
        let err = Visitor::default().apply(&reversed).unwrap_err();
        assert_eq!(err.0.get("visitor.organization").map(String::as_str), Some("invalid"));
    }

    #[test]
    fn overlong_names_are_refused() {
        let input = VisitorInput { name: Some("x".repeat(NAME_MAX + 1)), ..Default::default() };
        let err = Visitor::default().apply(&input).unwrap_err();
        assert_eq!(err.0.get("visitor.name").map(String::as_str), Some("too_long"));
    }
}
