//! The `contacts-graph` binary: loads the configuration, then runs one command.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use contacts_graph::auth::{Principal, Role};
use contacts_graph::cli::{Cli, Command, SeedArgs};
use contacts_graph::config::{Config, LogFormat};
use contacts_graph::error::AppResult;
use contacts_graph::http::server;
use contacts_graph::service::api_keys::{self, NewApiKey};
use contacts_graph::service::scope::ScopedDb;
use contacts_graph::service::seed::{self, SeedPlan};
use contacts_graph::{apikey_cli, build_app, db, graphql};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The log format is configuration, so the configuration is read first; a configuration
    // error is still logged, in the default format.
    let config = match &cli.command {
        Some(Command::ExportSchema { .. }) => Ok(Config::default()),
        _ => Config::load(cli.config.as_deref()),
    };
    init_logging(
        config
            .as_ref()
            .map_or(LogFormat::Text, |config| config.log.format),
    );
    let outcome = match config {
        Ok(config) => run(cli, config).await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            match err.internal_source() {
                Some(source) => tracing::error!(error = %source, "failed"),
                None => tracing::error!(error = %err, "failed"),
            }
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    // Migration progress is noise at the default level; RUST_LOG brings it back.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sea_orm_migration=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => builder.with_ansi(std::io::stdout().is_terminal()).init(),
    }
}

async fn run(cli: Cli, config: Config) -> AppResult<()> {
    if let Some(Command::ExportSchema { output }) = &cli.command {
        return export_schema(output.as_deref());
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let conn = db::connect_unbounded(&config.database).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed(args) => seed_data(config, args).await,
        Command::Apikey(command) => {
            let conn = db::connect_unbounded(&config.database).await?;
            db::migrate(&conn).await?;
            apikey_cli::run(conn, command).await
        }
        Command::ExportSchema { .. } => Ok(()),
    }
}

async fn serve(config: Config) -> AppResult<()> {
    prepare(&config).await?;
    let conn = db::connect(&config.database).await?;
    let listener = tokio::net::TcpListener::bind(config.server.address)
        .await
        .map_err(contacts_graph::error::AppError::internal)?;
    let address = listener
        .local_addr()
        .map_err(contacts_graph::error::AppError::internal)?;
    tracing::info!("GraphQL and GraphiQL on http://{address}/graphql");
    let drain = config.server.shutdown_drain();
    let drained = server::serve(
        listener,
        build_app(config, conn.clone())?,
        drain,
        server::shutdown_signal(),
    )
    .await
    .map_err(contacts_graph::error::AppError::internal)?;
    if drained {
        // Closing waits for every connection to come back, so only once nothing runs.
        conn.close().await?;
        tracing::info!("every request finished; stopped");
    }
    Ok(())
}

/// Migrations, the first admin key and the demo data, on a connection without the statement
/// timeout: a migration of a large database may take longer than a request may.
async fn prepare(config: &Config) -> AppResult<()> {
    let conn = db::connect_unbounded(&config.database).await?;
    if config.database.migrate_on_start {
        let is_new = db::migrate(&conn).await?;
        if is_new && config.should_bootstrap_admin_key() {
            let created = api_keys::create(
                &ScopedDb::new(conn.clone(), &Principal::system()),
                NewApiKey {
                    name: "admin".to_owned(),
                    role: Role::Admin,
                    partner_account_id: None,
                    expires_at: None,
                },
            )
            .await?;
            // Printed once: only its hash is stored. `apikey create` makes more.
            tracing::info!("admin API key: {}", created.token);
            tracing::info!(
                "send it as `Authorization: Bearer <key>` (in GraphiQL: the Headers tab); \
                 it is not shown again"
            );
        }
        if is_new && config.database.should_seed_demo() {
            let report = seed::seed_demo(&conn, config.identity.region()?).await?;
            tracing::info!(%report, "new database: demo data seeded");
        }
    }
    conn.close().await?;
    Ok(())
}

async fn seed_data(config: Config, args: SeedArgs) -> AppResult<()> {
    let plan = match (args.contacts, args.accounts) {
        (Some(contacts), _) => SeedPlan::for_contacts(contacts as usize, args.seed),
        (None, accounts) => SeedPlan {
            accounts: accounts.unwrap_or(1),
            contacts_per_account: args.contacts_per_account,
            seed: args.seed,
        },
    };
    let conn = db::connect_unbounded(&config.database).await?;
    db::migrate(&conn).await?;
    let started = std::time::Instant::now();
    let report = seed::seed_generated(&conn, &plan, config.identity.region()?).await?;
    tracing::info!(%report, elapsed_ms = started.elapsed().as_millis() as u64, "seeded");
    Ok(())
}

fn export_schema(output: Option<&std::path::Path>) -> AppResult<()> {
    let sdl = graphql::sdl();
    match output {
        Some(path) => std::fs::write(path, sdl).map_err(contacts_graph::error::AppError::internal),
        None => {
            print!("{sdl}");
            Ok(())
        }
    }
}
