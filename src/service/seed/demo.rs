//! The demo data set seeded into a new embedded database: one support partner, three customers
//! (two served by the partner), their people, a handful of cases and deals, and the audit trail
//! of all of it. The README queries it by name, so names and values are part of the docs.
//!
//! Phone numbers are in international form, so they are valid whatever the configured default
//! region is. None starts with a digit that is a common national prefix (0, 1, 8): phonenumber
//! 0.3 strips the *default region's* national prefix even after `+<country code>`, so such a
//! number would normalize wrongly under some regions (`+49 151..` under `US`).

mod data;

use entity::enums::{
    CommunicationKind, EmailFormat, IdentityChannel as Ch, IncidentChannel, IncidentPriority,
    IncidentStatus, OpportunityStage,
};
use entity::{account, communication_method, contact, contact_identity, incident, opportunity};
use phonenumber::country;
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Subject};
use super::ids::{DAY_MS, DEMO_BASE_MS, HOUR_MS, IdClock};
use super::rows::Rows;
use crate::error::AppResult;
use crate::service::identity;

/// Seed of the demo's ids; changing it changes every id the docs may show.
const DEMO_SEED: u64 = 2025;

/// All rows of the demo data set, ready to write.
pub fn rows(region: country::Id) -> AppResult<Rows> {
    let mut demo = Demo {
        clock: IdClock::new(DEMO_BASE_MS, DEMO_SEED),
        region,
        rows: Rows::default(),
    };
    let mut orgs: Vec<Org> = Vec::with_capacity(data::COMPANIES.len());
    for company in &data::COMPANIES {
        let partner = match company.served_by_partner {
            true => orgs.get(data::NORTHWIND).map(|org| org.account),
            false => None,
        };
        orgs.push(demo.org(company, partner)?);
    }
    let partner = orgs.get(data::NORTHWIND).map(|org| org.account);
    for case in &data::CASES {
        demo.case(&orgs, case, partner);
    }
    for deal in &data::DEALS {
        demo.deal(&orgs, deal);
    }
    demo.later_edits(&orgs);
    Ok(demo.rows)
}

/// An account and its people, in creation order.
struct Org {
    account: Uuid,
    people: Vec<Uuid>,
}

impl Org {
    fn person(&self, index: usize) -> Option<Uuid> {
        self.people.get(index).copied()
    }
}

struct Demo {
    clock: IdClock,
    region: country::Id,
    rows: Rows,
}

/// A demo account; the demo's partner is not a customer and its customers are not partners.
struct Company {
    name: &'static str,
    is_customer: bool,
    served_by_partner: bool,
    /// Days after the previous company was created.
    days_later: u64,
    domain: &'static str,
    phone: &'static str,
    street: &'static str,
    city: &'static str,
    state: Option<&'static str>,
    postal_code: &'static str,
    country: &'static str,
    notes: Option<&'static str>,
    /// A direct line of the first person, the account's primary contact.
    direct_line: Option<&'static str>,
    people: &'static [Person],
}

struct Person {
    first: &'static str,
    last: &'static str,
    title: Option<&'static str>,
    job: &'static str,
    timezone: &'static str,
    marketing: bool,
    identities: &'static [(Ch, &'static str)],
}

/// See [`data::CASES`].
type Case = (
    usize,
    usize,
    bool,
    &'static str,
    Option<&'static str>,
    IncidentStatus,
    IncidentPriority,
    IncidentChannel,
    u64,
    Option<i64>,
);

