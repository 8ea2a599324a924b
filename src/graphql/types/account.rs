use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use entity::account;

use crate::graphql::filters::{
    self, AccountFilter, AccountOrder, ContactFilter, ContactOrder, IncidentFilter, IncidentOrder,
    OpportunityFilter, OpportunityOrder,
};
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::{self, GraphRecord, ListConnection, PageArgs};
use crate::graphql::relation;
use crate::graphql::types::{CommunicationMethod, Contact, Incident, Opportunity};
use crate::service::relations::{
    ContactsOfAccount, CustomersOfPartner, IncidentsOfAccount, MethodsOfAccount,
    OpportunitiesOfAccount,
};

/// An organization: a customer, a partner that reports and manages cases on behalf of the
/// customers it serves, or both.
pub struct Account(pub Arc<account::Model>);

impl GraphRecord for Account {
    type Entity = account::Entity;

    fn from_model(model: Arc<account::Model>) -> Self {
        Self(model)
    }
}

#[Object]
impl Account {
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Account, self.0.id).to_id()
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The account buys from us.
    async fn is_customer(&self) -> bool {
        self.0.is_customer
    }

    /// The account manages cases for the customer accounts it serves.
    async fn is_partner(&self) -> bool {
        self.0.is_partner
    }

    /// Main phone number (switchboard).
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    async fn street(&self) -> Option<&str> {
        self.0.street.as_deref()
    }

    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// State, province or region.
    async fn state(&self) -> Option<&str> {
        self.0.state.as_deref()
    }

    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }

    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }

    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The partner that manages this customer's cases, if any.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        relation::record(ctx, self.0.partner_id).await.extend()
    }

    /// The main contact person; always one of this account's own contacts.
    async fn primary_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        relation::record(ctx, self.0.primary_contact_id)
            .await
            .extend()
    }

    /// The customer accounts this partner serves (empty for accounts that are not partners).
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(desc = "Only the records that match (see `AccountFilter`).")] filter: Option<
            AccountFilter,
        >,
        #[graphql(desc = "Sort keys, applied in turn; the id breaks ties. Default: oldest first.")]
        order_by: Option<Vec<AccountOrder>>,
    ) -> Result<ListConnection<Account>> {
        let args = PageArgs::new(first, after, last, before);
        let spec = filters::spec(filter, order_by).extend()?;
        pagination::child_connection::<CustomersOfPartner, _>(ctx, self.0.id, args, spec)
            .await
            .extend()
    }

    /// The people of this account.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(desc = "Only the records that match (see `ContactFilter`).")] filter: Option<
            ContactFilter,
        >,
        #[graphql(desc = "Sort keys, applied in turn; the id breaks ties. Default: oldest first.")]
        order_by: Option<Vec<ContactOrder>>,
    ) -> Result<ListConnection<Contact>> {
        let args = PageArgs::new(first, after, last, before);
        let spec = filters::spec(filter, order_by).extend()?;
        pagination::child_connection::<ContactsOfAccount, _>(ctx, self.0.id, args, spec)
            .await
            .extend()
    }

    /// Cases of this account.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn incidents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(desc = "Only the records that match (see `IncidentFilter`).")] filter: Option<
            IncidentFilter,
        >,
        #[graphql(desc = "Sort keys, applied in turn; the id breaks ties. Default: oldest first.")]
        order_by: Option<Vec<IncidentOrder>>,
    ) -> Result<ListConnection<Incident>> {
        let args = PageArgs::new(first, after, last, before);
        let spec = filters::spec(filter, order_by).extend()?;
        pagination::child_connection::<IncidentsOfAccount, _>(ctx, self.0.id, args, spec)
            .await
            .extend()
    }

    /// Sales with this account.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(desc = "Only the records that match (see `OpportunityFilter`).")] filter: Option<
            OpportunityFilter,
        >,
        #[graphql(desc = "Sort keys, applied in turn; the id breaks ties. Default: oldest first.")]
        order_by: Option<Vec<OpportunityOrder>>,
    ) -> Result<ListConnection<Opportunity>> {
        let args = PageArgs::new(first, after, last, before);
        let spec = filters::spec(filter, order_by).extend()?;
        pagination::child_connection::<OpportunitiesOfAccount, _>(ctx, self.0.id, args, spec)
            .await
            .extend()
    }

    /// The account's own channels (switchboard, fax, website, ...), oldest first.
    async fn communication_methods(&self, ctx: &Context<'_>) -> Result<Vec<CommunicationMethod>> {
        relation::all::<MethodsOfAccount, _>(ctx, self.0.id)
            .await
            .extend()
    }
}
