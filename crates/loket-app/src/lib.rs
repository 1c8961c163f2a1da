//! Loket's application layer: every use case of the SOP written once, as a function that takes
//! the signed-in staff member (its role checked here, once), reads its input as domain values,
//! and returns domain values or one [`AppError`]. The JSON API and the pages are two doors onto
//! these functions: each handler reads its input, calls one of them, and renders the result. The
//! doors never call each other.
//!
//! A command changes something (`visits::recall`, `visits::transfer`); a query reads what a
//! screen or an answer shows (`counter::view`, `reports::ikm`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use loket_domain::auth::{Permission, allows};
use loket_domain::outbound::PrinterAddresses;
use loket_domain::settings::OfficeSettings;
use loket_store::{Store, User};

pub mod archive;
pub mod auth;
pub mod calendar;
pub mod changes;
pub mod clock;
pub mod counter;
pub mod display;
pub mod documents;
pub mod error;
pub mod escpos;
pub mod i18n;
pub mod inbox;
pub mod links;
pub mod logo;
pub mod mail;
pub mod reports;
pub mod settings;
pub mod tickets;
pub mod users;
pub mod visits;

pub use clock::Clock;
pub use error::{AppError, AppResult};

/// The application: the store and the clock every use case is given.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Clock,
    printers: PrinterAddresses,
}

impl App {
    pub fn new(store: Arc<dyn Store>) -> App {
        App { store, clock: Clock::default(), printers: PrinterAddresses::default() }
    }

    /// The same application printing tickets to any address but link-local ones (the server
    /// was started allowing it: a local spooler, or a test's printer).
    pub fn with_printer_addresses(self, printers: PrinterAddresses) -> App {
        App { printers, ..self }
    }

    pub fn printer_addresses(&self) -> PrinterAddresses {
        self.printers
    }

    /// The same application on another clock (tests move it forward).
    pub fn with_clock(self, clock: Clock) -> App {
        App { clock, ..self }
    }

    /// The application reads the clock; the domain and the store are given the time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The office's settings as they are now.
    pub async fn settings(&self) -> AppResult<Arc<OfficeSettings>> {
        Ok(self.store.settings().await?)
    }
}

/// 403 unless the staff member's roles allow `permission`: the one check of every use case.
pub fn require(staff: &User, permission: Permission) -> AppResult<()> {
    if allows(&staff.roles, permission) { Ok(()) } else { Err(AppError::Forbidden) }
}
