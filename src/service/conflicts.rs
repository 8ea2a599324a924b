//! Identity conflicts: the identities of one inbound message that belong to two or more
//! contacts. `resolveContact` stores one (status `OPEN`) for a person to settle by merging the
//! contacts or dismissing it; with the auto-merge policy on, contacts that share no conflicting
//! field values are merged at once and the conflict is stored as `MERGED`.
//!
//! Audit: every write has its entry in the same transaction. Entries written by the auto-merge
//! policy (the merges and the stored conflict) have the actor [`AUTO_MERGE_ACTOR`]; identities
//! attached afterwards carry the caller's actor, as in any `MATCHED` resolution. All entries of
//! one call share one operation id.

use std::collections::BTreeSet;

use entity::enums::{AuditAction, AuditEntityType, IdentityChannel, IdentityConflictStatus};
use entity::{contact, contact_identity, identity_conflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::identities::{self, NormalizedIdentity};
use crate::service::merge::{self, MergeRequest};
use crate::service::record::Record;
use crate::service::resolve;
use crate::service::scope::ScopedDb;

/// `resolved_by` of conflicts, and the actor of audit entries, written by the auto-merge policy.
pub const AUTO_MERGE_ACTOR: &str = "auto-merge";

/// One inbound identity of a conflict, as stored in `identity_conflict.identities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConflictIdentity {
    pub channel: IdentityChannel,
    pub value: String,
    pub normalized_value: String,
    /// The contact that owned it when the conflict was recorded; `None` if it was unknown.
    pub contact_id: Option<Uuid>,
}

impl ConflictIdentity {
    fn to_normalized(&self) -> NormalizedIdentity {
        NormalizedIdentity {
            channel: self.channel,
            value: self.value.clone(),
            normalized: self.normalized_value.clone(),
        }
    }
}

/// The stored inbound identities of a conflict.
pub fn identities_of(conflict: &identity_conflict::Model) -> AppResult<Vec<ConflictIdentity>> {
    serde_json::from_value(conflict.identities.clone()).map_err(AppError::internal)
}

/// The contacts a conflict involved, oldest first (ids may have been merged away since).
pub fn contact_ids_of(conflict: &identity_conflict::Model) -> AppResult<Vec<Uuid>> {
    serde_json::from_value(conflict.contact_ids.clone()).map_err(AppError::internal)
}

/// The list filter of `identityConflicts(status:)`: every conflict when `None`.
pub fn with_status(status: Option<IdentityConflictStatus>) -> Condition {
    match status {
        Some(status) => Condition::all().add(identity_conflict::Column::Status.eq(status)),
        None => Condition::all(),
    }
}

/// How a person settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Merge every other involved contact that still exists into `survivor_id` (one of the
    /// conflict's contacts), then attach the inbound identities nobody owns to it.
    Merge {
        survivor_id: Uuid,
        allow_cross_account: bool,
    },
    /// The contacts are different people; nothing but the conflict changes.
    Dismiss,
}

/// A settled conflict and, after a merge, the survivor.
#[derive(Debug, Clone)]
pub struct Settled {
    pub conflict: identity_conflict::Model,
    pub survivor: Option<contact::Model>,
}

fn subject(conflict: &identity_conflict::Model) -> Subject {
    Subject {
        entity_type: AuditEntityType::IdentityConflict,
        entity_id: conflict.id,
        contact_id: conflict.survivor_id,
    }
}

