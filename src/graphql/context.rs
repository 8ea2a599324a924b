//! Typed access to what the HTTP layer puts into every request and the schema holds.

use async_graphql::Context;

use crate::auth::{Authenticator, Principal};
use crate::config::Config;
use crate::error::AppError;
use crate::loaders::Loaders;

/// Missing context data is a wiring bug, never the client's fault.
fn missing(what: &str) -> AppError {
    AppError::internal(std::io::Error::other(format!(
        "{what} missing from the GraphQL context"
    )))
}

pub fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
    ctx.data::<Loaders>().map_err(|_| missing("Loaders"))
}

pub fn config<'a>(ctx: &Context<'a>) -> Result<&'a Config, AppError> {
    ctx.data::<Config>().map_err(|_| missing("Config"))
}

pub fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, AppError> {
    ctx.data::<Principal>().map_err(|_| missing("Principal"))
}

pub fn authenticator<'a>(ctx: &Context<'a>) -> Result<&'a std::sync::Arc<Authenticator>, AppError> {
    ctx.data::<std::sync::Arc<Authenticator>>()
        .map_err(|_| missing("Authenticator"))
}
