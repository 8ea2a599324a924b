use async_graphql::{
    Context, ID, InputObject, Object, OneofObject, Result, ResultExt, SimpleObject,
};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::writer;
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{Contact, IdentityConflict};
use crate::service::conflicts::{self, Settlement};

/// Merge the conflict's contacts into one of them.
#[derive(InputObject)]
pub struct IdentityConflictMergeInput {
    /// The contact that stays; must be one of the conflict's `contacts`. Every other involved
    /// contact that still exists is merged into it (as `mergeContacts` does), then the message's
    /// identities that nobody owns are attached to it.
    pub survivor_id: ID,
    /// Contacts of two different accounts are only merged when this is true; the survivor's
    /// account stays.
    #[graphql(default)]
    pub allow_cross_account: bool,
}

/// How to settle an identity conflict: exactly one of `merge` or `dismiss`.
#[derive(OneofObject)]
pub enum IdentityConflictAction {
    /// Merge the conflict's contacts into one of them.
    Merge(IdentityConflictMergeInput),
    /// `true`: the contacts are different people; nothing but the conflict changes.
    Dismiss(bool),
}

/// Settles an identity conflict.
#[derive(InputObject)]
pub struct ResolveIdentityConflictInput {
    /// An `OPEN` identity conflict.
    pub id: ID,
    /// Merge the contacts, or dismiss the conflict.
    pub action: IdentityConflictAction,
}

/// The result of `resolveIdentityConflict`.
#[derive(SimpleObject)]
pub struct ResolveIdentityConflictPayload {
    /// The conflict, now `MERGED` or `DISMISSED`.
    pub conflict: IdentityConflict,
    /// The survivor after a merge; `null` after a dismissal.
    pub contact: Option<Contact>,
}

#[derive(Default)]
pub struct ConflictMutations;

#[Object]
impl ConflictMutations {
    /// Settles an open identity conflict, atomically and audited. Unknown id: `NOT_FOUND`;
    /// settled already: `CONFLICT`; a survivor not among the conflict's contacts, or
    /// `dismiss: false`: `BAD_USER_INPUT`; the merge refusals of `mergeContacts` apply.
    #[graphql(guard = "Permit(Action::Merge)")]
    async fn resolve_identity_conflict(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `ResolveIdentityConflictInput`.")]
        input: ResolveIdentityConflictInput,
    ) -> Result<ResolveIdentityConflictPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::IdentityConflict).extend()?;
        let settlement = match input.action {
            IdentityConflictAction::Merge(merge) => Settlement::Merge {
                survivor_id: GlobalId::parse_as(&merge.survivor_id, NodeType::Contact).extend()?,
                allow_cross_account: merge.allow_cross_account,
            },
            IdentityConflictAction::Dismiss(true) => Settlement::Dismiss,
            IdentityConflictAction::Dismiss(false) => {
                return Err(AppError::bad_input(
                    "`dismiss` must be true; choose `merge` to merge the contacts",
                ))
                .extend();
            }
        };
        let settled = conflicts::resolve_conflict(writer(ctx).extend()?, id, settlement)
            .await
            .extend()?;
        Ok(ResolveIdentityConflictPayload {
            conflict: IdentityConflict::from_model(settled.conflict.into()),
            contact: settled.survivor.map(|c| Contact::from_model(c.into())),
        })
    }
}
