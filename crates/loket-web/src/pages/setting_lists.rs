//! The settings that are lists: the priority table (SOP step 9), and the services with the
//! counters that call them (SOP step 8), saved together so that a new service and its counter,
//! or a service and the counters that called it, change in one step.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use loket_domain::auth::Permission;
use loket_domain::office::{Counter, Service};
use loket_domain::priority::Category;
use loket_domain::settings::SettingsChange;

use super::PageResult;
use super::session::{PageForm, PageStaff};
use super::setting_forms::{
    Column, ListErrors, Saved, SettingsFormPage, TypedRow, kept, number, respond, save, table, typed_rows,
};
use super::settings::SavedQuery;
use crate::AppState;

const PRIORITIES: &str = "/supervisor/settings/priorities";
const DESKS: &str = "/supervisor/settings/desks";

const CATEGORY_COLUMNS: [Column; 5] = [
    Column { key: "code", label_key: "settings-code", width: "code" },
    Column { key: "name", label_key: "settings-name", width: "wide" },
    Column { key: "priority", label_key: "settings-priority", width: "minutes" },
    Column { key: "analysis_minutes", label_key: "settings-analysis-minutes", width: "minutes" },
    Column { key: "resolution_minutes", label_key: "settings-resolution-minutes", width: "minutes" },
];

const SERVICE_COLUMNS: [Column; 2] = [
    Column { key: "code", label_key: "settings-code", width: "code" },
    Column { key: "name", label_key: "settings-name", width: "wide" },
];

const COUNTER_COLUMNS: [Column; 3] = [
    Column { key: "code", label_key: "settings-code", width: "code" },
    Column { key: "name", label_key: "settings-name", width: "wide" },
    Column { key: "services", label_key: "settings-counter-services", width: "services" },
];

fn rows_of<T>(items: &[T], values: impl Fn(&T) -> Vec<String>) -> Vec<TypedRow> {
    items.iter().enumerate().map(|(index, item)| TypedRow { index, values: values(item), removed: false }).collect()
}

async fn priorities_page(
    state: &AppState,
    staff: &PageStaff,
    rows: &[TypedRow],
    errors: &ListErrors,
    saved: bool,
) -> Result<SettingsFormPage, super::PageError> {
    let t = staff.tr();
    let mut page = SettingsFormPage::new(state, staff, PRIORITIES, "settings-priorities", saved).await?;
    if state.store.settings().await?.priorities.is_example {
        page.hint = format!("{} {}", page.hint, t.get("settings-priorities-example"));
    }
    page.tables.push(table(t, "categories", "settings-priorities-table", &CATEGORY_COLUMNS, rows, errors));
    Ok(page)
}

pub async fn priorities(State(state): State<AppState>, staff: PageStaff, Query(q): Query<SavedQuery>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let settings = state.store.settings().await?;
    let rows = rows_of(&settings.priorities.categories, |c| {
        vec![
            c.code.clone(),
            c.name.clone(),
            c.priority.to_string(),
            c.analysis_minutes.to_string(),
            c.resolution_minutes.to_string(),
        ]
    });
    Ok(priorities_page(&state, &staff, &rows, &ListErrors::default(), q.saved.is_some()).await?.into_response())
}

/// Replaces the priority table with the rows kept.
pub async fn save_priorities(
    State(state): State<AppState>,
    PageForm { staff, form }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let rows = typed_rows(&form, "categories", &CATEGORY_COLUMNS);
    let kept = kept(&rows);
    let mut errors = ListErrors::default();
    let categories = typed_categories(&kept, &mut errors);
    let indices: Vec<usize> = kept.iter().map(|r| r.index).collect();
    let change = SettingsChange::Priorities(categories);
    let in_use = match save(&state, &staff, change, !errors.is_empty(), "priorities", PRIORITIES).await? {
        Saved::Done(response) => return Ok(response),
        Saved::Invalid(fields) => {
            errors.take(&fields, "categories", "", &indices, &CATEGORY_COLUMNS);
            None
        }
        Saved::InUse(stranded) => {
            errors.list = Some("in_use".to_owned());
            Some(stranded)
        }
    };
    let page = priorities_page(&state, &staff, &rows, &errors, false).await?;
    respond(page, staff.tr(), in_use.as_ref())
}

