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

use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{ServerError, Value, Variables};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::{AuthFailure, Principal};
use crate::db::{self, StatementCount};
use crate::error::{AppError, code};
use crate::http::analysis::Report;
use crate::http::errors;
use crate::http::metrics::{self, Finished};
use crate::http::over_http::{self, Answer, Body as Payload, MediaType, RawOperation};
use crate::http::{AppState, REQUEST_ID, graphiql};
use crate::loaders::{Activity, Loaders, Tracked};

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return graphiql::page().await.into_response();
    }
    serve(state, request).await
}

pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    serve(state, request).await
}

/// What the log line and the metrics say about one request.
struct Outcome {
    outcome: &'static str,
    operations: Vec<Option<String>>,
    parsed: bool,
    error_codes: Vec<String>,
}

impl Outcome {
    fn refused(outcome: &'static str, error: &AppError) -> Self {
        Self {
            outcome,
            operations: vec![None],
            parsed: false,
            error_codes: vec![error.code().to_owned()],
        }
    }
}

async fn serve(state: AppState, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let request_id = request_id(&parts.headers).to_owned();
    let count = StatementCount::new();
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
        ),
    );
    let (mut response, outcome, actor) = match tokio::time::timeout(limit, work).await {
        Ok(done) => done,
        Err(_) => {
            let error = AppError::request_timeout(limit);
            let media = over_http::negotiate(&parts.headers).unwrap_or(MediaType::Json);
            (
                refusal(StatusCode::GATEWAY_TIMEOUT, media, &error),
                Outcome::refused("timeout", &error),
                None,
            )
        }
    };
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

