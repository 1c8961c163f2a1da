//! The office's own settings: its name, time zone, closing time, the calling policy
//! (`returns_after_skip`, `seconds_between_calls`), sign-in lifetime, archive numbers, the LKPP address and the display
//! board's running text; and the fields
//! a complete consultation form needs (SOP step 4).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::NaiveTime;
use loket_domain::auth::Permission;
use loket_domain::form::{ALWAYS_REQUIRED_FIELDS, REQUIRABLE_FIELDS};
use loket_domain::office::ZONES;
use loket_domain::settings::{OfficeProfile, SettingsChange};
use serde::Deserialize;

use super::front_office::{Choice, FieldView};
use super::i18n::Tr;
use super::session::{PageForm, PageStaff};
use super::setting_forms::{CheckGroup, CheckView, Saved, SettingsFormPage, number, reason_text, respond, save};
use super::settings::SavedQuery;
use super::{PageError, PageResult};
use crate::AppState;

pub const OFFICE: &str = "/supervisor/settings/office";
const FORM_FIELDS: &str = "/supervisor/settings/form-fields";

/// What the office form posts, every value as typed.
#[derive(Deserialize, Default, Clone)]
pub struct OfficeForm {
    #[serde(default)]
    office_name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    closing_time: String,
    #[serde(rename = "calling.returns_after_skip", default)]
    returns_after_skip: String,
    #[serde(rename = "calling.seconds_between_calls", default)]
    seconds_between_calls: String,
    #[serde(default)]
    session_minutes: String,
    #[serde(default)]
    archive_pattern: String,
    #[serde(default)]
    lkpp_email: String,
    #[serde(default)]
    running_text: String,
    #[serde(default)]
    public_url: String,
}

impl OfficeForm {
    fn of(p: &OfficeProfile) -> OfficeForm {
        OfficeForm {
            office_name: p.office_name.clone(),
            time_zone: p.time_zone.clone(),
            closing_time: p.closing_time.map(|c| c.format("%H:%M").to_string()).unwrap_or_default(),
            returns_after_skip: p.calling.returns_after_skip.to_string(),
            seconds_between_calls: p.calling.seconds_between_calls.to_string(),
            session_minutes: p.session_minutes.to_string(),
            archive_pattern: p.archive_pattern.clone(),
            lkpp_email: p.lkpp_email.clone(),
            running_text: p.running_text.clone(),
            public_url: p.public_url.clone(),
        }
    }
}

/// A closing time as typed: `16:00` or `16:00:00`; empty is none (the day ends at midnight).
pub fn parse_closing_time(typed: &str) -> Result<Option<NaiveTime>, chrono::ParseError> {
    match typed.trim() {
        "" => Ok(None),
        s => NaiveTime::parse_from_str(s, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .or_else(|_| NaiveTime::parse_from_str(s, "%H.%M"))
            .map(Some),
    }
}

fn office_fields(t: Tr, typed: &OfficeForm, errors: &BTreeMap<String, String>) -> Vec<FieldView> {
    let field = |name: &'static str, kind: &'static str, value: &str, options: Vec<Choice>| FieldView {
        name,
        id: name.replace(['.', '_'], "-"),
        label: t.get(&format!("settings-field-{}", name.replace(['.', '_'], "-"))),
        kind,
        value: value.to_owned(),
        required: false,
        error: errors.get(name).map(|reason| reason_text(t, reason)),
        options,
        autocomplete: "off",
        hint: None,
    };
    let zones = ZONES
        .iter()
        .map(|z| Choice {
            value: (*z).to_owned(),
            label: t.get(&format!("zone-{}", z.replace('/', "-"))),
            selected: *z == typed.time_zone,
        })
        .collect();
    vec![
        field("office_name", "text", &typed.office_name, Vec::new()),
        field("time_zone", "select", "", zones),
        field("closing_time", "text", &typed.closing_time, Vec::new()),
        field("calling.returns_after_skip", "text", &typed.returns_after_skip, Vec::new()),
        field("calling.seconds_between_calls", "text", &typed.seconds_between_calls, Vec::new()),
        field("session_minutes", "text", &typed.session_minutes, Vec::new()),
        field("archive_pattern", "text", &typed.archive_pattern, Vec::new()),
        field("lkpp_email", "email", &typed.lkpp_email, Vec::new()),
        field("running_text", "textarea", &typed.running_text, Vec::new()),
        field("public_url", "url", &typed.public_url, Vec::new()),
    ]
}

async fn office_page(
    state: &AppState,
    staff: &PageStaff,
    typed: &OfficeForm,
    errors: &BTreeMap<String, String>,
    saved: bool,
) -> Result<SettingsFormPage, PageError> {
    let mut page = SettingsFormPage::new(state, staff, OFFICE, "settings-office", saved).await?;
    page.fields = office_fields(staff.tr(), typed, errors);
    page.logo = Some(super::office_logo::section(state, staff, None).await?);
    Ok(page)
}

/// The office page with the settings as stored (after a logo upload, which is a form of its own).
pub async fn office_page_for(state: &AppState, staff: &PageStaff) -> Result<SettingsFormPage, PageError> {
    let settings = state.store.settings().await?;
    office_page(state, staff, &OfficeForm::of(&settings.office), &BTreeMap::new(), false).await
}

/// `?saved=1` after the settings were saved, `?logo=saved` or `?logo=removed` after the logo
/// changed.
#[derive(Deserialize, Default)]
pub struct OfficeQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    logo: Option<String>,
}

