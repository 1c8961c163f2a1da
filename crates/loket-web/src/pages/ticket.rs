//! The queue ticket (SOP step 5): an 80 mm print view for the front office's browser (CSS print),
//! and the same ticket sent straight to the desk's ESC/POS receipt printer. Office name,
//! service, the number large, date and time, how many wait ahead, the QR code of the visitor's
//! status page, and a line of instructions. Each ticket carries a fresh status link.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loket_domain::Visit;
use serde::Deserialize;

use super::i18n::Tr;
use super::session::{PageForm, PageStaff};
use super::{Frame, PageError, PageResult};
use crate::AppState;
use crate::error::ApiError;
use crate::escpos::{self, Ticket};

/// `http://host:port` as the browser reached Loket, for the address in the QR code.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let host: String = host.chars().filter(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(*c)).collect();
    let scheme = if super::session::behind_https(headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// The ticket of `visit` with a new status link; refused for a visit without a number.
pub async fn make(state: &AppState, visit: &Visit, t: Tr, base: &str) -> Result<Ticket, ApiError> {
    let Some(number) = visit.queue.number.clone() else {
        return Err(ApiError::Refused(loket_domain::Refused::InvalidTransition {
            from: visit.status,
            action: "ticket",
        }));
    };
    let settings = state.store.settings().await?;
    let status_url = format!("{base}{}", super::status::issue(state, visit).await?);
    let standing = super::status::standing(state, visit, t).await?;
    let issued = state.now().with_timezone(&settings.zone()).format("%d-%m-%Y %H:%M").to_string();
    Ok(Ticket {
        office_name: settings.office.office_name.clone(),
        service: standing.service,
        number,
        issued,
        ahead: t.with("ticket-ahead", "count", standing.ahead.unwrap_or(0)),
        instructions: t.get("ticket-instructions"),
        status_url,
    })
}

/// The QR code of `data` as an SVG element, drawn by the server.
pub fn qr_svg(data: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(data.as_bytes()).map_err(|e| ApiError::internal(e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // The element alone, without the XML declaration.
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_owned(),
        None => svg,
    })
}

/// Sends the ticket of visit `id` to the printer of `desk`.
pub async fn print(state: &AppState, id: &str, desk: &str, t: Tr, base: &str) -> Result<Ticket, ApiError> {
    let settings = state.store.settings().await?;
    // An unknown desk is a bad request, not a missing visit.
    let Some(printer) = settings.office.ticket_printers.iter().find(|p| p.desk == desk) else {
        let mut fields = loket_domain::FieldErrors::default();
        fields.add("desk", "unknown");
        return Err(ApiError::validation(fields));
    };
    let visit = state.store.visit(id).await?.ok_or(ApiError::NotFound)?;
    let ticket = make(state, &visit, t, base).await?;
    match escpos::print(&printer.socket_address(), &ticket, escpos::TIMEOUT).await {
        Ok(()) => Ok(ticket),
        Err(e) => {
            tracing::warn!(desk = ?desk, error = %e, "ticket printer did not answer");
            Err(ApiError::PrinterUnreachable(e.to_string()))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ticket.html")]
pub struct TicketPage {
    pub page: Frame,
    pub id: String,
    pub ticket: Ticket,
    pub qr: String,
    pub desks: Vec<String>,
    pub chosen_desk: String,
    /// The outcome of a print on the desk's printer: (is it a failure, the sentence).
    pub notice: Option<(bool, String)>,
}

async fn ticket_page(
    state: &AppState,
    staff: &PageStaff,
    id: &str,
    headers: &HeaderMap,
    ticket: Option<Ticket>,
    chosen_desk: String,
    notice: Option<(bool, String)>,
) -> Result<TicketPage, PageError> {
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let ticket = match ticket {
        Some(ticket) => ticket,
        None => {
            let visit = state.store.visit(id).await?.ok_or(PageError::NotFound(staff.lang))?;
            make(state, &visit, t, &base_url(headers)).await.map_err(|e| match e {
                ApiError::Refused(_) => PageError::NotFound(staff.lang),
                other => PageError::from(other),
            })?
        }
    };
    let qr = qr_svg(&ticket.status_url)?;
    Ok(TicketPage {
        page: Frame::staff(state, staff, "ticket-title", "/front-office").await?.with_script("/assets/ticket.js"),
        id: id.to_owned(),
        ticket,
        qr,
        desks: settings.office.ticket_printers.iter().map(|p| p.desk.clone()).collect(),
        chosen_desk,
        notice,
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: PageStaff,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(loket_domain::auth::Permission::FrontOffice)?;
    Ok(ticket_page(&state, &staff, &id, &headers, None, String::new(), None).await?.into_response())
}

#[derive(Deserialize)]
pub struct PrintForm {
    #[serde(default)]
    desk: String,
}

/// One click at the front office: the ticket on the desk's printer. A printer that does not
/// answer is named; the number stays issued and the print view stays at hand.
pub async fn print_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm { staff, form }: PageForm<PrintForm>,
) -> PageResult<Response> {
    staff.require(loket_domain::auth::Permission::FrontOffice)?;
    let t = staff.tr();
    let base = base_url(&headers);
    let (status, ticket, notice) = match print(&state, &id, &form.desk, t, &base).await {
        Ok(ticket) => (StatusCode::OK, Some(ticket), (false, t.with("ticket-printed", "desk", &form.desk))),
        Err(ApiError::NotFound) if state.store.visit(&id).await?.is_some() => {
            (StatusCode::UNPROCESSABLE_ENTITY, None, (true, t.get("ticket-no-printer")))
        }
        Err(ApiError::PrinterUnreachable(_)) => {
            (StatusCode::BAD_GATEWAY, None, (true, t.with("ticket-printer-failed", "desk", &form.desk)))
        }
        Err(other) => return Err(PageError::from(other)),
    };
    let page = ticket_page(&state, &staff, &id, &headers, ticket, form.desk.clone(), Some(notice)).await?;
    Ok((status, page).into_response())
}
