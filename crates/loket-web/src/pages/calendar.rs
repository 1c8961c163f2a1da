//! The business calendar's page: opening hours per weekday and the time measure (one settings
//! form), the days off of a year with add and delete, and the import of days off from CSV. Every
//! form keeps what was typed when it is refused, each problem named next to its field (or, for a
//! CSV, per line).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate};
use loket_app::{AppError, calendar, settings};
use loket_domain::auth::Permission;
use loket_domain::calendar::{
    CalendarSettings, DayOff, DayOffKind, LineError, OpenInterval, OpeningHours, TimeMeasure, WEEKDAYS,
    parse_days_off_csv, parse_hh_mm,
};
use loket_domain::office::office_day;
use loket_domain::settings::SettingsChange;
use loket_domain::{FieldErrors, Refused};
use serde::Deserialize;

use super::front_office::Choice;
use super::i18n::Tr;
use super::session::{PageForm, PageStaff};
use super::{Frame, NavLink, PageError, PageResult, field_reason_key, see_other};
use crate::AppState;

pub const CALENDAR: &str = "/supervisor/settings/calendar";

/// A weekday's hours as typed: `08:00-12:00, 13:00-16:00`; empty when closed.
pub struct HoursRow {
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

pub struct DayOffRow {
    pub date: String,
    pub date_text: String,
    pub kind: String,
    pub name: String,
}

/// What the add form holds: as typed, and its problems.
#[derive(Deserialize, Default, Clone)]
pub struct AddForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub page: Frame,
    pub links: Vec<NavLink>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub working: bool,
    pub hours: Vec<HoursRow>,
    pub year: i32,
    pub years: Vec<i32>,
    pub days_off: Vec<DayOffRow>,
    pub add: AddForm,
    pub kinds: Vec<Choice>,
    pub add_errors: BTreeMap<String, String>,
    pub csv: String,
    pub csv_errors: Vec<String>,
}

impl CalendarPage {
    pub fn add_error(&self, field: &str) -> Option<&String> {
        self.add_errors.get(field)
    }
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub saved: Option<String>,
    #[serde(default)]
    pub imported: Option<String>,
}

