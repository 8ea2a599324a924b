//! The results: one row per operation and client count, the loader/naive ratio, contacts-graph
//! against the floor, memory, and what is not measured, as a table or as JSON.

use std::fmt::Write as _;
use std::time::Duration;

use contacts_graph::service::seed::SeedReport;
use serde::Serialize;

use crate::Args;
use crate::load::{Calibration, Phase};
use crate::memory;
use crate::ops::{self, Operation};
use crate::server::Mode;
use crate::sql::{SlowStatement, SqlTotals};

const STATEMENTS_METHOD: &str = "statements_per_request: exact count of SQL statements of one \
     request running alone (calibration: the mean over 10 requests, min..max shown when they \
     differ); statements_per_request_under_load: all statements during the measurement divided \
     by its requests (counted with DatabaseConnection::set_metric_callback); \
     sql_ms_per_request: summed execution time of the statements of one request alone; the rest \
     of its latency is GraphQL execution, serialization and HTTP";

const MEMORY_SCOPE: &str = "VmHWM of the server process alone (a fresh one per operation), \
     reset before each measurement";

/// Freed memory mostly stays with the allocator, so a measurement's peak starts from what the
/// earlier ones of the same operation left resident.
const MEMORY_CARRY: &str = "client counts run in turn on one server process, so a \
     measurement's peak starts from the RSS the earlier ones left (the allocator keeps freed \
     memory)";

const CPU_SCOPE: &str = "server_cpu_ms_per_request: user + system CPU time of the server \
     process (all its threads; on SQLite that includes the database work) during the \
     measurement, divided by its requests; the clients run in the bench process and are not \
     counted; PostgreSQL's own CPU is in other_cpu_percent";

const FLOOR_METHOD: &str = "each ratio is contacts-graph over the floor so that 1.0 is equal \
     and above 1 is contacts-graph worse: latency, CPU per request and peak RSS as \
     contacts-graph / floor, throughput as floor req/s / contacts-graph req/s; issue 16 asks \
     for at most 1.5 (2.0 for memory). An operation and its floor run on two server processes \
     side by side and take turns: each client count's measured time is cut into `rounds` \
     slices per side, alternating, and each side's numbers are summed over its slices, so \
     that the machine's drift hits both alike; throughput_by_round is each round's ratio";

/// SQL shown per operation in the table; the JSON keeps more.
const TABLE_SQL_CHARS: usize = 160;

#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub database: &'static str,
    pub contacts: u32,
    pub seeded: String,
    pub duration_secs: u64,
    /// Alternating slices of an operation and its floor per measurement.
    pub rounds: u32,
    pub warmup_secs: u64,
    pub operations: Vec<OperationInfo>,
    pub results: Vec<Row>,
    /// Throughput of `nested` over `naive` at each client count measured for both.
    pub naive_ratio: Vec<Ratio>,
    /// contacts-graph against the floor, per operation and client count measured on both.
    pub floor: Vec<FloorComparison>,
    pub floor_method: &'static str,
    pub cpu_scope: &'static str,
    pub memory: Memory,
    pub statements_method: &'static str,
    /// The nested answer per `Accept-Encoding`, one client (empty when skipped).
    pub compression: Vec<crate::compression::CompressionRow>,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OperationInfo {
    pub name: &'static str,
    pub about: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub op: &'static str,
    pub mode: Mode,
    pub clients: usize,
    pub requests: usize,
    pub requests_per_sec: f64,
    /// Throughput of each round when the measurement alternated with the floor's.
    pub round_requests_per_sec: Vec<f64>,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub statements_per_request: f64,
    pub statements_per_request_min: u64,
    pub statements_per_request_max: u64,
    pub statements_per_request_under_load: f64,
    pub sql_ms_per_request: f64,
    pub records_per_request: f64,
    pub kib_per_request: f64,
    pub errors: u64,
    /// Peak RSS of the server process during the measurement.
    pub server_peak_rss_mib: Option<f64>,
    /// CPU time of the server process per request.
    pub server_cpu_ms_per_request: Option<f64>,
    /// CPU used by processes other than the bench and the server during the measurement (on
    /// PostgreSQL mostly the database), in percent of all cores: a number taken while something
    /// else ran is not comparable.
    pub other_cpu_percent: Option<f64>,
    pub first_error: Option<String>,
    /// The slowest statement of the calibration requests.
    pub slowest_statement: Option<SlowStatement>,
}

