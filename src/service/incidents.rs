//! Incidents (cases): create, update, delete and moving a case to another contact, with their
//! rules and audit entries.
//!
//! Rules beyond field validation:
//! - Every case has a primary contact. On create, an omitted account defaults to that contact's
//!   account; an explicit `null` means no account. The account is not changed afterwards by
//!   moving the case to another contact.
//! - `reportedByPartnerId` names a partner account. When the case's account has a partner, only
//!   that partner may be named: a partner reports cases for the customers it serves. An account
//!   without a partner, or no account, accepts any partner. The rule is checked whenever the
//!   account or the reporting partner changes.
//! - A status change to `SOLVED` or `CLOSED` sets `closedAt` to the time of the change (also
//!   `SOLVED` -> `CLOSED`); a change to `NEW`, `OPEN` or `PENDING` clears it. Setting the status
//!   it already has changes nothing.
//! - A contact id that was merged away names its survivor, which is what gets stored.
//! - Audit entries carry the case's primary contact, so the contact's log shows them. A move to
//!   another contact is one entry, filed under the new contact (see [`change_contact`]).

use chrono::{DateTime, Utc};
use entity::enums::{
    AuditAction, AuditEntityType, IncidentChannel, IncidentPriority, IncidentStatus,
};
use entity::{account, contact, incident};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::contacts;
use crate::service::patch::Patch;
use crate::service::scope::ScopedDb;
use crate::service::validate::{self, MAX_LINE, MAX_TEXT};

/// A new case.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub subject: String,
    pub description: Option<String>,
    pub primary_contact_id: Uuid,
    /// `Keep` (omitted): the primary contact's account; `Clear`: no account.
    pub account_id: Patch<Uuid>,
    pub reported_by_partner_id: Option<Uuid>,
    /// Defaults to `NEW`.
    pub status: Option<IncidentStatus>,
    /// Defaults to `NORMAL`.
    pub priority: Option<IncidentPriority>,
    pub channel: Option<IncidentChannel>,
}

/// Changes to a case; the primary contact changes through [`change_contact`] only.
#[derive(Debug, Clone, Default)]
pub struct IncidentPatch {
    /// Required on the record: `None` keeps it, it can never be cleared.
    pub subject: Option<String>,
    pub description: Patch<String>,
    pub account_id: Patch<Uuid>,
    pub reported_by_partner_id: Patch<Uuid>,
    pub status: Option<IncidentStatus>,
    pub priority: Option<IncidentPriority>,
    pub channel: Patch<IncidentChannel>,
}

impl IncidentPatch {
    /// Validates every given field; the result only holds clean values.
    fn validated(self) -> AppResult<Self> {
        Ok(Self {
            subject: self
                .subject
                .map(|subject| validate::required("subject", subject, MAX_LINE))
                .transpose()?,
            description: description(self.description)?,
            ..self
        })
    }

    fn touches_references(&self) -> bool {
        !self.account_id.is_keep() || !self.reported_by_partner_id.is_keep()
    }

    fn apply(self, mut model: incident::Model, at: DateTime<Utc>) -> incident::Model {
        model.subject = self.subject.unwrap_or(model.subject);
        model.description = self.description.apply(model.description);
        model.account_id = self.account_id.apply(model.account_id);
        model.reported_by_partner_id = self
            .reported_by_partner_id
            .apply(model.reported_by_partner_id);
        model.priority = self.priority.unwrap_or(model.priority);
        model.channel = self.channel.apply(model.channel);
        if let Some(status) = self.status
            && status != model.status
        {
            model.status = status;
            model.closed_at = closed_at(status, at);
        }
        model
    }
}

/// A blank description clears it.
fn description(patch: Patch<String>) -> AppResult<Patch<String>> {
    Ok(
        match patch.try_map(|text| validate::optional("description", text, MAX_TEXT))? {
            Patch::Keep => Patch::Keep,
            Patch::Clear | Patch::Set(None) => Patch::Clear,
            Patch::Set(Some(text)) => Patch::Set(text),
        },
    )
}

fn is_closed(status: IncidentStatus) -> bool {
    matches!(status, IncidentStatus::Solved | IncidentStatus::Closed)
}

/// `closedAt` of a case that enters `status` at `at`.
fn closed_at(status: IncidentStatus, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    is_closed(status).then_some(at)
}

async fn find_incident<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    id: Uuid,
) -> AppResult<incident::Model> {
    db.find::<incident::Entity, _>(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("incident"))
}

/// A contact id that was merged away names its survivor.
async fn find_contact<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    field: &str,
    id: Uuid,
) -> AppResult<contact::Model> {
    contacts::find_visible(db, conn, id)
        .await
        .map_err(|err| match err {
            AppError::NotFound(_) => AppError::missing(field, "contact"),
            other => other,
        })
}

async fn find_account<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    field: &str,
    id: Uuid,
) -> AppResult<account::Model> {
    db.find::<account::Entity, _>(conn, id)
        .await?
        .ok_or_else(|| AppError::missing(field, "account"))
}

