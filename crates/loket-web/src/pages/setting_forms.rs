//! The settings forms of the supervisor, built on one page and one way of saving: every value is
//! parsed, then checked by the domain (`OfficeSettings::with`), then saved by the store in one
//! transaction that checks it again against the visits now in the office. A bad value is named
//! next to its field, everything typed comes back as typed (rows marked for removal included),
//! and nothing is saved until all of it is good. A change that would strand a visit (409
//! `in_use`) says which counters, services or categories are still in use.
//!
//! Lists (the priority table, services, counters) are tables of inputs: one row per entry, two
//! empty rows to add entries, and a *Hapus* box per row.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use loket_app::{AppError, settings};
use loket_domain::settings::{SettingsChange, Stranded};
use loket_domain::{FieldErrors, Refused};

use super::front_office::FieldView;
use super::i18n::Tr;
use super::session::PageStaff;
use super::{Frame, NavLink, PageError, PageResult, field_reason_key, see_other};
use crate::AppState;

/// The most rows a list form reads (an office has a handful of services and counters).
const MAX_ROWS: usize = 200;

/// One column of a list: its key is the domain's field name (`analysis_minutes`).
pub struct Column {
    pub key: &'static str,
    pub label_key: &'static str,
    /// How wide its inputs are: `code`, `minutes` (a short number), `services` or `wide`.
    pub width: &'static str,
}

/// A row of a list as typed (or as stored).
#[derive(Debug, Clone)]
pub struct TypedRow {
    pub index: usize,
    pub values: Vec<String>,
    pub removed: bool,
}

impl TypedRow {
    pub fn blank(&self) -> bool {
        self.values.iter().all(|v| v.trim().is_empty())
    }

    pub fn value(&self, i: usize) -> &str {
        self.values.get(i).map(String::as_str).unwrap_or_default()
    }
}

/// The rows of list `table` in a posted form (`{table}-{row}-{column}`, `{table}-{row}-remove`).
pub fn typed_rows(form: &[(String, String)], table: &str, columns: &[Column]) -> Vec<TypedRow> {
    let mut rows: BTreeMap<usize, TypedRow> = BTreeMap::new();
    for (k, v) in form {
        let Some(rest) = k.strip_prefix(table).and_then(|r| r.strip_prefix('-')) else { continue };
        let Some((index, column)) = rest.split_once('-') else { continue };
        let Some(index) = index.parse::<usize>().ok().filter(|i| *i < MAX_ROWS) else { continue };
        let row = rows.entry(index).or_insert_with(|| TypedRow {
            index,
            values: vec![String::new(); columns.len()],
            removed: false,
        });
        if column == "remove" {
            row.removed = true;
        } else if let Some(c) = columns.iter().position(|c| c.key == column) {
            row.values[c] = v.clone();
        }
    }
    rows.into_values().collect()
}

/// The rows that go into the setting: neither removed nor left empty.
pub fn kept(rows: &[TypedRow]) -> Vec<&TypedRow> {
    rows.iter().filter(|r| !r.removed && !r.blank()).collect()
}

/// Problems of a list: per (row, column), and of the list as a whole.
#[derive(Default)]
pub struct ListErrors {
    pub cells: BTreeMap<(usize, usize), String>,
    pub list: Option<String>,
}

impl ListErrors {
    pub fn cell(&mut self, row: usize, column: usize, reason: &str) {
        self.cells.entry((row, column)).or_insert_with(|| reason.to_owned());
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.list.is_none()
    }

    /// Takes the domain's errors about this list: `{prefix}[k].column` names the k-th kept row,
    /// `name` itself the whole list.
    pub fn take(&mut self, errors: &FieldErrors, name: &str, prefix: &str, kept: &[usize], columns: &[Column]) {
        for (key, reason) in &errors.0 {
            if key == name {
                self.list.get_or_insert_with(|| reason.clone());
                continue;
            }
            let Some(rest) = key.strip_prefix(prefix).and_then(|r| r.strip_prefix('[')) else { continue };
            let Some((k, column)) = rest.split_once("].") else { continue };
            let row = k.parse::<usize>().ok().and_then(|k| kept.get(k).copied());
            let column = columns.iter().position(|c| c.key == column);
            if let (Some(row), Some(column)) = (row, column) {
                self.cell(row, column, reason);
            }
        }
    }
}

pub struct CellView {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub width: &'static str,
}

pub struct RowView {
    pub cells: Vec<CellView>,
    pub remove_name: String,
    pub remove_id: String,
    pub remove_label: String,
    pub removed: bool,
}

pub struct TableView {
    pub id: &'static str,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
    pub error: Option<String>,
}

