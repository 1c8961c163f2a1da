//! Days off imported from a CSV file: `date,kind,name` with a header (or the Indonesian
//! `tanggal,jenis,nama`), one day a line, every bad line named by its number. Nothing is
//! imported when one line is bad.

use chrono::NaiveDate;
use serde::Serialize;

use super::{DayOff, DayOffKind};
use crate::errors::FieldErrors;

/// A problem with one line of an imported file. `line` counts the header as line 1; `field` is
/// `date`, `kind`, `name`, `columns` (not three values) or `header`, and `reason` one of the
/// API's reasons (`missing`, `invalid`, `too_long`, `duplicate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LineError {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

impl LineError {
    fn new(line: u64, field: &str, reason: &str) -> LineError {
        LineError { line, field: field.to_owned(), reason: reason.to_owned() }
    }
}

/// The problems as the API's `fields`: `lines[3].kind: invalid` (the line's number in the file).
pub fn line_fields(errors: &[LineError]) -> FieldErrors {
    let mut fields = FieldErrors::default();
    for e in errors {
        fields.add(&format!("lines[{}].{}", e.line, e.field), &e.reason);
    }
    fields
}

const HEADERS: [[&str; 3]; 2] = [["date", "kind", "name"], ["tanggal", "jenis", "nama"]];

/// The most lines a file may have, its header included: years of days off (an office has about
/// 25 a year), far less than the calendar's whole range. A longer file is refused at the first
/// line past it (`file`, `too_long`), before more is read.
pub const IMPORT_MAX_LINES: u64 = 1000;

/// The days off of a CSV text, or every bad line, in one pass over the text. Blank lines are
/// passed over; a byte order mark at the start is allowed (spreadsheets write one); a value may
/// be quoted (`"Idul Fitri, hari kedua"`). Dates are `YYYY-MM-DD` in a year Loket keeps
/// ([`super::parse_day_off_date`], as for one day); a date given twice is a `duplicate` on its
/// second line. At most [`IMPORT_MAX_LINES`] lines.
pub fn parse_days_off_csv(text: &str) -> Result<Vec<DayOff>, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // One line ending, so that lines are counted alike however the file (or a browser's text
    // box, which sends CRLF) ended them.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut days: Vec<DayOff> = Vec::new();
    let mut dates = std::collections::HashSet::new();
    let mut header_seen = false;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(LineError::new(line, "columns", "invalid"));
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if line > IMPORT_MAX_LINES {
            errors.push(LineError::new(line, "file", "too_long"));
            break;
        }
        let values: Vec<&str> = record.iter().map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            let named = HEADERS.iter().any(|h| {
                values.len() == 3
                    && values.iter().zip(h).all(|(v, h)| v.trim_start_matches('\u{feff}').eq_ignore_ascii_case(h))
            });
            if !named {
                errors.push(LineError::new(line, "header", "invalid"));
            }
            continue;
        }
        if values.len() != 3 {
            errors.push(LineError::new(line, "columns", "invalid"));
            continue;
        }
        let date = match super::parse_day_off_date(values[0]) {
            Some(d) => Some(d),
            None if values[0].is_empty() => {
                errors.push(LineError::new(line, "date", "missing"));
                None
            }
            _ => {
                errors.push(LineError::new(line, "date", "invalid"));
                None
            }
        };
        if let Some(d) = date
            && !dates.insert(d)
        {
            errors.push(LineError::new(line, "date", "duplicate"));
        }
        let kind = DayOffKind::parse(values[1]);
        if kind.is_none() {
            errors.push(LineError::new(line, "kind", if values[1].is_empty() { "missing" } else { "invalid" }));
        }
        let placeholder = NaiveDate::MIN;
        let parsed = DayOff::parse(date.unwrap_or(placeholder), kind.unwrap_or(DayOffKind::LiburNasional), values[2]);
        match (parsed, date, kind) {
            (Ok(day), Some(_), Some(_)) => days.push(day),
            (Ok(_), _, _) => {}
            (Err(e), _, _) => {
                for (_, reason) in e.0 {
                    errors.push(LineError::new(line, "name", &reason));
                }
            }
        }
    }
    if !header_seen {
        errors.push(LineError::new(1, "header", "missing"));
    } else if days.is_empty() && errors.is_empty() {
        errors.push(LineError::new(2, "date", "missing"));
    }
    if errors.is_empty() { Ok(days) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_gives_every_day_in_order() {
        let text = "\u{feff}date,kind,name\r\n2027-01-01,libur_nasional,Tahun Baru 2027 Masehi\r\n\r\n\
                    2027-03-09,Cuti Bersama,\"Cuti Bersama Nyepi, Tahun Baru Saka\"\r\n";
        let days = parse_days_off_csv(text).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].kind, DayOffKind::CutiBersama);
        assert_eq!(days[1].name, "Cuti Bersama Nyepi, Tahun Baru Saka");
    }

    #[test]
    fn the_indonesian_header_is_taken_too() {
        assert!(parse_days_off_csv("Tanggal,Jenis,Nama\n2027-08-17,libur nasional,Hari Kemerdekaan\n").is_ok());
    }

    #[test]
    fn every_bad_line_is_named_by_its_number() {
        let text = "date,kind,name\n\
                    2027-01-01,libur_nasional,Tahun Baru\n\
                    2027-02-30,libur_nasional,Tanggal salah\n\
                    2027-03-01,libur,Jenis salah\n\
                    2027-01-01,cuti_bersama,Dua kali\n\
                    2027-04-01,cuti_bersama,\n\
                    2027-05-01,cuti_bersama\n";
        let errors = parse_days_off_csv(text).unwrap_err();
        let got: Vec<(u64, &str, &str)> =
            errors.iter().map(|e| (e.line, e.field.as_str(), e.reason.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "date", "invalid"),
                (4, "kind", "invalid"),
                (5, "date", "duplicate"),
                (6, "name", "missing"),
                (7, "columns", "invalid"),
            ]
        );
        assert_eq!(line_fields(&errors).0["lines[4].kind"], "invalid");
    }

    #[test]
    fn a_file_without_its_header_or_days_is_refused() {
        let no_header = parse_days_off_csv("2027-01-01,libur_nasional,Tahun Baru\n").unwrap_err();
        assert_eq!(no_header, [LineError::new(1, "header", "invalid")]);
        assert_eq!(parse_days_off_csv("").unwrap_err(), [LineError::new(1, "header", "missing")]);
        assert_eq!(parse_days_off_csv("date,kind,name\n").unwrap_err(), [LineError::new(2, "date", "missing")]);
    }
}

