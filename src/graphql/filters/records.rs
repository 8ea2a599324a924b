//! One filter input per record type. Fields are combined with AND; `and`, `or` and `not` nest
//! (at most 10 levels, relation filters included).

use async_graphql::InputObject;

use crate::error::AppResult;
use crate::graphql::filters::{
    AuditActionFilter, AuditEntityTypeFilter, BooleanFilter, Build, DateFilter, DateTimeFilter,
    EmailFormatFilter, IdFilter, IdentityChannelFilter, IncidentChannelFilter,
    IncidentPriorityFilter, IncidentStatusFilter, IntFilter, MinorUnitsFilter,
    OpportunityStageFilter, Parts, RecordFilter, StringFilter,
};
use crate::graphql::ids::NodeType;
use crate::service::listing::schema::fields::{
    account, audit, contact, identity, incident, opportunity,
};
use crate::service::listing::{Filter, Table, ToMany, ToOne};

fn to_one<F: RecordFilter>(
    parts: &mut Parts<'_>,
    name: &str,
    relation: ToOne,
    filter: Option<Box<F>>,
) -> AppResult<()> {
    if let Some(filter) = filter {
        let build = parts.build.nested(name)?;
        parts.push(Filter::ToOne(
            relation,
            Box::new(filter.into_filter(&build)?),
        ));
    }
    Ok(())
}

/// A to-many relation filter's parts.
fn to_many<F: RecordFilter>(
    parts: &mut Parts<'_>,
    name: &str,
    relation: ToMany,
    quantified: [Option<Box<F>>; 3],
    count: Option<IntFilter>,
    counted: Option<Box<F>>,
) -> AppResult<()> {
    let build = parts.build.nested(name)?;
    let [some, none, every] = quantified;
    type Quantifier<F> = (
        &'static str,
        Option<Box<F>>,
        fn(ToMany, Box<Filter>) -> Filter,
    );
    let wrap: [Quantifier<F>; 3] = [
        ("some", some, Filter::Some),
        ("none", none, Filter::None),
        ("every", every, Filter::Every),
    ];
    for (quantifier, filter, make) in wrap {
        if let Some(filter) = filter {
            let inner = filter.into_filter(&build.nested(quantifier)?)?;
            parts.push(make(relation, Box::new(inner)));
        }
    }
    match (count, counted) {
        (Some(count), counted) => {
            use crate::graphql::filters::FieldOps;
            let ops = count.ops(&build.at("count"))?;
            let filter = counted
                .map(|filter| filter.into_filter(&build.nested("filter")?).map(Box::new))
                .transpose()?;
            parts.push(Filter::Count {
                relation,
                filter,
                count: ops,
            });
        }
        (None, Some(_)) => {
            return Err(crate::error::AppError::bad_input(format!(
                "`{}.filter` only narrows `count`; give `count` too, or use `some`",
                build.path
            )));
        }
        (None, None) => {}
    }
    Ok(())
}

