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

/// An organization: a customer, a partner that reports and manages cases on behalf of the customers
/// it serves, or both.
#[Object]
impl Account {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Account, self.0.id).to_id()
    }

    /// The organization's name.
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

    /// Web address, e.g. `https://example.com`.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// Street and number of the postal address.
    async fn street(&self) -> Option<&str> {
        self.0.street.as_deref()
    }

    /// City of the postal address.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// State, province or region.
    async fn state(&self) -> Option<&str> {
        self.0.state.as_deref()
    }

    /// Postal or ZIP code.
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }

    /// Country, as entered (a name or an ISO 3166 code).
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }

    /// Free-form notes about the account.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// When the record was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (UTC).
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
        #[graphql(
            desc = "Return at most this many items from the start of the list (after `after`); 20 when neither `first` nor `last` is given, at most 100. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Start after the item with this cursor (an `edges.cursor` or `pageInfo.endCursor` of an earlier answer)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Return at most this many items from the end of the list (before `before`), at most 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "End before the item with this cursor (an `edges.cursor` or `pageInfo.startCursor` of an earlier answer)."
        )]
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
        #[graphql(
            desc = "Return at most this many items from the start of the list (after `after`); 20 when neither `first` nor `last` is given, at most 100. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Start after the item with this cursor (an `edges.cursor` or `pageInfo.endCursor` of an earlier answer)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Return at most this many items from the end of the list (before `before`), at most 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "End before the item with this cursor (an `edges.cursor` or `pageInfo.startCursor` of an earlier answer)."
        )]
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
        #[graphql(
            desc = "Return at most this many items from the start of the list (after `after`); 20 when neither `first` nor `last` is given, at most 100. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Start after the item with this cursor (an `edges.cursor` or `pageInfo.endCursor` of an earlier answer)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Return at most this many items from the end of the list (before `before`), at most 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "End before the item with this cursor (an `edges.cursor` or `pageInfo.startCursor` of an earlier answer)."
        )]
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
        #[graphql(
            desc = "Return at most this many items from the start of the list (after `after`); 20 when neither `first` nor `last` is given, at most 100. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Start after the item with this cursor (an `edges.cursor` or `pageInfo.endCursor` of an earlier answer)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Return at most this many items from the end of the list (before `before`), at most 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "End before the item with this cursor (an `edges.cursor` or `pageInfo.startCursor` of an earlier answer)."
        )]
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
