//! The part of `schema.graphql` the generator draws from: the six record types with every
//! field, what each field leads to, and the arguments of their lists.

/// A record type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    Account,
    Contact,
    Identity,
    Incident,
    Opportunity,
    Method,
}

impl Ty {
    pub const ALL: [Ty; 6] = [
        Ty::Account,
        Ty::Contact,
        Ty::Identity,
        Ty::Incident,
        Ty::Opportunity,
        Ty::Method,
    ];

    /// The types listed through connections (with `filter` and `orderBy`).
    pub const LISTED: [Ty; 4] = [Ty::Account, Ty::Contact, Ty::Incident, Ty::Opportunity];

    pub fn name(self) -> &'static str {
        match self {
            Ty::Account => "Account",
            Ty::Contact => "Contact",
            Ty::Identity => "ContactIdentity",
            Ty::Incident => "Incident",
            Ty::Opportunity => "Opportunity",
            Ty::Method => "CommunicationMethod",
        }
    }

    /// The root connection listing this type.
    pub fn root_list(self) -> &'static str {
        match self {
            Ty::Account => "accounts",
            Ty::Contact => "contacts",
            Ty::Incident => "incidents",
            Ty::Opportunity => "opportunities",
            Ty::Identity | Ty::Method => "",
        }
    }

    /// The root field reading one record by id, if there is one.
    pub fn root_one(self) -> Option<&'static str> {
        match self {
            Ty::Account => Some("account"),
            Ty::Contact => Some("contact"),
            Ty::Incident => Some("incident"),
            Ty::Opportunity => Some("opportunity"),
            Ty::Identity | Ty::Method => None,
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Ty::Account => ACCOUNT,
            Ty::Contact => CONTACT,
            Ty::Identity => IDENTITY,
            Ty::Incident => INCIDENT,
            Ty::Opportunity => OPPORTUNITY,
            Ty::Method => METHOD,
        }
    }
}

/// What a field answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A scalar or enum (nullable or not).
    Leaf,
    /// `Money`: `amount`, `currency`, `minorUnits`.
    Money,
    /// One record (`null` allowed or not).
    One(Ty),
    /// A plain list of records.
    List(Ty),
    /// A connection of records with page arguments, `filter` and `orderBy`.
    Connection(Ty),
    /// `Contact.auditLog`: a connection of audit entries (the planner leaves it to the
    /// resolvers).
    AuditLog,
    /// A leaf the planner leaves to the resolvers (`Contact.mergedFrom`).
    Uncovered,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

const fn leaf(name: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Leaf,
    }
}

const fn field(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}

const ACCOUNT: &[Field] = &[
    leaf("id"),
    leaf("name"),
    leaf("isCustomer"),
    leaf("isPartner"),
    leaf("phone"),
    leaf("website"),
    leaf("street"),
    leaf("city"),
    leaf("state"),
    leaf("postalCode"),
    leaf("country"),
    leaf("notes"),
    leaf("createdAt"),
    leaf("updatedAt"),
    field("partner", Kind::One(Ty::Account)),
    field("primaryContact", Kind::One(Ty::Contact)),
    field("communicationMethods", Kind::List(Ty::Method)),
    field("contacts", Kind::Connection(Ty::Contact)),
    field("customers", Kind::Connection(Ty::Account)),
    field("incidents", Kind::Connection(Ty::Incident)),
    field("opportunities", Kind::Connection(Ty::Opportunity)),
];

const CONTACT: &[Field] = &[
    leaf("id"),
    leaf("title"),
    leaf("firstName"),
    leaf("lastName"),
    leaf("alias"),
    leaf("jobTitle"),
    leaf("description"),
    leaf("timezone"),
    leaf("emailFormat"),
    leaf("marketingOptIn"),
    leaf("emailOptIn"),
    leaf("smsOptIn"),
    leaf("whatsappOptIn"),
    leaf("street"),
    leaf("city"),
    leaf("state"),
    leaf("postalCode"),
    leaf("country"),
    leaf("version"),
    leaf("createdAt"),
    leaf("updatedAt"),
    field("account", Kind::One(Ty::Account)),
    field("identities", Kind::List(Ty::Identity)),
    field("communicationMethods", Kind::List(Ty::Method)),
    field("incidents", Kind::Connection(Ty::Incident)),
    field("opportunities", Kind::Connection(Ty::Opportunity)),
    field("auditLog", Kind::AuditLog),
    field("mergedFrom", Kind::Uncovered),
];

const IDENTITY: &[Field] = &[
    leaf("id"),
    leaf("channel"),
    leaf("value"),
    leaf("normalizedValue"),
    leaf("createdAt"),
    leaf("updatedAt"),
    field("contact", Kind::One(Ty::Contact)),
];

const INCIDENT: &[Field] = &[
    leaf("id"),
    leaf("subject"),
    leaf("description"),
    leaf("status"),
    leaf("priority"),
    leaf("channel"),
    leaf("closedAt"),
    leaf("createdAt"),
    leaf("updatedAt"),
    field("account", Kind::One(Ty::Account)),
    field("primaryContact", Kind::One(Ty::Contact)),
    field("reportedByPartner", Kind::One(Ty::Account)),
];

const OPPORTUNITY: &[Field] = &[
    leaf("id"),
    leaf("name"),
    leaf("stage"),
    field("amount", Kind::Money),
    leaf("expectedCloseDate"),
    leaf("createdAt"),
    leaf("updatedAt"),
    field("account", Kind::One(Ty::Account)),
    field("primaryContact", Kind::One(Ty::Contact)),
];

const METHOD: &[Field] = &[
    leaf("id"),
    leaf("kind"),
    leaf("value"),
    leaf("label"),
    leaf("createdAt"),
    leaf("updatedAt"),
    field("account", Kind::One(Ty::Account)),
    field("contact", Kind::One(Ty::Contact)),
];

/// The input type names of a listed type's `filter` and `orderBy` arguments.
pub fn filter_type(ty: Ty) -> &'static str {
    match ty {
        Ty::Account => "AccountFilter",
        Ty::Contact => "ContactFilter",
        Ty::Incident => "IncidentFilter",
        Ty::Opportunity => "OpportunityFilter",
        Ty::Identity | Ty::Method => unreachable!("not listed through connections"),
    }
}

pub fn order_type(ty: Ty) -> &'static str {
    match ty {
        Ty::Account => "[AccountOrder!]",
        Ty::Contact => "[ContactOrder!]",
        Ty::Incident => "[IncidentOrder!]",
        Ty::Opportunity => "[OpportunityOrder!]",
        Ty::Identity | Ty::Method => unreachable!("not listed through connections"),
    }
}
