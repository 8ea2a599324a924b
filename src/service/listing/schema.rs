//! The tables, columns and relations lists can be filtered and ordered by. Filters and orders
//! name these, never raw SQL, so a client can only reach what is declared here.

use entity::{account, audit_entry, contact, contact_identity, incident, opportunity};
use sea_orm::Condition;
use sea_orm::sea_query::{Alias, Expr};
use serde::Serialize;

use crate::auth::Scope;
use crate::service::record::Record;

/// A table a filter can address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Table {
    Account,
    Contact,
    ContactIdentity,
    Incident,
    Opportunity,
    AuditEntry,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Account => "account",
            Table::Contact => "contact",
            Table::ContactIdentity => "contact_identity",
            Table::Incident => "incident",
            Table::Opportunity => "opportunity",
            Table::AuditEntry => "audit_entry",
        }
    }

    /// The rows of this table `scope` sees: relation filters and counts only ever look at those.
    pub fn visible(self, scope: Scope) -> Condition {
        match self {
            Table::Account => account::Entity::visible(scope),
            Table::Contact => contact::Entity::visible(scope),
            Table::ContactIdentity => contact_identity::Entity::visible(scope),
            Table::Incident => incident::Entity::visible(scope),
            Table::Opportunity => opportunity::Entity::visible(scope),
            Table::AuditEntry => audit_entry::Entity::visible(scope),
        }
    }

    pub fn id(self) -> Field {
        Field::new(self, "id", Kind::Id)
    }
}

/// How a column's values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// Free text: pattern operators are case-insensitive.
    Text,
    /// A stored enum (upper-case text); `Rank` orders it by meaning rather than spelling.
    Enum,
    Id,
    /// A UTC timestamp. SQLite stores it as text, so it is compared through `julianday`.
    Time,
    Date,
    Int,
    Bool,
}

/// One column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    pub table: Table,
    pub column: &'static str,
    pub kind: Kind,
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{}.{}", self.table.name(), self.column))
    }
}

impl Field {
    pub const fn new(table: Table, column: &'static str, kind: Kind) -> Self {
        Self {
            table,
            column,
            kind,
        }
    }

    pub fn expr(&self) -> Expr {
        Expr::col((Alias::new(self.table.name()), Alias::new(self.column)))
    }
}

/// A relation from a row to one row of another table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ToOne {
    ContactAccount,
    AccountPartner,
    IncidentPrimaryContact,
    IncidentAccount,
    IncidentReportedBy,
    OpportunityAccount,
    OpportunityPrimaryContact,
}

impl ToOne {
    /// The column of the row that names the other one.
    pub fn fk(self) -> Field {
        match self {
            ToOne::ContactAccount => Field::new(Table::Contact, "account_id", Kind::Id),
            ToOne::AccountPartner => Field::new(Table::Account, "partner_id", Kind::Id),
            ToOne::IncidentPrimaryContact => {
                Field::new(Table::Incident, "primary_contact_id", Kind::Id)
            }
            ToOne::IncidentAccount => Field::new(Table::Incident, "account_id", Kind::Id),
            ToOne::IncidentReportedBy => {
                Field::new(Table::Incident, "reported_by_partner_id", Kind::Id)
            }
            ToOne::OpportunityAccount => Field::new(Table::Opportunity, "account_id", Kind::Id),
            ToOne::OpportunityPrimaryContact => {
                Field::new(Table::Opportunity, "primary_contact_id", Kind::Id)
            }
        }
    }

    pub fn target(self) -> Table {
        match self {
            ToOne::ContactAccount
            | ToOne::AccountPartner
            | ToOne::IncidentAccount
            | ToOne::IncidentReportedBy
            | ToOne::OpportunityAccount => Table::Account,
            ToOne::IncidentPrimaryContact | ToOne::OpportunityPrimaryContact => Table::Contact,
        }
    }
}

/// A relation from a row to the rows of another table that name it. (None is a table to
/// itself: the subqueries refer to tables by name, which a self-relation would make ambiguous.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ToMany {
    ContactIdentities,
    ContactIncidents,
    AccountContacts,
    AccountIncidents,
}

impl ToMany {
    /// The column of the related rows that names the row.
    pub fn fk(self) -> Field {
        match self {
            ToMany::ContactIdentities => Field::new(Table::ContactIdentity, "contact_id", Kind::Id),
            ToMany::ContactIncidents => Field::new(Table::Incident, "primary_contact_id", Kind::Id),
            ToMany::AccountContacts => Field::new(Table::Contact, "account_id", Kind::Id),
            ToMany::AccountIncidents => Field::new(Table::Incident, "account_id", Kind::Id),
        }
    }

    pub fn child(self) -> Table {
        self.fk().table
    }
}

/// The filterable columns, by table. The GraphQL filter inputs map their fields onto these.
pub mod fields {
    use super::Kind::*;
    use super::Table::*;
    use super::{Field, Table};

    pub mod account {
        use super::*;
        pub const NAME: Field = Field::new(Account, "name", Text);
        pub const IS_CUSTOMER: Field = Field::new(Account, "is_customer", Bool);
        pub const IS_PARTNER: Field = Field::new(Account, "is_partner", Bool);
        pub const PARTNER_ID: Field = Field::new(Account, "partner_id", Id);
        pub const CITY: Field = Field::new(Account, "city", Text);
        pub const COUNTRY: Field = Field::new(Account, "country", Text);
        pub const CREATED_AT: Field = Field::new(Account, "created_at", Time);
        pub const UPDATED_AT: Field = Field::new(Account, "updated_at", Time);
        pub const ALL: &[Field] = &[
            NAME,
            IS_CUSTOMER,
            IS_PARTNER,
            PARTNER_ID,
            CITY,
            COUNTRY,
            CREATED_AT,
            UPDATED_AT,
        ];
    }

