//! One operation of a request: its document looked up (persisted queries), measured (limits),
//! parsed, validated and executed, and the status its answer gets.

use std::sync::Arc;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use async_graphql::{Positioned, ServerError, Value, Variables};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use crate::auth::Principal;
use crate::error::{AppError, code};
use crate::graphql::plan::{self, CompiledRead, ReadPath};
use crate::http::AppState;
use crate::http::analysis::{self, MissingVariable, Report};
use crate::http::errors;
use crate::http::over_http::{self, Answer, MediaType, RawOperation};
use crate::http::validated::{self, ValidationMemo};
use crate::loaders::{Activity, Loaders, Tracked};

/// One operation's answer and what to record about it.
pub struct OperationResult {
    pub response: async_graphql::Response,
    executed: bool,
    status: StatusCode,
    pub outcome: &'static str,
    pub operation: Option<String>,
    pub parsed: bool,
    allow: Option<&'static str>,
    /// The JSON of `data` when the compiled read path answered (`response.data` is unused then).
    compiled: Option<Vec<u8>>,
    /// The whole body, written by the endpoint's own run of a plan (`response` is empty then).
    written: Option<Vec<u8>>,
    /// Which path answered an executed query.
    pub read_path: Option<ReadPath>,
}

impl OperationResult {
    pub fn answer(&self) -> Answer<'_> {
        Answer {
            errors: &self.response.errors,
            data: self.executed.then_some(&self.response.data),
            extensions: &self.response.extensions,
        }
    }

    /// The operation's answer as JSON. A compiled answer has no errors; its `data` is spliced in
    /// as written, without going through a value tree.
    pub fn into_body(self) -> Vec<u8> {
        if let Some(body) = self.written {
            return body;
        }
        let Some(data) = &self.compiled else {
            return serde_json::to_vec(&self.answer()).unwrap_or_default();
        };
        let mut body = Vec::with_capacity(data.len() + 64);
        body.extend_from_slice(b"{\"data\":");
        body.extend_from_slice(data);
        if !self.response.extensions.is_empty() {
            body.extend_from_slice(b",\"extensions\":");
            let _ = serde_json::to_writer(&mut body, &self.response.extensions);
        }
        body.push(b'}');
        body
    }

    pub fn into_response(self, media: MediaType) -> Response {
        let (status, allow) = (self.status, self.allow);
        let mut response = over_http::respond(status, media, self.into_body());
        if let Some(allow) = allow {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }

    /// A query the compiled path answered without async-graphql: its document's validation
    /// was remembered (`http::validated`) and its plan built, so nothing is left for
    /// `Schema::execute` to do. `body` holds `{"data":` and the data; the extensions the
    /// execution hook would give (`cost`, `readPath`, in the order a response serializes them)
    /// are written after it.
    fn compiled(
        mut body: Vec<u8>,
        complexity: usize,
        state: &AppState,
        operation: Option<String>,
    ) -> Self {
        let mut number = itoa::Buffer::new();
        body.extend_from_slice(b",\"extensions\":{\"cost\":{\"requested\":");
        body.extend_from_slice(number.format(complexity).as_bytes());
        body.extend_from_slice(b",\"limit\":");
        body.extend_from_slice(number.format(state.config.limits.max_complexity).as_bytes());
        body.extend_from_slice(b"},\"readPath\":\"");
        body.extend_from_slice(ReadPath::Compiled.as_str().as_bytes());
        body.extend_from_slice(b"\"}}");
        Self {
            response: async_graphql::Response::new(Value::Null),
            executed: true,
            status: StatusCode::OK,
            outcome: "ok",
            operation,
            parsed: true,
            allow: None,
            compiled: None,
            written: Some(body),
            read_path: Some(ReadPath::Compiled),
        }
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
            compiled: None,
            written: None,
            read_path: None,
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

/// Runs one operation of a request: its document is looked up, measured and parsed before
/// anything executes.
pub async fn run(
    state: &AppState,
    method: &Method,
    principal: &Principal,
    media: MediaType,
    operation: RawOperation,
    request_id: &str,
) -> OperationResult {
    match prepare(state, method, principal, media, operation) {
        Ok(prepared) => execute(state, principal, media, prepared, request_id).await,
        Err(refused) => *refused,
    }
}

/// A document that passed every check before execution.
struct Prepared {
    text: Arc<str>,
    document: Arc<ExecutableDocument>,
    /// Where the document's validation is remembered (with the parsed document).
    validation: Option<Arc<validated::Slot>>,
    name: Option<String>,
    kind: Option<OperationType>,
    operation_name: Option<String>,
    variables: serde_json::Map<String, serde_json::Value>,
    extensions: serde_json::Map<String, serde_json::Value>,
}

/// Persisted query lookup, query length, parsing (once per text, see `http::documents`),
/// document limits and the GET rule. The limits are checked on every request, remembered
/// document or not: it is a walk over the document, far cheaper than parsing it.
fn prepare(
    state: &AppState,
    method: &Method,
    principal: &Principal,
    media: MediaType,
    operation: RawOperation,
) -> Result<Prepared, Box<OperationResult>> {
    let RawOperation {
        query,
        operation_name,
        variables,
        extensions,
    } = operation;
    if let Some(text) = &query {
        state
            .limits
            .check_length(text)
            .map_err(|error| Box::new(OperationResult::refused(&error, media, None, false)))?;
    }
    let resolved = state
        .persisted
        .resolve(principal, query, &extensions)
        .map_err(|error| Box::new(OperationResult::refused(&error, media, None, false)))?;
    let parsed = state.documents.parse(&resolved.text).map_err(|err| {
        let mut error = ServerError::from(err);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code::GRAPHQL_PARSE_FAILED);
        Box::new(OperationResult::request_error(
            error,
            graphql_error_status(media),
            None,
            false,
        ))
    })?;
    let document = parsed.document;
    let selected = select(&document, operation_name.as_deref());
    let kind = selected.as_ref().map(|(_, kind)| *kind);
    let name = selected
        .and_then(|(name, _)| name)
        .or(operation_name.clone());
    if let Err(error) = state.limits.check(&document) {
        return Err(Box::new(OperationResult::refused(
            &error, media, name, true,
        )));
    }
    if method == Method::GET && kind == Some(OperationType::Mutation) {
        // GET must be safe: caches and prefetchers repeat it (GraphQL over HTTP, 405).
        let error = AppError::bad_input("mutations must be sent with POST");
        let mut result = OperationResult::refused(&error, media, name, true);
        result.status = StatusCode::METHOD_NOT_ALLOWED;
        result.allow = Some("POST");
        return Err(Box::new(result));
    }
    if let Some(hash) = resolved.register {
        state.persisted.register(hash, Arc::clone(&resolved.text));
    }
    Ok(Prepared {
        text: resolved.text,
        document,
        validation: parsed.validation,
        name,
        kind,
        operation_name,
        variables,
        extensions,
    })
}

/// Validation (with depth and complexity) and execution, with the request's own loaders; or,
/// for a planned query whose validation is remembered, the plan alone.
async fn execute(
    state: &AppState,
    principal: &Principal,
    media: MediaType,
    prepared: Prepared,
    request_id: &str,
) -> OperationResult {
    let mut prepared = prepared;
    fill_variable_defaults(
        &prepared.document,
        prepared.operation_name.as_deref(),
        &mut prepared.variables,
    );
    let missing = missing_variable(
        &prepared.document,
        prepared.operation_name.as_deref(),
        &prepared.variables,
    );
    let query = prepared.kind == Some(OperationType::Query);
    let variables = Variables::from_json(serde_json::Value::Object(std::mem::take(
        &mut prepared.variables,
    )));
    let compiled = Arc::new(CompiledRead::new(
        (query && state.config.reads.compiled)
            .then(|| plan_of(state, principal, &prepared, &variables))
            .flatten(),
    ));
    let validation = Arc::new(ValidationMemo::new(
        prepared.validation.as_ref(),
        &prepared.document,
        prepared.operation_name.as_deref(),
        &variables,
        &state.enums,
    ));
    if missing.is_none()
        && let Some(result) = validation.known()
        && analysis::within_limits(&result, &state.config.limits)
        && let Some(plan) = compiled.take_plan()
    {
        let mut body = Vec::with_capacity(plan::INITIAL_CAPACITY);
        body.extend_from_slice(b"{\"data\":");
        match plan::answer_into(&mut body, &plan, state.db.clone(), &state.config).await {
            Ok(()) => {
                return OperationResult::compiled(body, result.complexity, state, prepared.name);
            }
            // The resolvers answer it (and report what failed) their way, below.
            Err(err) => tracing::debug!(cause = %err, "compiled read gave up"),
        }
    }
    let report = Report::new();
    let activity = Activity::new();
    let loaders = Loaders::new(
        state.db.clone(),
        principal,
        &state.config.loaders,
        Arc::clone(&activity),
    );
    let mut request = async_graphql::Request::new(prepared.text.to_string())
        .variables(variables)
        .data(validation)
        .data(principal.clone())
        .data(loaders)
        .data(Arc::clone(&state.authenticator))
        .data(Arc::clone(&report))
        .data(Arc::clone(&compiled));
    if let Some(error) = missing {
        request = request.data(MissingVariable(error));
    }
    if let Some(operation_name) = prepared.operation_name {
        request = request.operation_name(operation_name);
    }
    for (key, value) in prepared.extensions {
        request
            .extensions
            .insert(key, Value::from_json(value).unwrap_or(Value::Null));
    }
    request.set_parsed_query(Arc::unwrap_or_clone(prepared.document));
    let execution = state.schema.execute(request);
    let mut response = Tracked::new(execution, activity).await;
    let executed = report.executed();
    let answer = compiled.take_answer();
    let read_path = (query && executed).then_some(if answer.is_some() {
        ReadPath::Compiled
    } else {
        ReadPath::Resolvers
    });
    if let Some(path) = read_path {
        response
            .extensions
            .insert("readPath".to_owned(), Value::from(path.as_str()));
    }
    errors::finish(&mut response, executed, request_id);
    if let Some(cost) = report.cost(state.config.limits.max_complexity) {
        response.extensions.insert("cost".to_owned(), cost);
    }
    let mutation = prepared.kind == Some(OperationType::Mutation);
    let (status, outcome, executed) = classify(&response, executed, mutation, media);
    OperationResult {
        response,
        executed,
        status,
        outcome,
        operation: prepared.name,
        parsed: true,
        allow: None,
        compiled: answer,
        written: None,
        read_path,
    }
}

/// Gives every variable the request leaves out its declared default.
///
/// async-graphql applies defaults where a variable is an argument, but not in `@skip(if:)` /
/// `@include(if:)` (it reads the request's variables only), so a defaulted directive condition
/// would otherwise count as absent; with the defaults filled in, both read paths follow the
/// specification.
fn fill_variable_defaults(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &mut serde_json::Map<String, serde_json::Value>,
) {
    let Some(operation) = selected_operation(document, operation_name) else {
        return;
    };
    for definition in &operation.node.variable_definitions {
        let definition = &definition.node;
        let name = definition.name.node.as_str();
        if let Some(default) = definition.default_value()
            && !variables.contains_key(name)
            && let Ok(value) = default.clone().into_json()
        {
            variables.insert(name.to_owned(), value);
        }
    }
}

/// The first variable of a non-null type the request leaves out (and that has no default).
///
/// A request error (GraphQL, CoerceVariableValues), which async-graphql's validation does not
/// raise (it checks only the values it is given): the field reading the variable failed instead,
/// as an internal error. Reported after validation, as the specification orders it (see
/// `http::analysis`).
fn missing_variable(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &serde_json::Map<String, serde_json::Value>,
) -> Option<ServerError> {
    let operation = selected_operation(document, operation_name)?;
    let definition = operation
        .node
        .variable_definitions
        .iter()
        .find(|definition| {
            !definition.node.var_type.node.nullable
                && definition.node.default_value.is_none()
                && !variables.contains_key(definition.node.name.node.as_str())
        })?;
    let mut error = ServerError::new(
        format!(
            "variable \"${}\" of required type \"{}\" was not provided",
            definition.node.name.node, definition.node.var_type.node
        ),
        Some(definition.pos),
    );
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code::GRAPHQL_VALIDATION_FAILED);
    Some(error)
}

