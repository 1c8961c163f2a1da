//! The visitor's links: the status page (`/status/{token}`, from the ticket's QR code) and the
//! satisfaction survey (`/survey/{token}`). The token is the credential: made and hashed by
//! [`loket_store::token`], only its hash is stored.

use chrono::{DateTime, Utc};
use loket_domain::auth::Permission;
use loket_domain::estimate::{RECENT, estimate_wait, service_time};
use loket_domain::office::{office_day, office_day_end};
use loket_domain::survey::{self, Answers, LINK_DAYS};
use loket_domain::{Refused, Status, Visit};
use loket_store::token::{hash_of_token, hash_token, new_token};
use loket_store::{SurveyLink, User};

use crate::i18n::Tr;
use crate::{App, AppError, AppResult, require};

/// The path of `visit`'s status page (`/status/{token}`): the token given with its number, or, for
/// a visit numbered before tokens were kept with visits, a new one valid until the end of the
/// office day. Refused for a visit without a number.
pub async fn status_path(app: &App, visit: &Visit) -> AppResult<String> {
    if visit.queue.number.is_none() {
        return Err(AppError::Refused(Refused::InvalidTransition { from: visit.status, action: "status_link" }));
    }
    if let Some(token) = &visit.queue.status_token {
        return Ok(format!("/status/{token}"));
    }
    let token = new_token();
    let settings = app.settings().await?;
    let now = app.now();
    let expires = office_day_end(now, settings.zone(), settings.office.closing_time);
    app.store().add_status_token(&hash_token(&token), &visit.id, now, expires).await?;
    Ok(format!("/status/{token}"))
}

/// The status link of a visit, for a ticket printed again (front office).
pub async fn status_link(app: &App, staff: &User, id: &str) -> AppResult<String> {
    require(staff, Permission::FrontOffice)?;
    let visit = app.store().visit(id).await?.ok_or(AppError::NotFound)?;
    status_path(app, &visit).await
}

/// The visit a status token is valid for; `None` for an unknown, expired or malformed one.
pub async fn status_visit(app: &App, token: &str) -> AppResult<Option<Visit>> {
    match hash_of_token(token) {
        Some(hash) => Ok(app.store().status_visit(&hash, app.now()).await?),
        None => Ok(None),
    }
}

/// Where a visit stands for its visitor.
pub struct Standing {
    pub number: String,
    pub service: String,
    /// Visits before this one in its service's line, while it waits.
    pub ahead: Option<usize>,
    /// "12–25 menit", or "belum dapat diperkirakan"; while it waits.
    pub estimate: Option<String>,
    /// The sentence that says what is happening now.
    pub message: String,
    /// `waiting`, `called`, `in_service`, `finished`, `closed`: for the page's style and tests.
    pub state: &'static str,
}

/// Where `visit` stands now, in words of `t`: nothing about anyone else.
pub async fn standing(app: &App, visit: &Visit, t: Tr) -> AppResult<Standing> {
    let settings = app.settings().await?;
    let counter = visit.queue.counter.clone().unwrap_or_default();
    let service = settings
        .office
        .services
        .iter()
        .find(|s| s.code == visit.service)
        .map_or_else(|| visit.service.clone(), |s| s.name.clone());
    let mut out = Standing {
        number: visit.queue.number.clone().unwrap_or_default(),
        service,
        ahead: None,
        estimate: None,
        message: String::new(),
        state: "closed",
    };
    match visit.status {
        Status::Waiting => {
            let line = app.store().queue(Some(&visit.service)).await?;
            let ahead = line.waiting.iter().position(|v| v.id == visit.id).unwrap_or(line.waiting.len());
            let today = office_day(app.now(), settings.zone());
            let mut recent: Vec<(f64, DateTime<Utc>)> = app
                .store()
                .visits_opened(today - chrono::Days::new(1), today)
                .await?
                .iter()
                .filter(|v| v.service == visit.service)
                .filter_map(|v| service_time(&v.history))
                .collect();
            recent.sort_by_key(|(_, ended)| std::cmp::Reverse(*ended));
            let minutes: Vec<f64> = recent.into_iter().take(RECENT).map(|(m, _)| m).collect();
            let counters = settings.counters.iter().filter(|c| c.services.contains(&visit.service)).count();
            out.estimate = Some(match estimate_wait(ahead, &minutes, counters) {
                Some(e) => t.with2("status-estimate-range", "low", e.low, "high", e.high),
                None => t.get("status-estimate-unknown"),
            });
            out.ahead = Some(ahead);
            // Called three times and skipped: the visitor learns it, and that it comes again.
            out.message = match visit.waits_after_skip() {
                true => t.get("public-status-skipped"),
                false => t.get("public-status-waiting"),
            };
            out.state = "waiting";
        }
        Status::Called => {
            out.message = t.with("public-status-called", "counter", &counter);
            out.state = "called";
        }
        Status::InService => {
            out.message = t.with("public-status-serving", "counter", &counter);
            out.state = "in_service";
        }
        Status::Answered | Status::Escalated | Status::Archived => {
            out.message = t.get("public-status-finished");
            out.state = "finished";
        }
        _ => out.message = t.get("public-status-closed"),
    }
    Ok(out)
}

/// A new survey link for a served visit (answered, escalated or archived), valid for
/// [`LINK_DAYS`]: the page's path (`/survey/{token}`). Earlier links stay valid until the
/// visit's survey is answered.
pub async fn survey_link(app: &App, staff: &User, id: &str) -> AppResult<String> {
    require(staff, Permission::Helpdesk)?;
    let visit = app.store().visit(id).await?.ok_or(AppError::NotFound)?;
    // Only who served the visit (or a supervisor) hands its survey link over: a served visit's
    // server does not change any more, so this read is the visit as the link is made.
    visit.check_server(&staff.username, crate::visits::acts_for_anyone(staff))?;
    if !survey::can_survey(visit.status) {
        return Err(AppError::Refused(Refused::InvalidTransition { from: visit.status, action: "surveyed" }));
    }
    let token = new_token();
    let now = app.now();
    let expires = now + chrono::Days::new(LINK_DAYS);
    app.store().add_survey_token(&hash_token(&token), &visit.id, now, expires).await?;
    Ok(format!("/survey/{token}"))
}

/// The survey a link opens; `None` for an unknown, expired or malformed one.
pub async fn survey(app: &App, token: &str) -> AppResult<Option<SurveyLink>> {
    match hash_of_token(token) {
        Some(hash) => Ok(app.store().survey_link(&hash, app.now()).await?),
        None => Ok(None),
    }
}

/// The visitor's answers, once per visit: not found for an unknown or expired link, refused
/// `survey_answered` when the visit's survey was answered already.
pub async fn answer_survey(app: &App, token: &str, answers: Answers) -> AppResult<()> {
    let hash = hash_of_token(token).ok_or(AppError::NotFound)?;
    Ok(app.store().answer_survey(&hash, answers, app.now()).await?)
}
