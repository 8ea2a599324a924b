//! Stored rows as the writer sees them: each model writes its own columns as JSON, in exactly
//! the form the resolvers give (global ids, enum names, RFC 3339 timestamps), and names the
//! records its foreign keys point at.

use async_graphql::resolver_utils::EnumType;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{account, communication_method, contact, contact_identity, incident, opportunity};
use uuid::Uuid;

use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::plan::catalog::{RecordType, ToOne};
use crate::graphql::types::{
    CommunicationKind, EmailFormat, IdentityChannel, IncidentChannel, IncidentPriority,
    IncidentStatus, OpportunityStage,
};

/// A record of any type the plan answers.
pub trait Row: Send + Sync + 'static {
    fn id(&self) -> Uuid;

    /// Writes the column behind GraphQL field `name`; `false` when the type has no such column
    /// (a catalogue bug: the planner only asks for listed columns).
    fn write_column(&self, name: &str, out: &mut Vec<u8>) -> bool;

    /// The id a to-one relation of this row points at.
    fn reference(&self, _relation: ToOne) -> Option<Uuid> {
        None
    }

    /// Amount in minor units and currency (`Opportunity.amount`).
    fn money(&self) -> Option<(i64, &str)> {
        None
    }
}

/// The record type of a model, as the plan names it.
pub trait Stored {
    const RECORD: RecordType;
}

pub fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"null");
}

pub fn string(out: &mut Vec<u8>, value: &str) {
    // Serializing a `str` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

fn optional(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(value) => string(out, value),
        None => null(out),
    }
}

pub fn boolean(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

pub fn integer(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn id(out: &mut Vec<u8>, node_type: NodeType, id: Uuid) {
    GlobalId::new(node_type, id).write_json(out);
}

/// async-graphql's `DateTime<Utc>` scalar: `to_rfc3339()`.
fn timestamp(out: &mut Vec<u8>, value: &DateTime<Utc>) {
    string(out, &value.to_rfc3339());
}

/// async-graphql's `NaiveDate` scalar.
fn date(out: &mut Vec<u8>, value: Option<&NaiveDate>) {
    match value {
        Some(value) => string(out, &value.format("%Y-%m-%d").to_string()),
        None => null(out),
    }
}

/// The GraphQL name of a stored enum value, through its GraphQL mirror.
fn enumeration<G: EnumType>(out: &mut Vec<u8>, value: impl Into<G>) {
    let value = value.into();
    match G::items().iter().find(|item| item.value == value) {
        Some(item) => string(out, item.name),
        None => null(out),
    }
}

impl Stored for account::Model {
    const RECORD: RecordType = RecordType::Account;
}

impl Row for account::Model {
    fn id(&self) -> Uuid {
        self.id
    }

    fn write_column(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "id" => id(out, NodeType::Account, self.id),
            "name" => string(out, &self.name),
            "isCustomer" => boolean(out, self.is_customer),
            "isPartner" => boolean(out, self.is_partner),
            "phone" => optional(out, self.phone.as_deref()),
            "website" => optional(out, self.website.as_deref()),
            "street" => optional(out, self.street.as_deref()),
            "city" => optional(out, self.city.as_deref()),
            "state" => optional(out, self.state.as_deref()),
            "postalCode" => optional(out, self.postal_code.as_deref()),
            "country" => optional(out, self.country.as_deref()),
            "notes" => optional(out, self.notes.as_deref()),
            "createdAt" => timestamp(out, &self.created_at),
            "updatedAt" => timestamp(out, &self.updated_at),
            _ => return false,
        }
        true
    }

    fn reference(&self, relation: ToOne) -> Option<Uuid> {
        match relation {
            ToOne::AccountPartner => self.partner_id,
            ToOne::AccountPrimaryContact => self.primary_contact_id,
            _ => None,
        }
    }
}

impl Stored for contact::Model {
    const RECORD: RecordType = RecordType::Contact;
}

impl Row for contact::Model {
    fn id(&self) -> Uuid {
        self.id
    }

    fn write_column(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "id" => id(out, NodeType::Contact, self.id),
            "title" => optional(out, self.title.as_deref()),
            "firstName" => optional(out, self.first_name.as_deref()),
            "lastName" => string(out, &self.last_name),
            "alias" => optional(out, self.alias.as_deref()),
            "jobTitle" => optional(out, self.job_title.as_deref()),
            "description" => optional(out, self.description.as_deref()),
            "timezone" => optional(out, self.timezone.as_deref()),
            "emailFormat" => enumeration::<EmailFormat>(out, self.email_format),
            "marketingOptIn" => boolean(out, self.marketing_opt_in),
            "emailOptIn" => boolean(out, self.email_opt_in),
            "smsOptIn" => boolean(out, self.sms_opt_in),
            "whatsappOptIn" => boolean(out, self.whatsapp_opt_in),
            "street" => optional(out, self.street.as_deref()),
            "city" => optional(out, self.city.as_deref()),
            "state" => optional(out, self.state.as_deref()),
            "postalCode" => optional(out, self.postal_code.as_deref()),
            "country" => optional(out, self.country.as_deref()),
            "version" => integer(out, self.version),
            "createdAt" => timestamp(out, &self.created_at),
            "updatedAt" => timestamp(out, &self.updated_at),
            _ => return false,
        }
        true
    }

    fn reference(&self, relation: ToOne) -> Option<Uuid> {
        match relation {
            ToOne::ContactAccount => self.account_id,
            _ => None,
        }
    }
}

