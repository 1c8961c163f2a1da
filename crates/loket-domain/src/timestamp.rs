//! Instants as JSON: the same RFC 3339 text as chrono's own `Serialize` (`2026-11-28T03:04:05.123Z`),
//! written in one piece. chrono hands its text to the serializer a character at a time, and
//! serde_json checks each piece for characters to escape: with a dozen instants in every visit,
//! written on every step, that was a measurable share of the server's work per visit.
//!
//! Use as `#[serde(with = "crate::timestamp")]`, or `timestamp::option` for an `Option` (with
//! `#[serde(default)]`, so that a missing field still reads as `None`). Reading is chrono's own.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match rfc3339(at, &mut buf) {
        Some(text) => serializer.serialize_str(text),
        None => serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

/// `at` as chrono's `to_rfc3339_opts(SecondsFormat::AutoSi, true)` writes it, digit by digit into
/// `buf`, for the years 0 to 9999 (chrono's own formatting goes through `fmt` for each part).
fn rfc3339<'b>(at: &DateTime<Utc>, buf: &'b mut [u8; 30]) -> Option<&'b str> {
    let (date, time) = (at.date_naive(), at.time());
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    // A leap second is kept by chrono as nanoseconds past 1e9 and written as second 60.
    let (mut second, mut nanos) = (time.second(), time.nanosecond());
    if nanos >= 1_000_000_000 {
        second += 1;
        nanos -= 1_000_000_000;
    }
    let mut put = |at: usize, value: u32, digits: usize| {
        let mut v = value;
        for i in (0..digits).rev() {
            buf[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, date.month(), 2);
    put(8, date.day(), 2);
    put(11, time.hour(), 2);
    put(14, time.minute(), 2);
    put(17, second, 2);
    let mut end = 19;
    let fraction = if nanos == 0 {
        None
    } else if nanos % 1_000_000 == 0 {
        Some((nanos / 1_000_000, 3))
    } else if nanos % 1_000 == 0 {
        Some((nanos / 1_000, 6))
    } else {
        Some((nanos, 9))
    };
    if let Some((value, digits)) = fraction {
        put(20, value, digits);
        end = 20 + digits;
    }
    for (i, b) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.')] {
        buf[i] = b;
    }
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..=end]).ok()
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    DateTime::<Utc>::deserialize(deserializer)
}

pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<DateTime<Utc>>::deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Ours {
        #[serde(with = "crate::timestamp")]
        at: DateTime<Utc>,
        #[serde(with = "crate::timestamp::option", default)]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn a_missing_optional_instant_reads_as_none() {
        let ours: Ours = serde_json::from_str(r#"{"at":"2026-11-28T03:04:05Z"}"#).expect("valid");
        assert_eq!(ours.maybe, None);
        assert_eq!(ours.at, Utc.with_ymd_and_hms(2026, 11, 28, 3, 4, 5).single().expect("valid"));
    }

    proptest! {
        /// Our text is byte for byte chrono's own, whatever the instant (whole seconds,
        /// milliseconds, nanoseconds), so that stored visits and API answers do not change.
        #[test]
        fn the_text_is_chronos_own(
            secs in -62_167_219_200i64..253_402_300_800,
            nanos in prop_oneof![Just(0u32), (0u32..1000).prop_map(|m| m * 1_000_000), (0u32..1_000_000).prop_map(|u| u * 1000), 0u32..2_000_000_000],
            some in any::<bool>(),
        ) {
            // Nanoseconds past 1e9 (a leap second) only at the last second of a minute.
            let nanos = if nanos >= 1_000_000_000 && secs.rem_euclid(60) != 59 { nanos - 1_000_000_000 } else { nanos };
            let Some(at) = DateTime::from_timestamp(secs, nanos) else { return Ok(()) };
            let maybe = some.then_some(at);
            let ours = serde_json::to_string(&Ours { at, maybe }).expect("serializes");
            let chronos = serde_json::to_string(&Chronos { at, maybe }).expect("serializes");
            prop_assert_eq!(&ours, &chronos);
            let back: Ours = serde_json::from_str(&ours).expect("reads back");
            prop_assert_eq!(back, Ours { at, maybe });
        }
    }
}