/// Stores a conflict over `identities` (the `known` ones are owned by two or more contacts) in
/// the caller's transaction, with its CREATE entry. `survivor` marks it merged by `operation`.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    operation: &Operation,
    identities: &[NormalizedIdentity],
    known: &[contact_identity::Model],
    survivor: Option<Uuid>,
) -> AppResult<identity_conflict::Model> {
    let inbound: Vec<ConflictIdentity> = identities
        .iter()
        .map(|identity| ConflictIdentity {
            channel: identity.channel,
            value: identity.value.clone(),
            normalized_value: identity.normalized.clone(),
            contact_id: known
                .iter()
                .find(|k| {
                    k.channel == identity.channel && k.normalized_value == identity.normalized
                })
                .map(|k| k.contact_id),
        })
        .collect();
    // UUID v7 ids sort in creation order, so the set is oldest first.
    let contact_ids: BTreeSet<Uuid> = known.iter().map(|k| k.contact_id).collect();
    let (status, resolved_at, resolved_by) = match survivor {
        Some(_) => (
            IdentityConflictStatus::Merged,
            Some(operation.at),
            Some(operation.actor.clone()),
        ),
        None => (IdentityConflictStatus::Open, None, None),
    };
    let created = identity_conflict::Model {
        id: Uuid::now_v7(),
        status,
        identities: serde_json::to_value(inbound).map_err(AppError::internal)?,
        contact_ids: serde_json::to_value(contact_ids).map_err(AppError::internal)?,
        resolved_at,
        resolved_by,
        survivor_id: survivor,
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

/// The auto-merge policy: if the contacts owning `known` share no conflicting field values,
/// merges them into the oldest, attaches the unknown identities and stores the conflict as
/// `MERGED`. `None` (nothing written) when they conflict.
pub(crate) async fn auto_merge(
    db: &ScopedDb,
    txn: &DatabaseTransaction,
    operation: &Operation,
    identities: &[NormalizedIdentity],
    known: &[contact_identity::Model],
) -> AppResult<Option<(contact::Model, identity_conflict::Model)>> {
    let owners: BTreeSet<Uuid> = known.iter().map(|k| k.contact_id).collect();
    let contacts = contact::Entity::find()
        .filter(contact::Entity::visible_with_ids(
            db.scope(),
            owners.iter().copied(),
        ))
        .order_by_asc(contact::Column::Id)
        .all(txn)
        .await?;
    let owned = contact_identity::Entity::find()
        .filter(contact_identity::Column::ContactId.is_in(owners.iter().copied()))
        .all(txn)
        .await?;
    if contacts.len() != owners.len() || !compatible(&contacts, &owned) {
        return Ok(None);
    }
    let Some((oldest, others)) = contacts.split_first() else {
        return Ok(None);
    };
    let policy = Operation {
        actor: AUTO_MERGE_ACTOR.to_owned(),
        ..operation.clone()
    };
    let mut survivor = oldest.clone();
    for merged in others {
        let request = MergeRequest {
            survivor_id: oldest.id,
            merged_id: merged.id,
            ..MergeRequest::default()
        };
        survivor = merge::merge_in(db, txn, &policy, request).await?;
    }
    let conflict = record(txn, &policy, identities, known, Some(oldest.id)).await?;
    let survivor = resolve::attach_all(txn, operation, survivor, identities, known, true).await?;
    Ok(Some((survivor, conflict)))
}

/// Whether contacts are one person as far as their fields tell: for every field, all non-empty
/// values are equal (so at most one account is named). A surname that is one of the contact's
/// own identity values is the placeholder `resolveContact` gives a contact created without a
/// surname, and counts as empty.
fn compatible(contacts: &[contact::Model], identities: &[contact_identity::Model]) -> bool {
    fn agree<T: PartialEq>(values: impl Iterator<Item = Option<T>>) -> bool {
        let mut first: Option<T> = None;
        for value in values.flatten() {
            match &first {
                None => first = Some(value),
                Some(seen) if *seen != value => return false,
                Some(_) => {}
            }
        }
        true
    }
    macro_rules! all_agree {
        ($($field:ident),*) => { true $(&& agree(contacts.iter().map(|c| c.$field.as_ref())))* };
    }
    let placeholder = |c: &contact::Model| {
        identities.iter().any(|i| {
            i.contact_id == c.id && (i.value == c.last_name || i.normalized_value == c.last_name)
        })
    };
    all_agree!(
        account_id,
        title,
        first_name,
        alias,
        job_title,
        description,
        timezone,
        street,
        city,
        state,
        postal_code,
        country
    ) && agree(
        contacts
            .iter()
            .map(|c| (!placeholder(c)).then_some(&c.last_name)),
    )
}

/// Settles an `OPEN` conflict, in one transaction with every entry. Unknown id: `NOT_FOUND`;
/// settled already: `CONFLICT`; a survivor that is not one of the conflict's contacts:
/// `BAD_USER_INPUT`.
pub async fn resolve_conflict(
    db: &ScopedDb,
    id: Uuid,
    settlement: Settlement,
) -> AppResult<Settled> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let conflict = identity_conflict::Entity::find()
        .filter(identity_conflict::Entity::visible_with_ids(
            db.scope(),
            [id],
        ))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("identity conflict"))?;
    let (status, survivor_id) = match settlement {
        Settlement::Merge { survivor_id, .. } => {
            if !contact_ids_of(&conflict)?.contains(&survivor_id) {
                return Err(AppError::bad_input(
                    "`survivorId` must be one of the conflict's contacts",
                ));
            }
            (IdentityConflictStatus::Merged, Some(survivor_id))
        }
        Settlement::Dismiss => (IdentityConflictStatus::Dismissed, None),
    };
    let settled = claim(&txn, &operation, &conflict, status, survivor_id).await?;
    let survivor = match settlement {
        Settlement::Merge {
            survivor_id,
            allow_cross_account,
        } => {
            let survivor = merge_into(
                db,
                &txn,
                &operation,
                &conflict,
                survivor_id,
                allow_cross_account,
            )
            .await?;
            Some(survivor)
        }
        Settlement::Dismiss => None,
    };
    let changes = Changes::between(
        Some(&audit::snapshot(&conflict)?),
        Some(&audit::snapshot(&settled)?),
    );
    audit::record(
        &txn,
        &operation,
        subject(&settled),
        AuditAction::Update,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(Settled {
        conflict: settled,
        survivor,
    })
}

/// Moves the conflict out of `OPEN` with a conditional update, so that of two concurrent
/// settlements exactly one proceeds (on PostgreSQL the second waits for the row, then finds it
/// settled) and the other gets `CONFLICT`.
async fn claim(
    txn: &DatabaseTransaction,
    operation: &Operation,
    conflict: &identity_conflict::Model,
    status: IdentityConflictStatus,
    survivor_id: Option<Uuid>,
) -> AppResult<identity_conflict::Model> {
    let updated = identity_conflict::Entity::update_many()
        .col_expr(identity_conflict::Column::Status, Expr::value(status))
        .col_expr(
            identity_conflict::Column::ResolvedAt,
            Expr::value(operation.at),
        )
        .col_expr(
            identity_conflict::Column::ResolvedBy,
            Expr::value(operation.actor.clone()),
        )
        .col_expr(
            identity_conflict::Column::SurvivorId,
            Expr::value(survivor_id),
        )
        .col_expr(
            identity_conflict::Column::UpdatedAt,
            Expr::value(operation.at),
        )
        .filter(identity_conflict::Column::Id.eq(conflict.id))
        .filter(identity_conflict::Column::Status.eq(IdentityConflictStatus::Open))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::conflict(
            "the identity conflict was settled already",
        ));
    }
    identity_conflict::Entity::find_by_id(conflict.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("identity conflict"))
}

