//! Measuring an operation beside its floor, in alternating rounds.
//!
//! The machines this runs on drift over seconds (other tenants, frequency changes): measured one
//! after the other, the same cell's ratio to the floor moved between 1.17x and 2.02x in four
//! runs of one hour. So an operation and its floor counterpart get their server processes side by
//! side, both started before the first measurement, and take turns at each client count: the
//! measured time is cut into `rounds` slices per side, alternating, and each side's numbers are
//! summed over its slices. A slow stretch of the machine then hits both sides alike instead of
//! whichever happened to run in it. An operation without its floor in the run is measured in one
//! piece, as before.

use std::sync::Arc;
use std::time::Duration;

use crate::catalog::Catalog;
use crate::load::{self, Calibration, Phase};
use crate::machine::CpuSample;
use crate::ops::Operation;
use crate::report::{Row, ServerUse};
use crate::server::ServerProcess;
use crate::sql::{SqlProbe, SqlTotals};
use crate::{Args, BenchResult};

/// The operations in measuring order, each with the floor operations of the run that are its
/// reference (those are measured with it, not on their own).
pub fn groups(operations: &[&'static Operation]) -> Vec<Vec<&'static Operation>> {
    let selected = |name: &str| operations.iter().any(|op| op.name == name);
    operations
        .iter()
        .filter(|op| !op.floor_of.is_some_and(selected))
        .map(|op| {
            let floors = operations
                .iter()
                .filter(|floor| floor.floor_of == Some(op.name));
            std::iter::once(*op).chain(floors.copied()).collect()
        })
        .collect()
}

/// One operation of a group and the server process answering it.
struct Member {
    operation: &'static Operation,
    server: ServerProcess,
    sql: SqlProbe,
    calibration: Calibration,
    rows: Vec<Row>,
}

/// What one member used across its slices at one client count.
struct Tally {
    phase: Phase,
    statements_before: SqlTotals,
    server_ticks: Option<u64>,
    others_percent: Vec<f64>,
}

/// Measures a group at every client count: one row per operation and count, the operations'
/// rows in group order.
pub async fn measure(
    args: &Args,
    group: &[&'static Operation],
    database_url: &str,
    catalog: &Arc<Catalog>,
) -> BenchResult<Vec<Row>> {
    let mut members = Vec::with_capacity(group.len());
    for &operation in group {
        // A fresh server per operation: its peak memory is its own (see `server.rs`).
        let server =
            ServerProcess::start(operation.mode, database_url, &catalog.keys.admin).await?;
        let mut sql = SqlProbe::connect(server.address).await?;
        let calibration = load::calibrate(server.address, operation, catalog, &mut sql).await?;
        members.push(Member {
            operation,
            server,
            sql,
            calibration,
            rows: Vec::new(),
        });
    }
    let rounds = if members.len() > 1 { args.rounds } else { 1 };
    let slice = Duration::from_secs(args.duration) / rounds;
    for clients in crate::client_counts(&args.clients) {
        let settings = |member: &Member| load::Settings {
            address: member.server.address,
            operation: member.operation,
            clients,
            seed: args.seed,
        };
        for member in &members {
            eprintln!("{} with {clients} client(s)...", member.operation.name);
            let warmup = Duration::from_secs(args.warmup);
            load::run(&settings(member), warmup, Arc::clone(catalog)).await?;
        }
        let mut tallies = Vec::with_capacity(members.len());
        for member in &mut members {
            member.server.reset_peak();
            tallies.push(Tally {
                phase: Phase::default(),
                statements_before: member.sql.totals().await?,
                server_ticks: Some(0),
                others_percent: Vec::new(),
            });
        }
        for _ in 0..rounds {
            for (member, tally) in members.iter().zip(&mut tallies) {
                let server = &member.server;
                let (cpu, ticks) = (CpuSample::now(server.pid), server.cpu_ticks());
                let phase = load::run(&settings(member), slice, Arc::clone(catalog)).await?;
                let (cpu_now, ticks_now) = (CpuSample::now(server.pid), server.cpu_ticks());
                tally.server_ticks = tally
                    .server_ticks
                    .zip(ticks_now.zip(ticks))
                    .map(|(sum, (now, then))| sum + (now - then));
                if let Some(percent) = cpu_now
                    .zip(cpu)
                    .and_then(|(now, then)| now.others_percent_since(&then))
                {
                    tally.others_percent.push(percent);
                }
                tally.phase.absorb(phase);
            }
        }
        for (member, tally) in members.iter_mut().zip(tallies) {
            let counted = member.sql.totals().await? - tally.statements_before;
            let requests = tally.phase.requests();
            let usage = ServerUse {
                peak_rss_kib: member.server.peak_rss_kib(),
                cpu_ms_per_request: tally
                    .server_ticks
                    .and_then(|ticks| crate::machine::ms_per_request(ticks, requests)),
                other_cpu_percent: mean(&tally.others_percent),
            };
            let row = Row::new(
                member.operation,
                clients,
                &tally.phase,
                &member.calibration,
                counted,
                usage,
            );
            member.rows.push(row);
        }
    }
    Ok(members
        .into_iter()
        .flat_map(|member| {
            member.server.stop();
            member.rows
        })
        .collect())
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops;

    fn names(groups: &[Vec<&'static Operation>]) -> Vec<Vec<&'static str>> {
        groups
            .iter()
            .map(|group| group.iter().map(|op| op.name).collect())
            .collect()
    }

    fn selected(names: &[&str]) -> Vec<&'static Operation> {
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        match ops::select(&names) {
            Ok(operations) => operations,
            Err(err) => panic!("{err}"),
        }
    }

    #[test]
    fn a_floor_is_measured_with_its_operation_wherever_it_was_listed() {
        let groups = groups(&selected(&[
            "floor-lookup",
            "nested",
            "lookup",
            "floor",
            "naive",
        ]));
        assert_eq!(
            names(&groups),
            [
                vec!["nested", "floor"],
                vec!["lookup", "floor-lookup"],
                vec!["naive"]
            ]
        );
    }

    #[test]
    fn a_floor_without_its_operation_is_measured_alone() {
        let groups = groups(&selected(&["floor", "lookup"]));
        assert_eq!(names(&groups), [vec!["floor"], vec!["lookup"]]);
    }
}
