use async_graphql::{Context, ID, InputObject, Object, Result, ResultExt, SimpleObject};

use crate::auth::Action;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::writer;
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::Contact;
use crate::service::merge;

/// Two contacts that are the same person.
#[derive(InputObject)]
pub struct MergeContactsInput {
    /// The contact that stays. It keeps its own field values; its empty fields are filled from
    /// the merged contact.
    pub survivor_id: ID,
    /// The contact that is absorbed and deleted. Its identities, communication methods,
    /// incidents and opportunities move to the survivor, its audit log is shown in the
    /// survivor's, and its id keeps resolving to the survivor.
    pub merged_id: ID,
    /// Contacts of two different accounts are only merged when this is true; the survivor's
    /// account stays.
    #[graphql(default)]
    pub allow_cross_account: bool,
    /// The `planHash` of a `previewMerge`: if anything the plan depends on changed since, the
    /// merge is refused with `CONFLICT` and nothing is written.
    pub expected_plan_hash: Option<String>,
}

/// The result of `mergeContacts`.
#[derive(SimpleObject)]
pub struct MergeContactsPayload {
    /// The survivor after the merge.
    pub contact: Contact,
    /// The id the merged contact had; it keeps resolving to the survivor.
    pub merged_contact_id: ID,
}

#[derive(Default)]
pub struct MergeMutations;

#[Object]
impl MergeMutations {
    /// Merges one contact into another, irreversibly and atomically. Refused for a contact with
    /// itself (`BAD_USER_INPUT`), unknown contacts (`NOT_FOUND`), ids merged away already and
    /// contacts of different accounts without `allowCrossAccount` (`CONFLICT`).
    #[graphql(guard = "Permit(Action::Merge)")]
    async fn merge_contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `MergeContactsInput`.")]
        input: MergeContactsInput,
    ) -> Result<MergeContactsPayload> {
        let survivor = GlobalId::parse_as(&input.survivor_id, NodeType::Contact).extend()?;
        let merged = GlobalId::parse_as(&input.merged_id, NodeType::Contact).extend()?;
        let request = merge::MergeRequest {
            survivor_id: survivor,
            merged_id: merged,
            allow_cross_account: input.allow_cross_account,
            expected_plan_hash: input.expected_plan_hash,
        };
        let contact = merge::merge(writer(ctx).extend()?, request)
            .await
            .extend()?;
        Ok(MergeContactsPayload {
            contact: Contact::from_model(contact.into()),
            merged_contact_id: input.merged_id,
        })
    }
}
