//! The one typed configuration of the server.
//!
//! Layers, later wins: built-in defaults, an optional `contacts-graph.toml`, the conventional
//! `DATABASE_URL`, then `CONTACTS_GRAPH__<SECTION>__<KEY>` environment variables. This is the
//! only module that reads the environment.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use phonenumber::country;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::service::identity;

/// The embedded default: a SQLite file next to where the server starts, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://contacts.db?mode=rwc";

/// Default name of the optional configuration file.
pub const DEFAULT_CONFIG_FILE: &str = "contacts-graph.toml";

/// Prefix of the environment variables that override single keys.
pub const ENV_PREFIX: &str = "CONTACTS_GRAPH__";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub identity: IdentityConfig,
    pub merge: MergeConfig,
    pub auth: AuthConfig,
    pub loaders: LoaderConfig,
    pub reads: ReadsConfig,
    pub limits: LimitsConfig,
    pub cors: CorsConfig,
    pub batching: BatchingConfig,
    pub rate_limit: RateLimitConfig,
    pub persisted_queries: PersistedQueriesConfig,
    pub metrics: MetricsConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub address: SocketAddr,
    /// A GraphQL request running longer than this is cancelled, its database work with it, and
    /// answered with HTTP 504 and `REQUEST_TIMEOUT`.
    pub request_timeout_secs: u64,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// After SIGTERM or Ctrl-C, requests in flight get this long to finish before the process
    /// exits anyway; new connections are refused from the signal on.
    pub shutdown_drain_secs: u64,
    /// Compress responses with gzip or Brotli when the client's `Accept-Encoding` allows.
    pub compression: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://...` or `postgres://...`; may carry a password, hence secret.
    #[serde(serialize_with = "serialize_exposed")]
    pub url: SecretString,
    pub max_connections: u32,
    /// Apply pending migrations when the server starts.
    pub migrate_on_start: bool,
    /// Seed the demo data set into a new database. Unset means: only for the default SQLite file.
    pub seed_demo: Option<bool>,
    /// How long a SQLite writer waits for the lock before failing.
    pub sqlite_busy_timeout_ms: u64,
    /// Log every SQL statement at DEBUG level.
    pub log_statements: bool,
    /// How long a request waits for a pooled connection before it is refused with HTTP 503 and
    /// `SERVICE_UNAVAILABLE` (instead of queueing until its timeout).
    pub acquire_timeout_ms: u64,
    /// Longest a connection may stay checked out for one statement or transaction; the database
    /// stops the work past it (PostgreSQL `statement_timeout`; on SQLite an interrupt). Keep it
    /// at most `server.request_timeout_secs`, so a timed-out request leaves no work running.
    /// 0 disables it (the `migrate` and `seed` commands always run without it).
    pub statement_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// ISO 3166 region used to read phone numbers written in national form.
    pub default_region: String,
}

/// The auto-merge policy of `resolveContact`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MergeConfig {
    /// Merge the contacts of an identity conflict at once (into the oldest) when they share no
    /// conflicting field values, instead of keeping the conflict open for review.
    pub auto_merge: bool,
}

/// How callers prove who they are (see `auth`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a checked API key is trusted before the database is asked again. Revoking a key
    /// through a server takes effect there at once; other server processes stop accepting it
    /// within this time. 0 checks every request.
    pub key_cache_secs: u64,
    /// Create an admin key and print it once when the server creates a new database. Unset
    /// means: only for the default embedded SQLite file.
    pub bootstrap_admin_key: Option<bool>,
    /// JWT bearer tokens from an external identity provider (off unless configured).
    pub jwt: JwtConfig,
}

