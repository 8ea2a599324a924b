//! The one error type of the service and its single mapping to GraphQL error codes.
//!
//! `Display` is the public message. Database text never reaches a client: an unexpected failure
//! shows "internal error" and the HTTP layer logs its source once, tagged with the request id.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Stable machine-readable codes, sent as `extensions.code`. Adding one is a minor change;
/// renaming one breaks clients.
pub mod code {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const CONFLICT: &str = "CONFLICT";
    pub const INTERNAL: &str = "INTERNAL";
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// The request is malformed or breaks a validation rule; the message names the field.
    #[error("{0}")]
    BadInput(String),
    /// A record addressed by a write does not exist (reads answer `null` instead).
    #[error("{0}")]
    NotFound(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller could not be identified.
    #[error("{0}")]
    Unauthenticated(String),
    /// The request is valid but clashes with the current state (duplicate, stale version, ...).
    #[error("{0}")]
    Conflict(String),
    /// Anything unexpected. The source is logged, never shown.
    #[error("internal error")]
    Internal(Arc<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput(message.into())
    }

    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Arc::new(source))
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadInput(_) => code::BAD_USER_INPUT,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::Conflict(_) => code::CONFLICT,
            Self::Internal(_) => code::INTERNAL,
        }
    }

    /// The underlying failure of an `Internal` error, for the log line.
    pub fn internal_source(&self) -> Option<&(dyn std::error::Error + Send + Sync)> {
        match self {
            Self::Internal(source) => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        Self::internal(err)
    }
}

impl ErrorExtensions for AppError {
    /// Keeps the `AppError` as the error's source so the HTTP layer can log internal failures.
    fn extend(&self) -> async_graphql::Error {
        let code = self.code();
        async_graphql::Error::new_with_source(self.clone())
            .extend_with(|_, ext| ext.set("code", code))
    }
}

/// Result of service functions.
pub type AppResult<T> = Result<T, AppError>;
