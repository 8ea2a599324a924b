//! A contact id that was merged away, and the contact it now names. Chains are flattened when
//! they form (A into B, then B into C makes A point at C), so one lookup always finds the end.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "contact_redirect")]
pub struct Model {
    /// The id of the contact that was merged away.
    #[sea_orm(primary_key, auto_increment = false)]
    pub merged_id: Uuid,
    /// The contact that absorbed it; deleting it deletes the redirect.
    pub survivor_id: Uuid,
    pub merged_at: DateTimeUtc,
    pub actor: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::SurvivorId",
        to = "super::contact::Column::Id"
    )]
    Survivor,
}

impl ActiveModelBehavior for ActiveModel {}
