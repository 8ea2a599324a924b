//! One identity of a contact on one channel; unique per (channel, normalized value) across all
//! contacts, so an identity that arrives again finds the contact that owns it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::IdentityChannel;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "contact_identity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contact_id: Uuid,
    pub channel: IdentityChannel,
    /// The value as it was entered.
    pub value: String,
    /// The value the uniqueness rule compares: lower-cased e-mail, E.164 phone, trimmed handle.
    pub normalized_value: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::Id"
    )]
    Contact,
}

impl ActiveModelBehavior for ActiveModel {}
