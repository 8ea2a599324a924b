//! `bench`: seeds a fresh database, serves the real router from a child process on a loopback
//! port, and drives it over HTTP/1.1 keep-alive connections to measure what issues 7 and 16 ask
//! for: throughput, latency, SQL statements and records per request, the loader/naive ratio, the
//! server's CPU per request and peak memory, and every number next to the floor's, a
//! hand-written server answering the same documents with the same statements.
//!
//! One command gives a reproducible number. The servers are child processes (the bench binary
//! again, `--serve`) so that their CPU time and memory are measured without the clients'; the
//! clients still share the machine's cores with them, which the report states.

mod catalog;
mod client;
mod compression;
mod database;
mod explain;
mod floor;
mod load;
mod machine;
mod memory;
mod ops;
mod proof;
mod report;
mod rounds;
mod server;
mod sql;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use contacts_graph::config::Config;
use contacts_graph::db;
use contacts_graph::error::AppError;
use contacts_graph::service::seed::{self, SeedPlan, SeedReport};
use tracing_subscriber::EnvFilter;

use crate::database::Database;
use crate::ops::Operation;
use crate::report::Report;
use crate::server::{Mode, ServerProcess};

/// Any failure: the bench stops and `main` prints it.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;
pub type BenchResult<T> = Result<T, BenchError>;

