//! PostgreSQL test databases: one migrated template per test binary, cloned for every test and
//! dropped when the test ends. Reads `TEST_DATABASE_URL` (a database the user may create
//! databases from); without it PostgreSQL tests are skipped with a notice.

use std::sync::atomic::{AtomicU32, Ordering};

use contacts_graph::config::DatabaseConfig;
use contacts_graph::db;
use sea_orm::{ConnectionTrait, Database, Statement};
use secrecy::SecretString;
use tokio::sync::{Mutex, OnceCell};

static TEMPLATE: OnceCell<Option<Server>> = OnceCell::const_new();
static CLONE_LOCK: Mutex<()> = Mutex::const_new(());
static NEXT: AtomicU32 = AtomicU32::new(0);

/// Prefix of every database the tests create, so leftovers are easy to find and drop.
pub const PREFIX: &str = "cg_test_";

#[derive(Debug)]
struct Server {
    admin_url: String,
    template: String,
}

/// A test's own database, dropped on `Drop`.
pub struct Clone {
    pub url: String,
    name: String,
    admin_url: String,
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    format!("{server}/{name}{query}")
}

async fn execute(url: &str, sql: &str) {
    let conn = Database::connect(url).await.expect("connect to PostgreSQL");
    conn.execute_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap_or_else(|err| panic!("{sql}: {err}"));
    conn.close().await.expect("close");
}

async fn server() -> Option<&'static Server> {
    TEMPLATE
        .get_or_init(|| async {
            let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
                eprintln!(
                    "TEST_DATABASE_URL is not set: skipping the PostgreSQL variant of this test"
                );
                return None;
            };
            let template = format!("{PREFIX}{}_template", std::process::id());
            execute(
                &admin_url,
                &format!("DROP DATABASE IF EXISTS {template} WITH (FORCE)"),
            )
            .await;
            execute(&admin_url, &format!("CREATE DATABASE {template}")).await;
            let config = DatabaseConfig {
                url: SecretString::from(with_database(&admin_url, &template)),
                max_connections: 1,
                ..DatabaseConfig::default()
            };
            let conn = db::connect(&config).await.expect("connect to the template");
            db::migrate(&conn).await.expect("migrate the template");
            conn.close().await.expect("close the template");
            Some(Server {
                admin_url,
                template,
            })
        })
        .await
        .as_ref()
}

impl Clone {
    pub async fn create() -> Option<Self> {
        let server = server().await?;
        let name = format!(
            "{PREFIX}{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        {
            // PostgreSQL refuses to copy a template while another copy of it is being made.
            let _guard = CLONE_LOCK.lock().await;
            execute(
                &server.admin_url,
                &format!("CREATE DATABASE {name} TEMPLATE {}", server.template),
            )
            .await;
        }
        Some(Self {
            url: with_database(&server.admin_url, &name),
            name,
            admin_url: server.admin_url.clone(),
        })
    }
}

impl Drop for Clone {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let admin_url = self.admin_url.clone();
        // Drop cannot await; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(execute(&admin_url, &sql));
        })
        .join();
    }
}
