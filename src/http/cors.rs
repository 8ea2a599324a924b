//! Cross-origin requests: browsers on the configured origins may call `/graphql`.
//!
//! Preflights (`OPTIONS`) are answered here, before authentication: a browser sends them without
//! credentials. Only `GET` and `POST` and the headers a GraphQL client sends are allowed; the
//! answer is cached by the browser for `cors.max_age_secs`. Credentials (cookies) stay off unless
//! asked for; the API reads only the `Authorization` header, which needs no credentials mode.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::CorsConfig;

/// `None` when no origin is allowed: then no CORS header is ever sent and browsers keep pages
/// of other origins out.
pub fn layer(config: &CorsConfig) -> Option<CorsLayer> {
    if config.allowed_origins.is_empty() {
        return None;
    }
    let any = config.allowed_origins.iter().any(|origin| origin == "*");
    let origins = if any {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .allowed_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    let layer = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("x-apollo-operation-name"),
            HeaderName::from_static("apollographql-client-name"),
            HeaderName::from_static("apollographql-client-version"),
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
        ])
        .max_age(Duration::from_secs(config.max_age_secs));
    // The CORS specification forbids credentials with a wildcard origin.
    Some(layer.allow_credentials(config.allow_credentials && !any))
}