/// Bearer tokens from an external identity provider. Off unless `hs256_secret` or
/// `jwks_file` is set; then `issuer` and `audience` are required too.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtConfig {
    /// Required value of the `iss` claim.
    pub issuer: Option<String>,
    /// Required value (or member) of the `aud` claim.
    pub audience: Option<String>,
    /// Shared HS256 secret, at least 32 bytes. Never serialized: the defaults fed to
    /// figment have none, and a dumped config must not leak it.
    #[serde(skip_serializing)]
    pub hs256_secret: Option<SecretString>,
    /// JWKS file with the provider's RS256 / ES256 public keys, read once at start.
    pub jwks_file: Option<std::path::PathBuf>,
    /// Claim holding the role name (`admin`, `manager`, `agent`, `reader`, `partner`).
    pub role_claim: String,
    /// Claim naming the partner account of a `partner` token (its global id or UUID).
    pub partner_claim: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway_secs: u64,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            audience: None,
            hs256_secret: None,
            jwks_file: None,
            role_claim: "role".to_owned(),
            partner_claim: "partner_account".to_owned(),
            leeway_secs: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoaderConfig {
    /// Keys per batched statement. The default keeps one nesting level one statement while
    /// staying under SQLite's (32,766) and PostgreSQL's (65,535) bind-parameter limits.
    pub max_batch_size: usize,
    /// Longest a loader waits for the request to go idle before it runs its statement anyway.
    /// Normally a batch starts as soon as every resolver is waiting (see `loaders::settle`), so
    /// this only matters for a request that computes without pause for that long; it is large
    /// so that such a request still gathers a whole nesting level into one statement.
    pub max_wait_micros: u64,
}

/// How query operations are answered (see `graphql::plan`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadsConfig {
    /// Answer plain-data queries (columns, relations, connections, `totalCount`) from a plan
    /// executed level by level and written straight to JSON, instead of through the resolvers.
    /// Queries the planner does not cover take the resolvers either way; turning this off is for
    /// comparing the two paths, not for correctness.
    pub compiled: bool,
    /// Parsed documents remembered by their text, so a document sent again is not parsed again,
    /// nor validated again when its variables cannot change the outcome (`http::validated`). At
    /// most this many, and at most this many KiB of query text between them; 0 turns the cache
    /// off (every request is parsed and validated).
    pub document_cache_entries: usize,
}

impl Default for ReadsConfig {
    fn default() -> Self {
        Self {
            compiled: true,
            document_cache_entries: 1000,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Page size when a list is asked for without `first` or `last`.
    pub default_page_size: u64,
    /// Largest `first` / `last` accepted.
    pub max_page_size: u64,
    /// Deepest selection accepted.
    pub max_depth: usize,
    /// Largest query complexity accepted (one point per field, lists multiply by page size).
    pub max_complexity: usize,
    /// Most ids accepted by `nodes(ids:)`.
    pub max_node_ids: usize,
    /// Most aliased fields in one operation (`__typename` aliases included), counting a
    /// fragment once for every place it is spread.
    pub max_aliases: usize,
    /// Most fields selected at the root of one operation.
    pub max_root_fields: usize,
    /// Longest query text accepted, in bytes.
    pub max_query_length: usize,
    /// Most fragment definitions in one document.
    pub max_fragments: usize,
    /// Most directives (`@include`, `@skip`, ...) in one document.
    pub max_directives: usize,
}

/// Cross-origin requests from browsers (CORS). Off unless origins are listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins whose pages may call the API, e.g. `["https://app.example.com"]`; `["*"]`
    /// allows any origin (then credentials stay off whatever `allow_credentials` says).
    pub allowed_origins: Vec<String>,
    /// Let browsers send cookies and TLS client certificates (the API itself only reads the
    /// `Authorization` header, which CORS allows without this).
    pub allow_credentials: bool,
    /// How long a browser may cache a preflight answer.
    pub max_age_secs: u64,
}

/// Several operations in one request, as a JSON array.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchingConfig {
    /// Accept batches at all; otherwise an array body is refused with HTTP 400.
    pub enabled: bool,
    /// Most operations in one batch.
    pub max_operations: usize,
}

