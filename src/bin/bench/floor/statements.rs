//! The floor's SQL, written by hand: the same four batched statements contacts-graph issues for
//! the nested query (see `service::relations::pages_of` and `all_of`) and its one lookup
//! statement, selecting only the columns the two documents need.
//!
//! A per-parent page is a `LATERAL` join on PostgreSQL and a correlated `IN (...)` on SQLite,
//! as in the product. PostgreSQL gets the parents as one `uuid[]` parameter (what a hand-written
//! sqlx server would bind); SQLite, which has no arrays, gets a `VALUES` list of placeholders.

use std::time::Instant;

use sea_orm::sqlx::postgres::{PgPool, PgPoolOptions};
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::sqlx::{self, AssertSqlSafe, ConnectOptions};
use uuid::Uuid;

use crate::BenchResult;
use crate::sql::SqlCounter;

/// Page sizes of the bench's nested document (`ops::NESTED`).
pub const ACCOUNTS: i64 = 50;
pub const CONTACTS: i64 = 20;
pub const INCIDENTS: i64 = 5;

/// The pool size contacts-graph uses by default (`database.max_connections`).
const MAX_CONNECTIONS: u32 = 16;

pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
}

pub struct ContactRow {
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub first_name: Option<String>,
    pub last_name: String,
}

pub struct IdentityRow {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub channel: String,
    pub value: String,
}

pub struct IncidentRow {
    pub id: Uuid,
    pub primary_contact_id: Uuid,
    pub subject: String,
}

pub struct FoundContact {
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: String,
}

