//! The visit: front office (steps 1-7) and helpdesk (steps 9-12) actions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use loket_app::i18n::Tr;
use loket_app::{documents, links, tickets, visits};
use loket_domain::archive::CopyVia;
use loket_domain::form::FormInput;
use loket_domain::guest_book::VisitorInput;
use loket_domain::visit::{EscalationRequest, TransferRequest};
use loket_domain::{Event, Visit};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, OptionalJson, Staff};
use crate::views::VisitView;

/// The visit as the API shows it.
async fn answer_with(state: &AppState, visit: Visit) -> ApiResult<Json<VisitView>> {
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
    let visit = visits::open(&state.app, &staff.user, req.visitor, req.service).await?;
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
    let visits = visits::list(&state.app, &staff.user, q.status.as_deref(), q.date.as_deref()).await?;
    let mut out = Vec::with_capacity(visits.len());
    for v in visits {
        out.push(state.view(v).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "front office", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 404, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<Json<VisitView>> {
    answer_with(&state, visits::get(&state.app, &staff.user, &id).await?).await
}

/// The visit's history: every transition, who, when, from, to (the audit trail).
#[utoipa::path(get, path = "/api/v1/visits/{id}/history", tag = "front office", security(("bearer" = [])),
    responses((status = 200, body = [Event]), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Event>>> {
    Ok(Json(visits::history(&state.app, &staff.user, &id).await?))
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
    answer_with(&state, visits::save_form(&state.app, &staff.user, &id, req.visitor, req.form).await?).await
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
    answer_with(&state, visits::check(&state.app, &staff.user, &id, req.priority_lane).await?).await
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
    let status_url = links::status_link(&state.app, &staff.user, &id).await?;
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
    answer_with(&state, visits::cancel(&state.app, &staff.user, &id, req.reason).await?).await
}

/// Step 8: the same number called again; 409 `call_limit_reached` after three calls.
#[utoipa::path(post, path = "/api/v1/visits/{id}/recall", tag = "counters", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody)))]
pub async fn recall(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<Json<VisitView>> {
    answer_with(&state, visits::recall(&state.app, &staff.user, &id).await?).await
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
    let skipped = visits::skip(&state.app, &staff.user, &id).await?;
    let next = match skipped.next {
        Some(v) => Some(state.view(v).await?),
        None => None,
    };
    Ok(Json(SkipResponse { skipped: state.view(skipped.skipped).await?, next }))
}

/// A called or in-service visit sent to another counter (and, if named, a colleague who serves
/// there), with the reason: it keeps its place and timers, its number shows at the new counter,
/// and the history says from where, to where, by whom and why. 409 `counter_busy` when the
/// counter has a visit called or in service; 422 naming `counter`, `agent` or `reason`.
#[utoipa::path(post, path = "/api/v1/visits/{id}/transfer", tag = "counters", request_body = TransferRequest, security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> ApiResult<Json<VisitView>> {
    answer_with(&state, visits::transfer(&state.app, &staff.user, &id, req).await?).await
}

/// The visitor is at the counter.
#[utoipa::path(post, path = "/api/v1/visits/{id}/start", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 409, body = ErrorBody)))]
pub async fn start(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<Json<VisitView>> {
    answer_with(&state, visits::start(&state.app, &staff.user, &id).await?).await
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
    answer_with(&state, visits::answer(&state.app, &staff.user, &id, req.analysis, req.answer).await?).await
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
    answer_with(&state, visits::escalate(&state.app, &staff.user, &id, req).await?).await
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
    answer_with(&state, visits::answer_escalation(&state.app, &staff.user, &id, req.answer).await?).await
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
    answer_with(&state, visits::give_copy(&state.app, &staff.user, &id, req.via).await?).await
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
    answer_with(&state, visits::archive(&state.app, &staff.user, &id).await?).await
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
    let doc = documents::archived_document(&state.app, &staff.user, &id, q.version).await?;
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
    /// The status page the printed QR code holds, on the office's public address (`public_url`);
    /// null when the office has not set one (the ticket then says it has no link).
    pub status_url: Option<String>,
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
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PrintRequest>,
) -> ApiResult<Json<Printed>> {
    let t = Tr::default();
    let ticket = tickets::print(&state.app, &staff.user, &id, &req.desk, t).await?;
    Ok(Json(Printed { number: ticket.number, status_url: ticket.status_url }))
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
    let (filename, bytes) = documents::form_pdf(&state.app, &staff.user, &id, q.version).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
    ];
    Ok((headers, bytes))
}
