//! Contact identities: normalization, the one-owner rule, adding and removing.

use std::collections::HashSet;

use entity::enums::{AuditAction, AuditEntityType, IdentityChannel};
use entity::{contact, contact_identity};
use phonenumber::country;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::contacts::{self, ContactPatch};
use crate::service::identity;
use crate::service::scope::ScopedDb;

/// An identity as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdentity {
    pub channel: IdentityChannel,
    pub value: String,
}

/// An identity with its comparison value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedIdentity {
    pub channel: IdentityChannel,
    pub value: String,
    pub normalized: String,
}

/// Most identities one request may carry.
pub const MAX_IDENTITIES_PER_REQUEST: usize = 20;

pub fn normalize_one(identity: NewIdentity, region: country::Id) -> AppResult<NormalizedIdentity> {
    let normalized = identity::normalize(identity.channel, &identity.value, region)?;
    Ok(NormalizedIdentity {
        channel: identity.channel,
        value: identity.value.trim().to_owned(),
        normalized,
    })
}

/// Normalizes a request's identities; the same identity twice counts once.
pub fn normalize_all(
    identities: Vec<NewIdentity>,
    region: country::Id,
) -> AppResult<Vec<NormalizedIdentity>> {
    if identities.len() > MAX_IDENTITIES_PER_REQUEST {
        return Err(AppError::bad_input(format!(
            "`identities` accepts at most {MAX_IDENTITIES_PER_REQUEST} entries"
        )));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(identities.len());
    for identity in identities {
        let identity = normalize_one(identity, region)?;
        if seen.insert((identity.channel, identity.normalized.clone())) {
            out.push(identity);
        }
    }
    Ok(out)
}

/// The stored identities matching any of `identities`, in one statement.
pub async fn owners<C: ConnectionTrait>(
    conn: &C,
    identities: &[NormalizedIdentity],
) -> AppResult<Vec<contact_identity::Model>> {
    if identities.is_empty() {
        return Ok(Vec::new());
    }
    let mut any = Condition::any();
    for identity in identities {
        any = any.add(
            Condition::all()
                .add(contact_identity::Column::Channel.eq(identity.channel))
                .add(contact_identity::Column::NormalizedValue.eq(identity.normalized.clone())),
        );
    }
    Ok(contact_identity::Entity::find()
        .filter(any)
        .order_by_asc(contact_identity::Column::Id)
        .all(conn)
        .await?)
}

fn channel_name(channel: IdentityChannel) -> &'static str {
    match channel {
        IdentityChannel::Email => "EMAIL",
        IdentityChannel::Sms => "SMS",
        IdentityChannel::Whatsapp => "WHATSAPP",
        IdentityChannel::Facebook => "FACEBOOK",
        IdentityChannel::Twitter => "TWITTER",
        IdentityChannel::Wechat => "WECHAT",
    }
}

/// Gives `contact` an identity (the caller owns the transaction). An identity the contact
/// already has is returned as it is; one owned by another contact is `CONFLICT` naming the owner.
pub(crate) async fn attach(
    txn: &DatabaseTransaction,
    operation: &Operation,
    contact: &contact::Model,
    identity: NormalizedIdentity,
) -> AppResult<contact_identity::Model> {
    if let Some(existing) = owners(txn, std::slice::from_ref(&identity)).await?.pop() {
        if existing.contact_id == contact.id {
            return Ok(existing);
        }
        return Err(AppError::IdentityTaken {
            channel: channel_name(identity.channel),
            value: identity.value,
            owner: existing.contact_id,
        });
    }
    let created = contact_identity::Model {
        id: Uuid::now_v7(),
        contact_id: contact.id,
        channel: identity.channel,
        value: identity.value,
        normalized_value: identity.normalized,
        created_at: operation.at,
        updated_at: operation.at,
    }
    .into_active_model()
    .insert(txn)
    .await?;
    let changes = Changes::between(None, Some(&audit::snapshot(&created)?));
    audit::record(
        txn,
        operation,
        subject(&created),
        AuditAction::Create,
        changes,
    )
    .await?;
    Ok(created)
}

/// Adds an identity to a contact. Adding an e-mail, SMS or WhatsApp identity turns the matching
/// opt-in on unless `opt_in` says otherwise.
pub async fn add(
    db: &ScopedDb,
    region: country::Id,
    contact_id: Uuid,
    identity: NewIdentity,
    opt_in: Option<bool>,
    expected_version: Option<i32>,
) -> AppResult<(contact::Model, contact_identity::Model)> {
    let identity = normalize_one(identity, region)?;
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = contacts::find_visible(db, &txn, contact_id).await?;
    contacts::check_version(&current, expected_version)?;
    let channel = identity.channel;
    if let Some(existing) = owners(&txn, std::slice::from_ref(&identity)).await?.pop()
        && existing.contact_id == current.id
    {
        // The contact has it already: nothing changes, the version stays.
        return Ok((current, existing));
    }
    let added = match attach(&txn, &operation, &current, identity).await {
        Ok(added) => added,
        Err(err) => return Err(db.conceal_foreign_owner(&txn, err).await),
    };
    let mut preferences = ContactPatch::default();
    match channel {
        IdentityChannel::Email => preferences.email_opt_in = opt_in,
        IdentityChannel::Sms => preferences.sms_opt_in = opt_in,
        IdentityChannel::Whatsapp => preferences.whatsapp_opt_in = opt_in,
        _ => {}
    }
    preferences.opt_in_for(channel);
    let contact = contacts::apply_preferences(&txn, &operation, current, preferences).await?;
    txn.commit().await?;
    Ok((contact, added))
}

/// Removes an identity from its contact.
pub async fn remove(
    db: &ScopedDb,
    identity_id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<contact::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let identity = contact_identity::Entity::find_by_id(identity_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("contact identity"))?;
    let current = contacts::find_visible(db, &txn, identity.contact_id)
        .await
        .map_err(|_| AppError::not_found("contact identity"))?;
    contacts::check_version(&current, expected_version)?;
    contact_identity::Entity::delete_by_id(identity_id)
        .exec(&txn)
        .await?;
    audit::record_deleted(&txn, &operation, subject(&identity), &identity).await?;
    let contact = contacts::touch(&txn, &operation, &current).await?;
    txn.commit().await?;
    Ok(contact)
}

pub(crate) fn subject(identity: &contact_identity::Model) -> Subject {
    Subject {
        entity_type: AuditEntityType::ContactIdentity,
        entity_id: identity.id,
        contact_id: Some(identity.contact_id),
    }
}
