//! Numbers and dates as people read them, in the language they read: Indonesian by default
//! (`1.234`, `83,33`, `100,00%`, `7 Desember 2026 09.55`) and English on request (`1,234`,
//! `83.33`, `100.00%`, `7 December 2026 09:55`). Every page, report, CSV for people and PDF
//! formats through these functions; what machines read (the JSON API) keeps ISO dates, dot
//! decimals and codes, and never comes here.
//!
//! The names of months and weekdays live here rather than in the message catalogue: the PDFs are
//! drawn below the catalogue (in `loket-documents`) and must write them too, and a name is
//! written once.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// A language people read Loket in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// The `lang` attribute and the cookie value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The separator of thousands and the decimal mark.
    fn marks(self) -> (char, char) {
        match self {
            Lang::Id => ('.', ','),
            Lang::En => (',', '.'),
        }
    }
}

/// Shown for a figure that is not there (no visit measured) or not a number.
pub const NONE: &str = "—";

/// Digits grouped by thousands: `1234567` → `1.234.567`.
fn grouped(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A whole number with its thousands grouped: `1.234` (Indonesian), `1,234` (English).
pub fn integer(lang: Lang, n: i64) -> String {
    let digits = grouped(&n.unsigned_abs().to_string(), lang.marks().0);
    if n < 0 { format!("-{digits}") } else { digits }
}

/// A count (never negative), grouped as [`integer`].
pub fn count(lang: Lang, n: u64) -> String {
    grouped(&n.to_string(), lang.marks().0)
}

/// A number with `places` decimals, thousands grouped: `83,33`, `1.234,50` (Indonesian);
/// `83.33`, `1,234.50` (English). Rounded to the nearest (an exact tie to the even digit, as
/// Rust formats); a value that rounds to zero has no minus sign. Not a number: `—`.
pub fn decimal(lang: Lang, v: f64, places: usize) -> String {
    if !v.is_finite() {
        return NONE.to_owned();
    }
    let (thousands, mark) = lang.marks();
    let plain = format!("{:.*}", places, v.abs());
    let (whole, fraction) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let mut out = grouped(whole, thousands);
    if !fraction.is_empty() {
        out.push(mark);
        out.push_str(fraction);
    }
    let zero = plain.chars().all(|c| c == '0' || c == '.');
    if v < 0.0 && !zero { format!("-{out}") } else { out }
}

/// A share in percent with `places` decimals: `83,33%`, `100%` (no decimals).
pub fn percent(lang: Lang, v: f64, places: usize) -> String {
    match decimal(lang, v, places) {
        s if s == NONE => s,
        s => format!("{s}%"),
    }
}

/// An optional number as [`decimal`], `—` when there is none.
pub fn maybe_decimal(lang: Lang, v: Option<f64>, places: usize) -> String {
    v.map_or_else(|| NONE.to_owned(), |v| decimal(lang, v, places))
}

/// The number a cell written by [`decimal`], [`integer`] or [`count`] shows, read back (for a
/// spreadsheet that keeps numbers as numbers): only a number written exactly so, thousands
/// grouped by threes or not at all. `09.55` (a time) or `7 Desember 2026` are not numbers.
pub fn parse_decimal(lang: Lang, s: &str) -> Option<f64> {
    let (thousands, mark) = lang.marks();
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match unsigned.split_once(mark) {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    if fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    let groups: Vec<&str> = whole.split(thousands).collect();
    let whole_ok = match groups.as_slice() {
        [one] => digits(one),
        [first, rest @ ..] => digits(first) && first.len() <= 3 && rest.iter().all(|g| g.len() == 3 && digits(g)),
        [] => false,
    };
    if !whole_ok {
        return None;
    }
    let plain = format!("{}{}.{}", if s.starts_with('-') { "-" } else { "" }, groups.concat(), fraction.unwrap_or("0"));
    plain.parse().ok()
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS_ID: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
const WEEKDAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The name of a month, 1 to 12 (`Desember`).
pub fn month_name(lang: Lang, month: u32) -> &'static str {
    let names = match lang {
        Lang::Id => &MONTHS_ID,
        Lang::En => &MONTHS_EN,
    };
    names[(month.clamp(1, 12) - 1) as usize]
}

/// The name of a weekday (`Senin`).
pub fn weekday_name(lang: Lang, day: Weekday) -> &'static str {
    let names = match lang {
        Lang::Id => &WEEKDAYS_ID,
        Lang::En => &WEEKDAYS_EN,
    };
    names[day.num_days_from_monday() as usize]
}

/// A day: `7 Desember 2026`.
pub fn date(lang: Lang, day: NaiveDate) -> String {
    format!("{} {} {}", day.day(), month_name(lang, day.month()), day.year())
}

/// A day with its weekday: `Senin, 7 Desember 2026`.
pub fn long_date(lang: Lang, day: NaiveDate) -> String {
    format!("{}, {}", weekday_name(lang, day.weekday()), date(lang, day))
}

/// A period of office days: one day with its weekday, or `from – to`.
pub fn period(lang: Lang, from: NaiveDate, to: NaiveDate) -> String {
    if from == to { long_date(lang, from) } else { format!("{} – {}", long_date(lang, from), long_date(lang, to)) }
}

/// A month: `Desember 2026`.
pub fn month(lang: Lang, day: NaiveDate) -> String {
    format!("{} {}", month_name(lang, day.month()), day.year())
}

/// A time of day: `09.55` (Indonesian writes hours and minutes with a dot), `09:55`.
pub fn clock(lang: Lang, t: NaiveTime) -> String {
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ':',
    };
    format!("{:02}{sep}{:02}", t.hour(), t.minute())
}

