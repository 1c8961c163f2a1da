//! The visit: front office (steps 1-7) and helpdesk (steps 9-12) actions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use loket_domain::archive::CopyVia;
use loket_domain::auth::Permission;
use loket_domain::escalation::LkppAnswer;
use loket_domain::form::FormInput;
use loket_domain::guest_book::VisitorInput;
use loket_domain::settings::OfficeSettings;
use loket_domain::visit::EscalationRequest;
use loket_domain::{Event, FieldErrors, Refused, Status, Visit};
use loket_store::{OpenVisit, VisitFilter};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, OptionalJson, Staff};
use crate::views::VisitView;

/// Applies one domain transition to the visit, as `staff`, and answers with the visit.
async fn apply<F>(
    state: &AppState,
    staff: &Staff,
    permission: Permission,
    id: &str,
    transition: F,
) -> ApiResult<Json<VisitView>>
where
    F: FnOnce(&mut Visit, &OfficeSettings, DateTime<Utc>, &str) -> Result<Event, Refused> + Send + 'static,
{
    staff.require(permission)?;
    let now = state.now();
    let by = staff.name().to_owned();
    let visit = state.store.change_visit(id, now, Box::new(move |v, s| transition(v, s, now, &by))).await?;
    Ok(Json(state.view(visit).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVisit {
    /// Only `name` is needed here; the rest may come with the form.
    pub visitor: VisitorInput,
    /// A service code; the office's first service when absent.
    pub service: Option<String>,
}

/// Steps 1-2: the guest book entry, and the form issued.
#[utoipa::path(post, path = "/api/v1/visits", operation_id = "create_visit", tag = "front office", request_body = CreateVisit, security(("bearer" = [])),
    responses((status = 201, body = VisitView), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<CreateVisit>,
) -> ApiResult<(StatusCode, Json<VisitView>)> {
    staff.require(Permission::FrontOffice)?;
    let open = OpenVisit { service: req.service, visitor: req.visitor, form: None };
    let visit = state.store.open_visit(open, state.now(), staff.name()).await?;
    Ok((StatusCode::CREATED, Json(state.view(visit).await?)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A visit status (`waiting`).
    pub status: Option<String>,
    /// The office day the visit was opened, `YYYY-MM-DD`.
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/visits", tag = "front office", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = [VisitView]), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<VisitView>>> {
    staff.require(Permission::ReadVisits)?;
    let mut errors = FieldErrors::default();
    let status = q.status.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
        let parsed = Status::parse(s);
        if parsed.is_none() {
            errors.add("status", "invalid");
        }
        parsed
    });
    let day = parse_day(q.date.as_deref(), "date", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let visits = state.store.visits(VisitFilter { status, day, limit: Some(500) }).await?;
    let mut out = Vec::with_capacity(visits.len());
    for v in visits {
        out.push(state.view(v).await?);
    }
    Ok(Json(out))
}

pub(crate) fn parse_day(value: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let v = value.filter(|s| !s.is_empty())?;
    // Exactly `YYYY-MM-DD`: the parser alone would also take `2026-1-5`.
    let shaped = v.len() == 10
        && v.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    match NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().filter(|_| shaped).ok_or(()) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "invalid");
            None
        }
    }
}

#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "front office", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<Json<VisitView>> {
    staff.require(Permission::ReadVisits)?;
    let visit = state.store.visit(&id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(state.view(visit).await?))
}

