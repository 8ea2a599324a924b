//! The real router, twice, on loopback ports of this process: once as configured (batched
//! loaders) and once in naive mode, over the same database connection pool.

use std::net::{Ipv4Addr, SocketAddr};

use contacts_graph::build_app;
use contacts_graph::config::Config;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::BenchResult;

/// Which server instance an operation is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The configuration as shipped: one statement per nesting level.
    Batched,
    /// The same resolvers with `loaders.max_batch_size = 1`: one statement per parent, the
    /// baseline issue 7 compares against.
    Naive,
}

pub struct Servers {
    pub batched: SocketAddr,
    pub naive: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Servers {
    pub async fn start(config: &Config, conn: DatabaseConnection) -> BenchResult<Self> {
        let mut naive_config = config.clone();
        naive_config.loaders.max_batch_size = 1;
        naive_config.reads.compiled = false;
        let (batched, batched_task) = serve(config.clone(), conn.clone()).await?;
        let (naive, naive_task) = serve(naive_config, conn).await?;
        Ok(Self {
            batched,
            naive,
            tasks: vec![batched_task, naive_task],
        })
    }

    pub fn address(&self, mode: Mode) -> SocketAddr {
        match mode {
            Mode::Batched => self.batched,
            Mode::Naive => self.naive,
        }
    }

    /// The measurements are over and every client has finished, so there is nothing to drain.
    pub fn stop(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

async fn serve(
    config: Config,
    conn: DatabaseConnection,
) -> BenchResult<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    let app = build_app(config, conn).map_err(crate::app)?;
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            // The clients then fail with a connection error, which stops the run.
            eprintln!("server on {address} stopped: {err}");
        }
    });
    Ok((address, task))
}
