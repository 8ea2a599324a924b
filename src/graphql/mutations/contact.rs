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
use crate::graphql::types::{Contact, EmailFormat, IdentityChannel};
use crate::service::contacts::{self, ContactPatch, NewContact};
use crate::service::identities::NewIdentity;

/// An identity as sent by a client; the value is normalized before it is compared or stored.
#[derive(InputObject, Clone)]
pub struct IdentityInput {
    /// The channel of the identity.
    pub channel: IdentityChannel,
    /// The value as received: an e-mail address, a phone number in any format (national forms are
    /// read in the server's default region), a handle with or without `@`.
    pub value: String,
}

impl From<IdentityInput> for NewIdentity {
    fn from(input: IdentityInput) -> Self {
        NewIdentity {
            channel: input.channel.into(),
            value: input.value,
        }
    }
}

/// A new contact. Adding an e-mail, SMS or WhatsApp identity turns the matching opt-in on
/// unless the input sets it.
#[derive(InputObject)]
pub struct CreateContactInput {
    /// The account the person belongs to, if any.
    pub account_id: Option<ID>,
    /// Form of address, e.g. "Dr.".
    pub title: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Surname; must not be blank.
    pub last_name: String,
    /// Nickname or preferred name.
    pub alias: Option<String>,
    /// Position at the account.
    pub job_title: Option<String>,
    /// Free-form notes about the person.
    pub description: Option<String>,
    /// IANA time zone name, e.g. `Europe/Paris`.
    pub timezone: Option<String>,
    /// Defaults to `HTML`.
    pub email_format: Option<EmailFormat>,
    /// Agreed to receive marketing; defaults to false.
    pub marketing_opt_in: Option<bool>,
    /// May be contacted by e-mail; defaults to true when an e-mail identity is given.
    pub email_opt_in: Option<bool>,
    /// May be contacted by SMS; defaults to true when an SMS identity is given.
    pub sms_opt_in: Option<bool>,
    /// May be contacted on WhatsApp; defaults to true when a WhatsApp identity is given.
    pub whatsapp_opt_in: Option<bool>,
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
    /// Identities must not belong to another contact (`CONFLICT` naming the owner).
    #[graphql(default)]
    pub identities: Vec<IdentityInput>,
}

/// Changes to a contact: an omitted field is kept, `null` clears it.
#[derive(InputObject)]
pub struct UpdateContactInput {
    /// The contact to change (an id merged into another contact changes the survivor).
    pub id: ID,
    /// The `version` the change was based on; a newer stored version is `CONFLICT`.
    pub expected_version: Option<i32>,
    /// Moving the contact to another account (or `null`: to none) also stops it being the
    /// old account's primary contact.
    pub account_id: MaybeUndefined<ID>,
    /// Form of address; `null` clears it.
    pub title: MaybeUndefined<String>,
    /// Given name; `null` clears it.
    pub first_name: MaybeUndefined<String>,
    /// Cannot be cleared.
    pub last_name: MaybeUndefined<String>,
    /// Nickname or preferred name; `null` clears it.
    pub alias: MaybeUndefined<String>,
    /// Position at the account; `null` clears it.
    pub job_title: MaybeUndefined<String>,
    /// Free-form notes; `null` clears them.
    pub description: MaybeUndefined<String>,
    /// IANA time zone name, e.g. `Europe/Paris`; `null` clears it.
    pub timezone: MaybeUndefined<String>,
    /// How the person prefers e-mail to be formatted.
    pub email_format: Option<EmailFormat>,
    /// Agreed to receive marketing.
    pub marketing_opt_in: Option<bool>,
    /// May be contacted by e-mail.
    pub email_opt_in: Option<bool>,
    /// May be contacted by SMS.
    pub sms_opt_in: Option<bool>,
    /// May be contacted on WhatsApp.
    pub whatsapp_opt_in: Option<bool>,
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
}

/// Deletes a contact with its identities and its own communication methods; its audit log stays.
#[derive(InputObject)]
pub struct DeleteContactInput {
    /// The contact to delete (not an id merged away: that is `CONFLICT` naming the survivor).
    pub id: ID,
    /// Another contact to take over the incidents and opportunities this contact is primary
    /// contact of. Without it such a contact cannot be deleted (`CONFLICT` with counts).
    pub reassign_to: Option<ID>,
}

/// The result of `createContact` and `updateContact`.
#[derive(SimpleObject)]
pub struct ContactPayload {
    /// The contact after the change.
    pub contact: Contact,
}

