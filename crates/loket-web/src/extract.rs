//! Request extractors: JSON bodies that answer in the API's error format, and the signed-in
//! staff member.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use loket_domain::FieldErrors;
use loket_domain::auth::{Permission, Role, allows};
use loket_store::User;
use loket_store::token::hash_token;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

/// A JSON body, declared `application/json` (415 otherwise). Not JSON, or anything after the
/// JSON value: 400 `bad_request`; JSON of the wrong shape (an unknown field, a bad enum value):
/// 422 `validation` naming the field; over the size limit: 413 (a body not all there within the
/// body timeout is answered 408 by the server, see `server`).
pub struct ApiJson<T>(pub T);

/// Like [`ApiJson`], but an empty body (with any content type, or none) or `null` means
/// `T::default()`.
pub struct OptionalJson<T>(pub T);

/// Whether the request declares a JSON body: `application/json`, parameters (`charset=utf-8`)
/// allowed. Refusing every other type also keeps a cross-site HTML form (which can only send
/// `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain`) from posting.
fn declares_json(req: &Request) -> bool {
    declares_one_of(req, &["application/json"])
}

/// Whether the request's declared media type (without its parameters) is one of `types`, in any
/// case.
fn declares_one_of(req: &Request, types: &[&str]) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|essence| types.iter().any(|t| essence.eq_ignore_ascii_case(t)))
}

/// How much of a body over the limit is still read, and thrown away, before the 413 answer: a
/// client still sending when the server closes gets a reset connection instead of the answer
/// (seen as "broken pipe" by a client sending 2 MiB). Beyond this the connection is cut.
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

async fn body_bytes(req: Request) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(ApiError::PayloadTooLarge);
    }
    read_limited(req.into_body(), crate::BODY_LIMIT).await
}

/// The body, at most `limit` bytes; a longer one is read on up to [`DRAIN_LIMIT`] and refused.
async fn read_limited(body: axum::body::Body, limit: usize) -> Result<Bytes, ApiError> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
        seen = seen.saturating_add(chunk.len());
        if seen <= limit {
            kept.extend_from_slice(&chunk);
        } else if seen > DRAIN_LIMIT {
            return Err(ApiError::PayloadTooLarge);
        }
    }
    if seen > limit {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(Bytes::from(kept))
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // One JSON value and nothing after it but white space: `{…} xyz` or two documents back to
    // back are not one request.
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not one JSON value: {e}")))?;
    integral_numbers(&mut value);
    serde_path_to_error::deserialize(crate::strict_json::Strict(value)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let mut fields = FieldErrors::default();
        if let Some(name) = quoted(&message, "unknown field ") {
            fields.add(&field_key(&path, Some(&name)), "unknown");
        } else if let Some(name) = quoted(&message, "missing field ") {
            fields.add(&field_key(&path, Some(&name)), "missing");
        } else {
            fields.add(&field_key(&path, None), "invalid");
        }
        ApiError::validation(fields)
    })
}

/// `1.0` is the integer 1, as JSON Schema (and JavaScript) have it; serde's integers take only
/// `1`.
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Below 2^53 every integral float is exact.
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                *value = if f < 0.0 { Value::from(f as i64) } else { Value::from(f as u64) };
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// The dotted name of the field an error is about: the path serde reached, and the field's
/// name when the path stops at its parent.
fn field_key(path: &str, name: Option<&str>) -> String {
    let path = if path == "." { "" } else { path };
    match name {
        Some(n) if path.is_empty() => n.to_owned(),
        Some(n) if path == n || path.ends_with(&format!(".{n}")) => path.to_owned(),
        Some(n) => format!("{path}.{n}"),
        None if path.is_empty() => "body".to_owned(),
        None => path.to_owned(),
    }
}

fn quoted(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    rest.split('`').next().map(str::to_owned)
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        if !declares_json(&req) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = body_bytes(req).await?;
        Ok(ApiJson(parse(&bytes)?))
    }
}

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        let json = declares_json(&req);
        let bytes = body_bytes(req).await?;
        // JSON's white space only: `is_ascii_whitespace` would also take a form feed.
        if bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            return Ok(OptionalJson(T::default()));
        }
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let value: Option<T> = parse(&bytes)?;
        Ok(OptionalJson(value.unwrap_or_default()))
    }
}

/// A CSV text body, declared `text/csv` (415 otherwise), UTF-8 (400 otherwise), within the
/// same size and time limits as a JSON body. Only for endpoints that take a bearer token.
pub struct CsvBody(pub String);

impl FromRequest<AppState> for CsvBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        if !declares_one_of(&req, &["text/csv"]) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = body_bytes(req).await?;
        let text =
            String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::BadRequest("the CSV is not UTF-8".into()))?;
        Ok(CsvBody(text))
    }
}

