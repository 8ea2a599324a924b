//! Opening the database, migrating it, and the one way to start a write transaction.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    AccessMode, ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseConfig;
use crate::error::AppResult;

/// Opens a pool. SQLite gets WAL (readers never wait for the writer), a busy timeout (writers
/// queue instead of failing) and enforced foreign keys.
pub async fn connect(config: &DatabaseConfig) -> AppResult<DatabaseConnection> {
    let mut options = ConnectOptions::new(config.url().to_owned());
    options
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(config.log_statements)
        .sqlx_logging_level(tracing::log::LevelFilter::Debug);
    let busy_timeout = config.busy_timeout();
    options.map_sqlx_sqlite_opts(move |opts| {
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(busy_timeout)
            .foreign_keys(true)
    });
    Ok(Database::connect(options).await?)
}

/// Applies pending migrations; returns whether the database was new (no migration applied yet).
pub async fn migrate(db: &DatabaseConnection) -> AppResult<bool> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    let is_new = pending == Migrator::migrations().len();
    Migrator::up(db, None).await?;
    Ok(is_new)
}

/// Starts a read-write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a writer takes the
/// lock up front and waits out the busy timeout instead of failing on upgrade mid-transaction.
pub async fn begin_write(db: &DatabaseConnection) -> AppResult<DatabaseTransaction> {
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        },
        _ => TransactionOptions {
            access_mode: Some(AccessMode::ReadWrite),
            ..Default::default()
        },
    };
    Ok(db.begin_with_options(options).await?)
}