/// The visit's history: every transition, who, when, from, to (the audit trail).
#[utoipa::path(get, path = "/api/v1/visits/{id}/history", tag = "front office", security(("bearer" = [])),
    responses((status = 200, body = [Event]), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Event>>> {
    staff.require(Permission::ReadVisits)?;
    state.store.visit(&id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(state.store.history(&id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveForm {
    pub visitor: Option<VisitorInput>,
    pub form: FormInput,
}

/// Step 3: saves whatever is given, complete or not. Each given field is checked for its format.
#[utoipa::path(put, path = "/api/v1/visits/{id}/form", tag = "front office", request_body = SaveForm, security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SaveForm>,
) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::FrontOffice, &id, move |v, s, now, by| {
        v.save_form(req.visitor.as_ref(), &req.form, s, now, by)
    })
    .await
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Visitors with special needs (UU 25/2009) are called before ordinary ones.
    #[serde(default)]
    pub priority_lane: bool,
}

/// Step 4: complete gives a queue number (steps 5 and 7); incomplete answers 422
/// `form_incomplete` naming each field (step 6), and keeps everything entered.
#[utoipa::path(post, path = "/api/v1/visits/{id}/check", tag = "front office", request_body(content = Option<CheckRequest>), security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(req): OptionalJson<CheckRequest>,
) -> ApiResult<Json<VisitView>> {
    staff.require(Permission::FrontOffice)?;
    let checked = state.store.check_visit(&id, req.priority_lane, state.now(), staff.name()).await?;
    match checked.incomplete {
        Some(fields) => Err(ApiError::Refused(Refused::FormIncomplete(fields))),
        None => Ok(Json(state.view(checked.visit).await?)),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusLink {
    /// `/status/{token}`, valid until the end of the office day.
    pub status_url: String,
}

/// The link to the visitor's status page, for a ticket printed again: the one given with the
/// number (`queue.status_url`). Only for a visit with a queue number.
#[utoipa::path(post, path = "/api/v1/visits/{id}/status-link", tag = "front office", security(("bearer" = [])),
    responses((status = 200, body = StatusLink), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn status_link(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<StatusLink>> {
    staff.require(Permission::FrontOffice)?;
    let visit = state.store.visit(&id).await?.ok_or(ApiError::NotFound)?;
    if visit.queue.number.is_none() {
        return Err(ApiError::Refused(Refused::InvalidTransition { from: visit.status, action: "status_link" }));
    }
    let status_url = crate::pages::status::issue(&state, &visit).await?;
    Ok(Json(StatusLink { status_url }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason: String,
}

/// Only before service starts.
#[utoipa::path(post, path = "/api/v1/visits/{id}/cancel", tag = "front office", request_body = CancelRequest, security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::Cancel, &id, move |v, _, now, by| v.cancel(&req.reason, now, by)).await
}

/// Step 8: the same number called again; 409 `call_limit_reached` after three calls.
#[utoipa::path(post, path = "/api/v1/visits/{id}/recall", tag = "counters", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody)))]
pub async fn recall(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::Helpdesk, &id, |v, _, now, by| v.recall(now, by)).await
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SkipResponse {
    pub skipped: VisitView,
    /// The visit now called at the same counter, if anyone waits.
    pub next: Option<VisitView>,
}

/// Step 8: skip after the third call; the next in line is called at the same counter and the
/// skipped visit goes back directly behind it (or becomes a no-show once its re-calls are used).
#[utoipa::path(post, path = "/api/v1/visits/{id}/skip", tag = "counters", security(("bearer" = [])),
    responses((status = 200, body = SkipResponse), (status = 409, body = ErrorBody)))]
pub async fn skip(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<SkipResponse>> {
    staff.require(Permission::Helpdesk)?;
    let skipped = state.store.skip(&id, state.now(), staff.name()).await?;
    let next = match skipped.next {
        Some(v) => Some(state.view(v).await?),
        None => None,
    };
    Ok(Json(SkipResponse { skipped: state.view(skipped.skipped).await?, next }))
}

/// The visitor is at the counter.
#[utoipa::path(post, path = "/api/v1/visits/{id}/start", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody)))]
pub async fn start(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::Helpdesk, &id, |v, s, now, by| v.start(s, now, by)).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub analysis: String,
    pub answer: String,
}

/// Steps 9-10: analysed and answered in writing.
#[utoipa::path(post, path = "/api/v1/visits/{id}/answer", tag = "helpdesk", request_body = AnswerRequest, security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::Helpdesk, &id, move |v, s, now, by| {
        v.answer(&req.analysis, &req.answer, s, now, by)
    })
    .await
}

/// Steps 9 and 11: escalated to the LKPP helpdesk. `tts` needs the ticket number in
/// `external_reference`; `email` waits in the outbox (`pending`) until the mail server took it.
#[utoipa::path(post, path = "/api/v1/visits/{id}/escalate", tag = "helpdesk", request_body = EscalationRequest, security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn escalate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EscalationRequest>,
) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::Helpdesk, &id, move |v, s, now, by| v.escalate(&req, s, now, by)).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationAnswer {
    pub answer: String,
}

/// LKPP answered. After the archive, the archive gets a new version.
#[utoipa::path(post, path = "/api/v1/visits/{id}/escalation/answer", tag = "helpdesk", request_body = EscalationAnswer, security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer_escalation(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EscalationAnswer>,
) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::Helpdesk, &id, move |v, _, now, by| {
        v.answer_escalation(&LkppAnswer::typed(&req.answer), now, by)
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyRequest {
    /// `printed`, `email` (the PDF to the visitor's address; 422 when they gave none) or
    /// `declined` (the visitor did not want it).
    pub via: CopyVia,
}

/// Step 12: the visitor's copy of the form, an event in the history; from `answered` or
/// `escalated`. The archive needs it.
#[utoipa::path(post, path = "/api/v1/visits/{id}/copy", tag = "helpdesk", request_body = CopyRequest, security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn copy(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CopyRequest>,
) -> ApiResult<Json<VisitView>> {
    apply(&state, &staff, Permission::Helpdesk, &id, move |v, _, now, by| v.give_copy(req.via, now, by)).await
}