/// A token bucket per API key (or JWT subject): `per_second` tokens come back every second,
/// up to `burst`; every operation takes one. An empty bucket answers HTTP 429 with
/// `Retry-After` and `RATE_LIMITED`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    pub enabled: bool,
    pub per_second: u32,
    pub burst: u32,
}

/// Documents sent by hash instead of text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersistedQueriesConfig {
    /// Apollo automatic persisted queries: a client sends the SHA-256 of a document, and the
    /// document itself only once, when the server answers `PERSISTED_QUERY_NOT_FOUND`.
    pub automatic: bool,
    /// Documents remembered for automatic persisted queries (least recently used go first).
    pub cache_size: usize,
    /// An allow-list: a JSON file of registered documents (an Apollo persisted query manifest,
    /// or an object mapping SHA-256 hashes to documents). When set, callers with one of
    /// `allow_list_roles` may run only these documents, by hash or by identical text.
    pub allow_list_file: Option<std::path::PathBuf>,
    /// Roles held to the allow-list (`admin`, `manager`, `agent`, `reader`, `partner`).
    pub allow_list_roles: Vec<String>,
}

/// The Prometheus endpoint `/metrics`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    pub enabled: bool,
}

/// Log output; the level follows `RUST_LOG` (default `info`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            address: SocketAddr::from(([127, 0, 0, 1], 8000)),
            request_timeout_secs: 30,
            max_body_bytes: 256 * 1024,
            shutdown_drain_secs: 10,
            compression: true,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: SecretString::from(DEFAULT_DATABASE_URL),
            max_connections: 16,
            migrate_on_start: true,
            seed_demo: None,
            sqlite_busy_timeout_ms: 5_000,
            log_statements: false,
            acquire_timeout_ms: 2_000,
            statement_timeout_secs: 30,
        }
    }
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            default_region: "US".to_owned(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            key_cache_secs: 10,
            bootstrap_admin_key: None,
            jwt: JwtConfig::default(),
        }
    }
}

impl Default for LoaderConfig {
    fn default() -> Self {
        Self {
            max_batch_size: 10_000,
            max_wait_micros: 1_000_000,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            default_page_size: 20,
            max_page_size: 100,
            max_depth: 16,
            max_complexity: 250_000,
            max_node_ids: 100,
            max_aliases: 200,
            max_root_fields: 200,
            max_query_length: 32 * 1024,
            max_fragments: 100,
            max_directives: 100,
        }
    }
}

impl Default for CorsConfig {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            allow_credentials: false,
            max_age_secs: 600,
        }
    }
}

impl Default for BatchingConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            max_operations: 10,
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            per_second: 50,
            burst: 100,
        }
    }
}

impl Default for PersistedQueriesConfig {
    fn default() -> Self {
        Self {
            automatic: true,
            cache_size: 1_000,
            allow_list_file: None,
            allow_list_roles: crate::auth::Role::ALL
                .iter()
                .map(|role| role.name().to_owned())
                .collect(),
        }
    }
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { enabled: true }
    }
}

