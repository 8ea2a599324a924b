use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, ID, Json, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use entity::enums::AuditEntityType as StoredEntityType;
use uuid::Uuid;

use crate::auth::{Action, Scope};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{ApiKey, AuditAction, AuditEntityType, Contact};
use crate::loaders::VisibleReference;
use crate::service::redaction;

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
        StoredEntityType::ApiKey => NodeType::ApiKey,
    }
}

impl AuditEntry {
    /// For a scoped caller, the referenced ids it sees (batched across the entries of the
    /// request); `None` when the caller sees everything.
    async fn visible_references(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<HashSet<Uuid>>, AppError> {
        if context::principal(ctx)?.scope == Scope::Unrestricted {
            return Ok(None);
        }
        let mut ids = Vec::new();
        redaction::references(&self.0.changes, &mut ids);
        let found = context::loaders(ctx)?
            .load_many(ids.into_iter().map(VisibleReference))
            .await?;
        Ok(Some(found.into_keys().map(|key| key.0).collect()))
    }
}

/// Who changed what on which record, and when. Entries are never changed or deleted, and they
/// outlive the records they describe.
#[Object]
impl AuditEntry {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::AuditEntry, self.0.id).to_id()
    }

    /// Shared by every entry one mutation wrote.
    async fn operation_id(&self) -> Uuid {
        self.0.operation_id
    }

    /// The kind of record that changed.
    async fn entity_type(&self) -> AuditEntityType {
        self.0.entity_type.into()
    }

    /// Global id of the record; it stays valid in the log after the record is deleted.
    async fn entity_id(&self) -> ID {
        GlobalId::new(node_type(self.0.entity_type), self.0.entity_id).to_id()
    }

    /// What happened to the record.
    async fn action(&self) -> AuditAction {
        self.0.action.into()
    }

    /// Who made the change.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// When the change was made (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The fields that changed, with their values before and after. For partner keys, values
    /// that name a record outside the partner's scope are `null`.
    async fn changes(&self, ctx: &Context<'_>) -> Result<Vec<AuditChange>> {
        let Some(fields) = self.0.changes.as_object() else {
            return Ok(Vec::new());
        };
        let visible = self.visible_references(ctx).await.extend()?;
        let shown = |value: Option<&serde_json::Value>| {
            let value = value.cloned().unwrap_or_default();
            Json(match &visible {
                Some(visible) => redaction::redact(&value, visible),
                None => value,
            })
        };
        Ok(fields
            .iter()
            .map(|(field, change)| AuditChange {
                field: field.clone(),
                before: shown(change.get("before")),
                after: shown(change.get("after")),
            })
            .collect())
    }

    /// The API key the change was made with, if any; shown to admin keys only (`null` for
    /// others).
    async fn api_key(&self, ctx: &Context<'_>) -> Result<Option<ApiKey>> {
        if !context::principal(ctx).extend()?.may(Action::ManageApiKeys) {
            return Ok(None);
        }
        relation::record(ctx, self.0.api_key_id).await.extend()
    }

    /// The contact the change concerns, if any and if it still exists.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        relation::record(ctx, self.0.contact_id).await.extend()
    }
}