/// The result of `deleteContact`.
#[derive(SimpleObject)]
pub struct DeleteContactPayload {
    /// The id the deleted contact had; it still names the contact in the audit log.
    pub deleted_contact_id: ID,
}

fn optional(value: Option<String>) -> crate::service::patch::Patch<String> {
    value.map_or(
        crate::service::patch::Patch::Keep,
        crate::service::patch::Patch::Set,
    )
}

impl CreateContactInput {
    fn into_new(self) -> Result<NewContact, AppError> {
        let account_id = match self.account_id {
            Some(id) => {
                crate::service::patch::Patch::Set(GlobalId::parse_as(&id, NodeType::Account)?)
            }
            None => crate::service::patch::Patch::Keep,
        };
        Ok(NewContact {
            fields: ContactPatch {
                account_id,
                title: optional(self.title),
                first_name: optional(self.first_name),
                last_name: Some(self.last_name),
                alias: optional(self.alias),
                job_title: optional(self.job_title),
                description: optional(self.description),
                timezone: optional(self.timezone),
                email_format: self.email_format.map(Into::into),
                marketing_opt_in: self.marketing_opt_in,
                email_opt_in: self.email_opt_in,
                sms_opt_in: self.sms_opt_in,
                whatsapp_opt_in: self.whatsapp_opt_in,
                street: optional(self.street),
                city: optional(self.city),
                state: optional(self.state),
                postal_code: optional(self.postal_code),
                country: optional(self.country),
            },
            identities: self.identities.into_iter().map(Into::into).collect(),
        })
    }
}

impl UpdateContactInput {
    fn into_patch(self) -> Result<ContactPatch, AppError> {
        Ok(ContactPatch {
            account_id: patch_id(self.account_id, NodeType::Account)?,
            title: patch(self.title),
            first_name: patch(self.first_name),
            last_name: match self.last_name {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => {
                    return Err(AppError::bad_input("`lastName` cannot be cleared"));
                }
                MaybeUndefined::Value(name) => Some(name),
            },
            alias: patch(self.alias),
            job_title: patch(self.job_title),
            description: patch(self.description),
            timezone: patch(self.timezone),
            email_format: self.email_format.map(Into::into),
            marketing_opt_in: self.marketing_opt_in,
            email_opt_in: self.email_opt_in,
            sms_opt_in: self.sms_opt_in,
            whatsapp_opt_in: self.whatsapp_opt_in,
            street: patch(self.street),
            city: patch(self.city),
            state: patch(self.state),
            postal_code: patch(self.postal_code),
            country: patch(self.country),
        })
    }
}

#[derive(Default)]
pub struct ContactMutations;

#[Object]
impl ContactMutations {
    /// Creates a contact, optionally with identities.
    #[graphql(guard = "Permit(Action::WriteContacts)")]
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `CreateContactInput`.")]
        input: CreateContactInput,
    ) -> Result<ContactPayload> {
        let region = context::config(ctx).extend()?.identity.region().extend()?;
        let new = input.into_new().extend()?;
        let created = contacts::create(writer(ctx).extend()?, region, new)
            .await
            .extend()?;
        Ok(ContactPayload {
            contact: Contact::from_model(created.into()),
        })
    }

    /// Changes some fields of a contact.
    #[graphql(guard = "Permit(Action::WriteContacts)")]
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `UpdateContactInput`.")]
        input: UpdateContactInput,
    ) -> Result<ContactPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Contact).extend()?;
        let expected_version = input.expected_version;
        let patch = input.into_patch().extend()?;
        let updated = contacts::update(writer(ctx).extend()?, id, patch, expected_version)
            .await
            .extend()?;
        Ok(ContactPayload {
            contact: Contact::from_model(updated.into()),
        })
    }

    /// Deletes a contact.
    #[graphql(guard = "Permit(Action::Delete)")]
    async fn delete_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `DeleteContactInput`.")]
        input: DeleteContactInput,
    ) -> Result<DeleteContactPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::Contact).extend()?;
        let reassign_to = input
            .reassign_to
            .map(|id| GlobalId::parse_as(&id, NodeType::Contact))
            .transpose()
            .extend()?;
        contacts::delete(writer(ctx).extend()?, id, reassign_to)
            .await
            .extend()?;
        Ok(DeleteContactPayload {
            deleted_contact_id: input.id,
        })
    }
}
