//! Prometheus metrics at `/metrics`, recorded through the `metrics` facade.
//!
//! The recorder is process-wide (the facade has one global recorder), installed by the first
//! router built with `metrics.enabled`; every router of the process reports into it.
//!
//! | metric | type | labels |
//! | --- | --- | --- |
//! | `contacts_graph_graphql_requests_total` | counter | `operation`, `outcome` |
//! | `contacts_graph_graphql_request_duration_seconds` | histogram | `operation`, `outcome` |
//! | `contacts_graph_graphql_errors_total` | counter | `code` |
//! | `contacts_graph_sql_statements_per_request` | histogram | `operation` |
//! | `contacts_graph_sql_statements_total` | counter | `outcome` |
//! | `contacts_graph_sql_statement_duration_seconds` | histogram | |
//! | `contacts_graph_db_pool_connections` | gauge | `state` (`in_use`, `idle`, `max`) |
//! | `contacts_graph_db_pool_timeouts_total` | counter | |
//!
//! Operation names come from clients, so they are capped: past [`MAX_OPERATION_NAMES`]
//! distinct names, new ones are counted as `other`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::db::{STATEMENT_SECONDS, STATEMENTS_TOTAL};

pub const REQUESTS_TOTAL: &str = "contacts_graph_graphql_requests_total";
pub const REQUEST_SECONDS: &str = "contacts_graph_graphql_request_duration_seconds";
pub const ERRORS_TOTAL: &str = "contacts_graph_graphql_errors_total";
pub const STATEMENTS_PER_REQUEST: &str = "contacts_graph_sql_statements_per_request";
pub const POOL_CONNECTIONS: &str = "contacts_graph_db_pool_connections";
pub const POOL_TIMEOUTS: &str = "contacts_graph_db_pool_timeouts_total";
pub const VALIDATIONS_TOTAL: &str = "contacts_graph_graphql_validations_total";

/// Distinct operation names kept as label values.
pub const MAX_OPERATION_NAMES: usize = 200;

/// How often histograms are folded, so that their samples do not pile up between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static OPERATION_LABELS: OnceLock<Mutex<OperationLabels>> = OnceLock::new();

/// Installs the process-wide recorder once; `None` if another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    RECORDER.get_or_init(build).clone()
}

fn build() -> Option<PrometheusHandle> {
    let seconds = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ];
    let statements = [
        0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 20.0, 50.0, 100.0, 1000.0,
    ];
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), &seconds)
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Full(STATEMENT_SECONDS.to_owned()), &seconds)
        })
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full(STATEMENTS_PER_REQUEST.to_owned()),
                &statements,
            )
        })
        .ok()?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).ok()?;
    describe();
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            }
        })
        .ok()?;
    Some(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS_TOTAL,
        "GraphQL requests by operation name and outcome"
    );
    describe_histogram!(
        REQUEST_SECONDS,
        Unit::Seconds,
        "GraphQL request latency, from authentication to the serialized answer"
    );
    describe_counter!(ERRORS_TOTAL, "GraphQL errors answered, by extensions.code");
    describe_histogram!(
        STATEMENTS_PER_REQUEST,
        "SQL statements issued by one GraphQL request"
    );
    describe_counter!(STATEMENTS_TOTAL, "SQL statements executed, by outcome");
    describe_histogram!(
        STATEMENT_SECONDS,
        Unit::Seconds,
        "SQL statement execution time"
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        "Database pool connections: in_use, idle, and the configured max"
    );
    describe_counter!(
        VALIDATIONS_TOTAL,
        "Documents validated (outcome passed or failed), or accepted by a validation they passed \
         before (reused; see http::validated)"
    );
    describe_counter!(
        POOL_TIMEOUTS,
        "Requests refused because no pooled connection became free in time"
    );
}

/// The label value of an operation name that passes for one: short, and what GraphQL allows.
fn is_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The metrics of one operation label, looked up in the recorder once: finding a metric by
/// name and labels hashes them all, three times per request.
struct OperationMetrics {
    label: String,
    statements: Histogram,
    /// Per outcome (a handful of `&'static str`s): requests and their duration.
    outcomes: Vec<(&'static str, Counter, Histogram)>,
}

impl OperationMetrics {
    fn new(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            statements: metrics::histogram!(STATEMENTS_PER_REQUEST, "operation" => label.to_owned()),
            outcomes: Vec::new(),
        }
    }