impl Config {
    /// Loads the layered configuration; `file` replaces the default `contacts-graph.toml`,
    /// which may be absent (an explicitly named file must exist).
    pub fn load(file: Option<&Path>) -> AppResult<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(AppError::bad_input(format!(
                    "configuration file {} does not exist",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            // Only the working directory: figment's `Toml::file` would also search its parents.
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE));
            }
            None => {}
        }
        let config: Config = figment
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            )
            .merge(Env::prefixed(ENV_PREFIX).split("__"))
            .extract()
            .map_err(|err| AppError::bad_input(format!("invalid configuration: {err}")))?;
        config.validate()?;
        Ok(config)
    }

    /// Whether a new database gets an admin key printed at first start (see
    /// `auth.bootstrap_admin_key`).
    pub fn should_bootstrap_admin_key(&self) -> bool {
        self.auth
            .bootstrap_admin_key
            .unwrap_or_else(|| self.database.is_default_embedded())
    }

    /// Checks what serde cannot: ranges and cross-field rules.
    pub fn validate(&self) -> AppResult<()> {
        self.identity.region()?;
        let limits = &self.limits;
        if limits.max_page_size == 0 || limits.default_page_size == 0 {
            return Err(AppError::bad_input("limits: page sizes must be at least 1"));
        }
        if limits.default_page_size > limits.max_page_size {
            return Err(AppError::bad_input(
                "limits.default_page_size must not exceed limits.max_page_size",
            ));
        }
        if self.loaders.max_batch_size == 0 {
            return Err(AppError::bad_input(
                "loaders.max_batch_size must be at least 1",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(AppError::bad_input(
                "database.max_connections must be at least 1",
            ));
        }
        if self.server.request_timeout_secs == 0 {
            return Err(AppError::bad_input(
                "server.request_timeout_secs must be at least 1",
            ));
        }
        if self.batching.max_operations == 0 {
            return Err(AppError::bad_input(
                "batching.max_operations must be at least 1",
            ));
        }
        if self.rate_limit.enabled
            && (self.rate_limit.per_second == 0 || self.rate_limit.burst == 0)
        {
            return Err(AppError::bad_input(
                "rate_limit.per_second and rate_limit.burst must be at least 1 (or set rate_limit.enabled = false)",
            ));
        }
        if self.persisted_queries.cache_size == 0 {
            return Err(AppError::bad_input(
                "persisted_queries.cache_size must be at least 1",
            ));
        }
        for role in &self.persisted_queries.allow_list_roles {
            if crate::auth::Role::parse(role).is_none() {
                return Err(AppError::bad_input(format!(
                    "persisted_queries.allow_list_roles: unknown role `{role}`"
                )));
            }
        }
        for origin in &self.cors.allowed_origins {
            if origin != "*" && !is_origin(origin) {
                return Err(AppError::bad_input(format!(
                    "cors.allowed_origins: `{origin}` is not an origin (scheme://host[:port], no path)"
                )));
            }
        }
        Ok(())
    }
}

impl DatabaseConfig {
    pub fn url(&self) -> &str {
        self.url.expose_secret()
    }

    /// Demo data goes only into the zero-setup embedded database unless asked for explicitly:
    /// test and production databases start empty.
    pub fn should_seed_demo(&self) -> bool {
        self.seed_demo.unwrap_or(self.is_default_embedded())
    }

    /// Whether the first start of a new database prints an admin key: by default only for the
    /// zero-setup embedded database, where nobody could create one otherwise before the first
    /// request.
    pub fn is_default_embedded(&self) -> bool {
        self.url() == DEFAULT_DATABASE_URL
    }

    pub fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.sqlite_busy_timeout_ms)
    }

    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.acquire_timeout_ms)
    }

    /// `None` when disabled.
    pub fn statement_timeout(&self) -> Option<Duration> {
        (self.statement_timeout_secs > 0).then(|| Duration::from_secs(self.statement_timeout_secs))
    }
}

impl ServerConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn shutdown_drain(&self) -> Duration {
        Duration::from_secs(self.shutdown_drain_secs)
    }
}

/// `scheme://host[:port]` as browsers send it in `Origin`: no path, query or trailing slash.
fn is_origin(text: &str) -> bool {
    match url::Url::parse(text) {
        Ok(url) => {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some()
                && url.path() == "/"
                && !text.ends_with('/')
                && url.query().is_none()
                && url.username().is_empty()
        }
        Err(_) => false,
    }
}

impl IdentityConfig {
    pub fn region(&self) -> AppResult<country::Id> {
        identity::parse_region(&self.default_region)
    }
}

impl LoaderConfig {
    pub fn max_wait(&self) -> Duration {
        Duration::from_micros(self.max_wait_micros)
    }
}

