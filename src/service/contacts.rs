//! Contacts: create, update, delete, with their rules and audit entries.

use entity::enums::{AuditAction, AuditEntityType, EmailFormat, IdentityChannel};
use entity::{account, communication_method, contact, contact_identity, incident, opportunity};
use phonenumber::country;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::identities::{self, NewIdentity};
use crate::service::methods;
use crate::service::patch::Patch;
use crate::service::relations;
use crate::service::scope::ScopedDb;
use crate::service::validate::{self, MAX_LINE, MAX_TEXT};

/// The person fields of a contact, shared by create, update and resolve.
#[derive(Debug, Clone, Default)]
pub struct ContactPatch {
    pub account_id: Patch<Uuid>,
    pub title: Patch<String>,
    pub first_name: Patch<String>,
    /// Required on the record: `None` keeps it, it can never be cleared.
    pub last_name: Option<String>,
    pub alias: Patch<String>,
    pub job_title: Patch<String>,
    pub description: Patch<String>,
    pub timezone: Patch<String>,
    pub email_format: Option<EmailFormat>,
    pub marketing_opt_in: Option<bool>,
    pub email_opt_in: Option<bool>,
    pub sms_opt_in: Option<bool>,
    pub whatsapp_opt_in: Option<bool>,
    pub street: Patch<String>,
    pub city: Patch<String>,
    pub state: Patch<String>,
    pub postal_code: Patch<String>,
    pub country: Patch<String>,
}

/// A new contact and the identities it arrives with.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub fields: ContactPatch,
    pub identities: Vec<NewIdentity>,
}

/// A contact that must be one the caller may see; absent or invisible is `NOT_FOUND`. An id
/// that was merged away names its survivor (updates act on the survivor).
pub async fn find_visible<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    id: Uuid,
) -> AppResult<contact::Model> {
    if let Some(found) = find_direct(db, conn, id).await? {
        return Ok(found);
    }
    let survivor = relations::survivors_of(conn, &[id])
        .await?
        .get(&id)
        .copied();
    if let Some(survivor) = survivor
        && let Some(found) = find_direct(db, conn, survivor).await?
    {
        return Ok(found);
    }
    Err(AppError::not_found("contact"))
}

/// Like [`find_visible`], for destructive changes (delete, merge): an id that was merged away is
/// refused with `CONFLICT` naming the survivor, so nobody deletes a record by an old name.
pub async fn find_for_destruction<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    id: Uuid,
) -> AppResult<contact::Model> {
    if let Some(found) = find_direct(db, conn, id).await? {
        return Ok(found);
    }
    let survivor = relations::survivors_of(conn, &[id])
        .await?
        .get(&id)
        .copied();
    if let Some(survivor) = survivor
        && find_direct(db, conn, survivor).await?.is_some()
    {
        return Err(AppError::MergedAway { survivor });
    }
    Err(AppError::not_found("contact"))
}

async fn find_direct<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    id: Uuid,
) -> AppResult<Option<contact::Model>> {
    db.find::<contact::Entity, _>(conn, id).await
}

/// The account a contact is put under must be one the caller sees, and one a partner caller
/// keeps contacts under.
async fn check_account<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    id: Option<Uuid>,
) -> AppResult<()> {
    let account = match id {
        Some(id) => Some(
            db.find::<account::Entity, _>(conn, id)
                .await?
                .ok_or_else(|| AppError::not_found("account"))?,
        ),
        None => None,
    };
    db.check_contact_account(account.as_ref())
}

fn optional_line(field: &str, patch: Patch<String>) -> AppResult<Patch<String>> {
    clear_blank(patch.try_map(|value| validate::optional(field, value, MAX_LINE))?)
}

fn clear_blank(patch: Patch<Option<String>>) -> AppResult<Patch<String>> {
    Ok(match patch {
        Patch::Keep => Patch::Keep,
        Patch::Clear | Patch::Set(None) => Patch::Clear,
        Patch::Set(Some(value)) => Patch::Set(value),
    })
}

