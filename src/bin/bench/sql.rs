//! Counting what the server asks of the database, through sea-orm's metric callback: every
//! statement of every clone of the connection passes through it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use serde::Serialize;

/// Longest SQL text kept for the report; loader statements carry thousands of placeholders.
const SQL_CHARS: usize = 400;

#[derive(Debug, Default)]
pub struct SqlCounter {
    statements: AtomicU64,
    nanos: AtomicU64,
    /// Only while calibrating: under load the lock would be measured along with the server.
    watching: AtomicBool,
    slowest: Mutex<Option<SlowStatement>>,
}

/// Statements and their summed execution time (from after a pooled connection is acquired until
/// the rows are fetched) up to some moment; subtract two to get an interval.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqlTotals {
    pub statements: u64,
    pub time: Duration,
}

/// The slowest statement seen while watching: where a later change should look first.
#[derive(Debug, Clone, Serialize)]
pub struct SlowStatement {
    pub ms: f64,
    pub sql: String,
}

impl SqlCounter {
    /// Must run before the connection is cloned: clones made earlier would not count.
    pub fn install(conn: &mut DatabaseConnection) -> Arc<Self> {
        let counter = Arc::new(Self::default());
        let inner = Arc::clone(&counter);
        contacts_graph::db::observe_statements(conn, move |info| {
            inner.statements.fetch_add(1, Ordering::Relaxed);
            let nanos = u64::try_from(info.elapsed.as_nanos()).unwrap_or(u64::MAX);
            inner.nanos.fetch_add(nanos, Ordering::Relaxed);
            if inner.watching.load(Ordering::Relaxed) {
                inner.offer(info.elapsed, &info.statement.sql);
            }
        });
        counter
    }

    pub fn totals(&self) -> SqlTotals {
        SqlTotals {
            statements: self.statements.load(Ordering::SeqCst),
            time: Duration::from_nanos(self.nanos.load(Ordering::SeqCst)),
        }
    }

    /// Starts remembering the slowest statement, forgetting an earlier one.
    pub fn watch(&self) {
        if let Ok(mut slot) = self.slowest.lock() {
            *slot = None;
        }
        self.watching.store(true, Ordering::SeqCst);
    }

    /// Stops watching and returns the slowest statement since [`SqlCounter::watch`].
    pub fn slowest(&self) -> Option<SlowStatement> {
        self.watching.store(false, Ordering::SeqCst);
        self.slowest.lock().ok().and_then(|mut slot| slot.take())
    }

    fn offer(&self, elapsed: Duration, sql: &str) {
        let ms = elapsed.as_secs_f64() * 1000.0;
        let Ok(mut slot) = self.slowest.lock() else {
            return;
        };
        if slot.as_ref().is_none_or(|slowest| slowest.ms < ms) {
            *slot = Some(SlowStatement {
                ms,
                sql: shorten(sql),
            });
        }
    }
}

fn shorten(sql: &str) -> String {
    let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match sql.char_indices().nth(SQL_CHARS) {
        Some((end, _)) => format!("{}... ({} chars)", &sql[..end], sql.len()),
        None => sql,
    }
}

impl std::ops::Sub for SqlTotals {
    type Output = SqlTotals;

    fn sub(self, earlier: SqlTotals) -> SqlTotals {
        SqlTotals {
            statements: self.statements.saturating_sub(earlier.statements),
            time: self.time.saturating_sub(earlier.time),
        }
    }
}