/// A list as a table of inputs: the rows given, then two empty rows to add entries.
pub fn table(
    t: Tr,
    id: &'static str,
    caption_key: &str,
    columns: &[Column],
    rows: &[TypedRow],
    errors: &ListErrors,
) -> TableView {
    // Rows left empty are not shown again: two empty rows follow the others.
    let mut all: Vec<TypedRow> = rows.iter().filter(|r| r.removed || !r.blank()).cloned().collect();
    let next = all.iter().map(|r| r.index + 1).max().unwrap_or(0);
    all.extend((next..next + 2).map(|index| TypedRow {
        index,
        values: vec![String::new(); columns.len()],
        removed: false,
    }));
    let rows = all
        .iter()
        .map(|r| RowView {
            cells: columns
                .iter()
                .enumerate()
                .map(|(c, col)| CellView {
                    name: format!("{id}-{}-{}", r.index, col.key),
                    id: format!("{id}-{}-{}", r.index, col.key),
                    label: t.with2("settings-cell", "column", t.get(col.label_key), "row", r.index + 1),
                    value: r.value(c).to_owned(),
                    error: errors.cells.get(&(r.index, c)).map(|reason| reason_text(t, reason)),
                    width: col.width,
                })
                .collect(),
            remove_name: format!("{id}-{}-remove", r.index),
            remove_id: format!("{id}-{}-remove", r.index),
            remove_label: t.with("settings-remove-row", "row", r.index + 1),
            removed: r.removed,
        })
        .collect();
    TableView {
        id,
        caption: t.get(caption_key),
        columns: columns.iter().map(|c| t.get(c.label_key)).collect(),
        rows,
        error: errors.list.as_deref().map(|reason| reason_text(t, reason)),
    }
}

/// The text of a field's problem.
pub fn reason_text(t: Tr, reason: &str) -> String {
    match reason {
        "duplicate" => t.get("field-duplicate"),
        "unknown" => t.get("field-unknown"),
        "in_use" => t.get("field-in-use"),
        "required" => t.get("field-password-required"),
        other => t.get(field_reason_key(other)),
    }
}

