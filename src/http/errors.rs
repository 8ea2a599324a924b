//! The last pass over a response: every error leaves with an `extensions.code`, and internal
//! failures are logged once with the request id and shown without their text.

use async_graphql::{Response, ServerError, Value};

use crate::error::{AppError, code};

/// Fills missing codes and hides internal details. `executed` says whether execution started:
/// before it, an error without a code is async-graphql's own validation (parse errors and the
/// server's limits carry their codes already).
pub fn finish(response: &mut Response, executed: bool, request_id: &str) {
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
            None if !executed => set_code(error, code::GRAPHQL_VALIDATION_FAILED),
            // async-graphql's own coercion of an argument value (an impossible date, say)
            // fails inside the field, before any resolver: the client's mistake, not ours.
            None if error.message.starts_with("Failed to parse \"") => {
                set_code(error, code::BAD_USER_INPUT);
            }
            None => hide_internal(error, request_id),
        }
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
