//! Merging two contacts: plan first, then apply the plan in one transaction.
//!
//! The plan says everything the merge will do (what moves, which field values are kept or
//! dropped, the account outcome), so a preview can show it and the merge can apply exactly it.
//! The survivor wins every conflicting field; its empty fields are filled from the merged
//! contact. The merged contact is deleted and its id redirects to the survivor from then on.

use entity::enums::{AuditAction, AuditEntityType};
use entity::{
    account, audit_entry, communication_method, contact, contact_identity, contact_redirect,
    incident, opportunity,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
    sea_query::Expr,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::contacts;
use crate::service::scope::ScopedDb;

/// The value a field ends with, and the merged contact's value it drops if they differ.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldOutcome {
    pub field: &'static str,
    pub kept: Value,
    pub dropped: Value,
}

/// Everything a merge of `merged` into `survivor` does.
#[derive(Debug, Clone)]
pub struct MergePlan {
    pub survivor: contact::Model,
    pub merged: contact::Model,
    /// The survivor as it will be: its own values, empty ones filled from the merged contact.
    pub result: contact::Model,
    /// Every field the merged contact has a value for.
    pub fields: Vec<FieldOutcome>,
    pub identities: Vec<Uuid>,
    pub communication_methods: Vec<Uuid>,
    pub incidents: Vec<Uuid>,
    pub opportunities: Vec<Uuid>,
    /// Both contacts belong to accounts, and not the same one.
    pub cross_account: bool,
    /// Accounts whose primary contact is the merged contact.
    pub primary_contact_of: Vec<Uuid>,
}

macro_rules! fill {
    ($result:ident, $merged:ident, $fields:ident, $($name:literal => $field:ident),* $(,)?) => {$(
        if let Some(value) = &$merged.$field {
            match &$result.$field {
                None => {
                    $result.$field = Some(value.clone());
                    $fields.push(FieldOutcome { field: $name, kept: json!(value), dropped: Value::Null });
                }
                Some(own) => $fields.push(FieldOutcome {
                    field: $name,
                    kept: json!(own),
                    dropped: if own == value { Value::Null } else { json!(value) },
                }),
            }
        }
    )*};
}

fn combine(
    survivor: &contact::Model,
    merged: &contact::Model,
) -> (contact::Model, Vec<FieldOutcome>) {
    let mut result = survivor.clone();
    let mut fields = Vec::new();
    fill!(result, merged, fields,
        "accountId" => account_id, "title" => title, "firstName" => first_name,
        "alias" => alias, "jobTitle" => job_title, "description" => description,
        "timezone" => timezone, "street" => street, "city" => city, "state" => state,
        "postalCode" => postal_code, "country" => country,
    );
    if survivor.last_name != merged.last_name {
        fields.push(FieldOutcome {
            field: "lastName",
            kept: json!(survivor.last_name),
            dropped: json!(merged.last_name),
        });
    }
    (result, fields)
}

async fn ids_where<E, C>(
    conn: &C,
    column: E::Column,
    contact_id: Uuid,
    id: E::Column,
) -> AppResult<Vec<Uuid>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(E::find()
        .select_only()
        .column(id)
        .filter(column.eq(contact_id))
        .order_by_asc(id)
        .into_tuple()
        .all(conn)
        .await?)
}

