use async_graphql::{Context, ID, InputObject, Object, Result, ResultExt, SimpleObject};

use crate::auth::Action;
use crate::graphql::context;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::writer;
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{Contact, ContactIdentity, IdentityChannel};
use crate::service::identities::{self, NewIdentity};

/// A new identity for a contact.
#[derive(InputObject)]
pub struct AddContactIdentityInput {
    /// The contact that gets the identity.
    pub contact_id: ID,
    /// The channel of the identity.
    pub channel: IdentityChannel,
    /// The value as received; it is normalized before it is compared or stored.
    pub value: String,
    /// The opt-in of an e-mail, SMS or WhatsApp identity's channel; by default adding such an
    /// identity turns it on.
    pub opt_in: Option<bool>,
    /// The contact `version` the change was based on.
    pub expected_version: Option<i32>,
}

/// Removes an identity from its contact.
#[derive(InputObject)]
pub struct RemoveContactIdentityInput {
    /// The identity to remove.
    pub id: ID,
    /// The contact `version` the change was based on.
    pub expected_version: Option<i32>,
}

/// The result of `addContactIdentity`.
#[derive(SimpleObject)]
pub struct AddContactIdentityPayload {
    /// The contact after the change (with its new `version`).
    pub contact: Contact,
    /// The new identity.
    pub identity: ContactIdentity,
}

/// The result of `removeContactIdentity`.
#[derive(SimpleObject)]
pub struct RemoveContactIdentityPayload {
    /// The contact after the change (with its new `version`).
    pub contact: Contact,
    /// The id the removed identity had.
    pub removed_identity_id: ID,
}

#[derive(Default)]
pub struct IdentityMutations;

#[Object]
impl IdentityMutations {
    /// Adds an identity to a contact. An identity of another contact is `CONFLICT` with
    /// `extensions.contactId` naming the owner, so a client can offer a merge.
    #[graphql(guard = "Permit(Action::WriteContacts)")]
    async fn add_contact_identity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `AddContactIdentityInput`.")]
        input: AddContactIdentityInput,
    ) -> Result<AddContactIdentityPayload> {
        let region = context::config(ctx).extend()?.identity.region().extend()?;
        let contact_id = GlobalId::parse_as(&input.contact_id, NodeType::Contact).extend()?;
        let identity = NewIdentity {
            channel: input.channel.into(),
            value: input.value,
        };
        let (contact, identity) = identities::add(
            writer(ctx).extend()?,
            region,
            contact_id,
            identity,
            input.opt_in,
            input.expected_version,
        )
        .await
        .extend()?;
        Ok(AddContactIdentityPayload {
            contact: Contact::from_model(contact.into()),
            identity: ContactIdentity::from_model(identity.into()),
        })
    }

    /// Removes an identity from its contact.
    #[graphql(guard = "Permit(Action::Delete)")]
    async fn remove_contact_identity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `RemoveContactIdentityInput`.")]
        input: RemoveContactIdentityInput,
    ) -> Result<RemoveContactIdentityPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::ContactIdentity).extend()?;
        let contact = identities::remove(writer(ctx).extend()?, id, input.expected_version)
            .await
            .extend()?;
        Ok(RemoveContactIdentityPayload {
            contact: Contact::from_model(contact.into()),
            removed_identity_id: input.id,
        })
    }
}
