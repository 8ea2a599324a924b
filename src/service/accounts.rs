//! Accounts: create, update, delete, with their rules and audit entries.

use entity::enums::{AuditAction, AuditEntityType};
use entity::{account, communication_method, contact, incident, opportunity};
use phonenumber::country;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::contacts;
use crate::service::methods;
use crate::service::patch::Patch;
use crate::service::scope::ScopedDb;
use crate::service::validate::{self, MAX_LINE, MAX_TEXT};

/// The fields of an account, shared by create and update. On create, `Keep` means "not given".
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    /// Required on the record: `None` keeps it, it can never be cleared.
    pub name: Option<String>,
    pub is_customer: Option<bool>,
    pub is_partner: Option<bool>,
    pub partner_id: Patch<Uuid>,
    pub primary_contact_id: Patch<Uuid>,
    pub phone: Patch<String>,
    pub website: Patch<String>,
    pub street: Patch<String>,
    pub city: Patch<String>,
    pub state: Patch<String>,
    pub postal_code: Patch<String>,
    pub country: Patch<String>,
    pub notes: Patch<String>,
}

/// A blank value of an optional field clears it, like `null`.
fn clear_blank(patch: Patch<String>) -> Patch<String> {
    match patch {
        Patch::Set(value) if value.trim().is_empty() => Patch::Clear,
        other => other,
    }
}

fn optional_text(field: &str, patch: Patch<String>, max: usize) -> AppResult<Patch<String>> {
    Ok(
        match patch.try_map(|value| validate::optional(field, value, max))? {
            Patch::Keep => Patch::Keep,
            Patch::Clear | Patch::Set(None) => Patch::Clear,
            Patch::Set(Some(value)) => Patch::Set(value),
        },
    )
}

impl AccountPatch {
    /// Validates every given field; the result only holds clean values (phones in E.164).
    pub fn validated(self, region: country::Id) -> AppResult<Self> {
        Ok(Self {
            name: self
                .name
                .map(|name| validate::required("name", name, MAX_LINE))
                .transpose()?,
            is_customer: self.is_customer,
            is_partner: self.is_partner,
            partner_id: self.partner_id,
            primary_contact_id: self.primary_contact_id,
            phone: clear_blank(self.phone)
                .try_map(|value| validate::phone("phone", value, region))?,
            website: clear_blank(self.website).try_map(|value| validate::url("website", value))?,
            street: optional_text("street", self.street, MAX_LINE)?,
            city: optional_text("city", self.city, MAX_LINE)?,
            state: optional_text("state", self.state, MAX_LINE)?,
            postal_code: optional_text("postalCode", self.postal_code, MAX_LINE)?,
            country: optional_text("country", self.country, MAX_LINE)?,
            notes: optional_text("notes", self.notes, MAX_TEXT)?,
        })
    }

    fn apply(self, mut model: account::Model) -> account::Model {
        model.name = self.name.unwrap_or(model.name);
        model.is_customer = self.is_customer.unwrap_or(model.is_customer);
        model.is_partner = self.is_partner.unwrap_or(model.is_partner);
        model.partner_id = self.partner_id.apply(model.partner_id);
        model.primary_contact_id = self.primary_contact_id.apply(model.primary_contact_id);
        model.phone = self.phone.apply(model.phone);
        model.website = self.website.apply(model.website);
        model.street = self.street.apply(model.street);
        model.city = self.city.apply(model.city);
        model.state = self.state.apply(model.state);
        model.postal_code = self.postal_code.apply(model.postal_code);
        model.country = self.country.apply(model.country);
        model.notes = self.notes.apply(model.notes);
        model
    }
}

/// An account that must be one the caller may see; absent or invisible is `NOT_FOUND`.
pub async fn find_visible<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    id: Uuid,
) -> AppResult<account::Model> {
    db.find::<account::Entity, _>(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}

fn check_kind(account: &account::Model) -> AppResult<()> {
    if account.is_customer || account.is_partner {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "`isCustomer` or `isPartner` must be true: an account is a customer, a partner, or both",
        ))
    }
}

/// `partnerId` names another existing account that is a partner.
async fn check_partner<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    account_id: Uuid,
    partner_id: Uuid,
) -> AppResult<()> {
    if partner_id == account_id {
        return Err(AppError::bad_input(
            "`partnerId` must name another account, not the account itself",
        ));
    }
    let partner = find_visible(db, conn, partner_id)
        .await
        .map_err(|_| AppError::NotFound("`partnerId`: account not found".to_owned()))?;
    if !partner.is_partner {
        return Err(AppError::bad_input(format!(
            "`partnerId`: account `{}` is not a partner",
            partner.name
        )));
    }
    Ok(())
}

/// `primaryContactId` names one of the account's own contacts.
async fn check_primary_contact<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    account_id: Uuid,
    contact_id: Uuid,
) -> AppResult<()> {
    let contact = contacts::find_visible(db, conn, contact_id)
        .await
        .map_err(|_| AppError::NotFound("`primaryContactId`: contact not found".to_owned()))?;
    if contact.account_id != Some(account_id) {
        return Err(AppError::bad_input(
            "`primaryContactId` must name one of the account's own contacts",
        ));
    }
    Ok(())
}

async fn count_customers<C: ConnectionTrait>(conn: &C, partner_id: Uuid) -> AppResult<u64> {
    Ok(account::Entity::find()
        .filter(account::Column::PartnerId.eq(partner_id))
        .count(conn)
        .await?)
}

