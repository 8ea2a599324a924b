use async_graphql::{Context, ID, InputObject, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{ApiKey, ApiKeyRole};
use crate::service::api_keys::{self, NewApiKey};

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// Who or what will hold the key (a person, an integration); audit entries name it as the
    /// actor of every change made with it. At most 200 characters.
    pub name: String,
    /// What the key may do; a `PARTNER` key needs `partnerAccountId`.
    pub role: ApiKeyRole,
    /// The partner account a `PARTNER` key acts for; required for that role, refused for others.
    pub partner_account_id: Option<ID>,
    /// When the key stops working; it never expires when omitted.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Revokes a key at once.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key to revoke.
    pub id: ID,
}

/// The result of `createApiKey`: the key and, this once, its token.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The new key.
    pub api_key: ApiKey,
    /// The key's secret, to send as `Authorization: Bearer <token>`. Shown this once: only a
    /// hash of it is stored.
    pub token: String,
}

/// The result of `revokeApiKey`.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The key, now revoked.
    pub api_key: ApiKey,
}

impl CreateApiKeyInput {
    fn into_new(self) -> Result<NewApiKey, AppError> {
        Ok(NewApiKey {
            name: self.name,
            role: entity::enums::ApiKeyRole::from(self.role).into(),
            partner_account_id: self
                .partner_account_id
                .map(|id| GlobalId::parse_as(&id, NodeType::Account))
                .transpose()?,
            expires_at: self.expires_at,
        })
    }
}

#[derive(Default)]
pub struct ApiKeyMutations;

#[Object]
impl ApiKeyMutations {
    /// Creates an API key (admin keys only). The payload holds the token, shown this once.
    #[graphql(guard = "Permit(Action::ManageApiKeys)")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `CreateApiKeyInput`.")]
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let new = input.into_new().extend()?;
        let loaders = context::loaders(ctx).extend()?;
        let created = api_keys::create(loaders.db(), new).await.extend()?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey::from_model(created.key.into()),
            token: created.token,
        })
    }

    /// Revokes an API key (admin keys only); requests with it are refused from now on.
    /// Revoking a revoked key changes nothing.
    #[graphql(guard = "Permit(Action::ManageApiKeys)")]
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `RevokeApiKeyInput`.")]
        input: RevokeApiKeyInput,
    ) -> Result<RevokeApiKeyPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::ApiKey).extend()?;
        let loaders = context::loaders(ctx).extend()?;
        loaders.stop_caching();
        let revoked = api_keys::revoke(loaders.db(), id).await.extend()?;
        context::authenticator(ctx).extend()?.forget_keys();
        Ok(RevokeApiKeyPayload {
            api_key: ApiKey::from_model(revoked.into()),
        })
    }
}
