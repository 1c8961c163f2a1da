//! A called or in-service visit sent to another counter (and, if named, a colleague there), with
//! the reason: the visitor who needs the colleague who knows e-katalog.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::Status;
use super::{REASON_MAX, Visit, required_text};
use crate::errors::{FieldErrors, Refused};
use crate::history::{Event, EventKind};
use crate::settings::OfficeSettings;
use crate::text::one_line;

/// The longest user name a transfer names.
const AGENT_MAX: usize = 64;

/// Where a visit is sent, and why.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The counter the visit goes to: one of the office's, not the visit's own.
    pub counter: String,
    /// The user name of the colleague who takes it there, if one is named.
    #[serde(default)]
    pub agent: Option<String>,
    /// Why, for the history: one to 500 characters.
    pub reason: String,
}

impl Visit {
    /// Sends a called or in-service visit to another counter. It keeps its place: its status,
    /// its calls and the step it is in go on as they were (the step's timer is not restarted);
    /// only the counter changes, and the history says from where, to where, by whom and why.
    /// Whether the counter is free is the store's to check (it sees the other visits).
    pub fn transfer(
        &mut self,
        to: &TransferRequest,
        settings: &OfficeSettings,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<Event, Refused> {
        if !matches!(self.status, Status::Called | Status::InService) {
            return Err(self.refuse("transferred"));
        }
        let mut errors = FieldErrors::default();
        let counter = to.counter.trim();
        if counter.is_empty() {
            errors.add("counter", "missing");
        } else if settings.counter(counter).is_none() {
            errors.add("counter", "unknown");
        } else if self.queue.counter.as_deref() == Some(counter) {
            errors.add("counter", "invalid");
        }
        let agent = to.agent.as_deref().and_then(|a| one_line(a, AGENT_MAX, "agent", &mut errors));
        let reason = required_text(&to.reason, REASON_MAX, "reason", &mut errors);
        if !errors.is_empty() {
            return Err(Refused::Validation(errors));
        }
        let from = self.queue.counter.replace(counter.to_owned());
        let data = json!({
            "from_counter": from,
            "counter": counter,
            "agent": agent,
            "reason": reason,
            "number": self.queue.number,
            "call_count": self.queue.call_count,
        });
        let status = self.status;
        Ok(self.moved(status, EventKind::Transferred, now, by, data))
    }
}