/// A blank account to apply a creation patch to.
fn blank(id: Uuid, operation: &Operation) -> account::Model {
    account::Model {
        id,
        name: String::new(),
        is_customer: false,
        is_partner: false,
        partner_id: None,
        primary_contact_id: None,
        phone: None,
        website: None,
        street: None,
        city: None,
        state: None,
        postal_code: None,
        country: None,
        notes: None,
        created_at: operation.at,
        updated_at: operation.at,
    }
}

/// Creates an account, in one transaction with its audit entry. A new account has no contacts
/// yet, so it cannot have a primary contact.
pub async fn create(
    db: &ScopedDb,
    region: country::Id,
    fields: AccountPatch,
) -> AppResult<account::Model> {
    let fields = fields.validated(region)?;
    if fields.name.is_none() {
        return Err(AppError::bad_input("`name` is required"));
    }
    if !fields.primary_contact_id.is_keep() {
        return Err(AppError::bad_input(
            "`primaryContactId`: a new account has no contacts yet",
        ));
    }
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let model = fields.apply(blank(Uuid::now_v7(), &operation));
    check_kind(&model)?;
    if let Some(partner_id) = model.partner_id {
        check_partner(db, &txn, model.id, partner_id).await?;
    }
    let created = model.into_active_model().insert(&txn).await?;
    let changes = Changes::between(None, Some(&audit::snapshot(&created)?));
    audit::record(
        &txn,
        &operation,
        subject(created.id),
        AuditAction::Create,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Updates the given fields. Turning `isPartner` off is refused while the account still serves
/// customers (`CONFLICT` with the count).
pub async fn update(
    db: &ScopedDb,
    region: country::Id,
    id: Uuid,
    patch: AccountPatch,
) -> AppResult<account::Model> {
    let patch = patch.validated(region)?;
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_visible(db, &txn, id).await?;
    let partner_changed = !patch.partner_id.is_keep();
    let primary_changed = !patch.primary_contact_id.is_keep();
    let mut updated = patch.apply(current.clone());
    check_kind(&updated)?;
    if let (true, Some(partner_id)) = (partner_changed, updated.partner_id) {
        check_partner(db, &txn, id, partner_id).await?;
    }
    if let (true, Some(contact_id)) = (primary_changed, updated.primary_contact_id) {
        check_primary_contact(db, &txn, id, contact_id).await?;
    }
    if current.is_partner && !updated.is_partner {
        let customers = count_customers(&txn, id).await?;
        if customers > 0 {
            return Err(AppError::InUse {
                message: format!(
                    "`isPartner`: the account still serves {customers} customer account(s); \
                     give them another partner first"
                ),
                counts: vec![("customers", customers)],
            });
        }
    }
    let changes = Changes::between(
        Some(&audit::snapshot(&current)?),
        Some(&audit::snapshot(&updated)?),
    );
    if changes.is_empty() {
        txn.commit().await?;
        return Ok(current);
    }
    updated.updated_at = operation.at;
    let saved = updated.into_active_model().reset_all().update(&txn).await?;
    audit::record(
        &txn,
        &operation,
        subject(saved.id),
        AuditAction::Update,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Deletes an account with its own communication methods. Contacts, incidents (of the account
/// or reported by it as a partner), opportunities and customer accounts that still reference it
/// block the deletion (`CONFLICT` with counts). Audit entries stay.
pub async fn delete(db: &ScopedDb, id: Uuid) -> AppResult<account::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_visible(db, &txn, id).await?;
    let contacts = contact::Entity::find()
        .filter(contact::Column::AccountId.eq(id))
        .count(&txn)
        .await?;
    let incidents = incident::Entity::find()
        .filter(
            Condition::any()
                .add(incident::Column::AccountId.eq(id))
                .add(incident::Column::ReportedByPartnerId.eq(id)),
        )
        .count(&txn)
        .await?;
    let opportunities = opportunity::Entity::find()
        .filter(opportunity::Column::AccountId.eq(id))
        .count(&txn)
        .await?;
    let customers = count_customers(&txn, id).await?;
    if contacts + incidents + opportunities + customers > 0 {
        return Err(AppError::InUse {
            message: format!(
                "the account is still referenced by {contacts} contact(s), {incidents} \
                 incident(s), {opportunities} opportunity(ies) and {customers} customer \
                 account(s); move or delete them first"
            ),
            counts: vec![
                ("contacts", contacts),
                ("incidents", incidents),
                ("opportunities", opportunities),
                ("customers", customers),
            ],
        });
    }
    // The foreign key deletes the methods; their entries are written here so the log shows
    // every record that went.
    let methods = communication_method::Entity::find()
        .filter(communication_method::Column::AccountId.eq(id))
        .order_by_asc(communication_method::Column::Id)
        .all(&txn)
        .await?;
    account::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record_deleted(&txn, &operation, subject(id), &current).await?;
    for method in methods {
        let subject = methods::subject(&method);
        audit::record_deleted(&txn, &operation, subject, &method).await?;
    }
    txn.commit().await?;
    Ok(current)
}

/// Account entries concern no contact.
fn subject(id: Uuid) -> Subject {
    Subject {
        entity_type: AuditEntityType::Account,
        entity_id: id,
        contact_id: None,
    }
}