/// See [`data::DEALS`].
type Deal = (
    usize,
    usize,
    &'static str,
    OpportunityStage,
    Option<(i64, &'static str)>,
    i64,
);

impl Demo {
    /// A company with its people; the first person becomes its primary contact.
    fn org(&mut self, company: &Company, partner: Option<Uuid>) -> AppResult<Org> {
        self.clock.advance(company.days_later * DAY_MS);
        let account = self.account(company, partner);
        let mut people = Vec::with_capacity(company.people.len());
        for person in company.people {
            people.push(self.person(account, person)?);
        }
        let primary = people.first().copied();
        if let Some(model) = self.rows.accounts.iter_mut().find(|a| a.id == account) {
            model.primary_contact_id = primary;
        }
        if let (Some(line), Some(person)) = (company.direct_line, primary) {
            self.method(
                None,
                Some(person),
                CommunicationKind::Phone,
                line,
                "Direct line",
            );
        }
        Ok(Org { account, people })
    }

    fn account(&mut self, company: &Company, partner: Option<Uuid>) -> Uuid {
        let operation = self.clock.next();
        let stamp = self.clock.next();
        let website = format!("https://www.{}", company.domain);
        let model = account::Model {
            id: stamp.id,
            name: company.name.to_owned(),
            is_customer: company.is_customer,
            is_partner: !company.is_customer,
            partner_id: partner,
            primary_contact_id: None,
            phone: Some(company.phone.to_owned()),
            website: Some(website.clone()),
            street: Some(company.street.to_owned()),
            city: Some(company.city.to_owned()),
            state: company.state.map(str::to_owned),
            postal_code: Some(company.postal_code.to_owned()),
            country: Some(company.country.to_owned()),
            notes: company.notes.map(str::to_owned),
            created_at: stamp.at,
            updated_at: stamp.at,
        };
        let entry = audit::account_created(&mut self.clock, operation, &model);
        self.rows.audit.push(entry);
        self.rows.accounts.push(model);
        let methods = [
            (
                CommunicationKind::Phone,
                company.phone.to_owned(),
                "Switchboard",
            ),
            (CommunicationKind::Website, website, "Website"),
            (
                CommunicationKind::Email,
                format!("info@{}", company.domain),
                "General inquiries",
            ),
        ];
        for (kind, value, label) in methods {
            self.method(Some(stamp.id), None, kind, &value, label);
        }
        stamp.id
    }

    fn person(&mut self, account: Uuid, person: &Person) -> AppResult<Uuid> {
        self.clock.advance(HOUR_MS);
        let operation = self.clock.next();
        let stamp = self.clock.next();
        let has = |channel: Ch| person.identities.iter().any(|i| i.0 == channel);
        let model = contact::Model {
            id: stamp.id,
            account_id: Some(account),
            title: person.title.map(str::to_owned),
            first_name: Some(person.first.to_owned()),
            last_name: person.last.to_owned(),
            alias: None,
            job_title: Some(person.job.to_owned()),
            description: None,
            timezone: Some(person.timezone.to_owned()),
            email_format: EmailFormat::Html,
            marketing_opt_in: person.marketing,
            email_opt_in: true,
            sms_opt_in: has(Ch::Sms),
            whatsapp_opt_in: has(Ch::Whatsapp),
            street: None,
            city: None,
            state: None,
            postal_code: None,
            country: None,
            version: 1,
            created_at: stamp.at,
            updated_at: stamp.at,
        };
        let entry = audit::contact_created(&mut self.clock, operation, &model);
        self.rows.audit.push(entry);
        self.rows.contacts.push(model);
        for &(channel, value) in person.identities {
            let normalized = identity::normalize(channel, value, self.region)?;
            let created = self.clock.next();
            self.rows.identities.push(contact_identity::Model {
                id: created.id,
                contact_id: stamp.id,
                channel,
                value: value.to_owned(),
                normalized_value: normalized,
                created_at: created.at,
                updated_at: created.at,
            });
        }
        Ok(stamp.id)
    }

    fn method(
        &mut self,
        account: Option<Uuid>,
        contact: Option<Uuid>,
        kind: CommunicationKind,
        value: &str,
        label: &str,
    ) {
        let stamp = self.clock.next();
        self.rows.methods.push(communication_method::Model {
            id: stamp.id,
            account_id: account,
            contact_id: contact,
            kind,
            value: value.to_owned(),
            label: Some(label.to_owned()),
            created_at: stamp.at,
            updated_at: stamp.at,
        });
    }

    fn edit(
        &mut self,
        contact: Uuid,
        field: &str,
        before: serde_json::Value,
        after: serde_json::Value,
        apply: impl FnOnce(&mut contact::Model),
    ) {
        let entry = audit::updated(
            &mut self.clock,
            Subject::contact(contact),
            field,
            before,
            after,
        );
        if let Some(model) = self.rows.contacts.iter_mut().find(|c| c.id == contact) {
            apply(model);
            model.version += 1;
            model.updated_at = entry.at;
        }
        self.rows.audit.push(entry);
    }

    fn case(&mut self, orgs: &[Org], case: &Case, partner: Option<Uuid>) {
        let &(org, person, by_partner, subject, description, status, priority, via, days, hours) =
            case;
        let Some(org) = orgs.get(org) else {
            return;
        };
        let Some(contact) = org.person(person) else {
            return;
        };
        self.clock.advance(days * DAY_MS);
        let stamp = self.clock.next();
        let closed_at = hours.map(|hours| stamp.at + chrono::TimeDelta::hours(hours));
        self.rows.incidents.push(incident::Model {
            id: stamp.id,
            account_id: Some(org.account),
            primary_contact_id: contact,
            reported_by_partner_id: partner.filter(|_| by_partner),
            subject: subject.to_owned(),
            description: description.map(str::to_owned),
            status,
            priority,
            channel: Some(via),
            closed_at,
            created_at: stamp.at,
            updated_at: closed_at.unwrap_or(stamp.at),
        });
    }

    fn deal(&mut self, orgs: &[Org], deal: &Deal) {
        let &(org, person, name, stage, price, close_in_days) = deal;
        let Some(org) = orgs.get(org) else {
            return;
        };
        self.clock.advance(DAY_MS);
        let stamp = self.clock.next();
        let close = stamp.at + chrono::TimeDelta::days(close_in_days);
        self.rows.opportunities.push(opportunity::Model {
            id: stamp.id,
            account_id: org.account,
            primary_contact_id: org.person(person),
            name: name.to_owned(),
            stage,
            amount: price.map(|p| p.0),
            currency: price.map(|p| p.1.to_owned()),
            expected_close_date: Some(close.date_naive()),
            created_at: stamp.at,
            updated_at: stamp.at,
        });
    }

    /// Two edits after the fact, so the audit log shows more than creations.
    fn later_edits(&mut self, orgs: &[Org]) {
        self.clock.advance(3 * DAY_MS);
        if let Some(jonas) = orgs.get(data::BLUEFIN).and_then(|org| org.person(1)) {
            let (before, after) = (json!("IT Administrator"), json!("Head of IT"));
            self.edit(jonas, "jobTitle", before, after, |c| {
                c.job_title = Some("Head of IT".to_owned());
            });
        }
        self.clock.advance(2 * DAY_MS);
        if let Some(olivia) = orgs
            .get(data::ALDER_AND_FINCH)
            .and_then(|org| org.person(0))
        {
            self.edit(olivia, "marketingOptIn", json!(false), json!(true), |c| {
                c.marketing_opt_in = true;
            });
        }
    }
}