/// A weekday's intervals as a person writes them.
fn hours_text(day: &[OpenInterval]) -> String {
    day.iter()
        .map(|iv| format!("{}-{}", iv.opens.format("%H:%M"), iv.closes.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `08:00-12:00, 13:00-16:00` (a dot as the time's separator, `08.00`, too): the intervals, or
/// `None` when it does not read.
pub fn parse_hours(typed: &str) -> Option<Vec<OpenInterval>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Some(Vec::new());
    }
    typed
        .split([',', ';'])
        .map(|part| {
            let (opens, closes) = part.split_once(['-', '–'])?;
            let time = |s: &str| parse_hh_mm(&s.trim().replace('.', ":"));
            Some(OpenInterval { opens: time(opens)?, closes: time(closes)? })
        })
        .collect()
}

/// A weekday's name in the posted form: `hours-monday`.
fn hours_field(day: &str) -> String {
    format!("hours-{day}")
}

pub struct Typed {
    pub working: bool,
    pub hours: BTreeMap<String, String>,
}

impl Typed {
    fn of(c: &CalendarSettings) -> Typed {
        Typed {
            working: c.time_measure == TimeMeasure::Working,
            hours: WEEKDAYS.iter().map(|(w, name)| ((*name).to_owned(), hours_text(c.opening_hours.of(*w)))).collect(),
        }
    }

    /// As posted: `time_measure` and `hours-{weekday}`.
    fn posted(form: &[(String, String)]) -> Typed {
        let value = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        Typed {
            working: value("time_measure") == "working",
            hours: WEEKDAYS.iter().map(|(_, name)| ((*name).to_owned(), value(&hours_field(name)))).collect(),
        }
    }

    /// The opening hours typed, and each weekday whose hours do not read (`invalid`).
    fn opening_hours(&self) -> (OpeningHours, BTreeMap<String, String>) {
        let mut errors = BTreeMap::new();
        let mut hours = OpeningHours::default();
        for (weekday, name) in WEEKDAYS {
            match parse_hours(self.hours.get(name).map(String::as_str).unwrap_or_default()) {
                Some(day) => *hours.of_mut(weekday) = day,
                None => {
                    errors.insert(name.to_owned(), "invalid".to_owned());
                }
            }
        }
        (hours, errors)
    }
}

pub struct Shown {
    pub typed: Typed,
    pub hour_errors: BTreeMap<String, String>,
    pub add: AddForm,
    pub add_errors: BTreeMap<String, String>,
    pub csv: String,
    pub csv_errors: Vec<LineError>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

async fn build(state: &AppState, staff: &PageStaff, year: i32, shown: Shown) -> Result<CalendarPage, PageError> {
    let t = staff.tr();
    let mut page = Frame::staff(state, staff, "calendar-title", "/supervisor").await?;
    page.here = format!("{CALENDAR}?year={year}");
    page.scripts = vec!["/assets/calendar.js"];
    let days_off =
        calendar::days_off_in(&state.app, &staff.user, year).await.map_err(|e| PageError::from(e).for_staff(staff))?;
    Ok(calendar_view(t, page, year, days_off, shown))
}

/// The page of a year: the opening hours (as typed), the year's days off, the forms to add and
/// import them.
fn calendar_view(t: Tr, page: Frame, year: i32, days_off: Vec<DayOff>, shown: Shown) -> CalendarPage {
    let hours = WEEKDAYS
        .iter()
        .map(|(_, name)| HoursRow {
            name: hours_field(name),
            label: t.get(&format!("calendar-{name}")),
            value: shown.typed.hours.get(*name).cloned().unwrap_or_default(),
            error: shown.hour_errors.get(*name).map(|_| t.get("calendar-hours-invalid")),
        })
        .collect();
    let days_off = days_off
        .into_iter()
        .map(|d| DayOffRow {
            date: d.date.format("%Y-%m-%d").to_string(),
            date_text: loket_domain::format::long_date(t.lang, d.date),
            kind: t.get(&format!("calendar-kind-{}", d.kind.as_str().replace('_', "-"))),
            name: d.name,
        })
        .collect();
    let kinds = [DayOffKind::LiburNasional, DayOffKind::CutiBersama]
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: t.get(&format!("calendar-kind-{}", k.as_str().replace('_', "-"))),
            selected: shown.add.kind == k.as_str(),
        })
        .collect();
    let add_errors = shown.add_errors.iter().map(|(k, reason)| (k.clone(), add_reason(t, k, reason))).collect();
    CalendarPage {
        page,
        links: super::setting_forms::settings_links(t, CALENDAR),
        notice: shown.notice,
        error: shown.error,
        working: shown.typed.working,
        hours,
        year,
        years: vec![year - 1, year, year + 1],
        days_off,
        add: shown.add,
        kinds,
        add_errors,
        csv: shown.csv,
        csv_errors: shown.csv_errors.iter().map(|e| line_text(t, e)).collect(),
    }
}

fn add_reason(t: Tr, field: &str, reason: &str) -> String {
    match (field, reason) {
        ("date", "invalid") => t.get("calendar-date-invalid"),
        _ => t.get(field_reason_key(reason)),
    }
}

/// One bad line of a CSV, in words: `Baris 3: tanggal tidak valid …`.
pub fn line_text(t: Tr, e: &LineError) -> String {
    let key = format!("calendar-csv-{}-{}", e.field, e.reason.replace('_', "-"));
    let problem = if t.has(&key) { t.get(&key) } else { t.get(field_reason_key(&e.reason)) };
    t.args("calendar-csv-line", &[("line", e.line.to_string()), ("problem", problem)])
}

fn this_year(state: &AppState, zone: chrono_tz::Tz) -> i32 {
    office_day(state.now(), zone).year()
}

fn year_of(q: Option<&str>, fallback: i32) -> i32 {
    q.and_then(loket_domain::calendar::parse_year).unwrap_or(fallback)
}

fn shown(settings: &CalendarSettings) -> Shown {
    Shown {
        typed: Typed::of(settings),
        hour_errors: BTreeMap::new(),
        add: AddForm::default(),
        add_errors: BTreeMap::new(),
        csv: String::new(),
        csv_errors: Vec::new(),
        notice: None,
        error: None,
    }
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<CalendarQuery>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let settings = state.store.settings().await?;
    let year = year_of(q.year.as_deref(), this_year(&state, settings.zone()));
    let mut s = shown(&settings.calendar);
    let t = staff.tr();
    s.notice = match (q.saved.is_some(), q.imported.as_deref().and_then(|n| n.parse::<usize>().ok())) {
        (_, Some(n)) => Some(t.with("calendar-imported", "n", n)),
        (true, None) => Some(t.get("settings-saved")),
        _ => None,
    };
    Ok(build(&state, &staff, year, s).await?.into_response())
}

/// Saves the time measure and the opening hours: `time_measure` and `hours-{weekday}`.
pub async fn save_hours(
    State(state): State<AppState>,
    PageForm { staff, form }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let typed = Typed::posted(&form);
    let working = typed.working;
    let (hours, mut errors) = typed.opening_hours();
    let settings = state.store.settings().await?;
    if errors.is_empty() {
        let time_measure = if working { TimeMeasure::Working } else { TimeMeasure::Clock };
        let change = SettingsChange::Calendar(CalendarSettings { time_measure, opening_hours: hours });
        match settings::change(&state.app, &staff.user, change).await {
            Ok(_) => return Ok(see_other(&format!("{CALENDAR}?saved=1"))),
            // `opening_hours.monday[1]`: the weekday is named.
            Err(AppError::Refused(Refused::Validation(fields))) => {
                for key in fields.0.keys() {
                    let day = key.trim_start_matches("opening_hours.").split('[').next().unwrap_or_default();
                    errors.insert(day.to_owned(), "invalid".to_owned());
                }
            }
            Err(e) => return Err(PageError::from(e).for_staff(&staff)),
        }
    }
    let t = staff.tr();
    let mut s = shown(&settings.calendar);
    s.typed = typed;
    s.hour_errors = errors;
    s.error = Some(t.get("error-validation"));
    let page = build(&state, &staff, this_year(&state, settings.zone()), s).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Adds a day off (or replaces the one of its date).
pub async fn add_day_off(State(state): State<AppState>, PageForm { staff, form }: PageForm<AddForm>) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let mut errors = FieldErrors::default();
    let typed_date = form.date.trim();
    let date = NaiveDate::parse_from_str(typed_date, "%Y-%m-%d")
        .ok()
        .filter(|d| typed_date.len() == 10 && loket_domain::calendar::parse_year(&d.year().to_string()).is_some());
    if date.is_none() {
        errors.add("date", if typed_date.is_empty() { "missing" } else { "invalid" });
    }
    let kind = DayOffKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "missing");
    }
    let parsed = DayOff::parse(date.unwrap_or(NaiveDate::MIN), kind.unwrap_or(DayOffKind::LiburNasional), &form.name);
    if let Err(e) = &parsed {
        errors.merge(e.clone());
    }
    let settings = state.store.settings().await?;
    let day = match parsed {
        Ok(day) if errors.is_empty() => Ok(day),
        _ => Err(errors),
    };
    let errors = match calendar::put_day_off(&state.app, &staff.user, day).await {
        Ok(day) => return Ok(see_other(&format!("{CALENDAR}?year={}&saved=1", day.date.year()))),
        Err(AppError::Refused(Refused::Validation(fields))) => fields,
        Err(e) => return Err(PageError::from(e).for_staff(&staff)),
    };
    let t = staff.tr();
    let mut s = shown(&settings.calendar);
    s.add = form.clone();
    s.add_errors = errors.0;
    s.error = Some(t.get("error-validation"));
    let year = date.map_or_else(|| this_year(&state, settings.zone()), |d| d.year());
    let page = build(&state, &staff, year, s).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct DeleteForm {
    #[serde(default)]
    pub date: String,
}

