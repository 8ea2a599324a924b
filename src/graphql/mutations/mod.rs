//! Root mutation fields, one module per record type. Every mutation takes one `input` argument
//! and returns a payload; resolvers decode ids and inputs, call one service function, and map
//! the result.

mod account;
mod api_key;
mod conflict;
mod contact;
mod identity;
mod incident;
mod merge;
mod method;
mod opportunity;
mod resolve;

use async_graphql::{Context, ID, MaybeUndefined, MergedObject};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::service::patch::Patch;
use crate::service::scope::ScopedDb;

/// Every change to the data. Each mutation takes one `input` argument, runs in one transaction with
/// its audit entries, and returns a payload; a failure writes nothing.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    account::AccountMutations,
    api_key::ApiKeyMutations,
    conflict::ConflictMutations,
    contact::ContactMutations,
    identity::IdentityMutations,
    incident::IncidentMutations,
    merge::MergeMutations,
    method::MethodMutations,
    opportunity::OpportunityMutations,
    resolve::ResolveMutations,
);

/// An input field where `null` clears the value and omitting it keeps it.
pub(crate) fn patch<T>(value: MaybeUndefined<T>) -> Patch<T> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(value) => Patch::Set(value),
    }
}

/// An input field of a required value: omitting it keeps the value, `null` is `BAD_USER_INPUT`.
pub(crate) fn not_null<T>(value: MaybeUndefined<T>, field: &str) -> Result<Option<T>, AppError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(AppError::bad_input(format!("`{field}` cannot be cleared"))),
        MaybeUndefined::Value(value) => Ok(Some(value)),
    }
}

/// An id input field where `null` clears the reference.
pub(crate) fn patch_id(
    value: MaybeUndefined<ID>,
    node_type: NodeType,
) -> Result<Patch<Uuid>, AppError> {
    patch(value).try_map(|id| GlobalId::parse_as(&id, node_type))
}

/// The request's database handle for a write. Once a request has written, its loaders stop
/// answering from their cache, so later fields see the change.
pub(crate) fn writer<'a>(ctx: &Context<'a>) -> Result<&'a ScopedDb, AppError> {
    let loaders = context::loaders(ctx)?;
    loaders.stop_caching();
    Ok(loaders.db())
}
