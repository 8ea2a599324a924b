//! What the planner knows about the schema: the record types it can answer, and for each of
//! their GraphQL fields whether it is a stored column, a to-one relation, a small list or a
//! paged connection. A field that is not listed here (audit logs, merge redirects, search,
//! anything computed) makes the planner hand the whole operation to the resolvers.

use crate::graphql::ids::NodeType;

/// The record types the compiled path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordType {
    Account,
    Contact,
    ContactIdentity,
    CommunicationMethod,
    Incident,
    Opportunity,
}

impl RecordType {
    /// The record type's global-id type, whose name is the GraphQL object type's.
    pub fn node_type(self) -> NodeType {
        match self {
            RecordType::Account => NodeType::Account,
            RecordType::Contact => NodeType::Contact,
            RecordType::ContactIdentity => NodeType::ContactIdentity,
            RecordType::CommunicationMethod => NodeType::CommunicationMethod,
            RecordType::Incident => NodeType::Incident,
            RecordType::Opportunity => NodeType::Opportunity,
        }
    }

    /// The GraphQL object type's name.
    pub fn name(self) -> &'static str {
        self.node_type().name()
    }

    pub fn connection_name(self) -> &'static str {
        match self {
            RecordType::Account => "AccountConnection",
            RecordType::Contact => "ContactConnection",
            RecordType::ContactIdentity => "ContactIdentityConnection",
            RecordType::CommunicationMethod => "CommunicationMethodConnection",
            RecordType::Incident => "IncidentConnection",
            RecordType::Opportunity => "OpportunityConnection",
        }
    }

    pub fn edge_name(self) -> &'static str {
        match self {
            RecordType::Account => "AccountEdge",
            RecordType::Contact => "ContactEdge",
            RecordType::ContactIdentity => "ContactIdentityEdge",
            RecordType::CommunicationMethod => "CommunicationMethodEdge",
            RecordType::Incident => "IncidentEdge",
            RecordType::Opportunity => "OpportunityEdge",
        }
    }

    /// Whether a fragment with this type condition applies to records of this type: the type
    /// itself or the `Node` interface every record implements.
    pub fn matches(self, condition: &str) -> bool {
        condition == self.name() || condition == "Node"
    }
}

/// The to-one relations: which foreign key, and whether the schema declares the field non-null
/// (a missing target then is an error the resolvers report, so the plan gives up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToOne {
    ContactAccount,
    AccountPartner,
    AccountPrimaryContact,
    IdentityContact,
    MethodAccount,
    MethodContact,
    IncidentAccount,
    IncidentPrimaryContact,
    IncidentReportedByPartner,
    OpportunityAccount,
    OpportunityPrimaryContact,
}

impl ToOne {
    pub fn target(self) -> RecordType {
        match self {
            ToOne::ContactAccount
            | ToOne::AccountPartner
            | ToOne::MethodAccount
            | ToOne::IncidentAccount
            | ToOne::IncidentReportedByPartner
            | ToOne::OpportunityAccount => RecordType::Account,
            ToOne::AccountPrimaryContact
            | ToOne::IdentityContact
            | ToOne::MethodContact
            | ToOne::IncidentPrimaryContact
            | ToOne::OpportunityPrimaryContact => RecordType::Contact,
        }
    }

    /// The foreign key column of the record the relation starts from.
    pub fn key_column(self) -> &'static str {
        match self {
            ToOne::ContactAccount
            | ToOne::MethodAccount
            | ToOne::IncidentAccount
            | ToOne::OpportunityAccount => "account_id",
            ToOne::AccountPartner => "partner_id",
            ToOne::AccountPrimaryContact
            | ToOne::IncidentPrimaryContact
            | ToOne::OpportunityPrimaryContact => "primary_contact_id",
            ToOne::IdentityContact | ToOne::MethodContact => "contact_id",
            ToOne::IncidentReportedByPartner => "reported_by_partner_id",
        }
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            ToOne::IdentityContact | ToOne::IncidentPrimaryContact | ToOne::OpportunityAccount
        )
    }
}

/// The one-to-many relations, each one of `service::relations`' `HasMany` types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Many {
    ContactsOfAccount,
    IncidentsOfAccount,
    OpportunitiesOfAccount,
    CustomersOfPartner,
    MethodsOfAccount,
    IdentitiesOfContact,
    MethodsOfContact,
    IncidentsOfContact,
    OpportunitiesOfContact,
}

impl Many {
    pub fn child(self) -> RecordType {
        match self {
            Many::ContactsOfAccount => RecordType::Contact,
            Many::IncidentsOfAccount | Many::IncidentsOfContact => RecordType::Incident,
            Many::OpportunitiesOfAccount | Many::OpportunitiesOfContact => RecordType::Opportunity,
            Many::CustomersOfPartner => RecordType::Account,
            Many::MethodsOfAccount | Many::MethodsOfContact => RecordType::CommunicationMethod,
            Many::IdentitiesOfContact => RecordType::ContactIdentity,
        }
    }
}

