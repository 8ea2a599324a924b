//! HTTP: routes, middleware, and the GraphQL endpoint.

pub mod analysis;
pub mod cors;
mod documents;
mod endpoint;
mod errors;
pub mod graphiql;
pub mod health;
pub mod limits;
pub mod metrics;
mod operation;
pub mod over_http;
pub mod persisted;
pub mod rate_limit;
pub mod server;
pub mod validated;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, State};
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use tower::ServiceBuilder;
use tower_http::compression::{CompressionBody, CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::auth::Authenticator;
use crate::config::Config;
use crate::error::AppResult;
use crate::graphql::{self, AppSchema};
use analysis::Analysis;
use documents::DocumentCache;
use limits::DocumentLimits;
use persisted::PersistedQueries;
use rate_limit::RateLimit;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// gzip level and Brotli quality of compressed responses: 4 of 9 and 4 of 11. Brotli's default
/// (11) costs seconds per megabyte, far too much for answers computed per request; see the
/// README's compression figures for what 4 buys.
const COMPRESSION_LEVEL: i32 = 4;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    schema: AppSchema,
    db: DatabaseConnection,
    config: Arc<Config>,
    authenticator: Arc<Authenticator>,
    rate_limit: Option<Arc<RateLimit>>,
    persisted: Arc<PersistedQueries>,
    documents: Arc<DocumentCache>,
    /// The schema's enums, for checking variables against a remembered validation.
    enums: Arc<validated::EnumValues>,
    limits: DocumentLimits,
    metrics: Option<PrometheusHandle>,
}

impl FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

/// The whole HTTP application; `main` serves it and tests drive it directly. Fails only on a
/// configuration that cannot work (an unreadable JWKS file or allow-list, say).
pub fn router(config: Config, db: DatabaseConnection) -> AppResult<Router> {
    let schema = graphql::build_schema(
        &config,
        Analysis::new(&config.limits),
        validated::RememberedValidation,
    );
    let enums = Arc::new(validated::EnumValues::from_sdl(&schema.sdl()));
    let authenticator = Arc::new(Authenticator::new(db.clone(), &config.auth)?);
    let metrics = if config.metrics.enabled {
        metrics::install()
    } else {
        None
    };
    let state = AppState {
        schema,
        db,
        authenticator,
        rate_limit: RateLimit::new(&config.rate_limit).map(Arc::new),
        persisted: Arc::new(PersistedQueries::new(&config.persisted_queries)?),
        documents: Arc::new(DocumentCache::new(config.reads.document_cache_entries)),
        enums,
        limits: DocumentLimits::new(&config.limits),
        metrics,
        config: Arc::new(config),
    };
    let config = Arc::clone(&state.config);
    let mut router = Router::new()
        .route("/graphql", get(endpoint::get).post(endpoint::post))
        .route("/", get(graphiql::page))
        .route("/health", get(health::health))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    if state.metrics.is_some() {
        router = router.route("/metrics", get(prometheus));
    }
    let router = router.merge(graphiql::router()).with_state(state);
    // One stack, applied once: every `Router::layer` call boxes each request's future again
    // (axum's `Route`), which cost more than the layers' own work on a point lookup.
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .option_layer(cors::layer(&config.cors));
    Ok(if config.server.compression {
        router.layer(
            stack
                // A compressing body holds its encoders' state inline (about 6 KB for Brotli,
                // even when the answer goes out uncompressed), and every layer above moved the
                // response, so the body is boxed where it is made: one copy instead of ten.
                .map_response(|response: Response<CompressionBody<Body>>| response.map(Body::new))
                .layer(
                    CompressionLayer::new()
                        .gzip(true)
                        .br(true)
                        .quality(CompressionLevel::Precise(COMPRESSION_LEVEL)),
                ),
        )
    } else {
        router.layer(stack)
    })
}

async fn prometheus(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(handle) => metrics::render(handle, &state.db, state.config.database.max_connections),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
