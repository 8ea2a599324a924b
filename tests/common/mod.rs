//! Shared test harness: a fresh database per test (a SQLite temp file, or a PostgreSQL database
//! cloned from a migrated template), the real router, and a statement counter.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods
)]

pub mod fixtures;
pub mod partners;
mod postgres;
pub mod world;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use contacts_graph::auth::{Principal, Role};
use contacts_graph::config::Config;
use contacts_graph::service::api_keys::{self, NewApiKey};
use contacts_graph::service::scope::ScopedDb;
use contacts_graph::{build_app, db};
use http_body_util::BodyExt;
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use serde_json::{Value, json};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's application and database.
pub struct TestApp {
    pub router: Router,
    pub db: DatabaseConnection,
    pub backend: Backend,
    /// The database's URL, for a connection of a test's own beside the app's pool.
    pub database_url: String,
    /// Tokens of keys created through the service layer, one per unscoped role.
    pub keys: Keys,
    /// The configuration the router was built from.
    pub config: Config,
    statements: Arc<Mutex<Vec<String>>>,
    _database: Arc<DatabaseGuard>,
}

/// Audit entries every test database starts with: the creation of its four keys.
pub const KEY_AUDIT_ENTRIES: u64 = 4;

/// Bearer tokens of the test's keys.
#[derive(Debug, Clone)]
pub struct Keys {
    pub admin: String,
    pub manager: String,
    pub agent: String,
    pub reader: String,
}

enum DatabaseGuard {
    Sqlite(tempfile::TempDir),
    Postgres(postgres::Clone),
}

/// A fresh, migrated, empty database behind the real router; `None` (with a notice) when the
/// backend is PostgreSQL and `TEST_DATABASE_URL` is unset.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let mut config = Config::default();
    config.database.seed_demo = Some(false);
    config.database.max_connections = 4;
    let guard = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            config.database.url = SecretString::from(url);
            DatabaseGuard::Sqlite(dir)
        }
        Backend::Postgres => {
            let clone = postgres::Clone::create().await?;
            config.database.url = SecretString::from(clone.url.clone());
            DatabaseGuard::Postgres(clone)
        }
    };
    adjust(&mut config);
    let database_url = config.database.url().to_owned();
    let mut conn = db::connect(&config.database).await.unwrap();
    if backend == Backend::Sqlite {
        db::migrate(&conn).await.unwrap();
    }
    let statements = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&statements);
    db::observe_statements(&mut conn, move |info| {
        log.lock().unwrap().push(info.statement.sql.clone());
    });
    let keys = Keys {
        admin: create_key(&conn, "test-admin", Role::Admin, None).await,
        manager: create_key(&conn, "test-manager", Role::Manager, None).await,
        agent: create_key(&conn, "test-agent", Role::Agent, None).await,
        reader: create_key(&conn, "test-reader", Role::Reader, None).await,
    };
    let router = build_app(config.clone(), conn.clone()).unwrap();
    Some(TestApp {
        router,
        db: conn,
        backend,
        database_url,
        keys,
        config,
        statements,
        _database: Arc::new(guard),
    })
}

/// A key created the way `apikey create` does; returns its token.
pub async fn create_key(
    conn: &DatabaseConnection,
    name: &str,
    role: Role,
    partner_account_id: Option<uuid::Uuid>,
) -> String {
    let db = ScopedDb::new(conn.clone(), &Principal::system());
    let new = NewApiKey {
        name: name.to_owned(),
        role,
        partner_account_id,
        expires_at: None,
    };
    api_keys::create(&db, new).await.unwrap().token
}

/// The SQL a request issued; compares with a count and prints the statements when it differs.
#[derive(Debug)]
pub struct Statements(pub Vec<String>);

impl PartialEq<usize> for Statements {
    fn eq(&self, count: &usize) -> bool {
        self.0.len() == *count
    }
}