    pub mod contact {
        use super::*;
        pub const ACCOUNT_ID: Field = Field::new(Contact, "account_id", Id);
        pub const TITLE: Field = Field::new(Contact, "title", Text);
        pub const FIRST_NAME: Field = Field::new(Contact, "first_name", Text);
        pub const LAST_NAME: Field = Field::new(Contact, "last_name", Text);
        pub const ALIAS: Field = Field::new(Contact, "alias", Text);
        pub const JOB_TITLE: Field = Field::new(Contact, "job_title", Text);
        pub const TIMEZONE: Field = Field::new(Contact, "timezone", Text);
        pub const CITY: Field = Field::new(Contact, "city", Text);
        pub const COUNTRY: Field = Field::new(Contact, "country", Text);
        pub const EMAIL_FORMAT: Field = Field::new(Contact, "email_format", Enum);
        pub const MARKETING_OPT_IN: Field = Field::new(Contact, "marketing_opt_in", Bool);
        pub const EMAIL_OPT_IN: Field = Field::new(Contact, "email_opt_in", Bool);
        pub const SMS_OPT_IN: Field = Field::new(Contact, "sms_opt_in", Bool);
        pub const WHATSAPP_OPT_IN: Field = Field::new(Contact, "whatsapp_opt_in", Bool);
        pub const CREATED_AT: Field = Field::new(Contact, "created_at", Time);
        pub const UPDATED_AT: Field = Field::new(Contact, "updated_at", Time);
        pub const ALL: &[Field] = &[
            ACCOUNT_ID,
            TITLE,
            FIRST_NAME,
            LAST_NAME,
            ALIAS,
            JOB_TITLE,
            TIMEZONE,
            CITY,
            COUNTRY,
            EMAIL_FORMAT,
            MARKETING_OPT_IN,
            EMAIL_OPT_IN,
            SMS_OPT_IN,
            WHATSAPP_OPT_IN,
            CREATED_AT,
            UPDATED_AT,
        ];
    }

    pub mod identity {
        use super::*;
        pub const CHANNEL: Field = Field::new(ContactIdentity, "channel", Enum);
        pub const VALUE: Field = Field::new(ContactIdentity, "value", Text);
        pub const NORMALIZED_VALUE: Field = Field::new(ContactIdentity, "normalized_value", Text);
        pub const ALL: &[Field] = &[CHANNEL, VALUE, NORMALIZED_VALUE];
    }

    pub mod incident {
        use super::*;
        pub const ACCOUNT_ID: Field = Field::new(Incident, "account_id", Id);
        pub const PRIMARY_CONTACT_ID: Field = Field::new(Incident, "primary_contact_id", Id);
        pub const SUBJECT: Field = Field::new(Incident, "subject", Text);
        pub const STATUS: Field = Field::new(Incident, "status", Enum);
        pub const PRIORITY: Field = Field::new(Incident, "priority", Enum);
        pub const CHANNEL: Field = Field::new(Incident, "channel", Enum);
        pub const CLOSED_AT: Field = Field::new(Incident, "closed_at", Time);
        pub const CREATED_AT: Field = Field::new(Incident, "created_at", Time);
        pub const UPDATED_AT: Field = Field::new(Incident, "updated_at", Time);
        pub const ALL: &[Field] = &[
            ACCOUNT_ID,
            PRIMARY_CONTACT_ID,
            SUBJECT,
            STATUS,
            PRIORITY,
            CHANNEL,
            CLOSED_AT,
            CREATED_AT,
            UPDATED_AT,
        ];
    }

    pub mod opportunity {
        use super::*;
        pub const ACCOUNT_ID: Field = Field::new(Opportunity, "account_id", Id);
        pub const NAME: Field = Field::new(Opportunity, "name", Text);
        pub const STAGE: Field = Field::new(Opportunity, "stage", Enum);
        pub const AMOUNT: Field = Field::new(Opportunity, "amount", Int);
        pub const CURRENCY: Field = Field::new(Opportunity, "currency", Text);
        pub const EXPECTED_CLOSE_DATE: Field = Field::new(Opportunity, "expected_close_date", Date);
        pub const CREATED_AT: Field = Field::new(Opportunity, "created_at", Time);
        pub const UPDATED_AT: Field = Field::new(Opportunity, "updated_at", Time);
        pub const ALL: &[Field] = &[
            ACCOUNT_ID,
            NAME,
            STAGE,
            AMOUNT,
            CURRENCY,
            EXPECTED_CLOSE_DATE,
            CREATED_AT,
            UPDATED_AT,
        ];
    }

    pub mod audit {
        use super::*;
        pub const ENTITY_TYPE: Field = Field::new(AuditEntry, "entity_type", Enum);
        pub const ACTION: Field = Field::new(AuditEntry, "action", Enum);
        pub const ACTOR: Field = Field::new(AuditEntry, "actor", Text);
        pub const AT: Field = Field::new(AuditEntry, "at", Time);
        pub const ALL: &[Field] = &[ENTITY_TYPE, ACTION, ACTOR, AT];
    }

    /// Every declared column of a table (its id first), for tests that run them all.
    pub fn of(table: Table) -> Vec<Field> {
        let rest = match table {
            Account => account::ALL,
            Contact => contact::ALL,
            ContactIdentity => identity::ALL,
            Incident => incident::ALL,
            Opportunity => opportunity::ALL,
            AuditEntry => audit::ALL,
        };
        std::iter::once(table.id())
            .chain(rest.iter().copied())
            .collect()
    }
}
