//! An organization: a customer, a partner, or both.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub is_customer: bool,
    pub is_partner: bool,
    /// The partner account that manages this customer's cases.
    pub partner_id: Option<Uuid>,
    /// Must be one of this account's own contacts (a service rule, not a constraint).
    pub primary_contact_id: Option<Uuid>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "Entity", from = "Column::PartnerId", to = "Column::Id")]
    Partner,
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::PrimaryContactId",
        to = "super::contact::Column::Id"
    )]
    PrimaryContact,
}

impl ActiveModelBehavior for ActiveModel {}
