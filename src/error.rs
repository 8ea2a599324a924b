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

impl From<DbErr> for AppError {
    /// Unique and check violations that a client can cause become `CONFLICT`; everything else is
    /// internal. Foreign-key violations are not listed: services check references first, so one
    /// reaching here is a race or a bug.
    fn from(err: DbErr) -> Self {
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
                _ => {}
            }
        })
    }
}

/// Result of service functions.
pub type AppResult<T> = Result<T, AppError>;
