//! The GraphQL schema: types, root fields, limits.

pub mod context;
pub mod ids;
pub mod pagination;
pub mod query;
pub mod relation;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema, SchemaBuilder};

use crate::config::Config;
use query::QueryRoot;

pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

fn builder() -> SchemaBuilder<QueryRoot, EmptyMutation, EmptySubscription> {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
}

/// The executable schema, with the configured depth and complexity limits.
pub fn build_schema(config: &Config) -> AppSchema {
    builder()
        .limit_depth(config.limits.max_depth)
        .limit_complexity(config.limits.max_complexity)
        .data(config.clone())
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().sorted_fields())
}
