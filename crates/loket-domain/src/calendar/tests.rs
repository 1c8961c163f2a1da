use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::{Jakarta, Jayapura, Makassar};
use proptest::prelude::*;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A local time in `tz` as UTC.
fn local_at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
}

fn iv(opens: (u32, u32), closes: (u32, u32)) -> OpenInterval {
    OpenInterval { opens: at(opens.0, opens.1), closes: at(closes.0, closes.1) }
}

/// Monday to Friday 08:00-12:00 and 13:00-16:00.
fn split_hours() -> OpeningHours {
    let day = vec![iv((8, 0), (12, 0)), iv((13, 0), (16, 0))];
    let mut h = OpeningHours::default();
    for (weekday, _) in WEEKDAYS.iter().take(5) {
        *h.of_mut(*weekday) = day.clone();
    }
    h
}

fn independence_day() -> DaysOff {
    DaysOff::new([DayOff {
        date: date(2027, 8, 17),
        kind: DayOffKind::LiburNasional,
        name: "Hari Kemerdekaan RI".into(),
    }])
}

#[test]
fn a_friday_afternoon_to_monday_morning_counts_only_the_open_hours() {
    let hours = split_hours();
    let none = DaysOff::default();
    let cal = Calendar { hours: &hours, days_off: &none };
    // Friday 27 Nov 2026 15:00 WIB to Monday 30 Nov 09:30: one hour on Friday, 90 minutes Monday.
    let start = local_at(Jakarta, 2026, 11, 27, 15, 0);
    let end = local_at(Jakarta, 2026, 11, 30, 9, 30);
    assert_eq!(cal.working_time(start, end, Jakarta), Duration::minutes(150));
}

#[test]
fn the_lunch_break_is_not_working_time() {
    let hours = split_hours();
    let none = DaysOff::default();
    let cal = Calendar { hours: &hours, days_off: &none };
    let start = local_at(Jakarta, 2026, 11, 30, 11, 30);
    let end = local_at(Jakarta, 2026, 11, 30, 13, 30);
    assert_eq!(cal.working_time(start, end, Jakarta), Duration::minutes(60));
}

#[test]
fn a_span_across_a_holiday_skips_the_whole_day() {
    let hours = split_hours();
    let off = independence_day();
    let cal = Calendar { hours: &hours, days_off: &off };
    // Monday 16 Aug 2027 15:00 to Wednesday 18 Aug 09:00: one hour Monday, Tuesday is the holiday,
    // one hour Wednesday.
    let start = local_at(Jakarta, 2027, 8, 16, 15, 0);
    let end = local_at(Jakarta, 2027, 8, 18, 9, 0);
    assert_eq!(cal.working_time(start, end, Jakarta), Duration::minutes(120));
}

#[test]
fn working_time_follows_the_offices_zone() {
    let hours = OpeningHours::default();
    let none = DaysOff::default();
    let cal = Calendar { hours: &hours, days_off: &none };
    // 00:00-01:00 UTC on a Monday is 07:00-08:00 in Jakarta (closed), 08:00-09:00 in Makassar,
    // 09:00-10:00 in Jayapura (open).
    let start = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
    let end = start + Duration::hours(1);
    assert_eq!(cal.working_time(start, end, Jakarta), Duration::zero());
    assert_eq!(cal.working_time(start, end, Makassar), Duration::hours(1));
    assert_eq!(cal.working_time(start, end, Jayapura), Duration::hours(1));
}

#[test]
fn the_indonesian_zones_have_no_daylight_saving_time() {
    for tz in [Jakarta, Makassar, Jayapura] {
        let january = local_at(tz, 2027, 1, 15, 12, 0) - local_at(tz, 2027, 1, 15, 0, 0);
        let july = local_at(tz, 2027, 7, 15, 12, 0) - local_at(tz, 2027, 7, 15, 0, 0);
        assert_eq!(january, july);
        let hours = OpeningHours::default();
        let none = DaysOff::default();
        let cal = Calendar { hours: &hours, days_off: &none };
        let week = cal.working_time(local_at(tz, 2027, 3, 1, 0, 0), local_at(tz, 2027, 3, 8, 0, 0), tz);
        assert_eq!(week, Duration::hours(40), "five days of eight hours in {tz}");
    }
}

#[test]
fn a_step_started_before_opening_counts_from_the_opening() {
    let hours = OpeningHours::default();
    let none = DaysOff::default();
    let measure = Measure::Working { calendar: Calendar { hours: &hours, days_off: &none }, zone: Jakarta };
    let start = local_at(Jakarta, 2026, 11, 30, 7, 0);
    let end = local_at(Jakarta, 2026, 11, 30, 8, 10);
    assert_eq!(measure.between(start, end), Duration::minutes(10));
    assert_eq!(Measure::Clock.between(start, end), Duration::minutes(70));
    assert_eq!(Measure::Clock.between(end, start), Duration::zero());
}

