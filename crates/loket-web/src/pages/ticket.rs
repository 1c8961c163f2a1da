//! The queue ticket (SOP step 5): an 80 mm print view for the front office's browser (CSS print),
//! and the same ticket sent straight to the desk's ESC/POS receipt printer. Office name,
//! service, the number large, date and time, how many wait ahead, the QR code of the visitor's
//! status page, and a line of instructions. Each ticket carries a fresh status link.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use loket_app::escpos::Ticket;
use loket_app::{AppError, tickets};
use loket_domain::Refused;

use super::session::{PageForm, PageStaff};
use super::{Frame, PageError, PageResult};
use crate::AppState;

/// The QR code of `data` as an SVG element, drawn by the server.
pub fn qr_svg(data: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::new(data.as_bytes()).map_err(|e| PageError::Internal(e.into()))?;
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

#[derive(Template, WebTemplate)]
#[template(path = "ticket.html")]
pub struct TicketPage {
    pub page: Frame,
    pub id: String,
    pub ticket: Ticket,
    /// The QR code of the status link, when the office has a public address.
    pub qr: Option<String>,
    pub desks: Vec<String>,
    pub chosen_desk: String,
    /// The outcome of a print on the desk's printer: (is it a failure, the sentence).
    pub notice: Option<(bool, String)>,
}

async fn ticket_page(
    state: &AppState,
    staff: &PageStaff,
    id: &str,
    ticket: Option<Ticket>,
    chosen_desk: String,
    notice: Option<(bool, String)>,
) -> Result<TicketPage, PageError> {
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let ticket = match ticket {
        Some(ticket) => ticket,
        None => {
            tickets::ticket(&state.app, &staff.user, id, t).await.map_err(|e| match e {
                // A visit without a number has no ticket.
                AppError::Refused(_) => PageError::NotFound(staff.lang),
                other => PageError::from(other).for_staff(staff),
            })?
        }
    };
    let qr = ticket.status_url.as_deref().map(qr_svg).transpose()?;
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

pub async fn page(State(state): State<AppState>, staff: PageStaff, Path(id): Path<String>) -> PageResult {
    staff.require(loket_domain::auth::Permission::FrontOffice)?;
    Ok(ticket_page(&state, &staff, &id, None, String::new(), None).await?.into_response())
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
    Path(id): Path<String>,
    PageForm { staff, form }: PageForm<PrintForm>,
) -> PageResult<Response> {
    staff.require(loket_domain::auth::Permission::FrontOffice)?;
    let t = staff.tr();
    let (status, ticket, notice) = match tickets::print(&state.app, &staff.user, &id, &form.desk, t).await {
        Ok(ticket) => (StatusCode::OK, Some(ticket), (false, t.with("ticket-printed", "desk", &form.desk))),
        // The desk chosen has no printer.
        Err(AppError::Refused(Refused::Validation(_))) => {
            (StatusCode::UNPROCESSABLE_ENTITY, None, (true, t.get("ticket-no-printer")))
        }
        Err(AppError::PrinterUnreachable(_)) => {
            (StatusCode::BAD_GATEWAY, None, (true, t.with("ticket-printer-failed", "desk", &form.desk)))
        }
        Err(other) => return Err(PageError::from(other).for_staff(&staff)),
    };
    let page = ticket_page(&state, &staff, &id, ticket, form.desk.clone(), Some(notice)).await?;
    Ok((status, page).into_response())
}
