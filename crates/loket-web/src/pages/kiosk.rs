//! The kiosk (`/kiosk`, a tablet at the entrance): the visitor fills the guest book and the
//! consultation form themselves (SOP steps 1-3), and is sent to the front office with their
//! reference, where the form is checked (step 4). The same use case and rate limit as
//! `POST /api/v1/kiosk/visits`. No sign-in: the form is protected by a random value both in a
//! cookie and in the form (double submit), as the sign-in form is.
//!
//! The screen starts over after a minute without use (`?idle=` seconds, for tests and for
//! offices that want another time), so that the next visitor sees nothing of the last; the
//! inputs ask the browser not to remember what was typed.

use std::collections::BTreeMap;
use std::time::Instant;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use loket_domain::FieldErrors;
use serde::Deserialize;

use super::front_office::{EntryForm, FieldView, field_problem, fields};
use super::i18n::{Lang, Tr};
use super::session;
use super::{Frame, PageError, PageResult};
use crate::AppState;

/// The cookie of the kiosk form's double-submit token.
pub const KIOSK_COOKIE: &str = "loket_kiosk";
/// Seconds without use before the kiosk starts over.
pub const IDLE_SECONDS: u32 = 60;

#[derive(Deserialize, Default)]
pub struct KioskQuery {
    #[serde(default)]
    idle: Option<u32>,
}

fn idle_seconds(asked: Option<u32>) -> u32 {
    asked.map_or(IDLE_SECONDS, |s| s.clamp(2, 3600))
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk.html")]
pub struct KioskPage {
    pub page: Frame,
    pub token: String,
    pub idle: u32,
    pub fields: Vec<FieldView>,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kiosk_done.html")]
pub struct KioskDonePage {
    pub page: Frame,
    pub idle: u32,
    pub reference: String,
}

async fn kiosk_page(
    state: &AppState,
    headers: &HeaderMap,
    idle: u32,
    typed: &EntryForm,
    errors: &BTreeMap<String, String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let lang = session::lang(headers);
    let t = Tr::new(lang);
    let settings = state.store.settings().await?;
    let mut fields = fields(t, typed, errors, &settings, true);
    for f in &mut fields {
        // A shared tablet: nothing typed is offered to the next visitor.
        f.autocomplete = "off";
    }
    let token = loket_store::token::new_token();
    let cookie = session::set_cookie(KIOSK_COOKIE, &token, 24 * 3600, session::behind_https(headers));
    let page = KioskPage {
        page: Frame::public(state, lang, "kiosk-title").await.with_script("/assets/kiosk.js"),
        token,
        idle,
        fields,
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, [cookie], page).into_response())
}

pub async fn form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<KioskQuery>) -> PageResult {
    kiosk_page(&state, &headers, idle_seconds(q.idle), &EntryForm::default(), &BTreeMap::new(), None).await
}

/// Steps 1-3 by the visitor. A refusal says why, next to each field, with everything typed kept.
pub async fn submit(
    State(state): State<AppState>,
    crate::extract::ClientIp(ip): crate::extract::ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let lang = session::lang(&headers);
    let t = Tr::new(lang);
    let expected = session::cookie(&headers, KIOSK_COOKIE).unwrap_or_default();
    if expected.is_empty() || !session::form_token_matches(&body, expected) {
        return Err(PageError::Csrf(lang));
    }
    let entry: EntryForm = serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadForm(lang))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadForm(lang))?;
    let idle = idle_seconds(pairs.iter().find(|(k, _)| k == "idle").and_then(|(_, v)| v.parse().ok()));
    if let Err(wait) = state.limiters.kiosk.hit(&ip.to_string(), Instant::now()) {
        let message = t.with("kiosk-rate-limited", "seconds", wait.as_secs().max(1));
        return kiosk_page(&state, &headers, idle, &entry, &BTreeMap::new(), Some(message)).await;
    }
    let mut errors = FieldErrors::default();
    let visitor = entry.visitor(&mut errors);
    if errors.is_empty() {
        // What the office requires, checked here as the front office checks it (step 4).
        errors = loket_app::visits::kiosk_form_missing(&state.app, &visitor, &entry.form()).await?;
    }
    let opened = if errors.is_empty() {
        loket_app::visits::open_at_kiosk(&state.app, visitor, None, entry.form()).await.map_err(Some)
    } else {
        Err(None)
    };
    match opened {
        Ok(visit) => Ok(done_page(&state, &headers, lang, idle, visit.reference).await),
        Err(e) => {
            let (_, fields) = field_problem(e, errors)?;
            kiosk_page(&state, &headers, idle, &entry, &fields, Some(t.get("kiosk-refused"))).await
        }
    }
}

/// The visitor's reference once the visit is opened; the form's token is spent.
async fn done_page(state: &AppState, headers: &HeaderMap, lang: Lang, idle: u32, reference: String) -> Response {
    let page = KioskDonePage {
        page: Frame::public(state, lang, "kiosk-done-title").await.with_script("/assets/kiosk.js"),
        idle,
        reference,
    };
    // The token served its one form.
    let gone = session::set_cookie(KIOSK_COOKIE, "", 0, session::behind_https(headers));
    ([gone], page).into_response()
}
