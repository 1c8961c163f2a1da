//! The web layer's one error type, and how each case answers: the API's error JSON with its
//! status and code.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use loket_domain::{FieldErrors, Refused};
use loket_store::StoreError;
use serde::Serialize;

/// The error body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A snake_case code (`counter_busy`).
    pub error: &'static str,
    /// Text for people.
    pub message: String,
    /// Field path to reason (`missing`, `invalid`, `too_long`, `unknown`), for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: wrong user name or password.
    #[error("wrong user name or password")]
    InvalidCredentials,
    /// 401: no valid token.
    #[error("sign in first")]
    Unauthorized,
    /// 403: the token's roles do not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// 404.
    #[error("not found")]
    NotFound,
    /// 405: the address exists, the method does not.
    #[error("this address does not take that method")]
    MethodNotAllowed,
    /// 409, 422: a rule of the SOP refused.
    #[error(transparent)]
    Refused(Refused),
    /// 429.
    #[error("too many requests; wait a moment")]
    RateLimited,
    /// 400: the body is not JSON.
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// 413.
    #[error("the request body is larger than 1 MiB")]
    PayloadTooLarge,
    /// 500: logged, never shown in detail.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn validation(fields: FieldErrors) -> Self {
        ApiError::Refused(Refused::Validation(fields))
    }

    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Refused(r) => match r {
                Refused::InvalidTransition { .. } => (StatusCode::CONFLICT, "invalid_transition"),
                Refused::CallLimitReached => (StatusCode::CONFLICT, "call_limit_reached"),
                Refused::CallsRemaining { .. } => (StatusCode::CONFLICT, "calls_remaining"),
                Refused::CounterBusy => (StatusCode::CONFLICT, "counter_busy"),
                Refused::FormIncomplete(_) => (StatusCode::UNPROCESSABLE_ENTITY, "form_incomplete"),
                Refused::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
                Refused::InUse(_) => (StatusCode::CONFLICT, "in_use"),
            },
            ApiError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        ApiError::Refused(r)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Refused(r) => ApiError::Refused(r),
            StoreError::Duplicate => ApiError::validation({
                let mut f = FieldErrors::default();
                f.add("username", "taken");
                f
            }),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let fields = match &self {
            ApiError::Refused(Refused::Validation(f) | Refused::FormIncomplete(f)) => Some(f.0.clone()),
            _ => None,
        };
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                "internal error; the details are in the server log".to_owned()
            }
            other => other.to_string(),
        };
        if status.is_client_error() {
            tracing::debug!(code, %message, "request refused");
        }
        (status, Json(ErrorBody { error: code, message, fields })).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
