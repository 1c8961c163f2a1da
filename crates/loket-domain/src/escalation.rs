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
    /// LKPP's own ticket number, taken from its answer by e-mail.
    #[serde(default)]
    pub lkpp_ticket: Option<String>,
}

/// LKPP's answer to an escalation: typed in by the agent, or read from the office's mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LkppAnswer {
    pub text: String,
    /// Set when the answer came by e-mail.
    pub mail: Option<AnswerMail>,
}

/// The e-mail LKPP's answer came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerMail {
    pub message_id: String,
    /// LKPP's ticket number, by the office's pattern.
    pub lkpp_ticket: Option<String>,
    /// The supervisor who confirmed an unmatched mail as LKPP's answer; `None` when the mail was
    /// plainly LKPP's and recorded by itself.
    pub confirmed_by: Option<String>,
}

impl LkppAnswer {
    /// An answer typed in at the counter or through the API.
    pub fn typed(text: &str) -> LkppAnswer {
        LkppAnswer { text: text.to_owned(), mail: None }
    }
}

pub const SUMMARY_MAX: usize = 2000;
pub const EXTERNAL_REFERENCE_MAX: usize = 100;

/// What an outbox mail is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// Step 11: the escalation to the LKPP helpdesk.
    Escalation,
    /// Step 12: the visitor's copy of the form.
    Copy,
    /// LKPP's answer to an escalation, to the visitor.
    Answer,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Escalation => "escalation",
            MailKind::Copy => "copy",
            MailKind::Answer => "answer",
        }
    }

    pub fn parse(s: &str) -> Option<MailKind> {
        [MailKind::Escalation, MailKind::Copy, MailKind::Answer].into_iter().find(|k| k.as_str() == s)
    }
}

/// An e-mail for the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The consultation form as PDF goes with it, made when the mail is sent.
    pub attach_form: bool,
}

fn dash(s: &Option<String>) -> String {
    s.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "-".into())
}

/// What the form says, as plain text for a mail's body.
fn form_text(visit: &crate::visit::Visit) -> String {
    let v = &visit.visitor;
    let f = &visit.form;
    format!(
        "Referensi: {reference}\n\n\
         Nama: {name}\nInstansi/Perusahaan: {org}\nTelepon: {phone}\nE-mail: {email}\n\
         User ID SPSE: {uid}\nKode tender: {tender}\nKategori: {cat}\nPerihal: {subject}\n\n\
         Uraian permasalahan:\n{desc}\n",
        reference = visit.reference,
        name = dash(&v.name),
        org = dash(&v.organization),
        phone = dash(&v.phone),
        email = dash(&v.email),
        uid = dash(&f.spse_user_id),
        tender = dash(&f.tender_code),
        cat = dash(&f.category),
        subject = dash(&f.subject),
        desc = dash(&f.description),
    )
}

/// The escalation e-mail to the LKPP helpdesk (SOP step 11): what the form says, the analysis
/// and the agent's summary, our reference in brackets in the subject so that the answer can be
/// matched, the form as PDF attached.
pub fn escalation_mail(visit: &crate::visit::Visit, to: &str, office_name: &str) -> Option<OutgoingMail> {
    let esc = visit.escalation.as_ref().filter(|e| e.channel == Channel::Email)?;
    let body = format!(
        "Eskalasi permasalahan pengguna SPSE dari {office_name}\n{form}\n\
         Analisis helpdesk:\n{analysis}\n\nRingkasan eskalasi:\n{summary}\n\n\
         Mohon balas e-mail ini dengan tetap mencantumkan [{reference}] pada subjek.\n",
        form = form_text(visit),
        analysis = dash(&visit.analysis),
        summary = esc.summary,
        reference = visit.reference,
    );
    Some(OutgoingMail {
        kind: MailKind::Escalation,
        to: to.to_owned(),
        subject: format!("[{}] Eskalasi {office_name}: {}", visit.reference, dash(&visit.form.subject)),
        body,
        attach_form: true,
    })
}

/// The visitor's copy of the form by e-mail (SOP step 12), the PDF attached.
pub fn copy_mail(visit: &crate::visit::Visit, office_name: &str) -> Option<OutgoingMail> {
    let to = visit.visitor.email.clone().filter(|e| !e.trim().is_empty())?;
    let outcome = match (&visit.answer, &visit.escalation) {
        (Some(answer), _) => format!("Jawaban helpdesk:\n{answer}\n"),
        (None, Some(_)) => {
            "Permasalahan Anda telah dieskalasi ke helpdesk LKPP; jawabannya akan kami sampaikan.\n".to_owned()
        }
        (None, None) => String::new(),
    };
    Some(OutgoingMail {
        kind: MailKind::Copy,
        to,
        subject: format!("[{}] Salinan formulir konsultasi {office_name}", visit.reference),
        body: format!(
            "Terima kasih telah berkunjung ke helpdesk {office_name}. Salinan formulir konsultasi Anda \
             terlampir.\n\n{form}\n{outcome}",
            form = form_text(visit)
        ),
        attach_form: true,
    })
}

/// LKPP's answer to the visitor, by e-mail where they gave an address.
pub fn answer_mail(visit: &crate::visit::Visit, office_name: &str) -> Option<OutgoingMail> {
    let to = visit.visitor.email.clone().filter(|e| !e.trim().is_empty())?;
    let esc = visit.escalation.as_ref().filter(|e| e.status == EscalationStatus::Answered)?;
    let ticket = esc.lkpp_ticket.as_ref().map(|t| format!("Nomor tiket LKPP: {t}\n")).unwrap_or_default();
    Some(OutgoingMail {
        kind: MailKind::Answer,
        to,
        subject: format!("[{}] Jawaban LKPP atas permasalahan Anda", visit.reference),
        body: format!(
            "Permasalahan yang Anda sampaikan di helpdesk {office_name} (referensi {reference}, perihal: \
             {subject}) telah dijawab oleh helpdesk LKPP.\n\n{ticket}Jawaban LKPP:\n{answer}\n",
            reference = visit.reference,
            subject = dash(&visit.form.subject),
            answer = esc.answer.as_deref().unwrap_or("-"),
        ),
        attach_form: false,
    })
}
