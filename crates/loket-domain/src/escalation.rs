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
    #[serde(default, with = "crate::timestamp::option")]
    pub sent_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub summary: String,
    #[serde(default, with = "crate::timestamp::option")]
    pub answered_at: Option<DateTime<Utc>>,
}

pub const SUMMARY_MAX: usize = 2000;
pub const EXTERNAL_REFERENCE_MAX: usize = 100;

/// An e-mail for the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The escalation e-mail to the LKPP helpdesk (SOP step 11): what the form says, the analysis
/// and the agent's summary, with the visit's reference so the answer can be matched.
pub fn escalation_mail(visit: &crate::visit::Visit, to: &str, office_name: &str) -> Option<OutgoingMail> {
    let esc = visit.escalation.as_ref().filter(|e| e.channel == Channel::Email)?;
    let v = &visit.visitor;
    let f = &visit.form;
    let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let body = format!(
        "Eskalasi permasalahan pengguna SPSE dari {office_name}\n\
         Referensi: {reference}\n\n\
         Nama: {name}\nInstansi/Perusahaan: {org}\nTelepon: {phone}\nE-mail: {email}\n\
         User ID SPSE: {uid}\nKode tender: {tender}\nKategori: {cat}\n\n\
         Uraian permasalahan:\n{desc}\n\nAnalisis helpdesk:\n{analysis}\n\nRingkasan eskalasi:\n{summary}\n",
        reference = visit.reference,
        name = dash(&v.name),
        org = dash(&v.organization),
        phone = dash(&v.phone),
        email = dash(&v.email),
        uid = dash(&f.spse_user_id),
        tender = dash(&f.tender_code),
        cat = dash(&f.category),
        desc = dash(&f.description),
        analysis = dash(&visit.analysis),
        summary = esc.summary,
    );
    Some(OutgoingMail {
        to: to.to_owned(),
        subject: format!("[{office_name}] Eskalasi {}: {}", visit.reference, dash(&f.subject)),
        body,
    })
}
