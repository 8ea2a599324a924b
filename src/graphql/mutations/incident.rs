use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, ResultExt, SimpleObject,
};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::{not_null, patch, patch_id, writer};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{Incident, IncidentChannel, IncidentPriority, IncidentStatus};
use crate::service::incidents::{self, IncidentPatch, NewIncident};

/// A new incident (case).
#[derive(InputObject)]
pub struct CreateIncidentInput {
    /// One line summing up the case; must not be blank (at most 200 characters).
    pub subject: String,
    /// Free text, at most 10,000 characters; blank means none.
    pub description: Option<String>,
    /// The person the case is about; every case has one.
    pub primary_contact_id: ID,
    /// The account the case belongs to. Omitted: the primary contact's account (if any);
    /// `null`: no account.
    pub account_id: MaybeUndefined<ID>,
    /// The partner account reporting the case on behalf of its customer. It must be a partner
    /// account and, when the case's account has a partner, that very partner (`BAD_USER_INPUT`
    /// otherwise).
    pub reported_by_partner_id: Option<ID>,
    /// Defaults to `NEW`. `SOLVED` and `CLOSED` set `closedAt`.
    pub status: Option<IncidentStatus>,
    /// Defaults to `NORMAL`.
    pub priority: Option<IncidentPriority>,
    /// How the case reached us.
    pub channel: Option<IncidentChannel>,
}

/// Changes to an incident: an omitted field is kept, `null` clears it. The primary contact
/// changes through `changeIncidentContact`.
#[derive(InputObject)]
pub struct UpdateIncidentInput {
    /// The incident to change.
    pub id: ID,
    /// Cannot be blank or cleared.
    pub subject: MaybeUndefined<String>,
    /// Blank or `null` clears it.
    pub description: MaybeUndefined<String>,
    /// `null`: the case belongs to no account. The reporting partner must still fit the new
    /// account (see `reportedByPartnerId`).
    pub account_id: MaybeUndefined<ID>,
    /// A partner account; when the case's account has a partner, that very partner.
    pub reported_by_partner_id: MaybeUndefined<ID>,
    /// A change to `SOLVED` or `CLOSED` sets `closedAt` to the time of the change; a change
    /// back to `NEW`, `OPEN` or `PENDING` clears it.
    /// Cannot be cleared.
    pub status: MaybeUndefined<IncidentStatus>,
    /// Cannot be cleared.
    pub priority: MaybeUndefined<IncidentPriority>,
    /// `null` clears it.
    pub channel: MaybeUndefined<IncidentChannel>,
}

/// Deletes an incident; its audit log stays.
#[derive(InputObject)]
pub struct DeleteIncidentInput {
    /// The incident to delete.
    pub id: ID,
}

/// Moves an incident to another contact. The case keeps its account and reporting partner.
#[derive(InputObject)]
pub struct ChangeIncidentContactInput {
    /// The incident to move.
    pub id: ID,
    /// The new primary contact; must exist and differ from the current one.
    pub contact_id: ID,
}

/// The result of a mutation that changes an incident.
#[derive(SimpleObject)]
pub struct IncidentPayload {
    /// The incident after the change.
    pub incident: Incident,
}

/// The result of `deleteIncident`.
#[derive(SimpleObject)]
pub struct DeleteIncidentPayload {
    /// The id the deleted incident had; it still names the incident in the audit log.
    pub deleted_incident_id: ID,
}

fn optional_id(id: Option<ID>, node_type: NodeType) -> Result<Option<uuid::Uuid>, AppError> {
    id.map(|id| GlobalId::parse_as(&id, node_type)).transpose()
}

impl CreateIncidentInput {
    fn into_new(self) -> Result<NewIncident, AppError> {
        Ok(NewIncident {
            subject: self.subject,
            description: self.description,
            primary_contact_id: GlobalId::parse_as(&self.primary_contact_id, NodeType::Contact)?,
            account_id: patch_id(self.account_id, NodeType::Account)?,
            reported_by_partner_id: optional_id(self.reported_by_partner_id, NodeType::Account)?,
            status: self.status.map(Into::into),
            priority: self.priority.map(Into::into),
            channel: self.channel.map(Into::into),
        })
    }
}

impl UpdateIncidentInput {
    fn into_patch(self) -> Result<IncidentPatch, AppError> {
        Ok(IncidentPatch {
            subject: not_null(self.subject, "subject")?,
            description: patch(self.description),
            account_id: patch_id(self.account_id, NodeType::Account)?,
            reported_by_partner_id: patch_id(self.reported_by_partner_id, NodeType::Account)?,
            status: not_null(self.status, "status")?.map(Into::into),
            priority: not_null(self.priority, "priority")?.map(Into::into),
            channel: patch(self.channel).map(Into::into),
        })
    }
}

#[derive(Default)]
pub struct IncidentMutations;

#[Object]
impl IncidentMutations {
    /// Opens an incident for a contact.
    #[graphql(guard = "Permit(Action::WriteIncidents)")]
    async fn create_incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `CreateIncidentInput`.")]
        input: CreateIncidentInput,
    ) -> Result<IncidentPayload> {
        let new = input.into_new().extend()?;
        let created = incidents::create(writer(ctx).extend()?, new)
            .await
            .extend()?;
        Ok(IncidentPayload {
            incident: Incident::from_model(created.into()),
        })
    }

    /// Changes some fields of an incident.
    #[graphql(guard = "Permit(Action::WriteIncidents)")]
    async fn update_incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `UpdateIncidentInput`.")]
        input: UpdateIncidentInput,
    ) -> Result<IncidentPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Incident).extend()?;
        let patch = input.into_patch().extend()?;
        let updated = incidents::update(writer(ctx).extend()?, id, patch)
            .await
            .extend()?;
        Ok(IncidentPayload {
            incident: Incident::from_model(updated.into()),
        })
    }

    /// Deletes an incident.
    #[graphql(guard = "Permit(Action::Delete)")]
    async fn delete_incident(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `DeleteIncidentInput`.")]
        input: DeleteIncidentInput,
    ) -> Result<DeleteIncidentPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Incident).extend()?;
        incidents::delete(writer(ctx).extend()?, id)
            .await
            .extend()?;
        Ok(DeleteIncidentPayload {
            deleted_incident_id: input.id,
        })
    }

    /// Moves an incident to another existing contact. The move is audited under the new
    /// contact; the entry's `primaryContactId` change names the previous one.
    #[graphql(guard = "Permit(Action::WriteIncidents)")]
    async fn change_incident_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `ChangeIncidentContactInput`.")]
        input: ChangeIncidentContactInput,
    ) -> Result<IncidentPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Incident).extend()?;
        let contact_id = GlobalId::parse_as(&input.contact_id, NodeType::Contact).extend()?;
        let moved = incidents::change_contact(writer(ctx).extend()?, id, contact_id)
            .await
            .extend()?;
        Ok(IncidentPayload {
            incident: Incident::from_model(moved.into()),
        })
    }
}