#[derive(Debug, Serialize)]
pub struct Ratio {
    pub clients: usize,
    pub nested_rps: f64,
    pub naive_rps: f64,
    pub ratio: f64,
}

/// One contacts-graph operation and its floor counterpart at one client count.
#[derive(Debug, Serialize)]
pub struct FloorComparison {
    pub op: &'static str,
    pub floor_op: &'static str,
    pub clients: usize,
    pub graph: Side,
    pub floor: Side,
    /// Each above 1 when contacts-graph does worse (see `floor_method`).
    pub ratio: SideRatio,
    /// The throughput ratio of each round (see `floor_method`): how far one slice of the
    /// measurement could have been from the whole.
    pub throughput_by_round: Vec<f64>,
}

#[derive(Debug, Serialize)]
pub struct Side {
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cpu_ms_per_request: Option<f64>,
    pub peak_rss_mib: Option<f64>,
    pub statements_per_request: f64,
}

#[derive(Debug, Serialize)]
pub struct SideRatio {
    /// Floor req/s over contacts-graph req/s.
    pub throughput: Option<f64>,
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    pub cpu_per_request: Option<f64>,
    pub peak_rss: Option<f64>,
}

/// The server resources a measurement used.
#[derive(Debug, Clone, Copy)]
pub struct ServerUse {
    pub peak_rss_kib: Option<u64>,
    pub cpu_ms_per_request: Option<f64>,
    pub other_cpu_percent: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Memory {
    pub scope: &'static str,
    pub carry_over: &'static str,
    /// Peak while seeding (the generator holds the data set in memory).
    pub seeding_peak_mib: Option<f64>,
    /// Highest per-measurement peak.
    pub load_peak_mib: Option<f64>,
    /// Whether each measurement's peak is its own (else: since process start).
    pub peak_reset_per_measurement: bool,
}

impl Report {
    pub fn new(
        args: &Args,
        database: &'static str,
        seeded: &SeedReport,
        seeding_peak_kib: Option<u64>,
    ) -> Self {
        Self {
            machine: Machine {
                cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
                cpu_model: cpu_model(),
            },
            database,
            contacts: args.contacts,
            seeded: seeded.to_string(),
            duration_secs: args.duration,
            rounds: args.rounds,
            warmup_secs: args.warmup,
            operations: ops::ALL
                .iter()
                .map(|op| OperationInfo {
                    name: op.name,
                    about: op.about,
                })
                .collect(),
            results: Vec::new(),
            naive_ratio: Vec::new(),
            floor: Vec::new(),
            floor_method: FLOOR_METHOD,
            cpu_scope: CPU_SCOPE,
            memory: Memory {
                scope: MEMORY_SCOPE,
                carry_over: MEMORY_CARRY,
                seeding_peak_mib: seeding_peak_kib.map(mib),
                load_peak_mib: None,
                peak_reset_per_measurement: true,
            },
            statements_method: STATEMENTS_METHOD,
            compression: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Row) {
        self.memory.load_peak_mib = match (self.memory.load_peak_mib, row.server_peak_rss_mib) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.memory.peak_reset_per_measurement = memory::resets_work();
        self.results.push(row);
        self.naive_ratio = self.ratios();
        self.floor = self.floor_comparisons();
    }

    fn floor_comparisons(&self) -> Vec<FloorComparison> {
        let find = |op: &str, clients: usize| {
            self.results
                .iter()
                .find(|row| row.op == op && row.clients == clients)
        };
        ops::ALL
            .iter()
            .filter_map(|op| Some((op.name, op.floor_of?)))
            .flat_map(|(floor_op, op)| {
                self.results
                    .iter()
                    .filter(move |row| row.op == op)
                    .filter_map(move |graph| {
                        let floor = find(floor_op, graph.clients)?;
                        Some(FloorComparison::new(graph, floor))
                    })
            })
            .collect()
    }

    fn ratios(&self) -> Vec<Ratio> {
        let rps = |op: &str, clients: usize| {
            self.results
                .iter()
                .find(|row| row.op == op && row.clients == clients)
                .map(|row| row.requests_per_sec)
        };
        self.results
            .iter()
            .filter(|row| row.op == "nested")
            .filter_map(|row| {
                let naive_rps = rps("naive", row.clients)?;
                Some(Ratio {
                    clients: row.clients,
                    nested_rps: row.requests_per_sec,
                    naive_rps,
                    ratio: row.requests_per_sec / naive_rps,
                })
            })
            .collect()
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "contacts-graph bench: {}, {} contacts ({}); {} s per measurement after {} s warm-up{}",
            self.database,
            self.contacts,
            self.seeded,
            self.duration_secs,
            self.warmup_secs,
            if self.floor.is_empty() {
                String::new()
            } else {
                format!(", beside the floor in {} alternating rounds", self.rounds)
            }
        );
        let _ = writeln!(
            out,
            "machine: {} cores, {}\n",
            self.machine.cores,
            self.machine.cpu_model.as_deref().unwrap_or("unknown CPU")
        );
        let headers: Vec<String> = COLUMNS.iter().map(|(name, _)| (*name).to_owned()).collect();
        out.push_str(&line(&headers));
        for row in &self.results {
            out.push_str(&line(&row.cells()));
        }
        for ratio in &self.naive_ratio {
            let _ = writeln!(
                out,
                "\nnested/naive throughput at {} client(s): {:.1} / {:.1} req/s = {:.1}x",
                ratio.clients, ratio.nested_rps, ratio.naive_rps, ratio.ratio
            );
        }
        self.floor_table(&mut out);
        if !self.compression.is_empty() {
            let _ = writeln!(
                out,
                "\ncompression of the nested answer (one client, {} requests each; CPU is the \
                 whole process per request):",
                self.compression[0].requests
            );
            let headers = [
                "encoding",
                "bytes",
                "ratio",
                "p50 ms",
                "CPU ms",
                "extra CPU ms",
            ]
            .map(str::to_owned)
            .to_vec();
            out.push_str(&line(&headers));
            let ms = |value: Option<f64>| value.map_or("-".to_owned(), |v| format!("{v:.1}"));
            for row in &self.compression {
                out.push_str(&line(&[
                    row.encoding.to_owned(),
                    row.bytes.to_string(),
                    format!("{:.3}", row.ratio),
                    format!("{:.1}", row.p50_ms),
                    ms(row.cpu_ms),
                    ms(row.extra_cpu_ms),
                ]));
            }
        }
        self.notes(&mut out);
        out
    }

