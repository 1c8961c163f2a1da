//! Sign-in, sign-out, the start page that sends each role to its screen, changing one's own
//! password, and the language switch. Sign-in is throttled by the same counters as the API's.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use serde::Deserialize;

use super::i18n::{Lang, Tr};
use super::session::{self, LANG_COOKIE, LOGIN_COOKIE, MaybeStaff, PageForm, PageStaff, SESSION_COOKIE};
use super::{Frame, PageError, PageResult, see_other};
use crate::AppState;
use crate::extract::ClientIp;
use crate::signin::{self, SignInRefused};
use loket_app::AppError;
use loket_domain::errors::{FieldErrors, Refused};

/// `/`: a signed-in user to their role's screen, anyone else to `/login`.
pub async fn home(MaybeStaff(staff): MaybeStaff) -> Response {
    match staff {
        Some(staff) => see_other(staff.home()),
        None => see_other("/login"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub page: Frame,
    pub login_token: String,
    pub username: String,
    pub error: Option<String>,
}

fn new_token() -> String {
    loket_store::token::new_token()
}

async fn login_page(state: &AppState, headers: &HeaderMap, username: String, error: Option<String>) -> Response {
    let lang = session::lang(headers);
    let login_token = new_token();
    let cookie = session::set_cookie(LOGIN_COOKIE, &login_token, 3600, session::behind_https(headers));
    let page = LoginPage { page: Frame::public(state, lang, "login-title").await, login_token, username, error };
    let status = if page.error.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK };
    (status, [cookie], page).into_response()
}

pub async fn form(State(state): State<AppState>, MaybeStaff(staff): MaybeStaff, headers: HeaderMap) -> Response {
    if let Some(staff) = staff {
        return see_other(staff.home());
    }
    login_page(&state, &headers, String::new(), None).await
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let lang = session::lang(&headers);
    let t = Tr::new(lang);
    let expected = session::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !session::form_token_matches(&body, expected) {
        return Err(PageError::Csrf(lang));
    }
    let form: LoginForm = serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadForm(lang))?;
    let username = form.username.trim().to_owned();
    let throttled = |wait: std::time::Duration| {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        t.with("login-throttled", "minutes", minutes)
    };
    let signed_in = match signin::sign_in(&state, &username, form.password, ip).await {
        Ok(s) => s,
        Err(SignInRefused::Throttled(wait)) => {
            return Ok(login_page(&state, &headers, username, Some(throttled(wait))).await);
        }
        Err(SignInRefused::Invalid) => {
            return Ok(login_page(&state, &headers, username, Some(t.get("login-invalid"))).await);
        }
        Err(SignInRefused::Store(e)) => return Err(e.into()),
    };
    let cookie = session_cookie(&state, &headers, &signed_in.token).await?;
    let gone = session::set_cookie(LOGIN_COOKIE, "", 0, session::behind_https(&headers));
    Ok((AppendHeaders([cookie, gone]), see_other(super::session::home(&signed_in.user.roles))).into_response())
}

/// The cookie that carries a session token, for as long as the session lasts.
async fn session_cookie(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
) -> Result<(axum::http::HeaderName, axum::http::HeaderValue), PageError> {
    let minutes = i64::from(state.store.settings().await?.office.session_minutes);
    Ok(session::set_cookie(SESSION_COOKIE, token, minutes * 60, session::behind_https(headers)))
}

/// A new session for `username`; returns the cookie that carries it.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    username: &str,
) -> Result<(axum::http::HeaderName, axum::http::HeaderValue), PageError> {
    let (token, _) = signin::start_session(state, username).await?;
    session_cookie(state, headers, &token).await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, posted: PageForm<Empty>) -> PageResult {
    loket_app::auth::sign_out(&state.app, &posted.staff.token_hash).await?;
    let gone = session::set_cookie(SESSION_COOKIE, "", 0, session::behind_https(&headers));
    Ok(([gone], see_other("/login")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub page: Frame,
    pub error: Option<String>,
    pub done: bool,
    /// The password was chosen by someone else: the page says it must be changed first.
    pub required: bool,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn password_form(State(state): State<AppState>, staff: PageStaff, Query(q): Query<DoneQuery>) -> PageResult {
    let required = staff.user.password_change_required;
    let page = Frame::staff(&state, &staff, "password-title", "/password").await?;
    Ok(PasswordPage { page, error: None, done: q.done.is_some(), required }.into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm { staff, form }: PageForm<PasswordForm>,
) -> PageResult {
    let t = staff.tr();
    let changed = if form.new != form.repeat {
        Err(Some("password-mismatch"))
    } else {
        match loket_app::auth::change_own_password(&state.app, &staff.user, form.current, form.new).await {
            Ok(()) => Ok(()),
            Err(AppError::Refused(Refused::Validation(fields))) => Err(Some(password_problem(&fields))),
            Err(e) => return Err(e.into()),
        }
    };
    if let Err(Some(key)) = changed {
        let required = staff.user.password_change_required;
        let page = Frame::staff(&state, &staff, "password-title", "/password").await?;
        let page = PasswordPage { page, error: Some(t.get(key)), done: false, required };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    // Setting a password ends every session of the user, this one too: sign in again at once.
    let cookie = start_session(&state, &headers, &staff.user.username).await?;
    Ok(([cookie], see_other("/password?done=1")).into_response())
}

/// The catalogue's sentence for a refused password, the first problem first (the current one).
pub fn password_problem(fields: &FieldErrors) -> &'static str {
    let reason = |field: &str| fields.0.get(field).map(String::as_str);
    match (reason("current"), reason("new").or(reason("password"))) {
        (Some(_), _) => "password-wrong-current",
        (None, Some("common")) => "password-common",
        (None, Some("unchanged")) => "password-unchanged",
        _ => "password-too-short",
    }
}

#[derive(Deserialize)]
pub struct Back {
    next: Option<String>,
}

/// Only a path of this site: never `//elsewhere` or a full address.
fn local_path(next: Option<String>) -> String {
    next.filter(|n| is_local_path(n)).unwrap_or_else(|| "/".to_owned())
}

/// A path of this site, and nothing a browser could read as another: it begins with one `/`, and
/// every character is visible ASCII other than `\\` (browsers drop tabs and line breaks from a
/// URL, so `/<tab>/evil.example` is `//evil.example` to them; a line break would also break the
/// `Location` header). Anything else (percent-encoded text stays encoded, so it still passes)
/// goes home instead.
fn is_local_path(next: &str) -> bool {
    next.starts_with('/') && !next.starts_with("//") && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Switches the language of a browser not signed in (a cookie for a year) and goes back to the
/// page it came from.
pub async fn language(Path(code): Path<String>, Query(back): Query<Back>, headers: HeaderMap) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let cookie = session::set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, session::behind_https(&headers));
    ([cookie], see_other(&local_path(back.next))).into_response()
}

/// Switches a signed-in user's language: stored with the user (so it follows them to any
/// desk, and wins over the browser's cookie), and in the cookie for the sign-in page.
pub async fn set_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    PageForm { staff, form }: PageForm<Back>,
) -> PageResult {
    let lang = Lang::parse(&code).ok_or(PageError::NotFound(staff.lang))?;
    loket_app::users::set_own_language(&state.app, &staff.user, lang).await?;
    let cookie = session::set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, session::behind_https(&headers));
    Ok(([cookie], see_other(&local_path(form.next))).into_response())
}
