//! What validation measured about a request, and whether it ran: an async-graphql extension.
//!
//! It enforces `limits.max_depth` and `limits.max_complexity` itself (instead of the schema's
//! built-in limits, which refuse without saying by how much), so a refused request still learns
//! its cost; and it notes when execution starts, which tells a request error (no `data`, HTTP 400
//! under `application/graphql-response+json`) from a response whose fields failed. A required
//! variable the request leaves out is such a request error, answered here once validation passed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation,
};
use async_graphql::{Response, ServerError, ValidationResult, Value};

use crate::config::LimitsConfig;
use crate::error::AppError;
use crate::http::limits::{name, over};

/// Installed once on the schema.
pub struct Analysis {
    max_depth: usize,
    max_complexity: usize,
}

impl Analysis {
    pub fn new(limits: &LimitsConfig) -> Self {
        Self {
            max_depth: limits.max_depth,
            max_complexity: limits.max_complexity,
        }
    }
}

/// A variable the operation requires and the request leaves out (found by the endpoint): the
/// request error answered once validation has passed, instead of executing.
pub struct MissingVariable(pub ServerError);

/// One request's findings; the endpoint puts it into the request's data and reads it after.
#[derive(Debug, Default)]
pub struct Report {
    executed: AtomicBool,
    complexity: AtomicUsize,
    measured: AtomicBool,
}

impl Report {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Whether execution started (after parsing and validation succeeded).
    pub fn executed(&self) -> bool {
        self.executed.load(Ordering::SeqCst)
    }

    /// The complexity validation computed, if it got that far.
    pub fn complexity(&self) -> Option<usize> {
        self.measured
            .load(Ordering::SeqCst)
            .then(|| self.complexity.load(Ordering::SeqCst))
    }

    /// `extensions.cost` of a response: what the request asked for against the limit.
    pub fn cost(&self, limit: usize) -> Option<Value> {
        Some(cost(self.complexity()?, limit))
    }
}

/// `extensions.cost`: the complexity a request asked for against the limit.
pub fn cost(requested: usize, limit: usize) -> Value {
    let mut cost = async_graphql::indexmap::IndexMap::new();
    cost.insert(
        async_graphql::Name::new("requested"),
        Value::from(requested as u64),
    );
    cost.insert(async_graphql::Name::new("limit"), Value::from(limit as u64));
    Value::Object(cost)
}

/// Whether a validation's depth and complexity are within the limits.
pub fn within_limits(result: &ValidationResult, limits: &LimitsConfig) -> bool {
    over_limit(result, limits.max_depth, limits.max_complexity).is_none()
}

/// The limit a validation's depth or complexity is over, as the error that refuses it.
fn over_limit(
    result: &ValidationResult,
    max_depth: usize,
    max_complexity: usize,
) -> Option<AppError> {
    if result.depth > max_depth {
        return Some(over(
            name::DEPTH,
            max_depth,
            result.depth,
            "the query is nested too deep (levels)",
        ));
    }
    (result.complexity > max_complexity).then(|| {
        over(
            name::COMPLEXITY,
            max_complexity,
            result.complexity,
            "the query is too complex (fields, lists counted once per row they may return)",
        )
    })
}

impl ExtensionFactory for Analysis {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AnalysisExtension {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
        })
    }
}

struct AnalysisExtension {
    max_depth: usize,
    max_complexity: usize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for AnalysisExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(report) = ctx.data_opt::<Arc<Report>>() {
            report.complexity.store(result.complexity, Ordering::SeqCst);
            report.measured.store(true, Ordering::SeqCst);
        }
        match over_limit(&result, self.max_depth, self.max_complexity) {
            Some(error) => Err(vec![error.to_server_error()]),
            None => Ok(result),
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(MissingVariable(error)) = ctx.data_opt::<MissingVariable>() {
            return Response::from_errors(vec![error.clone()]);
        }
        if let Some(report) = ctx.data_opt::<Arc<Report>>() {
            report.executed.store(true, Ordering::SeqCst);
        }
        next.run(ctx, operation_name).await
    }
}