#[test]
fn opening_hours_open_before_they_close_and_in_order() {
    let mut h = OpeningHours::default();
    assert!(h.validate().is_ok());
    h.monday = vec![iv((13, 0), (16, 0)), iv((8, 0), (12, 0))];
    h.tuesday = vec![iv((16, 0), (8, 0))];
    h.wednesday = vec![iv((8, 0), (12, 0)), iv((11, 0), (16, 0))];
    let e = h.validate().unwrap_err().0;
    assert_eq!(e.get("monday[1]").map(String::as_str), Some("invalid"));
    assert_eq!(e.get("tuesday[0]").map(String::as_str), Some("invalid"));
    assert_eq!(e.get("wednesday[1]").map(String::as_str), Some("invalid"));
    assert_eq!(e.len(), 3);
}

#[test]
fn opening_hours_are_written_as_hours_and_minutes() {
    let json = serde_json::to_value(OpeningHours::default()).unwrap();
    assert_eq!(json["monday"][0]["opens"], "08:00");
    assert_eq!(json["saturday"], serde_json::json!([]));
    let back: OpeningHours = serde_json::from_value(json).unwrap();
    assert_eq!(back, OpeningHours::default());
    assert!(parse_hh_mm("8:05").is_some());
    for bad in ["24:00", "08:60", "0800", "08:0", "", "a:bc", "08:00:00"] {
        assert_eq!(parse_hh_mm(bad), None, "{bad}");
    }
}

#[test]
fn kinds_are_read_from_codes_and_indonesian_labels() {
    for (text, kind) in [
        ("libur_nasional", DayOffKind::LiburNasional),
        ("Libur Nasional", DayOffKind::LiburNasional),
        ("hari libur nasional", DayOffKind::LiburNasional),
        ("cuti_bersama", DayOffKind::CutiBersama),
        ("CUTI BERSAMA", DayOffKind::CutiBersama),
    ] {
        assert_eq!(DayOffKind::parse(text), Some(kind), "{text}");
    }
    assert_eq!(DayOffKind::parse("libur"), None);
    assert_eq!(DayOffKind::parse(""), None);
}

#[test]
fn a_day_off_needs_a_name_of_one_line() {
    let d = date(2027, 1, 1);
    assert_eq!(DayOff::parse(d, DayOffKind::LiburNasional, "  Tahun Baru  ").unwrap().name, "Tahun Baru");
    assert_eq!(DayOff::parse(d, DayOffKind::LiburNasional, " ").unwrap_err().0["name"], "missing");
    assert_eq!(DayOff::parse(d, DayOffKind::LiburNasional, "a\nb").unwrap_err().0["name"], "invalid");
    assert_eq!(DayOff::parse(d, DayOffKind::LiburNasional, &"x".repeat(121)).unwrap_err().0["name"], "too_long");
}

#[test]
fn an_escalation_ages_until_lkpp_answers() {
    use crate::visit::Status;
    let ev =
        |kind, at| Event { kind, at, by: "hd".into(), from: None, to: Status::Escalated, data: serde_json::json!({}) };
    let opened = local_at(Jakarta, 2027, 8, 16, 15, 0);
    let answered = local_at(Jakarta, 2027, 8, 18, 9, 0);
    let now = local_at(Jakarta, 2027, 8, 19, 9, 0);
    let hours = split_hours();
    let off = independence_day();
    let working = Measure::Working { calendar: Calendar { hours: &hours, days_off: &off }, zone: Jakarta };
    let mut history = vec![ev(EventKind::Created, opened - Duration::hours(1)), ev(EventKind::Escalated, opened)];
    assert_eq!(escalation_age(&history[..1], now, &working), None, "never escalated");
    assert_eq!(escalation_age(&history, now, &Measure::Clock), Some(now - opened));
    // Open: Monday 1 h, Wednesday 7 h, Thursday 1 h.
    assert_eq!(escalation_age(&history, now, &working), Some(Duration::hours(9)));
    history.push(ev(EventKind::EscalationAnswered, answered));
    assert_eq!(escalation_age(&history, now, &working), Some(Duration::hours(2)));
    assert_eq!(escalation_age(&history, now, &Measure::Clock), Some(answered - opened));
}

fn any_hours() -> impl Strategy<Value = OpeningHours> {
    // Per weekday up to two intervals, on a quarter-hour grid, in order.
    let day = prop::collection::vec(0u32..96, 0..=4).prop_map(|mut marks| {
        marks.sort_unstable();
        marks.dedup();
        marks
            .chunks_exact(2)
            .map(|p| OpenInterval { opens: at(p[0] / 4, p[0] % 4 * 15), closes: at(p[1] / 4, p[1] % 4 * 15) })
            .collect::<Vec<_>>()
    });
    prop::array::uniform7(day).prop_map(|[mo, tu, we, th, fr, sa, su]| OpeningHours {
        monday: mo,
        tuesday: tu,
        wednesday: we,
        thursday: th,
        friday: fr,
        saturday: sa,
        sunday: su,
    })
}

