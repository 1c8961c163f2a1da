//! The visitor's own status page (`/status/{token}`, on their phone, from the ticket's QR code):
//! their number, how many wait ahead of them in their service, an estimated wait, and the
//! counter when they are called, kept live by `status.js`. Nothing about anyone else.
//!
//! The token is random and unguessable, made with the queue number (step 5) in the same
//! transaction: the visit keeps it, so every read of the visit shows the address
//! (`queue.status_url`), and the page finds the visit by the token's SHA-256. It is valid until the
//! end of the office day.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use loket_domain::estimate::{RECENT, estimate_wait, service_time};
use loket_domain::office::{office_day, office_day_end};
use loket_domain::{Status, Visit};

use super::i18n::Tr;
use super::{Frame, PageResult, session};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::token_hash;

/// The path of `visit`'s status page (`/status/{token}`): the token given with its number, or, for
/// a visit numbered before tokens were kept with visits, a new one valid until the end of the
/// office day.
pub async fn issue(state: &AppState, visit: &Visit) -> Result<String, ApiError> {
    if let Some(token) = &visit.queue.status_token {
        return Ok(format!("/status/{token}"));
    }
    let visit_id = visit.id.as_str();
    let token = hex::encode(rand::random::<[u8; 32]>());
    let settings = state.store.settings().await?;
    let now = state.now();
    let expires = office_day_end(now, settings.zone(), settings.office.closing_time);
    state.store.add_status_token(&token_hash(&token), visit_id, now, expires).await?;
    Ok(format!("/status/{token}"))
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

/// Where `visit` stands now, in words of `t`.
pub async fn standing(state: &AppState, visit: &Visit, t: Tr) -> Result<Standing, ApiError> {
    let settings = state.store.settings().await?;
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
            let line = state.store.queue(Some(&visit.service)).await?;
            let ahead = line.waiting.iter().position(|v| v.id == visit.id).unwrap_or(line.waiting.len());
            let today = office_day(state.now(), settings.zone());
            let mut recent: Vec<(f64, chrono::DateTime<chrono::Utc>)> = state
                .store
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
            out.message = t.get("public-status-waiting");
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

#[derive(Template, WebTemplate)]
#[template(path = "status.html")]
pub struct StatusPage {
    pub page: Frame,
    pub standing: Standing,
}

#[derive(Template, WebTemplate)]
#[template(path = "status_expired.html")]
pub struct ExpiredPage {
    pub page: Frame,
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let lang = session::lang(&headers);
    let t = Tr::new(lang);
    let visit = if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        state.store.status_visit(&token_hash(&token), state.now()).await?
    } else {
        None
    };
    let Some(visit) = visit else {
        let page = ExpiredPage { page: Frame::public(&state, lang, "status-expired-title").await };
        return Ok((StatusCode::NOT_FOUND, page).into_response());
    };
    let standing = standing(&state, &visit, t).await?;
    let page = StatusPage {
        page: Frame::public(&state, lang, "status-title").await.with_script("/assets/status.js"),
        standing,
    };
    Ok(page.into_response())
}
