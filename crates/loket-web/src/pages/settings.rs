//! The supervisor's settings: the time standards of the SOP steps. A bad value is named next to
//! its field, every value typed stays, and nothing is saved until all of them are good (the store
//! replaces the table whole, in one transaction).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use loket_app::{AppError, settings};
use loket_domain::auth::Permission;
use loket_domain::settings::SettingsChange;
use loket_domain::standards::StepStandard;
use serde::Deserialize;

use super::session::{PageForm, PageStaff};
use super::{Frame, PageError, PageResult, field_reason_key, see_other};
use crate::AppState;

/// The SOP's twelve steps.
const STEPS: std::ops::RangeInclusive<u8> = 1..=12;

pub struct StandardRow {
    pub step: u8,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "time_standards.html")]
pub struct TimeStandardsPage {
    pub page: Frame,
    pub links: Vec<super::NavLink>,
    pub rows: Vec<StandardRow>,
    pub error: Option<String>,
    pub saved: bool,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

async fn build(
    state: &AppState,
    staff: &PageStaff,
    values: &BTreeMap<u8, String>,
    errors: &BTreeMap<u8, String>,
    error: Option<String>,
    saved: bool,
) -> Result<TimeStandardsPage, PageError> {
    let t = staff.tr();
    let rows = STEPS
        .map(|step| StandardRow {
            step,
            label: t.get(&format!("step-{step}")),
            value: values.get(&step).cloned().unwrap_or_default(),
            error: errors.get(&step).map(|reason| t.get(field_reason_key(reason))),
        })
        .collect();
    Ok(TimeStandardsPage {
        page: Frame::staff(state, staff, "time-standards-title", "/supervisor").await?,
        links: super::setting_forms::settings_links(t, "/supervisor/time-standards"),
        rows,
        error,
        saved,
    })
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<SavedQuery>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let settings = state.store.settings().await?;
    let values = settings.time_standards.iter().map(|s| (s.step, s.minutes.to_string())).collect();
    Ok(build(&state, &staff, &values, &BTreeMap::new(), None, q.saved.is_some()).await?.into_response())
}

/// The time standards as posted: what each step's field holds, the standards that read, and the
/// steps whose minutes do not (`invalid`).
struct Typed {
    values: BTreeMap<u8, String>,
    errors: BTreeMap<u8, String>,
    standards: Vec<StepStandard>,
}

fn typed(form: &[(String, String)]) -> Typed {
    let mut values = BTreeMap::new();
    let mut errors = BTreeMap::new();
    let mut standards = Vec::new();
    for step in STEPS {
        let typed = form.iter().find(|(k, _)| *k == format!("step-{step}")).map(|(_, v)| v.clone()).unwrap_or_default();
        match typed.trim() {
            "" => {}
            text => match text.parse::<u32>() {
                Ok(minutes) => standards.push(StepStandard { step, minutes }),
                Err(_) => {
                    errors.insert(step, "invalid".to_owned());
                }
            },
        }
        values.insert(step, typed);
    }
    Typed { values, errors, standards }
}

/// Replaces the time standards: `step-N` holds step N's minutes; empty means no standard.
pub async fn save(
    State(state): State<AppState>,
    PageForm { staff, form }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let Typed { values, mut errors, standards } = typed(&form);
    if errors.is_empty() {
        let change = SettingsChange::TimeStandards(standards.clone());
        match settings::change(&state.app, &staff.user, change).await {
            Ok(_) => return Ok(see_other("/supervisor/time-standards?saved=1")),
            Err(AppError::Refused(loket_domain::Refused::Validation(fields))) => {
                // The domain names rows by their place in the list (`[2].minutes`): back to steps.
                for (key, reason) in fields.0 {
                    let index =
                        key.strip_prefix('[').and_then(|k| k.split(']').next()).and_then(|i| i.parse::<usize>().ok());
                    if let Some(s) = index.and_then(|i| standards.get(i)) {
                        errors.insert(s.step, reason);
                    }
                }
            }
            Err(e) => return Err(PageError::from(e).for_staff(&staff)),
        }
    }
    let t = staff.tr();
    let page = build(&state, &staff, &values, &errors, Some(t.get("error-validation")), false).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
