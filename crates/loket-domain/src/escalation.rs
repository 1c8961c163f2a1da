//! SOP step 11: escalation to the LKPP helpdesk, by e-mail or its ticket system (TTS).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Tts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationStatus {
    /// E-mail waiting in the outbox.
    Pending,
    /// Handed to LKPP (mail accepted, or ticket filed in TTS).
    Sent,
    /// LKPP answered.
    Answered,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Escalation {
    pub channel: Channel,
    pub status: EscalationStatus,
    /// The TTS ticket number, or the e-mail's message id.
    pub external_reference: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub summary: String,
    pub answered_at: Option<DateTime<Utc>>,
}

pub const SUMMARY_MAX: usize = 2000;
pub const EXTERNAL_REFERENCE_MAX: usize = 100;