    fn floor_table(&self, out: &mut String) {
        if self.floor.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\ncontacts-graph against the floor (each cell: contacts-graph / floor, then the \
             ratio; above 1 = contacts-graph worse; req/s ratio = floor / contacts-graph):"
        );
        let widths = [8, 7, 20, 12, 20, 22, 18, 18, 12];
        let headers = [
            "op",
            "clients",
            "req/s",
            "by round",
            "p50 ms",
            "p99 ms",
            "CPU ms/req",
            "RSS MiB",
            "SQL/req",
        ];
        let cells = |values: &[String]| {
            let mut text = String::new();
            for (index, (value, width)) in values.iter().zip(widths).enumerate() {
                if index == 0 {
                    let _ = write!(text, "{value:<width$}");
                } else {
                    let _ = write!(text, " {value:>width$}");
                }
            }
            text.push('\n');
            text
        };
        out.push_str(&cells(&headers.map(str::to_owned)));
        let pair = |graph: Option<f64>, floor: Option<f64>, ratio: Option<f64>, digits: usize| {
            let number = |value: Option<f64>| {
                value.map_or("-".to_owned(), |value| format!("{value:.digits$}"))
            };
            let ratio = ratio.map_or("-".to_owned(), |ratio| format!("{ratio:.2}x"));
            format!("{}/{} {ratio}", number(graph), number(floor))
        };
        for row in &self.floor {
            let (graph, floor, ratio) = (&row.graph, &row.floor, &row.ratio);
            out.push_str(&cells(&[
                row.op.to_owned(),
                row.clients.to_string(),
                pair(
                    Some(graph.requests_per_sec),
                    Some(floor.requests_per_sec),
                    ratio.throughput,
                    1,
                ),
                spread(&row.throughput_by_round),
                pair(Some(graph.p50_ms), Some(floor.p50_ms), ratio.p50, 1),
                pair(Some(graph.p99_ms), Some(floor.p99_ms), ratio.p99, 1),
                pair(
                    graph.cpu_ms_per_request,
                    floor.cpu_ms_per_request,
                    ratio.cpu_per_request,
                    2,
                ),
                pair(graph.peak_rss_mib, floor.peak_rss_mib, ratio.peak_rss, 0),
                format!(
                    "{:.0}/{:.0}",
                    graph.statements_per_request, floor.statements_per_request
                ),
            ]));
        }
    }

