//! Identities of one inbound message that belong to two or more contacts, kept for a person to
//! review: merged into one contact or dismissed. `survivor_id` is a plain column, not a foreign
//! key: the record outlives the contacts it names.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::IdentityConflictStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "identity_conflict")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub status: IdentityConflictStatus,
    /// The inbound identities of the call:
    /// `[{ "channel", "value", "normalizedValue", "contactId" (owner then, or null) }]`.
    pub identities: Json,
    /// The distinct contacts involved, oldest first: `["<uuid>", ..]`.
    pub contact_ids: Json,
    pub resolved_at: Option<DateTimeUtc>,
    /// Who settled it; `auto-merge` when the auto-merge policy did.
    pub resolved_by: Option<String>,
    /// The contact the others were merged into (status `MERGED` only).
    pub survivor_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