pub async fn office(State(state): State<AppState>, staff: PageStaff, Query(q): Query<OfficeQuery>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let settings = state.store.settings().await?;
    let typed = OfficeForm::of(&settings.office);
    let mut page = office_page(&state, &staff, &typed, &BTreeMap::new(), q.saved.is_some()).await?;
    let notice = match q.logo.as_deref() {
        Some("saved") => Some("settings-logo-saved"),
        Some("removed") => Some("settings-logo-removed"),
        _ => None,
    };
    if let (Some(logo), Some(key)) = (page.logo.as_mut(), notice) {
        logo.notice = Some(staff.tr().get(key));
    }
    Ok(page.into_response())
}

/// Saves the office's own settings; the services and the required fields stay as they are.
pub async fn save_office(State(state): State<AppState>, PageForm { staff, form }: PageForm<OfficeForm>) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let settings = state.store.settings().await?;
    let (profile, mut errors) = typed_profile(&settings.office, &form);
    let change = SettingsChange::Office(profile);
    let in_use = match save(&state, &staff, change, !errors.is_empty(), "office", OFFICE).await? {
        Saved::Done(response) => return Ok(response),
        Saved::Invalid(fields) => {
            for (k, v) in fields.0 {
                errors.entry(k).or_insert(v);
            }
            None
        }
        Saved::InUse(stranded) => Some(stranded),
    };
    let page = office_page(&state, &staff, &form, &errors, false).await?;
    respond(page, staff.tr(), in_use.as_ref())
}

/// The office's profile as typed, over the one saved (its services and required fields kept),
/// and the fields that cannot be read (`invalid`, by name).
fn typed_profile(saved: &OfficeProfile, form: &OfficeForm) -> (OfficeProfile, BTreeMap<String, String>) {
    let mut errors = BTreeMap::new();
    let mut profile = saved.clone();
    profile.office_name = form.office_name.trim().to_owned();
    profile.time_zone = form.time_zone.clone();
    profile.archive_pattern = form.archive_pattern.trim().to_owned();
    profile.lkpp_email = form.lkpp_email.trim().to_owned();
    profile.running_text = form.running_text.trim().to_owned();
    profile.public_url = form.public_url.trim().to_owned();
    match parse_closing_time(&form.closing_time) {
        Ok(closing) => profile.closing_time = closing,
        Err(_) => {
            errors.insert("closing_time".to_owned(), "invalid".to_owned());
        }
    }
    for (name, typed, target) in [
        ("calling.returns_after_skip", &form.returns_after_skip, &mut profile.calling.returns_after_skip),
        ("calling.seconds_between_calls", &form.seconds_between_calls, &mut profile.calling.seconds_between_calls),
        ("session_minutes", &form.session_minutes, &mut profile.session_minutes),
    ] {
        let mut bad = false;
        *target = number(typed, &mut bad);
        if bad {
            errors.insert(name.to_owned(), "invalid".to_owned());
        }
    }
    (profile, errors)
}

fn form_fields_group(t: Tr, required: &[String], error: Option<String>) -> CheckGroup {
    CheckGroup {
        legend: t.get("settings-form-fields-legend"),
        items: REQUIRABLE_FIELDS
            .iter()
            .map(|f| CheckView {
                name: "required",
                id: format!("required-{}", f.replace(['.', '_'], "-")),
                value: (*f).to_owned(),
                label: t.get(&format!("field-{}", f.replace(['.', '_'], "-"))),
                // Always required, whatever was saved before: shown ticked.
                checked: required.iter().any(|r| r == f) || ALWAYS_REQUIRED_FIELDS.contains(f),
            })
            .collect(),
        error,
    }
}

async fn form_fields_page(
    state: &AppState,
    staff: &PageStaff,
    required: &[String],
    error: Option<String>,
    saved: bool,
) -> Result<SettingsFormPage, PageError> {
    let mut page = SettingsFormPage::new(state, staff, FORM_FIELDS, "settings-form-fields", saved).await?;
    page.checks = Some(form_fields_group(staff.tr(), required, error));
    Ok(page)
}

pub async fn form_fields(State(state): State<AppState>, staff: PageStaff, Query(q): Query<SavedQuery>) -> PageResult {
    staff.require(Permission::ReadSettings)?;
    let settings = state.store.settings().await?;
    Ok(form_fields_page(&state, &staff, &settings.office.required_fields, None, q.saved.is_some())
        .await?
        .into_response())
}

/// Saves which fields a complete form needs: the boxes ticked.
pub async fn save_form_fields(
    State(state): State<AppState>,
    PageForm { staff, form }: PageForm<Vec<(String, String)>>,
) -> PageResult {
    staff.require(Permission::ChangeSettings)?;
    let required: Vec<String> = form.iter().filter(|(k, _)| k == "required").map(|(_, v)| v.clone()).collect();
    let mut profile = state.store.settings().await?.office.clone();
    profile.required_fields = required.clone();
    let t = staff.tr();
    let in_use =
        match save(&state, &staff, SettingsChange::Office(profile), false, "required_fields", FORM_FIELDS).await? {
            Saved::Done(response) => return Ok(response),
            Saved::Invalid(fields) => {
                let error = fields.0.get("required_fields").map(|reason| reason_text(t, reason));
                let page = form_fields_page(&state, &staff, &required, error, false).await?;
                return respond(page, t, None);
            }
            Saved::InUse(stranded) => stranded,
        };
    let page = form_fields_page(&state, &staff, &required, None, false).await?;
    respond(page, t, Some(&in_use))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_time_is_typed_with_a_colon_or_a_dot() {
        let four = NaiveTime::from_hms_opt(16, 0, 0);
        assert_eq!(parse_closing_time("16:00"), Ok(four));
        assert_eq!(parse_closing_time(" 16.00 "), Ok(four));
        assert_eq!(parse_closing_time("16:00:00"), Ok(four));
        assert_eq!(parse_closing_time(""), Ok(None));
        assert!(parse_closing_time("25:00").is_err());
        assert!(parse_closing_time("sore").is_err());
    }
}
