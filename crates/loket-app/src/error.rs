//! The application's one error type. Each door maps it once: the API to its error JSON, the
//! pages to a page that says why (and keeps what was typed).

use loket_domain::logo::LogoProblem;
use loket_domain::{FieldErrors, Refused};
use loket_store::StoreError;

/// The cause of an internal error, with its chain of sources.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The staff member's roles do not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A rule of the SOP, or a field's format, refused.
    #[error(transparent)]
    Refused(Refused),
    /// The office logo given is not one.
    #[error(transparent)]
    InvalidLogo(LogoProblem),
    /// The front office desk's receipt printer did not take the ticket; the number stays issued.
    /// The reason is for the log.
    #[error("the ticket printer did not answer: {0}")]
    PrinterUnreachable(String),
    /// Anything else: logged with its causes, never shown in detail.
    #[error("internal error")]
    Internal(#[source] Cause),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(fields: FieldErrors) -> AppError {
        AppError::Refused(Refused::Validation(fields))
    }

    /// A refusal naming one field and its problem (`desk`, `unknown`).
    pub fn field(field: &str, reason: &str) -> AppError {
        AppError::validation(FieldErrors::one(field, reason))
    }

    pub fn internal(cause: impl Into<Cause>) -> AppError {
        AppError::Internal(cause.into())
    }
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        AppError::Refused(r)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Refused(r) => AppError::Refused(r),
            StoreError::Duplicate => AppError::field("username", "taken"),
            other => AppError::Internal(Box::new(other)),
        }
    }
}
