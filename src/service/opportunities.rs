//! Opportunities (sales): create, update, delete, with their rules and audit entries.
//!
//! Rules beyond field validation:
//! - Every sale is with an account that exists.
//! - The primary contact is optional; when set it must be one of the account's own contacts
//!   (`BAD_USER_INPUT` otherwise), checked whenever the account or the contact changes. A
//!   contact id that was merged away names its survivor, which is what gets stored.
//! - The amount is exact: a whole, non-negative number of minor units with an ISO 4217
//!   currency, both or neither. An amount whose two parts are both blank counts as no amount.
//! - Audit entries carry the primary contact, if any, so the contact's log shows them; an update
//!   that removes the primary contact is filed under the contact it removed.

use chrono::NaiveDate;
use entity::enums::{AuditAction, AuditEntityType, OpportunityStage};
use entity::{account, opportunity};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::contacts;
use crate::service::patch::Patch;
use crate::service::scope::ScopedDb;
use crate::service::validate::{self, MAX_LINE};

/// An amount as a client sends it: minor units as a decimal string (GraphQL `Int` is only 32
/// bits) and a currency code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAmount {
    pub minor_units: String,
    pub currency: String,
}

/// A validated amount.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Amount {
    minor_units: i64,
    currency: String,
}

/// A new sale.
#[derive(Debug, Clone)]
pub struct NewOpportunity {
    pub name: String,
    pub account_id: Uuid,
    pub primary_contact_id: Option<Uuid>,
    /// Defaults to `PROSPECTING`.
    pub stage: Option<OpportunityStage>,
    pub amount: Option<NewAmount>,
    pub expected_close_date: Option<NaiveDate>,
}

/// Changes to a sale: `None`/`Keep` keeps a field, `Clear` clears it.
#[derive(Debug, Clone, Default)]
pub struct OpportunityPatch {
    /// Required on the record: it can never be cleared.
    pub name: Option<String>,
    /// Required on the record: it can never be cleared.
    pub account_id: Option<Uuid>,
    pub primary_contact_id: Patch<Uuid>,
    pub stage: Option<OpportunityStage>,
    /// `Clear` removes amount and currency together.
    pub amount: Patch<NewAmount>,
    pub expected_close_date: Patch<NaiveDate>,
}

/// Both parts or neither; both blank means no amount.
fn amount(input: NewAmount) -> AppResult<Option<Amount>> {
    let (minor_units, currency) = (input.minor_units.trim(), input.currency.trim());
    match (minor_units.is_empty(), currency.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some(Amount {
            minor_units: validate::minor_units("amount.minorUnits", minor_units)?,
            currency: validate::currency("amount.currency", currency.to_owned())?,
        })),
        _ => Err(AppError::bad_input(
            "`amount` needs both `minorUnits` and `currency`, or neither",
        )),
    }
}

fn amount_patch(patch: Patch<NewAmount>) -> AppResult<Patch<Amount>> {
    Ok(match patch.try_map(amount)? {
        Patch::Keep => Patch::Keep,
        Patch::Clear | Patch::Set(None) => Patch::Clear,
        Patch::Set(Some(amount)) => Patch::Set(amount),
    })
}

/// A validated [`OpportunityPatch`].
struct CleanPatch {
    name: Option<String>,
    account_id: Option<Uuid>,
    primary_contact_id: Patch<Uuid>,
    stage: Option<OpportunityStage>,
    amount: Patch<Amount>,
    expected_close_date: Patch<NaiveDate>,
}

impl OpportunityPatch {
    fn validated(self) -> AppResult<CleanPatch> {
        Ok(CleanPatch {
            name: self
                .name
                .map(|name| validate::required("name", name, MAX_LINE))
                .transpose()?,
            account_id: self.account_id,
            primary_contact_id: self.primary_contact_id,
            stage: self.stage,
            amount: amount_patch(self.amount)?,
            expected_close_date: self.expected_close_date,
        })
    }
}