/// The reporting partner must be a partner account, and the partner of the case's account when
/// that account has one.
async fn check_partner<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    account: Option<&account::Model>,
    partner_id: Option<Uuid>,
) -> AppResult<()> {
    let Some(partner_id) = partner_id else {
        return Ok(());
    };
    let partner = find_account(db, conn, "reportedByPartnerId", partner_id).await?;
    if !partner.is_partner {
        return Err(AppError::bad_input(
            "`reportedByPartnerId`: the account is not a partner",
        ));
    }
    if let Some(account) = account
        && let Some(expected) = account.partner_id
        && expected != partner_id
    {
        return Err(AppError::bad_input(
            "`reportedByPartnerId`: the incident's account has another partner",
        ));
    }
    Ok(())
}

fn subject(incident: &incident::Model) -> Subject {
    Subject {
        entity_type: AuditEntityType::Incident,
        entity_id: incident.id,
        contact_id: Some(incident.primary_contact_id),
    }
}

/// Stores a changed case with its UPDATE entry, unless nothing changed.
async fn save(
    txn: &DatabaseTransaction,
    operation: &Operation,
    current: incident::Model,
    mut updated: incident::Model,
) -> AppResult<incident::Model> {
    let changes = Changes::between(
        Some(&audit::snapshot(&current)?),
        Some(&audit::snapshot(&updated)?),
    );
    if changes.is_empty() {
        return Ok(current);
    }
    updated.updated_at = operation.at;
    let saved = updated.into_active_model().reset_all().update(txn).await?;
    audit::record(
        txn,
        operation,
        subject(&saved),
        AuditAction::Update,
        changes,
    )
    .await?;
    Ok(saved)
}

/// Opens a case, in one transaction with its CREATE entry.
pub async fn create(db: &ScopedDb, new: NewIncident) -> AppResult<incident::Model> {
    let subject_line = validate::required("subject", new.subject, MAX_LINE)?;
    let description = description(new.description.map_or(Patch::Keep, Patch::Set))?;
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let contact = find_contact(db, &txn, "primaryContactId", new.primary_contact_id).await?;
    let account_id = new.account_id.clone().apply(contact.account_id);
    db.check_incident_account(account_id)?;
    let account = match (new.account_id, account_id) {
        (Patch::Set(id), _) => Some(find_account(db, &txn, "accountId", id).await?),
        (_, Some(id)) => db.find::<account::Entity, _>(&txn, id).await?,
        (_, None) => None,
    };
    let reported_by_partner_id = db.reporting_partner(new.reported_by_partner_id)?;
    check_partner(db, &txn, account.as_ref(), reported_by_partner_id).await?;
    let status = new.status.unwrap_or(IncidentStatus::New);
    let model = incident::Model {
        id: Uuid::now_v7(),
        account_id,
        primary_contact_id: contact.id,
        reported_by_partner_id,
        subject: subject_line,
        description: description.apply(None),
        status,
        priority: new.priority.unwrap_or(IncidentPriority::Normal),
        channel: new.channel,
        closed_at: closed_at(status, operation.at),
        created_at: operation.at,
        updated_at: operation.at,
    };
    let created = model.into_active_model().insert(&txn).await?;
    let changes = Changes::between(None, Some(&audit::snapshot(&created)?));
    audit::record(
        &txn,
        &operation,
        subject(&created),
        AuditAction::Create,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Changes the given fields; an update that changes nothing writes nothing.
pub async fn update(db: &ScopedDb, id: Uuid, patch: IncidentPatch) -> AppResult<incident::Model> {
    let patch = patch.validated()?;
    db.check_reporting_change(&patch.reported_by_partner_id)?;
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_incident(db, &txn, id).await?;
    if !patch.account_id.is_keep() {
        db.check_incident_account(patch.account_id.clone().apply(None))?;
    }
    if patch.touches_references() {
        let account = match (&patch.account_id, current.account_id) {
            (Patch::Set(id), _) => Some(find_account(db, &txn, "accountId", *id).await?),
            (Patch::Keep, Some(id)) => db.find::<account::Entity, _>(&txn, id).await?,
            (Patch::Keep, None) | (Patch::Clear, _) => None,
        };
        let partner_id = patch
            .reported_by_partner_id
            .clone()
            .apply(current.reported_by_partner_id);
        check_partner(db, &txn, account.as_ref(), partner_id).await?;
    }
    let updated = patch.apply(current.clone(), operation.at);
    let saved = save(&txn, &operation, current, updated).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Deletes a case; its audit entries stay.
pub async fn delete(db: &ScopedDb, id: Uuid) -> AppResult<incident::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_incident(db, &txn, id).await?;
    incident::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record_deleted(&txn, &operation, subject(&current), &current).await?;
    txn.commit().await?;
    Ok(current)
}

/// Moves a case to another contact. The case keeps its account and reporting partner.
///
/// One UPDATE entry records the move, filed under the new contact; its `primaryContactId`
/// change names the previous contact as `before`. The previous contact's own log does not list
/// it, in keeping with one entry per changed record (as for cases moved by a contact deletion).
pub async fn change_contact(
    db: &ScopedDb,
    id: Uuid,
    contact_id: Uuid,
) -> AppResult<incident::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_incident(db, &txn, id).await?;
    let contact = find_contact(db, &txn, "contactId", contact_id).await?;
    if contact.id == current.primary_contact_id {
        return Err(AppError::bad_input(
            "`contactId` is already the incident's primary contact",
        ));
    }
    let mut updated = current.clone();
    updated.primary_contact_id = contact.id;
    let saved = save(&txn, &operation, current, updated).await?;
    txn.commit().await?;
    Ok(saved)
}
