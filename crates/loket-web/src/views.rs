//! The JSON shapes of API.md, built from domain values.

use chrono::{DateTime, Utc};
use loket_domain::archive::{Archive, CopyGiven};
use loket_domain::escalation::Escalation;
use loket_domain::form::Form;
use loket_domain::guest_book::Visitor;
use loket_domain::settings::OfficeSettings;
use loket_domain::standards::{StepRecord, visit_steps};
use loket_domain::{Status, Visit};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    /// `A-001`; null until step 5.
    pub number: Option<String>,
    pub call_count: u32,
    pub skip_count: u32,
    pub counter: Option<String>,
    pub priority_lane: bool,
    /// The visitor's own status page, `/status/{token}` (what the ticket's QR code holds). Only
    /// the token's hash is kept, so it is given when it is made: in the answer of the check that
    /// gives the number, and by `POST /api/v1/visits/{id}/status-link`; null elsewhere.
    pub status_url: Option<String>,
}

/// One walk-in case, from guest book to archive.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitView {
    pub id: String,
    pub reference: String,
    pub status: Status,
    pub service: String,
    pub visitor: Visitor,
    pub form: Form,
    pub queue: QueueView,
    pub analysis: Option<String>,
    pub answer: Option<String>,
    pub escalation: Option<Escalation>,
    pub archive: Option<Archive>,
    /// Step 12: the visitor's copy of the form (`via`: printed, email, declined), as last
    /// recorded; null before.
    pub copy: Option<CopyGiven>,
    pub cancel_reason: Option<String>,
    /// One entry per SOP step that has happened, in order, read from the history.
    pub steps: Vec<StepRecord>,
    #[serde(with = "loket_domain::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "loket_domain::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl VisitView {
    pub fn new(visit: Visit, settings: &OfficeSettings, now: DateTime<Utc>) -> VisitView {
        let steps = visit_steps(&visit, settings, now);
        VisitView {
            id: visit.id,
            reference: visit.reference,
            status: visit.status,
            service: visit.service,
            visitor: visit.visitor,
            form: visit.form,
            queue: QueueView {
                number: visit.queue.number,
                call_count: visit.queue.call_count,
                skip_count: visit.queue.skip_count,
                counter: visit.queue.counter,
                priority_lane: visit.queue.priority_lane,
                status_url: visit.queue.status_token.map(|t| format!("/status/{t}")),
            },
            analysis: visit.analysis,
            answer: visit.answer,
            escalation: visit.escalation,
            archive: visit.archive,
            copy: visit.copy,
            cancel_reason: visit.cancel_reason,
            steps,
            created_at: visit.created_at,
            updated_at: visit.updated_at,
        }
    }
}