impl Stored for contact_identity::Model {
    const RECORD: RecordType = RecordType::ContactIdentity;
}

impl Row for contact_identity::Model {
    fn id(&self) -> Uuid {
        self.id
    }

    fn write_column(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "id" => id(out, NodeType::ContactIdentity, self.id),
            "channel" => enumeration::<IdentityChannel>(out, self.channel),
            "value" => string(out, &self.value),
            "normalizedValue" => string(out, &self.normalized_value),
            "createdAt" => timestamp(out, &self.created_at),
            "updatedAt" => timestamp(out, &self.updated_at),
            _ => return false,
        }
        true
    }

    fn reference(&self, relation: ToOne) -> Option<Uuid> {
        match relation {
            ToOne::IdentityContact => Some(self.contact_id),
            _ => None,
        }
    }
}

impl Stored for communication_method::Model {
    const RECORD: RecordType = RecordType::CommunicationMethod;
}

impl Row for communication_method::Model {
    fn id(&self) -> Uuid {
        self.id
    }

    fn write_column(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "id" => id(out, NodeType::CommunicationMethod, self.id),
            "kind" => enumeration::<CommunicationKind>(out, self.kind),
            "value" => string(out, &self.value),
            "label" => optional(out, self.label.as_deref()),
            "createdAt" => timestamp(out, &self.created_at),
            "updatedAt" => timestamp(out, &self.updated_at),
            _ => return false,
        }
        true
    }

    fn reference(&self, relation: ToOne) -> Option<Uuid> {
        match relation {
            ToOne::MethodAccount => self.account_id,
            ToOne::MethodContact => self.contact_id,
            _ => None,
        }
    }
}

impl Stored for incident::Model {
    const RECORD: RecordType = RecordType::Incident;
}

impl Row for incident::Model {
    fn id(&self) -> Uuid {
        self.id
    }

    fn write_column(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "id" => id(out, NodeType::Incident, self.id),
            "subject" => string(out, &self.subject),
            "description" => optional(out, self.description.as_deref()),
            "status" => enumeration::<IncidentStatus>(out, self.status),
            "priority" => enumeration::<IncidentPriority>(out, self.priority),
            "channel" => match self.channel {
                Some(channel) => enumeration::<IncidentChannel>(out, channel),
                None => null(out),
            },
            "closedAt" => match &self.closed_at {
                Some(at) => timestamp(out, at),
                None => null(out),
            },
            "createdAt" => timestamp(out, &self.created_at),
            "updatedAt" => timestamp(out, &self.updated_at),
            _ => return false,
        }
        true
    }

    fn reference(&self, relation: ToOne) -> Option<Uuid> {
        match relation {
            ToOne::IncidentAccount => self.account_id,
            ToOne::IncidentPrimaryContact => Some(self.primary_contact_id),
            ToOne::IncidentReportedByPartner => self.reported_by_partner_id,
            _ => None,
        }
    }
}

impl Stored for opportunity::Model {
    const RECORD: RecordType = RecordType::Opportunity;
}

impl Row for opportunity::Model {
    fn id(&self) -> Uuid {
        self.id
    }

    fn write_column(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "id" => id(out, NodeType::Opportunity, self.id),
            "name" => string(out, &self.name),
            "stage" => enumeration::<OpportunityStage>(out, self.stage),
            "expectedCloseDate" => date(out, self.expected_close_date.as_ref()),
            "createdAt" => timestamp(out, &self.created_at),
            "updatedAt" => timestamp(out, &self.updated_at),
            _ => return false,
        }
        true
    }

    fn reference(&self, relation: ToOne) -> Option<Uuid> {
        match relation {
            ToOne::OpportunityAccount => Some(self.account_id),
            ToOne::OpportunityPrimaryContact => self.primary_contact_id,
            _ => None,
        }
    }

    fn money(&self) -> Option<(i64, &str)> {
        match (self.amount, &self.currency) {
            (Some(minor_units), Some(currency)) => Some((minor_units, currency.as_str())),
            _ => None,
        }
    }
}
