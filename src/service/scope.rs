//! A database handle bound to the scope of one request.

use sea_orm::DatabaseConnection;

use crate::auth::{Principal, Scope};

/// The connection every read path goes through. It carries the caller's [`Scope`], so a query
/// cannot be written without it, and loaders built on it never mix callers.
#[derive(Clone)]
pub struct ScopedDb {
    conn: DatabaseConnection,
    scope: Scope,
}

impl ScopedDb {
    pub fn new(conn: DatabaseConnection, principal: &Principal) -> Self {
        Self {
            conn,
            scope: principal.scope,
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }
}
