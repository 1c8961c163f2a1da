//! The queue ticket (SOP step 5): what it says, and the same ticket sent straight to the desk's
//! ESC/POS receipt printer.

use loket_domain::Refused;
use loket_domain::auth::Permission;
use loket_domain::settings::public_link;
use loket_store::User;

use crate::escpos::{self, Ticket};
use crate::i18n::Tr;
use crate::{App, AppError, AppResult, links, require};

/// The ticket of visit `id`, its QR code holding the status page on the office's public address
/// (none without one: the ticket says so); refused for a visit without a number.
pub async fn ticket(app: &App, staff: &User, id: &str, t: Tr) -> AppResult<Ticket> {
    require(staff, Permission::FrontOffice)?;
    let visit = app.store().visit(id).await?.ok_or(AppError::NotFound)?;
    if visit.queue.number.is_none() {
        return Err(AppError::Refused(Refused::InvalidTransition { from: visit.status, action: "ticket" }));
    }
    let settings = app.settings().await?;
    let status_url = public_link(&settings.office.public_url, &links::status_path(app, &visit).await?);
    let number = visit.queue.number.clone().unwrap_or_default();
    let standing = links::standing(app, &visit, t).await?;
    let issued = loket_domain::format::date_time(t.lang, app.now(), settings.zone());
    Ok(Ticket {
        office_name: settings.office.office_name.clone(),
        service: standing.service,
        number,
        issued,
        ahead: t.with("ticket-ahead", "count", standing.ahead.unwrap_or(0)),
        instructions: t.get(if status_url.is_some() { "ticket-instructions" } else { "ticket-instructions-no-link" }),
        scan: t.get(if status_url.is_some() { "ticket-scan" } else { "ticket-no-link" }),
        status_url,
    })
}

/// Sends the ticket of visit `id` to the printer of `desk`: refused naming `desk` when it has
/// no printer, unreachable when the printer does not take it in time (the number stays issued).
pub async fn print(app: &App, staff: &User, id: &str, desk: &str, t: Tr) -> AppResult<Ticket> {
    require(staff, Permission::FrontOffice)?;
    let settings = app.settings().await?;
    // An unknown desk is a bad request, not a missing visit.
    let Some(printer) = settings.office.ticket_printers.iter().find(|p| p.desk == desk) else {
        return Err(AppError::field("desk", "unknown"));
    };
    let ticket = ticket(app, staff, id, t).await?;
    match escpos::print(&printer.socket_address(), &ticket, escpos::TIMEOUT, app.printer_addresses()).await {
        Ok(()) => Ok(ticket),
        Err(e) => {
            tracing::warn!(desk = ?desk, error = ?e, "ticket printer did not answer");
            Err(AppError::PrinterUnreachable(e.to_string()))
        }
    }
}
