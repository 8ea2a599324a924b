use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use entity::api_key;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{Account, ApiKeyRole};
use crate::service::api_keys;

/// A credential for this API. Only admin keys see keys; the token itself is shown once, in
/// `createApiKey`'s payload, and is not stored.
pub struct ApiKey(pub Arc<api_key::Model>);

impl GraphRecord for ApiKey {
    type Entity = api_key::Entity;

    fn from_model(model: Arc<api_key::Model>) -> Self {
        Self(model)
    }
}

/// A credential for this API. Only admin keys see keys; the token itself is shown once, in
/// `createApiKey`'s payload, and is not stored.
#[Object]
impl ApiKey {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::ApiKey, self.0.id).to_id()
    }

    /// Who or what holds the key; audit entries name it as their actor.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the key may do.
    async fn role(&self) -> ApiKeyRole {
        self.0.role.into()
    }

    /// The partner account a `PARTNER` key acts for.
    async fn partner_account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        relation::record(ctx, self.0.partner_account_id)
            .await
            .extend()
    }

    /// The first characters of the token, to tell keys apart.
    async fn token_prefix(&self) -> &str {
        &self.0.token_prefix
    }

    /// When the record was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Last request made with the key, to the minute.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }

    /// The key stops working at this time.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    /// When the key was revoked; `null` while it is not.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// Neither revoked nor expired.
    async fn active(&self) -> bool {
        api_keys::is_active(&self.0, Utc::now())
    }
}
