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

/// The default archive number pattern: `{yyyy}`, `{mm}`, `{dd}` and `{seq}` (five digits,
/// counted per office and year) are filled in.
pub const DEFAULT_PATTERN: &str = "ARS/{yyyy}/{mm}/{seq}";

pub fn archive_number(pattern: &str, day: NaiveDate, seq: i64) -> String {
    pattern
        .replace("{yyyy}", &format!("{:04}", day.year()))
        .replace("{mm}", &format!("{:02}", day.month()))
        .replace("{dd}", &format!("{:02}", day.day()))
        .replace("{seq}", &format!("{seq:05}"))
}

/// A pattern must count: without `{seq}` two archives would share a number.
pub fn valid_pattern(pattern: &str) -> bool {
    pattern.contains("{seq}") && pattern.chars().count() <= 100 && !pattern.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_numbers_follow_the_pattern() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(archive_number(DEFAULT_PATTERN, day, 7), "ARS/2026/11/00007");
        assert_eq!(archive_number("LPSE-{yyyy}{mm}{dd}-{seq}", day, 123), "LPSE-20261128-00123");
    }

    #[test]
    fn a_pattern_without_a_sequence_is_refused() {
        assert!(!valid_pattern("ARS/{yyyy}"));
        assert!(valid_pattern(DEFAULT_PATTERN));
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

/// The archived record as canonical JSON: the visit as archived, with its stamp. Used until a
/// richer document (the printed form) is plugged in; the hash is of these exact bytes.
pub fn json_document(visit: &crate::visit::Visit, stamp: &ArchiveStamp) -> Result<Vec<u8>, String> {
    let doc = serde_json::json!({"archive": stamp, "visit": visit});
    serde_json::to_vec_pretty(&doc).map_err(|e| format!("the archived document cannot be made: {e}"))
}
