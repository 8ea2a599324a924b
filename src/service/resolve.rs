//! The inbound-message flow: find the contact behind a set of identities, or create one.

use std::collections::BTreeSet;

use entity::{contact, contact_identity, identity_conflict};
use phonenumber::country;
use sea_orm::{DatabaseTransaction, EntityTrait};
use uuid::Uuid;

use crate::config::MergeConfig;
use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::Operation;
use crate::service::conflicts;
use crate::service::contacts::{self, ContactPatch};
use crate::service::identities::{self, NewIdentity, NormalizedIdentity};
use crate::service::scope::ScopedDb;

/// How often a resolution is retried after losing a race to a concurrent one.
const ATTEMPTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every known identity belongs to one contact (or the auto-merge policy merged their
    /// contacts into one); unknown ones were attached to it.
    Matched,
    /// No identity was known; a contact was created with all of them.
    Created,
    /// The identities belong to two or more contacts; nothing was attached, an `OPEN` identity
    /// conflict was stored for review.
    Conflict,
}

#[derive(Debug, Clone)]
pub struct Resolution {
    pub outcome: Outcome,
    /// The matched or created contact; `None` on conflict.
    pub contact: Option<contact::Model>,
    /// The stored conflict: `OPEN` on `Conflict`, `MERGED` when the auto-merge policy settled it.
    pub conflict: Option<identity_conflict::Model>,
}

/// Resolves `identities` to one contact. Safe under concurrent calls: the unique index on
/// identities admits one creator, and the losers retry and match what it created. Identities of
/// two or more contacts are stored as an identity conflict; `policy` says whether compatible
/// contacts are merged at once instead.
pub async fn resolve(
    db: &ScopedDb,
    region: country::Id,
    policy: &MergeConfig,
    identities: Vec<NewIdentity>,
    fields: ContactPatch,
) -> AppResult<Resolution> {
    let identities = identities::normalize_all(identities, region)?;
    if identities.is_empty() {
        return Err(AppError::bad_input(
            "`identities` must name at least one identity",
        ));
    }
    let fields = fields.validated()?;
    let mut attempt = 1;
    loop {
        match try_resolve(db, policy, &identities, fields.clone()).await {
            Err(AppError::IdentityTaken { .. } | AppError::Conflict(_)) if attempt < ATTEMPTS => {
                attempt += 1;
            }
            result => return result,
        }
    }
}

async fn try_resolve(
    db: &ScopedDb,
    policy: &MergeConfig,
    identities: &[NormalizedIdentity],
    mut fields: ContactPatch,
) -> AppResult<Resolution> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let known = identities::owners(&txn, identities).await?;
    let owners: BTreeSet<Uuid> = known.iter().map(|identity| identity.contact_id).collect();
    let resolution = match owners.len() {
        0 => {
            if fields.last_name.is_none() {
                fields.last_name = Some(identities[0].value.clone());
            }
            for identity in identities {
                fields.opt_in_for(identity.channel);
            }
            let created = contacts::insert(db, &txn, &operation, fields).await?;
            let created = attach_all(&txn, &operation, created, identities, &known, false).await?;
            Resolution {
                outcome: Outcome::Created,
                contact: Some(created),
                conflict: None,
            }
        }
        1 => {
            let owner = owners.into_iter().next().unwrap_or_default();
            let contact = contact::Entity::find_by_id(owner)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::not_found("contact"))?;
            let contact = attach_all(&txn, &operation, contact, identities, &known, true).await?;
            Resolution {
                outcome: Outcome::Matched,
                contact: Some(contact),
                conflict: None,
            }
        }
        _ => {
            let merged = if policy.auto_merge {
                conflicts::auto_merge(db, &txn, &operation, identities, &known).await?
            } else {
                None
            };
            match merged {
                Some((contact, conflict)) => Resolution {
                    outcome: Outcome::Matched,
                    contact: Some(contact),
                    conflict: Some(conflict),
                },
                None => Resolution {
                    outcome: Outcome::Conflict,
                    contact: None,
                    conflict: Some(
                        conflicts::record(&txn, &operation, identities, &known, None).await?,
                    ),
                },
            }
        }
    };
    txn.commit().await?;
    Ok(resolution)
}

/// Attaches the identities not yet known; for an existing contact that is a change that turns
/// on the implied opt-ins and raises its version.
pub(crate) async fn attach_all(
    txn: &DatabaseTransaction,
    operation: &Operation,
    contact: contact::Model,
    identities: &[NormalizedIdentity],
    known: &[contact_identity::Model],
    existing_contact: bool,
) -> AppResult<contact::Model> {
    let mut preferences = ContactPatch::default();
    let mut attached = false;
    for identity in identities {
        let is_known = known
            .iter()
            .any(|k| k.channel == identity.channel && k.normalized_value == identity.normalized);
        if !is_known {
            identities::attach(txn, operation, &contact, identity.clone()).await?;
            preferences.opt_in_for(identity.channel);
            attached = true;
        }
    }
    if existing_contact && attached {
        return contacts::apply_preferences(txn, operation, contact, preferences).await;
    }
    Ok(contact)
}
