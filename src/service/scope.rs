//! A database handle bound to the caller of one request.

use sea_orm::{ConnectionTrait, DatabaseConnection, QueryFilter};
use uuid::Uuid;

use crate::auth::{Principal, Scope};
use crate::error::AppResult;
use crate::service::record::Record;

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

    /// One record by id, if it exists and the caller may see it, read through `conn` (the
    /// connection or the caller's transaction).
    pub async fn find<E: Record, C: ConnectionTrait>(
        &self,
        conn: &C,
        id: Uuid,
    ) -> AppResult<Option<E::Model>> {
        Ok(E::find()
            .filter(E::visible_with_ids(self.scope(), [id]))
            .one(conn)
            .await?)
    }
}