fn selected_operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) => operations.values().next(),
    }
}

/// The plan of a query the compiled path can answer; `None` leaves it to the resolvers.
fn plan_of(
    state: &AppState,
    principal: &Principal,
    prepared: &Prepared,
    variables: &Variables,
) -> Option<plan::Plan> {
    let request = plan::Request {
        document: &prepared.document,
        operation_name: prepared.operation_name.as_deref(),
        variables,
        principal,
        limits: &state.config.limits,
    };
    match plan::build(&request) {
        Ok(plan) => Some(plan),
        Err(unplanned) => {
            tracing::debug!(reason = %unplanned.0, "answered by the resolvers");
            None
        }
    }
}

/// The status and outcome of an executed (or validated-and-refused) operation, and whether its
/// `data` is answered.
///
/// A query that could not get a connection (or ran out of time in the database) is retried
/// whole: it answers 503 / 504 without its partial data, which GraphQL over HTTP allows only
/// without a `data` entry. A mutation keeps its data: what it wrote must be reported.
fn classify(
    response: &async_graphql::Response,
    executed: bool,
    mutation: bool,
    media: MediaType,
) -> (StatusCode, &'static str, bool) {
    let codes: Vec<&str> = response.errors.iter().filter_map(error_code_str).collect();
    let keeps_data = mutation && response.data != Value::Null;
    if !executed {
        (graphql_error_status(media), "refused", false)
    } else if codes.is_empty() {
        (StatusCode::OK, "ok", true)
    } else if !keeps_data && codes.contains(&code::SERVICE_UNAVAILABLE) {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable", false)
    } else if !keeps_data && codes.contains(&code::REQUEST_TIMEOUT) {
        (StatusCode::GATEWAY_TIMEOUT, "timeout", false)
    } else {
        (StatusCode::OK, "field_errors", true)
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

pub fn error_code(error: &ServerError) -> Option<String> {
    error_code_str(error).map(str::to_owned)
}