    fn outcome(&mut self, outcome: &'static str) -> (&Counter, &Histogram) {
        let index = match self
            .outcomes
            .iter()
            .position(|(known, ..)| *known == outcome)
        {
            Some(index) => index,
            None => {
                self.outcomes.push((
                    outcome,
                    metrics::counter!(REQUESTS_TOTAL, "operation" => self.label.clone(), "outcome" => outcome),
                    metrics::histogram!(REQUEST_SECONDS, "operation" => self.label.clone(), "outcome" => outcome),
                ));
                self.outcomes.len() - 1
            }
        };
        let (_, requests, seconds) = &self.outcomes[index];
        (requests, seconds)
    }
}

/// Labels seen so far: at most [`MAX_OPERATION_NAMES`] operation names, plus the labels that
/// are not names (`anonymous`, `unknown`, `other`).
#[derive(Default)]
struct OperationLabels {
    metrics: HashMap<String, OperationMetrics>,
    names: usize,
}

impl OperationLabels {
    /// The metrics of `label`; a name past the cap counts as `other`. Only a label seen for the
    /// first time is copied (`entry` would take an owned key on every request).
    fn metrics(&mut self, label: &str, is_name: bool) -> Option<&mut OperationMetrics> {
        let label = if !is_name || self.metrics.contains_key(label) {
            label
        } else if self.names < MAX_OPERATION_NAMES {
            self.names += 1;
            label
        } else {
            "other"
        };
        if !self.metrics.contains_key(label) {
            self.metrics
                .insert(label.to_owned(), OperationMetrics::new(label));
        }
        self.metrics.get_mut(label)
    }
}

/// One finished GraphQL operation.
pub struct Finished<'a> {
    /// `None` for anonymous operations; `Some("unknown")`-like values are not invented here.
    pub operation: Option<&'a str>,
    /// Whether the document was read at all (false for refusals before parsing).
    pub parsed: bool,
    pub outcome: &'static str,
    pub duration: Duration,
    pub statements: u64,
    pub error_codes: Vec<String>,
}

pub fn record(finished: &Finished<'_>) {
    let (label, is_name) = match finished.operation {
        _ if !finished.parsed => ("unknown", false),
        None => ("anonymous", false),
        Some(name) if is_label(name) => (name, true),
        Some(_) => ("other", false),
    };
    let labels = OPERATION_LABELS.get_or_init(Mutex::default);
    if let Ok(mut labels) = labels.lock()
        && let Some(operation) = labels.metrics(label, is_name)
    {
        operation.statements.record(finished.statements as f64);
        let (requests, seconds) = operation.outcome(finished.outcome);
        requests.increment(1);
        seconds.record(finished.duration.as_secs_f64());
    }
    for code in &finished.error_codes {
        metrics::counter!(ERRORS_TOTAL, "code" => code.clone()).increment(1);
    }
    if finished
        .error_codes
        .iter()
        .any(|code| code == crate::error::code::SERVICE_UNAVAILABLE)
    {
        metrics::counter!(POOL_TIMEOUTS).increment(1);
    }
}

/// `GET /metrics`: the pool gauges are read now, everything else was recorded as it happened.
pub fn render(handle: &PrometheusHandle, db: &DatabaseConnection, max: u32) -> Response {
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(POOL_CONNECTIONS, "state" => "max").set(f64::from(max));
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    /// Client-chosen names are capped: past the cap a new name is counted as `other`, names
    /// seen before keep their label, and labels that are not names take no room.
    impl OperationLabels {
        fn label(&mut self, label: &str, is_name: bool) -> String {
            self.metrics(label, is_name)
                .map(|operation| operation.label.clone())
                .unwrap_or_default()
        }
    }

    #[test]
    fn operation_names_are_capped() {
        let mut labels = OperationLabels::default();
        for index in 0..MAX_OPERATION_NAMES {
            let name = format!("Operation{index}");
            assert_eq!(labels.label(&name, true), name);
        }
        assert_eq!(labels.label("anonymous", false), "anonymous");
        assert_eq!(labels.label("OneTooMany", true), "other");
        assert_eq!(labels.label("Operation7", true), "Operation7");
        assert_eq!(labels.metrics.len(), MAX_OPERATION_NAMES + 2);
        let operation = labels.metrics("Operation7", true).expect("known");
        operation.outcome("ok");
        operation.outcome("refused");
        operation.outcome("ok");
        assert_eq!(operation.outcomes.len(), 2);
    }

    #[test]
    fn labels_are_names_graphql_allows() {
        assert!(is_label("Lookup_2"));
        assert!(!is_label(""));
        assert!(!is_label("drop table"));
        assert!(!is_label(&"a".repeat(101)));
    }
}
