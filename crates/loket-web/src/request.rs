//! What both doors read of a request: its cookies, whether it came over HTTPS, and the address
//! the browser reached Loket at.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

pub const SESSION_COOKIE: &str = "loket_session";
pub const LANG_COOKIE: &str = "loket_lang";

/// The value of a cookie of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The session token of the page's cookie, if it has a plausible shape.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty() && t.len() <= 200)
}

/// Whether the browser reached Loket over HTTPS (through a proxy that says so): cookies are then
/// marked `Secure`.
pub fn behind_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` header: HttpOnly, SameSite=Strict, Path=/, Secure behind HTTPS. `max_age` 0
/// removes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> (axum::http::HeaderName, HeaderValue) {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}");
    (SET_COOKIE, HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("")))
}

/// The office's logo as an answer, byte for byte as uploaded, with its content type.
pub fn logo_response(logo: &loket_domain::logo::Logo) -> axum::response::Response {
    use axum::response::IntoResponse;
    let headers = [
        (axum::http::header::CONTENT_TYPE, logo.content_type()),
        (axum::http::header::CACHE_CONTROL, "private, no-cache"),
    ];
    (headers, logo.bytes().to_vec()).into_response()
}
