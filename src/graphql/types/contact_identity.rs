use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use entity::contact_identity;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{Contact, IdentityChannel};

/// One way to recognize a contact on one channel. Unique across all contacts: an identity that
/// arrives again belongs to the contact that already owns it.
pub struct ContactIdentity(pub Arc<contact_identity::Model>);

impl GraphRecord for ContactIdentity {
    type Entity = contact_identity::Entity;

    fn from_model(model: Arc<contact_identity::Model>) -> Self {
        Self(model)
    }
}

/// One way to recognize a contact on one channel. Unique across all contacts: an identity that
/// arrives again belongs to the contact that already owns it.
#[Object]
impl ContactIdentity {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::ContactIdentity, self.0.id).to_id()
    }

    /// The channel this identity is on.
    async fn channel(&self) -> IdentityChannel {
        self.0.channel.into()
    }

    /// The value as it was entered.
    async fn value(&self) -> &str {
        &self.0.value
    }

    /// The value compared for uniqueness: lower-cased e-mail, E.164 phone number (`+4930...`),
    /// Twitter handle without `@` and lower-cased, other handles trimmed.
    async fn normalized_value(&self) -> &str {
        &self.0.normalized_value
    }

    /// When the record was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The contact this identity belongs to.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        relation::required_record(ctx, self.0.contact_id)
            .await
            .extend()
    }
}