/// Step 12: archived, from `answered` or `escalated` once the visitor's copy is recorded (409
/// `copy_missing` before), with an archive number and the SHA-256 of the archived document.
#[utoipa::path(post, path = "/api/v1/visits/{id}/archive", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody)))]
pub async fn archive(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<VisitView>> {
    staff.require(Permission::Helpdesk)?;
    let visit = state.store.archive_visit(&id, state.now(), staff.name()).await?;
    Ok(Json(state.view(visit).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// An archived version; the latest when absent.
    pub version: Option<u32>,
}

/// What an archived document is: the form as PDF, or (archived before the PDF) the visit as JSON.
fn content_type(content: &[u8]) -> &'static str {
    if content.starts_with(b"%PDF-") { "application/pdf" } else { "application/json" }
}

/// The archived document, byte for byte (its SHA-256 is the visit's `archive.sha256`).
#[utoipa::path(get, path = "/api/v1/visits/{id}/archive/document", tag = "helpdesk", params(DocumentQuery), security(("bearer" = [])),
    responses((status = 200, description = "The archived document"), (status = 404, body = ErrorBody)))]
pub async fn archived_document(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> ApiResult<impl IntoResponse> {
    staff.require(Permission::ReadVisits)?;
    let doc = state.store.archived_document(&id, q.version).await?.ok_or(ApiError::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, content_type(&doc.content).to_owned()),
        (header::HeaderName::from_static("x-archive-sha256"), doc.sha256),
        (header::HeaderName::from_static("x-archive-version"), doc.version.to_string()),
    ];
    Ok((headers, doc.content))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintRequest {
    /// A front office desk of the `ticket_printers` setting.
    pub desk: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Printed {
    pub number: String,
    /// The status page the printed QR code holds.
    pub status_url: String,
}

/// Step 5: the queue ticket on the desk's ESC/POS printer (raw TCP). 502 `printer_unreachable`
/// when the printer does not answer within a few seconds; the number stays issued. 422 for a
/// desk without a printer.
#[utoipa::path(post, path = "/api/v1/visits/{id}/ticket/print", tag = "front office", request_body = PrintRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Printed), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn print_ticket(
    State(state): State<AppState>,
    staff: Staff,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PrintRequest>,
) -> ApiResult<Json<Printed>> {
    staff.require(Permission::FrontOffice)?;
    let t = crate::pages::i18n::Tr::default();
    let base = crate::pages::ticket::base_url(&headers);
    let ticket = crate::pages::ticket::print(&state, &id, &req.desk, t, &base).await?;
    Ok(Json(Printed { number: ticket.number, status_url: ticket.status_url }))
}

/// The consultation form of a visit as PDF, made now: the original and the visitor's copy.
pub async fn render_form(state: &AppState, visit: Visit) -> ApiResult<Vec<u8>> {
    let settings = state.store.settings().await?;
    let logo = state.store.office_logo().await?;
    let now = state.now();
    let rendered = tokio::task::spawn_blocking(move || {
        let cx = loket_documents::FormContext { settings: &settings, now, stamp: None, logo: logo.as_deref() };
        loket_documents::form_pdf(&visit, &cx)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    rendered.map_err(ApiError::internal)
}

/// The consultation form as PDF (A4): the original, then from a new page the copy marked
/// "Salinan untuk pengguna". Once archived, it is the archived document, byte for byte (its
/// SHA-256 is the visit's `archive.sha256`); `version` picks an earlier archived version (404 when
/// there is no such version).
#[utoipa::path(get, path = "/api/v1/visits/{id}/form.pdf", tag = "helpdesk", params(DocumentQuery), security(("bearer" = [])),
    responses((status = 200, description = "The form as PDF", content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
pub async fn form_pdf(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> ApiResult<impl IntoResponse> {
    staff.require(Permission::ReadVisits)?;
    let visit = state.store.visit(&id).await?.ok_or(ApiError::NotFound)?;
    let filename = format!("formulir-{}.pdf", visit.reference);
    let bytes = form_bytes(&state, visit, q.version).await?.ok_or(ApiError::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
    ];
    Ok((headers, bytes))
}

/// The form's PDF: the archived version asked for (none when there is no such PDF), or the
/// latest archived one, or, before the archive (or for a document archived before the PDF), the
/// form made now.
pub async fn form_bytes(state: &AppState, visit: Visit, version: Option<u32>) -> ApiResult<Option<Vec<u8>>> {
    let archived = match visit.archive {
        Some(_) => state.store.archived_document(&visit.id, version).await?.filter(|d| d.content.starts_with(b"%PDF-")),
        None => None,
    };
    match (archived, version) {
        (Some(doc), _) => Ok(Some(doc.content)),
        (None, Some(_)) => Ok(None),
        (None, None) => Ok(Some(render_form(state, visit).await?)),
    }
}
