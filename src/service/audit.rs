//! The audit log: every mutation writes one entry per changed record, in the mutation's own
//! transaction, so a change and its entry are committed or rolled back together.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use entity::audit_entry;
use entity::enums::{AuditAction, AuditEntityType};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};

/// One mutation: its entries share the id, the actor and the time.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: Uuid,
    pub actor: String,
    /// The API key behind the change, if one was used.
    pub api_key_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

impl Operation {
    pub fn new(principal: &Principal) -> Self {
        Self {
            id: Uuid::now_v7(),
            actor: principal.actor.clone(),
            api_key_id: principal.key_id,
            at: now(),
        }
    }
}

/// The current time as stored: UTC, truncated to microseconds so that both backends keep
/// exactly the value that was written.
pub fn now() -> DateTime<Utc> {
    let at = Utc::now();
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

/// The fields that changed: `{ "<field>": { "before": .., "after": .. } }`, with GraphQL field
/// names. Built by diffing snapshots, so an update that changes nothing records nothing.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Changes(Map<String, Value>);

impl Changes {
    /// Every field that differs between two snapshots (`None` = the record did not exist).
    pub fn between(
        before: Option<&Map<String, Value>>,
        after: Option<&Map<String, Value>>,
    ) -> Self {
        let empty = Map::new();
        let (before, after) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
        let mut changes = Map::new();
        for field in before.keys().chain(after.keys()) {
            let old = before.get(field).cloned().unwrap_or(Value::Null);
            let new = after.get(field).cloned().unwrap_or(Value::Null);
            if old != new && !changes.contains_key(field) {
                changes.insert(
                    field.clone(),
                    serde_json::json!({ "before": old, "after": new }),
                );
            }
        }
        Self(changes)
    }

    /// Adds a field that is not part of a snapshot (e.g. what a merge moved).
    pub fn with(mut self, field: &str, before: Value, after: Value) -> Self {
        self.0.insert(
            field.to_owned(),
            serde_json::json!({ "before": before, "after": after }),
        );
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What one audit entry is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub entity_type: AuditEntityType,
    pub entity_id: Uuid,
    /// The contact concerned, so the contact's log finds the entry.
    pub contact_id: Option<Uuid>,
}

/// Writes one entry in the caller's transaction.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    operation: &Operation,
    subject: Subject,
    action: AuditAction,
    changes: Changes,
) -> AppResult<()> {
    audit_entry::Model {
        id: Uuid::now_v7(),
        operation_id: operation.id,
        entity_type: subject.entity_type,
        entity_id: subject.entity_id,
        contact_id: subject.contact_id,
        action,
        actor: operation.actor.clone(),
        api_key_id: operation.api_key_id,
        at: operation.at,
        changes: Value::Object(changes.0),
    }
    .into_active_model()
    .insert(txn)
    .await
    .map_err(AppError::from)?;
    Ok(())
}

/// Writes the DELETE entry of a record: every field it had, as `before`.
pub async fn record_deleted<C: ConnectionTrait, T: serde::Serialize>(
    txn: &C,
    operation: &Operation,
    subject: Subject,
    deleted: &T,
) -> AppResult<()> {
    let changes = Changes::between(Some(&snapshot(deleted)?), None);
    record(txn, operation, subject, AuditAction::Delete, changes).await
}

/// A record's audited fields as a JSON object with GraphQL field names.
pub fn snapshot<T: serde::Serialize>(record: &T) -> AppResult<Map<String, Value>> {
    match serde_json::to_value(record).map_err(AppError::internal)? {
        Value::Object(mut fields) => {
            for skipped in ["id", "createdAt", "updatedAt", "version"] {
                fields.remove(skipped);
            }
            Ok(fields)
        }
        _ => Ok(Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn only_changed_fields_are_recorded() {
        let before = object(json!({ "lastName": "Lovelace", "jobTitle": null, "city": "London" }));
        let after = object(json!({ "lastName": "King", "jobTitle": "Countess", "city": "London" }));
        let changes = Changes::between(Some(&before), Some(&after));
        assert_eq!(
            Value::Object(changes.0),
            json!({ "lastName": { "before": "Lovelace", "after": "King" },
                    "jobTitle": { "before": null, "after": "Countess" } })
        );
    }

    #[test]
    fn creation_records_every_set_field() {
        let after = object(json!({ "lastName": "Lovelace", "jobTitle": null }));
        let changes = Changes::between(None, Some(&after));
        assert_eq!(
            Value::Object(changes.0),
            json!({ "lastName": { "before": null, "after": "Lovelace" } })
        );
    }
}
