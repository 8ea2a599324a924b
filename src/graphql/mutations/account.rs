use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, ResultExt, SimpleObject,
};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::{patch, patch_id, writer};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::Account;
use crate::service::accounts::{self, AccountPatch};
use crate::service::patch::Patch;

/// A new account. It must be a customer, a partner, or both. A primary contact can be chosen
/// with `updateAccount` once the account has contacts.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// The organization's name; must not be blank (at most 200 characters).
    pub name: String,
    /// The account buys from us. At least one of `isCustomer` and `isPartner` must be true.
    #[graphql(default)]
    pub is_customer: bool,
    /// The account manages cases for customer accounts. At least one of `isCustomer` and
    /// `isPartner` must be true.
    #[graphql(default)]
    pub is_partner: bool,
    /// The partner account that manages this customer's cases; it must be an existing account
    /// with `isPartner: true`.
    pub partner_id: Option<ID>,
    /// Main phone number; national forms are read in the server's default region, and it is
    /// stored in E.164 (`+4930...`).
    pub phone: Option<String>,
    /// An absolute http(s) URL.
    pub website: Option<String>,
    /// Street and number of the postal address.
    pub street: Option<String>,
    /// City of the postal address.
    pub city: Option<String>,
    /// State, province or region.
    pub state: Option<String>,
    /// Postal or ZIP code.
    pub postal_code: Option<String>,
    /// Country, as a name or an ISO 3166 code.
    pub country: Option<String>,
    /// Free text, at most 10,000 characters.
    pub notes: Option<String>,
}

/// Changes to an account: an omitted field is kept, `null` (or a blank text) clears it.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    /// The account to change.
    pub id: ID,
    /// Cannot be cleared or blank.
    pub name: Option<String>,
    /// At least one of `isCustomer` and `isPartner` must stay true.
    pub is_customer: Option<bool>,
    /// Turning it off is refused (`CONFLICT` with `extensions.customers`) while customer
    /// accounts still name this account as their partner.
    pub is_partner: Option<bool>,
    /// An existing partner account other than this one; `null` removes the partner.
    pub partner_id: MaybeUndefined<ID>,
    /// One of this account's own contacts; `null` removes the primary contact.
    pub primary_contact_id: MaybeUndefined<ID>,
    /// Stored in E.164; national forms are read in the server's default region.
    pub phone: MaybeUndefined<String>,
    /// An absolute http(s) URL.
    pub website: MaybeUndefined<String>,
    /// Street and number of the postal address. `null` clears it.
    pub street: MaybeUndefined<String>,
    /// City of the postal address. `null` clears it.
    pub city: MaybeUndefined<String>,
    /// State, province or region. `null` clears it.
    pub state: MaybeUndefined<String>,
    /// Postal or ZIP code. `null` clears it.
    pub postal_code: MaybeUndefined<String>,
    /// Country, as a name or an ISO 3166 code. `null` clears it.
    pub country: MaybeUndefined<String>,
    /// Free text, at most 10,000 characters; `null` clears it.
    pub notes: MaybeUndefined<String>,
}

/// Deletes an account together with its own communication methods; its audit log stays.
/// An account still referenced by contacts, incidents (its own or those it reported as a
/// partner), opportunities or customer accounts is refused with `CONFLICT`, and
/// `extensions.contacts`, `incidents`, `opportunities` and `customers` give the counts.
#[derive(InputObject)]
pub struct DeleteAccountInput {
    /// The account to delete.
    pub id: ID,
}

/// The result of `createAccount` and `updateAccount`.
#[derive(SimpleObject)]
pub struct AccountPayload {
    /// The account after the change.
    pub account: Account,
}

/// The result of `deleteAccount`.
#[derive(SimpleObject)]
pub struct DeleteAccountPayload {
    /// The id the deleted account had; it still names the account in the audit log.
    pub deleted_account_id: ID,
}

fn optional(value: Option<String>) -> Patch<String> {
    value.map_or(Patch::Keep, Patch::Set)
}

impl CreateAccountInput {
    fn into_patch(self) -> Result<AccountPatch, AppError> {
        let partner_id = match self.partner_id {
            Some(id) => Patch::Set(GlobalId::parse_as(&id, NodeType::Account)?),
            None => Patch::Keep,
        };
        Ok(AccountPatch {
            name: Some(self.name),
            is_customer: Some(self.is_customer),
            is_partner: Some(self.is_partner),
            partner_id,
            primary_contact_id: Patch::Keep,
            phone: optional(self.phone),
            website: optional(self.website),
            street: optional(self.street),
            city: optional(self.city),
            state: optional(self.state),
            postal_code: optional(self.postal_code),
            country: optional(self.country),
            notes: optional(self.notes),
        })
    }
}

impl UpdateAccountInput {
    fn into_patch(self) -> Result<AccountPatch, AppError> {
        Ok(AccountPatch {
            name: self.name,
            is_customer: self.is_customer,
            is_partner: self.is_partner,
            partner_id: patch_id(self.partner_id, NodeType::Account)?,
            primary_contact_id: patch_id(self.primary_contact_id, NodeType::Contact)?,
            phone: patch(self.phone),
            website: patch(self.website),
            street: patch(self.street),
            city: patch(self.city),
            state: patch(self.state),
            postal_code: patch(self.postal_code),
            country: patch(self.country),
            notes: patch(self.notes),
        })
    }
}

#[derive(Default)]
pub struct AccountMutations;

#[Object]
impl AccountMutations {
    /// Creates an account.
    #[graphql(guard = "Permit(Action::WriteAccounts)")]
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `CreateAccountInput`.")]
        input: CreateAccountInput,
    ) -> Result<AccountPayload> {
        let region = context::config(ctx).extend()?.identity.region().extend()?;
        let fields = input.into_patch().extend()?;
        let created = accounts::create(writer(ctx).extend()?, region, fields)
            .await
            .extend()?;
        Ok(AccountPayload {
            account: Account::from_model(created.into()),
        })
    }

    /// Changes some fields of an account.
    #[graphql(guard = "Permit(Action::WriteAccounts)")]
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `UpdateAccountInput`.")]
        input: UpdateAccountInput,
    ) -> Result<AccountPayload> {
        let region = context::config(ctx).extend()?.identity.region().extend()?;
        let id = GlobalId::parse_as(&input.id, NodeType::Account).extend()?;
        let fields = input.into_patch().extend()?;
        let updated = accounts::update(writer(ctx).extend()?, region, id, fields)
            .await
            .extend()?;
        Ok(AccountPayload {
            account: Account::from_model(updated.into()),
        })
    }

    /// Deletes an account that nothing references any more.
    #[graphql(guard = "Permit(Action::DeleteAccounts)")]
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `DeleteAccountInput`.")]
        input: DeleteAccountInput,
    ) -> Result<DeleteAccountPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Account).extend()?;
        accounts::delete(writer(ctx).extend()?, id).await.extend()?;
        Ok(DeleteAccountPayload {
            deleted_account_id: input.id,
        })
    }
}
