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
use loket_app::links::{self, Standing};

use super::i18n::Tr;
use super::{Frame, PageResult, session};
use crate::AppState;

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
    let visit = links::status_visit(&state.app, &token).await?;
    let Some(visit) = visit else {
        let page = ExpiredPage { page: Frame::public(&state, lang, "status-expired-title").await };
        return Ok((StatusCode::NOT_FOUND, page).into_response());
    };
    let standing = links::standing(&state.app, &visit, t).await?;
    let page = StatusPage {
        page: Frame::public(&state, lang, "status-title").await.with_script("/assets/status.js"),
        standing,
    };
    Ok(page.into_response())
}
