//! What a staff page shows of one visit, the same on the counter and on the visit's record: its
//! fields as written now with each correction under its field, and its SOP steps with their
//! times and verdicts.

use chrono_tz::Tz;
use loket_domain::Visit;
use loket_domain::form::{REQUIRABLE_FIELDS, written_fields};
use loket_domain::settings::OfficeSettings;
use loket_domain::standards::{StepOutcome, StepRecord};

use super::i18n::Tr;

/// A label and a value of the visit, as staff read them.
pub struct Field {
    pub label: String,
    pub value: String,
    /// Each correction of what was first written, as a sentence: "changed from … by … at …".
    pub corrections: Vec<String>,
}

pub struct StepLine {
    pub step: u8,
    pub label: String,
    pub started: String,
    pub by: String,
    pub minutes: String,
    pub standard: String,
    /// `ok`, `over`, or empty when not judged (no standard, instant, still running).
    pub judged: &'static str,
    /// Why the step is not judged, in words, when that is so by its nature (instant, or the
    /// analysis ended by a cancellation, with its reason); else empty.
    pub note: String,
}

/// A text of the visit as shown, `—` when it was not given (or only blanks).
pub fn or_dash(s: &Option<String>) -> String {
    s.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "—".to_owned())
}

/// The visit's fields, each with its corrections: what it said, who changed it, when.
pub fn fields(t: Tr, settings: &OfficeSettings, v: &Visit) -> Vec<Field> {
    let category = v
        .form
        .category
        .as_deref()
        .map(|c| settings.priorities.find(c).map_or(c, |k| k.name.as_str()).to_owned())
        .unwrap_or_default();
    let role = v
        .visitor
        .role
        .map(|r| t.get(&format!("visitor-role-{}", super::front_office::role_code(r))))
        .unwrap_or_default();
    let zone = settings.zone();
    let written = written_fields(&v.visitor, &v.form);
    let corrections = loket_domain::corrections::corrections(&v.history);
    REQUIRABLE_FIELDS
        .iter()
        .map(|&name| Field {
            label: t.get(&format!("field-{}", name.replace(['.', '_'], "-"))),
            value: match name {
                "visitor.role" => role.clone(),
                "form.category" => category.clone(),
                _ => written.get(name).filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "—".to_owned()),
            },
            corrections: corrections
                .iter()
                .filter(|c| c.field == name)
                .map(|c| {
                    let before = c.before.clone().unwrap_or_default();
                    let when = super::dates::date_time(t, c.at, zone);
                    t.args("counter-field-corrected", &[("before", before), ("by", c.by.clone()), ("at", when)])
                })
                .collect(),
        })
        .collect()
}

/// The visit's steps as recorded, in the office's measure (clock or working time).
pub fn step_lines(t: Tr, zone: Tz, records: &[StepRecord]) -> Vec<StepLine> {
    records
        .iter()
        .map(|r| StepLine {
            step: r.step,
            label: t.get(&format!("step-{}", r.step)),
            started: super::dates::time(t, r.started_at, zone),
            by: r.by.clone(),
            minutes: match r.measured_minutes {
                Some(m) if !r.instant => t.with("minutes", "n", m.floor().max(0.0) as i64),
                _ => "—".to_owned(),
            },
            standard: r.standard_minutes.map_or_else(|| "—".to_owned(), |m| t.with("minutes", "n", m)),
            judged: match r.within_standard {
                Some(true) => "ok",
                Some(false) => "over",
                None => "",
            },
            note: match (&r.outcome, r.instant) {
                (Some(StepOutcome::Cancelled), _) => {
                    t.with("step-cancelled", "reason", r.reason.clone().unwrap_or_default())
                }
                (None, true) => t.get("step-instant"),
                (None, false) => String::new(),
            },
        })
        .collect()
}
