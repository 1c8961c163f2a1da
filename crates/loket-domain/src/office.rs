//! The office (kantor LPSE): its services, counters, time zone and numbering. Everything a visit
//! is counted against belongs to one office.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::text::has_bidi_control;

/// A service (layanan) with its own line and its own numbers (`A-001`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// One to three capital letters; also the prefix of its numbers.
    pub code: String,
    pub name: String,
}

/// A helpdesk counter (loket) and the services it calls from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Counter {
    pub code: String,
    pub name: String,
    pub services: Vec<String>,
}

/// The services a fresh office has.
pub fn default_services() -> Vec<Service> {
    vec![Service { code: "A".into(), name: "Konsultasi".into() }]
}

/// The counters a fresh office has: `1` to `3`, each calling service `A`.
pub fn default_counters() -> Vec<Counter> {
    (1..=3).map(|n| Counter { code: n.to_string(), name: format!("Loket {n}"), services: vec!["A".into()] }).collect()
}

pub fn validate_services(services: &[Service]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if services.is_empty() {
        errors.add("services", "missing");
    }
    for (i, s) in services.iter().enumerate() {
        if s.code.is_empty() || s.code.len() > 3 || !s.code.chars().all(|c| c.is_ascii_uppercase()) {
            errors.add(&format!("[{i}].code"), "invalid");
        }
        if services[..i].iter().any(|o| o.code == s.code) {
            errors.add(&format!("[{i}].code"), "duplicate");
        }
        if s.name.trim().is_empty() || s.name.chars().count() > 80 || has_bidi_control(&s.name) {
            errors.add(&format!("[{i}].name"), "invalid");
        }
    }
    errors.into_result(())
}

/// Counters must have unique codes and call only from services the office has.
pub fn validate_counters(counters: &[Counter], services: &[Service]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if counters.is_empty() {
        errors.add("counters", "missing");
    }
    for (i, c) in counters.iter().enumerate() {
        let code_ok = !c.code.is_empty()
            && c.code.len() <= 10
            && c.code.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
        if !code_ok {
            errors.add(&format!("[{i}].code"), "invalid");
        }
        if counters[..i].iter().any(|o| o.code == c.code) {
            errors.add(&format!("[{i}].code"), "duplicate");
        }
        if c.name.trim().is_empty() || c.name.chars().count() > 80 || has_bidi_control(&c.name) {
            errors.add(&format!("[{i}].name"), "invalid");
        }
        if c.services.is_empty() {
            errors.add(&format!("[{i}].services"), "missing");
        }
        if c.services.iter().any(|s| !services.iter().any(|o| &o.code == s)) {
            errors.add(&format!("[{i}].services"), "unknown");
        }
    }
    errors.into_result(())
}

/// The office day a moment falls on: numbers reset at the office's local midnight.
pub fn office_day(now: DateTime<Utc>, zone: Tz) -> NaiveDate {
    now.with_timezone(&zone).date_naive()
}

/// The first office day still open at `now`: today, or tomorrow once today's closing time (if
/// the office set one) has passed. A visit whose number belongs to an earlier day is no longer in
/// line: its office day is over.
pub fn first_open_day(now: DateTime<Utc>, zone: Tz, closing: Option<NaiveTime>) -> NaiveDate {
    let local = now.with_timezone(&zone);
    let today = local.date_naive();
    match closing {
        Some(closing) if local.time() >= closing => today.succ_opt().unwrap_or(today),
        _ => today,
    }
}

/// When the office day open at `now` ends: its closing time, or the midnight after it. A
/// visitor's status link is valid until then.
pub fn office_day_end(now: DateTime<Utc>, zone: Tz, closing: Option<NaiveTime>) -> DateTime<Utc> {
    let day = first_open_day(now, zone, closing);
    match closing {
        Some(closing) => at_local(day, closing, zone),
        None => day_start(day.succ_opt().unwrap_or(day), zone),
    }
}

