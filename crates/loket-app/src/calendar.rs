//! The business calendar's days off (libur nasional, cuti bersama), one by one or imported from
//! CSV; its opening hours and time measure are a setting ([`crate::settings::change`]).
//! Supervisors and admins. A door parses a date or a day off its own way; the use case takes
//! that parse as it came out, so that the role is checked before a bad value is named.

use chrono::{Datelike, NaiveDate};
use loket_domain::FieldErrors;
use loket_domain::auth::Permission;
use loket_domain::calendar::{DayOff, line_fields, parse_days_off_csv, parse_year};
use loket_domain::office::office_day;
use loket_store::User;

use crate::{App, AppError, AppResult, require};

/// The days off of a year (`2027`; the office's current year when `None`), in date order.
pub async fn days_off(app: &App, staff: &User, year: Option<&str>) -> AppResult<Vec<DayOff>> {
    require(staff, Permission::ReadSettings)?;
    let year = match year {
        None => office_day(app.now(), app.settings().await?.zone()).year(),
        Some(y) => parse_year(y).ok_or_else(|| AppError::field("year", "invalid"))?,
    };
    days_off_in(app, staff, year).await
}

/// The days off of a year the door has already read, in date order.
pub async fn days_off_in(app: &App, staff: &User, year: i32) -> AppResult<Vec<DayOff>> {
    require(staff, Permission::ReadSettings)?;
    Ok(app.store().days_off(year).await?)
}

/// Adds the day off of a date, or replaces it.
pub async fn put_day_off(app: &App, staff: &User, day: Result<DayOff, FieldErrors>) -> AppResult<DayOff> {
    require(staff, Permission::ChangeSettings)?;
    let day = day.map_err(AppError::validation)?;
    app.store().put_day_off(day.clone(), &staff.username, app.now()).await?;
    tracing::info!(date = %day.date, kind = day.kind.as_str(), by = ?staff.username, "day off set");
    Ok(day)
}

/// Removes the day off of a date; whether there was one.
pub async fn delete_day_off(app: &App, staff: &User, date: Result<NaiveDate, FieldErrors>) -> AppResult<bool> {
    require(staff, Permission::ChangeSettings)?;
    let date = date.map_err(AppError::validation)?;
    let removed = app.store().delete_day_off(date, &staff.username, app.now()).await?;
    if removed {
        tracing::info!(%date, by = ?staff.username, "day off removed");
    }
    Ok(removed)
}

/// What an import did.
pub struct Imported {
    /// How many days off were added or replaced.
    pub days: usize,
    /// The date of the first line, if there was one.
    pub first: Option<NaiveDate>,
}

/// Imports the days off of a CSV text, all lines or none: a bad line is named in the refusal
/// (`lines[3].kind: invalid`, the header counting as line 1).
pub async fn import_days_off(app: &App, staff: &User, csv: &str) -> AppResult<Imported> {
    require(staff, Permission::ChangeSettings)?;
    let days = parse_days_off_csv(csv).map_err(|lines| AppError::validation(line_fields(&lines)))?;
    let first = days.first().map(|d| d.date);
    let imported = app.store().import_days_off(days, &staff.username, app.now()).await?;
    tracing::info!(imported, by = ?staff.username, "days off imported");
    Ok(Imported { days: imported, first })
}
