//! Driving one operation: a calibration alone (exact SQL statements and records per request),
//! then N clients in a closed loop for a fixed time (throughput and latency).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::BenchResult;
use crate::catalog::Catalog;
use crate::client::{self, Client};
use crate::ops::Operation;
use crate::sql::{SlowStatement, SqlProbe};

/// Requests of the calibration; each one runs alone, so the statement counter sees only it.
const CALIBRATION_REQUESTS: usize = 10;

/// Unmeasured requests before the calibration: a fresh server process pays one-time costs on its
/// first requests (connections opened, statements prepared, caches filled), which are not the
/// operation's.
const WARM_REQUESTS: usize = 3;

/// Bytes of a failed answer kept for the report.
const ERROR_CHARS: usize = 300;

pub struct Settings {
    pub address: SocketAddr,
    pub operation: &'static Operation,
    pub clients: usize,
    pub seed: u64,
}

/// Per-request costs measured one request at a time.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Calibration {
    pub requests: usize,
    pub statements_min: u64,
    pub statements_max: u64,
    pub statements_mean: f64,
    /// Summed statement execution time per request, in milliseconds.
    pub sql_ms_mean: f64,
    pub records_mean: f64,
    pub slowest_statement: Option<SlowStatement>,
}

/// The outcome of one timed run.
#[derive(Debug, Default)]
pub struct Phase {
    /// Sorted, one per completed request.
    pub latencies: Vec<Duration>,
    pub errors: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    /// What the first failed answer said, to tell what the errors were.
    pub first_error: Option<String>,
    /// Requests per second of each timed run absorbed into this one (see `rounds.rs`).
    pub round_requests_per_sec: Vec<f64>,
}

impl Phase {
    pub fn requests(&self) -> usize {
        self.latencies.len()
    }