/// When an office day begins, in UTC: its local midnight.
pub fn day_start(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    at_local(day, NaiveTime::MIN, zone)
}

/// A local time of an office day, in UTC. Indonesia keeps no daylight saving time: every local
/// time exists once.
fn at_local(day: NaiveDate, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    let local = day.and_time(time);
    zone.from_local_datetime(&local).earliest().map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// A queue number as shown and announced: service prefix, dash, at least three digits.
pub fn queue_number(service: &str, n: i64) -> String {
    format!("{service}-{n:03}")
}

/// The service of a queue number: what comes before its last `-` (`A` of `A-007`).
pub fn service_of(number: &str) -> &str {
    number.rsplit_once('-').map_or(number, |(service, _)| service)
}

/// The time zones of Indonesia's offices.
pub const ZONES: [&str; 3] = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"];

pub fn parse_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn numbers_reset_at_the_offices_local_midnight() {
        let jakarta: Tz = "Asia/Jakarta".parse().unwrap();
        // 16:59 UTC is 23:59 in Jakarta; 17:00 UTC is the next day there.
        let before = Utc.with_ymd_and_hms(2026, 11, 27, 16, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap();
        assert_eq!(office_day(before, jakarta).to_string(), "2026-11-27");
        assert_eq!(office_day(after, jakarta).to_string(), "2026-11-28");
        let jayapura: Tz = "Asia/Jayapura".parse().unwrap();
        assert_eq!(
            office_day(Utc.with_ymd_and_hms(2026, 11, 27, 15, 0, 0).unwrap(), jayapura).to_string(),
            "2026-11-28"
        );
    }

    #[test]
    fn an_office_day_ends_at_closing_time_or_else_at_midnight() {
        let jakarta: Tz = "Asia/Jakarta".parse().unwrap();
        let closing = NaiveTime::from_hms_opt(16, 0, 0);
        // 08:59 UTC is 15:59 in Jakarta; 09:00 UTC is 16:00.
        let before = Utc.with_ymd_and_hms(2026, 11, 27, 8, 59, 0).unwrap();
        let at_closing = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
        assert_eq!(first_open_day(before, jakarta, closing).to_string(), "2026-11-27");
        assert_eq!(first_open_day(at_closing, jakarta, closing).to_string(), "2026-11-28");
        assert_eq!(first_open_day(at_closing, jakarta, None).to_string(), "2026-11-27");
    }

    #[test]
    fn an_office_day_ends_at_closing_time_or_midnight() {
        use chrono::TimeZone;
        let zone = chrono_tz::Asia::Jakarta;
        // 09:00 in Jakarta.
        let morning = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
        assert_eq!(office_day_end(morning, zone, None), Utc.with_ymd_and_hms(2026, 11, 28, 17, 0, 0).unwrap());
        let four = NaiveTime::from_hms_opt(16, 0, 0);
        assert_eq!(office_day_end(morning, zone, four), Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap());
        // After closing, the next office day's end.
        let evening = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        assert_eq!(office_day_end(evening, zone, four), Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap());
    }

    #[test]
    fn queue_numbers_have_at_least_three_digits() {
        assert_eq!(queue_number("A", 1), "A-001");
        assert_eq!(queue_number("B", 42), "B-042");
        assert_eq!(queue_number("A", 1234), "A-1234");
        assert_eq!(service_of(&queue_number("ABC", 7)), "ABC");
    }

    #[test]
    fn a_fresh_office_has_service_a_and_counters_one_to_three() {
        let services = default_services();
        let counters = default_counters();
        assert_eq!(services[0].code, "A");
        assert_eq!(counters.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
        assert!(validate_counters(&counters, &services).is_ok());
    }

    #[test]
    fn counters_may_only_call_services_the_office_has() {
        let counters = vec![Counter { code: "1".into(), name: "Loket 1".into(), services: vec!["Z".into()] }];
        let err = validate_counters(&counters, &default_services()).unwrap_err();
        assert_eq!(err.0.get("[0].services").map(String::as_str), Some("unknown"));
    }
}
