//! Generic resolvers for to-one relations and small whole lists, all through the loaders.

use std::sync::Arc;

use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::pagination::GraphRecord;
use crate::loaders::{AllOf, ById};
use crate::service::relations::HasMany;

/// The record a nullable foreign key points at; `None` when unset or not visible.
pub async fn record<N: GraphRecord>(
    ctx: &async_graphql::Context<'_>,
    id: Option<Uuid>,
) -> Result<Option<N>, AppError> {
    let Some(id) = id else {
        return Ok(None);
    };
    let loaders = context::loaders(ctx)?;
    Ok(loaders
        .load(ById::<N::Entity>::new(id))
        .await?
        .map(N::from_model))
}

/// The record a required foreign key points at. Its absence breaks a foreign key the database
/// enforces, so it is an internal error rather than a `null` the schema does not allow.
pub async fn required_record<N: GraphRecord>(
    ctx: &async_graphql::Context<'_>,
    id: Uuid,
) -> Result<N, AppError> {
    record::<N>(ctx, Some(id)).await?.ok_or_else(|| {
        AppError::internal(std::io::Error::other(format!(
            "{} {id} referenced by a foreign key was not found",
            N::type_name()
        )))
    })
}

/// Every row of a small relation under `parent`, in id order.
pub async fn all<R, N>(ctx: &async_graphql::Context<'_>, parent: Uuid) -> Result<Vec<N>, AppError>
where
    R: HasMany,
    N: GraphRecord<Entity = R::Child>,
{
    let loaders = context::loaders(ctx)?;
    let rows = loaders.load(AllOf::<R>::new(parent)).await?;
    if let Some(rows) = &rows {
        loaders.remember::<R::Child>(rows).await;
    }
    Ok(rows
        .map(|rows| {
            rows.iter()
                .map(|row| N::from_model(Arc::clone(row)))
                .collect()
        })
        .unwrap_or_default())
}
