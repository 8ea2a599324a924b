//! The database a run measures: always a new one, so the numbers never depend on what an earlier
//! run or a developer left behind, and always removed afterwards.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database as Connector};
use url::Url;

use crate::BenchResult;

/// Where the run's data lives, and how to remove it.
pub enum Database {
    /// A SQLite file in a directory of its own, deleted at the end.
    TempSqlite { dir: PathBuf, url: String },
    /// A database created on a PostgreSQL server from `admin_url`, dropped at the end.
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
    /// A SQLite URL given on the command line: the caller owns the file.
    Given { url: String },
}

impl Database {
    pub async fn create(url: Option<&str>) -> BenchResult<Self> {
        match url {
            None => temp_sqlite(),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                fresh_postgres(url).await
            }
            Some(url) if url.starts_with("sqlite:") => Ok(Self::Given {
                url: url.to_owned(),
            }),
            Some(_) => Err("--database-url must be a postgres:// or sqlite:// URL".into()),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::TempSqlite { url, .. } | Self::Postgres { url, .. } | Self::Given { url } => url,
        }
    }

    /// For the report; never the URL, which may carry a password.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Postgres { .. } => "postgres",
            Self::TempSqlite { .. } | Self::Given { .. } => "sqlite",
        }
    }

    pub async fn dispose(self) -> BenchResult<()> {
        match self {
            Self::TempSqlite { dir, .. } => Ok(std::fs::remove_dir_all(dir)?),
            Self::Postgres {
                admin_url, name, ..
            } => {
                // FORCE: the pool of the run may still hold idle connections.
                execute(
                    &admin_url,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                )
                .await
            }
            Self::Given { .. } => Ok(()),
        }
    }
}

fn temp_sqlite() -> BenchResult<Database> {
    let dir = std::env::temp_dir().join(format!("contacts-graph-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    Ok(Database::TempSqlite { dir, url })
}

async fn fresh_postgres(admin_url: &str) -> BenchResult<Database> {
    // The pid keeps concurrent runs apart; the prefix makes leftovers of killed runs findable.
    let name = format!("cg_bench_{}", std::process::id());
    let mut url = Url::parse(admin_url)?;
    url.set_path(&format!("/{name}"));
    execute(
        admin_url,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await?;
    execute(admin_url, &format!("CREATE DATABASE {name}")).await?;
    Ok(Database::Postgres {
        admin_url: admin_url.to_owned(),
        name,
        url: url.to_string(),
    })
}

async fn execute(url: &str, sql: &str) -> BenchResult<()> {
    let conn = Connector::connect(url).await?;
    let result = conn.execute_unprepared(sql).await;
    conn.close().await?;
    result.map_err(|err| format!("{sql}: {err}"))?;
    Ok(())
}
