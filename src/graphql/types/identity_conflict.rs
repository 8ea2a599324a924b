use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use entity::identity_conflict;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{Contact, IdentityChannel, IdentityConflictStatus};
use crate::service::conflicts;

/// The identities of one inbound message that belonged to two or more contacts, kept for a
/// person to review with `resolveIdentityConflict` (merge the contacts or dismiss it).
pub struct IdentityConflict(pub Arc<identity_conflict::Model>);

/// One identity of the inbound message, with the contact that owned it when the conflict was
/// recorded.
pub struct ConflictIdentity(conflicts::ConflictIdentity);

impl GraphRecord for IdentityConflict {
    type Entity = identity_conflict::Entity;

    fn from_model(model: Arc<identity_conflict::Model>) -> Self {
        Self(model)
    }
}

/// One identity of the inbound message, with the contact that owned it when the conflict was
/// recorded.
#[Object]
impl ConflictIdentity {
    /// The channel of the identity.
    async fn channel(&self) -> IdentityChannel {
        self.0.channel.into()
    }

    /// The value as the message carried it.
    async fn value(&self) -> &str {
        &self.0.value
    }

    /// The value compared for uniqueness (see `ContactIdentity.normalizedValue`).
    async fn normalized_value(&self) -> &str {
        &self.0.normalized_value
    }

    /// The contact that owned the identity when the conflict was recorded (its survivor if it
    /// was merged since); `null` if the identity was unknown or the contact is gone.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        relation::record(ctx, self.0.contact_id).await.extend()
    }
}

/// The identities of one inbound message that belonged to two or more contacts, kept for a person
/// to review with `resolveIdentityConflict` (merge the contacts or dismiss it).
#[Object]
impl IdentityConflict {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::IdentityConflict, self.0.id).to_id()
    }

    /// Where the review stands.
    async fn status(&self) -> IdentityConflictStatus {
        self.0.status.into()
    }

    /// Every identity of the inbound message, in the order it carried them.
    async fn identities(&self) -> Result<Vec<ConflictIdentity>> {
        Ok(conflicts::identities_of(&self.0)
            .extend()?
            .into_iter()
            .map(ConflictIdentity)
            .collect())
    }

    /// The contacts involved that still exist, oldest first. A contact merged away since is
    /// shown as its survivor (once).
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        let ids = conflicts::contact_ids_of(&self.0).extend()?;
        let loads = ids
            .into_iter()
            .map(|id| relation::record::<Contact>(ctx, Some(id)));
        let found = async_graphql::futures_util::future::try_join_all(loads)
            .await
            .extend()?;
        let mut seen = HashSet::new();
        Ok(found
            .into_iter()
            .flatten()
            .filter(|contact| seen.insert(contact.0.id))
            .collect())
    }

    /// When it was merged or dismissed; `null` while `OPEN`.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }

    /// Who merged or dismissed it; `auto-merge` when the auto-merge policy merged it.
    async fn resolved_by(&self) -> Option<&str> {
        self.0.resolved_by.as_deref()
    }

    /// The contact the others were merged into (`MERGED` only); `null` if it is gone.
    async fn survivor(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        relation::record(ctx, self.0.survivor_id).await.extend()
    }

    /// When the conflict was recorded (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
