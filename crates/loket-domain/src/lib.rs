//! The LPSE helpdesk SOP ("SOP Penanganan Permasalahan Pengguna di LPSE") as code.
//!
//! Each module is one area of the SOP; `visit` ties them together as a state machine.
//! Nothing here does I/O or reads the clock: time comes in as `now`.

pub mod announcement;
pub mod archive;
pub mod auth;
pub mod calendar;
pub mod change_record;
pub mod corrections;
pub mod errors;
pub mod escalation;
pub mod estimate;
pub mod facts;
pub mod form;
pub mod format;
pub mod guest_book;
pub mod history;
pub mod inbox;
pub mod line;
pub mod logo;
pub mod mail;
pub mod numbering;
pub mod office;
pub mod outbound;
pub mod priority;
pub mod reports;
pub mod search;
pub mod settings;
pub mod standards;
pub mod survey;
pub mod text;
pub mod timestamp;
pub mod visit;

pub use errors::{FieldErrors, Refused};
pub use history::{Event, EventKind};
pub use visit::{Status, Visit};

/// Who did something: a staff user name, or `kiosk` for a visitor's own entry.
pub type Actor = String;

/// The actor recorded for what a visitor enters at the kiosk.
pub const KIOSK_ACTOR: &str = "kiosk";

/// The actor recorded for what Loket does by itself (closing an office day).
pub const SYSTEM_ACTOR: &str = "system";
