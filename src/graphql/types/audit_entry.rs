use std::sync::Arc;

use async_graphql::{Context, ID, Json, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use entity::enums::AuditEntityType as StoredEntityType;
use uuid::Uuid;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{AuditAction, AuditEntityType, Contact};

/// Who changed what on which record, and when. Entries are never changed or deleted, and they
/// outlive the records they describe.
pub struct AuditEntry(pub Arc<audit_entry::Model>);

/// One changed field of an audit entry.
#[derive(SimpleObject)]
pub struct AuditChange {
    /// Field name as in the GraphQL API, e.g. `lastName`.
    field: String,
    /// Value before the change; `null` for a created record.
    before: Json<serde_json::Value>,
    /// Value after the change; `null` for a deleted record.
    after: Json<serde_json::Value>,
}

impl GraphRecord for AuditEntry {
    type Entity = audit_entry::Entity;

    fn from_model(model: Arc<audit_entry::Model>) -> Self {
        Self(model)
    }
}

fn node_type(entity_type: StoredEntityType) -> NodeType {
    match entity_type {
        StoredEntityType::Account => NodeType::Account,
        StoredEntityType::Contact => NodeType::Contact,
        StoredEntityType::ContactIdentity => NodeType::ContactIdentity,
        StoredEntityType::CommunicationMethod => NodeType::CommunicationMethod,
        StoredEntityType::Incident => NodeType::Incident,
        StoredEntityType::Opportunity => NodeType::Opportunity,
        StoredEntityType::IdentityConflict => NodeType::IdentityConflict,
    }
}

#[Object]
impl AuditEntry {
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::AuditEntry, self.0.id).to_id()
    }

    /// Shared by every entry one mutation wrote.
    async fn operation_id(&self) -> Uuid {
        self.0.operation_id
    }

    async fn entity_type(&self) -> AuditEntityType {
        self.0.entity_type.into()
    }

    /// Global id of the record; it stays valid in the log after the record is deleted.
    async fn entity_id(&self) -> ID {
        GlobalId::new(node_type(self.0.entity_type), self.0.entity_id).to_id()
    }

    async fn action(&self) -> AuditAction {
        self.0.action.into()
    }

    /// Who made the change.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The fields that changed, with their values before and after.
    async fn changes(&self) -> Vec<AuditChange> {
        let Some(fields) = self.0.changes.as_object() else {
            return Vec::new();
        };
        fields
            .iter()
            .map(|(field, change)| AuditChange {
                field: field.clone(),
                before: Json(change.get("before").cloned().unwrap_or_default()),
                after: Json(change.get("after").cloned().unwrap_or_default()),
            })
            .collect()
    }

    /// The contact the change concerns, if any and if it still exists.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        relation::record(ctx, self.0.contact_id).await.extend()
    }
}