fn any_days_off() -> impl Strategy<Value = DaysOff> {
    prop::collection::vec(0i64..30, 0..6).prop_map(|offsets| {
        DaysOff::new(offsets.into_iter().map(|o| DayOff {
            date: date(2027, 3, 1) + Duration::days(o),
            kind: DayOffKind::CutiBersama,
            name: "x".into(),
        }))
    })
}

/// An instant within the 30 days from 1 March 2027, to the minute.
fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..30 * 24 * 60).prop_map(|m| Utc.with_ymd_and_hms(2027, 2, 28, 17, 0, 0).unwrap() + Duration::minutes(m))
}

fn any_zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(vec![Jakarta, Makassar, Jayapura])
}

proptest! {
    /// Working time is additive: a span split at any point inside it counts the same as a whole.
    #[test]
    fn working_time_is_additive_over_a_split_point(
        hours in any_hours(), off in any_days_off(), tz in any_zone(),
        mut points in prop::collection::vec(any_instant(), 3),
    ) {
        points.sort();
        let cal = Calendar { hours: &hours, days_off: &off };
        let (a, b, c) = (points[0], points[1], points[2]);
        prop_assert_eq!(cal.working_time(a, c, tz), cal.working_time(a, b, tz) + cal.working_time(b, c, tz));
    }

    /// Working time never exceeds clock time, and is never negative.
    #[test]
    fn working_time_is_never_more_than_clock_time(
        hours in any_hours(), off in any_days_off(), tz in any_zone(), a in any_instant(), b in any_instant(),
    ) {
        let cal = Calendar { hours: &hours, days_off: &off };
        let w = cal.working_time(a, b, tz);
        prop_assert!(w >= Duration::zero());
        prop_assert!(w <= (b - a).max(Duration::zero()));
    }

    /// A span that lies within a day off counts nothing, whatever the hours.
    #[test]
    fn a_day_off_counts_no_working_time(
        hours in any_hours(), tz in any_zone(), day in 0i64..30, from in 0i64..1440, len in 0i64..1440,
    ) {
        let d = date(2027, 3, 1) + Duration::days(day);
        let off = DaysOff::new([DayOff { date: d, kind: DayOffKind::LiburNasional, name: "x".into() }]);
        let cal = Calendar { hours: &hours, days_off: &off };
        let midnight = tz.from_local_datetime(&d.and_time(NaiveTime::MIN)).single().unwrap().with_timezone(&Utc);
        let start = midnight + Duration::minutes(from);
        let end = (start + Duration::minutes(len)).min(midnight + Duration::days(1));
        prop_assert_eq!(cal.working_time(start, end, tz), Duration::zero());
    }

    /// Monotone: a later end (or an earlier start) never counts less.
    #[test]
    fn working_time_grows_with_the_span(
        hours in any_hours(), off in any_days_off(), tz in any_zone(),
        mut points in prop::collection::vec(any_instant(), 3),
    ) {
        points.sort();
        let cal = Calendar { hours: &hours, days_off: &off };
        let (a, b, c) = (points[0], points[1], points[2]);
        prop_assert!(cal.working_time(a, b, tz) <= cal.working_time(a, c, tz));
        prop_assert!(cal.working_time(b, c, tz) <= cal.working_time(a, c, tz));
    }
}

/// The cost of working time where reports read it, measured by hand:
/// `cargo test --release -p loket-domain -- --ignored --nocapture working_time_cost`.
/// A month's time-standards report reads about 10 steps of each of 1,000 visits; an escalation
/// can be two months old.
#[test]
#[ignore]
fn working_time_cost() {
    let hours = OpeningHours::default();
    let off = DaysOff::new((0..20).map(|i| DayOff {
        date: date(2027, 1, 1) + Duration::days(i * 17),
        kind: DayOffKind::CutiBersama,
        name: "x".into(),
    }));
    let cal = Calendar { hours: &hours, days_off: &off };
    let start = local_at(Jakarta, 2027, 3, 1, 8, 0);
    let time = |label: &str, n: u32, span: Duration| {
        let started = std::time::Instant::now();
        let mut total = Duration::zero();
        for i in 0..n {
            let a = start + Duration::minutes(i64::from(i % 600));
            total += cal.working_time(a, a + span, Jakarta);
        }
        let each = started.elapsed() / n;
        eprintln!("{label}: {n} spans, {each:?} each (sum {} min)", total.num_minutes());
        each
    };
    let step = time("a step of 20 minutes", 10_000, Duration::minutes(20));
    let escalation = time("an escalation of 60 days", 1_000, Duration::days(60));
    assert!(step < std::time::Duration::from_micros(50), "{step:?}");
    assert!(escalation < std::time::Duration::from_millis(1), "{escalation:?}");
}
