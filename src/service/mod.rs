//! Business rules and data access, free of GraphQL and HTTP so they are testable on their own.
//! Every function that reads rows on behalf of a caller takes a [`ScopedDb`](scope::ScopedDb),
//! which carries the caller's scope.

pub mod identity;
pub mod lookup;
pub mod page;
pub mod record;
pub mod relations;
pub mod scope;
pub mod seed;