#[cfg(test)]
mod crlf_tests {
    use super::*;

    #[test]
    fn lines_are_counted_alike_with_crlf() {
        let text = "date,kind,name\r\n2027-01-01,libur_nasional,A\r\n2027-02-30,libur_nasional,B\r\n";
        let errors = parse_days_off_csv(text).unwrap_err();
        assert_eq!(errors[0].line, 3, "{errors:?}");
    }

    #[test]
    fn dates_are_checked_as_for_one_day_and_the_file_is_bounded() {
        let text = "date,kind,name\n3000-01-01,libur_nasional,Jauh\n1999-12-31,libur_nasional,Lampau\n";
        let errors = parse_days_off_csv(text).unwrap_err();
        let got: Vec<(u64, &str, &str)> =
            errors.iter().map(|e| (e.line, e.field.as_str(), e.reason.as_str())).collect();
        assert_eq!(got, [(2, "date", "invalid"), (3, "date", "invalid")], "years outside 2000-2100");

        let mut long = String::from("date,kind,name\n");
        let mut day = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        for _ in 0..IMPORT_MAX_LINES {
            long.push_str(&format!("{day},cuti_bersama,Cuti\n"));
            day = day.succ_opt().unwrap();
        }
        let errors = parse_days_off_csv(&long).unwrap_err();
        let last = IMPORT_MAX_LINES + 1;
        assert_eq!(errors, [LineError::new(last, "file", "too_long")], "refused at the first line past the bound");
        let within: String =
            long.lines().take(usize::try_from(IMPORT_MAX_LINES).unwrap()).map(|l| format!("{l}\n")).collect();
        assert_eq!(parse_days_off_csv(&within).map(|d| d.len()), Ok(usize::try_from(IMPORT_MAX_LINES - 1).unwrap()));
    }
}
