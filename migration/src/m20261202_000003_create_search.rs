//! Search documents: one row of searchable text per contact and per account, kept in step with
//! the records by database triggers, so every write path (the API's mutations, merges, cascading
//! deletes, the seed generator's bulk INSERTs, a hand-written SQL fix) updates them in the
//! transaction that writes the record, and a rollback rolls them back too.
//!
//! - A contact's document: first and last name, alias, job title, each identity's value as
//!   entered and normalized, and the values of the contact's communication methods.
//! - An account's document: name, city, phone, website, and the values of its communication
//!   methods.
//!
//! The tables are `contact_search` and `account_search` on both backends. SQLite indexes them
//! with the FTS5 tables `contact_search_fts` and `account_search_fts` (external content: the
//! index stores tokens only, the text stays in `*_search`); PostgreSQL with GIN trigram indexes
//! (`pg_trgm`), which also give typo tolerance. See `docs/adr/0009-search.md`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

mod postgres;
mod sqlite;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(db, &sqlite::up()).await,
            _ => {
                create_trigram_extension(db).await?;
                run(db, &postgres::up()).await
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(db, &sqlite::down()).await,
            // The extension stays: other objects may use it, and dropping it needs more rights
            // than creating it did.
            _ => run(db, &postgres::down()).await,
        }
    }
}

async fn run<C: ConnectionTrait>(db: &C, statements: &[String]) -> Result<(), DbErr> {
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// `pg_trgm` is a trusted extension (PostgreSQL 13 and later): a role with CREATE on the
/// database may install it without being superuser. Without that right the migration stops here
/// with a message that says what to do, instead of PostgreSQL's bare "permission denied".
async fn create_trigram_extension<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        .await
        .map(|_| ())
        .map_err(|err| {
            DbErr::Migration(format!(
                "search needs the PostgreSQL extension pg_trgm and could not create it ({err}): \
                 grant the migrating role CREATE on the database (PostgreSQL 13 or later), or \
                 have a superuser run `CREATE EXTENSION pg_trgm;` in it once, then migrate again"
            ))
        })
}