impl MergePlan {
    /// A fingerprint of everything the plan depends on: both contacts' versions and every row
    /// that moves. A preview hands it out; a merge given it refuses to run if it changed.
    pub fn hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let basis = json!({
            "survivor": [self.survivor.id, self.survivor.version, self.survivor.updated_at],
            "merged": [self.merged.id, self.merged.version, self.merged.updated_at],
            "identities": self.identities,
            "communicationMethods": self.communication_methods,
            "incidents": self.incidents,
            "opportunities": self.opportunities,
            "primaryContactOf": self.primary_contact_of,
        });
        let digest = Sha256::digest(basis.to_string().as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// Computes the plan. Refuses a self-merge (`BAD_USER_INPUT`), unknown contacts (`NOT_FOUND`) and
/// ids that were merged away already (`CONFLICT` naming their survivor).
pub async fn plan<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    survivor_id: Uuid,
    merged_id: Uuid,
) -> AppResult<MergePlan> {
    if survivor_id == merged_id {
        return Err(AppError::bad_input(
            "a contact cannot be merged with itself",
        ));
    }
    let survivor = contacts::find_for_destruction(db, conn, survivor_id).await?;
    let merged = contacts::find_for_destruction(db, conn, merged_id).await?;
    let (result, fields) = combine(&survivor, &merged);
    let cross_account =
        matches!((survivor.account_id, merged.account_id), (Some(a), Some(b)) if a != b);
    Ok(MergePlan {
        identities: ids_where::<contact_identity::Entity, _>(
            conn,
            contact_identity::Column::ContactId,
            merged_id,
            contact_identity::Column::Id,
        )
        .await?,
        communication_methods: ids_where::<communication_method::Entity, _>(
            conn,
            communication_method::Column::ContactId,
            merged_id,
            communication_method::Column::Id,
        )
        .await?,
        incidents: ids_where::<incident::Entity, _>(
            conn,
            incident::Column::PrimaryContactId,
            merged_id,
            incident::Column::Id,
        )
        .await?,
        opportunities: ids_where::<opportunity::Entity, _>(
            conn,
            opportunity::Column::PrimaryContactId,
            merged_id,
            opportunity::Column::Id,
        )
        .await?,
        primary_contact_of: ids_where::<account::Entity, _>(
            conn,
            account::Column::PrimaryContactId,
            merged_id,
            account::Column::Id,
        )
        .await?,
        survivor,
        merged,
        result,
        fields,
        cross_account,
    })
}

/// The plan of a merge and the number of audit entries that will show in the survivor's log,
/// read in one transaction so the two agree. Writes nothing.
pub async fn preview(
    db: &ScopedDb,
    survivor_id: Uuid,
    merged_id: Uuid,
) -> AppResult<(MergePlan, u64)> {
    let txn = db.conn().begin().await?;
    let plan = plan(db, &txn, survivor_id, merged_id).await?;
    let merged_ids = redirected_to(&txn, merged_id).await?;
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::ContactId.is_in(merged_ids))
        .count(&txn)
        .await?;
    txn.commit().await?;
    Ok((plan, entries))
}

/// A contact's id and every id redirected to it.
async fn redirected_to<C: ConnectionTrait>(conn: &C, id: Uuid) -> AppResult<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = contact_redirect::Entity::find()
        .select_only()
        .column(contact_redirect::Column::MergedId)
        .filter(contact_redirect::Column::SurvivorId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    ids.push(id);
    Ok(ids)
}

/// Merges `merged_id` into `survivor_id`, irreversibly and atomically. Contacts of two different
/// accounts are refused (`CONFLICT`) unless `allow_cross_account`; then the survivor's account
/// stays.
pub async fn merge(db: &ScopedDb, request: MergeRequest) -> AppResult<contact::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let survivor = merge_in(db, &txn, &operation, request).await?;
    txn.commit().await?;
    Ok(survivor)
}

/// What to merge and under which conditions.
#[derive(Debug, Clone, Default)]
pub struct MergeRequest {
    pub survivor_id: Uuid,
    pub merged_id: Uuid,
    pub allow_cross_account: bool,
    /// The `planHash` of a preview: the merge is refused (`CONFLICT`) if the plan changed since.
    pub expected_plan_hash: Option<String>,
}

