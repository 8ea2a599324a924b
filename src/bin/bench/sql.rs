//! Counting what the server asks of the database, through sea-orm's metric callback: every
//! statement of every clone of the connection passes through it. (The floor counts its own
//! statements into the same counter.)
//!
//! The servers run as child processes (`server.rs`), so the counter lives there and the bench
//! reads it over HTTP: each server process adds the routes of [`routes`] next to its own, and
//! [`SqlProbe`] calls them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::BenchResult;
use crate::client::Client;

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
#[derive(Debug, Clone, Serialize, Deserialize)]
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
            inner.record(info.elapsed, &info.statement.sql);
        });
        counter
    }

    /// Counts one statement that took `elapsed`; `sql` names it in the report when it is the
    /// slowest while watching.
    pub fn record(&self, elapsed: Duration, sql: &str) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        if self.watching.load(Ordering::Relaxed) {
            self.offer(elapsed, sql);
        }
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

/// Path of the bench-only routes each server process adds next to its own.
const TOTALS: &str = "/bench/sql";
const WATCH: &str = "/bench/sql/watch";
const SLOWEST: &str = "/bench/sql/slowest";

/// The counter's totals as they travel between the processes.
#[derive(Debug, Serialize, Deserialize)]
struct WireTotals {
    statements: u64,
    nanos: u64,
}

/// The server side: `GET /bench/sql` (totals), `POST /bench/sql/watch` and
/// `POST /bench/sql/slowest`, the three calls of [`SqlProbe`].
pub fn routes(counter: Arc<SqlCounter>) -> Router {
    async fn totals(State(counter): State<Arc<SqlCounter>>) -> Json<WireTotals> {
        let totals = counter.totals();
        Json(WireTotals {
            statements: totals.statements,
            nanos: u64::try_from(totals.time.as_nanos()).unwrap_or(u64::MAX),
        })
    }
    async fn watch(State(counter): State<Arc<SqlCounter>>) -> StatusCode {
        counter.watch();
        StatusCode::NO_CONTENT
    }
    async fn slowest(State(counter): State<Arc<SqlCounter>>) -> Json<Option<SlowStatement>> {
        Json(counter.slowest())
    }
    Router::new()
        .route(TOTALS, get(totals))
        .route(WATCH, post(watch))
        .route(SLOWEST, post(slowest))
        .with_state(counter)
}

/// The bench side: the statement counter of a server process, over a connection of its own.
pub struct SqlProbe {
    client: Client,
}

impl SqlProbe {
    pub async fn connect(address: SocketAddr) -> BenchResult<Self> {
        Ok(Self {
            client: Client::connect(address, "").await?,
        })
    }

    pub async fn totals(&mut self) -> BenchResult<SqlTotals> {
        let wire: WireTotals = self.call(Method::GET, TOTALS).await?;
        Ok(SqlTotals {
            statements: wire.statements,
            time: Duration::from_nanos(wire.nanos),
        })
    }

    /// See [`SqlCounter::watch`].
    pub async fn watch(&mut self) -> BenchResult<()> {
        let (status, _) = self.client.send(Method::POST, WATCH, Bytes::new()).await?;
        if !status.is_success() {
            return Err(format!("POST {WATCH}: HTTP {status}").into());
        }
        Ok(())
    }

    /// See [`SqlCounter::slowest`].
    pub async fn slowest(&mut self) -> BenchResult<Option<SlowStatement>> {
        self.call(Method::POST, SLOWEST).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &mut self,
        method: Method,
        path: &str,
    ) -> BenchResult<T> {
        let (status, body) = self.client.send(method.clone(), path, Bytes::new()).await?;
        if !status.is_success() {
            return Err(format!("{method} {path}: HTTP {status}").into());
        }
        Ok(serde_json::from_slice(&body)?)
    }
}
