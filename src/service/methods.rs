//! Communication methods of exactly one account or one contact: create, update, delete.
//!
//! A method of a contact is part of the contact: changing it raises the contact's `version`,
//! honours `expected_version`, and its audit entries carry the contact's id.

use entity::enums::{AuditAction, AuditEntityType, CommunicationKind, IdentityChannel};
use entity::{communication_method, contact};
use phonenumber::country;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::accounts;
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::contacts::{self, ContactPatch};
use crate::service::patch::Patch;
use crate::service::record::Record;
use crate::service::scope::ScopedDb;
use crate::service::validate::{self, MAX_LINE, MAX_TEXT};

/// Who a method belongs to; it never moves to another owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodOwner {
    Account(Uuid),
    Contact(Uuid),
}

/// A new method as a client sends it.
#[derive(Debug, Clone)]
pub struct NewMethod {
    pub owner: MethodOwner,
    pub kind: CommunicationKind,
    pub value: String,
    pub label: Option<String>,
}

/// Changes to a method; the owner cannot change.
#[derive(Debug, Clone, Default)]
pub struct MethodPatch {
    /// A new kind re-checks the value (the given one, or else the stored one) against it.
    pub kind: Option<CommunicationKind>,
    pub value: Option<String>,
    pub label: Patch<String>,
}

/// A method after a change, with its contact (the owner, after the change) when a contact owns
/// it.
#[derive(Debug, Clone)]
pub struct MethodChange {
    pub method: communication_method::Model,
    pub contact: Option<contact::Model>,
}

/// Checks a value against its kind; phone numbers come back in E.164.
pub fn validate_value(
    kind: CommunicationKind,
    value: String,
    region: country::Id,
) -> AppResult<String> {
    match kind {
        CommunicationKind::Email => validate::email("value", value),
        CommunicationKind::Phone | CommunicationKind::Mobile | CommunicationKind::Fax => {
            validate::phone("value", value, region)
        }
        CommunicationKind::Website => validate::url("value", value),
        CommunicationKind::PostalAddress => validate::required("value", value, MAX_TEXT),
    }
}

fn validate_label(label: Patch<String>) -> AppResult<Patch<String>> {
    Ok(
        match label.try_map(|value| validate::optional("label", value, MAX_LINE))? {
            Patch::Keep => Patch::Keep,
            Patch::Clear | Patch::Set(None) => Patch::Clear,
            Patch::Set(Some(value)) => Patch::Set(value),
        },
    )
}

/// The identity channel whose opt-in a new method of this kind turns on.
fn opt_in_channel(kind: CommunicationKind) -> Option<IdentityChannel> {
    match kind {
        CommunicationKind::Email => Some(IdentityChannel::Email),
        CommunicationKind::Mobile => Some(IdentityChannel::Sms),
        CommunicationKind::Phone
        | CommunicationKind::Fax
        | CommunicationKind::Website
        | CommunicationKind::PostalAddress => None,
    }
}

/// Accounts have no version to check against.
fn refuse_version_of_account(expected_version: Option<i32>) -> AppResult<()> {
    match expected_version {
        Some(_) => Err(AppError::bad_input(
            "`expectedVersion` applies only to methods of a contact",
        )),
        None => Ok(()),
    }
}

/// Adds a method to an account or a contact. On a contact, an EMAIL method turns `emailOptIn`
/// on and a MOBILE method `smsOptIn`, unless `opt_in` says otherwise; the contact's version
/// rises either way.
pub async fn create(
    db: &ScopedDb,
    region: country::Id,
    new: NewMethod,
    opt_in: Option<bool>,
    expected_version: Option<i32>,
) -> AppResult<MethodChange> {
    let value = validate_value(new.kind, new.value, region)?;
    let label = validate_label(new.label.map_or(Patch::Keep, Patch::Set))?.apply(None);
    if let MethodOwner::Account(_) = new.owner {
        refuse_version_of_account(expected_version)?;
    }
    db.check_method_owner(matches!(new.owner, MethodOwner::Account(_)))?;
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let owner = match new.owner {
        MethodOwner::Account(account_id) => {
            accounts::find_visible(db, &txn, account_id)
                .await
                .map_err(|_| AppError::NotFound("`owner.account`: account not found".to_owned()))?;
            None
        }
        MethodOwner::Contact(contact_id) => {
            let contact = contacts::find_visible(db, &txn, contact_id)
                .await
                .map_err(|_| AppError::NotFound("`owner.contact`: contact not found".to_owned()))?;
            contacts::check_version(&contact, expected_version)?;
            Some(contact)
        }
    };
    let (account_id, contact_id) = match new.owner {
        MethodOwner::Account(id) => (Some(id), None),
        MethodOwner::Contact(id) => (None, Some(id)),
    };
    let created = communication_method::Model {
        id: Uuid::now_v7(),
        account_id,
        contact_id,
        kind: new.kind,
        value,
        label,
        created_at: operation.at,
        updated_at: operation.at,
    }
    .into_active_model()
    .insert(&txn)
    .await?;
    let changes = Changes::between(None, Some(&audit::snapshot(&created)?));
    audit::record(
        &txn,
        &operation,
        subject(&created),
        AuditAction::Create,
        changes,
    )
    .await?;
    let contact = match owner {
        Some(current) => {
            let mut preferences = ContactPatch::default();
            if let Some(channel) = opt_in_channel(created.kind) {
                match channel {
                    IdentityChannel::Email => preferences.email_opt_in = opt_in,
                    IdentityChannel::Sms => preferences.sms_opt_in = opt_in,
                    _ => {}
                }
                preferences.opt_in_for(channel);
            }
            Some(contacts::apply_preferences(&txn, &operation, current, preferences).await?)
        }
        None => None,
    };
    txn.commit().await?;
    Ok(MethodChange {
        method: created,
        contact,
    })
}