    fn notes(&self, out: &mut String) {
        let _ = writeln!(out, "\noperations:");
        for op in &self.operations {
            let _ = writeln!(out, "  {:<12} {}", op.name, op.about);
        }
        let _ = writeln!(
            out,
            "SQL/req: statements of one request alone (calibration, min-max when they differ); \
             SQL@load: statements / requests during the measurement; SQL ms: their summed \
             execution time for one request alone; CPU ms: the server process's CPU time per \
             request; others %: CPU used by processes other than the bench and the server \
             during the measurement (on PostgreSQL mostly the database), in percent of all \
             cores."
        );
        let since = if self.memory.peak_reset_per_measurement {
            "per measurement"
        } else {
            "since process start (peak reset unavailable)"
        };
        let seeding = self
            .memory
            .seeding_peak_mib
            .map_or("-".to_owned(), |m| format!("{m:.1} MiB"));
        let _ = writeln!(
            out,
            "RSS MiB: peak {since}, {MEMORY_SCOPE}; {MEMORY_CARRY}; peak while seeding: {seeding}."
        );
        let mut seen = Vec::new();
        for row in &self.results {
            if let Some(slow) = row
                .slowest_statement
                .as_ref()
                .filter(|_| !seen.contains(&row.op))
            {
                seen.push(row.op);
                let sql: String = slow.sql.chars().take(TABLE_SQL_CHARS).collect();
                let _ = writeln!(
                    out,
                    "slowest statement of {} alone: {:.2} ms: {sql}...",
                    row.op, slow.ms
                );
            }
            if let Some(error) = &row.first_error {
                let _ = writeln!(
                    out,
                    "{} errors of {} at {} client(s), the first: {error}",
                    row.errors, row.op, row.clients
                );
            }
        }
    }
}

impl Row {
    pub fn new(
        operation: &Operation,
        clients: usize,
        phase: &Phase,
        calibration: &Calibration,
        sql: SqlTotals,
        usage: ServerUse,
    ) -> Self {
        let requests = phase.requests();
        let per_request = |total: f64| {
            if requests == 0 {
                0.0
            } else {
                total / requests as f64
            }
        };
        Self {
            op: operation.name,
            mode: operation.mode,
            clients,
            requests,
            requests_per_sec: phase.requests_per_sec(),
            round_requests_per_sec: phase.round_requests_per_sec.clone(),
            p50_ms: ms(phase.percentile(50.0)),
            p95_ms: ms(phase.percentile(95.0)),
            p99_ms: ms(phase.percentile(99.0)),
            max_ms: ms(phase.percentile(100.0)),
            statements_per_request: calibration.statements_mean,
            statements_per_request_min: calibration.statements_min,
            statements_per_request_max: calibration.statements_max,
            statements_per_request_under_load: per_request(sql.statements as f64),
            sql_ms_per_request: calibration.sql_ms_mean,
            records_per_request: calibration.records_mean,
            kib_per_request: per_request(phase.bytes as f64) / 1024.0,
            errors: phase.errors,
            server_peak_rss_mib: usage.peak_rss_kib.map(mib),
            server_cpu_ms_per_request: usage.cpu_ms_per_request,
            other_cpu_percent: usage.other_cpu_percent,
            first_error: phase.first_error.clone(),
            slowest_statement: calibration.slowest_statement.clone(),
        }
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.op.to_owned(),
            self.clients.to_string(),
            format!("{:.1}", self.requests_per_sec),
            format!("{:.2}", self.p50_ms),
            format!("{:.2}", self.p95_ms),
            format!("{:.2}", self.p99_ms),
            self.statements_label(),
            format!("{:.2}", self.statements_per_request_under_load),
            format!("{:.2}", self.sql_ms_per_request),
            format!("{:.1}", self.records_per_request),
            format!("{:.1}", self.kib_per_request),
            self.errors.to_string(),
            self.server_cpu_ms_per_request
                .map_or("-".to_owned(), |ms| format!("{ms:.2}")),
            self.server_peak_rss_mib
                .map_or("-".to_owned(), |mib| format!("{mib:.1}")),
            self.other_cpu_percent
                .map_or("-".to_owned(), |percent| format!("{percent:.0}")),
        ]
    }

    fn statements_label(&self) -> String {
        if self.statements_per_request_min == self.statements_per_request_max {
            self.statements_per_request_min.to_string()
        } else {
            format!(
                "{}-{}",
                self.statements_per_request_min, self.statements_per_request_max
            )
        }
    }
}