/// Merges inside the caller's transaction (for flows that merge as one step of more).
pub async fn merge_in(
    db: &ScopedDb,
    txn: &DatabaseTransaction,
    operation: &Operation,
    request: MergeRequest,
) -> AppResult<contact::Model> {
    // Concurrent merges of the same contacts queue here (PostgreSQL row locks, taken in id
    // order so two merges cannot deadlock; SQLite writers are serialized by BEGIN IMMEDIATE)
    // and the later one then sees the earlier one's result.
    contact::Entity::find()
        .filter(contact::Column::Id.is_in([request.survivor_id, request.merged_id]))
        .order_by_asc(contact::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?;
    let plan = plan(db, txn, request.survivor_id, request.merged_id).await?;
    if let Some(expected) = &request.expected_plan_hash
        && *expected != plan.hash()
    {
        return Err(AppError::conflict(
            "the contacts changed since the merge was previewed; preview it again",
        ));
    }
    let allow_cross_account = request.allow_cross_account;
    if plan.cross_account && !allow_cross_account {
        return Err(AppError::conflict(
            "the contacts belong to different accounts; pass `allowCrossAccount: true` to merge \
             them anyway (the survivor's account stays)",
        ));
    }
    apply(txn, operation, &plan).await
}

async fn apply(
    txn: &DatabaseTransaction,
    operation: &Operation,
    plan: &MergePlan,
) -> AppResult<contact::Model> {
    let (survivor, merged) = (&plan.survivor, &plan.merged);
    move_owned(txn, operation, plan).await?;
    contacts::reassign(txn, operation, merged.id, survivor).await?;
    for account_id in &plan.primary_contact_of {
        let takes_over = plan.result.account_id == Some(*account_id);
        let mut active = account::Entity::find_by_id(*account_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::not_found("account"))?
            .into_active_model();
        active.primary_contact_id = Set(takes_over.then_some(survivor.id));
        active.updated_at = Set(operation.at);
        active.update(txn).await?;
        let changes = Changes::default().with(
            "primaryContactId",
            json!(merged.id),
            json!(takes_over.then_some(survivor.id)),
        );
        let subject = Subject {
            entity_type: AuditEntityType::Account,
            entity_id: *account_id,
            contact_id: Some(survivor.id),
        };
        audit::record(txn, operation, subject, AuditAction::Update, changes).await?;
    }
    // Redirects that named the merged contact now name the survivor: chains stay one hop long.
    contact_redirect::Entity::update_many()
        .col_expr(
            contact_redirect::Column::SurvivorId,
            Expr::value(survivor.id),
        )
        .filter(contact_redirect::Column::SurvivorId.eq(merged.id))
        .exec(txn)
        .await?;
    contact_redirect::Model {
        merged_id: merged.id,
        survivor_id: survivor.id,
        merged_at: operation.at,
        actor: operation.actor.clone(),
    }
    .into_active_model()
    .insert(txn)
    .await?;
    contact::Entity::delete_by_id(merged.id).exec(txn).await?;
    let saved = contacts::save(txn, operation, plan.result.clone()).await?;

    let mut changes = Changes::between(
        Some(&audit::snapshot(survivor)?),
        Some(&audit::snapshot(&plan.result)?),
    );
    changes = changes
        .with("mergedId", Value::Null, json!(merged.id))
        .with(
            "mergedContact",
            Value::Null,
            Value::Object(audit::snapshot(merged)?),
        )
        .with("plan", Value::Null, plan_record(plan))
        .with(
            "moved",
            Value::Null,
            json!({
                "identities": plan.identities, "communicationMethods": plan.communication_methods,
                "incidents": plan.incidents, "opportunities": plan.opportunities,
            }),
        );
    let gone = Changes::default().with("survivorId", Value::Null, json!(survivor.id));
    audit::record(
        txn,
        operation,
        contacts::subject(merged),
        AuditAction::Merge,
        gone,
    )
    .await?;
    audit::record(
        txn,
        operation,
        contacts::subject(&saved),
        AuditAction::Merge,
        changes,
    )
    .await?;
    Ok(saved)
}

/// The plan as the MERGE audit entry keeps it.
fn plan_record(plan: &MergePlan) -> Value {
    let fields: Vec<Value> = plan
        .fields
        .iter()
        .map(|f| json!({ "field": f.field, "kept": f.kept, "dropped": f.dropped }))
        .collect();
    json!({
        "hash": plan.hash(),
        "fields": fields,
        "accountId": plan.result.account_id,
        "crossAccount": plan.cross_account,
        "primaryContactOf": plan.primary_contact_of,
    })
}

/// Moves identities and own communication methods, one audit entry each.
async fn move_owned(
    txn: &DatabaseTransaction,
    operation: &Operation,
    plan: &MergePlan,
) -> AppResult<()> {
    let (survivor, merged) = (plan.survivor.id, plan.merged.id);
    let changes = || Changes::default().with("contactId", json!(merged), json!(survivor));
    for id in &plan.identities {
        contact_identity::Entity::update_many()
            .col_expr(contact_identity::Column::ContactId, Expr::value(survivor))
            .col_expr(
                contact_identity::Column::UpdatedAt,
                Expr::value(operation.at),
            )
            .filter(contact_identity::Column::Id.eq(*id))
            .exec(txn)
            .await?;
        let subject = Subject {
            entity_type: AuditEntityType::ContactIdentity,
            entity_id: *id,
            contact_id: Some(survivor),
        };
        audit::record(txn, operation, subject, AuditAction::Update, changes()).await?;
    }
    for id in &plan.communication_methods {
        communication_method::Entity::update_many()
            .col_expr(
                communication_method::Column::ContactId,
                Expr::value(survivor),
            )
            .col_expr(
                communication_method::Column::UpdatedAt,
                Expr::value(operation.at),
            )
            .filter(communication_method::Column::Id.eq(*id))
            .exec(txn)
            .await?;
        let subject = Subject {
            entity_type: AuditEntityType::CommunicationMethod,
            entity_id: *id,
            contact_id: Some(survivor),
        };
        audit::record(txn, operation, subject, AuditAction::Update, changes()).await?;
    }
    Ok(())
}