macro_rules! to_many_filter {
    ($($(#[$doc:meta])* $name:ident of $child:ident;)*) => {$(
        $(#[$doc])*
        #[derive(InputObject, Default)]
        pub struct $name {
            /// At least one related record matches.
            pub some: Option<Box<$child>>,
            /// No related record matches.
            pub none: Option<Box<$child>>,
            /// Every related record matches (true when there are none).
            pub every: Option<Box<$child>>,
            /// How many related records there are (those matching `filter`, when given).
            pub count: Option<IntFilter>,
            /// Narrows what `count` counts.
            pub filter: Option<Box<$child>>,
        }

        impl $name {
            fn apply(self, parts: &mut Parts<'_>, name: &str, relation: ToMany) -> AppResult<()> {
                to_many(
                    parts,
                    name,
                    relation,
                    [self.some, self.none, self.every],
                    self.count,
                    self.filter,
                )
            }
        }
    )*};
}

to_many_filter! {
    /// Conditions on a record's contacts.
    ContactsRelationFilter of ContactFilter;
    /// Conditions on a record's incidents, e.g. `{ count: { gt: 5 }, filter: { status: { in: [NEW, OPEN] } } }`.
    IncidentsRelationFilter of IncidentFilter;
    /// Conditions on a contact's identities, e.g. `{ some: { value: { endsWith: "@acme.example" } } }`.
    IdentitiesRelationFilter of ContactIdentityFilter;
}

/// Which accounts a list holds.
#[derive(InputObject, Default)]
pub struct AccountFilter {
    /// All of these filters hold.
    pub and: Option<Vec<AccountFilter>>,
    /// At least one of these filters holds (at least one filter).
    pub or: Option<Vec<AccountFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<AccountFilter>>,
    /// The record's own id.
    pub id: Option<IdFilter>,
    /// The name.
    pub name: Option<StringFilter>,
    /// Whether the account is a customer.
    pub is_customer: Option<BooleanFilter>,
    /// Whether the account is a partner.
    pub is_partner: Option<BooleanFilter>,
    /// The city of the postal address.
    pub city: Option<StringFilter>,
    /// The country of the postal address.
    pub country: Option<StringFilter>,
    /// When the record was created.
    pub created_at: Option<DateTimeFilter>,
    /// When the record last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// The partner serving the account (by id).
    pub partner_id: Option<IdFilter>,
    /// The partner serving the account (by its fields).
    pub partner: Option<Box<AccountFilter>>,
    /// Conditions on its contacts.
    pub contacts: Option<ContactsRelationFilter>,
    /// Conditions on its incidents.
    pub incidents: Option<IncidentsRelationFilter>,
}

impl RecordFilter for AccountFilter {
    fn into_filter(self, build: &Build) -> AppResult<Filter> {
        let mut parts = Parts::new(build);
        parts.logic(self.and, self.or, self.not)?;
        parts.field(
            "id",
            Table::Account.id(),
            self.id.map(|f| f.of(NodeType::Account)),
        )?;
        parts.field("name", account::NAME, self.name)?;
        parts.field("isCustomer", account::IS_CUSTOMER, self.is_customer)?;
        parts.field("isPartner", account::IS_PARTNER, self.is_partner)?;
        parts.field("city", account::CITY, self.city)?;
        parts.field("country", account::COUNTRY, self.country)?;
        parts.field("createdAt", account::CREATED_AT, self.created_at)?;
        parts.field("updatedAt", account::UPDATED_AT, self.updated_at)?;
        let partner_id = self.partner_id.map(|f| f.of(NodeType::Account));
        parts.field("partnerId", account::PARTNER_ID, partner_id)?;
        to_one(&mut parts, "partner", ToOne::AccountPartner, self.partner)?;
        if let Some(contacts) = self.contacts {
            contacts.apply(&mut parts, "contacts", ToMany::AccountContacts)?;
        }
        if let Some(incidents) = self.incidents {
            incidents.apply(&mut parts, "incidents", ToMany::AccountIncidents)?;
        }
        Ok(parts.done())
    }
}

/// Which contacts a list holds.
#[derive(InputObject, Default)]
pub struct ContactFilter {
    /// All of these filters hold.
    pub and: Option<Vec<ContactFilter>>,
    /// At least one of these filters holds (at least one filter).
    pub or: Option<Vec<ContactFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<ContactFilter>>,
    /// The record's own id.
    pub id: Option<IdFilter>,
    /// The salutation (Dr., Ms., ...).
    pub title: Option<StringFilter>,
    /// The first name.
    pub first_name: Option<StringFilter>,
    /// The surname.
    pub last_name: Option<StringFilter>,
    /// The name the person goes by.
    pub alias: Option<StringFilter>,
    /// The job title.
    pub job_title: Option<StringFilter>,
    /// The IANA time zone.
    pub timezone: Option<StringFilter>,
    /// The city of the postal address.
    pub city: Option<StringFilter>,
    /// The country of the postal address.
    pub country: Option<StringFilter>,
    /// The preferred e-mail format.
    pub email_format: Option<EmailFormatFilter>,
    /// Whether the person accepts marketing.
    pub marketing_opt_in: Option<BooleanFilter>,
    /// Whether the person accepts e-mail.
    pub email_opt_in: Option<BooleanFilter>,
    /// Whether the person accepts SMS.
    pub sms_opt_in: Option<BooleanFilter>,
    /// Whether the person accepts WhatsApp messages.
    pub whatsapp_opt_in: Option<BooleanFilter>,
    /// When the record was created.
    pub created_at: Option<DateTimeFilter>,
    /// When the record last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// The contact's account (by id; `isNull: true` for contacts without one).
    pub account_id: Option<IdFilter>,
    /// The contact's account (by its fields).
    pub account: Option<Box<AccountFilter>>,
    /// Conditions on the identities.
    pub identities: Option<IdentitiesRelationFilter>,
    /// Incidents whose primary contact this is.
    pub incidents: Option<IncidentsRelationFilter>,
}

impl RecordFilter for ContactFilter {
    fn into_filter(self, build: &Build) -> AppResult<Filter> {
        let mut parts = Parts::new(build);
        parts.logic(self.and, self.or, self.not)?;
        parts.field(
            "id",
            Table::Contact.id(),
            self.id.map(|f| f.of(NodeType::Contact)),
        )?;
        parts.field("title", contact::TITLE, self.title)?;
        parts.field("firstName", contact::FIRST_NAME, self.first_name)?;
        parts.field("lastName", contact::LAST_NAME, self.last_name)?;
        parts.field("alias", contact::ALIAS, self.alias)?;
        parts.field("jobTitle", contact::JOB_TITLE, self.job_title)?;
        parts.field("timezone", contact::TIMEZONE, self.timezone)?;
        parts.field("city", contact::CITY, self.city)?;
        parts.field("country", contact::COUNTRY, self.country)?;
        parts.field("emailFormat", contact::EMAIL_FORMAT, self.email_format)?;
        parts.field(
            "marketingOptIn",
            contact::MARKETING_OPT_IN,
            self.marketing_opt_in,
        )?;
        parts.field("emailOptIn", contact::EMAIL_OPT_IN, self.email_opt_in)?;
        parts.field("smsOptIn", contact::SMS_OPT_IN, self.sms_opt_in)?;
        parts.field(
            "whatsappOptIn",
            contact::WHATSAPP_OPT_IN,
            self.whatsapp_opt_in,
        )?;
        parts.field("createdAt", contact::CREATED_AT, self.created_at)?;
        parts.field("updatedAt", contact::UPDATED_AT, self.updated_at)?;
        let account_id = self.account_id.map(|f| f.of(NodeType::Account));
        parts.field("accountId", contact::ACCOUNT_ID, account_id)?;
        to_one(&mut parts, "account", ToOne::ContactAccount, self.account)?;
        if let Some(identities) = self.identities {
            identities.apply(&mut parts, "identities", ToMany::ContactIdentities)?;
        }
        if let Some(incidents) = self.incidents {
            incidents.apply(&mut parts, "incidents", ToMany::ContactIncidents)?;
        }
        Ok(parts.done())
    }
}

/// Conditions on one identity of a contact.
#[derive(InputObject, Default)]
pub struct ContactIdentityFilter {
    /// All of these filters hold.
    pub and: Option<Vec<ContactIdentityFilter>>,
    /// At least one of these filters holds (at least one filter).
    pub or: Option<Vec<ContactIdentityFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<ContactIdentityFilter>>,
    /// The channel.
    pub channel: Option<IdentityChannelFilter>,
    /// The value as entered.
    pub value: Option<StringFilter>,
    /// The value as compared for uniqueness (lower-case e-mail, E.164 phone, ...).
    pub normalized_value: Option<StringFilter>,
}

impl RecordFilter for ContactIdentityFilter {
    fn into_filter(self, build: &Build) -> AppResult<Filter> {
        let mut parts = Parts::new(build);
        parts.logic(self.and, self.or, self.not)?;
        parts.field("channel", identity::CHANNEL, self.channel)?;
        parts.field("value", identity::VALUE, self.value)?;
        parts.field(
            "normalizedValue",
            identity::NORMALIZED_VALUE,
            self.normalized_value,
        )?;
        Ok(parts.done())
    }
}

/// Which incidents a list holds.
#[derive(InputObject, Default)]
pub struct IncidentFilter {
    /// All of these filters hold.
    pub and: Option<Vec<IncidentFilter>>,
    /// At least one of these filters holds (at least one filter).
    pub or: Option<Vec<IncidentFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<IncidentFilter>>,
    /// The record's own id.
    pub id: Option<IdFilter>,
    /// The one-line summary.
    pub subject: Option<StringFilter>,
    /// The lifecycle state.
    pub status: Option<IncidentStatusFilter>,
    /// The urgency.
    pub priority: Option<IncidentPriorityFilter>,
    /// The channel.
    pub channel: Option<IncidentChannelFilter>,
    /// When the record was created.
    pub created_at: Option<DateTimeFilter>,
    /// When the record last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// When the case was solved or closed (empty while open).
    pub closed_at: Option<DateTimeFilter>,
    /// The account (by id; `isNull: true` for none).
    pub account_id: Option<IdFilter>,
    /// The primary contact (by id).
    pub primary_contact_id: Option<IdFilter>,
    /// The account the case is filed under (by its fields).
    pub account: Option<Box<AccountFilter>>,
    /// The primary contact (by its fields).
    pub primary_contact: Option<Box<ContactFilter>>,
    /// The partner that reported the case (by its fields).
    pub reported_by_partner: Option<Box<AccountFilter>>,
}

impl RecordFilter for IncidentFilter {
    fn into_filter(self, build: &Build) -> AppResult<Filter> {
        let mut parts = Parts::new(build);
        parts.logic(self.and, self.or, self.not)?;
        parts.field(
            "id",
            Table::Incident.id(),
            self.id.map(|f| f.of(NodeType::Incident)),
        )?;
        parts.field("subject", incident::SUBJECT, self.subject)?;
        parts.field("status", incident::STATUS, self.status)?;
        parts.field("priority", incident::PRIORITY, self.priority)?;
        parts.field("channel", incident::CHANNEL, self.channel)?;
        parts.field("createdAt", incident::CREATED_AT, self.created_at)?;
        parts.field("updatedAt", incident::UPDATED_AT, self.updated_at)?;
        parts.field("closedAt", incident::CLOSED_AT, self.closed_at)?;
        let account_id = self.account_id.map(|f| f.of(NodeType::Account));
        parts.field("accountId", incident::ACCOUNT_ID, account_id)?;
        let contact_id = self.primary_contact_id.map(|f| f.of(NodeType::Contact));
        parts.field("primaryContactId", incident::PRIMARY_CONTACT_ID, contact_id)?;
        to_one(&mut parts, "account", ToOne::IncidentAccount, self.account)?;
        to_one(
            &mut parts,
            "primaryContact",
            ToOne::IncidentPrimaryContact,
            self.primary_contact,
        )?;
        to_one(
            &mut parts,
            "reportedByPartner",
            ToOne::IncidentReportedBy,
            self.reported_by_partner,
        )?;
        Ok(parts.done())
    }
}

/// Which opportunities a list holds.
#[derive(InputObject, Default)]
pub struct OpportunityFilter {
    /// All of these filters hold.
    pub and: Option<Vec<OpportunityFilter>>,
    /// At least one of these filters holds (at least one filter).
    pub or: Option<Vec<OpportunityFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<OpportunityFilter>>,
    /// The record's own id.
    pub id: Option<IdFilter>,
    /// The name.
    pub name: Option<StringFilter>,
    /// The sales stage.
    pub stage: Option<OpportunityStageFilter>,
    /// The amount in minor units (see `MinorUnitsFilter`).
    pub amount_minor_units: Option<MinorUnitsFilter>,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: Option<StringFilter>,
    /// When the deal is expected to close.
    pub expected_close_date: Option<DateFilter>,
    /// When the record was created.
    pub created_at: Option<DateTimeFilter>,
    /// When the record last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// The account (by id; `isNull: true` for none).
    pub account_id: Option<IdFilter>,
    /// The account of the deal (by its fields).
    pub account: Option<Box<AccountFilter>>,
    /// The primary contact (by its fields).
    pub primary_contact: Option<Box<ContactFilter>>,
}

impl RecordFilter for OpportunityFilter {
    fn into_filter(self, build: &Build) -> AppResult<Filter> {
        let mut parts = Parts::new(build);
        parts.logic(self.and, self.or, self.not)?;
        let id = self.id.map(|f| f.of(NodeType::Opportunity));
        parts.field("id", Table::Opportunity.id(), id)?;
        parts.field("name", opportunity::NAME, self.name)?;
        parts.field("stage", opportunity::STAGE, self.stage)?;
        parts.field(
            "amountMinorUnits",
            opportunity::AMOUNT,
            self.amount_minor_units,
        )?;
        parts.field("currency", opportunity::CURRENCY, self.currency)?;
        parts.field(
            "expectedCloseDate",
            opportunity::EXPECTED_CLOSE_DATE,
            self.expected_close_date,
        )?;
        parts.field("createdAt", opportunity::CREATED_AT, self.created_at)?;
        parts.field("updatedAt", opportunity::UPDATED_AT, self.updated_at)?;
        let account_id = self.account_id.map(|f| f.of(NodeType::Account));
        parts.field("accountId", opportunity::ACCOUNT_ID, account_id)?;
        to_one(
            &mut parts,
            "account",
            ToOne::OpportunityAccount,
            self.account,
        )?;
        to_one(
            &mut parts,
            "primaryContact",
            ToOne::OpportunityPrimaryContact,
            self.primary_contact,
        )?;
        Ok(parts.done())
    }
}

/// Which audit entries a list holds.
#[derive(InputObject, Default)]
pub struct AuditEntryFilter {
    /// All of these filters hold.
    pub and: Option<Vec<AuditEntryFilter>>,
    /// At least one of these filters holds (at least one filter).
    pub or: Option<Vec<AuditEntryFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<AuditEntryFilter>>,
    /// The kind of record the entry is about.
    pub entity_type: Option<AuditEntityTypeFilter>,
    /// What happened.
    pub action: Option<AuditActionFilter>,
    /// Who made the change (the API key's name or a JWT's subject).
    pub actor: Option<StringFilter>,
    /// When the change was made.
    pub at: Option<DateTimeFilter>,
}

impl RecordFilter for AuditEntryFilter {
    fn into_filter(self, build: &Build) -> AppResult<Filter> {
        let mut parts = Parts::new(build);
        parts.logic(self.and, self.or, self.not)?;
        parts.field("entityType", audit::ENTITY_TYPE, self.entity_type)?;
        parts.field("action", audit::ACTION, self.action)?;
        parts.field("actor", audit::ACTOR, self.actor)?;
        parts.field("at", audit::AT, self.at)?;
        Ok(parts.done())
    }
}