/// An image body, declared `image/png` or `image/jpeg` (415 otherwise), within the same size and
/// time limits as a JSON body. What the bytes are is judged from the bytes themselves
/// (`loket_domain::logo`), not from the declared type. Only for endpoints that take a bearer
/// token.
pub struct ImageBody(pub Vec<u8>);

impl FromRequest<AppState> for ImageBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &AppState) -> Result<Self, Self::Rejection> {
        if !declares_one_of(&req, &["image/png", "image/jpeg"]) {
            return Err(ApiError::UnsupportedMediaType);
        }
        Ok(ImageBody(body_bytes(req).await?.to_vec()))
    }
}

/// Query parameters; a query that does not parse is 400 `bad_request` in the API's format.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

/// The signed-in staff member of a request (`Authorization: Bearer …`).
pub struct Staff {
    pub user: User,
    pub token_hash: String,
}

impl Staff {
    /// 403 unless the staff member's roles allow `permission`.
    pub fn require(&self, permission: Permission) -> Result<&Self, ApiError> {
        if allows(&self.user.roles, permission) { Ok(self) } else { Err(ApiError::Forbidden) }
    }

    pub fn name(&self) -> &str {
        &self.user.username
    }

    pub fn has(&self, role: Role) -> bool {
        self.user.roles.contains(&role)
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
        // The scheme's name is case-insensitive (RFC 9110, 11.1): `Bearer`, `bearer`, `BEARER`.
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(ApiError::Unauthorized)?;
        let hash = hash_token(token);
        let user = state.store.session_user(&hash, state.now()).await?.ok_or(ApiError::Unauthorized)?;
        if user.password_change_required && !open_before_password_change(parts.uri.path()) {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(Staff { user, token_hash: hash })
    }
}

/// What a user whose password someone else chose may reach before changing it: the change
/// itself, signing out and the language, on the API and the pages. Everything else answers 403
/// `password_change_required` (the pages send them to `/password`).
pub fn open_before_password_change(path: &str) -> bool {
    matches!(path, "/api/v1/auth/password" | "/api/v1/auth/logout" | "/password" | "/logout")
        || path.starts_with("/language/")
}

/// The client's address, for rate limits.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientIp(ip))
    }
}

/// The staff member of the staff event stream and of the returning-visitor lookup: by bearer
/// token as in the API, or by the page session cookie, so that a screen's script can ask them
/// (EventSource, fetch). Only these GETs, which change nothing, take the cookie; API calls that
/// change something keep needing the bearer token, so no other site can make a browser send them.
pub struct StreamStaff(pub Staff);

impl FromRequestParts<AppState> for StreamStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return Staff::from_request_parts(parts, state).await.map(StreamStaff);
        }
        let token = crate::request::session_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let hash = hash_token(token);
        let user = state.store.session_user(&hash, state.now()).await?.ok_or(ApiError::Unauthorized)?;
        if user.password_change_required {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(StreamStaff(Staff { user, token_hash: hash }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        role: loket_domain::guest_book::VisitorRole,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        visitor: Inner,
        reason: String,
    }

    fn fields(body: &str) -> Vec<(String, String)> {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::Refused(loket_domain::Refused::Validation(f))) => f.0.into_iter().collect(),
            other => panic!("not a validation error: {:?}", other.err()),
        }
    }

    #[test]
    fn a_bad_enum_value_names_its_field() {
        assert_eq!(
            fields(r#"{"visitor": {"role": "boss"}, "reason": "x"}"#),
            [("visitor.role".into(), "invalid".into())]
        );
    }

    #[test]
    fn an_unknown_field_is_named() {
        assert_eq!(
            fields(r#"{"visitor": {"role": "ppk", "age": 3}, "reason": "x"}"#),
            [("visitor.age".into(), "unknown".into())]
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        assert_eq!(fields(r#"{"visitor": {"role": "ppk"}}"#), [("reason".into(), "missing".into())]);
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        assert!(matches!(parse::<Outer>(b"{\"visitor\": "), Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn an_integral_float_is_an_integer() {
        #[derive(Debug, serde::Deserialize)]
        struct Minutes {
            minutes: u32,
        }
        assert_eq!(parse::<Minutes>(br#"{"minutes": 5.0}"#).map(|m| m.minutes).ok(), Some(5));
        assert!(parse::<Minutes>(br#"{"minutes": 5.5}"#).is_err());
    }

    #[test]
    fn nothing_may_follow_the_json_value() {
        let one = r#"{"visitor": {"role": "ppk"}, "reason": "x"}"#;
        assert!(parse::<Outer>(format!("{one} \n").as_bytes()).is_ok(), "white space may follow");
        assert!(matches!(parse::<Outer>(format!("{one} xyz").as_bytes()), Err(ApiError::BadRequest(_))));
        assert!(matches!(parse::<Outer>(format!("{one}{one}").as_bytes()), Err(ApiError::BadRequest(_))));
    }
}
