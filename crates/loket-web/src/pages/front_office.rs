//! The front office (SOP steps 1-7): today's guest book with search, a new entry, the
//! consultation form with every field, the completeness check that shows each problem next to
//! its field and keeps every character typed, and the queue number it gives.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use loket_app::{AppError, visits};
use loket_domain::auth::Permission;
use loket_domain::form::FormInput;
use loket_domain::guest_book::{Contact, Visitor, VisitorInput, VisitorRole};
use loket_domain::office::office_day;
use loket_domain::settings::OfficeSettings;
use loket_domain::{FieldErrors, Refused, Status, Visit};
use serde::Deserialize;

use super::counter::status_text;
use super::i18n::Tr;
use super::session::{PageForm, PageStaff};
use super::{Frame, PageError, PageResult, field_message, field_reason_key, refusal_key, see_other};
use crate::AppState;

pub const ROLES: [VisitorRole; 9] = [
    VisitorRole::Penyedia,
    VisitorRole::PaKpa,
    VisitorRole::Ppk,
    VisitorRole::PokjaPemilihan,
    VisitorRole::PejabatPengadaan,
    VisitorRole::Pphp,
    VisitorRole::Auditor,
    VisitorRole::Public,
    VisitorRole::Other,
];

/// The code of a visitor role as the API spells it (`pa_kpa`).
pub fn role_code(role: VisitorRole) -> String {
    serde_json::to_value(role).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn parse_role(code: &str) -> Option<VisitorRole> {
    ROLES.into_iter().find(|r| role_code(*r) == code)
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One input of a form, with what was typed and its problem, if any.
pub struct FieldView {
    /// The form field's name (`visitor.phone`) and the element id (`visitor-phone`).
    pub name: &'static str,
    pub id: String,
    pub label: String,
    /// `text`, `tel`, `email`, `textarea` or `select`.
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    pub error: Option<String>,
    pub options: Vec<Choice>,
    pub autocomplete: &'static str,
    /// A line of help under the field (a stored password is kept when left empty).
    pub hint: Option<String>,
}

/// What the form posts: every field as typed, by its API name.
#[derive(Deserialize, Default, Clone)]
pub struct EntryForm {
    #[serde(rename = "visitor.name", default)]
    pub name: String,
    #[serde(rename = "visitor.organization", default)]
    pub organization: String,
    #[serde(rename = "visitor.role", default)]
    pub role: String,
    #[serde(rename = "visitor.phone", default)]
    pub phone: String,
    #[serde(rename = "visitor.email", default)]
    pub email: String,
    #[serde(rename = "form.category", default)]
    pub category: String,
    #[serde(rename = "form.subject", default)]
    pub subject: String,
    #[serde(rename = "form.description", default)]
    pub description: String,
    #[serde(rename = "form.spse_user_id", default)]
    pub spse_user_id: String,
    #[serde(rename = "form.tender_code", default)]
    pub tender_code: String,
    #[serde(default)]
    pub priority_lane: Option<String>,
    /// *Cari pengunjung lama*: look up the visitor by the phone or e-mail typed, instead of
    /// opening the visit.
    #[serde(default)]
    pub lookup: Option<String>,
}

impl EntryForm {
    fn from_visit(v: &Visit) -> EntryForm {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        EntryForm {
            name: s(&v.visitor.name),
            organization: s(&v.visitor.organization),
            role: v.visitor.role.map(role_code).unwrap_or_default(),
            phone: s(&v.visitor.phone),
            email: s(&v.visitor.email),
            category: s(&v.form.category),
            subject: s(&v.form.subject),
            description: s(&v.form.description),
            spse_user_id: s(&v.form.spse_user_id),
            tender_code: s(&v.form.tender_code),
            priority_lane: v.queue.priority_lane.then(|| "on".to_owned()),
            lookup: None,
        }
    }

    /// Takes over a returning visitor's guest book data into the fields left empty; what was
    /// typed stays as typed.
    fn take_over(&mut self, visitor: &Visitor) {
        let fill = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value.as_ref().filter(|_| field.trim().is_empty()) {
                *field = v.clone();
            }
        };
        fill(&mut self.name, &visitor.name);
        fill(&mut self.organization, &visitor.organization);
        fill(&mut self.phone, &visitor.phone);
        fill(&mut self.email, &visitor.email);
        if self.role.is_empty() {
            self.role = visitor.role.map(role_code).unwrap_or_default();
        }
    }

    /// The visitor as the domain takes it; a role that is not one of the list is a field error.
    pub(super) fn visitor(&self, errors: &mut FieldErrors) -> VisitorInput {
        let role = match self.role.as_str() {
            "" => None,
            code => {
                let parsed = parse_role(code);
                if parsed.is_none() {
                    errors.add("visitor.role", "invalid");
                }
                parsed
            }
        };
        VisitorInput {
            name: Some(self.name.clone()),
            organization: Some(self.organization.clone()),
            role,
            phone: Some(self.phone.clone()),
            email: Some(self.email.clone()),
        }
    }

    pub(super) fn form(&self) -> FormInput {
        FormInput {
            category: Some(self.category.clone()),
            subject: Some(self.subject.clone()),
            description: Some(self.description.clone()),
            spse_user_id: Some(self.spse_user_id.clone()),
            tender_code: Some(self.tender_code.clone()),
        }
    }
}

/// The inputs of the form, in the order of the paper form; `with_form` adds the consultation part.
pub(super) fn fields(
    t: Tr,
    typed: &EntryForm,
    errors: &BTreeMap<String, String>,
    settings: &OfficeSettings,
    with_form: bool,
) -> Vec<FieldView> {
    let roles =
        std::iter::once(Choice { value: String::new(), label: t.get("choose"), selected: typed.role.is_empty() })
            .chain(ROLES.into_iter().map(|r| {
                let code = role_code(r);
                Choice { label: t.get(&format!("visitor-role-{code}")), selected: code == typed.role, value: code }
            }))
            .collect();
    let categories =
        std::iter::once(Choice { value: String::new(), label: t.get("choose"), selected: typed.category.is_empty() })
            .chain(settings.priorities.categories.iter().map(|c| Choice {
                value: c.code.clone(),
                label: c.name.clone(),
                selected: c.code == typed.category,
            }))
            .collect();
    let mut out = Vec::new();
    let mut add =
        |name: &'static str, kind: &'static str, value: &str, options: Vec<Choice>, autocomplete: &'static str| {
            out.push(FieldView {
                name,
                id: name.replace(['.', '_'], "-"),
                label: t.get(&format!("field-{}", name.replace(['.', '_'], "-"))),
                kind,
                value: value.to_owned(),
                required: settings.office.requires(name),
                error: errors.get(name).map(|reason| field_message(t, name, reason)),
                options,
                autocomplete,
                hint: None,
            });
        };
    add("visitor.name", "text", &typed.name, Vec::new(), "name");
    add("visitor.organization", "text", &typed.organization, Vec::new(), "organization");
    add("visitor.role", "select", "", roles, "off");
    add("visitor.phone", "tel", &typed.phone, Vec::new(), "tel");
    add("visitor.email", "email", &typed.email, Vec::new(), "email");
    if with_form {
        add("form.category", "select", "", categories, "off");
        add("form.subject", "text", &typed.subject, Vec::new(), "off");
        add("form.description", "textarea", &typed.description, Vec::new(), "off");
        add("form.spse_user_id", "text", &typed.spse_user_id, Vec::new(), "off");
        add("form.tender_code", "text", &typed.tender_code, Vec::new(), "off");
    }
    out
}

