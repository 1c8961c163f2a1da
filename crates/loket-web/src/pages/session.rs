//! Sign-in sessions of the pages, in a cookie, and the CSRF token of their forms.
//!
//! The cookie holds the same kind of random token the API hands out; the database keeps only its
//! SHA-256, through the store's session methods, so a page sign-in works on every instance and
//! survives a restart, and expires after `session_minutes` like an API token. A form carries a
//! CSRF token derived from the session token (SHA-256 of a fixed label and the token): a page of
//! another site can neither read the HttpOnly cookie nor compute the token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};

use axum::http::HeaderMap;
use axum::http::request::Parts;
use loket_domain::auth::{Permission, Role, allows};
use loket_store::User;
use serde::de::DeserializeOwned;
use sha2::Digest;

use super::PageError;
use super::i18n::{Lang, Tr};
use crate::AppState;
use loket_store::token::hash_token;

pub use crate::request::{LANG_COOKIE, SESSION_COOKIE, behind_https, cookie, set_cookie};
/// Before sign-in there is no session: the sign-in form is protected by a random value both in
/// this cookie and in the form (double submit).
pub const LOGIN_COOKIE: &str = "loket_login";
/// The name of the hidden field every form carries.
pub const CSRF_FIELD: &str = "_csrf";

/// The language of the request: the `loket_lang` cookie, else Indonesian.
pub fn lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or_default()
}

/// The CSRF token of a session token.
pub fn csrf_token(session_token: &str) -> String {
    let mut hasher = sha2::Sha256::new();
    hasher.update(b"loket-csrf\0");
    hasher.update(session_token.as_bytes());
    hex::encode(hasher.finalize())
}

/// Compares without stopping at the first difference.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signed-in staff member of a page request. Without a valid session cookie a page answers
/// with a redirect to `/login`.
#[derive(Clone)]
pub struct PageStaff {
    pub user: User,
    pub token_hash: String,
    pub csrf: String,
    pub lang: Lang,
}

impl PageStaff {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    /// The 403 page unless the roles allow `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), PageError> {
        if allows(&self.user.roles, permission) {
            return Ok(());
        }
        tracing::info!(username = ?self.user.username, ?permission, "page refused to role");
        Err(PageError::Forbidden { lang: self.lang, home: self.home() })
    }

    pub fn may(&self, permission: Permission) -> bool {
        allows(&self.user.roles, permission)
    }

    /// The screen a user starts on: the first of their roles in the order of the office's day.
    pub fn home(&self) -> &'static str {
        home(&self.user.roles)
    }
}

pub fn home(roles: &[Role]) -> &'static str {
    for role in [Role::FrontOffice, Role::Helpdesk, Role::Supervisor, Role::Admin, Role::Auditor] {
        if roles.contains(&role) {
            return match role {
                Role::FrontOffice => "/front-office",
                Role::Helpdesk => "/counter",
                Role::Supervisor => "/supervisor",
                Role::Admin => "/admin",
                // The archive search: where a reconstruction of a visit starts.
                Role::Auditor => "/archive",
            };
        }
    }
    "/login"
}

async fn page_staff(parts: &Parts, state: &AppState) -> Result<Option<PageStaff>, PageError> {
    let Some(token) = crate::request::session_token(&parts.headers) else { return Ok(None) };
    let hash = hash_token(token);
    let user = state.store.session_user(&hash, state.now()).await?;
    // A signed-in user's own choice wins over the browser's cookie.
    Ok(user.map(|user| {
        let lang = user.language.as_deref().and_then(Lang::parse).unwrap_or_else(|| lang(&parts.headers));
        PageStaff { user, token_hash: hash, csrf: csrf_token(token), lang }
    }))
}

impl FromRequestParts<AppState> for PageStaff {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = page_staff(parts, state).await?.ok_or(PageError::SignIn)?;
        if staff.user.password_change_required && !crate::extract::open_before_password_change(parts.uri.path()) {
            return Err(PageError::PasswordChange);
        }
        Ok(staff)
    }
}

/// The signed-in staff member, when there is one (for `/` and `/login`).
pub struct MaybeStaff(pub Option<PageStaff>);

impl FromRequestParts<AppState> for MaybeStaff {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeStaff(page_staff(parts, state).await?))
    }
}

/// A form posted by a signed-in staff member, its CSRF token checked: a missing or wrong token
/// answers 403 and nothing is done. Unknown fields are ignored (the token is one).
pub struct PageForm<T> {
    pub staff: PageStaff,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let staff = PageStaff::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::BadForm(staff.lang))?;
        if !form_token_matches(&bytes, &staff.csrf) {
            tracing::info!(username = ?staff.user.username, "form refused: CSRF token missing or wrong");
            return Err(PageError::Csrf(staff.lang));
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::BadForm(staff.lang))?;
        Ok(PageForm { staff, form })
    }
}

/// Whether the form's `_csrf` field equals `expected`.
pub fn form_token_matches(body: &[u8], expected: &str) -> bool {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    pairs.iter().any(|(k, v)| k == CSRF_FIELD && same(v, expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE;

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; loket_session=abc ; loket_lang=en"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(lang(&headers), Lang::En);
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn the_csrf_token_is_checked_in_the_form_body() {
        let token = csrf_token("secret");
        assert_ne!(token, csrf_token("other"));
        assert!(form_token_matches(format!("a=1&_csrf={token}").as_bytes(), &token));
        assert!(!form_token_matches(b"a=1", &token));
        assert!(!form_token_matches(b"a=1&_csrf=", &token));
    }

    #[test]
    fn the_first_role_of_the_day_is_home() {
        assert_eq!(home(&[Role::Admin, Role::Supervisor]), "/supervisor");
        assert_eq!(home(&[Role::Helpdesk]), "/counter");
        assert_eq!(home(&[Role::FrontOffice, Role::Helpdesk]), "/front-office");
        assert_eq!(home(&[Role::Admin]), "/admin");
    }
}
