//! The one error type of the domain: a rule that refused an action.

use std::collections::BTreeMap;

use crate::visit::Status;

/// Field path (`visitor.phone`) to a short reason (`missing`, `invalid`, `too_long`, `unknown`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn one(field: &str, reason: &str) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, reason);
        errors
    }
    pub fn add(&mut self, field: &str, reason: &str) {
        self.0.entry(field.to_owned()).or_insert_with(|| reason.to_owned());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn merge(&mut self, other: FieldErrors) {
        for (k, v) in other.0 {
            self.0.entry(k).or_insert(v);
        }
    }
    /// `Ok(value)` when no field is wrong, else the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

/// Why the SOP does not allow what was asked, in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a visit that is {from} cannot be {action}")]
    InvalidTransition { from: Status, action: &'static str },
    #[error("the number has been called three times; skip it instead")]
    CallLimitReached,
    #[error("the number may be skipped only after the third call ({made} made)")]
    CallsRemaining { made: u32 },
    #[error("the counter still serves a visit")]
    CounterBusy,
    /// SOP step 12: the visitor's copy of the form comes before the archive.
    #[error("the visitor's copy of the form is not recorded yet")]
    CopyMissing,
    /// The copy was e-mailed, and the mail server has not taken it yet: it is not given.
    #[error("the visitor's e-mailed copy has not been taken by the mail server yet")]
    CopyPending,
    #[error("the form is not complete")]
    FormIncomplete(FieldErrors),
    #[error("some fields are not valid")]
    Validation(FieldErrors),
    /// A settings change would strand visits now in the office.
    #[error("{0}")]
    InUse(crate::settings::Stranded),
    /// The change would leave the office without an enabled admin.
    #[error("the last enabled admin cannot lose the admin role")]
    LastAdmin,
    /// The visit's satisfaction survey was already answered: one response per visit.
    #[error("the survey of this visit has already been answered")]
    SurveyAnswered,
    /// Another agent serves the visit (called it, or was named by a transfer); only they, or a
    /// supervisor, act on it.
    #[error("the visit is served by {agent}")]
    ServedByAnother { agent: String },
    /// An unmatched mail was confirmed or dismissed already: decided once, by one supervisor.
    #[error("this mail has already been confirmed or dismissed")]
    AlreadyDecided,
    /// The office's closing time has passed: no number is given until the next office day.
    #[error("the office is closed for today")]
    OfficeClosed,
    /// The same number was called less than the office's spacing ago: the visitor has not had
    /// their chance to come yet.
    #[error("the number was just called; call again in {seconds_left} seconds")]
    CallTooSoon { seconds_left: u32 },
}

impl Refused {
    pub fn validation(field: &str, reason: &str) -> Self {
        Refused::Validation(FieldErrors::one(field, reason))
    }
}
