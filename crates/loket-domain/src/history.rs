//! Every transition of a visit is an event appended to its history: who, when, from, to, data.
//! Step timings, reports and the audit trail are read from it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::visit::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Steps 1-2: guest book entry, form issued.
    Created,
    /// Step 3: the form filled (or corrected).
    FormSaved,
    /// Steps 4 and 6: checked, not complete.
    FoundIncomplete,
    /// Steps 4, 5 and 7: checked complete, number given, form to the helpdesk.
    Queued,
    /// Step 8: first call of a number at a counter.
    Called,
    /// Step 8: the same number called again.
    Recalled,
    /// Step 8: skipped after three calls, back into the line.
    Skipped,
    /// Step 8: skipped with its returns used up.
    NoShow,
    /// The office day ended with the visit still in line.
    NotServed,
    /// The visitor is at the counter.
    Started,
    /// Steps 9-10.
    Answered,
    /// Steps 9 and 11.
    Escalated,
    /// The escalation e-mail was accepted by the mail server.
    EscalationSent,
    /// LKPP answered the escalation.
    EscalationAnswered,
    /// Step 12: the visitor's copy of the form (printed, e-mailed, or declined).
    CopyGiven,
    /// Step 12: the mail server took the e-mailed copy: it is given now.
    CopySent,
    /// Sent to another counter (and colleague), keeping its status and place.
    Transferred,
    /// Step 12.
    Archived,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub kind: EventKind,
    #[serde(with = "crate::timestamp")]
    pub at: DateTime<Utc>,
    pub by: String,
    pub from: Option<Status>,
    pub to: Status,
    /// What the step wrote (counter, number, missing fields, reason…).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}
