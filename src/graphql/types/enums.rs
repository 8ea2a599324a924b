//! GraphQL mirrors of the stored enums. The entity crate stays free of GraphQL; the mirrors
//! convert both ways, and a variant added on one side only fails to compile.

use entity::enums as stored;

macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident = $source:ident { $($variant:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($variant,)*
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
    EmailFormat = EmailFormat { Html, PlainText }
}

mirror_enum! {
    /// The channel of a contact identity.
    IdentityChannel = IdentityChannel { Email, Sms, Whatsapp, Facebook, Twitter, Wechat }
}

mirror_enum! {
    /// The kind of a communication method.
    CommunicationKind = CommunicationKind { Email, Phone, Mobile, Fax, Website, PostalAddress }
}

mirror_enum! {
    /// Lifecycle state of an incident.
    IncidentStatus = IncidentStatus { New, Open, Pending, Solved, Closed }
}

mirror_enum! {
    /// Urgency of an incident.
    IncidentPriority = IncidentPriority { Low, Normal, High, Urgent }
}

mirror_enum! {
    /// The channel through which an incident was reported.
    IncidentChannel = IncidentChannel { Email, Phone, Sms, Whatsapp, Social, Web, Partner }
}

mirror_enum! {
    /// Sales stage of an opportunity.
    OpportunityStage = OpportunityStage {
        Prospecting, Qualification, Proposal, Negotiation, Won, Lost
    }
}

mirror_enum! {
    /// The kind of record an audit entry is about.
    AuditEntityType = AuditEntityType {
        Account, Contact, ContactIdentity, CommunicationMethod, Incident, Opportunity,
        IdentityConflict, ApiKey
    }
}

mirror_enum! {
    /// Review state of an identity conflict: `OPEN` waits for a person; `MERGED` (by a person or
    /// the auto-merge policy) joined its contacts into one; `DISMISSED` changed nothing.
    IdentityConflictStatus = IdentityConflictStatus { Open, Merged, Dismissed }
}

mirror_enum! {
    /// What happened to the record.
    AuditAction = AuditAction { Create, Update, Delete, Merge }
}
