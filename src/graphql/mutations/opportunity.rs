use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, ResultExt, SimpleObject,
};
use chrono::NaiveDate;

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::{not_null, patch, patch_id, writer};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{Opportunity, OpportunityStage};
use crate::service::opportunities::{self, NewAmount, NewOpportunity, OpportunityPatch};

/// An exact amount of money, in the currency's minor unit.
#[derive(InputObject)]
pub struct MoneyInput {
    /// A whole, non-negative number of minor units (cents for EUR) as a decimal string, e.g.
    /// `"123450"` for 1234.50 EUR. A string because amounts may exceed GraphQL's 32-bit `Int`.
    pub minor_units: String,
    /// ISO 4217 currency code, e.g. `EUR` (case-insensitive).
    pub currency: String,
}

impl From<MoneyInput> for NewAmount {
    fn from(input: MoneyInput) -> Self {
        NewAmount {
            minor_units: input.minor_units,
            currency: input.currency,
        }
    }
}

/// A new opportunity (sale).
#[derive(InputObject)]
pub struct CreateOpportunityInput {
    /// Must not be blank (at most 200 characters).
    pub name: String,
    /// The account the sale is with.
    pub account_id: ID,
    /// The main person on the customer's side; must be a contact of `accountId`'s account.
    pub primary_contact_id: Option<ID>,
    /// Defaults to `PROSPECTING`.
    pub stage: Option<OpportunityStage>,
    /// Expected value of the sale.
    pub amount: Option<MoneyInput>,
    /// When the sale is expected to be won or lost.
    pub expected_close_date: Option<NaiveDate>,
}

/// Changes to an opportunity: an omitted field is kept, `null` clears it.
#[derive(InputObject)]
pub struct UpdateOpportunityInput {
    /// The opportunity to change.
    pub id: ID,
    /// Cannot be blank or cleared.
    pub name: MaybeUndefined<String>,
    /// Cannot be cleared. The primary contact must belong to the new account: move both
    /// together, or clear `primaryContactId`.
    pub account_id: MaybeUndefined<ID>,
    /// Must be a contact of the opportunity's account; `null` clears it.
    pub primary_contact_id: MaybeUndefined<ID>,
    /// Cannot be cleared.
    pub stage: MaybeUndefined<OpportunityStage>,
    /// Replaces amount and currency together; `null` clears both.
    pub amount: MaybeUndefined<MoneyInput>,
    /// When the sale is expected to be won or lost; `null` clears it.
    pub expected_close_date: MaybeUndefined<NaiveDate>,
}

/// Deletes an opportunity; its audit log stays.
#[derive(InputObject)]
pub struct DeleteOpportunityInput {
    /// The opportunity to delete.
    pub id: ID,
}

/// The result of a mutation that changes an opportunity.
#[derive(SimpleObject)]
pub struct OpportunityPayload {
    /// The opportunity after the change.
    pub opportunity: Opportunity,
}

/// The result of `deleteOpportunity`.
#[derive(SimpleObject)]
pub struct DeleteOpportunityPayload {
    /// The id the deleted opportunity had; it still names the opportunity in the audit log.
    pub deleted_opportunity_id: ID,
}

impl CreateOpportunityInput {
    fn into_new(self) -> Result<NewOpportunity, AppError> {
        Ok(NewOpportunity {
            name: self.name,
            account_id: GlobalId::parse_as(&self.account_id, NodeType::Account)?,
            primary_contact_id: self
                .primary_contact_id
                .map(|id| GlobalId::parse_as(&id, NodeType::Contact))
                .transpose()?,
            stage: self.stage.map(Into::into),
            amount: self.amount.map(Into::into),
            expected_close_date: self.expected_close_date,
        })
    }
}

impl UpdateOpportunityInput {
    fn into_patch(self) -> Result<OpportunityPatch, AppError> {
        Ok(OpportunityPatch {
            name: not_null(self.name, "name")?,
            account_id: not_null(self.account_id, "accountId")?
                .map(|id| GlobalId::parse_as(&id, NodeType::Account))
                .transpose()?,
            primary_contact_id: patch_id(self.primary_contact_id, NodeType::Contact)?,
            stage: not_null(self.stage, "stage")?.map(Into::into),
            amount: patch(self.amount).map(Into::into),
            expected_close_date: patch(self.expected_close_date),
        })
    }
}

#[derive(Default)]
pub struct OpportunityMutations;

#[Object]
impl OpportunityMutations {
    /// Opens an opportunity with an account.
    #[graphql(guard = "Permit(Action::WriteOpportunities)")]
    async fn create_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `CreateOpportunityInput`.")]
        input: CreateOpportunityInput,
    ) -> Result<OpportunityPayload> {
        let new = input.into_new().extend()?;
        let created = opportunities::create(writer(ctx).extend()?, new)
            .await
            .extend()?;
        Ok(OpportunityPayload {
            opportunity: Opportunity::from_model(created.into()),
        })
    }

    /// Changes some fields of an opportunity.
    #[graphql(guard = "Permit(Action::WriteOpportunities)")]
    async fn update_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `UpdateOpportunityInput`.")]
        input: UpdateOpportunityInput,
    ) -> Result<OpportunityPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Opportunity).extend()?;
        let patch = input.into_patch().extend()?;
        let updated = opportunities::update(writer(ctx).extend()?, id, patch)
            .await
            .extend()?;
        Ok(OpportunityPayload {
            opportunity: Opportunity::from_model(updated.into()),
        })
    }

    /// Deletes an opportunity.
    #[graphql(guard = "Permit(Action::Delete)")]
    async fn delete_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `DeleteOpportunityInput`.")]
        input: DeleteOpportunityInput,
    ) -> Result<DeleteOpportunityPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Opportunity).extend()?;
        opportunities::delete(writer(ctx).extend()?, id)
            .await
            .extend()?;
        Ok(DeleteOpportunityPayload {
            deleted_opportunity_id: input.id,
        })
    }
}
