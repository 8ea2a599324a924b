//! HTTP: routes, middleware, and the GraphQL endpoint.

mod errors;
pub mod graphiql;

use std::sync::Arc;
use std::time::Duration;

use async_graphql_axum::{GraphQLRequest, GraphQLResponse, rejection::GraphQLRejection};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{AuthFailure, Authenticator, Principal};
use crate::config::Config;
use crate::error::{AppError, AppResult, code};
use crate::graphql::{self, AppSchema};
use crate::loaders::{Activity, Loaders, Tracked};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler shares.
#[derive(Clone)]
struct AppState {
    schema: AppSchema,
    db: DatabaseConnection,
    config: Arc<Config>,
    authenticator: Arc<Authenticator>,
}

/// The whole HTTP application; `main` serves it and tests drive it directly. Fails only on a
/// configuration that cannot work (an unreadable JWKS file, say).
pub fn router(config: Config, db: DatabaseConnection) -> AppResult<Router> {
    let schema = graphql::build_schema(&config);
    let timeout = Duration::from_secs(config.server.request_timeout_secs);
    let body_limit = config.server.max_body_bytes;
    let authenticator = Arc::new(Authenticator::new(db.clone(), &config.auth)?);
    let state = AppState {
        schema,
        db,
        config: Arc::new(config),
        authenticator,
    };
    Ok(Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/", get(graphiql::page))
        .route("/health", get(health))
        .merge(graphiql::router())
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid)))
}

/// Browsers asking for HTML get GraphiQL; everything else is a GraphQL query over GET.
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return graphiql::page().await.into_response();
    }
    let principal = match authenticate(&state, &headers).await {
        Ok(principal) => principal,
        Err(response) => return response,
    };
    if let Ok(request) = &request
        && is_mutation(&request.0)
    {
        // GET must be safe: caches and prefetchers repeat it (GraphQL over HTTP, 405).
        let body = serde_json::json!({ "errors": [{
            "message": "mutations must be sent with POST",
            "extensions": { "code": code::BAD_USER_INPUT },
        }] });
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            Json(body),
        )
            .into_response();
    }
    execute(state, headers, principal, request).await
}

/// The caller, or the response that refuses the request. Runs before the body is looked at:
/// without a valid key, nothing about the request is answered.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    state
        .authenticator
        .authenticate(authorization)
        .await
        .map_err(|err| unauthenticated(err, request_id(headers)))
}

fn request_id(headers: &HeaderMap) -> &str {
    headers
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

/// Whether the operation a request would run is a mutation.
fn is_mutation(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(_), None) => None,
    };
    operation.is_some_and(|operation| operation.node.ty == OperationType::Mutation)
}

async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    match authenticate(&state, &headers).await {
        Ok(principal) => execute(state, headers, principal, request).await,
        Err(response) => response,
    }
}

async fn execute(
    state: AppState,
    headers: HeaderMap,
    principal: Principal,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let request_id = request_id(&headers).to_owned();
    let request = match request {
        Ok(request) => request.into_inner(),
        Err(rejection) => return reject(rejection),
    };
    let activity = Activity::new();
    let loaders = Loaders::new(
        state.db.clone(),
        &principal,
        &state.config.loaders,
        Arc::clone(&activity),
    );
    let query = request.query.clone();
    let request = request
        .data(principal)
        .data(loaders)
        .data(Arc::clone(&state.authenticator));
    let execution = state.schema.execute(request);
    let mut response = Tracked::new(execution, activity).await;
    let status = errors::finish(&mut response, &query, &request_id);
    (status, GraphQLResponse::from(response)).into_response()
}

/// HTTP 401 with one `UNAUTHENTICATED` error, the same for every reason a credential fails;
/// a database failure while checking the key is a 500 with `INTERNAL`, logged once.
fn unauthenticated(err: AppError, request_id: &str) -> Response {
    if let Some(source) = err.internal_source() {
        tracing::error!(request_id, cause = %source, "internal error while authenticating");
        let body = serde_json::json!({ "errors": [{
            "message": "internal error",
            "extensions": { "code": code::INTERNAL, "requestId": request_id },
        }] });
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
    }
    let body = serde_json::json!({ "errors": [{
        "message": AuthFailure::MESSAGE,
        "extensions": { "code": code::UNAUTHENTICATED },
    }] });
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer realm=\"contacts-graph\"")],
        Json(body),
    )
        .into_response()
}

/// A body that is not a GraphQL request at all (bad JSON, wrong content type, too large).
fn reject(rejection: GraphQLRejection) -> Response {
    use async_graphql::ParseRequestError;
    let (status, message) = match rejection.0 {
        ParseRequestError::PayloadTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body is too large".to_owned(),
        ),
        other => (
            StatusCode::BAD_REQUEST,
            format!("malformed GraphQL request: {other}"),
        ),
    };
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code::BAD_USER_INPUT } }]
    });
    (status, Json(body)).into_response()
}

/// Liveness and database reachability, for load balancers and orchestrators.
async fn health(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}