impl ContactPatch {
    /// Validates every given field; the result only holds clean values.
    pub fn validated(self) -> AppResult<Self> {
        Ok(Self {
            account_id: self.account_id,
            title: optional_line("title", self.title)?,
            first_name: optional_line("firstName", self.first_name)?,
            last_name: self
                .last_name
                .map(|name| validate::required("lastName", name, MAX_LINE))
                .transpose()?,
            alias: optional_line("alias", self.alias)?,
            job_title: optional_line("jobTitle", self.job_title)?,
            description: clear_blank(
                self.description
                    .try_map(|value| validate::optional("description", value, MAX_TEXT))?,
            )?,
            timezone: self
                .timezone
                .try_map(|tz| validate::timezone("timezone", tz))?,
            email_format: self.email_format,
            marketing_opt_in: self.marketing_opt_in,
            email_opt_in: self.email_opt_in,
            sms_opt_in: self.sms_opt_in,
            whatsapp_opt_in: self.whatsapp_opt_in,
            street: optional_line("street", self.street)?,
            city: optional_line("city", self.city)?,
            state: optional_line("state", self.state)?,
            postal_code: optional_line("postalCode", self.postal_code)?,
            country: optional_line("country", self.country)?,
        })
    }

    /// Applies the patch to a stored contact.
    fn apply(self, mut model: contact::Model) -> contact::Model {
        model.account_id = self.account_id.apply(model.account_id);
        model.title = self.title.apply(model.title);
        model.first_name = self.first_name.apply(model.first_name);
        model.last_name = self.last_name.unwrap_or(model.last_name);
        model.alias = self.alias.apply(model.alias);
        model.job_title = self.job_title.apply(model.job_title);
        model.description = self.description.apply(model.description);
        model.timezone = self.timezone.apply(model.timezone);
        model.email_format = self.email_format.unwrap_or(model.email_format);
        model.marketing_opt_in = self.marketing_opt_in.unwrap_or(model.marketing_opt_in);
        model.email_opt_in = self.email_opt_in.unwrap_or(model.email_opt_in);
        model.sms_opt_in = self.sms_opt_in.unwrap_or(model.sms_opt_in);
        model.whatsapp_opt_in = self.whatsapp_opt_in.unwrap_or(model.whatsapp_opt_in);
        model.street = self.street.apply(model.street);
        model.city = self.city.apply(model.city);
        model.state = self.state.apply(model.state);
        model.postal_code = self.postal_code.apply(model.postal_code);
        model.country = self.country.apply(model.country);
        model
    }

    /// Turns on the opt-in that a newly added channel implies, unless this input sets it.
    pub fn opt_in_for(&mut self, channel: IdentityChannel) {
        let preference = match channel {
            IdentityChannel::Email => &mut self.email_opt_in,
            IdentityChannel::Sms => &mut self.sms_opt_in,
            IdentityChannel::Whatsapp => &mut self.whatsapp_opt_in,
            IdentityChannel::Facebook | IdentityChannel::Twitter | IdentityChannel::Wechat => {
                return;
            }
        };
        preference.get_or_insert(true);
    }
}

/// A blank contact to apply a creation patch to.
fn blank(id: Uuid, operation: &Operation) -> contact::Model {
    contact::Model {
        id,
        account_id: None,
        title: None,
        first_name: None,
        last_name: String::new(),
        alias: None,
        job_title: None,
        description: None,
        timezone: None,
        email_format: EmailFormat::Html,
        marketing_opt_in: false,
        email_opt_in: false,
        sms_opt_in: false,
        whatsapp_opt_in: false,
        street: None,
        city: None,
        state: None,
        postal_code: None,
        country: None,
        version: 1,
        created_at: operation.at,
        updated_at: operation.at,
    }
}

/// Creates a contact with its identities, in one transaction with its audit entries.
pub async fn create(
    db: &ScopedDb,
    region: country::Id,
    new: NewContact,
) -> AppResult<contact::Model> {
    let mut fields = new.fields.validated()?;
    if fields.last_name.is_none() {
        return Err(AppError::bad_input("`lastName` is required"));
    }
    let identities = identities::normalize_all(new.identities, region)?;
    for identity in &identities {
        fields.opt_in_for(identity.channel);
    }
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let created = insert(db, &txn, &operation, fields).await?;
    for identity in identities {
        if let Err(err) = identities::attach(&txn, &operation, &created, identity).await {
            return Err(db.conceal_foreign_owner(&txn, err).await);
        }
    }
    txn.commit().await?;
    Ok(created)
}