pub async fn delete_day_off(
    State(state): State<AppState>,
    PageForm { staff, form }: PageForm<DeleteForm>,
) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let Ok(date) = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d") else {
        return Ok(see_other(CALENDAR));
    };
    calendar::delete_day_off(&state.app, &staff.user, Ok(date))
        .await
        .map_err(|e| PageError::from(e).for_staff(&staff))?;
    Ok(see_other(&format!("{CALENDAR}?year={}&saved=1", date.year())))
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    pub csv: String,
}

/// Imports days off from the CSV text (pasted, or read from a file by the page's script): all
/// lines or none; every bad line is named, the text kept.
pub async fn import(State(state): State<AppState>, PageForm { staff, form }: PageForm<ImportForm>) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let settings = state.store.settings().await?;
    let lines = match calendar::import_days_off(&state.app, &staff.user, &form.csv).await {
        Ok(imported) => {
            let year = imported.first.map_or_else(|| this_year(&state, settings.zone()), |d| d.year());
            return Ok(see_other(&format!("{CALENDAR}?year={year}&imported={}", imported.days)));
        }
        // Each bad line is shown with its problem: the text read the same way again.
        Err(AppError::Refused(Refused::Validation(_))) => parse_days_off_csv(&form.csv).err().unwrap_or_default(),
        Err(e) => return Err(PageError::from(e).for_staff(&staff)),
    };
    let t = staff.tr();
    let mut s = shown(&settings.calendar);
    s.csv = form.csv;
    s.csv_errors = lines;
    s.error = Some(t.get("calendar-csv-refused"));
    let page = build(&state, &staff, this_year(&state, settings.zone()), s).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_typed_as_intervals_separated_by_commas() {
        let day = parse_hours("08:00-12:00, 13.00 - 16.30").expect("reads");
        assert_eq!(hours_text(&day), "08:00-12:00, 13:00-16:30");
        assert_eq!(parse_hours(" "), Some(Vec::new()), "closed");
        assert_eq!(parse_hours("08:00"), None);
        assert_eq!(parse_hours("pagi-sore"), None);
    }
}
