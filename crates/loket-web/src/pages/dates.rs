//! Dates and times as the staff read them: in the office's time zone, in the words and the order
//! of the page's language, from the catalogue (`Sabtu, 28 November 2026, 11.31`; in English
//! `Saturday, 28 November 2026, 11:31`). Every staff page formats through these functions.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use super::i18n::Tr;

/// A day: `Sabtu, 28 November 2026`.
pub fn date(t: Tr, day: NaiveDate) -> String {
    t.args(
        "date-format",
        &[
            ("weekday", t.get(&format!("weekday-{}", day.weekday().number_from_monday()))),
            ("day", day.day().to_string()),
            ("month", t.get(&format!("month-{}", day.month()))),
            ("year", day.year().to_string()),
        ],
    )
}

/// The office days from `from` to `to`: one day, or both ends (`Senin, 2 November 2026 – Sabtu,
/// 28 November 2026`).
pub fn period(t: Tr, from: NaiveDate, to: NaiveDate) -> String {
    if from == to { date(t, from) } else { format!("{} – {}", date(t, from), date(t, to)) }
}

/// A time of day in the office's zone: `11.31` (Indonesian writes hours and minutes with a dot).
pub fn time(t: Tr, at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    t.args("time-format", &[("hour", format!("{:02}", local.hour())), ("minute", format!("{:02}", local.minute()))])
}

/// A moment in the office's zone: `Sabtu, 28 November 2026, 11.31`.
pub fn date_time(t: Tr, at: DateTime<Utc>, zone: Tz) -> String {
    let day = at.with_timezone(&zone).date_naive();
    t.args("date-time-format", &[("date", date(t, day)), ("time", time(t, at, zone))])
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::pages::i18n::Lang;

    /// 2026-11-28 04:31 UTC: Saturday 11.31 in Jakarta, 12.31 in Makassar, 13.31 in Jayapura.
    fn moment() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 4, 31, 0).unwrap()
    }

    #[test]
    fn a_moment_reads_in_indonesian_in_the_offices_zone() {
        let id = Tr::new(Lang::Id);
        assert_eq!(date_time(id, moment(), chrono_tz::Asia::Jakarta), "Sabtu, 28 November 2026, 11.31");
        assert_eq!(date_time(id, moment(), chrono_tz::Asia::Jayapura), "Sabtu, 28 November 2026, 13.31");
        assert_eq!(time(id, moment(), chrono_tz::Asia::Makassar), "12.31");
    }

    #[test]
    fn english_has_its_own_words_and_a_colon() {
        let en = Tr::new(Lang::En);
        assert_eq!(date_time(en, moment(), chrono_tz::Asia::Jakarta), "Saturday, 28 November 2026, 11:31");
    }

    #[test]
    fn a_day_after_midnight_in_the_office_is_the_next_day() {
        let late = Utc.with_ymd_and_hms(2026, 11, 28, 17, 5, 0).unwrap();
        let id = Tr::new(Lang::Id);
        assert_eq!(date_time(id, late, chrono_tz::Asia::Jakarta), "Minggu, 29 November 2026, 00.05");
    }

    #[test]
    fn every_weekday_and_month_has_a_name_in_both_languages() {
        for lang in [Lang::Id, Lang::En] {
            let t = Tr::new(lang);
            for d in 1..=7 {
                assert!(t.has(&format!("weekday-{d}")), "{lang:?} weekday-{d}");
            }
            for m in 1..=12 {
                assert!(t.has(&format!("month-{m}")), "{lang:?} month-{m}");
            }
        }
        let id = Tr::new(Lang::Id);
        let jan = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(date(id, jan), "Senin, 4 Januari 2027");
        let aug = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap();
        assert_eq!(date(id, aug), "Senin, 17 Agustus 2026");
    }
}
