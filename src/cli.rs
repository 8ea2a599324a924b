//! Command-line interface: `serve` (default), `migrate`, `seed`, `export-schema`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "contacts-graph", version, about)]
pub struct Cli {
    /// Configuration file (default: `contacts-graph.toml` in the working directory, if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, then serve GraphQL and GraphiQL (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Fill the database with deterministic generated data.
    Seed(SeedArgs),
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Print the GraphQL schema (SDL) or write it to a file.
    ExportSchema {
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Number of customer and partner accounts.
    #[arg(
        long,
        conflicts_with = "contacts",
        required_unless_present = "contacts"
    )]
    pub accounts: Option<usize>,
    /// Total contacts instead of a number of accounts (20 per account).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub contacts: Option<u32>,
    /// Contacts per account when `--accounts` is given.
    #[arg(long, default_value_t = 20)]
    pub contacts_per_account: usize,
    /// Random seed; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key and print its token (shown this once; only a hash is stored).
    Create {
        /// Who or what holds the key; audit entries name it as the actor.
        #[arg(long)]
        name: String,
        /// admin, manager, agent, reader or partner.
        #[arg(long)]
        role: String,
        /// The partner account of a partner key: its global id as the API shows it, or its UUID.
        #[arg(long, value_name = "ACCOUNT")]
        partner: Option<String>,
        /// Lifetime of the key, e.g. `90d`, `12h`, `30m`; the key never expires without it.
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
        expires_in: Option<std::time::Duration>,
    },
    /// List every key (never their tokens).
    List,
    /// Revoke a key at once.
    Revoke {
        /// The key's id as `apikey list` or the API shows it, or its UUID.
        id: String,
    },
}