impl Statements {
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// A GraphQL response: status, headers and body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

/// The two media types of GraphQL over HTTP, as `Accept` values.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

impl Reply {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {:#}",
            self.body
        );
        &self.body["data"]
    }

    /// The code of the first error, asserting that every error has one.
    pub fn error_code(&self) -> String {
        let errors = self.body["errors"].as_array().expect("errors expected");
        for error in errors {
            assert!(
                error["extensions"]["code"].is_string(),
                "error without code: {error:#}"
            );
        }
        errors[0]["extensions"]["code"].as_str().unwrap().to_owned()
    }
}

impl TestApp {
    /// A second router over this app's database (the same rows, keys and statement log), built
    /// from this app's configuration as `adjust` changes it: for comparing two configurations
    /// on identical data. The database lives as long as either app.
    pub fn sibling_with(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.config.clone();
        adjust(&mut config);
        TestApp {
            router: build_app(config.clone(), self.db.clone()).unwrap(),
            db: self.db.clone(),
            backend: self.backend,
            database_url: self.database_url.clone(),
            keys: self.keys.clone(),
            config,
            statements: Arc::clone(&self.statements),
            _database: Arc::clone(&self._database),
        }
    }

    /// POSTs a GraphQL request with the admin key and returns the reply.
    pub async fn gql(&self, query: &str, variables: Value) -> Reply {
        self.gql_as(&self.keys.admin, query, variables).await
    }

    /// POSTs a GraphQL request with the given bearer token.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Reply {
        let body = json!({ "query": query, "variables": variables });
        self.post_body_as(Some(token), body.to_string()).await
    }

    /// POSTs a raw body with the admin key.
    pub async fn post_body(&self, body: String) -> Reply {
        self.post_body_as(Some(&self.keys.admin), body).await
    }

    /// POSTs a raw body with the given bearer token, or none.
    pub async fn post_body_as(&self, token: Option<&str>, body: String) -> Reply {
        let mut request =
            Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// POSTs a GraphQL request with the admin key, asking for the given media type.
    pub async fn gql_accepting(&self, accept: &str, query: &str, variables: Value) -> Reply {
        let body = json!({ "query": query, "variables": variables });
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, accept)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.keys.admin))
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// Sends any request to the router; the body must be JSON.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Runs a query and returns its data plus the SQL statements it issued. The key is checked
    /// once before (as any client's first request does), so only the query's own statements
    /// are counted.
    pub async fn counted(&self, query: &str, variables: Value) -> (Value, Statements) {
        self.counted_as(&self.keys.admin.clone(), query, variables)
            .await
    }

    pub async fn counted_as(
        &self,
        token: &str,
        query: &str,
        variables: Value,
    ) -> (Value, Statements) {
        self.gql_as(token, "{ __typename }", json!({})).await.data();
        self.statements.lock().unwrap().clear();
        let reply = self.gql_as(token, query, variables).await;
        let data = reply.data().clone();
        let statements = std::mem::take(&mut *self.statements.lock().unwrap());
        (data, Statements(statements))
    }

    /// GET with the admin key.
    pub async fn get(
        &self,
        uri: &str,
        accept: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        self.get_as(Some(&self.keys.admin), uri, accept).await
    }

    pub async fn get_as(
        &self,
        token: Option<&str>,
        uri: &str,
        accept: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut request = Request::get(uri).header(header::ACCEPT, accept);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request.body(Body::empty()).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }
}

/// Expands one async test body into a SQLite and a PostgreSQL test.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::common::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::spawn_app($crate::common::Backend::Sqlite).await.unwrap();
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::common::spawn_app($crate::common::Backend::Postgres).await {
                    run(app).await;
                }
            }
        }
    };
}

/// Audit entries about records, leaving out the creation of the test's own keys.
pub async fn record_audit_entries(db: &DatabaseConnection) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    entity::audit_entry::Entity::find()
        .filter(entity::audit_entry::Column::EntityType.ne(entity::enums::AuditEntityType::ApiKey))
        .count(db)
        .await
        .unwrap()
}
