use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use entity::contact;

use crate::graphql::filters::{
    self, AuditEntryFilter, AuditEntryOrder, IncidentFilter, IncidentOrder, OpportunityFilter,
    OpportunityOrder,
};
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::{self, GraphRecord, ListConnection, PageArgs};
use crate::graphql::relation;
use crate::graphql::types::{
    Account, AuditEntry, CommunicationMethod, ContactIdentity, EmailFormat, Incident, Opportunity,
};
use crate::service::relations::{
    AuditOfContact, IdentitiesOfContact, IncidentsOfContact, MethodsOfContact,
    OpportunitiesOfContact, RedirectsToContact,
};

/// A person. Belongs to at most one account; reachable through its identities on every channel.
pub struct Contact(pub Arc<contact::Model>);

impl GraphRecord for Contact {
    type Entity = contact::Entity;

    fn from_model(model: Arc<contact::Model>) -> Self {
        Self(model)
    }
}

/// A person. Belongs to at most one account; reachable through its identities on every channel.
#[Object]
impl Contact {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup. An id of a
    /// contact merged into this one also resolves to it.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Contact, self.0.id).to_id()
    }

    /// Form of address, e.g. "Dr.".
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Given name.
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }

    /// Surname; never blank.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }

    /// Nickname or preferred name.
    async fn alias(&self) -> Option<&str> {
        self.0.alias.as_deref()
    }

    /// Position at the account, e.g. "Head of IT".
    async fn job_title(&self) -> Option<&str> {
        self.0.job_title.as_deref()
    }

    /// Free-form notes about the person.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// IANA time zone name, e.g. `Europe/Paris`.
    async fn timezone(&self) -> Option<&str> {
        self.0.timezone.as_deref()
    }

    /// How the person prefers e-mail to be formatted.
    async fn email_format(&self) -> EmailFormat {
        self.0.email_format.into()
    }

    /// Agreed to receive marketing.
    async fn marketing_opt_in(&self) -> bool {
        self.0.marketing_opt_in
    }

    /// May be contacted by e-mail.
    async fn email_opt_in(&self) -> bool {
        self.0.email_opt_in
    }

    /// May be contacted by SMS.
    async fn sms_opt_in(&self) -> bool {
        self.0.sms_opt_in
    }

    /// May be contacted on WhatsApp.
    async fn whatsapp_opt_in(&self) -> bool {
        self.0.whatsapp_opt_in
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

    /// Rises on every change to the contact, its identities or its communication methods;
    /// pass it back as `expectedVersion` to detect concurrent edits.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Ids of contacts that were merged into this one; they keep resolving to this contact.
    async fn merged_from(&self, ctx: &Context<'_>) -> Result<Vec<ID>> {
        let loaders = crate::graphql::context::loaders(ctx).extend()?;
        let redirects = loaders
            .load(crate::loaders::AllOf::<RedirectsToContact>::new(self.0.id))
            .await
            .extend()?;
        Ok(redirects
            .map(|rows| {
                rows.iter()
                    .map(|redirect| GlobalId::new(NodeType::Contact, redirect.merged_id).to_id())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The account this person belongs to, if any.
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        relation::record(ctx, self.0.account_id).await.extend()
    }

    /// E-mail addresses, phone numbers and social handles that identify this person, oldest first.
    async fn identities(&self, ctx: &Context<'_>) -> Result<Vec<ContactIdentity>> {
        relation::all::<IdentitiesOfContact, _>(ctx, self.0.id)
            .await
            .extend()
    }

    /// The person's own channels, oldest first.
    async fn communication_methods(&self, ctx: &Context<'_>) -> Result<Vec<CommunicationMethod>> {
        relation::all::<MethodsOfContact, _>(ctx, self.0.id)
            .await
            .extend()
    }

    /// Cases whose primary contact is this person.
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
        pagination::child_connection::<IncidentsOfContact, _>(ctx, self.0.id, args, spec)
            .await
            .extend()
    }

    /// Sales whose primary contact is this person.
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
        pagination::child_connection::<OpportunitiesOfContact, _>(ctx, self.0.id, args, spec)
            .await
            .extend()
    }

    /// Changes concerning this person, oldest first.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn audit_log(
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
        #[graphql(desc = "Only the records that match (see `AuditEntryFilter`).")] filter: Option<
            AuditEntryFilter,
        >,
        #[graphql(desc = "Sort keys, applied in turn; the id breaks ties. Default: oldest first.")]
        order_by: Option<Vec<AuditEntryOrder>>,
    ) -> Result<ListConnection<AuditEntry>> {
        let args = PageArgs::new(first, after, last, before);
        let spec = filters::spec(filter, order_by).extend()?;
        pagination::child_connection::<AuditOfContact, _>(ctx, self.0.id, args, spec)
            .await
            .extend()
    }
}
