//! The one error type of the service and its single mapping to GraphQL error codes.
//!
//! `Display` is the public message. Database text never reaches a client: an unexpected failure
//! shows "internal error" and the HTTP layer logs its source once, tagged with the request id.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};
use uuid::Uuid;

use crate::graphql::ids::{GlobalId, NodeType};

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
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    pub const PERSISTED_QUERY_NOT_SUPPORTED: &str = "PERSISTED_QUERY_NOT_SUPPORTED";
    pub const OPERATION_NOT_IN_ALLOW_LIST: &str = "OPERATION_NOT_IN_ALLOW_LIST";
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
    /// An identity the request would add already belongs to another contact; the client can
    /// offer to merge the two (`extensions.contactId` names the owner).
    #[error("{channel} identity `{value}` already belongs to another contact")]
    IdentityTaken {
        channel: &'static str,
        value: String,
        owner: Uuid,
    },
    /// The contact addressed was merged into another; a destructive change must name the
    /// survivor (`extensions.survivorId`) explicitly.
    #[error("the contact was merged into another contact; address the survivor instead")]
    MergedAway { survivor: Uuid },
    /// The record is still referenced; `extensions` carries the counts by kind.
    #[error("{message}")]
    InUse {
        message: String,
        counts: Vec<(&'static str, u64)>,
    },
    /// The document is over one of the configured limits (`limits.*`); `extensions.limit` names
    /// it, `extensions.max` and `extensions.actual` give the numbers. A validation failure: the
    /// document is refused before anything runs.
    #[error("{message}")]
    OverLimit {
        limit: &'static str,
        max: usize,
        actual: usize,
        message: String,
    },
    /// The caller's key used up its rate limit; a token is back after `retry_after_secs`
    /// (also the `Retry-After` header).
    #[error("rate limit exceeded for this key: retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The server cannot take the request now (no database connection became free in time);
    /// trying again later may work.
    #[error("{0}")]
    Unavailable(String),
    /// The request ran past `server.request_timeout_secs` (or a statement past
    /// `database.statement_timeout_secs`) and was cancelled with its database work.
    #[error("{0}")]
    Timeout(String),
    /// An automatic persisted query whose hash this server does not know (yet): send the
    /// document along with the hash. The message is the one Apollo clients look for.
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    /// Persisted queries are switched off.
    #[error("PersistedQueryNotSupported")]
    PersistedQueryNotSupported,
    /// The caller may run only the documents of the allow-list, and this is not one of them.
    #[error("{0}")]
    NotInAllowList(String),
    /// Anything unexpected. The source is logged, never shown.
    #[error("internal error")]
    Internal(Arc<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput(message.into())
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// `NOT_FOUND` naming the input field that referred to a missing record.
    pub fn missing(field: &str, what: &str) -> Self {
        Self::NotFound(format!("`{field}`: {what} not found"))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// The request ran past its time and was cancelled.
    pub fn request_timeout(limit: std::time::Duration) -> Self {
        Self::Timeout(format!(
            "the request took longer than {} s and was cancelled",
            limit.as_secs_f64()
        ))
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
            Self::Conflict(_)
            | Self::IdentityTaken { .. }
            | Self::MergedAway { .. }
            | Self::InUse { .. } => code::CONFLICT,
            Self::OverLimit { .. } => code::GRAPHQL_VALIDATION_FAILED,
            Self::RateLimited { .. } => code::RATE_LIMITED,
            Self::Unavailable(_) => code::SERVICE_UNAVAILABLE,
            Self::Timeout(_) => code::REQUEST_TIMEOUT,
            Self::PersistedQueryNotFound => code::PERSISTED_QUERY_NOT_FOUND,
            Self::PersistedQueryNotSupported => code::PERSISTED_QUERY_NOT_SUPPORTED,
            Self::NotInAllowList(_) => code::OPERATION_NOT_IN_ALLOW_LIST,
            Self::Internal(_) => code::INTERNAL,
        }
    }

    /// The error as GraphQL reports it outside any field: message and `extensions`.
    pub fn to_server_error(&self) -> async_graphql::ServerError {
        let mut error = async_graphql::ServerError::new(self.to_string(), None);
        error.extensions = self.extend().extensions;
        error
    }

    /// The underlying failure of an `Internal` error, for the log line.
    pub fn internal_source(&self) -> Option<&(dyn std::error::Error + Send + Sync)> {
        match self {
            Self::Internal(source) => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// Constraints whose violation is the client's doing, with the message it gets. PostgreSQL names
/// the constraint; SQLite names the columns (`UNIQUE constraint failed: t.a, t.b`) or the CHECK
/// name, so each row lists both spellings.
const CLIENT_CONSTRAINTS: &[(&[&str], &str)] = &[
    (
        &[
            "uq_contact_identity_channel_normalized_value",
            "contact_identity.channel, contact_identity.normalized_value",
        ],
        "that identity already belongs to a contact",
    ),
    (
        &["ck_account_customer_or_partner"],
        "an account must be a customer, a partner, or both",
    ),
];

/// The message of a pool that stayed exhausted for `database.acquire_timeout_ms`.
const POOL_EXHAUSTED: &str =
    "the server is busy: no database connection became free in time; try again shortly";

/// SQLSTATE of a PostgreSQL statement cancelled by `statement_timeout`, and SQLite's result code
/// of an interrupted statement.
const PG_QUERY_CANCELED: &str = "57014";
const SQLITE_INTERRUPT: &str = "9";

/// The database's own error under a sea-orm one, if there is one.
fn database_code(err: &DbErr) -> Option<String> {
    let runtime = match err {
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return None,
    };
    match runtime {
        sea_orm::RuntimeErr::SqlxError(sqlx) => match sqlx.as_ref() {
            sea_orm::sqlx::Error::Database(db) => db.code().map(|code| code.into_owned()),
            _ => None,
        },
        _ => None,
    }
}

fn is_pool_timeout(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout) => true,
        DbErr::Conn(sea_orm::RuntimeErr::SqlxError(sqlx))
        | DbErr::Exec(sea_orm::RuntimeErr::SqlxError(sqlx))
        | DbErr::Query(sea_orm::RuntimeErr::SqlxError(sqlx)) => {
            matches!(sqlx.as_ref(), sea_orm::sqlx::Error::PoolTimedOut)
        }
        _ => false,
    }
}

impl From<DbErr> for AppError {
    /// Unique and check violations that a client can cause become `CONFLICT`; an exhausted pool
    /// `SERVICE_UNAVAILABLE`; a statement stopped by the statement timeout `REQUEST_TIMEOUT`;
    /// everything else is internal. Foreign-key violations are not listed: services check
    /// references first, so one reaching here is a race or a bug.
    fn from(err: DbErr) -> Self {
        if is_pool_timeout(&err) {
            return Self::Unavailable(POOL_EXHAUSTED.to_owned());
        }
        if let Some(code) = database_code(&err)
            && (code == PG_QUERY_CANCELED || code == SQLITE_INTERRUPT)
        {
            tracing::warn!(error = %err, "a statement was stopped by the statement timeout");
            return Self::Timeout(
                "a database statement ran past the statement timeout and was stopped".to_owned(),
            );
        }
        let text = match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(text)) => Some(text),
            _ => None,
        }
        .unwrap_or_else(|| err.to_string());
        for (spellings, message) in CLIENT_CONSTRAINTS {
            if spellings.iter().any(|spelling| text.contains(spelling)) {
                return Self::Conflict((*message).to_owned());
            }
        }
        Self::internal(err)
    }
}

impl ErrorExtensions for AppError {
    /// Keeps the `AppError` as the error's source so the HTTP layer can log internal failures.
    fn extend(&self) -> async_graphql::Error {
        let code = self.code();
        async_graphql::Error::new_with_source(self.clone()).extend_with(|_, ext| {
            ext.set("code", code);
            match self {
                Self::IdentityTaken { owner, .. } => {
                    let owner = GlobalId::new(NodeType::Contact, *owner).to_id();
                    ext.set("contactId", owner.0);
                }
                Self::MergedAway { survivor } => {
                    let survivor = GlobalId::new(NodeType::Contact, *survivor).to_id();
                    ext.set("survivorId", survivor.0);
                }
                Self::InUse { counts, .. } => {
                    for (kind, count) in counts {
                        ext.set(*kind, *count);
                    }
                }
                Self::OverLimit {
                    limit, max, actual, ..
                } => {
                    ext.set("limit", *limit);
                    ext.set("max", *max as u64);
                    ext.set("actual", *actual as u64);
                }
                Self::RateLimited { retry_after_secs } => {
                    ext.set("retryAfter", *retry_after_secs);
                }
                _ => {}
            }
        })
    }
}

/// Result of service functions.
pub type AppResult<T> = Result<T, AppError>;
