//! Business rules and data access, free of GraphQL and HTTP so they are testable on their own.
//! Every function that reads rows on behalf of a caller takes a [`ScopedDb`](scope::ScopedDb),
//! which carries the caller's scope.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod conflicts;
pub mod contacts;
pub mod identities;
pub mod identity;
pub mod incidents;
pub mod listing;
pub mod lookup;
pub mod merge;
pub mod methods;
pub mod opportunities;
pub mod page;
pub mod patch;
pub mod projection;
pub mod record;
pub mod redaction;
pub mod relations;
pub mod resolve;
pub mod scope;
pub mod search;
pub mod seed;
pub mod validate;
pub mod visibility;
