//! The seam into async-graphql: after parsing and validation (and their limits) have passed,
//! a planned operation is executed from its plan instead of by the resolvers.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{Response, Value};

use crate::config::Config;
use crate::graphql::plan::{CompiledRead, answer};
use crate::loaders::Loaders;

/// Installed once on the schema, after the analysis extension.
pub struct CompiledReads;

impl ExtensionFactory for CompiledReads {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CompiledReadsExtension)
    }
}

struct CompiledReadsExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for CompiledReadsExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let slot = ctx.data_opt::<Arc<CompiledRead>>();
        let plan = slot.and_then(|slot| slot.take_plan());
        if let (Some(slot), Some(plan), Some(loaders), Some(config)) = (
            slot,
            plan,
            ctx.data_opt::<Loaders>(),
            ctx.data_opt::<Config>(),
        ) {
            match answer(&plan, loaders.db().conn().clone(), config).await {
                Ok(data) => {
                    slot.set_answer(data);
                    return Response::new(Value::Null);
                }
                // A required relation without a target, or a failing statement: the resolvers
                // answer (and report) it their way.
                Err(err) => tracing::debug!(cause = %err, "compiled read gave up"),
            }
        }
        next.run(ctx, operation_name).await
    }
}
