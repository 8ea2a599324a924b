//! Root query fields. Resolvers decode ids and page arguments, then hand over to the loaders
//! and services; no SQL is built here.

use async_graphql::{Context, ID, Object, Result, ResultExt};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::filters::{
    self, AccountFilter, AccountOrder, AuditEntryFilter, AuditEntryOrder, ContactFilter,
    ContactOrder, IncidentFilter, IncidentOrder, OpportunityFilter, OpportunityOrder,
};
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::{self, GraphRecord, ListConnection, PageArgs};
use crate::graphql::relation;
use crate::graphql::types::{
    Account, ApiKey, AuditEntry, Contact, IdentityChannel, IdentityConflict,
    IdentityConflictStatus, Incident, Node, Opportunity,
};
use crate::service::listing::ListSpec;
use crate::service::{conflicts, lookup};

#[derive(Default)]
pub struct QueryRoot;

/// A record of type `N` by global id: a malformed id or one of another type is refused, an
/// unknown id answers `null`.
async fn by_id<N: GraphRecord>(
    ctx: &Context<'_>,
    id: &ID,
    node_type: NodeType,
) -> Result<Option<N>, AppError> {
    let uuid = GlobalId::parse_as(id, node_type)?;
    relation::record::<N>(ctx, Some(uuid)).await
}

#[Object]
impl QueryRoot {
    /// Any record by its global id; `null` when no such record exists.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of any record.")] id: ID,
    ) -> Result<Option<Node>> {
        let global = GlobalId::parse(&id).extend()?;
        Node::load(ctx, global).await.extend()
    }

    /// Several records by global id, in the order asked; `null` for each unknown id.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids of any records; at most 100 (`limits.max_node_ids`).")]
        ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        let max = context::config(ctx).extend()?.limits.max_node_ids;
        if ids.len() > max {
            return Err(AppError::bad_input(format!(
                "`ids` accepts at most {max} ids"
            )))
            .extend();
        }
        let globals = ids
            .iter()
            .map(|id| GlobalId::parse(id))
            .collect::<Result<Vec<_>, _>>()
            .extend()?;
        let loads = globals.into_iter().map(|global| Node::load(ctx, global));
        async_graphql::futures_util::future::try_join_all(loads)
            .await
            .extend()
    }

    /// The account with this global id; `null` when there is none (or it is outside the caller's
    /// scope). A malformed id or the id of another type is `BAD_USER_INPUT`.
    async fn account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the account.")] id: ID,
    ) -> Result<Option<Account>> {
        by_id(ctx, &id, NodeType::Account).await.extend()
    }

    /// The contact with this global id; `null` when there is none (or it is outside the caller's
    /// scope). A malformed id or the id of another type is `BAD_USER_INPUT`. An id merged into
    /// another contact answers the survivor.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the contact.")] id: ID,
    ) -> Result<Option<Contact>> {
        by_id(ctx, &id, NodeType::Contact).await.extend()
    }

    /// The incident with this global id; `null` when there is none (or it is outside the caller's
    /// scope). A malformed id or the id of another type is `BAD_USER_INPUT`.
    async fn incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the incident.")] id: ID,
    ) -> Result<Option<Incident>> {
        by_id(ctx, &id, NodeType::Incident).await.extend()
    }

    /// The opportunity with this global id; `null` when there is none (or it is outside the
    /// caller's scope). A malformed id or the id of another type is `BAD_USER_INPUT`.
    async fn opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the opportunity.")] id: ID,
    ) -> Result<Option<Opportunity>> {
        by_id(ctx, &id, NodeType::Opportunity).await.extend()
    }

    /// The contact that owns an identity. `value` is normalized the way identities are stored,
    /// so `+49 30 1234567` and `030 1234567` (in the default region) find the same contact.
    async fn contact_by_identity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The channel of the identity.")] channel: IdentityChannel,
        #[graphql(
            desc = "The identity's value as entered anywhere (an e-mail address, a phone number in any format, a handle with or without `@`)."
        )]
        value: String,
    ) -> Result<Option<Contact>> {
        let region = context::config(ctx).extend()?.identity.region().extend()?;
        let loaders = context::loaders(ctx).extend()?;
        let found = lookup::contact_by_identity(loaders.db(), channel.into(), &value, region)
            .await
            .extend()?;
        Ok(found.map(|model| Contact::from_model(model.into())))
    }

    /// Accounts, oldest first unless `orderBy` says otherwise.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn accounts(
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
        pagination::root_connection(ctx, args, spec).await.extend()
    }

    /// Contacts, oldest first unless `orderBy` says otherwise.
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
        pagination::root_connection(ctx, args, spec).await.extend()
    }

    /// Incidents, oldest first unless `orderBy` says otherwise.
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
        pagination::root_connection(ctx, args, spec).await.extend()
    }

    /// Opportunities, oldest first unless `orderBy` says otherwise.
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
        pagination::root_connection(ctx, args, spec).await.extend()
    }

    /// The audit log, oldest first unless `orderBy` says otherwise.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn audit_entries(
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
        pagination::root_connection(ctx, args, spec).await.extend()
    }

    /// Every API key, oldest first (admin keys only).
    #[graphql(
        guard = "Permit(Action::ManageApiKeys)",
        complexity = "pagination::cost(first, last, child_complexity)"
    )]
    async fn api_keys(
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
    ) -> Result<ListConnection<ApiKey>> {
        let args = PageArgs::new(first, after, last, before);
        pagination::root_connection(ctx, args, ListSpec::default())
            .await
            .extend()
    }

    /// Identity conflicts, oldest first; only those in `status` when given.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn identity_conflicts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only conflicts in this state; all of them when omitted.")] status: Option<
            IdentityConflictStatus,
        >,
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
    ) -> Result<ListConnection<IdentityConflict>> {
        let args = PageArgs::new(first, after, last, before);
        let filter = conflicts::with_status(status.map(Into::into));
        pagination::filtered_root_connection(ctx, args, ListSpec::default(), filter)
            .await
            .extend()
    }
}