    pub fn requests_per_sec(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// Adds another timed run of the same operation and client count, as one more round.
    pub fn absorb(&mut self, round: Phase) {
        self.round_requests_per_sec.push(round.requests_per_sec());
        self.latencies.extend(round.latencies);
        self.latencies.sort_unstable();
        self.errors += round.errors;
        self.bytes += round.bytes;
        self.elapsed += round.elapsed;
        self.first_error = self.first_error.take().or(round.first_error);
    }

    /// Nearest-rank percentile.
    pub fn percentile(&self, percent: f64) -> Duration {
        let n = self.latencies.len();
        if n == 0 {
            return Duration::ZERO;
        }
        let rank = ((percent / 100.0) * n as f64).ceil() as usize;
        self.latencies[rank.clamp(1, n) - 1]
    }
}

/// Sends a few requests alone and counts the statements each one causes. Fails on any GraphQL
/// error or empty answer: the numbers of a broken operation would be meaningless.
pub async fn calibrate(
    address: SocketAddr,
    operation: &Operation,
    catalog: &Catalog,
    sql: &mut SqlProbe,
) -> BenchResult<Calibration> {
    let mut client = Client::connect(address, catalog.keys.token(operation.caller)).await?;
    let mut rng = SmallRng::seed_from_u64(0);
    let (mut counts, mut records, mut sql_time) = (Vec::new(), 0usize, Duration::ZERO);
    // The first request with a key looks the key up (and records its use); a client pays that
    // once per `auth.key_cache_secs`, so it is not the operation's cost.
    client
        .query("{ __typename }", serde_json::json!({}))
        .await?;
    for _ in 0..WARM_REQUESTS {
        let variables = operation.variables(catalog, &mut rng);
        client.query(operation.query, variables).await?;
    }
    sql.watch().await?;
    for _ in 0..CALIBRATION_REQUESTS {
        let variables = operation.variables(catalog, &mut rng);
        let before = sql.totals().await?;
        let data = client.query(operation.query, variables).await?;
        let used = sql.totals().await? - before;
        counts.push(used.statements);
        sql_time += used.time;
        let found = count_records(&data);
        if found == 0 {
            return Err(format!("{}: an answer without records: {data}", operation.name).into());
        }
        records += found;
    }
    let total: u64 = counts.iter().sum();
    Ok(Calibration {
        requests: CALIBRATION_REQUESTS,
        statements_min: counts.iter().copied().min().unwrap_or(0),
        statements_max: counts.iter().copied().max().unwrap_or(0),
        statements_mean: total as f64 / CALIBRATION_REQUESTS as f64,
        sql_ms_mean: sql_time.as_secs_f64() * 1000.0 / CALIBRATION_REQUESTS as f64,
        records_mean: records as f64 / CALIBRATION_REQUESTS as f64,
        slowest_statement: sql.slowest().await?,
    })
}

/// Every client sends its next request as soon as the previous answer is in, until `duration`
/// is over; requests in flight at the deadline are completed and counted.
pub async fn run(
    settings: &Settings,
    duration: Duration,
    catalog: Arc<Catalog>,
) -> BenchResult<Phase> {
    // Connect first, so the timed window holds requests only.
    let mut clients = Vec::with_capacity(settings.clients);
    for _ in 0..settings.clients {
        let token = catalog.keys.token(settings.operation.caller);
        clients.push(Client::connect(settings.address, token).await?);
    }
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = JoinSet::new();
    for (index, client) in clients.into_iter().enumerate() {
        let rng = SmallRng::seed_from_u64(settings.seed.wrapping_add(index as u64 + 1));
        let catalog = Arc::clone(&catalog);
        tasks.spawn(drive(client, settings.operation, catalog, rng, deadline));
    }
    let mut phase = Phase::default();
    while let Some(joined) = tasks.join_next().await {
        let done = joined??;
        phase.latencies.extend(done.latencies);
        phase.errors += done.errors;
        phase.bytes += done.bytes;
        phase.first_error = phase.first_error.or(done.first_error);
    }
    phase.elapsed = start.elapsed();
    phase.latencies.sort_unstable();
    Ok(phase)
}

async fn drive(
    mut client: Client,
    operation: &'static Operation,
    catalog: Arc<Catalog>,
    mut rng: SmallRng,
    deadline: Instant,
) -> BenchResult<Phase> {
    let mut phase = Phase::default();
    while Instant::now() < deadline {
        let body = operation.body(&catalog, &mut rng)?;
        let sent = Instant::now();
        let (status, answer) = client.post(body).await?;
        phase.latencies.push(sent.elapsed());
        phase.bytes += answer.len() as u64;
        if !client::is_success(status, &answer) {
            phase.errors += 1;
            if phase.first_error.is_none() {
                phase.first_error = Some(describe_failure(status, &answer));
            }
        }
    }
    Ok(phase)
}

/// The first GraphQL error of a failed answer, or the start of its body when it has none.
fn describe_failure(status: StatusCode, body: &[u8]) -> String {
    let first = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|reply| {
            reply
                .get("errors")
                .and_then(|errors| errors.get(0))
                .cloned()
        });
    match first {
        Some(error) => format!("HTTP {status}, first of the errors: {error}"),
        None => {
            let start = &body[..body.len().min(ERROR_CHARS)];
            format!("HTTP {status}: {}", String::from_utf8_lossy(start))
        }
    }
}

/// Records in an answer: the objects that carry an `id` (every operation selects it).
fn count_records(value: &Value) -> usize {
    match value {
        Value::Object(fields) => {
            usize::from(fields.contains_key("id"))
                + fields.values().map(count_records).sum::<usize>()
        }
        Value::Array(items) => items.iter().map(count_records).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(latencies_ms: &[u64], seconds: u64) -> Phase {
        Phase {
            latencies: latencies_ms
                .iter()
                .map(|ms| Duration::from_millis(*ms))
                .collect(),
            elapsed: Duration::from_secs(seconds),
            bytes: 10,
            ..Phase::default()
        }
    }

    #[test]
    fn rounds_add_up_to_one_measurement_and_keep_their_own_throughput() {
        let mut phase = Phase::default();
        phase.absorb(round(&[5, 1], 1));
        phase.absorb(round(&[3, 2, 4, 6], 1));
        assert_eq!(phase.round_requests_per_sec, [2.0, 4.0]);
        assert_eq!(phase.requests(), 6);
        assert_eq!(phase.requests_per_sec(), 3.0);
        assert_eq!(phase.bytes, 20);
        assert_eq!(phase.percentile(50.0), Duration::from_millis(3));
        assert_eq!(phase.percentile(100.0), Duration::from_millis(6));
    }
}
