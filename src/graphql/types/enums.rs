//! GraphQL mirrors of the stored enums. The entity crate stays free of GraphQL; the mirrors
//! convert both ways, and a variant added on one side only fails to compile.

use entity::enums as stored;

macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident = $source:ident { $($(#[$vdoc:meta])* $variant:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl From<stored::$source> for $name {
            fn from(value: stored::$source) -> Self {
                match value {
                    $(stored::$source::$variant => Self::$variant,)*
                }
            }
        }

        impl From<$name> for stored::$source {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant,)*
                }
            }
        }
    };
}

mirror_enum! {
    /// How a contact prefers e-mail to be formatted.
    EmailFormat = EmailFormat {
        /// Formatted (HTML) e-mail.
        Html,
        /// Plain text only.
        PlainText,
    }
}

mirror_enum! {
    /// The channel of a contact identity.
    IdentityChannel = IdentityChannel {
        /// An e-mail address (compared trimmed and lower-cased).
        Email,
        /// A phone number that receives text messages (compared in E.164 with `+`).
        Sms,
        /// A WhatsApp phone number (compared in E.164 with `+`).
        Whatsapp,
        /// A Facebook (Messenger) user id or handle.
        Facebook,
        /// A Twitter / X handle (compared without `@`, lower-cased).
        Twitter,
        /// A WeChat id.
        Wechat,
    }
}

mirror_enum! {
    /// The kind of a communication method.
    CommunicationKind = CommunicationKind {
        /// An e-mail address, e.g. a shared support mailbox.
        Email,
        /// A landline phone number (stored in E.164).
        Phone,
        /// A mobile phone number (stored in E.164).
        Mobile,
        /// A fax number (stored in E.164).
        Fax,
        /// A web address.
        Website,
        /// A postal address, as one text.
        PostalAddress,
    }
}

mirror_enum! {
    /// Lifecycle state of an incident.
    IncidentStatus = IncidentStatus {
        /// Reported, nobody has looked at it yet.
        New,
        /// Being worked on.
        Open,
        /// Waiting for the customer or a third party.
        Pending,
        /// A solution was given; the customer may still reopen the case.
        Solved,
        /// Finished for good.
        Closed,
    }
}

mirror_enum! {
    /// Urgency of an incident.
    IncidentPriority = IncidentPriority {
        /// Can wait.
        Low,
        /// The default.
        Normal,
        /// Before normal cases.
        High,
        /// Drop everything else.
        Urgent,
    }
}

mirror_enum! {
    /// The channel through which an incident was reported.
    IncidentChannel = IncidentChannel {
        /// By e-mail.
        Email,
        /// By phone call.
        Phone,
        /// By text message.
        Sms,
        /// On WhatsApp.
        Whatsapp,
        /// On a social network.
        Social,
        /// Through a web form or portal.
        Web,
        /// Reported by a partner on behalf of its customer.
        Partner,
    }
}

mirror_enum! {
    /// Sales stage of an opportunity.
    OpportunityStage = OpportunityStage {
        /// A possible sale, not yet talked through.
        Prospecting,
        /// The customer's need and budget are being checked.
        Qualification,
        /// An offer was made.
        Proposal,
        /// Terms are being negotiated.
        Negotiation,
        /// The sale was made.
        Won,
        /// The sale will not happen.
        Lost,
    }
}

mirror_enum! {
    /// The kind of record an audit entry is about.
    AuditEntityType = AuditEntityType {
        /// An `Account`.
        Account,
        /// A `Contact`.
        Contact,
        /// A `ContactIdentity`.
        ContactIdentity,
        /// A `CommunicationMethod`.
        CommunicationMethod,
        /// An `Incident`.
        Incident,
        /// An `Opportunity`.
        Opportunity,
        /// An `IdentityConflict`.
        IdentityConflict,
        /// An `ApiKey` (its creation and revocation; never the token).
        ApiKey,
    }
}

mirror_enum! {
    /// Review state of an identity conflict: `OPEN` waits for a person; `MERGED` (by a person or
    /// the auto-merge policy) joined its contacts into one; `DISMISSED` changed nothing.
    IdentityConflictStatus = IdentityConflictStatus {
        /// Waiting for a person to review it.
        Open,
        /// Its contacts were merged into one (by a person or the auto-merge policy).
        Merged,
        /// Reviewed and left as it was.
        Dismissed,
    }
}

mirror_enum! {
    /// What happened to the record.
    AuditAction = AuditAction {
        /// The record was created.
        Create,
        /// Fields of the record changed.
        Update,
        /// The record was deleted.
        Delete,
        /// Another contact was merged into this one (on the survivor), or this contact was
        /// merged away.
        Merge,
    }
}

mirror_enum! {
    /// What an API key may do.
    ApiKeyRole = ApiKeyRole {
        /// Everything, including API keys and deleting accounts.
        Admin,
        /// Read all; create and change all; delete contacts, incidents, opportunities and
        /// communication methods; merge contacts and settle identity conflicts.
        Manager,
        /// Read all; create and change contacts (with identities and methods), incidents and
        /// opportunities; `resolveContact`. No deletes, no merges.
        Agent,
        /// Read all, write nothing: reporting tools.
        Reader,
        /// One partner account: sees it, its customer accounts, their contacts and incidents;
        /// creates and changes those contacts and incidents. Nothing else exists for it.
        Partner,
    }
}
