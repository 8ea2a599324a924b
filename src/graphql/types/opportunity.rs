use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, NaiveDate, Utc};
use entity::opportunity;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{Account, Contact, Money, OpportunityStage};

/// A sale in progress with an account.
pub struct Opportunity(pub Arc<opportunity::Model>);

impl GraphRecord for Opportunity {
    type Entity = opportunity::Entity;

    fn from_model(model: Arc<opportunity::Model>) -> Self {
        Self(model)
    }
}

/// A sale in progress with an account.
#[Object]
impl Opportunity {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Opportunity, self.0.id).to_id()
    }

    /// What is being sold, e.g. "50 agent licences".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// How far the sale has come.
    async fn stage(&self) -> OpportunityStage {
        self.0.stage.into()
    }

    /// Expected value of the sale, if estimated.
    async fn amount(&self) -> Option<Money> {
        match (self.0.amount, &self.0.currency) {
            (Some(minor_units), Some(currency)) => Some(Money::new(minor_units, currency.as_str())),
            _ => None,
        }
    }

    /// When the sale is expected to be won or lost.
    async fn expected_close_date(&self) -> Option<NaiveDate> {
        self.0.expected_close_date
    }

    /// When the record was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The account the sale is with.
    async fn account(&self, ctx: &Context<'_>) -> Result<Account> {
        relation::required_record(ctx, self.0.account_id)
            .await
            .extend()
    }

    /// The main person on the customer's side, if known.
    async fn primary_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        relation::record(ctx, self.0.primary_contact_id)
            .await
            .extend()
    }
}
