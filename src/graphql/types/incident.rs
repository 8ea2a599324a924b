use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use entity::incident;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::relation;
use crate::graphql::types::{Account, Contact, IncidentChannel, IncidentPriority, IncidentStatus};

/// A case: a question, problem or request raised by (or for) a contact.
pub struct Incident(pub Arc<incident::Model>);

impl GraphRecord for Incident {
    type Entity = incident::Entity;

    fn from_model(model: Arc<incident::Model>) -> Self {
        Self(model)
    }
}

/// A case: a question, problem or request raised by (or for) a contact.
#[Object]
impl Incident {
    /// Global id of the record; pass it to `node(id:)` or the record's own lookup.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Incident, self.0.id).to_id()
    }

    /// One-line summary of the case.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The full description of the case.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Where the case stands in its lifecycle.
    async fn status(&self) -> IncidentStatus {
        self.0.status.into()
    }

    /// How urgent the case is.
    async fn priority(&self) -> IncidentPriority {
        self.0.priority.into()
    }

    /// How the case reached us.
    async fn channel(&self) -> Option<IncidentChannel> {
        self.0.channel.map(Into::into)
    }

    /// When the case was last solved or closed; cleared when it is reopened.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// When the case was opened (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The account the case belongs to, if any.
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        relation::record(ctx, self.0.account_id).await.extend()
    }

    /// The person the case is about; every case has one.
    async fn primary_contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        relation::required_record(ctx, self.0.primary_contact_id)
            .await
            .extend()
    }

    /// The partner that reported the case on behalf of its customer, if any.
    async fn reported_by_partner(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        relation::record(ctx, self.0.reported_by_partner_id)
            .await
            .extend()
    }
}