/// Inserts a validated contact and its CREATE entry (the caller owns the transaction).
pub(crate) async fn insert(
    db: &ScopedDb,
    txn: &DatabaseTransaction,
    operation: &Operation,
    fields: ContactPatch,
) -> AppResult<contact::Model> {
    check_account(db, txn, fields.account_id.clone().apply(None)).await?;
    let model = fields.apply(blank(Uuid::now_v7(), operation));
    let created = model.into_active_model().insert(txn).await?;
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

/// Updates the given fields. With `expected_version`, a contact changed since is `CONFLICT`.
pub async fn update(
    db: &ScopedDb,
    id: Uuid,
    patch: ContactPatch,
    expected_version: Option<i32>,
) -> AppResult<contact::Model> {
    let patch = patch.validated()?;
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_visible(db, &txn, id).await?;
    check_version(&current, expected_version)?;
    if !patch.account_id.is_keep() {
        check_account(db, &txn, patch.account_id.clone().apply(None)).await?;
    }
    let account_before = current.account_id;
    let updated = patch.apply(current.clone());
    let changes = Changes::between(
        Some(&audit::snapshot(&current)?),
        Some(&audit::snapshot(&updated)?),
    );
    if changes.is_empty() {
        txn.commit().await?;
        return Ok(current);
    }
    if account_before != updated.account_id {
        clear_primary_contact_of(&txn, &operation, account_before, id).await?;
    }
    let saved = save(&txn, &operation, updated).await?;
    audit::record(
        &txn,
        &operation,
        subject(&saved),
        AuditAction::Update,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// `CONFLICT` when the caller edited an older version.
pub fn check_version(current: &contact::Model, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(expected) if expected != current.version => Err(AppError::conflict(format!(
            "the contact changed since version {expected} (now {}); reload and retry",
            current.version
        ))),
        _ => Ok(()),
    }
}

/// Stores a changed contact with a new version and `updated_at`.
pub(crate) async fn save(
    txn: &DatabaseTransaction,
    operation: &Operation,
    mut model: contact::Model,
) -> AppResult<contact::Model> {
    model.version += 1;
    model.updated_at = operation.at;
    Ok(model.into_active_model().reset_all().update(txn).await?)
}

/// Applies preference changes that come with a new channel and raises the version (the contact
/// changed through its identities or methods even when no preference moved).
pub(crate) async fn apply_preferences(
    txn: &DatabaseTransaction,
    operation: &Operation,
    current: contact::Model,
    preferences: ContactPatch,
) -> AppResult<contact::Model> {
    let updated = preferences.apply(current.clone());
    let changes = Changes::between(
        Some(&audit::snapshot(&current)?),
        Some(&audit::snapshot(&updated)?),
    );
    let saved = save(txn, operation, updated).await?;
    if !changes.is_empty() {
        audit::record(
            txn,
            operation,
            subject(&saved),
            AuditAction::Update,
            changes,
        )
        .await?;
    }
    Ok(saved)
}

/// Raises a contact's version for a change to its identities or methods.
pub(crate) async fn touch(
    txn: &DatabaseTransaction,
    operation: &Operation,
    contact: &contact::Model,
) -> AppResult<contact::Model> {
    let mut active = contact.clone().into_active_model();
    active.version = Set(contact.version + 1);
    active.updated_at = Set(operation.at);
    Ok(active.update(txn).await?)
}

/// A contact leaving an account stops being its primary contact.
pub(crate) async fn clear_primary_contact_of(
    txn: &DatabaseTransaction,
    operation: &Operation,
    account_id: Option<Uuid>,
    contact_id: Uuid,
) -> AppResult<()> {
    let Some(account_id) = account_id else {
        return Ok(());
    };
    let Some(account) = account::Entity::find_by_id(account_id).one(txn).await? else {
        return Ok(());
    };
    if account.primary_contact_id != Some(contact_id) {
        return Ok(());
    }
    let mut active = account.clone().into_active_model();
    active.primary_contact_id = Set(None);
    active.updated_at = Set(operation.at);
    active.update(txn).await?;
    let changes = Changes::default().with(
        "primaryContactId",
        serde_json::json!(contact_id),
        serde_json::Value::Null,
    );
    let subject = Subject {
        entity_type: AuditEntityType::Account,
        entity_id: account_id,
        contact_id: Some(contact_id),
    };
    audit::record(txn, operation, subject, AuditAction::Update, changes).await
}

/// Deletes a contact with its identities and own methods. Cases and sales it is the primary
/// contact of block the deletion (`CONFLICT` with counts) unless `reassign_to` names another
/// contact to move them to first. Audit entries stay.
pub async fn delete(
    db: &ScopedDb,
    id: Uuid,
    reassign_to: Option<Uuid>,
) -> AppResult<contact::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_for_destruction(db, &txn, id).await?;
    let incidents = incident::Entity::find()
        .filter(incident::Column::PrimaryContactId.eq(id))
        .count(&txn)
        .await?;
    let opportunities = opportunity::Entity::find()
        .filter(opportunity::Column::PrimaryContactId.eq(id))
        .count(&txn)
        .await?;
    match reassign_to {
        Some(target) if target == id => {
            return Err(AppError::bad_input("`reassignTo` must be another contact"));
        }
        Some(target) => {
            let target = find_visible(db, &txn, target).await?;
            reassign(&txn, &operation, id, &target).await?;
        }
        None if incidents + opportunities > 0 => {
            return Err(AppError::InUse {
                message: format!(
                    "the contact is the primary contact of {incidents} incident(s) and \
                     {opportunities} opportunity(ies); pass `reassignTo` to move them first"
                ),
                counts: vec![("incidents", incidents), ("opportunities", opportunities)],
            });
        }
        None => {}
    }
    clear_primary_contact_of(&txn, &operation, current.account_id, id).await?;
    record_cascade(&txn, &operation, id).await?;
    contact::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record_deleted(&txn, &operation, subject(&current), &current).await?;
    txn.commit().await?;
    Ok(current)
}

/// The identities and own methods that go with a deleted contact get a DELETE entry each.
async fn record_cascade(
    txn: &DatabaseTransaction,
    operation: &Operation,
    id: Uuid,
) -> AppResult<()> {
    let owned_identities = contact_identity::Entity::find()
        .filter(contact_identity::Column::ContactId.eq(id))
        .all(txn)
        .await?;
    for identity in owned_identities {
        let subject = identities::subject(&identity);
        audit::record_deleted(txn, operation, subject, &identity).await?;
    }
    let owned_methods = communication_method::Entity::find()
        .filter(communication_method::Column::ContactId.eq(id))
        .all(txn)
        .await?;
    for method in owned_methods {
        let subject = methods::subject(&method);
        audit::record_deleted(txn, operation, subject, &method).await?;
    }
    Ok(())
}

/// Moves the cases and sales of `from` to `to`, one audit entry per moved record.
pub(crate) async fn reassign(
    txn: &DatabaseTransaction,
    operation: &Operation,
    from: Uuid,
    to: &contact::Model,
) -> AppResult<()> {
    let incidents = incident::Entity::find()
        .filter(incident::Column::PrimaryContactId.eq(from))
        .all(txn)
        .await?;
    for case in incidents {
        let mut active = case.clone().into_active_model();
        active.primary_contact_id = Set(to.id);
        active.updated_at = Set(operation.at);
        active.update(txn).await?;
        let changes = Changes::default().with(
            "primaryContactId",
            serde_json::json!(from),
            serde_json::json!(to.id),
        );
        let subject = Subject {
            entity_type: AuditEntityType::Incident,
            entity_id: case.id,
            contact_id: Some(to.id),
        };
        audit::record(txn, operation, subject, AuditAction::Update, changes).await?;
    }
    let sales = opportunity::Entity::find()
        .filter(opportunity::Column::PrimaryContactId.eq(from))
        .all(txn)
        .await?;
    for sale in sales {
        let mut active = sale.clone().into_active_model();
        active.primary_contact_id = Set(Some(to.id));
        active.updated_at = Set(operation.at);
        active.update(txn).await?;
        let changes = Changes::default().with(
            "primaryContactId",
            serde_json::json!(from),
            serde_json::json!(to.id),
        );
        let subject = Subject {
            entity_type: AuditEntityType::Opportunity,
            entity_id: sale.id,
            contact_id: Some(to.id),
        };
        audit::record(txn, operation, subject, AuditAction::Update, changes).await?;
    }
    Ok(())
}

pub(crate) fn subject(contact: &contact::Model) -> Subject {
    Subject {
        entity_type: AuditEntityType::Contact,
        entity_id: contact.id,
        contact_id: Some(contact.id),
    }
}
