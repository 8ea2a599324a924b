//! What response compression buys and costs: the nested answer (about 1.4 MiB of JSON) sent
//! again and again by one client, once per `Accept-Encoding`. For each: the bytes on the wire,
//! the ratio to the uncompressed answer, the latency, and the CPU time the server process spent
//! per request (the difference to `identity` is the cost of compressing).

use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::SmallRng;
use serde::Serialize;

use crate::BenchResult;
use crate::catalog::Catalog;
use crate::client::Client;
use crate::server::ServerProcess;
use crate::{machine, ops};

const ENCODINGS: [&str; 3] = ["identity", "gzip", "br"];

#[derive(Debug, Clone, Serialize)]
pub struct CompressionRow {
    pub encoding: &'static str,
    pub requests: usize,
    /// Median body size as sent.
    pub bytes: u64,
    /// `bytes` over the uncompressed median.
    pub ratio: f64,
    pub p50_ms: f64,
    /// The server process's CPU per request, from `/proc/<pid>/stat`.
    pub cpu_ms: Option<f64>,
    /// `cpu_ms` minus that of `identity`: the cost of compressing.
    pub extra_cpu_ms: Option<f64>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or_default()
}

pub async fn measure(
    server: &ServerProcess,
    catalog: &Catalog,
    requests: usize,
    seed: u64,
) -> BenchResult<Vec<CompressionRow>> {
    let nested = ops::ALL
        .iter()
        .find(|op| op.name == "nested")
        .ok_or("no nested operation")?;
    let mut rows: Vec<CompressionRow> = Vec::new();
    for encoding in ENCODINGS {
        let mut client = Client::connect(server.address, &catalog.keys.admin).await?;
        let mut rng = SmallRng::seed_from_u64(seed);
        // one unmeasured request: connection set-up and caches
        client
            .post_encoded(nested.body(catalog, &mut rng)?, encoding)
            .await?;
        let mut sizes = Vec::with_capacity(requests);
        let mut latencies = Vec::with_capacity(requests);
        let ticks = server.cpu_ticks();
        for _ in 0..requests {
            let body = nested.body(catalog, &mut rng)?;
            let started = Instant::now();
            let (status, sent_as, bytes) = client.post_encoded(body, encoding).await?;
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() || sent_as.as_deref().unwrap_or("identity") != encoding {
                return Err(format!("{encoding}: HTTP {status}, sent as {sent_as:?}").into());
            }
            sizes.push(bytes as f64);
        }
        let cpu_ms = match (ticks, server.cpu_ticks()) {
            (Some(before), Some(after)) => machine::ms_per_request(after - before, requests),
            _ => None,
        };
        let bytes = median(&mut sizes);
        let identity = rows.first().map_or(bytes, |row| row.bytes as f64);
        let identity_cpu = rows.first().and_then(|row| row.cpu_ms);
        rows.push(CompressionRow {
            encoding,
            requests,
            bytes: bytes as u64,
            ratio: bytes / identity,
            p50_ms: median(&mut latencies),
            cpu_ms,
            extra_cpu_ms: match (cpu_ms, identity_cpu) {
                (Some(cpu), Some(base)) => Some(cpu - base),
                (Some(_), None) => Some(0.0),
                _ => None,
            },
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(rows)
}
