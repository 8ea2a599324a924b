//! The last pass over a response: every error leaves with an `extensions.code`, internal
//! failures are logged once with the request id and shown without their text, and request
//! errors (unparsable or invalid documents) get HTTP 400 as GraphQL over HTTP asks.

use async_graphql::{Response, ServerError, Value};
use axum::http::StatusCode;

use crate::error::{AppError, code};

/// Fills missing codes and hides internal details. Returns the HTTP status for the response.
pub fn finish(response: &mut Response, query: &str, request_id: &str) -> StatusCode {
    let mut request_error = false;
    for error in &mut response.errors {
        let existing = error
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .and_then(|value| match value {
                Value::String(code) => Some(code.clone()),
                _ => None,
            });
        match existing.as_deref() {
            Some(code::INTERNAL) => hide_internal(error, request_id),
            Some(_) => {}
            // Errors outside any field come from parsing or validating the document.
            None if error.path.is_empty() => {
                request_error = true;
                let code = if async_graphql::parser::parse_query(query).is_err() {
                    code::GRAPHQL_PARSE_FAILED
                } else {
                    code::GRAPHQL_VALIDATION_FAILED
                };
                set_code(error, code);
            }
            // async-graphql's own coercion of an argument value (an impossible date, say)
            // fails inside the field, before any resolver: the client's mistake, not ours.
            None if error.message.starts_with("Failed to parse \"") => {
                set_code(error, code::BAD_USER_INPUT);
            }
            None => hide_internal(error, request_id),
        }
    }
    if request_error && response.data == Value::Null {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

fn set_code(error: &mut ServerError, code: &str) {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
}

fn hide_internal(error: &mut ServerError, request_id: &str) {
    let cause = match error
        .source::<AppError>()
        .and_then(AppError::internal_source)
    {
        Some(source) => source.to_string(),
        None => error.message.clone(),
    };
    tracing::error!(request_id, path = ?error.path, %cause, "internal error");
    error.message = "internal error".to_owned();
    set_code(error, code::INTERNAL);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("requestId", request_id);
}