/// The table's columns and their widths; the first is left-aligned.
const COLUMNS: [(&str, usize); 15] = [
    ("op", 12),
    ("clients", 7),
    ("req/s", 9),
    ("p50 ms", 8),
    ("p95 ms", 8),
    ("p99 ms", 8),
    ("SQL/req", 8),
    ("SQL@load", 9),
    ("SQL ms", 7),
    ("records/req", 11),
    ("KiB/req", 8),
    ("errors", 6),
    ("CPU ms", 7),
    ("RSS MiB", 8),
    ("others %", 8),
];

fn line(cells: &[String]) -> String {
    let mut out = String::new();
    for (index, (cell, (_, width))) in cells.iter().zip(COLUMNS).enumerate() {
        if index == 0 {
            let _ = write!(out, "{cell:<width$}");
        } else {
            let _ = write!(out, " {cell:>width$}");
        }
    }
    out.push('\n');
    out
}

impl FloorComparison {
    fn new(graph: &Row, floor: &Row) -> Self {
        let side = |row: &Row| Side {
            requests_per_sec: row.requests_per_sec,
            p50_ms: row.p50_ms,
            p99_ms: row.p99_ms,
            cpu_ms_per_request: row.server_cpu_ms_per_request,
            peak_rss_mib: row.server_peak_rss_mib,
            statements_per_request: row.statements_per_request,
        };
        let over = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        };
        let op = graph.op;
        let throughput_by_round = graph
            .round_requests_per_sec
            .iter()
            .zip(&floor.round_requests_per_sec)
            .filter(|(graph, _)| **graph > 0.0)
            .map(|(graph, floor)| floor / graph)
            .collect();
        let (graph, floor_side) = (side(graph), side(floor));
        let ratio = SideRatio {
            throughput: over(
                Some(floor_side.requests_per_sec),
                Some(graph.requests_per_sec),
            ),
            p50: over(Some(graph.p50_ms), Some(floor_side.p50_ms)),
            p99: over(Some(graph.p99_ms), Some(floor_side.p99_ms)),
            cpu_per_request: over(graph.cpu_ms_per_request, floor_side.cpu_ms_per_request),
            peak_rss: over(graph.peak_rss_mib, floor_side.peak_rss_mib),
        };
        Self {
            op,
            floor_op: floor.op,
            clients: floor.clients,
            graph,
            floor: floor_side,
            ratio,
            throughput_by_round,
        }
    }
}

/// The lowest and highest of per-round ratios, `-` for a measurement in one piece.
fn spread(ratios: &[f64]) -> String {
    let low = ratios.iter().copied().reduce(f64::min);
    let high = ratios.iter().copied().reduce(f64::max);
    match (low, high) {
        (Some(low), Some(high)) if ratios.len() > 1 => format!("{low:.2}-{high:.2}x"),
        _ => "-".to_owned(),
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map(|(_, model)| model.trim().to_owned())
}
