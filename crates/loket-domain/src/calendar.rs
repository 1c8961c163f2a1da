//! The business calendar (kalender kerja): the office's opening hours per weekday (jam kerja) and
//! its non-working days, national holidays (hari libur nasional) and cuti bersama, so that time
//! standards and an escalation's age can be measured in working time instead of clock time.
//!
//! Working time between two instants is the part of them that falls inside an open interval of a
//! working day, in the office's time zone. The three Indonesian zones (WIB, WITA, WIT) have no
//! daylight saving time, so an office day always has 24 hours.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::errors::FieldErrors;
use crate::history::{Event, EventKind};
use crate::text::one_line;

/// How time standards and escalation age are measured: by the clock (every minute counts), or
/// in working time (only the minutes the office is open on a working day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeMeasure {
    #[default]
    Clock,
    Working,
}

/// One open interval of a day, `opens` before `closes` (`08:00`-`12:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInterval {
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "08:00")]
    pub opens: NaiveTime,
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "16:00")]
    pub closes: NaiveTime,
}

/// The most intervals a day may have.
pub const MAX_INTERVALS: usize = 6;

/// The office's opening hours (jam kerja) per weekday: none on a day the office is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    pub monday: Vec<OpenInterval>,
    pub tuesday: Vec<OpenInterval>,
    pub wednesday: Vec<OpenInterval>,
    pub thursday: Vec<OpenInterval>,
    pub friday: Vec<OpenInterval>,
    pub saturday: Vec<OpenInterval>,
    pub sunday: Vec<OpenInterval>,
}

/// The weekdays in the order of the week, by their names in the settings document.
pub const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "monday"),
    (Weekday::Tue, "tuesday"),
    (Weekday::Wed, "wednesday"),
    (Weekday::Thu, "thursday"),
    (Weekday::Fri, "friday"),
    (Weekday::Sat, "saturday"),
    (Weekday::Sun, "sunday"),
];

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl Default for OpeningHours {
    /// Monday to Friday 08:00-16:00, closed at the weekend: an example of a government office's
    /// hours; each office sets its own.
    fn default() -> Self {
        let day = vec![OpenInterval { opens: at(8, 0), closes: at(16, 0) }];
        OpeningHours {
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day,
            saturday: Vec::new(),
            sunday: Vec::new(),
        }
    }
}

impl OpeningHours {
    pub fn of(&self, weekday: Weekday) -> &[OpenInterval] {
        match weekday {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    pub fn of_mut(&mut self, weekday: Weekday) -> &mut Vec<OpenInterval> {
        match weekday {
            Weekday::Mon => &mut self.monday,
            Weekday::Tue => &mut self.tuesday,
            Weekday::Wed => &mut self.wednesday,
            Weekday::Thu => &mut self.thursday,
            Weekday::Fri => &mut self.friday,
            Weekday::Sat => &mut self.saturday,
            Weekday::Sun => &mut self.sunday,
        }
    }

    /// Each interval opens before it closes, and a day's intervals come in order without
    /// overlapping (`monday[1]: invalid`).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        for (weekday, name) in WEEKDAYS {
            let day = self.of(weekday);
            if day.len() > MAX_INTERVALS {
                errors.add(name, "too_long");
            }
            for (i, iv) in day.iter().enumerate() {
                let after_previous = i == 0 || day[i - 1].closes <= iv.opens;
                if iv.opens >= iv.closes || !after_previous {
                    errors.add(&format!("{name}[{i}]"), "invalid");
                }
            }
        }
        errors.into_result(())
    }
}

/// The calendar's settings, one document of the office settings (`calendar`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    /// `clock` (default) or `working`.
    pub time_measure: TimeMeasure,
    pub opening_hours: OpeningHours,
}

impl CalendarSettings {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Err(e) = self.opening_hours.validate() {
            for (k, v) in e.0 {
                errors.add(&format!("opening_hours.{k}"), &v);
            }
        }
        errors.into_result(())
    }
}

/// Why a date is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayOffKind {
    /// Hari libur nasional: a national holiday.
    LiburNasional,
    /// Cuti bersama: a collective leave day set by joint ministerial decree.
    CutiBersama,
}

impl DayOffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayOffKind::LiburNasional => "libur_nasional",
            DayOffKind::CutiBersama => "cuti_bersama",
        }
    }

    /// The code (`libur_nasional`, `cuti_bersama`) or its Indonesian label (`Libur Nasional`,
    /// `hari libur nasional`, `Cuti Bersama`), in any case.
    pub fn parse(text: &str) -> Option<DayOffKind> {
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        match words.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["libur", "nasional"] | ["hari", "libur", "nasional"] => Some(DayOffKind::LiburNasional),
            ["cuti", "bersama"] => Some(DayOffKind::CutiBersama),
            _ => None,
        }
    }
}

/// The longest name of a day off.
pub const DAY_OFF_NAME_MAX: usize = 120;

/// A date the office is closed all day, whatever its weekday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayOff {
    #[schema(value_type = String, example = "2027-08-17")]
    pub date: NaiveDate,
    pub kind: DayOffKind,
    pub name: String,
}

