//! API keys. Only a SHA-256 digest of each token is stored: the token itself is shown once, when
//! the key is created, and cannot be recovered from the table.

use sea_orm::entity::prelude::*;

use crate::enums::ApiKeyRole;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub role: ApiKeyRole,
    /// The partner account a `PARTNER` key acts for; `None` for every other role.
    pub partner_account_id: Option<Uuid>,
    /// SHA-256 of the whole token, lower-case hex.
    pub token_sha256: String,
    /// The first characters of the token (`cgk_` and a few more), so people can tell keys apart.
    pub token_prefix: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::PartnerAccountId",
        to = "super::account::Column::Id"
    )]
    PartnerAccount,
}

impl ActiveModelBehavior for ActiveModel {}
