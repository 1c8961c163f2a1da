//! The supervisor's overview: every counter (which number it serves, since when, by whom, an
//! overrun highlighted), the line of each service, and the mails the server has not taken.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use loket_app::counter::{self, Overview};
use loket_domain::auth::Permission;
use loket_domain::standards::watch::AlertLevel;

use super::counter::{MailProblem, status_text};
use super::i18n::Tr;
use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;

pub struct CounterRow {
    pub name: String,
    pub number: String,
    pub status: String,
    pub by: String,
    pub since: String,
    pub over: bool,
}

pub struct ServiceRow {
    pub code: String,
    pub name: String,
    pub waiting: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "supervisor.html")]
pub struct SupervisorPage {
    pub page: Frame,
    pub counters: Vec<CounterRow>,
    pub services: Vec<ServiceRow>,
    /// Mails the SMTP server has not taken yet: why, how often tried, when next.
    pub mail_problems: Vec<MailProblem>,
    /// For a supervisor (not an admin alone): how many unmatched mails wait for a decision.
    pub unmatched_pending: Option<usize>,
    /// An SMTP server is set; until it is, the page says mail waits.
    pub mail_ready: bool,
}

pub async fn page(State(state): State<AppState>, staff: PageStaff) -> PageResult {
    staff.require(Permission::Supervise)?;
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let zone = settings.zone();
    let overview = counter::overview(&state.app, &staff.user).await?;
    let counters = counter_rows(t, &overview, zone);
    let services = settings
        .office
        .services
        .iter()
        .map(|s| ServiceRow {
            code: s.code.clone(),
            name: s.name.clone(),
            waiting: overview.waiting.get(&s.code).copied().unwrap_or(0),
        })
        .collect();
    let mail_problems = super::mail_settings::failing_mail(t, &overview.outbox, zone);
    let unmatched_pending = loket_app::inbox::pending_count(&state.app, &staff.user).await?;
    let page = Frame::staff(&state, &staff, "supervisor-title", "/supervisor").await?.with_script("/assets/live.js");
    let mail_ready = overview.mail_ready;
    Ok(SupervisorPage { page, counters, services, mail_problems, unmatched_pending, mail_ready }.into_response())
}

/// Each counter: the number it serves, its status, by whom, since when, an overrun highlighted.
fn counter_rows(t: Tr, overview: &Overview, zone: chrono_tz::Tz) -> Vec<CounterRow> {
    overview
        .counters
        .iter()
        .map(|(c, at)| {
            let visit = at.as_ref().map(|a| &a.visit);
            let running = at.as_ref().and_then(|a| a.running.as_ref());
            CounterRow {
                name: c.name.clone(),
                number: visit.and_then(|v| v.queue.number.clone()).unwrap_or_else(|| "—".to_owned()),
                status: visit.map(|v| status_text(t, v.status)).unwrap_or_else(|| t.get("supervisor-counter-free")),
                by: visit.and_then(|v| v.history.last()).map(|e| e.by.clone()).unwrap_or_default(),
                since: running.map(|s| loket_domain::format::time(t.lang, s.started_at, zone)).unwrap_or_default(),
                // The domain's rule: past its standard, in the office's measure.
                over: at.as_ref().is_some_and(|a| a.alert == Some(AlertLevel::Overrun)),
            }
        })
        .collect()
}
