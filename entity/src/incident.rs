//! A case; always has a primary contact.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::{IncidentChannel, IncidentPriority, IncidentStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "incident")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub primary_contact_id: Uuid,
    /// The partner account that reported the case on behalf of its customer.
    pub reported_by_partner_id: Option<Uuid>,
    pub subject: String,
    pub description: Option<String>,
    pub status: IncidentStatus,
    pub priority: IncidentPriority,
    pub channel: Option<IncidentChannel>,
    pub closed_at: Option<DateTimeUtc>,
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
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::ReportedByPartnerId",
        to = "super::account::Column::Id"
    )]
    ReportedByPartner,
}

impl ActiveModelBehavior for ActiveModel {}
