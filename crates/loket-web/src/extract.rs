//! Request extractors: JSON bodies that answer in the API's error format, and the signed-in
//! staff member.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use loket_domain::FieldErrors;
use loket_domain::auth::{Permission, Role, allows};
use loket_store::User;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

/// A JSON body. Not JSON: 400 `bad_request`; JSON of the wrong shape (an unknown field, a bad
/// enum value): 422 `validation` naming the field; over the size limit: 413.
pub struct ApiJson<T>(pub T);

/// Like [`ApiJson`], but an empty body means `T::default()`.
pub struct OptionalJson<T>(pub T);

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.classify() != serde_json::error::Category::Data {
            return ApiError::BadRequest(format!("the body is not valid JSON: {inner}"));
        }
        let message = inner.to_string();
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

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        Ok(ApiJson(parse(&bytes)?))
    }
}

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        Ok(OptionalJson(parse(&bytes)?))
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

pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(ApiError::Unauthorized)?;
        let hash = token_hash(token);
        let user = state.store.session_user(&hash, state.now()).await?.ok_or(ApiError::Unauthorized)?;
        Ok(Staff { user, token_hash: hash })
    }
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
}
