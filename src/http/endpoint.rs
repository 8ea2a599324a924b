//! `/graphql`: from an HTTP request to a GraphQL answer.
//!
//! The order of checks, each answered with its own status and code:
//!
//! 1. `GET` from a browser (`Accept: text/html`): GraphiQL. CORS preflights never get here
//!    (the CORS layer answers them).
//! 2. The bearer token: 401 `UNAUTHENTICATED`, before anything about the request is looked at.
//! 3. `Accept`: 406 when it allows neither JSON media type.
//! 4. `POST` content type (415, never runs a `text/plain`, form or multipart body: CSRF), the
//!    body's size (413) and shape (400 `BAD_USER_INPUT`); batches only when enabled (400).
//! 5. The caller's rate limit, one token per operation: 429 `RATE_LIMITED` with `Retry-After`.
//! 6. Per operation: persisted query lookup, query length, parsing, document limits, `GET`
//!    mutations (405), validation with depth and complexity, execution.
//!
//! From step 2 on, the request runs under `server.request_timeout_secs`: past it, the work is
//! dropped (loader batches are aborted, the database stops their statements, see `db`) and the
//! answer is 504 `REQUEST_TIMEOUT`.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use async_graphql::ServerError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::{AuthFailure, Principal};
use crate::db::{self, StatementCount};
use crate::error::{AppError, code};
use crate::http::metrics::{self, Finished};
use crate::http::operation::{self, error_code};
use crate::http::over_http::{self, Body as Payload, MediaType};
use crate::http::{AppState, REQUEST_ID, graphiql};

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return graphiql::page().await.into_response();
    }
    Box::pin(serve(state, request)).await
}

/// The request's work is boxed here, once: axum and every layer above move the handler's
/// future into boxes of their own, and a future holds room for its largest state, all of a
/// request's execution, which would be copied at each move.
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    Box::pin(serve(state, request)).await
}

/// What the log line and the metrics say about one request.
struct Outcome {
    outcome: &'static str,
    operations: Vec<Option<String>>,
    parsed: bool,
    error_codes: Vec<String>,
    /// Which path answered each executed query (`compiled` or `resolvers`).
    read_paths: Vec<&'static str>,
}

impl Outcome {
    fn refused(outcome: &'static str, error: &AppError) -> Self {
        Self {
            outcome,
            operations: vec![None],
            parsed: false,
            error_codes: vec![error.code().to_owned()],
            read_paths: Vec::new(),
        }
    }
}

async fn serve(state: AppState, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let request_id = request_id(&parts.headers).to_owned();
    let count = StatementCount::new();
    // Known once authenticated; a request that times out is still logged with its caller.
    let caller = OnceLock::new();
    let limit = state.config.server.request_timeout();
    let work = db::counting(
        Arc::clone(&count),
        handle(
            &state,
            &parts.method,
            &parts.headers,
            parts.uri.query(),
            body,
            &request_id,
            &caller,
        ),
    );
    let (mut response, outcome) = match tokio::time::timeout(limit, work).await {
        Ok(done) => done,
        Err(_) => {
            let error = AppError::request_timeout(limit);
            let media = over_http::negotiate(&parts.headers).unwrap_or(MediaType::Json);
            (
                refusal(StatusCode::GATEWAY_TIMEOUT, media, &error),
                Outcome::refused("timeout", &error),
            )
        }
    };
    let actor = caller.get().cloned();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    finish(
        &state,
        started,
        &count,
        &request_id,
        actor,
        outcome,
        response.status(),
    );
    response
}

