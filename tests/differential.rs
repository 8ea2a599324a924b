//! The differential test of the compiled read path (issue 16): thousands of generated queries
//! (random selections, aliases, fragments, variables, directives, nested connections with page
//! arguments, filters, orders and real cursors) are sent to two applications over the same
//! database, one answering through the compiled path and one through the resolvers only, with
//! the admin key and, for a share of them, partner keys (partner scope) and a reader key. The
//! whole answers (data, errors, extensions) must be equal after sorting keys, apart from
//! `extensions.readPath`; and the compiled path must actually answer most of them.
//!
//! `DIFF_SEED` replays a run (the seed is printed at the start and on failure), `DIFF_QUERIES`
//! changes the number of queries per backend, `DIFF_SHOW` the number of mismatches printed in
//! full (5), and `DIFF_DUMP=<file>` writes every query with the resolvers' answer to a JSON file
//! (to look at what the generator produces).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

mod common;

mod differential {
    pub mod catalogue;
    pub mod compare;
    pub mod data;
    pub mod generate;
    pub mod schema;
}

use std::collections::{BTreeMap, HashMap};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use common::{Backend, TestApp, spawn_app_with};
use differential::catalogue::{Catalogue, ListKey};
use differential::compare::{self, normalized};
use differential::data::{self, Data};
use differential::generate::{Cursors, Generator, Query};
use differential::schema::Ty;

/// Queries per backend unless `DIFF_QUERIES` says otherwise: about 2,000 keep a debug run on
/// SQLite within a minute on two cores.
const DEFAULT_QUERIES: usize = 2_000;
/// Share of answers the compiled path must give itself (the rest fall back to the resolvers:
/// `node(id:)`, `auditLog`, `mergedFrom` and errors).
const MIN_COMPILED_SHARE: f64 = 0.6;
/// Mismatches printed in full unless `DIFF_SHOW` says otherwise.
const SHOWN: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    run(Backend::Postgres).await;
}

async fn run(backend: Backend) {
    let Some(compiled) = spawn_app_with(backend, |config| {
        config.reads.compiled = true;
        config.rate_limit.enabled = false;
    })
    .await
    else {
        return;
    };
    let data = data::build(&compiled).await;
    let resolvers = compiled.sibling_with(|config| config.reads.compiled = false);
    let catalogue = Catalogue::new(&data);
    let cursors = harvest(&resolvers, &catalogue).await;

    let seed = std::env::var("DIFF_SEED")
        .ok()
        .map(|seed| seed.parse::<u64>().expect("DIFF_SEED is a number"))
        .unwrap_or_else(|| SmallRng::from_os_rng().random());
    let count = std::env::var("DIFF_QUERIES")
        .ok()
        .map(|count| count.parse::<usize>().expect("DIFF_QUERIES is a number"))
        .unwrap_or(DEFAULT_QUERIES);
    eprintln!("differential ({backend:?}): {count} queries, DIFF_SEED={seed}");

    let dump = std::env::var("DIFF_DUMP").ok();
    let mut dumped = Vec::new();
    let callers = Callers::new(&compiled, &data);
    let mut generator = Generator::new(seed, &data, &catalogue, &cursors);
    let mut choose_caller = SmallRng::seed_from_u64(seed ^ 0x5eed);
    let mut stats = Stats {
        show: std::env::var("DIFF_SHOW")
            .ok()
            .map(|count| count.parse::<usize>().expect("DIFF_SHOW is a number"))
            .unwrap_or(SHOWN),
        ..Stats::default()
    };
    let started = std::time::Instant::now();
    for index in 0..count {
        let query = generator.query();
        let (caller, token) = callers.pick(&mut choose_caller);
        let (left, right) = tokio::join!(
            resolvers.gql_as(token, &query.text, query.variables.clone()),
            compiled.gql_as(token, &query.text, query.variables.clone()),
        );
        if dump.is_some() {
            dumped.push(json!({ "query": query.text, "variables": query.variables, "caller": caller, "answer": left.body }));
        }
        stats.record(
            index,
            caller,
            &query,
            (left.status, &left.body),
            (right.status, &right.body),
        );
    }
    if let Some(path) = dump {
        std::fs::write(path, serde_json::to_string_pretty(&dumped).unwrap()).unwrap();
    }
    eprintln!(
        "differential ({backend:?}): {count} queries in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    stats.report(seed, count);
}

/// The real cursors of every list in the catalogue, read through the resolver path: one
/// request per type, one aliased root field per filter and order.
async fn harvest(app: &TestApp, catalogue: &Catalogue) -> Cursors {
    let mut cursors = Cursors::new();
    for ty in Ty::LISTED {
        let keys: Vec<ListKey> = catalogue
            .lists()
            .into_iter()
            .filter(|key| key.ty == ty)
            .collect();
        let mut fields = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let mut args = vec!["first: 100".to_owned()];
            if let Some(filter) = &catalogue.filters[&ty][key.filter] {
                args.push(format!("filter: {}", filter.graphql()));
            }
            if let Some(order) = &catalogue.orders[&ty][key.order] {
                args.push(format!("orderBy: {}", order.graphql()));
            }
            fields.push(format!(
                "l{i}: {}({}) {{ edges {{ cursor }} }}",
                ty.root_list(),
                args.join(", ")
            ));
        }
        let reply = app
            .gql(&format!("{{ {} }}", fields.join(" ")), json!({}))
            .await;
        let data = reply.data();
        for (i, key) in keys.into_iter().enumerate() {
            let edges = data[format!("l{i}")]["edges"].as_array().unwrap();
            let list: Vec<String> = edges
                .iter()
                .map(|edge| edge["cursor"].as_str().unwrap().to_owned())
                .collect();
            cursors.insert(key, list);
        }
    }
    let empty = cursors.values().filter(|list| list.is_empty()).count();
    eprintln!(
        "differential: cursors of {} lists harvested ({empty} lists empty)",
        cursors.len()
    );
    cursors
}

