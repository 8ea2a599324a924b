//! The GraphQL schema: types, root fields, limits.

pub mod context;
pub mod filters;
pub mod guard;
pub mod ids;
pub mod mutations;
pub mod pagination;
pub mod plan;
pub mod preview;
pub mod query;
pub mod relation;
pub mod search;
pub mod types;

use async_graphql::extensions::ExtensionFactory;
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

/// The executable schema. `analysis` enforces the depth and complexity limits (the HTTP layer's
/// `http::analysis`, which also reports each request's cost) on what `validation` gives (the HTTP
/// layer's `http::validated`, which reuses a validation its document passed before); the
/// compiled read path runs after them, in place of execution, for operations the endpoint
/// planned (see `plan`).
pub fn build_schema(
    config: &Config,
    analysis: impl ExtensionFactory,
    validation: impl ExtensionFactory,
) -> AppSchema {
    builder()
        .extension(analysis)
        .extension(validation)
        .extension(plan::CompiledReads)
        .data(config.clone())
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().sorted_fields())
}
