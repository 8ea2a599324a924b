//! A person; belongs to at most one account.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::EmailFormat;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "contact")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    pub alias: Option<String>,
    pub job_title: Option<String>,
    pub description: Option<String>,
    /// IANA time zone name, e.g. `Europe/Paris`.
    pub timezone: Option<String>,
    pub email_format: EmailFormat,
    pub marketing_opt_in: bool,
    pub email_opt_in: bool,
    pub sms_opt_in: bool,
    pub whatsapp_opt_in: bool,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    /// Rises on every change to the contact, its identities or its communication methods.
    pub version: i32,
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
}

impl ActiveModelBehavior for ActiveModel {}