/// A stored method and, for a contact's method, the contact; both as the caller may see them.
async fn find_with_owner(
    db: &ScopedDb,
    txn: &DatabaseTransaction,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<(communication_method::Model, Option<contact::Model>)> {
    let not_found = || AppError::not_found("communication method");
    let method = communication_method::Entity::find()
        .filter(communication_method::Entity::visible_with_ids(
            db.scope(),
            [id],
        ))
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let contact = match (method.account_id, method.contact_id) {
        (_, Some(contact_id)) => {
            let contact = contacts::find_visible(db, txn, contact_id)
                .await
                .map_err(|_| not_found())?;
            contacts::check_version(&contact, expected_version)?;
            Some(contact)
        }
        (Some(account_id), None) => {
            accounts::find_visible(db, txn, account_id)
                .await
                .map_err(|_| not_found())?;
            refuse_version_of_account(expected_version)?;
            None
        }
        (None, None) => return Err(not_found()),
    };
    Ok((method, contact))
}

/// Changes the kind, value or label of a method. A real change raises the owner contact's
/// version; a change to nothing writes nothing.
pub async fn update(
    db: &ScopedDb,
    region: country::Id,
    id: Uuid,
    patch: MethodPatch,
    expected_version: Option<i32>,
) -> AppResult<MethodChange> {
    let label = validate_label(patch.label)?;
    if let (None, Some(value)) = (patch.kind, patch.value.clone()) {
        // A blank value fits no kind: refuse it before taking the write lock. The stored kind
        // decides the rest below.
        validate::required("value", value, MAX_TEXT)?;
    }
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let (current, contact) = find_with_owner(db, &txn, id, expected_version).await?;
    db.check_method_owner(current.account_id.is_some())?;
    let mut updated = current.clone();
    updated.kind = patch.kind.unwrap_or(current.kind);
    if patch.kind.is_some() || patch.value.is_some() {
        let value = patch.value.unwrap_or_else(|| current.value.clone());
        updated.value = validate_value(updated.kind, value, region)?;
    }
    updated.label = label.apply(current.label.clone());
    let changes = Changes::between(
        Some(&audit::snapshot(&current)?),
        Some(&audit::snapshot(&updated)?),
    );
    if changes.is_empty() {
        txn.commit().await?;
        return Ok(MethodChange {
            method: current,
            contact,
        });
    }
    updated.updated_at = operation.at;
    let saved = updated.into_active_model().reset_all().update(&txn).await?;
    audit::record(
        &txn,
        &operation,
        subject(&saved),
        AuditAction::Update,
        changes,
    )
    .await?;
    let contact = match contact {
        Some(contact) => Some(contacts::touch(&txn, &operation, &contact).await?),
        None => None,
    };
    txn.commit().await?;
    Ok(MethodChange {
        method: saved,
        contact,
    })
}

/// Deletes a method; the returned change holds the deleted method and, for a contact's method,
/// the contact with its raised version.
pub async fn delete(
    db: &ScopedDb,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<MethodChange> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let (current, contact) = find_with_owner(db, &txn, id, expected_version).await?;
    communication_method::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record_deleted(&txn, &operation, subject(&current), &current).await?;
    let contact = match contact {
        Some(contact) => Some(contacts::touch(&txn, &operation, &contact).await?),
        None => None,
    };
    txn.commit().await?;
    Ok(MethodChange {
        method: current,
        contact,
    })
}

/// Entries of a contact's method concern that contact; those of an account's method no contact.
pub(crate) fn subject(method: &communication_method::Model) -> Subject {
    Subject {
        entity_type: AuditEntityType::CommunicationMethod,
        entity_id: method.id,
        contact_id: method.contact_id,
    }
}
