//! Audit entries of seeded records, shaped like the ones mutations write: one CREATE per
//! account and contact, a few UPDATEs, each in an operation of its own, by the `system` principal.

use entity::enums::{AuditAction, AuditEntityType};
use entity::{account, audit_entry, contact};
use sea_orm::ActiveEnum;
use serde_json::{Map, json};
use uuid::Uuid;

use super::ids::{IdClock, Stamp};
use crate::auth::Principal;

/// What an audit entry is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub entity_type: AuditEntityType,
    pub entity_id: Uuid,
    pub contact_id: Option<Uuid>,
}

impl Subject {
    pub fn account(id: Uuid) -> Self {
        Self {
            entity_type: AuditEntityType::Account,
            entity_id: id,
            contact_id: None,
        }
    }

    pub fn contact(id: Uuid) -> Self {
        Self {
            entity_type: AuditEntityType::Contact,
            entity_id: id,
            contact_id: Some(id),
        }
    }
}

/// The CREATE entry of a new account, listing a handful of its fields.
pub fn account_created(
    clock: &mut IdClock,
    operation: Stamp,
    account: &account::Model,
) -> audit_entry::Model {
    let fields = vec![
        ("name", json!(account.name)),
        ("isCustomer", json!(account.is_customer)),
        ("isPartner", json!(account.is_partner)),
        ("partnerId", json!(account.partner_id)),
        ("country", json!(account.country)),
    ];
    created(clock, operation, Subject::account(account.id), fields)
}

/// The CREATE entry of a new contact, listing a handful of its fields.
pub fn contact_created(
    clock: &mut IdClock,
    operation: Stamp,
    contact: &contact::Model,
) -> audit_entry::Model {
    let fields = vec![
        ("accountId", json!(contact.account_id)),
        ("firstName", json!(contact.first_name)),
        ("lastName", json!(contact.last_name)),
        ("jobTitle", json!(contact.job_title)),
        ("emailFormat", json!(contact.email_format.to_value())),
        ("timezone", json!(contact.timezone)),
    ];
    created(clock, operation, Subject::contact(contact.id), fields)
}

/// A CREATE entry listing the non-null `fields` as `{"field": {"before": null, "after": value}}`,
/// written by the `system` principal in its own operation, as a mutation creating the record would.
fn created(
    clock: &mut IdClock,
    operation: Stamp,
    subject: Subject,
    fields: Vec<(&str, serde_json::Value)>,
) -> audit_entry::Model {
    let changes = fields
        .into_iter()
        .filter(|(_, after)| !after.is_null())
        .map(|(field, after)| (field.to_owned(), json!({ "before": null, "after": after })))
        .collect::<Map<_, _>>();
    entry(
        clock.next(),
        operation.id,
        subject,
        AuditAction::Create,
        changes,
    )
}

/// An UPDATE entry for one changed field, in an operation of its own.
pub fn updated(
    clock: &mut IdClock,
    subject: Subject,
    field: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> audit_entry::Model {
    let operation = clock.next();
    let mut changes = Map::new();
    changes.insert(
        field.to_owned(),
        json!({ "before": before, "after": after }),
    );
    entry(
        clock.next(),
        operation.id,
        subject,
        AuditAction::Update,
        changes,
    )
}

fn entry(
    stamp: Stamp,
    operation_id: Uuid,
    subject: Subject,
    action: AuditAction,
    changes: Map<String, serde_json::Value>,
) -> audit_entry::Model {
    audit_entry::Model {
        id: stamp.id,
        operation_id,
        entity_type: subject.entity_type,
        entity_id: subject.entity_id,
        contact_id: subject.contact_id,
        action,
        actor: Principal::SYSTEM_ACTOR.to_owned(),
        api_key_id: None,
        at: stamp.at,
        changes: serde_json::Value::Object(changes),
    }
}
