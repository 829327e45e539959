//! The use cases' error: each variant is something a caller shows a person
//! (what was wrong) or maps to one HTTP status.

use gatehouse_domain::{FieldError, PolicyError, Refusal, SignInRefusal, Words};
use gatehouse_store::StoreError;

/// A use case failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was wrong; the text says how.
    #[error("{message}")]
    Invalid {
        /// The input field, when one is to blame.
        field: Option<String>,
        /// What was wrong (English).
        message: String,
        /// The same by message ID, for the pages' languages.
        words: Option<Words>,
    },
    /// Several inputs were wrong; each says how.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldError>),
    /// Not allowed here, for a reason the code names (a site setting, …).
    #[error("{message}")]
    Forbidden {
        /// Machine-readable reason.
        code: &'static str,
        /// What a person is told.
        message: String,
    },
    /// A sign-in was refused; only after the right password may the reason
    /// be more than `InvalidCredentials`.
    #[error(transparent)]
    SignIn(#[from] SignInRefusal),
    /// A link (activation, reset) is unknown, used or expired.
    #[error("this link is not valid any more: it was used already or it expired")]
    LinkInvalid,
    /// The session that asked has ended (signed out, expired, or its
    /// account may no longer sign in), perhaps a moment ago on another node.
    #[error("your session has ended: sign in again")]
    SignedOut,
    /// The customer must change the password before anything else.
    #[error("the password has expired: choose a new one before anything else")]
    PasswordChangeRequired,
    /// Too much work waiting (a sign-in storm): try again in a moment.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// It clashes with something that exists.
    #[error("{0}")]
    Conflict(String),
    /// Fields whose values something that exists has already (a name, a
    /// key); each says which.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Taken(Vec<FieldError>),
    /// The lifecycle does not allow it.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or a failure of the machine (hashing pool gone, …).
    #[error("internal error: {0}")]
    Internal(String),
}

/// A use case result.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An invalid input of one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: Some(field.to_string()),
            message: message.into(),
            words: None,
        }
    }

    /// An invalid input of one field, with the words to translate it.
    pub fn said(field: &str, words: Words, english: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: Some(field.to_string()),
            message: english.into(),
            words: Some(words),
        }
    }

    /// A policy refusal of one field.
    pub fn policy(field: &str, e: PolicyError) -> AppError {
        AppError::said(field, e.words(), e.to_string())
    }
}

/// Why an outbox message was not delivered (by mail or to an app's
/// back-channel address): what the delivery worker needs to decide on a
/// retry. Here, a leaf, so that the worker and each sender share it without
/// depending on each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// Trying again will not help (a bad address, a 5xx answer).
    pub permanent: bool,
    /// What went wrong.
    pub message: String,
}