pub struct GuestRow {
    pub id: String,
    pub time: String,
    pub reference: String,
    pub name: String,
    pub number: String,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "front_office.html")]
pub struct FrontOfficePage {
    pub page: Frame,
    pub q: String,
    pub guests: Vec<GuestRow>,
    pub kiosk: Vec<GuestRow>,
    pub fields: Vec<FieldView>,
    pub error: Option<String>,
    /// What the returning-visitor lookup found, or that it found nobody.
    pub notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

fn row(v: &Visit, t: Tr, settings: &OfficeSettings) -> GuestRow {
    GuestRow {
        id: v.id.clone(),
        time: loket_domain::format::time(t.lang, v.created_at, settings.zone()),
        reference: v.reference.clone(),
        name: v.visitor.name.clone().unwrap_or_default(),
        number: v.queue.number.clone().unwrap_or_default(),
        status: status_text(t, v.status),
    }
}

async fn guest_book(
    state: &AppState,
    staff: &PageStaff,
    q: String,
    typed: &EntryForm,
    errors: &BTreeMap<String, String>,
    error: Option<String>,
) -> Result<FrontOfficePage, PageError> {
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let today = office_day(state.now(), settings.zone());
    let visits = visits::of_day(&state.app, &staff.user, today).await?;
    let needle = q.trim().to_lowercase();
    let matches = |v: &&Visit| {
        needle.is_empty()
            || [&v.visitor.name, &v.visitor.phone, &v.visitor.email]
                .iter()
                .any(|f| f.as_deref().is_some_and(|s| s.to_lowercase().contains(&needle)))
            || v.reference.to_lowercase().contains(&needle)
    };
    let guests = visits.iter().filter(matches).map(|v| row(v, t, &settings)).collect();
    let kiosk = visits
        .iter()
        .filter(|v| {
            v.status == Status::FormSubmitted && v.history.first().is_some_and(|e| e.by == loket_domain::KIOSK_ACTOR)
        })
        .map(|v| row(v, t, &settings))
        .collect();
    Ok(FrontOfficePage {
        page: Frame::staff(state, staff, "front-office-title", "/front-office")
            .await?
            .with_script("/assets/front-office.js")
            // The kiosk's forms come in live.
            .with_script("/assets/live.js"),
        q,
        guests,
        kiosk,
        fields: fields(t, typed, errors, &settings, false),
        error,
        notice: None,
    })
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<SearchQuery>) -> PageResult {
    staff.require(Permission::FrontOffice)?;
    Ok(guest_book(&state, &staff, q.q, &EntryForm::default(), &BTreeMap::new(), None).await?.into_response())
}

/// Steps 1-2: a guest book entry; then on to its consultation form.
pub async fn open(State(state): State<AppState>, PageForm { staff, form }: PageForm<EntryForm>) -> PageResult {
    staff.require(Permission::FrontOffice)?;
    if form.lookup.is_some() {
        return look_up(&state, &staff, form).await;
    }
    let mut errors = FieldErrors::default();
    let visitor = form.visitor(&mut errors);
    let opened = if errors.is_empty() {
        visits::open(&state.app, &staff.user, visitor, None).await.map_err(Some)
    } else {
        Err(None)
    };
    match opened {
        Ok(visit) => Ok(see_other(&format!("/front-office/visits/{}", super::counter::encode(&visit.id)))),
        Err(e) => {
            let (key, fields) = field_problem(e, errors)?;
            let page = guest_book(&state, &staff, String::new(), &form, &fields, Some(staff.tr().get(key))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// *Cari pengunjung lama*: the last visit of the phone number (else the e-mail) typed fills the
/// fields left empty; the form comes back to be checked and opened.
async fn look_up(state: &AppState, staff: &PageStaff, mut form: EntryForm) -> PageResult {
    let t = staff.tr();
    let by_email = form.phone.trim().is_empty() && !form.email.trim().is_empty();
    let typed = if by_email { form.email.clone() } else { form.phone.clone() };
    let mut errors = BTreeMap::new();
    let (notice, error) = match Contact::parse(&typed) {
        None => {
            let field = if by_email { "visitor.email" } else { "visitor.phone" };
            errors.insert(field.to_owned(), if typed.trim().is_empty() { "missing" } else { "invalid" }.to_owned());
            (None, Some(t.get("lookup-needs-contact")))
        }
        Some(contact) => match visits::returning(&state.app, &staff.user, &contact).await? {
            Some(visit) => {
                form.take_over(&visit.visitor);
                let zone = state.store.settings().await?.zone();
                let when = loket_domain::format::long_date_time(t.lang, visit.created_at, zone);
                (Some(t.with2("lookup-found", "reference", &visit.reference, "when", when)), None)
            }
            None => (Some(t.get("lookup-none")), None),
        },
    };
    form.lookup = None;
    let mut page = guest_book(state, staff, String::new(), &form, &errors, error).await?;
    page.notice = notice;
    Ok(page.into_response())
}

/// A refusal as the sentence at the top of the form and the problem of each field.
pub(super) fn field_problem(
    e: Option<AppError>,
    errors: FieldErrors,
) -> Result<(&'static str, BTreeMap<String, String>), PageError> {
    match e {
        None => Ok((refusal_key(&Refused::Validation(FieldErrors::default())), errors.0)),
        Some(AppError::Refused(r)) => {
            let fields = match &r {
                Refused::Validation(f) | Refused::FormIncomplete(f) => f.0.clone(),
                _ => BTreeMap::new(),
            };
            Ok((refusal_key(&r), fields))
        }
        Some(other) => Err(PageError::from(other)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "visit_form.html")]
pub struct VisitFormPage {
    pub page: Frame,
    pub id: String,
    pub reference: String,
    pub status: String,
    pub number: Option<String>,
    pub editable: bool,
    pub fields: Vec<FieldView>,
    pub priority_lane: bool,
    pub error: Option<String>,
    /// Whether the visit may still be cancelled (before it is called), and why it was.
    pub cancellable: bool,
    pub cancel_reason: Option<String>,
    pub reason_error: Option<String>,
}

async fn visit_page(
    state: &AppState,
    staff: &PageStaff,
    visit: &Visit,
    typed: &EntryForm,
    errors: &BTreeMap<String, String>,
    error: Option<String>,
) -> Result<VisitFormPage, PageError> {
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let editable = matches!(visit.status, Status::FormIssued | Status::FormSubmitted | Status::FormIncomplete);
    Ok(VisitFormPage {
        page: Frame::staff(state, staff, "visit-form-title", "/front-office").await?,
        id: visit.id.clone(),
        reference: visit.reference.clone(),
        status: status_text(t, visit.status),
        number: visit.queue.number.clone(),
        editable,
        fields: fields(t, typed, errors, &settings, true),
        priority_lane: typed.priority_lane.is_some(),
        error,
        cancellable: matches!(
            visit.status,
            Status::FormIssued | Status::FormSubmitted | Status::FormIncomplete | Status::Waiting
        ),
        cancel_reason: visit.cancel_reason.clone(),
        reason_error: None,
    })
}

async fn find(state: &AppState, staff: &PageStaff, id: &str) -> Result<Visit, PageError> {
    visits::get(&state.app, &staff.user, id).await.map_err(|e| PageError::from(e).for_staff(staff))
}

pub async fn visit(State(state): State<AppState>, staff: PageStaff, Path(id): Path<String>) -> PageResult {
    staff.require(Permission::FrontOffice)?;
    let visit = find(&state, &staff, &id).await?;
    let typed = EntryForm::from_visit(&visit);
    Ok(visit_page(&state, &staff, &visit, &typed, &BTreeMap::new(), None).await?.into_response())
}

/// Step 3 saved, then step 4: complete gives the number (5, 7); incomplete (6) shows each
/// problem next to its field, with everything typed kept.
pub async fn check(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { staff, form }: PageForm<EntryForm>,
) -> PageResult {
    staff.require(Permission::FrontOffice)?;
    let mut errors = FieldErrors::default();
    let visitor = form.visitor(&mut errors);
    let input = form.form();
    let outcome = if errors.is_empty() {
        let lane = form.priority_lane.is_some();
        visits::save_and_check(&state.app, &staff.user, &id, visitor, input, lane).await.map_err(Some)
    } else {
        Err(None)
    };
    let (key, fields) = match outcome {
        Ok(_) => return Ok(see_other(&format!("/front-office/visits/{}", super::counter::encode(&id)))),
        Err(e) => field_problem(e, errors)?,
    };
    let visit = find(&state, &staff, &id).await?;
    let page = visit_page(&state, &staff, &visit, &form, &fields, Some(staff.tr().get(key))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

/// Cancels a visit with a reason (before it is called): the visitor left, or came by mistake.
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { staff, form }: PageForm<CancelForm>,
) -> PageResult {
    staff.require(Permission::Cancel)?;
    let path = format!("/front-office/visits/{}", super::counter::encode(&id));
    match visits::cancel(&state.app, &staff.user, &id, form.reason.clone()).await {
        Ok(_) => Ok(see_other(&path)),
        Err(e) => {
            let (key, fields) = field_problem(Some(e), FieldErrors::default())?;
            let visit = find(&state, &staff, &id).await?;
            let t = staff.tr();
            let typed = EntryForm::from_visit(&visit);
            let mut page = visit_page(&state, &staff, &visit, &typed, &BTreeMap::new(), Some(t.get(key))).await?;
            page.reason_error = fields.get("reason").map(|r| t.get(field_reason_key(r)));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
