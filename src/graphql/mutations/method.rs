use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, OneofObject, Result, ResultExt, SimpleObject,
};

use crate::auth::Action;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::{patch, writer};
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{CommunicationKind, CommunicationMethod, Contact};
use crate::service::methods::{self, MethodChange, MethodOwner, MethodPatch, NewMethod};

/// The owner of a communication method: exactly one account or one contact.
#[derive(OneofObject)]
pub enum MethodOwnerInput {
    /// The owning account.
    Account(ID),
    /// The owning contact. Adding a method changes the contact: its `version` rises.
    Contact(ID),
}

/// A new communication method of exactly one account or one contact (its `owner`).
///
/// The value must fit the kind: an e-mail address for `EMAIL`; a phone number for `PHONE`,
/// `MOBILE` and `FAX` (national forms are read in the server's default region; stored in
/// E.164, `+4930...`); an absolute http(s) URL for `WEBSITE`; non-blank text for
/// `POSTAL_ADDRESS`.
#[derive(InputObject)]
pub struct CreateCommunicationMethodInput {
    /// Who the method belongs to; it cannot move later.
    pub owner: MethodOwnerInput,
    /// What kind of channel this is.
    pub kind: CommunicationKind,
    /// The address, number or URL; it must fit `kind`.
    pub value: String,
    /// What the channel is for, e.g. "Switchboard" or "Sales" (at most 200 characters).
    pub label: Option<String>,
    /// For a contact's `EMAIL` method, its `emailOptIn`; for a `MOBILE` method, its
    /// `smsOptIn`. By default adding such a method turns the opt-in on. Ignored for other
    /// kinds and for methods of an account.
    pub opt_in: Option<bool>,
    /// The contact `version` the change was based on; a newer stored version is `CONFLICT`.
    /// Only for methods of a contact (`BAD_USER_INPUT` with `accountId`).
    pub expected_version: Option<i32>,
}

/// Changes to a communication method: an omitted field is kept, `null` clears the label.
/// A method cannot move to another owner.
#[derive(InputObject)]
pub struct UpdateCommunicationMethodInput {
    /// The method to change.
    pub id: ID,
    /// A new kind; the value (the new one, or else the stored one) must fit it.
    pub kind: Option<CommunicationKind>,
    /// Must fit the kind, as on creation.
    pub value: Option<String>,
    /// What the channel is for; `null` clears it.
    pub label: MaybeUndefined<String>,
    /// The owner contact's `version` the change was based on; a newer stored version is
    /// `CONFLICT`. Only for methods of a contact (`BAD_USER_INPUT` for an account's).
    pub expected_version: Option<i32>,
}

/// Deletes a communication method; its audit log stays.
#[derive(InputObject)]
pub struct DeleteCommunicationMethodInput {
    /// The method to delete.
    pub id: ID,
    /// The owner contact's `version` the change was based on; a newer stored version is
    /// `CONFLICT`. Only for methods of a contact (`BAD_USER_INPUT` for an account's).
    pub expected_version: Option<i32>,
}

/// The result of `createCommunicationMethod` and `updateCommunicationMethod`.
#[derive(SimpleObject)]
pub struct CommunicationMethodPayload {
    /// The method after the change.
    pub communication_method: CommunicationMethod,
    /// The owner contact after the change (with its new `version`); `null` for a method of
    /// an account.
    pub contact: Option<Contact>,
}

/// The result of `deleteCommunicationMethod`.
#[derive(SimpleObject)]
pub struct DeleteCommunicationMethodPayload {
    /// The id the deleted method had; it still names the method in the audit log.
    pub deleted_communication_method_id: ID,
    /// The owner contact after the change (with its new `version`); `null` for a method of
    /// an account.
    pub contact: Option<Contact>,
}

impl From<MethodChange> for CommunicationMethodPayload {
    fn from(change: MethodChange) -> Self {
        Self {
            communication_method: CommunicationMethod::from_model(change.method.into()),
            contact: change
                .contact
                .map(|contact| Contact::from_model(contact.into())),
        }
    }
}

impl CreateCommunicationMethodInput {
    fn into_new(self) -> Result<NewMethod, AppError> {
        let owner = match self.owner {
            MethodOwnerInput::Account(id) => {
                MethodOwner::Account(GlobalId::parse_as(&id, NodeType::Account)?)
            }
            MethodOwnerInput::Contact(id) => {
                MethodOwner::Contact(GlobalId::parse_as(&id, NodeType::Contact)?)
            }
        };
        Ok(NewMethod {
            owner,
            kind: self.kind.into(),
            value: self.value,
            label: self.label,
        })
    }
}

#[derive(Default)]
pub struct MethodMutations;

#[Object]
impl MethodMutations {
    /// Adds a communication method to an account or a contact.
    #[graphql(guard = "Permit(Action::WriteContacts)")]
    async fn create_communication_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `CreateCommunicationMethodInput`.")]
        input: CreateCommunicationMethodInput,
    ) -> Result<CommunicationMethodPayload> {
        let region = context::config(ctx).extend()?.identity.region().extend()?;
        let (opt_in, expected_version) = (input.opt_in, input.expected_version);
        let new = input.into_new().extend()?;
        let change = methods::create(writer(ctx).extend()?, region, new, opt_in, expected_version)
            .await
            .extend()?;
        Ok(change.into())
    }

    /// Changes the kind, value or label of a communication method.
    #[graphql(guard = "Permit(Action::WriteContacts)")]
    async fn update_communication_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `UpdateCommunicationMethodInput`.")]
        input: UpdateCommunicationMethodInput,
    ) -> Result<CommunicationMethodPayload> {
        let region = context::config(ctx).extend()?.identity.region().extend()?;
        let id = GlobalId::parse_as(&input.id, NodeType::CommunicationMethod).extend()?;
        let changes = MethodPatch {
            kind: input.kind.map(Into::into),
            value: input.value,
            label: patch(input.label),
        };
        let change = methods::update(
            writer(ctx).extend()?,
            region,
            id,
            changes,
            input.expected_version,
        )
        .await
        .extend()?;
        Ok(change.into())
    }

    /// Deletes a communication method.
    #[graphql(guard = "Permit(Action::Delete)")]
    async fn delete_communication_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `DeleteCommunicationMethodInput`.")]
        input: DeleteCommunicationMethodInput,
    ) -> Result<DeleteCommunicationMethodPayload> {
        let id = GlobalId::parse_as(&input.id, NodeType::CommunicationMethod).extend()?;
        let change = methods::delete(writer(ctx).extend()?, id, input.expected_version)
            .await
            .extend()?;
        Ok(DeleteCommunicationMethodPayload {
            deleted_communication_method_id: input.id,
            contact: change
                .contact
                .map(|contact| Contact::from_model(contact.into())),
        })
    }
}
