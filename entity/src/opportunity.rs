//! A sale in progress with an account.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::OpportunityStage;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "opportunity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub primary_contact_id: Option<Uuid>,
    pub name: String,
    pub stage: OpportunityStage,
    /// Integer minor units of `currency` (cents for EUR), so sums are exact.
    pub amount: Option<i64>,
    /// ISO 4217 code; present exactly when `amount` is.
    pub currency: Option<String>,
    pub expected_close_date: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::PrimaryContactId",
        to = "super::contact::Column::Id"
    )]
    PrimaryContact,
}

impl ActiveModelBehavior for ActiveModel {}