/// A pool on one of the two backends.
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// Opens a pool like contacts-graph's: the same size; on SQLite WAL, `synchronous = NORMAL`,
    /// a busy timeout and foreign keys; no statement logging.
    pub async fn connect(url: &str) -> BenchResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options: sqlx::postgres::PgConnectOptions = url.parse()?;
            let pool = PgPoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .connect_with(options.disable_statement_logging())
                .await?;
            return Ok(Self::Postgres(pool));
        }
        let options: SqliteConnectOptions = url.parse()?;
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5))
            .foreign_keys(true)
            .disable_statement_logging();
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        Ok(Self::Sqlite(pool))
    }

    /// The first page of accounts after `after`, oldest (lowest id) first.
    pub async fn accounts(
        &self,
        after: Option<Uuid>,
        sql: &SqlCounter,
    ) -> BenchResult<Vec<AccountRow>> {
        let started = Instant::now();
        let rows: Vec<(Uuid, String)> = match self {
            Self::Postgres(pool) => {
                let text = match after {
                    None => "SELECT id, name FROM account ORDER BY id LIMIT $1",
                    Some(_) => "SELECT id, name FROM account WHERE id > $2 ORDER BY id LIMIT $1",
                };
                let query = sqlx::query_as(text).bind(ACCOUNTS);
                let query = match after {
                    Some(after) => query.bind(after),
                    None => query,
                };
                let rows = query.fetch_all(pool).await?;
                sql.record(started.elapsed(), text);
                rows
            }
            Self::Sqlite(pool) => {
                let text = match after {
                    None => "SELECT id, name FROM account ORDER BY id LIMIT ?1",
                    Some(_) => "SELECT id, name FROM account WHERE id > ?2 ORDER BY id LIMIT ?1",
                };
                let query = sqlx::query_as(text).bind(ACCOUNTS);
                let query = match after {
                    Some(after) => query.bind(after),
                    None => query,
                };
                let rows = query.fetch_all(pool).await?;
                sql.record(started.elapsed(), text);
                rows
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, name)| AccountRow { id, name })
            .collect())
    }

    /// The first page of contacts of each account, in one statement; unordered across accounts.
    pub async fn contacts(
        &self,
        accounts: &[Uuid],
        sql: &SqlCounter,
    ) -> BenchResult<Vec<ContactRow>> {
        type Row = (Uuid, Option<Uuid>, Option<String>, String);
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let started = Instant::now();
        let rows: Vec<Row> = match self {
            Self::Postgres(pool) => {
                let text = "SELECT page.id, page.account_id, page.first_name, page.last_name \
                     FROM unnest($1::uuid[]) AS parent(id) CROSS JOIN LATERAL ( \
                       SELECT c.id, c.account_id, c.first_name, c.last_name FROM contact AS c \
                       WHERE c.account_id = parent.id ORDER BY c.id LIMIT $2) AS page";
                let rows = sqlx::query_as(text)
                    .bind(accounts)
                    .bind(CONTACTS)
                    .fetch_all(pool)
                    .await?;
                sql.record(started.elapsed(), text);
                rows
            }
            Self::Sqlite(pool) => {
                let text = format!(
                    "SELECT c.id, c.account_id, c.first_name, c.last_name \
                     FROM (VALUES {}) AS parent CROSS JOIN contact AS c \
                     WHERE c.id IN (SELECT p.id FROM contact AS p \
                       WHERE p.account_id = parent.column1 ORDER BY p.id LIMIT ?)",
                    values_list(accounts.len())
                );
                let mut query = sqlx::query_as(AssertSqlSafe(text.as_str()));
                for id in accounts {
                    query = query.bind(*id);
                }
                let rows = query.bind(CONTACTS).fetch_all(pool).await?;
                sql.record(started.elapsed(), &text);
                rows
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, account_id, first_name, last_name)| ContactRow {
                id,
                account_id,
                first_name,
                last_name,
            })
            .collect())
    }

    /// Every identity of the contacts, in id order.
    pub async fn identities(
        &self,
        contacts: &[Uuid],
        sql: &SqlCounter,
    ) -> BenchResult<Vec<IdentityRow>> {
        type Row = (Uuid, Uuid, String, String);
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let started = Instant::now();
        let rows: Vec<Row> = match self {
            Self::Postgres(pool) => {
                let text = "SELECT id, contact_id, channel, value FROM contact_identity \
                     WHERE contact_id = ANY($1) ORDER BY id";
                let rows = sqlx::query_as(text).bind(contacts).fetch_all(pool).await?;
                sql.record(started.elapsed(), text);
                rows
            }
            Self::Sqlite(pool) => {
                let text = format!(
                    "SELECT id, contact_id, channel, value FROM contact_identity \
                     WHERE contact_id IN ({}) ORDER BY id",
                    placeholders(contacts.len())
                );
                let mut query = sqlx::query_as(AssertSqlSafe(text.as_str()));
                for id in contacts {
                    query = query.bind(*id);
                }
                let rows = query.fetch_all(pool).await?;
                sql.record(started.elapsed(), &text);
                rows
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, contact_id, channel, value)| IdentityRow {
                id,
                contact_id,
                channel,
                value,
            })
            .collect())
    }

    /// The first page of incidents of each contact (as primary contact), in one statement;
    /// unordered across contacts.
    pub async fn incidents(
        &self,
        contacts: &[Uuid],
        sql: &SqlCounter,
    ) -> BenchResult<Vec<IncidentRow>> {
        type Row = (Uuid, Uuid, String);
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let started = Instant::now();
        let rows: Vec<Row> = match self {
            Self::Postgres(pool) => {
                let text = "SELECT page.id, page.primary_contact_id, page.subject \
                     FROM unnest($1::uuid[]) AS parent(id) CROSS JOIN LATERAL ( \
                       SELECT i.id, i.primary_contact_id, i.subject FROM incident AS i \
                       WHERE i.primary_contact_id = parent.id ORDER BY i.id LIMIT $2) AS page";
                let rows = sqlx::query_as(text)
                    .bind(contacts)
                    .bind(INCIDENTS)
                    .fetch_all(pool)
                    .await?;
                sql.record(started.elapsed(), text);
                rows
            }
            Self::Sqlite(pool) => {
                let text = format!(
                    "SELECT i.id, i.primary_contact_id, i.subject \
                     FROM (VALUES {}) AS parent CROSS JOIN incident AS i \
                     WHERE i.id IN (SELECT p.id FROM incident AS p \
                       WHERE p.primary_contact_id = parent.column1 ORDER BY p.id LIMIT ?)",
                    values_list(contacts.len())
                );
                let mut query = sqlx::query_as(AssertSqlSafe(text.as_str()));
                for id in contacts {
                    query = query.bind(*id);
                }
                let rows = query.bind(INCIDENTS).fetch_all(pool).await?;
                sql.record(started.elapsed(), &text);
                rows
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, primary_contact_id, subject)| IncidentRow {
                id,
                primary_contact_id,
                subject,
            })
            .collect())
    }

    /// The contact owning the identity `(channel, normalized)`.
    pub async fn contact_by_identity(
        &self,
        channel: &str,
        normalized: &str,
        sql: &SqlCounter,
    ) -> BenchResult<Option<FoundContact>> {
        type Row = (Uuid, Option<String>, String);
        let started = Instant::now();
        let row: Option<Row> = match self {
            Self::Postgres(pool) => {
                let text = "SELECT c.id, c.first_name, c.last_name FROM contact AS c \
                     JOIN contact_identity AS i ON i.contact_id = c.id \
                     WHERE i.channel = $1 AND i.normalized_value = $2 LIMIT 1";
                let row = sqlx::query_as(text)
                    .bind(channel)
                    .bind(normalized)
                    .fetch_optional(pool)
                    .await?;
                sql.record(started.elapsed(), text);
                row
            }
            Self::Sqlite(pool) => {
                let text = "SELECT c.id, c.first_name, c.last_name FROM contact AS c \
                     JOIN contact_identity AS i ON i.contact_id = c.id \
                     WHERE i.channel = ? AND i.normalized_value = ? LIMIT 1";
                let row = sqlx::query_as(text)
                    .bind(channel)
                    .bind(normalized)
                    .fetch_optional(pool)
                    .await?;
                sql.record(started.elapsed(), text);
                row
            }
        };
        Ok(row.map(|(id, first_name, last_name)| FoundContact {
            id,
            first_name,
            last_name,
        }))
    }
}

/// `?, ?, ...`
fn placeholders(n: usize) -> String {
    let mut text = String::with_capacity(n * 3);
    for index in 0..n {
        text.push_str(if index == 0 { "?" } else { ", ?" });
    }
    text
}

/// `(?), (?), ...`: a one-column `VALUES` list, whose column SQLite names `column1`.
fn values_list(n: usize) -> String {
    let mut text = String::with_capacity(n * 5);
    for index in 0..n {
        text.push_str(if index == 0 { "(?)" } else { ", (?)" });
    }
    text
}