/// Merges every other involved contact that still exists into the survivor, then attaches the
/// inbound identities that nobody owns now.
async fn merge_into(
    db: &ScopedDb,
    txn: &DatabaseTransaction,
    operation: &Operation,
    conflict: &identity_conflict::Model,
    survivor_id: Uuid,
    allow_cross_account: bool,
) -> AppResult<contact::Model> {
    let mut survivor = crate::service::contacts::find_for_destruction(db, txn, survivor_id).await?;
    for merged_id in contact_ids_of(conflict)? {
        if merged_id == survivor_id {
            continue;
        }
        let exists = contact::Entity::find()
            .filter(contact::Entity::visible_with_ids(db.scope(), [merged_id]))
            .count(txn)
            .await?
            > 0;
        if exists {
            let request = MergeRequest {
                survivor_id,
                merged_id,
                allow_cross_account,
                ..MergeRequest::default()
            };
            survivor = merge::merge_in(db, txn, operation, request).await?;
        }
    }
    let inbound: Vec<NormalizedIdentity> = identities_of(conflict)?
        .iter()
        .map(ConflictIdentity::to_normalized)
        .collect();
    let owned = identities::owners(txn, &inbound).await?;
    resolve::attach_all(txn, operation, survivor, &inbound, &owned, true).await
}