/// The request, after the timeout and statement count are in place. Returns the response and
/// what to record; `caller` gets the caller's name once it is known.
async fn handle(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    request_id: &str,
    caller: &OnceLock<String>,
) -> (Response, Outcome) {
    let principal = match authenticate(state, headers, request_id).await {
        Ok(principal) => principal,
        Err((response, error)) => {
            let outcome = if matches!(error, AppError::Unavailable(_)) {
                "unavailable"
            } else {
                "unauthenticated"
            };
            return (response, Outcome::refused(outcome, &error));
        }
    };
    let _ = caller.set(principal.actor.clone());
    let Ok(media) = over_http::negotiate(headers) else {
        let error = AppError::bad_input(
            "the `Accept` header allows neither application/graphql-response+json nor \
             application/json",
        );
        return (
            refusal(StatusCode::NOT_ACCEPTABLE, MediaType::Json, &error),
            Outcome::refused("malformed", &error),
        );
    };
    let payload = match read(state, method, headers, query, body).await {
        Ok(payload) => payload,
        Err((status, error)) => {
            return (
                refusal(status, media, &error),
                Outcome::refused("malformed", &error),
            );
        }
    };
    let (operations, batch) = match payload {
        Payload::Single(operation) => (vec![operation], false),
        Payload::Batch(operations) => (operations, true),
    };
    if let Err(error) = check_batch(state, batch, operations.len()) {
        return (
            refusal(StatusCode::BAD_REQUEST, media, &error),
            Outcome::refused("malformed", &error),
        );
    }
    if let Some(limit) = &state.rate_limit
        && let Err(error) = limit.check(&principal, operations.len())
    {
        let mut response = refusal(StatusCode::TOO_MANY_REQUESTS, media, &error);
        if let AppError::RateLimited { retry_after_secs } = error {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        return (response, Outcome::refused("rate_limited", &error));
    }
    let mut results = Vec::with_capacity(operations.len());
    for operation in operations {
        results.push(operation::run(state, method, &principal, media, operation, request_id).await);
    }
    let outcome = Outcome {
        outcome: if batch {
            "batch"
        } else {
            results.first().map_or("ok", |result| result.outcome)
        },
        operations: results
            .iter()
            .map(|result| result.operation.clone())
            .collect(),
        parsed: results.iter().any(|result| result.parsed),
        error_codes: results
            .iter()
            .flat_map(|result| result.response.errors.iter().filter_map(error_code))
            .collect(),
        read_paths: results
            .iter()
            .filter_map(|result| result.read_path.map(|path| path.as_str()))
            .collect(),
    };
    let response = if batch {
        let mut body = vec![b'['];
        for (index, result) in results.into_iter().enumerate() {
            if index > 0 {
                body.push(b',');
            }
            body.extend_from_slice(&result.into_body());
        }
        body.push(b']');
        over_http::respond(StatusCode::OK, media, body)
    } else {
        match results.into_iter().next() {
            Some(result) => result.into_response(media),
            None => refusal(
                StatusCode::BAD_REQUEST,
                media,
                &AppError::bad_input("no operation"),
            ),
        }
    };
    (response, outcome)
}

fn check_batch(state: &AppState, batch: bool, operations: usize) -> Result<(), AppError> {
    if !batch {
        return Ok(());
    }
    let config = &state.config.batching;
    if !config.enabled {
        return Err(AppError::bad_input(
            "batched requests (a JSON array of operations) are not enabled on this server",
        ));
    }
    if operations == 0 {
        return Err(AppError::bad_input("the batch holds no operation"));
    }
    if operations > config.max_operations {
        return Err(crate::http::limits::over(
            crate::http::limits::name::BATCH,
            config.max_operations,
            operations,
            "too many operations in one batch",
        ));
    }
    Ok(())
}

/// The operations a request carries: a POST's body, or a GET's query string.
async fn read(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
) -> Result<Payload, (StatusCode, AppError)> {
    if method == Method::GET {
        return over_http::parse_query_string(query)
            .map(Payload::Single)
            .map_err(|error| (StatusCode::BAD_REQUEST, error));
    }
    over_http::check_content_type(headers).map_err(|refusal| {
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::bad_input(refusal.message()),
        )
    })?;
    let limit = state.config.server.max_body_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            AppError::bad_input(format!("the request body is larger than {limit} bytes")),
        )
    })?;
    over_http::parse_body(&bytes).map_err(|error| (StatusCode::BAD_REQUEST, error))
}

fn request_id(headers: &HeaderMap) -> &str {
    headers
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

/// The caller, or the response that refuses the request. Runs before the body is looked at:
/// without a valid key, nothing about the request is answered.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    request_id: &str,
) -> Result<Principal, (Response, AppError)> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    state
        .authenticator
        .authenticate(authorization)
        .await
        .map_err(|err| (unauthenticated(&err, request_id), err))
}

/// HTTP 401 with one `UNAUTHENTICATED` error, the same for every reason a credential fails; an
/// exhausted pool while checking the key is a 503, any other failure a 500 with `INTERNAL`,
/// logged once.
fn unauthenticated(err: &AppError, request_id: &str) -> Response {
    if let AppError::Unavailable(_) = err {
        let mut response = refusal(StatusCode::SERVICE_UNAVAILABLE, MediaType::Json, err);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    if let Some(source) = err.internal_source() {
        tracing::error!(request_id, cause = %source, "internal error while authenticating");
        let mut error = ServerError::new("internal error", None);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", code::INTERNAL);
        extensions.set("requestId", request_id);
        return over_http::errors_only(
            StatusCode::INTERNAL_SERVER_ERROR,
            MediaType::Json,
            &[error],
        );
    }
    let mut response = refusal(
        StatusCode::UNAUTHORIZED,
        MediaType::Json,
        &AuthFailure::error(),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"contacts-graph\""),
    );
    response
}

/// A whole request refused with one error.
fn refusal(status: StatusCode, media: MediaType, error: &AppError) -> Response {
    over_http::errors_only(status, media, &[error.to_server_error()])
}

/// The request log line and the metrics.
fn finish(
    state: &AppState,
    started: Instant,
    count: &StatementCount,
    request_id: &str,
    actor: Option<String>,
    outcome: Outcome,
    status: StatusCode,
) {
    let duration = started.elapsed();
    let statements = count.get();
    let operations: Vec<&str> = outcome
        .operations
        .iter()
        .map(|name| name.as_deref().unwrap_or("-"))
        .collect();
    tracing::info!(
        request_id,
        key = actor.as_deref().unwrap_or("-"),
        operation = %operations.join(","),
        duration_ms = duration.as_secs_f64() * 1000.0,
        statements,
        outcome = outcome.outcome,
        status = status.as_u16(),
        read_path = %outcome.read_paths.join(","),
        "graphql request"
    );
    if state.metrics.is_some() {
        metrics::record(&Finished {
            operation: if outcome.outcome == "batch" {
                Some("batch")
            } else {
                outcome.operations.first().and_then(|name| name.as_deref())
            },
            parsed: outcome.parsed,
            outcome: outcome.outcome,
            duration,
            statements,
            error_codes: outcome.error_codes,
        });
    }
}