/// The keys queries are sent with: mostly the admin key, a quarter partner keys (each partner
/// sees its own scope), a few the reader key.
struct Callers {
    admin: String,
    reader: String,
    partners: Vec<String>,
}

impl Callers {
    fn new(app: &TestApp, data: &Data) -> Self {
        Self {
            admin: app.keys.admin.clone(),
            reader: app.keys.reader.clone(),
            partners: data.partner_keys.clone(),
        }
    }

    fn pick(&self, rng: &mut SmallRng) -> (&'static str, &str) {
        let roll = rng.random_range(0..100);
        if roll < 70 {
            ("admin", &self.admin)
        } else if roll < 95 {
            let index = rng.random_range(0..self.partners.len());
            (
                ["partner Northwind", "partner Contoso", "partner Stark"][index % 3],
                &self.partners[index],
            )
        } else {
            ("reader", &self.reader)
        }
    }
}

/// What the run saw.
#[derive(Default)]
struct Stats {
    /// Mismatches and unexpected errors printed in full.
    show: usize,
    mismatches: Vec<String>,
    mismatch_count: usize,
    /// `extensions.readPath` of the compiled side's answers.
    compiled_paths: BTreeMap<String, usize>,
    /// Answers of the resolver side that claim the compiled path.
    resolver_side_compiled: usize,
    /// Error codes of the resolver side's answers.
    codes: BTreeMap<String, usize>,
    /// Answers with errors, of queries built valid (bugs in the generator or the server).
    unexpected_errors: Vec<String>,
    /// Answers without `data` (the request was refused before execution).
    refused: usize,
    internal: usize,
    bad_queries: usize,
    by_caller: HashMap<&'static str, usize>,
}

impl Stats {
    fn record(
        &mut self,
        index: usize,
        caller: &'static str,
        query: &Query,
        resolvers: (axum::http::StatusCode, &Value),
        compiled: (axum::http::StatusCode, &Value),
    ) {
        *self.by_caller.entry(caller).or_default() += 1;
        let path = compare::read_path(compiled.1)
            .unwrap_or("<none>")
            .to_owned();
        *self.compiled_paths.entry(path).or_default() += 1;
        if compare::read_path(resolvers.1) == Some("compiled") {
            self.resolver_side_compiled += 1;
        }
        let codes = compare::error_codes(resolvers.1);
        for code in &codes {
            *self.codes.entry(code.clone()).or_default() += 1;
        }
        if codes.iter().any(|code| code == "INTERNAL") {
            self.internal += 1;
        }
        if resolvers.1.get("data").is_none() {
            self.refused += 1;
        }
        if query.deliberately_bad {
            self.bad_queries += 1;
        } else if !codes.is_empty() && self.unexpected_errors.len() < self.show {
            self.unexpected_errors.push(format!(
                "query #{index} ({caller}):\n{}\nvariables: {}\nanswer: {}",
                query.text, query.variables, resolvers.1
            ));
        }
        let (left, right) = (normalized(resolvers.1), normalized(compiled.1));
        if resolvers.0 == compiled.0 && left == right {
            return;
        }
        self.mismatch_count += 1;
        if self.mismatches.len() < self.show {
            self.mismatches.push(format!(
                "query #{index} ({caller}), status {} (resolvers) vs {} (compiled):\n{}\n\
                 variables: {}\n--- resolvers\n+++ compiled\n{}",
                resolvers.0,
                compiled.0,
                query.text,
                query.variables,
                compare::diff(&left, &right)
            ));
        }
    }

    fn report(&self, seed: u64, count: usize) {
        eprintln!("callers: {:?}", self.by_caller);
        eprintln!("compiled side's readPath: {:?}", self.compiled_paths);
        eprintln!(
            "error codes (resolver side): {:?}; refused before execution: {}; deliberately bad \
             queries: {}",
            self.codes, self.refused, self.bad_queries
        );
        for mismatch in &self.mismatches {
            eprintln!("\nMISMATCH {mismatch}");
        }
        for unexpected in &self.unexpected_errors {
            eprintln!("\nUNEXPECTED ERROR {unexpected}");
        }
        assert_eq!(
            self.mismatch_count,
            0,
            "{} of {count} answers differ between the compiled path and the resolvers \
             (DIFF_SEED={seed}; the first {} are printed above)",
            self.mismatch_count,
            self.mismatches.len()
        );
        assert_eq!(self.internal, 0, "internal errors (DIFF_SEED={seed})");
        assert_eq!(
            self.unexpected_errors.len(),
            0,
            "queries built valid were answered with errors (DIFF_SEED={seed})"
        );
        assert_eq!(
            self.resolver_side_compiled, 0,
            "the resolver-only app answered through the compiled path (DIFF_SEED={seed})"
        );
        let compiled = self.compiled_paths.get("compiled").copied().unwrap_or(0);
        let share = compiled as f64 / count.max(1) as f64;
        assert!(
            share >= MIN_COMPILED_SHARE,
            "the compiled path answered {compiled} of {count} queries ({:.0}%), expected at least \
             {:.0}% (DIFF_SEED={seed})",
            share * 100.0,
            MIN_COMPILED_SHARE * 100.0
        );
    }
}