/// The categories of the rows kept; a number that does not read is named in its cell.
fn typed_categories(kept: &[&TypedRow], errors: &mut ListErrors) -> Vec<Category> {
    let mut categories = Vec::new();
    for row in kept {
        let mut cell = |c: usize| {
            let mut bad = false;
            let n: u32 = number(row.value(c), &mut bad);
            if bad {
                errors.cell(row.index, c, "invalid");
            }
            n
        };
        let (priority, analysis, resolution) = (cell(2), cell(3), cell(4));
        categories.push(Category {
            code: row.value(0).trim().to_owned(),
            name: row.value(1).trim().to_owned(),
            priority: u8::try_from(priority).unwrap_or(0),
            analysis_minutes: analysis,
            resolution_minutes: resolution,
        });
    }
    categories
}

async fn desks_page(
    state: &AppState,
    staff: &PageStaff,
    services: (&[TypedRow], &ListErrors),
    counters: (&[TypedRow], &ListErrors),
    saved: bool,
) -> Result<SettingsFormPage, super::PageError> {
    let t = staff.tr();
    let mut page = SettingsFormPage::new(state, staff, DESKS, "settings-desks", saved).await?;
    page.tables.push(table(t, "services", "settings-services-table", &SERVICE_COLUMNS, services.0, services.1));
    page.tables.push(table(t, "counters", "settings-counters-table", &COUNTER_COLUMNS, counters.0, counters.1));
    Ok(page)
}

pub async fn desks(State(state): State<AppState>, staff: PageStaff, Query(q): Query<SavedQuery>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let settings = state.store.settings().await?;
    let services = rows_of(&settings.office.services, |s| vec![s.code.clone(), s.name.clone()]);
    let counters = rows_of(&settings.counters, |c| vec![c.code.clone(), c.name.clone(), c.services.join(", ")]);
    let none = ListErrors::default();
    let page = desks_page(&state, &staff, (&services, &none), (&counters, &none), q.saved.is_some()).await?;
    Ok(page.into_response())
}

/// Replaces the services and the counters together. A counter's services are typed as their
/// codes, separated by commas or spaces.
pub async fn save_desks(
    State(state): State<AppState>,
    PageForm { staff, form }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let service_rows = typed_rows(&form, "services", &SERVICE_COLUMNS);
    let counter_rows = typed_rows(&form, "counters", &COUNTER_COLUMNS);
    let (kept_services, kept_counters) = (kept(&service_rows), kept(&counter_rows));
    let (services, counters) = (typed_services(&kept_services), typed_counters(&kept_counters));
    let service_indices: Vec<usize> = kept_services.iter().map(|r| r.index).collect();
    let counter_indices: Vec<usize> = kept_counters.iter().map(|r| r.index).collect();
    let (mut service_errors, mut counter_errors) = (ListErrors::default(), ListErrors::default());
    let change = SettingsChange::Desks { services, counters };
    let in_use = match save(&state, &staff, change, false, "desks", DESKS).await? {
        Saved::Done(response) => return Ok(response),
        Saved::Invalid(fields) => {
            service_errors.take(&fields, "services", "services", &service_indices, &SERVICE_COLUMNS);
            counter_errors.take(&fields, "counters", "counters", &counter_indices, &COUNTER_COLUMNS);
            None
        }
        Saved::InUse(stranded) => {
            if !stranded.services.is_empty() {
                service_errors.list = Some("in_use".to_owned());
            }
            if !stranded.counters.is_empty() {
                counter_errors.list = Some("in_use".to_owned());
            }
            Some(stranded)
        }
    };
    let page =
        desks_page(&state, &staff, (&service_rows, &service_errors), (&counter_rows, &counter_errors), false).await?;
    respond(page, staff.tr(), in_use.as_ref())
}

/// The services of the rows kept.
fn typed_services(kept: &[&TypedRow]) -> Vec<Service> {
    kept.iter().map(|r| Service { code: r.value(0).trim().to_owned(), name: r.value(1).trim().to_owned() }).collect()
}

/// The counters of the rows kept, each with the codes of its services (separated by commas or
/// spaces).
fn typed_counters(kept: &[&TypedRow]) -> Vec<Counter> {
    kept.iter()
        .map(|r| Counter {
            code: r.value(0).trim().to_owned(),
            name: r.value(1).trim().to_owned(),
            services: r
                .value(2)
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        })
        .collect()
}
