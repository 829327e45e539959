//! The use cases' error: each variant is something a caller shows a person
//! (what was wrong) or maps to one HTTP status.

use gatehouse_domain::{PolicyError, Refusal};
use gatehouse_store::StoreError;

/// A use case failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was wrong; the text says how.
    #[error("{message}")]
    Invalid {
        /// The input field, when one is to blame.
        field: Option<String>,
        /// What was wrong.
        message: String,
    },
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// It clashes with something that exists.
    #[error("{0}")]
    Conflict(String),
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
        }
    }

    /// A policy refusal of one field.
    pub fn policy(field: &str, e: PolicyError) -> AppError {
        AppError::invalid(field, e.to_string())
    }
}
