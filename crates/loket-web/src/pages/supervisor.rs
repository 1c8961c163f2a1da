//! The supervisor's overview: every counter (which number it serves, since when, by whom, an
//! overrun highlighted), the line of each service, and the mails the server has not taken.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use loket_domain::Status;
use loket_domain::auth::Permission;
use loket_store::VisitFilter;

use super::counter::{MailProblem, status_text};
use super::session::PageStaff;
use super::{Frame, PageResult};
use crate::AppState;
use crate::views::visit_steps;

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
}

pub async fn page(State(state): State<AppState>, staff: PageStaff) -> PageResult {
    staff.require(Permission::Supervise)?;
    let t = staff.tr();
    let settings = state.store.settings().await?;
    let now = state.now();
    let line = state.store.queue(None).await?;
    let mut busy = line.called.clone();
    busy.extend(
        state.store.visits(VisitFilter { status: Some(Status::InService), day: None, limit: Some(200) }).await?,
    );
    let zone = settings.zone();
    let counters = settings
        .counters
        .iter()
        .map(|c| {
            let visit = busy.iter().find(|v| v.queue.counter.as_deref() == Some(c.code.as_str()));
            let running = visit.and_then(|v| {
                visit_steps(v, &settings, now).into_iter().rev().find(|s| s.finished_at.is_none() && !s.instant)
            });
            CounterRow {
                name: c.name.clone(),
                number: visit.and_then(|v| v.queue.number.clone()).unwrap_or_else(|| "—".to_owned()),
                status: visit.map(|v| status_text(t, v.status)).unwrap_or_else(|| t.get("supervisor-counter-free")),
                by: visit.and_then(|v| v.history.last()).map(|e| e.by.clone()).unwrap_or_default(),
                since: running.as_ref().map(|s| super::dates::time(t, s.started_at, zone)).unwrap_or_default(),
                over: running.is_some_and(|s| {
                    s.standard_minutes.is_some_and(|m| s.measured_minutes.unwrap_or(0.0).floor() as i64 >= i64::from(m))
                }),
            }
        })
        .collect();
    let board = state.store.display(None).await?;
    let services = settings
        .office
        .services
        .iter()
        .map(|s| ServiceRow {
            code: s.code.clone(),
            name: s.name.clone(),
            waiting: board.waiting.get(&s.code).copied().unwrap_or(0),
        })
        .collect();
    let outbox = state.store.outbox(200).await?;
    let mail_problems = super::mail_settings::failing_mail(t, &outbox, zone);
    let page = Frame::staff(&state, &staff, "supervisor-title", "/supervisor").await?.with_script("/assets/live.js");
    Ok(SupervisorPage { page, counters, services, mail_problems }.into_response())
}
