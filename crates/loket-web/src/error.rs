//! The web layer's one error type, and how each case answers: the API's error JSON with its
//! status and code.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loket_app::AppError;
use loket_domain::logo::LogoProblem;
use loket_domain::{FieldErrors, Refused};
use loket_store::StoreError;
use serde::Serialize;

use crate::middleware::RequestId;

/// The error body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A snake_case code (`counter_busy`).
    pub error: &'static str,
    /// Text for people.
    pub message: String,
    /// Field path to reason (`missing`, `invalid`, `too_long`, `unknown`), for validation errors;
    /// `logo` (`format`, `too_large`, `dimensions`, `too_many_pixels`, `undecodable`) for
    /// `invalid_logo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// For `internal` (500): the id of the request in the server log (also the `x-request-id`
    /// header of every answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The cause of a 500, with its chain of sources (the database driver's error and its own).
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

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
    /// 403: the password was chosen by someone else; `POST /api/v1/auth/password` first.
    #[error("change your password first (POST /api/v1/auth/password)")]
    PasswordChangeRequired,
    /// 404.
    #[error("not found")]
    NotFound,
    /// 405: the address exists, the method does not.
    #[error("this address does not take that method")]
    MethodNotAllowed,
    /// 409, 422: a rule of the SOP refused.
    #[error(transparent)]
    Refused(Refused),
    /// 429, with the time until the window ends (`Retry-After`).
    #[error("too many requests; try again in {} s", whole_seconds(*retry_after))]
    RateLimited { retry_after: Duration },
    /// 400: the body is not JSON, or more follows the JSON value.
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// 408: the body did not arrive in time.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// 422 `invalid_logo`: the office logo uploaded is not one (`fields.logo` says why).
    #[error(transparent)]
    InvalidLogo(LogoProblem),
    /// 413.
    #[error("the request body is larger than 1 MiB")]
    PayloadTooLarge,
    /// 415: a body that is not declared `application/json`.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// 502: the front office desk's receipt printer did not take the ticket (the number stays
    /// issued).
    #[error("the ticket printer did not answer: {0}")]
    PrinterUnreachable(String),
    /// 500: logged with its causes, never shown in detail.
    #[error("internal error")]
    Internal(Cause),
}

impl ApiError {
    pub fn validation(fields: FieldErrors) -> Self {
        ApiError::Refused(Refused::Validation(fields))
    }

    pub fn internal(cause: impl Into<Cause>) -> Self {
        ApiError::Internal(cause.into())
    }

    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::PasswordChangeRequired => (StatusCode::FORBIDDEN, "password_change_required"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Refused(r) => match r {
                Refused::InvalidTransition { .. } => (StatusCode::CONFLICT, "invalid_transition"),
                Refused::CallLimitReached => (StatusCode::CONFLICT, "call_limit_reached"),
                Refused::CallsRemaining { .. } => (StatusCode::CONFLICT, "calls_remaining"),
                Refused::CounterBusy => (StatusCode::CONFLICT, "counter_busy"),
                Refused::CopyMissing => (StatusCode::CONFLICT, "copy_missing"),
                Refused::CopyPending => (StatusCode::CONFLICT, "copy_pending"),
                Refused::FormIncomplete(_) => (StatusCode::UNPROCESSABLE_ENTITY, "form_incomplete"),
                Refused::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
                Refused::InUse(_) => (StatusCode::CONFLICT, "in_use"),
                Refused::LastAdmin => (StatusCode::CONFLICT, "last_admin"),
                Refused::SurveyAnswered => (StatusCode::CONFLICT, "survey_answered"),
                Refused::ServedByAnother { .. } => (StatusCode::CONFLICT, "served_by_another"),
                Refused::AlreadyDecided => (StatusCode::CONFLICT, "already_decided"),
                Refused::OfficeClosed => (StatusCode::CONFLICT, "office_closed"),
                Refused::CallTooSoon { .. } => (StatusCode::CONFLICT, "call_too_soon"),
            },
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            ApiError::InvalidLogo(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_logo"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::PrinterUnreachable(_) => (StatusCode::BAD_GATEWAY, "printer_unreachable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// The application's error as the API answers it: the one mapping of the API door.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Forbidden => ApiError::Forbidden,
            AppError::NotFound => ApiError::NotFound,
            AppError::Refused(r) => ApiError::Refused(r),
            AppError::InvalidLogo(p) => ApiError::InvalidLogo(p),
            AppError::PrinterUnreachable(reason) => ApiError::PrinterUnreachable(reason),
            AppError::Internal(cause) => ApiError::Internal(cause),
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
        ApiError::from(AppError::from(e))
    }
}

/// An error and each of its sources, on one line: `database error: error returned from
/// database: no such table: visits`.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

/// Logs an internal error with its chain of causes and the request's id, which it returns: what
/// both doors do with a 500.
pub fn log_internal(cause: &(dyn std::error::Error + 'static)) -> Option<String> {
    let id = RequestId::current();
    // Debug formatting escapes whatever a cause quotes from the request.
    tracing::error!(request_id = ?id.as_deref().unwrap_or("-"), cause = ?chain(cause), "internal error");
    id
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let fields = match &self {
            ApiError::Refused(Refused::Validation(f) | Refused::FormIncomplete(f)) => Some(f.0.clone()),
            ApiError::Refused(Refused::InUse(stranded)) => Some(stranded.fields().0),
            ApiError::InvalidLogo(problem) => Some(BTreeMap::from([("logo".to_owned(), problem.as_str().to_owned())])),
            _ => None,
        };
        let mut request_id = None;
        let message = match &self {
            ApiError::Internal(cause) => {
                request_id = log_internal(cause.as_ref());
                "internal error; the details are in the server log under the request id".to_owned()
            }
            other => other.to_string(),
        };
        if status.is_client_error() {
            tracing::debug!(code, message = ?message, "request refused");
        }
        let body = ErrorBody { error: code, message, fields, request_id };
        let mut res = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } = self {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(whole_seconds(retry_after)));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Whole seconds, rounded up and at least one: a client that waits as told is let in.
fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}
