//! SOP step 12: a copy of the form for the user, the original archived. An archived record is
//! immutable: a correction is a new version, the earlier one kept.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Archive {
    pub number: String,
    #[serde(with = "crate::timestamp")]
    pub archived_at: DateTime<Utc>,
    /// SHA-256 of the archived document, byte for byte, hex.
    pub sha256: String,
    /// 1 for the first archived version; a later correction (LKPP's answer) adds a version.
    pub version: u32,
}

/// How the visitor got their copy of the form (step 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CopyVia {
    /// Printed and handed over at the counter.
    Printed,
    /// Sent to the visitor's e-mail address, the PDF attached.
    Email,
    /// The visitor did not want a copy.
    Declined,
}

impl CopyVia {
    pub fn as_str(self) -> &'static str {
        match self {
            CopyVia::Printed => "printed",
            CopyVia::Email => "email",
            CopyVia::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<CopyVia> {
        [CopyVia::Printed, CopyVia::Email, CopyVia::Declined].into_iter().find(|v| v.as_str() == s)
    }
}

/// The visitor's copy of the form, as last recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CopyGiven {
    pub via: CopyVia,
    pub at: DateTime<Utc>,
    pub by: String,
    /// An e-mailed copy the mail server has not taken yet: not given until it has (the archive
    /// waits for it).
    #[serde(default)]
    pub pending: bool,
    /// The document given (printed or e-mailed): an archived version of the form, fixed when the
    /// copy was given, byte for byte what the visitor holds (its SHA-256 is on the copy's event).
    /// `None` when the visitor declined, or for a copy recorded before documents were fixed at
    /// the copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Archive>,
}

/// The default archive number pattern: `LPSE/2026/11/0007`.
pub const DEFAULT_PATTERN: &str = "{office}/{yyyy}/{mm}/{seq:04}";

/// The longest pattern accepted, and the widest sequence.
const PATTERN_MAX: usize = 100;
const SEQ_WIDTH_MAX: usize = 9;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Office,
    Year,
    Month,
    Day,
    Seq { width: usize },
}

/// An archive number pattern, parsed: `{office}` (the office name, see [`office_token`]),
/// `{yyyy}`, `{mm}`, `{dd}` (the office day of the archive), and exactly one `{seq}` or
/// `{seq:N}` (the count, zero-padded to N digits; five without N). The count starts again with
/// each period the pattern names: per day with `{dd}`, per month with `{mm}`, per year with
/// `{yyyy}`, never without a date. So two archives never share a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivePattern {
    parts: Vec<Part>,
}

impl ArchivePattern {
    pub fn parse(pattern: &str) -> Option<ArchivePattern> {
        if pattern.chars().count() > PATTERN_MAX || pattern.chars().any(char::is_control) {
            return None;
        }
        let mut parts = Vec::new();
        let mut rest = pattern;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return None;
            }
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..].find('}')? + open;
            let part = match &rest[open + 1..close] {
                "office" => Part::Office,
                "yyyy" => Part::Year,
                "mm" => Part::Month,
                "dd" => Part::Day,
                "seq" => Part::Seq { width: 5 },
                other => {
                    let width = other.strip_prefix("seq:")?;
                    if width.is_empty() || width.len() > 2 || !width.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    let width: usize = width.parse().ok()?;
                    if !(1..=SEQ_WIDTH_MAX).contains(&width) {
                        return None;
                    }
                    Part::Seq { width }
                }
            };
            parts.push(part);
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        let seqs = parts.iter().filter(|p| matches!(p, Part::Seq { .. })).count();
        (seqs == 1).then_some(ArchivePattern { parts })
    }

    /// The period the count runs in, for an archive on `day`: the name of its sequence.
    pub fn period(&self, day: NaiveDate) -> String {
        let has = |p: &Part| self.parts.contains(p);
        if has(&Part::Day) {
            day.format("%Y-%m-%d").to_string()
        } else if has(&Part::Month) {
            day.format("%Y-%m").to_string()
        } else if has(&Part::Year) {
            day.format("%Y").to_string()
        } else {
            "all".to_owned()
        }
    }

    /// The `seq`th number of the period of `day`.
    pub fn number(&self, office_name: &str, day: NaiveDate, seq: i64) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.clone(),
                Part::Office => office_token(office_name),
                Part::Year => format!("{:04}", day.year()),
                Part::Month => format!("{:02}", day.month()),
                Part::Day => format!("{:02}", day.day()),
                Part::Seq { width } => format!("{seq:0width$}"),
            })
            .collect()
    }
}