/// A moment's time of day in the office's zone: `09.55`.
pub fn time(lang: Lang, at: DateTime<Utc>, zone: Tz) -> String {
    clock(lang, at.with_timezone(&zone).time())
}

/// A moment in the office's zone: `7 Desember 2026 09.55`.
pub fn date_time(lang: Lang, at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    format!("{} {}", date(lang, local.date_naive()), clock(lang, local.time()))
}

/// A moment in the office's zone with its weekday: `Senin, 7 Desember 2026, 09.55`.
pub fn long_date_time(lang: Lang, at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    format!("{}, {}", long_date(lang, local.date_naive()), clock(lang, local.time()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn decimals_take_the_languages_marks() {
        assert_eq!(decimal(Lang::Id, 83.333_333, 2), "83,33");
        assert_eq!(decimal(Lang::En, 83.333_333, 2), "83.33");
        assert_eq!(percent(Lang::Id, 100.0, 2), "100,00%");
        assert_eq!(percent(Lang::Id, 100.0, 0), "100%");
        assert_eq!(percent(Lang::En, 66.666, 1), "66.7%");
        assert_eq!(decimal(Lang::Id, 1234.5, 2), "1.234,50");
        assert_eq!(decimal(Lang::En, 1_234_567.891, 2), "1,234,567.89");
        assert_eq!(decimal(Lang::Id, 12.0, 0), "12");
    }

    #[test]
    fn whole_numbers_are_grouped_by_thousands() {
        assert_eq!(integer(Lang::Id, 1234), "1.234");
        assert_eq!(integer(Lang::En, 1234), "1,234");
        assert_eq!(integer(Lang::Id, 999), "999");
        assert_eq!(integer(Lang::Id, 1_000_000), "1.000.000");
        assert_eq!(integer(Lang::Id, -1234), "-1.234");
        assert_eq!(integer(Lang::Id, 0), "0");
        assert_eq!(integer(Lang::Id, i64::MIN), "-9.223.372.036.854.775.808");
        assert_eq!(count(Lang::En, 100_000), "100,000");
    }

    #[test]
    fn zero_and_negatives() {
        assert_eq!(decimal(Lang::Id, 0.0, 2), "0,00");
        assert_eq!(decimal(Lang::Id, -0.0, 2), "0,00");
        assert_eq!(decimal(Lang::Id, -0.001, 2), "0,00", "rounds to zero: no minus sign");
        assert_eq!(decimal(Lang::Id, -12.5, 1), "-12,5");
        assert_eq!(decimal(Lang::En, -1234.567, 2), "-1,234.57");
        assert_eq!(percent(Lang::Id, -5.0, 0), "-5%");
    }

    #[test]
    fn rounding() {
        assert_eq!(decimal(Lang::Id, 2.0 / 3.0, 2), "0,67");
        assert_eq!(decimal(Lang::Id, 99.996, 2), "100,00");
        assert_eq!(decimal(Lang::Id, 999.9996, 3), "1.000,000");
        assert_eq!(decimal(Lang::En, 0.125, 2), "0.12", "an exact tie goes to the even digit");
        assert_eq!(decimal(Lang::En, 0.375, 2), "0.38");
        assert_eq!(decimal(Lang::Id, 1.25, 0), "1");
    }

    #[test]
    fn what_is_not_a_number_is_a_dash() {
        assert_eq!(decimal(Lang::Id, f64::NAN, 2), NONE);
        assert_eq!(percent(Lang::Id, f64::INFINITY, 2), NONE);
        assert_eq!(maybe_decimal(Lang::En, None, 2), NONE);
        assert_eq!(maybe_decimal(Lang::En, Some(1.5), 2), "1.50");
    }

    #[test]
    fn a_cell_reads_back_as_its_number_and_nothing_else_does() {
        for lang in [Lang::Id, Lang::En] {
            for v in [0.0, 83.33, -1234.5, 1_234_567.0, 0.07] {
                let written = decimal(lang, v, 2);
                assert_eq!(parse_decimal(lang, &written), Some(v), "{lang:?} {written}");
            }
            assert_eq!(parse_decimal(lang, &integer(lang, 1_234_567)), Some(1_234_567.0));
        }
        assert_eq!(parse_decimal(Lang::Id, "1.234"), Some(1234.0));
        assert_eq!(parse_decimal(Lang::En, "1.234"), Some(1.234));
        for text in ["09.55", "7 Desember 2026", "A-001", "", "-", "83,33%", "1.23.4", "12,", ",5", "—", "2026-12-07"]
        {
            assert_eq!(parse_decimal(Lang::Id, text), None, "{text}");
        }
        assert_eq!(parse_decimal(Lang::En, "09:55"), None);
    }

    #[test]
    fn days_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(date(Lang::Id, d), "7 Desember 2026");
        assert_eq!(date(Lang::En, d), "7 December 2026");
        assert_eq!(long_date(Lang::Id, d), "Senin, 7 Desember 2026");
        assert_eq!(long_date(Lang::En, d), "Monday, 7 December 2026");
        assert_eq!(month(Lang::Id, d), "Desember 2026");
        let aug = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap();
        assert_eq!(long_date(Lang::Id, aug), "Senin, 17 Agustus 2026");
        assert_eq!(period(Lang::Id, d, d), "Senin, 7 Desember 2026");
        let next = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(period(Lang::Id, d, next), "Senin, 7 Desember 2026 – Senin, 4 Januari 2027");
    }

    #[test]
    fn every_month_and_weekday_has_a_name() {
        for lang in [Lang::Id, Lang::En] {
            for m in 1..=12 {
                assert!(!month_name(lang, m).is_empty());
            }
        }
        assert_eq!(month_name(Lang::Id, 1), "Januari");
        assert_eq!(weekday_name(Lang::Id, Weekday::Fri), "Jumat");
        assert_eq!(weekday_name(Lang::En, Weekday::Sun), "Sunday");
    }

    /// 2026-12-07 02:55 UTC: 09.55 in Jakarta (WIB), 10.55 in Makassar (WITA), 11.55 in Jayapura
    /// (WIT).
    #[test]
    fn a_moment_reads_in_the_offices_zone() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 2, 55, 0).unwrap();
        assert_eq!(date_time(Lang::Id, at, chrono_tz::Asia::Jakarta), "7 Desember 2026 09.55");
        assert_eq!(date_time(Lang::En, at, chrono_tz::Asia::Jakarta), "7 December 2026 09:55");
        assert_eq!(date_time(Lang::Id, at, chrono_tz::Asia::Makassar), "7 Desember 2026 10.55");
        assert_eq!(date_time(Lang::Id, at, chrono_tz::Asia::Jayapura), "7 Desember 2026 11.55");
        assert_eq!(time(Lang::Id, at, chrono_tz::Asia::Makassar), "10.55");
        assert_eq!(time(Lang::En, at, chrono_tz::Asia::Jayapura), "11:55");
        assert_eq!(long_date_time(Lang::Id, at, chrono_tz::Asia::Jakarta), "Senin, 7 Desember 2026, 09.55");
        assert_eq!(long_date_time(Lang::En, at, chrono_tz::Asia::Jakarta), "Monday, 7 December 2026, 09:55");
    }

    #[test]
    fn new_year_comes_first_in_the_east() {
        // 31 December 2026 15:30 UTC: still the old year in Jakarta, the new one in Jayapura.
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 15, 30, 0).unwrap();
        assert_eq!(date_time(Lang::Id, at, chrono_tz::Asia::Jakarta), "31 Desember 2026 22.30");
        assert_eq!(date_time(Lang::Id, at, chrono_tz::Asia::Makassar), "31 Desember 2026 23.30");
        assert_eq!(date_time(Lang::Id, at, chrono_tz::Asia::Jayapura), "1 Januari 2027 00.30");
        assert_eq!(long_date_time(Lang::En, at, chrono_tz::Asia::Jayapura), "Friday, 1 January 2027, 00:30");
        // And a moment after midnight in Jakarta is the next office day.
        let late = Utc.with_ymd_and_hms(2026, 11, 28, 17, 5, 0).unwrap();
        assert_eq!(long_date_time(Lang::Id, late, chrono_tz::Asia::Jakarta), "Minggu, 29 November 2026, 00.05");
    }
}