impl CleanPatch {
    fn apply(self, mut model: opportunity::Model) -> opportunity::Model {
        model.name = self.name.unwrap_or(model.name);
        model.account_id = self.account_id.unwrap_or(model.account_id);
        model.primary_contact_id = self.primary_contact_id.apply(model.primary_contact_id);
        model.stage = self.stage.unwrap_or(model.stage);
        match self.amount {
            Patch::Keep => {}
            Patch::Clear => (model.amount, model.currency) = (None, None),
            Patch::Set(amount) => {
                (model.amount, model.currency) = (Some(amount.minor_units), Some(amount.currency));
            }
        }
        model.expected_close_date = self.expected_close_date.apply(model.expected_close_date);
        model
    }
}

async fn find_opportunity<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    id: Uuid,
) -> AppResult<opportunity::Model> {
    db.find::<opportunity::Entity, _>(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("opportunity"))
}

async fn check_account<C: ConnectionTrait>(db: &ScopedDb, conn: &C, id: Uuid) -> AppResult<()> {
    db.find::<account::Entity, _>(conn, id)
        .await?
        .map(drop)
        .ok_or_else(|| AppError::missing("accountId", "account"))
}

/// The primary contact, which must exist and be one of the sale's account's contacts. A contact
/// id that was merged away names its survivor.
async fn primary_contact<C: ConnectionTrait>(
    db: &ScopedDb,
    conn: &C,
    contact_id: Uuid,
    account_id: Uuid,
) -> AppResult<Uuid> {
    let contact = contacts::find_visible(db, conn, contact_id)
        .await
        .map_err(|err| match err {
            AppError::NotFound(_) => AppError::missing("primaryContactId", "contact"),
            other => other,
        })?;
    if contact.account_id != Some(account_id) {
        return Err(AppError::bad_input(
            "`primaryContactId`: the contact does not belong to the opportunity's account",
        ));
    }
    Ok(contact.id)
}

fn subject(sale: &opportunity::Model) -> Subject {
    Subject {
        entity_type: AuditEntityType::Opportunity,
        entity_id: sale.id,
        contact_id: sale.primary_contact_id,
    }
}

/// Opens a sale, in one transaction with its CREATE entry.
pub async fn create(db: &ScopedDb, new: NewOpportunity) -> AppResult<opportunity::Model> {
    let name = validate::required("name", new.name, MAX_LINE)?;
    let amount = new.amount.map(amount).transpose()?.flatten();
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    check_account(db, &txn, new.account_id).await?;
    let primary_contact_id = match new.primary_contact_id {
        Some(id) => Some(primary_contact(db, &txn, id, new.account_id).await?),
        None => None,
    };
    let (minor_units, currency) = amount.map_or((None, None), |amount| {
        (Some(amount.minor_units), Some(amount.currency))
    });
    let model = opportunity::Model {
        id: Uuid::now_v7(),
        account_id: new.account_id,
        primary_contact_id,
        name,
        stage: new.stage.unwrap_or(OpportunityStage::Prospecting),
        amount: minor_units,
        currency,
        expected_close_date: new.expected_close_date,
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
pub async fn update(
    db: &ScopedDb,
    id: Uuid,
    patch: OpportunityPatch,
) -> AppResult<opportunity::Model> {
    let mut patch = patch.validated()?;
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_opportunity(db, &txn, id).await?;
    let account_id = patch.account_id.unwrap_or(current.account_id);
    if account_id != current.account_id {
        check_account(db, &txn, account_id).await?;
    }
    match patch.primary_contact_id {
        Patch::Set(contact_id) => {
            let resolved = primary_contact(db, &txn, contact_id, account_id).await?;
            patch.primary_contact_id = Patch::Set(resolved);
        }
        Patch::Keep if account_id != current.account_id => {
            if let Some(contact_id) = current.primary_contact_id {
                primary_contact(db, &txn, contact_id, account_id).await?;
            }
        }
        Patch::Keep | Patch::Clear => {}
    }
    let mut updated = patch.apply(current.clone());
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
    let mut filed_under = subject(&saved);
    filed_under.contact_id = filed_under.contact_id.or(current.primary_contact_id);
    audit::record(&txn, &operation, filed_under, AuditAction::Update, changes).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Deletes a sale; its audit entries stay.
pub async fn delete(db: &ScopedDb, id: Uuid) -> AppResult<opportunity::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = find_opportunity(db, &txn, id).await?;
    opportunity::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record_deleted(&txn, &operation, subject(&current), &current).await?;
    txn.commit().await?;
    Ok(current)
}