impl Default for ArchivePattern {
    fn default() -> Self {
        ArchivePattern::parse(DEFAULT_PATTERN).unwrap_or(ArchivePattern { parts: vec![Part::Seq { width: 5 }] })
    }
}

/// The office name as it stands in an archive number: letters and digits kept, every run of
/// anything else one dash (`LPSE Kota Bandung` → `LPSE-Kota-Bandung`).
pub fn office_token(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let token = out.trim_end_matches('-');
    if token.is_empty() { "LPSE".to_owned() } else { token.to_owned() }
}

/// A pattern must count: without exactly one `{seq}` two archives would share a number.
pub fn valid_pattern(pattern: &str) -> bool {
    ArchivePattern::parse(pattern).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn archive_numbers_follow_the_pattern() {
        let p = ArchivePattern::default();
        assert_eq!(p.number("LPSE", day(), 7), "LPSE/2026/11/0007");
        assert_eq!(p.number("LPSE Kota Bandung", day(), 12345), "LPSE-Kota-Bandung/2026/11/12345");
        let p = ArchivePattern::parse("ARS-{yyyy}{mm}{dd}-{seq}").unwrap();
        assert_eq!(p.number("LPSE", day(), 123), "ARS-20261128-00123");
    }

    #[test]
    fn the_count_starts_again_with_the_period_the_pattern_names() {
        assert_eq!(ArchivePattern::default().period(day()), "2026-11");
        assert_eq!(ArchivePattern::parse("{dd}-{seq}").unwrap().period(day()), "2026-11-28");
        assert_eq!(ArchivePattern::parse("{yyyy}-{seq}").unwrap().period(day()), "2026");
        assert_eq!(ArchivePattern::parse("ARS-{seq:6}").unwrap().period(day()), "all");
    }

    #[test]
    fn a_pattern_without_exactly_one_sequence_or_with_an_unknown_field_is_refused() {
        for bad in [
            "ARS/{yyyy}",
            "{seq}-{seq}",
            "{seq:0}",
            "{seq:10}",
            "{seq:004}",
            "{seq:x}",
            "{year}/{seq}",
            "{seq",
            "seq}",
            "{}{seq}",
            "a\n{seq}",
        ] {
            assert!(!valid_pattern(bad), "{bad}");
        }
        assert!(valid_pattern(DEFAULT_PATTERN));
        assert!(valid_pattern("ARS/{yyyy}/{mm}/{seq}"), "the earlier default is still valid");
        assert!(!valid_pattern(&format!("{}{{seq}}", "x".repeat(100))));
    }

    #[test]
    fn an_office_name_becomes_a_token() {
        assert_eq!(office_token("LPSE"), "LPSE");
        assert_eq!(office_token("  LPSE Prov. Jawa Barat  "), "LPSE-Prov-Jawa-Barat");
        assert_eq!(office_token("—"), "LPSE");
    }

    #[test]
    fn copy_ways_read_as_written() {
        for via in [CopyVia::Printed, CopyVia::Email, CopyVia::Declined] {
            assert_eq!(CopyVia::parse(via.as_str()), Some(via));
        }
        assert_eq!(CopyVia::parse("fax"), None);
    }
}

/// What the archived document is stamped with before it is hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveStamp {
    pub number: String,
    #[serde(with = "crate::timestamp")]
    pub archived_at: DateTime<Utc>,
    pub version: u32,
}

/// The archived record as canonical JSON: the visit as archived, with its stamp. Used where no
/// printed form is plugged in (the store's tests); the hash is of these exact bytes.
pub fn json_document(visit: &crate::visit::Visit, stamp: &ArchiveStamp) -> Result<Vec<u8>, String> {
    let doc = serde_json::json!({"archive": stamp, "visit": visit});
    serde_json::to_vec_pretty(&doc).map_err(|e| format!("the archived document cannot be made: {e}"))
}