/// The request, after the timeout and statement count are in place. Returns the response, what
/// to record, and the caller's name once known.
async fn handle(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    request_id: &str,
) -> (Response, Outcome, Option<String>) {
    let principal = match authenticate(state, headers, request_id).await {
        Ok(principal) => principal,
        Err((response, error)) => {
            let outcome = if matches!(error, AppError::Unavailable(_)) {
                "unavailable"
            } else {
                "unauthenticated"
            };
            return (response, Outcome::refused(outcome, &error), None);
        }
    };
    let actor = Some(principal.actor.clone());
    let Ok(media) = over_http::negotiate(headers) else {
        let error = AppError::bad_input(
            "the `Accept` header allows neither application/graphql-response+json nor \
             application/json",
        );
        return (
            refusal(StatusCode::NOT_ACCEPTABLE, MediaType::Json, &error),
            Outcome::refused("malformed", &error),
            actor,
        );
    };
    let payload = match read(state, method, headers, query, body).await {
        Ok(payload) => payload,
        Err((status, error)) => {
            return (
                refusal(status, media, &error),
                Outcome::refused("malformed", &error),
                actor,
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
            actor,
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
        return (response, Outcome::refused("rate_limited", &error), actor);
    }
    let mut results = Vec::with_capacity(operations.len());
    for operation in operations {
        results.push(run(state, method, &principal, media, operation, request_id).await);
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
    };
    let response = if batch {
        let answers: Vec<Answer<'_>> = results.iter().map(OperationResult::answer).collect();
        over_http::respond(
            StatusCode::OK,
            media,
            serde_json::to_vec(&answers).unwrap_or_default(),
        )
    } else {
        match results.first() {
            Some(result) => result.to_response(media),
            None => refusal(
                StatusCode::BAD_REQUEST,
                media,
                &AppError::bad_input("no operation"),
            ),
        }
    };
    (response, outcome, actor)
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

/// One operation's answer and what to record about it.
struct OperationResult {
    response: async_graphql::Response,
    executed: bool,
    status: StatusCode,
    outcome: &'static str,
    operation: Option<String>,
    parsed: bool,
    allow: Option<&'static str>,
}

impl OperationResult {
    fn answer(&self) -> Answer<'_> {
        Answer {
            errors: &self.response.errors,
            data: self.executed.then_some(&self.response.data),
            extensions: &self.response.extensions,
        }
    }

    fn to_response(&self, media: MediaType) -> Response {
        let body = serde_json::to_vec(&self.answer()).unwrap_or_default();
        let mut response = over_http::respond(self.status, media, body);
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }

    /// An operation refused before execution.
    fn refused(
        error: &AppError,
        media: MediaType,
        operation: Option<String>,
        parsed: bool,
    ) -> Self {
        let status = request_error_status(error, media);
        Self::request_error(error.to_server_error(), status, operation, parsed)
    }

    fn request_error(
        error: ServerError,
        status: StatusCode,
        operation: Option<String>,
        parsed: bool,
    ) -> Self {
        Self {
            response: async_graphql::Response::from_errors(vec![error]),
            executed: false,
            status,
            outcome: "refused",
            operation,
            parsed,
            allow: None,
        }
    }
}

/// The status of a GraphQL request error (a document that does not parse or validate).
fn graphql_error_status(media: MediaType) -> StatusCode {
    match media {
        MediaType::GraphQLResponse => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    }
}

/// The status of an operation refused before it ran. Request errors follow the media type
/// (GraphQL over HTTP: 4xx under `application/graphql-response+json`, 200 under
/// `application/json`); a malformed request is 400 under both.
fn request_error_status(error: &AppError, media: MediaType) -> StatusCode {
    match error {
        AppError::BadInput(_) => StatusCode::BAD_REQUEST,
        AppError::NotInAllowList(_) if media == MediaType::GraphQLResponse => StatusCode::FORBIDDEN,
        _ => graphql_error_status(media),
    }
}

async fn run(
    state: &AppState,
    method: &Method,
    principal: &Principal,
    media: MediaType,
    operation: RawOperation,
    request_id: &str,
) -> OperationResult {
    let RawOperation {
        query,
        operation_name,
        variables,
        extensions,
    } = operation;
    if let Some(text) = &query
        && let Err(error) = state.limits.check_length(text)
    {
        return OperationResult::refused(&error, media, None, false);
    }
    let resolved = match state.persisted.resolve(principal, query, &extensions) {
        Ok(resolved) => resolved,
        Err(error) => return OperationResult::refused(&error, media, None, false),
    };
    let document = match async_graphql::parser::parse_query(&*resolved.text) {
        Ok(document) => document,
        Err(err) => {
            let mut error = ServerError::from(err);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code::GRAPHQL_PARSE_FAILED);
            return OperationResult::request_error(error, graphql_error_status(media), None, false);
        }
    };
    let selected = select(&document, operation_name.as_deref());
    let kind = selected.as_ref().map(|(_, kind)| *kind);
    let name = selected
        .and_then(|(name, _)| name)
        .or(operation_name.clone());
    if let Err(error) = state.limits.check(&document) {
        return OperationResult::refused(&error, media, name, true);
    }
    if method == Method::GET && kind == Some(OperationType::Mutation) {
        // GET must be safe: caches and prefetchers repeat it (GraphQL over HTTP, 405).
        let error = AppError::bad_input("mutations must be sent with POST");
        let mut result = OperationResult::refused(&error, media, name, true);
        result.status = StatusCode::METHOD_NOT_ALLOWED;
        result.allow = Some("POST");
        return result;
    }
    if let Some(hash) = resolved.register {
        state.persisted.register(hash, Arc::clone(&resolved.text));
    }
    let report = Report::new();
    let activity = Activity::new();
    let loaders = Loaders::new(
        state.db.clone(),
        principal,
        &state.config.loaders,
        Arc::clone(&activity),
    );
    let mut request = async_graphql::Request::new(resolved.text.to_string())
        .variables(Variables::from_json(serde_json::Value::Object(variables)))
        .data(principal.clone())
        .data(loaders)
        .data(Arc::clone(&state.authenticator))
        .data(Arc::clone(&report));
    if let Some(operation_name) = operation_name {
        request = request.operation_name(operation_name);
    }
    for (key, value) in extensions {
        request
            .extensions
            .insert(key, Value::from_json(value).unwrap_or(Value::Null));
    }
    request.set_parsed_query(document);
    let execution = state.schema.execute(request);
    let mut response = Tracked::new(execution, activity).await;
    let executed = report.executed();
    errors::finish(&mut response, executed, request_id);
    if let Some(cost) = report.cost(state.config.limits.max_complexity) {
        response.extensions.insert("cost".to_owned(), cost);
    }
    let codes: Vec<&str> = response.errors.iter().filter_map(error_code_str).collect();
    // A query that could not get a connection (or ran out of time in the database) is retried
    // whole: it answers 503 / 504 without its partial data, which GraphQL over HTTP allows only
    // without a `data` entry. A mutation keeps its data: what it wrote must be reported.
    let keeps_data = kind == Some(OperationType::Mutation) && response.data != Value::Null;
    let (status, outcome, executed) = if !executed {
        (graphql_error_status(media), "refused", false)
    } else if codes.is_empty() {
        (StatusCode::OK, "ok", true)
    } else if !keeps_data && codes.contains(&code::SERVICE_UNAVAILABLE) {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable", false)
    } else if !keeps_data && codes.contains(&code::REQUEST_TIMEOUT) {
        (StatusCode::GATEWAY_TIMEOUT, "timeout", false)
    } else {
        (StatusCode::OK, "field_errors", true)
    };
    OperationResult {
        response,
        executed,
        status,
        outcome,
        operation: name,
        parsed: true,
        allow: None,
    }
}

/// The operation a request selects: its name (if any) and type. `None` when the document does
/// not say which (validation reports it).
fn select(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<String>, OperationType)> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some((None, operation.node.ty)),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .get(name)
            .map(|operation| (Some(name.to_owned()), operation.node.ty)),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .iter()
            .next()
            .map(|(name, operation)| (Some(name.to_string()), operation.node.ty)),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

fn error_code_str(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

fn error_code(error: &ServerError) -> Option<String> {
    error_code_str(error).map(str::to_owned)
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