impl DayOff {
    /// A day off from what a person gave: the name trimmed, one line, at most 120 characters.
    pub fn parse(date: NaiveDate, kind: DayOffKind, name: &str) -> Result<DayOff, FieldErrors> {
        let mut errors = FieldErrors::default();
        match one_line(name, DAY_OFF_NAME_MAX, "name", &mut errors) {
            Some(name) if errors.is_empty() => Ok(DayOff { date, kind, name }),
            Some(_) => Err(errors),
            None => {
                errors.add("name", "missing");
                Err(errors)
            }
        }
    }
}

/// The office's non-working dates, one entry per date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaysOff(BTreeMap<NaiveDate, DayOff>);

impl DaysOff {
    pub fn new(days: impl IntoIterator<Item = DayOff>) -> DaysOff {
        DaysOff(days.into_iter().map(|d| (d.date, d)).collect())
    }

    pub fn get(&self, date: NaiveDate) -> Option<&DayOff> {
        self.0.get(&date)
    }

    pub fn is_off(&self, date: NaiveDate) -> bool {
        self.0.contains_key(&date)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The opening hours and the days off, together: what working time is counted from.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    pub hours: &'a OpeningHours,
    pub days_off: &'a DaysOff,
}

impl Calendar<'_> {
    /// The working time from `start` to `end`: the parts of the span inside an open interval of
    /// a working day (not a day off), in the office's zone `tz`. Zero when `end` is not after
    /// `start`.
    pub fn working_time(&self, start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> Duration {
        if end <= start {
            return Duration::zero();
        }
        let first = start.with_timezone(&tz).date_naive();
        let last = end.with_timezone(&tz).date_naive();
        let mut total = Duration::zero();
        for date in first.iter_days().take_while(|d| *d <= last) {
            if self.days_off.is_off(date) {
                continue;
            }
            for iv in self.hours.of(date.weekday()) {
                let (Some(opens), Some(closes)) = (local(tz, date, iv.opens), local(tz, date, iv.closes)) else {
                    continue;
                };
                let (from, to) = (opens.max(start), closes.min(end));
                if to > from {
                    total += to - from;
                }
            }
        }
        total
    }
}

/// A local time of `date` in `tz` as UTC (the earlier one, should a zone ever repeat a time).
fn local(tz: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&date.and_time(time)).earliest().map(|t| t.with_timezone(&Utc))
}

/// How durations are measured: the one function the time standards and the escalation age
/// call, whichever the office chose.
#[derive(Debug, Clone, Copy)]
pub enum Measure<'a> {
    Clock,
    Working { calendar: Calendar<'a>, zone: Tz },
}

impl Measure<'_> {
    /// The time from `start` to `end` in this measure; zero when `end` is not after `start`.
    pub fn between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Duration {
        match self {
            Measure::Clock => (end - start).max(Duration::zero()),
            Measure::Working { calendar, zone } => calendar.working_time(start, end, *zone),
        }
    }

    pub fn kind(&self) -> TimeMeasure {
        match self {
            Measure::Clock => TimeMeasure::Clock,
            Measure::Working { .. } => TimeMeasure::Working,
        }
    }
}

/// An escalation's age (SOP step 11, LKPP's answer can take days): from the escalation to
/// LKPP's answer, or to `now` while it has none, in the office's measure. None for a visit that
/// was never escalated.
pub fn escalation_age(history: &[Event], now: DateTime<Utc>, measure: &Measure<'_>) -> Option<Duration> {
    let opened = history.iter().find(|e| e.kind == EventKind::Escalated)?.at;
    let answered = history.iter().find(|e| e.kind == EventKind::EscalationAnswered && e.at >= opened).map(|e| e.at);
    Some(age_between(opened, answered, now, measure))
}

/// The age of an escalation made at `escalated_at`: to LKPP's answer, or to `now` while it has
/// none, in the office's measure; never negative.
pub fn age_between(
    escalated_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    measure: &Measure<'_>,
) -> Duration {
    measure.between(escalated_at, answered_at.unwrap_or(now)).max(Duration::zero())
}

/// `HH:MM` times, as the office writes opening hours.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_hh_mm(&text).ok_or_else(|| serde::de::Error::custom("expected a time as HH:MM"))
    }
}

/// A year Loket keeps days off for: 2000 to 2100.
pub fn parse_year(text: &str) -> Option<i32> {
    let y: i32 = text.trim().parse().ok()?;
    (2000..=2100).contains(&y).then_some(y)
}

/// The date of a day off, written `YYYY-MM-DD`, in a year Loket keeps ([`parse_year`]): one
/// check for the API's `PUT`, the page and the import.
pub fn parse_day_off_date(text: &str) -> Option<NaiveDate> {
    use chrono::Datelike;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|d| text.len() == 10 && (2000..=2100).contains(&d.year()))
}

/// A time written `HH:MM` (`08:00`, `16:30`; `8:00` too).
pub fn parse_hh_mm(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !(h.chars().chain(m.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

mod import;

pub use import::{IMPORT_MAX_LINES, LineError, line_fields, parse_days_off_csv};

#[cfg(test)]
mod tests;