/// Only feeds the defaults into figment; `Debug` and logs keep the secret redacted.
fn serialize_exposed<S: serde::Serializer>(
    secret: &SecretString,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::result_large_err)]
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_need_no_file_and_no_environment() {
        Jail::expect_with(|_| {
            let config = Config::load(None).unwrap();
            assert_eq!(config.database.url(), DEFAULT_DATABASE_URL);
            assert!(config.database.should_seed_demo());
            assert_eq!(config.server.address.to_string(), "127.0.0.1:8000");
            Ok(())
        });
    }

    #[test]
    fn file_then_database_url_then_prefixed_variables() {
        Jail::expect_with(|jail| {
            jail.create_file(
                DEFAULT_CONFIG_FILE,
                "[server]\naddress = \"0.0.0.0:9000\"\n[limits]\nmax_page_size = 50\n",
            )?;
            jail.set_env("DATABASE_URL", "postgres://db.example/contacts");
            jail.set_env("CONTACTS_GRAPH__LIMITS__MAX_PAGE_SIZE", "70");
            let config = Config::load(None).unwrap();
            assert_eq!(config.server.address.port(), 9000);
            assert_eq!(config.limits.max_page_size, 70);
            assert_eq!(config.database.url(), "postgres://db.example/contacts");
            assert!(
                !config.database.should_seed_demo(),
                "no demo data outside the default"
            );
            Ok(())
        });
    }

    #[test]
    fn nonsense_is_refused_at_start() {
        Jail::expect_with(|jail| {
            jail.set_env("CONTACTS_GRAPH__IDENTITY__DEFAULT_REGION", "Atlantis");
            assert_eq!(Config::load(None).unwrap_err().code(), "BAD_USER_INPUT");
            jail.set_env("CONTACTS_GRAPH__IDENTITY__DEFAULT_REGION", "DE");
            jail.set_env("CONTACTS_GRAPH__SERVER__PORTT", "1");
            assert!(Config::load(None).is_err(), "unknown keys are refused");
            Ok(())
        });
    }

    #[test]
    fn a_named_file_must_exist() {
        Jail::expect_with(|_| {
            assert!(Config::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn production_sections_are_checked_at_start() {
        Jail::expect_with(|jail| {
            let config = Config::load(None).unwrap();
            assert!(
                config.cors.allowed_origins.is_empty(),
                "CORS is off by default"
            );
            assert!(!config.batching.enabled);
            assert!(config.rate_limit.enabled);
            assert_eq!(config.log.format, LogFormat::Text);

            jail.set_env(
                "CONTACTS_GRAPH__CORS__ALLOWED_ORIGINS",
                "[\"https://app.example.com\", \"http://127.0.0.1:5173\"]",
            );
            jail.set_env("CONTACTS_GRAPH__LOG__FORMAT", "json");
            let config = Config::load(None).unwrap();
            assert_eq!(config.cors.allowed_origins.len(), 2);
            assert_eq!(config.log.format, LogFormat::Json);

            for bad in [
                "https://app.example.com/",
                "app.example.com",
                "https://a.example/x",
            ] {
                jail.set_env(
                    "CONTACTS_GRAPH__CORS__ALLOWED_ORIGINS",
                    format!("[\"{bad}\"]"),
                );
                assert!(Config::load(None).is_err(), "{bad} is not an origin");
            }
            jail.set_env("CONTACTS_GRAPH__CORS__ALLOWED_ORIGINS", "[\"*\"]");
            jail.set_env(
                "CONTACTS_GRAPH__PERSISTED_QUERIES__ALLOW_LIST_ROLES",
                "[\"root\"]",
            );
            assert!(Config::load(None).is_err(), "unknown role");
            jail.set_env(
                "CONTACTS_GRAPH__PERSISTED_QUERIES__ALLOW_LIST_ROLES",
                "[\"partner\"]",
            );
            jail.set_env("CONTACTS_GRAPH__RATE_LIMIT__PER_SECOND", "0");
            assert!(
                Config::load(None).is_err(),
                "an empty bucket that never refills"
            );
            jail.set_env("CONTACTS_GRAPH__RATE_LIMIT__ENABLED", "false");
            assert!(Config::load(None).is_ok());
            Ok(())
        });
    }
}
