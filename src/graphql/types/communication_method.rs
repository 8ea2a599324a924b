use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use entity::communication_method;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{Account, CommunicationKind, Contact};

/// A free-form channel of exactly one account or one contact: general e-mail, switchboard phone,
/// fax, website or postal address. Unlike identities, methods are not unique.
pub struct CommunicationMethod(pub Arc<communication_method::Model>);

impl GraphRecord for CommunicationMethod {
    type Entity = communication_method::Entity;

    fn from_model(model: Arc<communication_method::Model>) -> Self {
        Self(model)
    }
}

/// A free-form channel of exactly one account or one contact: general e-mail, switchboard phone,
/// fax, website or postal address. Unlike identities, methods are not unique.
#[Object]
impl CommunicationMethod {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::CommunicationMethod, self.0.id).to_id()
    }

    /// What kind of channel this is.
    async fn kind(&self) -> CommunicationKind {
        self.0.kind.into()
    }

    /// The address, number or URL, as entered (phone numbers normalized to E.164).
    async fn value(&self) -> &str {
        &self.0.value
    }

    /// What the channel is for, e.g. "Switchboard" or "Sales".
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    /// When the record was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The owning account; `null` when a contact owns the method.
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        relation::record(ctx, self.0.account_id).await.extend()
    }

    /// The owning contact; `null` when an account owns the method.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        relation::record(ctx, self.0.contact_id).await.extend()
    }
}
