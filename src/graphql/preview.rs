//! Read-only merge preview, next to the record queries.

use async_graphql::{Context, ID, Object, Result, ResultExt};

use crate::auth::Action;
use crate::graphql::context;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::types::MergePlan;
use crate::service::merge;

#[derive(Default)]
pub struct MergePreviewQuery;

#[Object]
impl MergePreviewQuery {
    /// What merging `mergedId` into `survivorId` would do: the same plan `mergeContacts`
    /// applies, without writing anything. Refused like the merge itself: a contact with itself
    /// (`BAD_USER_INPUT`), unknown contacts (`NOT_FOUND`), ids merged away (`CONFLICT`).
    #[graphql(guard = "Permit(Action::PreviewMerge)")]
    async fn preview_merge(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact that stays.")] survivor_id: ID,
        #[graphql(desc = "The contact that would be absorbed into the survivor and deleted.")]
        merged_id: ID,
    ) -> Result<MergePlan> {
        let survivor = GlobalId::parse_as(&survivor_id, NodeType::Contact).extend()?;
        let merged = GlobalId::parse_as(&merged_id, NodeType::Contact).extend()?;
        let db = context::loaders(ctx).extend()?.db();
        let (plan, audit_entries) = merge::preview(db, survivor, merged).await.extend()?;
        Ok(MergePlan::new(plan, audit_entries))
    }
}