pub struct CheckView {
    pub name: &'static str,
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct CheckGroup {
    pub legend: String,
    pub items: Vec<CheckView>,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_form.html")]
pub struct SettingsFormPage {
    pub page: Frame,
    pub action: &'static str,
    pub links: Vec<NavLink>,
    pub hint: String,
    pub saved: bool,
    pub error: Option<String>,
    pub fields: Vec<FieldView>,
    pub checks: Option<CheckGroup>,
    pub tables: Vec<TableView>,
    pub submit: String,
    /// The office page's logo section, a form of its own below the settings.
    pub logo: Option<LogoSection>,
}

/// The office's logo on its settings page: shown when there is one, a file to upload, a button
/// to remove it; what went wrong with the last upload next to the file input.
pub struct LogoSection {
    pub present: bool,
    pub error: Option<String>,
    /// The upload or the removal just done.
    pub notice: Option<String>,
}

/// The settings pages, for the links at the top of each.
pub const SETTINGS_PAGES: [(&str, &str); 7] = [
    ("/supervisor/settings/office", "settings-office-title"),
    ("/supervisor/settings/desks", "settings-desks-title"),
    ("/supervisor/settings/priorities", "settings-priorities-title"),
    ("/supervisor/settings/form-fields", "settings-form-fields-title"),
    ("/supervisor/time-standards", "time-standards-title"),
    ("/supervisor/settings/calendar", "calendar-title"),
    (super::mail_settings::MAIL, "settings-mail-title"),
];

pub fn settings_links(t: Tr, here: &str) -> Vec<NavLink> {
    SETTINGS_PAGES.iter().map(|(href, key)| NavLink { href, label: t.get(key), current: *href == here }).collect()
}

impl SettingsFormPage {
    /// An empty settings page at `action`, titled and explained by the catalogue's `{key}-title`,
    /// `{key}-hint`, `{key}-save`.
    pub async fn new(
        state: &AppState,
        staff: &PageStaff,
        action: &'static str,
        key: &str,
        saved: bool,
    ) -> Result<SettingsFormPage, PageError> {
        let t = staff.tr();
        let mut page = Frame::staff(state, staff, &format!("{key}-title"), "/supervisor").await?;
        // After a language switch, back to this page (the navigation marks the supervisor's).
        page.here = action.to_owned();
        Ok(SettingsFormPage {
            page,
            action,
            links: settings_links(t, action),
            hint: t.get(&format!("{key}-hint")),
            saved,
            error: None,
            fields: Vec::new(),
            checks: None,
            tables: Vec::new(),
            submit: t.get(&format!("{key}-save")),
            logo: None,
        })
    }

    /// The page again after a refusal: 422 for bad values, 409 for what is still in use.
    pub fn refused(mut self, status: StatusCode, error: String) -> Response {
        self.error = Some(error);
        (status, self).into_response()
    }
}

/// What saving a change came to.
pub enum Saved {
    /// Saved: back to the page with GET.
    Done(Response),
    /// The domain or the store named bad fields.
    Invalid(FieldErrors),
    /// Still in use by visits now in the office.
    InUse(Stranded),
}

/// Checks `change` against the settings as they are (so that every bad value is named at once,
/// with those the page found itself), then saves it; `page_errors` are the values the page could
/// not even parse: with any of them nothing is saved.
pub async fn save(
    state: &AppState,
    staff: &PageStaff,
    change: SettingsChange,
    page_errors: bool,
    part: &'static str,
    back_to: &str,
) -> Result<Saved, PageError> {
    let current = state.store.settings().await?;
    if let Err(refused) = current.with(change.clone()) {
        return refusal(refused);
    }
    if page_errors {
        return Ok(Saved::Invalid(FieldErrors::default()));
    }
    match settings::change_part(&state.app, &staff.user, part, change).await {
        Ok(_) => Ok(Saved::Done(see_other(&format!("{back_to}?saved=1")))),
        Err(AppError::Refused(refused)) => refusal(refused),
        Err(e) => Err(PageError::from(e).for_staff(staff)),
    }
}

fn refusal(refused: Refused) -> Result<Saved, PageError> {
    match refused {
        Refused::Validation(fields) => Ok(Saved::Invalid(fields)),
        Refused::InUse(stranded) => Ok(Saved::InUse(stranded)),
        other => Err(PageError::Internal(other.into())),
    }
}

/// What is still in use, as a sentence: "… loket 1; layanan B".
pub fn in_use_text(t: Tr, stranded: &Stranded) -> String {
    let mut parts = Vec::new();
    for (key, items) in [
        ("settings-in-use-counters", &stranded.counters),
        ("settings-in-use-services", &stranded.services),
        ("settings-in-use-categories", &stranded.categories),
    ] {
        if !items.is_empty() {
            parts.push(t.with(key, "codes", items.join(", ")));
        }
    }
    t.with("settings-in-use", "what", parts.join("; "))
}

/// A number typed into a form; a bad one is a field error and reads as 0 (which the domain
/// refuses too, so that its own checks still run on the rest).
pub fn number<N: std::str::FromStr + Default>(typed: &str, bad: &mut bool) -> N {
    match typed.trim().parse::<N>() {
        Ok(n) => n,
        Err(_) => {
            *bad = true;
            N::default()
        }
    }
}

/// The answer to a refused list form: the page with each problem next to its field.
pub fn respond(page: SettingsFormPage, t: Tr, in_use: Option<&Stranded>) -> PageResult {
    Ok(match in_use {
        Some(stranded) => page.refused(StatusCode::CONFLICT, in_use_text(t, stranded)),
        None => page.refused(StatusCode::UNPROCESSABLE_ENTITY, t.get("error-validation")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 2] =
        [Column { key: "code", label_key: "x", width: "code" }, Column { key: "name", label_key: "y", width: "wide" }];

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn rows_are_read_in_order_and_blank_or_removed_rows_are_left_out() {
        let posted = form(&[
            ("s-1-code", "B"),
            ("s-0-code", "A"),
            ("s-0-name", "Konsultasi"),
            ("s-1-name", "Verifikasi"),
            ("s-1-remove", "on"),
            ("s-2-code", " "),
            ("t-0-code", "other list"),
            ("s-x-code", "not a row"),
            ("s-999-code", "too far"),
        ]);
        let rows = typed_rows(&posted, "s", &COLS);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].values, ["A", "Konsultasi"]);
        assert!(rows[1].removed);
        let kept: Vec<usize> = kept(&rows).iter().map(|r| r.index).collect();
        assert_eq!(kept, [0]);
    }

    #[test]
    fn domain_errors_land_on_the_row_as_typed() {
        let errors = FieldErrors(
            [("services[1].name".to_string(), "invalid".to_string()), ("services".to_string(), "missing".to_string())]
                .into(),
        );
        let mut list = ListErrors::default();
        // The second row kept is the fourth row of the form.
        list.take(&errors, "services", "services", &[0, 3], &COLS);
        assert_eq!(list.cells.get(&(3, 1)).map(String::as_str), Some("invalid"));
        assert_eq!(list.list.as_deref(), Some("missing"));
    }
}