/// Throughput, latency and SQL cost of contacts-graph under load (issue 7).
#[derive(Debug, Parser)]
#[command(name = "bench", version)]
pub struct Args {
    /// Contacts to generate, 20 per account (reference scales: 1000, 10000, 100000).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub contacts: u32,
    /// Concurrent clients, each on its own keep-alive connection. A comma-separated list
    /// (`1,4,32`) measures every operation once per count. Default: 2 x cores.
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub clients: Vec<u32>,
    /// Measured seconds per operation and client count.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub duration: u64,
    /// Alternating slices an operation and its floor counterpart take turns in at each client
    /// count, when both are measured (see `rounds.rs`); `duration` is split among them.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: u32,
    /// Unmeasured seconds of the same load before each measurement.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub warmup: u64,
    /// `postgres://...` (a fresh database is created from it and dropped afterwards) or
    /// `sqlite://...` (used as is; must be empty). Default: a new SQLite file in a temp dir.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Operations to measure, comma-separated: `nested`, `partner` (the nested query with a
    /// partner key), `resolvers` (the nested query with the compiled read path off), `naive`
    /// (the nested query without batching), `lookup`, `floor` and
    /// `floor-lookup` (the nested query and the lookup answered by the hand-written floor
    /// server), and the mutations `update` (update a contact) and `open` (open an incident);
    /// see `ops.rs`.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "nested,floor,resolvers,partner,naive,lookup,floor-lookup,update,open"
    )]
    pub ops: Vec<String>,
    /// Instead of measuring: print the PostgreSQL plans of the filtered list (admin and partner)
    /// and fail on a sequential scan of a big table.
    #[arg(long)]
    pub explain: bool,
    /// Random seed of the data set and of the requests.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Nested requests per `Accept-Encoding` (identity, gzip, br) in the compression
    /// measurement, sent one at a time after the other operations; 0 skips it.
    #[arg(long, default_value_t = 30)]
    pub compression_requests: usize,
    /// Internal: run as one of the bench's server processes (see `server.rs`).
    #[arg(long, hide = true, value_name = "MODE")]
    pub serve: Option<Mode>,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Only warnings: per-request logging would be measured along with the server. A starved
    // pool (naive mode, many clients) warns on every slow acquire, which would flood the
    // terminal and cost CPU during the measurement; failures show in the report's errors.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,sqlx::pool::acquire=error".into()),
        )
        .init();
    let args = Args::parse();
    let outcome = match args.serve {
        Some(mode) => server::serve(mode).await,
        None => run(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench failed: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> BenchResult<()> {
    let operations = ops::select(&args.ops)?;
    let database = Database::create(args.database_url.as_deref()).await?;
    let outcome = measure(&args, &operations, &database).await;
    // The database goes whatever happened, so a failed run leaves no temp file or database.
    let disposed = database.dispose().await;
    let report = outcome?;
    disposed?;
    let Some(report) = report else {
        return Ok(());
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

async fn measure(
    args: &Args,
    operations: &[&'static Operation],
    database: &Database,
) -> BenchResult<Option<Report>> {
    let config = server::product_config(database.url());
    // Seeding runs long transactions; the servers' pools have the statement timeout, as in
    // production.
    let setup = db::connect_unbounded(&config.database).await.map_err(app)?;
    db::migrate(&setup).await.map_err(app)?;
    let seeded = seed_data(args, &config, &setup, database.backend()).await?;
    setup.close().await.map_err(|err| app(err.into()))?;
    let seeding_peak = memory::peak_rss_kib("self");
    let conn = db::connect(&config.database).await.map_err(app)?;
    if args.explain {
        let partner = busiest_partner(&conn).await?;
        explain::check(&conn, partner).await?;
        return Ok(None);
    }
    let keys = create_keys(&conn).await?;
    conn.close().await.map_err(|err| app(err.into()))?;

    let url = database.url();
    let graph = ServerProcess::start(Mode::Batched, url, &keys.admin).await?;
    let catalog = Arc::new(catalog::gather(graph.address, args.seed, keys).await?);
    eprintln!(
        "gathered {} account pages and {} identities",
        catalog.page_starts.len(),
        catalog.identities.len()
    );
    if operations.iter().any(|op| op.mode == Mode::Floor) {
        let floor = ServerProcess::start(Mode::Floor, url, &catalog.keys.admin).await?;
        let compared = proof::same_answers(graph.address, floor.address, &catalog).await?;
        eprintln!("the floor's answers equal contacts-graph's ({compared} requests compared)");
        floor.stop();
    }
    graph.stop();

    let mut report = Report::new(args, database.backend(), &seeded, seeding_peak);
    for group in rounds::groups(operations) {
        for row in rounds::measure(args, &group, url, &catalog).await? {
            report.push(row);
        }
    }
    if args.compression_requests > 0 {
        eprintln!("measuring compression...");
        let server = ServerProcess::start(Mode::Batched, url, &catalog.keys.admin).await?;
        report.compression =
            compression::measure(&server, &catalog, args.compression_requests, args.seed).await?;
        server.stop();
    }
    Ok(Some(report))
}

async fn seed_data(
    args: &Args,
    config: &Config,
    conn: &sea_orm::DatabaseConnection,
    backend: &str,
) -> BenchResult<SeedReport> {
    let plan = SeedPlan::for_contacts(args.contacts as usize, args.seed);
    eprintln!("seeding {} contacts ({backend})...", plan.contacts());
    let started = Instant::now();
    let region = config.identity.region().map_err(app)?;
    let seeded = seed::seed_generated(conn, &plan, region)
        .await
        .map_err(app)?;
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Planner statistics for the freshly loaded tables, as autovacuum would gather them
        // after a bulk load (it may be off, or not have run yet): without them PostgreSQL
        // guesses filter selectivities from nothing and picks plans no production database
        // would use.
        use sea_orm::ConnectionTrait;
        conn.execute_unprepared("ANALYZE").await?;
    }
    eprintln!(
        "seeded in {:.1} s: {seeded}",
        started.elapsed().as_secs_f64()
    );
    Ok(seeded)
}

/// An admin key, and a partner key for the partner serving the most customers, created the way
/// `apikey create` does.
async fn create_keys(conn: &sea_orm::DatabaseConnection) -> BenchResult<catalog::Keys> {
    use contacts_graph::auth::{Principal, Role};
    use contacts_graph::service::api_keys::{self, NewApiKey};
    use contacts_graph::service::scope::ScopedDb;

    let partner = busiest_partner(conn).await?;
    let db = ScopedDb::new(conn.clone(), &Principal::system());
    let key = |name: &str, role: Role, partner_account_id| NewApiKey {
        name: name.to_owned(),
        role,
        partner_account_id,
        expires_at: None,
    };
    let admin = api_keys::create(&db, key("bench-admin", Role::Admin, None))
        .await
        .map_err(app)?;
    let partner = api_keys::create(&db, key("bench-partner", Role::Partner, Some(partner)))
        .await
        .map_err(app)?;
    Ok(catalog::Keys {
        admin: admin.token,
        partner: partner.token,
    })
}

/// The partner account serving the most customers.
async fn busiest_partner(conn: &sea_orm::DatabaseConnection) -> BenchResult<uuid::Uuid> {
    use entity::account;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let customers = account::Entity::find()
        .filter(account::Column::PartnerId.is_not_null())
        .all(conn)
        .await?;
    let mut served = std::collections::HashMap::<uuid::Uuid, usize>::new();
    for partner in customers.iter().filter_map(|customer| customer.partner_id) {
        *served.entry(partner).or_default() += 1;
    }
    Ok(served
        .into_iter()
        .max_by_key(|(id, count)| (*count, *id))
        .map(|(id, _)| id)
        .ok_or("the seeded data has no partner with customers")?)
}

pub(crate) fn client_counts(requested: &[u32]) -> Vec<usize> {
    if requested.is_empty() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        return vec![2 * cores];
    }
    requested.iter().map(|&n| n as usize).collect()
}

/// `AppError::Internal` displays as "internal error" for API users; the bench wants the cause.
fn app(err: AppError) -> BenchError {
    match err.internal_source() {
        Some(source) => source.to_string().into(),
        None => err.to_string().into(),
    }
}
