//! A database handle bound to the caller of one request.

use sea_orm::DatabaseConnection;

use crate::auth::{Principal, Scope};

/// The connection every service function goes through. It carries the caller, so no query can
/// be written without the caller's scope and no change without its actor; loaders built on it
/// never mix callers.
#[derive(Clone)]
pub struct ScopedDb {
    conn: DatabaseConnection,
    principal: Principal,
}

impl ScopedDb {
    pub fn new(conn: DatabaseConnection, principal: &Principal) -> Self {
        Self {
            conn,
            principal: principal.clone(),
        }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn scope(&self) -> Scope {
        self.principal.scope
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }
}
