//! The numbers an office gives, each counted in its own sequence: a visit's reference per office
//! day, queue numbers per service and office day (SOP step 8: they reset at local midnight),
//! places in line for the whole office, archive numbers per period of the archive pattern.

use chrono::NaiveDate;

use crate::office::queue_number;

/// A sequence of the office, counted from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sequence {
    /// Visit references of one office day.
    Reference(NaiveDate),
    /// Queue numbers of one service on one office day.
    Number { service: String, day: NaiveDate },
    /// Places in line: one order for every service and day, so that a place is never shared.
    Place,
    /// Archive numbers, counted per period of the archive pattern (`2026-11`, see
    /// [`crate::archive::ArchivePattern::period`]); the pattern shows them.
    Archive(String),
}

impl Sequence {
    /// The name the sequence is stored under.
    pub fn key(&self) -> String {
        match self {
            Sequence::Reference(day) => format!("reference:{day}"),
            Sequence::Number { service, day } => format!("number:{service}:{day}"),
            Sequence::Place => "position".into(),
            Sequence::Archive(period) => format!("archive:{period}"),
        }
    }

    /// What the `n`th value of the sequence is shown as (an archive number is shown by its
    /// pattern, [`crate::archive::ArchivePattern::number`]).
    pub fn format(&self, n: i64) -> String {
        match self {
            Sequence::Reference(day) => format!("{}-{n:04}", day.format("%Y%m%d")),
            Sequence::Number { service, .. } => queue_number(service, n),
            Sequence::Place | Sequence::Archive(_) => n.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn references_count_per_office_day() {
        let s = Sequence::Reference(day());
        assert_eq!(s.key(), "reference:2026-11-28");
        assert_eq!(s.format(7), "20261128-0007");
    }

    #[test]
    fn queue_numbers_count_per_service_and_office_day() {
        let s = Sequence::Number { service: "B".into(), day: day() };
        assert_eq!(s.key(), "number:B:2026-11-28");
        assert_eq!(s.format(12), "B-012");
    }

    #[test]
    fn archive_numbers_count_per_period_of_the_pattern() {
        let period = crate::archive::ArchivePattern::default().period(day());
        assert_eq!(Sequence::Archive(period).key(), "archive:2026-11");
    }
}
