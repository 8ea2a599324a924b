//! Append-only log of changes. `entity_id` and `contact_id` are plain indexed columns, not
//! foreign keys: the log outlives the records it describes.

use sea_orm::entity::prelude::*;

use crate::enums::{AuditAction, AuditEntityType};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Shared by every entry that one mutation wrote.
    pub operation_id: Uuid,
    pub entity_type: AuditEntityType,
    pub entity_id: Uuid,
    /// Set when the change concerns a contact, so a contact's log is one indexed lookup.
    pub contact_id: Option<Uuid>,
    pub action: AuditAction,
    pub actor: String,
    /// The API key that made the change; `None` for changes made before keys existed, by a
    /// JWT caller (see `actor`) or by the server itself.
    pub api_key_id: Option<Uuid>,
    /// When it happened; entries are never updated, so there is no `updated_at`.
    pub at: DateTimeUtc,
    /// `{ "<field>": { "before": .., "after": .. } }` for the fields that changed.
    pub changes: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