/// What a field of a record type is, for the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Column,
    Money,
    ToOne(ToOne),
    List(Many),
    Connection(Many),
}

/// The kind of `field` on `record`; `None` for fields the compiled path does not answer.
pub fn field(record: RecordType, field: &str) -> Option<(&'static str, FieldKind)> {
    let columns: &[&'static str] = match record {
        RecordType::Account => &[
            "id",
            "name",
            "isCustomer",
            "isPartner",
            "phone",
            "website",
            "street",
            "city",
            "state",
            "postalCode",
            "country",
            "notes",
            "createdAt",
            "updatedAt",
        ],
        RecordType::Contact => &[
            "id",
            "title",
            "firstName",
            "lastName",
            "alias",
            "jobTitle",
            "description",
            "timezone",
            "emailFormat",
            "marketingOptIn",
            "emailOptIn",
            "smsOptIn",
            "whatsappOptIn",
            "street",
            "city",
            "state",
            "postalCode",
            "country",
            "version",
            "createdAt",
            "updatedAt",
        ],
        RecordType::ContactIdentity => &[
            "id",
            "channel",
            "value",
            "normalizedValue",
            "createdAt",
            "updatedAt",
        ],
        RecordType::CommunicationMethod => {
            &["id", "kind", "value", "label", "createdAt", "updatedAt"]
        }
        RecordType::Incident => &[
            "id",
            "subject",
            "description",
            "status",
            "priority",
            "channel",
            "closedAt",
            "createdAt",
            "updatedAt",
        ],
        RecordType::Opportunity => &[
            "id",
            "name",
            "stage",
            "expectedCloseDate",
            "createdAt",
            "updatedAt",
        ],
    };
    if let Some(name) = columns.iter().find(|name| **name == field) {
        return Some((name, FieldKind::Column));
    }
    let relation = match (record, field) {
        (RecordType::Account, "partner") => FieldKind::ToOne(ToOne::AccountPartner),
        (RecordType::Account, "primaryContact") => FieldKind::ToOne(ToOne::AccountPrimaryContact),
        (RecordType::Account, "communicationMethods") => FieldKind::List(Many::MethodsOfAccount),
        (RecordType::Account, "customers") => FieldKind::Connection(Many::CustomersOfPartner),
        (RecordType::Account, "contacts") => FieldKind::Connection(Many::ContactsOfAccount),
        (RecordType::Account, "incidents") => FieldKind::Connection(Many::IncidentsOfAccount),
        (RecordType::Account, "opportunities") => {
            FieldKind::Connection(Many::OpportunitiesOfAccount)
        }
        (RecordType::Contact, "account") => FieldKind::ToOne(ToOne::ContactAccount),
        (RecordType::Contact, "identities") => FieldKind::List(Many::IdentitiesOfContact),
        (RecordType::Contact, "communicationMethods") => FieldKind::List(Many::MethodsOfContact),
        (RecordType::Contact, "incidents") => FieldKind::Connection(Many::IncidentsOfContact),
        (RecordType::Contact, "opportunities") => {
            FieldKind::Connection(Many::OpportunitiesOfContact)
        }
        (RecordType::ContactIdentity, "contact") => FieldKind::ToOne(ToOne::IdentityContact),
        (RecordType::CommunicationMethod, "account") => FieldKind::ToOne(ToOne::MethodAccount),
        (RecordType::CommunicationMethod, "contact") => FieldKind::ToOne(ToOne::MethodContact),
        (RecordType::Incident, "account") => FieldKind::ToOne(ToOne::IncidentAccount),
        (RecordType::Incident, "primaryContact") => FieldKind::ToOne(ToOne::IncidentPrimaryContact),
        (RecordType::Incident, "reportedByPartner") => {
            FieldKind::ToOne(ToOne::IncidentReportedByPartner)
        }
        (RecordType::Opportunity, "amount") => FieldKind::Money,
        (RecordType::Opportunity, "account") => FieldKind::ToOne(ToOne::OpportunityAccount),
        (RecordType::Opportunity, "primaryContact") => {
            FieldKind::ToOne(ToOne::OpportunityPrimaryContact)
        }
        _ => return None,
    };
    Some(("", relation))
}

/// The stored column behind a GraphQL column field: the same name in snake case
/// (`postalCode` -> `postal_code`); `Opportunity.amount` reads two columns.
pub fn stored_columns(field: &str) -> Vec<String> {
    if field == "amount" {
        return vec!["amount".to_owned(), "currency".to_owned()];
    }
    let mut column = String::with_capacity(field.len() + 4);
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            column.push('_');
            column.push(c.to_ascii_lowercase());
        } else {
            column.push(c);
        }
    }
    vec![column]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_names_map_to_stored_columns() {
        assert_eq!(stored_columns("postalCode"), ["postal_code"]);
        assert_eq!(stored_columns("expectedCloseDate"), ["expected_close_date"]);
        assert_eq!(stored_columns("id"), ["id"]);
        assert_eq!(stored_columns("amount"), ["amount", "currency"]);
    }
}
