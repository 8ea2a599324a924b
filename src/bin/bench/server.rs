//! The servers under measurement, each in a child process of its own: the bench binary started
//! again with the hidden `--serve <mode>` option, over the database the bench seeded.
//!
//! A process per server is what lets the bench measure the server alone: its CPU time
//! (`utime + stime` of `/proc/<pid>/stat`) and its peak resident memory (`VmHWM`, reset through
//! `/proc/<pid>/clear_refs`) do not include the bench's clients, and contacts-graph and the floor
//! are measured the same way. Every operation gets a fresh process, so its peak memory is its
//! own and not what an earlier operation left with the allocator.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use contacts_graph::build_app;
use contacts_graph::config::Config;
use contacts_graph::db;
use contacts_graph::http::server;
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::machine;
use crate::sql::{self, SqlCounter};
use crate::{BenchResult, app, floor, memory};

/// Which server an operation is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// contacts-graph as shipped: one statement per nesting level, plain-data queries answered
    /// by the compiled read path.
    Batched,
    /// contacts-graph with `reads.compiled = false`: the same statements through the resolvers
    /// and the loaders.
    Resolvers,
    /// The same resolvers with `loaders.max_batch_size = 1`: one statement per parent, the
    /// baseline issue 7 compares against.
    Naive,
    /// The hand-written reference server of issue 16 (`floor/`).
    Floor,
}

impl Mode {
    fn arg(self) -> &'static str {
        match self {
            Mode::Batched => "batched",
            Mode::Resolvers => "resolvers",
            Mode::Naive => "naive",
            Mode::Floor => "floor",
        }
    }
}

/// What a server process prints on its standard output once it accepts connections.
const READY: &str = "listening on ";

/// contacts-graph's configuration in the bench: the defaults over `url`, without demo data and
/// without the per-key rate limit (throughput is the point here).
pub fn product_config(url: &str) -> Config {
    let mut config = Config::default();
    config.database.url = SecretString::from(url.to_owned());
    config.database.seed_demo = Some(false);
    config.rate_limit.enabled = false;
    config
}

/// A running server process; killed when dropped.
pub struct ServerProcess {
    pub address: SocketAddr,
    pub pid: u32,
    child: Child,
}

impl ServerProcess {
    /// Starts a server over `database_url` and waits until it listens.
    pub async fn start(mode: Mode, database_url: &str, token: &str) -> BenchResult<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--serve", mode.arg()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let pid = child.id();
        // The database URL and the token go through stdin, not the command line, where any user
        // could read them (a URL may carry a password) in the process list. Stdin stays open:
        // its end tells the server to exit.
        let stdin = child
            .stdin
            .as_mut()
            .ok_or("the server's stdin is not piped")?;
        writeln!(stdin, "{database_url}\n{token}")?;
        stdin.flush()?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the server's stdout is not piped")?;
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        })
        .await??;
        let Some(address) = line.trim().strip_prefix(READY) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the {} server did not start: {line:?}", mode.arg()).into());
        };
        Ok(Self {
            address: address.parse()?,
            pid,
            child,
        })
    }

    /// CPU time (user + system, all threads) the process has used, in clock ticks.
    pub fn cpu_ticks(&self) -> Option<u64> {
        machine::process_ticks(&self.pid.to_string())
    }

    /// Peak RSS since the start or the last [`ServerProcess::reset_peak`], in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        memory::peak_rss_kib(&self.pid.to_string())
    }

    pub fn reset_peak(&self) {
        memory::reset_peak(&self.pid.to_string());
    }

    /// The measurements are over and every client has finished: nothing to drain.
    pub fn stop(self) {}
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Closing stdin alone would stop it too (see `serve`); killing does not wait for that.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child side: reads the database URL and the token from its standard input, serves `mode`
/// on a loopback port, prints the address, and exits when its standard input closes (the bench
/// ended, however it ended).
pub async fn serve(mode: Mode) -> BenchResult<()> {
    let (url, token) = tokio::task::spawn_blocking(|| {
        let mut lines = std::io::stdin().lines();
        let mut next = || -> BenchResult<String> {
            Ok(lines.next().ok_or("--serve is for the bench itself")??)
        };
        Ok::<_, crate::BenchError>((next()?, next()?))
    })
    .await??;
    let router = match mode {
        Mode::Batched | Mode::Resolvers | Mode::Naive => {
            let mut config = product_config(&url);
            if mode == Mode::Naive {
                config.loaders.max_batch_size = 1;
            }
            if mode != Mode::Batched {
                config.reads.compiled = false;
            }
            let mut conn = db::connect(&config.database).await.map_err(app)?;
            let counter = SqlCounter::install(&mut conn);
            build_app(config, conn)
                .map_err(app)?
                .merge(sql::routes(counter))
        }
        Mode::Floor => {
            let region = Config::default().identity.region().map_err(app)?;
            let counter = Arc::new(SqlCounter::default());
            let db = floor::Db::connect(&url).await?;
            floor::router(db, &token, region, Arc::clone(&counter)).merge(sql::routes(counter))
        }
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{READY}{}", listener.local_addr()?)?;
    stdout.flush()?;
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    if mode == Mode::Floor {
        axum::serve(listener, router).await?;
    } else {
        // As `contacts-graph serve` serves it (its timer keeps tokio's time driver parked).
        let never = std::future::pending();
        server::serve(listener, router, Duration::ZERO, never).await?;
    }
    Ok(())
}
