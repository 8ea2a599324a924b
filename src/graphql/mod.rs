//! The GraphQL schema: types, root fields, limits.

pub mod context;
pub mod guard;
pub mod ids;
pub mod mutations;
pub mod pagination;
pub mod preview;
pub mod query;
pub mod relation;
pub mod search;
pub mod types;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};

use crate::config::Config;
use mutations::MutationRoot;
use preview::MergePreviewQuery;
use query::QueryRoot;
use search::SearchQuery;

/// The root query type: record lookups and lists, the merge preview, and search.
#[derive(MergedObject, Default)]
pub struct Query(QueryRoot, MergePreviewQuery, SearchQuery);

pub type AppSchema = Schema<Query, MutationRoot, EmptySubscription>;

fn builder() -> SchemaBuilder<Query, MutationRoot, EmptySubscription> {
    Schema::build(Query::default(), MutationRoot::default(), EmptySubscription)
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
