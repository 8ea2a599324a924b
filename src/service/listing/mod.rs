//! What a list asks for beyond a page: a filter and an order, as plain data that the service
//! turns into SQL. Both are validated once, hash and compare by content (the loaders batch the
//! pages of one list shape into one statement), and fingerprint the cursors they produce, so a
//! cursor is only accepted by the list it came from.

pub mod filter;
pub mod order;
pub mod scalar;
pub mod schema;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use filter::{Filter, FilterLimits, Op};
pub use order::{Direction as SortDirection, OrderKey, SortField};
pub use scalar::Scalar;
pub use schema::{Field, Kind, Table, ToMany, ToOne};

/// The filter and order of one list request. The default is every visible row, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ListSpec {
    pub filter: Option<Filter>,
    /// Sort keys before the id, which always ends the order so that it is total.
    pub order: Vec<OrderKey>,
}

impl ListSpec {
    /// A short digest of the spec, carried in cursors.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&canonical);
        digest[..8]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}
