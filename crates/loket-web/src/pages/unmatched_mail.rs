//! Unmatched mails (surat tak dikenali), for supervisors: mails read from the office's mailbox
//! that name an open escalation but are not plainly LKPP's answer. Each shows who sent it, why
//! it was not taken by itself, its `Authentication-Results` (SPF, DKIM, DMARC) and the answer it
//! carries; a pending one has a button to confirm it as LKPP's answer and one to dismiss it. A
//! decided one stays listed, with who decided and when.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use loket_app::inbox;
use loket_domain::auth::Permission;
use loket_domain::inbox::{Doubt, UnmatchedStatus};
use serde::Deserialize;

use super::session::{PageForm, PageStaff};
use super::{Frame, PageResult, see_other};
use crate::AppState;

pub const UNMATCHED: &str = "/supervisor/mail";

/// One unmatched mail as the page shows it (every value escaped by the template).
pub struct UnmatchedRow {
    pub id: String,
    pub received: String,
    pub from: String,
    pub subject: String,
    pub reference: String,
    pub doubt: String,
    /// One line per header; empty when the mail had none.
    pub authentication: Vec<String>,
    pub answer: String,
    pub status: String,
    pub pending: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "unmatched_mail.html")]
pub struct UnmatchedPage {
    pub page: Frame,
    pub rows: Vec<UnmatchedRow>,
    /// What the last decision did, said once after the redirect.
    pub notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

pub async fn page(State(state): State<AppState>, staff: PageStaff, Query(q): Query<DoneQuery>) -> PageResult {
    staff.require(Permission::ReviewMail)?;
    let t = staff.tr();
    let zone = state.store.settings().await?.zone();
    let mails = inbox::unmatched(&state.app, &staff.user).await?;
    let rows = mails
        .into_iter()
        .map(|m| {
            let decided = |key: &str| {
                let at =
                    m.decided_at.map(|at| loket_domain::format::long_date_time(t.lang, at, zone)).unwrap_or_default();
                t.with2(key, "by", m.decided_by.clone().unwrap_or_default(), "at", at)
            };
            UnmatchedRow {
                id: m.id.clone(),
                received: loket_domain::format::long_date_time(t.lang, m.received_at, zone),
                from: m.from.clone().unwrap_or_else(|| "—".to_owned()),
                subject: m.subject.clone(),
                reference: m.reference.clone().unwrap_or_else(|| "—".to_owned()),
                doubt: t.get(match m.doubt {
                    Doubt::Sender => "unmatched-doubt-sender",
                    Doubt::Thread => "unmatched-doubt-thread",
                }),
                authentication: m
                    .authentication_results
                    .as_deref()
                    .map(|a| a.lines().map(str::to_owned).collect())
                    .unwrap_or_default(),
                answer: m.answer.clone(),
                status: match m.status {
                    UnmatchedStatus::Pending => t.get("unmatched-status-pending"),
                    UnmatchedStatus::Confirmed => decided("unmatched-status-confirmed"),
                    UnmatchedStatus::Dismissed => decided("unmatched-status-dismissed"),
                },
                pending: m.status == UnmatchedStatus::Pending,
            }
        })
        .collect();
    let notice = match q.done.as_deref() {
        Some("confirmed") => Some(t.get("unmatched-confirmed")),
        Some("dismissed") => Some(t.get("unmatched-dismissed")),
        _ => None,
    };
    let page = Frame::staff(&state, &staff, "unmatched-title", UNMATCHED).await?;
    Ok(UnmatchedPage { page, rows, notice }.into_response())
}

/// What a decision's form posts: the mail's id.
#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    pub id: String,
}

/// Confirms the mail as LKPP's answer, by the supervisor; back to the list.
pub async fn confirm(State(state): State<AppState>, PageForm { staff, form }: PageForm<DecisionForm>) -> PageResult {
    let mail = inbox::confirm(&state.app, &staff.user, form.id.trim())
        .await
        .map_err(|e| super::PageError::from(e).for_staff(&staff))?;
    tracing::info!(mail = ?mail.id, reference = ?mail.reference, by = ?staff.user.username, "unmatched mail confirmed as LKPP's answer");
    Ok(see_other(&format!("{UNMATCHED}?done=confirmed")))
}

/// Dismisses the mail; it stays listed. Back to the list.
pub async fn dismiss(State(state): State<AppState>, PageForm { staff, form }: PageForm<DecisionForm>) -> PageResult {
    let mail = inbox::dismiss(&state.app, &staff.user, form.id.trim())
        .await
        .map_err(|e| super::PageError::from(e).for_staff(&staff))?;
    tracing::info!(mail = ?mail.id, by = ?staff.user.username, "unmatched mail dismissed");
    Ok(see_other(&format!("{UNMATCHED}?done=dismissed")))
}
