//! Opening the database, migrating it, the one way to start a write transaction, and the count
//! of statements each request issues.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseConnectionType, DatabaseTransaction, DbBackend, DbErr, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseConfig;
use crate::error::AppResult;

/// SQLite virtual-machine steps between two looks at the clock while a statement runs.
const SQLITE_CHECK_EVERY: i32 = 10_000;

/// A pooled connection idle at least this long is pinged before it is handed out. A ping on
/// every checkout is one more round trip per statement (to the server on PostgreSQL, to the
/// connection's worker thread on SQLite); a connection in steady use has just proved itself,
/// and one that went bad while busy is closed when it is returned (the pool pings it then).
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Opens a pool for serving. SQLite gets WAL (readers never wait for the writer), a busy timeout
/// (writers queue instead of failing) and enforced foreign keys.
///
/// No connection stays checked out longer than `database.statement_timeout_secs`: PostgreSQL
/// cancels a statement past it (`statement_timeout`), and SQLite interrupts it from a progress
/// handler. A request that times out is dropped; its statements would otherwise run on (a
/// dropped future does not stop a PostgreSQL statement, nor the SQLite worker thread inside
/// `sqlite3_step`), holding a connection and, for a write, SQLite's write lock.
pub async fn connect(config: &DatabaseConfig) -> AppResult<DatabaseConnection> {
    open(config, config.statement_timeout()).await
}

/// A pool without the statement timeout, for commands whose single transactions may run long
/// (`migrate`, `seed`, migrations at start).
pub async fn connect_unbounded(config: &DatabaseConfig) -> AppResult<DatabaseConnection> {
    open(config, None).await
}

async fn open(config: &DatabaseConfig, limit: Option<Duration>) -> AppResult<DatabaseConnection> {
    let mut options = ConnectOptions::new(config.url().to_owned());
    options
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout())
        .sqlx_logging(config.log_statements)
        .sqlx_logging_level(tracing::log::LevelFilter::Debug)
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE);
    let busy_timeout = config.busy_timeout();
    options.map_sqlx_sqlite_opts(move |opts| {
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(busy_timeout)
            .foreign_keys(true)
    });
    if let Some(limit) = limit {
        let millis = limit.as_millis().to_string();
        options.map_sqlx_postgres_opts(move |opts| {
            opts.options([("statement_timeout", millis.as_str())])
        });
        options.map_sqlx_sqlite_pool_opts(move |pool| {
            pool.after_connect(move |conn, _| Box::pin(arm_deadline(conn, limit)))
        });
        options.map_sqlx_sqlite_before_acquire(move |conn, _| {
            Box::pin(async move { arm_deadline(conn, limit).await.map(|()| true) })
        });
    }
    let mut conn = Database::connect(options).await?;
    conn.set_metric_callback(observe);
    Ok(conn)
}

/// From now on, statements on this SQLite connection stop (`SQLITE_INTERRUPT`) once `limit` has
/// passed: armed each time the pool hands the connection out.
async fn arm_deadline(
    conn: &mut SqliteConnection,
    limit: Duration,
) -> Result<(), sea_orm::sqlx::Error> {
    let deadline = Instant::now() + limit;
    let mut handle = conn.lock_handle().await?;
    handle.set_progress_handler(SQLITE_CHECK_EVERY, move || Instant::now() < deadline);
    Ok(())
}

/// Applies pending migrations; returns whether the database was new (no migration applied yet).
pub async fn migrate(db: &DatabaseConnection) -> AppResult<bool> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    let is_new = pending == Migrator::migrations().len();
    Migrator::up(db, None).await?;
    Ok(is_new)
}

/// Whether every migration this binary knows has been applied (readiness).
pub async fn migrations_current(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
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

/// The row a read statement finds, if any: like `query_one_raw`, without its cost.
///
/// `DatabaseConnection::query_one_raw` wraps the backend connection's call in two tracing
/// layers (`#[instrument]` and sea-orm's database span) around a future sized for every
/// backend; moving that future into them was about 30,000 instructions of `memcpy` per
/// statement, a tenth of a compiled point lookup (callgrind). The backend connection's own
/// method does the same work with the same statement callback ([`observe`]) and logging. Its
/// future is boxed where it is made, so the callers' futures stay small and it moves once.
pub async fn query_one(
    conn: &DatabaseConnection,
    statement: Statement,
) -> Result<Option<QueryResult>, DbErr> {
    match &conn.inner {
        DatabaseConnectionType::SqlxSqlitePoolConnection(pool) => {
            Box::pin(pool.query_one(statement)).await
        }
        DatabaseConnectionType::SqlxPostgresPoolConnection(pool) => {
            Box::pin(pool.query_one(statement)).await
        }
        _ => conn.query_one_raw(statement).await,
    }
}

/// The rows of a read statement: like `query_all_raw`, without its cost (see [`query_one`]).
pub async fn query_all(
    conn: &DatabaseConnection,
    statement: Statement,
) -> Result<Vec<QueryResult>, DbErr> {
    match &conn.inner {
        DatabaseConnectionType::SqlxSqlitePoolConnection(pool) => {
            Box::pin(pool.query_all(statement)).await
        }
        DatabaseConnectionType::SqlxPostgresPoolConnection(pool) => {
            Box::pin(pool.query_all(statement)).await
        }
        _ => conn.query_all_raw(statement).await,
    }
}

/// The statements one request has issued so far.
#[derive(Debug, Default)]
pub struct StatementCount(AtomicU64);

impl StatementCount {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    static REQUEST_STATEMENTS: Arc<StatementCount>;
}

/// Runs `work` with its statements counted into `count`. Tasks it spawns count only if they
/// are wrapped too (see [`current_count`]): the loaders do so for their batches.
pub fn counting<F: Future>(count: Arc<StatementCount>, work: F) -> impl Future<Output = F::Output> {
    REQUEST_STATEMENTS.scope(count, work)
}

/// The count of the request this task works for, if any.
pub fn current_count() -> Option<Arc<StatementCount>> {
    REQUEST_STATEMENTS.try_with(Arc::clone).ok()
}

/// Every statement of every clone of a connection made by [`connect`] passes here: the
/// request's count, and the process-wide metrics.
fn observe(info: &sea_orm::metric::Info<'_>) {
    let _ = REQUEST_STATEMENTS.try_with(|count| count.0.fetch_add(1, Ordering::Relaxed));
    let outcome = if info.failed { "error" } else { "ok" };
    metrics::counter!(STATEMENTS_TOTAL, "outcome" => outcome).increment(1);
    metrics::histogram!(STATEMENT_SECONDS).record(info.elapsed.as_secs_f64());
}

/// Prometheus names of the statement metrics (described with the others in `http::metrics`).
pub const STATEMENTS_TOTAL: &str = "contacts_graph_sql_statements_total";
pub const STATEMENT_SECONDS: &str = "contacts_graph_sql_statement_duration_seconds";

/// Replaces the connection's statement callback with one that also calls `extra` (tests and
/// the bench count statements this way); must run before the connection is cloned.
pub fn observe_statements(
    conn: &mut DatabaseConnection,
    extra: impl Fn(&sea_orm::metric::Info<'_>) + Send + Sync + 'static,
) {
    conn.set_metric_callback(move |info| {
        observe(info);
        extra(info);
    });
}
