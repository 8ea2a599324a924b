use async_graphql::{Context, Enum, ID, InputObject, Object, Result, ResultExt, SimpleObject};

use crate::auth::Action;
use crate::graphql::context;
use crate::graphql::guard::Permit;
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::mutations::contact::IdentityInput;
use crate::graphql::mutations::writer;
use crate::graphql::pagination::GraphRecord;
use crate::graphql::types::{Contact, EmailFormat, IdentityConflict};
use crate::service::contacts::ContactPatch;
use crate::service::patch::Patch;
use crate::service::resolve::{self, Outcome};

/// An inbound message's identities, plus what to store if the sender turns out to be new.
#[derive(InputObject)]
pub struct ResolveContactInput {
    /// Every identity the message carries, e.g. the sender's e-mail and phone number.
    pub identities: Vec<IdentityInput>,
    /// Used only when a contact is created.
    pub account_id: Option<ID>,
    /// Used only when a contact is created.
    pub first_name: Option<String>,
    /// Used only when a contact is created; without it the new contact's surname is the value of
    /// the first identity, so that it is never blank.
    pub last_name: Option<String>,
    /// Used only when a contact is created.
    pub title: Option<String>,
    /// Used only when a contact is created.
    pub timezone: Option<String>,
    /// Used only when a contact is created.
    pub email_format: Option<EmailFormat>,
}

/// What `resolveContact` did.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ResolveOutcome {
    /// All known identities belong to one contact, or the auto-merge policy merged their
    /// contacts into one (see `conflict`); unknown ones were attached to it.
    Matched,
    /// None was known; a contact was created with all of them.
    Created,
    /// They belong to two or more contacts; nothing was attached, and an `OPEN` identity
    /// conflict was stored for review. See `conflict`.
    Conflict,
}

/// The result of `resolveContact`.
#[derive(SimpleObject)]
pub struct ResolveContactPayload {
    /// What happened: the contact was found, created, or the identities conflict.
    pub outcome: ResolveOutcome,
    /// The matched or created contact; `null` on `CONFLICT`.
    pub contact: Option<Contact>,
    /// The stored identity conflict: `OPEN` on `CONFLICT`; `MERGED` on `MATCHED` when the
    /// auto-merge policy merged the contacts; otherwise `null`.
    pub conflict: Option<IdentityConflict>,
}

fn keep_or_set(value: Option<String>) -> Patch<String> {
    value.map_or(Patch::Keep, Patch::Set)
}

#[derive(Default)]
pub struct ResolveMutations;

#[Object]
impl ResolveMutations {
    /// Finds the contact behind an inbound message's identities, or creates it. Safe to call
    /// concurrently with the same identities: exactly one contact is created.
    #[graphql(guard = "Permit(Action::ResolveContact)")]
    async fn resolve_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's arguments: see `ResolveContactInput`.")]
        input: ResolveContactInput,
    ) -> Result<ResolveContactPayload> {
        let config = context::config(ctx).extend()?;
        let region = config.identity.region().extend()?;
        let account_id = input
            .account_id
            .map(|id| GlobalId::parse_as(&id, NodeType::Account))
            .transpose()
            .extend()?;
        let fields = ContactPatch {
            account_id: account_id.map_or(Patch::Keep, Patch::Set),
            first_name: keep_or_set(input.first_name),
            last_name: input.last_name,
            title: keep_or_set(input.title),
            timezone: keep_or_set(input.timezone),
            email_format: input.email_format.map(Into::into),
            ..ContactPatch::default()
        };
        let identities = input.identities.into_iter().map(Into::into).collect();
        let db = writer(ctx).extend()?;
        let resolution = resolve::resolve(db, region, &config.merge, identities, fields)
            .await
            .extend()?;
        let outcome = match resolution.outcome {
            Outcome::Matched => ResolveOutcome::Matched,
            Outcome::Created => ResolveOutcome::Created,
            Outcome::Conflict => ResolveOutcome::Conflict,
        };
        Ok(ResolveContactPayload {
            outcome,
            contact: resolution.contact.map(|c| Contact::from_model(c.into())),
            conflict: resolution
                .conflict
                .map(|c| IdentityConflict::from_model(c.into())),
        })
    }
}
