//! Dates and times as the staff read them, for the pages that still call them by these names:
//! each forwards to [`loket_domain::format`], where the formats live (`Sabtu, 28 November 2026,
//! 11.31`; in English `Saturday, 28 November 2026, 11:31`).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use loket_domain::format;

use super::i18n::Tr;

/// A day with its weekday: `Sabtu, 28 November 2026`.
pub fn date(t: Tr, day: NaiveDate) -> String {
    format::long_date(t.lang, day)
}

/// The office days from `from` to `to`: one day, or both ends (`Senin, 2 November 2026 – Sabtu,
/// 28 November 2026`).
pub fn period(t: Tr, from: NaiveDate, to: NaiveDate) -> String {
    format::period(t.lang, from, to)
}

/// A time of day in the office's zone: `11.31`.
pub fn time(t: Tr, at: DateTime<Utc>, zone: Tz) -> String {
    format::time(t.lang, at, zone)
}

/// A moment in the office's zone: `Sabtu, 28 November 2026, 11.31`.
pub fn date_time(t: Tr, at: DateTime<Utc>, zone: Tz) -> String {
    format::long_date_time(t.lang, at, zone)
}
