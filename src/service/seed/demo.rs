//! The demo data set seeded into a new embedded database: one support partner, three customers
//! (two served by the partner), their people, a handful of cases and deals, and the audit trail
//! of all of it. The README queries it by name, so names and values here are part of the docs.
//!
//! Phone numbers are in international form, so they are valid whatever the configured default
//! region is. None starts with a digit that is a common national prefix (0, 1, 8): phonenumber
//! 0.3 strips the *default region's* national prefix even after `+<country code>`, so such a
//! number would normalize wrongly under some regions (`+49 151..` under `US`).

use entity::enums::{
    CommunicationKind, EmailFormat, IdentityChannel as Ch, IncidentChannel, IncidentPriority,
    IncidentStatus, OpportunityStage,
};
use entity::{account, communication_method, contact, contact_identity, incident, opportunity};
use phonenumber::country;
use sea_orm::ActiveEnum;
use serde_json::json;
use uuid::Uuid;

use super::ids::{DAY_MS, DEMO_BASE_MS, HOUR_MS, IdClock};
use super::rows::{self, Rows, Subject};
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
    let partner = northwind(&mut demo)?;
    let customers = [
        bluefin(&mut demo, partner.account)?,
        harbor_lane(&mut demo, partner.account)?,
        alder_and_finch(&mut demo)?,
    ];
    cases(&mut demo, &partner, &customers);
    deals(&mut demo, &customers);
    later_edits(&mut demo, &customers);
    Ok(demo.rows)
}

/// An account and its people, in creation order.
struct Org {
    account: Uuid,
    people: Vec<Uuid>,
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
    partner: Option<Uuid>,
    domain: &'static str,
    phone: &'static str,
    street: &'static str,
    city: &'static str,
    state: Option<&'static str>,
    postal_code: &'static str,
    country: &'static str,
    notes: Option<&'static str>,
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

fn northwind(demo: &mut Demo) -> AppResult<Org> {
    let account = demo.account(&Company {
        name: "Northwind Support Partners",
        is_customer: false,
        partner: None,
        domain: "northwind-support.example",
        phone: "+31 20 794 0100",
        street: "Keizersgracht 241",
        city: "Amsterdam",
        state: Some("North Holland"),
        postal_code: "1016 EA",
        country: "NL",
        notes: Some("Certified partner: runs first-line support for its customers in EMEA."),
    });
    let people = vec![
        demo.person(
            account,
            &Person {
                first: "Priya",
                last: "Raman",
                title: None,
                job: "Partner Success Manager",
                timezone: "Europe/Amsterdam",
                marketing: false,
                identities: &[
                    (Ch::Email, "priya.raman@northwind-support.example"),
                    (Ch::Twitter, "@PriyaSupports"),
                ],
            },
        )?,
        demo.person(
            account,
            &Person {
                first: "Tom",
                last: "de Vries",
                title: None,
                job: "Support Engineer",
                timezone: "Europe/Amsterdam",
                marketing: false,
                identities: &[
                    (Ch::Email, "tom.devries@northwind-support.example"),
                    (Ch::Whatsapp, "+31 6 12345678"),
                ],
            },
        )?,
    ];
    demo.finish_account(account, &people, None);
    Ok(Org { account, people })
}

fn bluefin(demo: &mut Demo, partner: Uuid) -> AppResult<Org> {
    demo.clock.advance(2 * DAY_MS);
    let account = demo.account(&Company {
        name: "Bluefin Robotics GmbH",
        is_customer: true,
        partner: Some(partner),
        domain: "bluefin-robotics.example",
        phone: "+43 316 810200",
        street: "Annenstraße 10",
        city: "Graz",
        state: Some("Styria"),
        postal_code: "8020",
        country: "AT",
        notes: Some("Premium support plan; Northwind handles first-line cases."),
    });
    let people = vec![
        demo.person(
            account,
            &Person {
                first: "Lena",
                last: "Hoffmann",
                title: Some("Dr."),
                job: "Head of Operations",
                timezone: "Europe/Vienna",
                marketing: true,
                identities: &[
                    (Ch::Email, "Lena.Hoffmann@bluefin-robotics.example"),
                    (Ch::Sms, "+43 664 1234567"),
                ],
            },
        )?,
        demo.person(
            account,
            &Person {
                first: "Jonas",
                last: "Weber",
                title: None,
                job: "IT Administrator",
                timezone: "Europe/Vienna",
                marketing: false,
                identities: &[
                    (Ch::Email, "jonas.weber@bluefin-robotics.example"),
                    (Ch::Whatsapp, "+43 676 2345678"),
                ],
            },
        )?,
        demo.person(
            account,
            &Person {
                first: "Sofía",
                last: "García",
                title: None,
                job: "Procurement Lead",
                timezone: "Europe/Madrid",
                marketing: false,
                identities: &[
                    (Ch::Email, "sofia.garcia@bluefin-robotics.example"),
                    (Ch::Sms, "+34 612 34 56 78"),
                    (Ch::Whatsapp, "+34 612 34 56 78"),
                ],
            },
        )?,
    ];
    demo.finish_account(account, &people, Some("+43 316 810200-214"));
    Ok(Org { account, people })
}

fn harbor_lane(demo: &mut Demo, partner: Uuid) -> AppResult<Org> {
    demo.clock.advance(3 * DAY_MS);
    let account = demo.account(&Company {
        name: "Harbor Lane Logistics Inc.",
        is_customer: true,
        partner: Some(partner),
        domain: "harborlane-logistics.example",
        phone: "+1 312-555-0142",
        street: "233 South Wacker Drive",
        city: "Chicago",
        state: Some("IL"),
        postal_code: "60606",
        country: "US",
        notes: None,
    });
    let people = vec![
        demo.person(
            account,
            &Person {
                first: "Marcus",
                last: "Johnson",
                title: Some("Mr."),
                job: "Fleet Manager",
                timezone: "America/Chicago",
                marketing: true,
                identities: &[
                    (Ch::Email, "marcus.johnson@harborlane-logistics.example"),
                    (Ch::Sms, "+1 312-555-0186"),
                ],
            },
        )?,
        demo.person(
            account,
            &Person {
                first: "Aiko",
                last: "Tanaka",
                title: None,
                job: "Customer Service Lead",
                timezone: "America/Chicago",
                marketing: false,
                identities: &[
                    (Ch::Email, "aiko.tanaka@harborlane-logistics.example"),
                    (Ch::Whatsapp, "+1 312-555-0119"),
                    (Ch::Twitter, "@aiko_ships"),
                ],
            },
        )?,
    ];
    demo.finish_account(account, &people, None);
    Ok(Org { account, people })
}

fn alder_and_finch(demo: &mut Demo) -> AppResult<Org> {
    demo.clock.advance(4 * DAY_MS);
    let account = demo.account(&Company {
        name: "Alder & Finch Coffee Roasters Ltd",
        is_customer: true,
        partner: None,
        domain: "alderandfinch.example",
        phone: "+44 20 7946 0958",
        street: "14 Redchurch Street",
        city: "London",
        state: Some("England"),
        postal_code: "E2 7DJ",
        country: "GB",
        notes: Some("Direct customer; prefers WhatsApp for quick questions."),
    });
    let people = vec![
        demo.person(
            account,
            &Person {
                first: "Olivia",
                last: "Bennett",
                title: Some("Ms."),
                job: "Owner",
                timezone: "Europe/London",
                marketing: false,
                identities: &[
                    (Ch::Email, "olivia@alderandfinch.example"),
                    (Ch::Sms, "+44 7400 123456"),
                    (Ch::Facebook, "olivia.bennett.roasts"),
                ],
            },
        )?,
        demo.person(
            account,
            &Person {
                first: "Kwame",
                last: "Mensah",
                title: None,
                job: "Head Roaster",
                timezone: "Europe/London",
                marketing: false,
                identities: &[
                    (Ch::Email, "kwame.mensah@alderandfinch.example"),
                    (Ch::Whatsapp, "+44 7400 654321"),
                ],
            },
        )?,
    ];
    demo.finish_account(account, &people, None);
    Ok(Org { account, people })
}

/// An incident as the demo tells it: who reported it, how, and how it went.
struct Case {
    account: Uuid,
    contact: Uuid,
    partner: Option<Uuid>,
    subject: &'static str,
    description: Option<&'static str>,
    status: IncidentStatus,
    priority: IncidentPriority,
    channel: IncidentChannel,
    days_later: u64,
    /// Hours until it was solved or closed.
    closed_after_hours: Option<i64>,
}

fn cases(demo: &mut Demo, partner: &Org, customers: &[Org; 3]) {
    use IncidentChannel as C;
    use IncidentPriority as P;
    use IncidentStatus as S;
    let [bluefin, harbor, alder] = customers;
    #[rustfmt::skip]
    let list = [
        (bluefin, 0, Some(partner.account), "Robot arm controller firmware update failed",
            Some("Reported by Northwind after a remote session: the update stops at 80%."),
            S::Open, P::High, C::Partner, 3, None),
        (bluefin, 1, None, "Cannot log in to the customer portal", None,
            S::Solved, P::Normal, C::Email, 2, Some(20)),
        (bluefin, 2, None, "Invoice shows the wrong VAT rate",
            Some("Invoice INV-2025-0917 uses 19% instead of the reverse-charge rate."),
            S::Pending, P::Low, C::Email, 4, None),
        (harbor, 0, None, "Shipment tracking number not working", None,
            S::New, P::Urgent, C::Phone, 3, None),
        (harbor, 1, None, "Webhook deliveries are delayed",
            Some("Delivery events arrive up to 40 minutes late since Monday."),
            S::Open, P::High, C::Web, 2, None),
        (harbor, 0, None, "Request to change the billing address", None,
            S::Closed, P::Low, C::Email, 5, Some(52)),
        (alder, 0, None, "Espresso grinder order arrived damaged",
            Some("Photos sent over WhatsApp; replacement requested."),
            S::Solved, P::Normal, C::Whatsapp, 3, Some(30)),
        (alder, 1, None, "Roast profile export is missing last month", None,
            S::New, P::Normal, C::Sms, 6, None),
        (partner, 1, None, "Please add two more agent licences", None,
            S::Closed, P::Low, C::Email, 2, Some(4)),
    ];
    for (org, person, partner, subject, description, status, priority, channel, days, closed) in
        list
    {
        let Some(&contact) = org.people.get(person) else {
            continue;
        };
        demo.case(&Case {
            account: org.account,
            contact,
            partner,
            subject,
            description,
            status,
            priority,
            channel,
            days_later: days,
            closed_after_hours: closed,
        });
    }
}

fn deals(demo: &mut Demo, customers: &[Org; 3]) {
    use OpportunityStage as S;
    let [bluefin, harbor, alder] = customers;
    let list = [
        (
            bluefin,
            0,
            "Premium Support renewal",
            S::Negotiation,
            Some((4_800_000, "EUR")),
            60,
        ),
        (
            harbor,
            0,
            "Fleet telematics rollout",
            S::Proposal,
            Some((12_500_000, "USD")),
            90,
        ),
        (
            alder,
            0,
            "Second roastery expansion",
            S::Prospecting,
            None,
            150,
        ),
        (
            harbor,
            1,
            "Contact Center pilot",
            S::Won,
            Some((2_400_000, "USD")),
            14,
        ),
    ];
    for (org, person, name, stage, price, close_in_days) in list {
        demo.clock.advance(DAY_MS);
        let stamp = demo.clock.next();
        let close = stamp.at + chrono::TimeDelta::days(close_in_days);
        demo.rows.opportunities.push(opportunity::Model {
            id: stamp.id,
            account_id: org.account,
            primary_contact_id: org.people.get(person).copied(),
            name: name.to_owned(),
            stage,
            amount: price.map(|p| p.0),
            currency: price.map(|p| p.1.to_owned()),
            expected_close_date: Some(close.date_naive()),
            created_at: stamp.at,
            updated_at: stamp.at,
        });
    }
}

/// Two edits after the fact, so the audit log shows more than creations.
fn later_edits(demo: &mut Demo, customers: &[Org; 3]) {
    let [bluefin, _, alder] = customers;
    demo.clock.advance(3 * DAY_MS);
    if let Some(&jonas) = bluefin.people.get(1) {
        demo.edit(
            jonas,
            "job_title",
            json!("IT Administrator"),
            json!("Head of IT"),
            |c| {
                c.job_title = Some("Head of IT".to_owned());
            },
        );
    }
    demo.clock.advance(2 * DAY_MS);
    if let Some(&olivia) = alder.people.first() {
        demo.edit(olivia, "marketing_opt_in", json!(false), json!(true), |c| {
            c.marketing_opt_in = true;
        });
    }
}

impl Demo {
    fn account(&mut self, company: &Company) -> Uuid {
        let operation = self.clock.next();
        let stamp = self.clock.next();
        let fields = vec![
            ("name", json!(company.name)),
            ("is_customer", json!(company.is_customer)),
            ("is_partner", json!(!company.is_customer)),
            ("partner_id", json!(company.partner)),
            ("country", json!(company.country)),
        ];
        let entry = rows::created(
            &mut self.clock,
            operation,
            Subject::account(stamp.id),
            fields,
        );
        self.rows.audit.push(entry);
        let website = format!("https://www.{}", company.domain);
        self.rows.accounts.push(account::Model {
            id: stamp.id,
            name: company.name.to_owned(),
            is_customer: company.is_customer,
            is_partner: !company.is_customer,
            partner_id: company.partner,
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
        });
        self.method(
            Some(stamp.id),
            None,
            CommunicationKind::Phone,
            company.phone,
            "Switchboard",
        );
        self.method(
            Some(stamp.id),
            None,
            CommunicationKind::Website,
            &website,
            "Website",
        );
        let info = format!("info@{}", company.domain);
        self.method(
            Some(stamp.id),
            None,
            CommunicationKind::Email,
            &info,
            "General inquiries",
        );
        stamp.id
    }

    /// Makes the first person the primary contact; `direct_line` goes to the same person.
    fn finish_account(&mut self, account: Uuid, people: &[Uuid], direct_line: Option<&str>) {
        let primary = people.first().copied();
        if let Some(model) = self.rows.accounts.iter_mut().find(|a| a.id == account) {
            model.primary_contact_id = primary;
        }
        if let (Some(line), Some(person)) = (direct_line, primary) {
            self.method(
                None,
                Some(person),
                CommunicationKind::Phone,
                line,
                "Direct line",
            );
        }
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
        let fields = vec![
            ("account_id", json!(model.account_id)),
            ("first_name", json!(model.first_name)),
            ("last_name", json!(model.last_name)),
            ("job_title", json!(model.job_title)),
            ("email_format", json!(model.email_format.to_value())),
            ("timezone", json!(model.timezone)),
        ];
        let entry = rows::created(
            &mut self.clock,
            operation,
            Subject::contact(stamp.id),
            fields,
        );
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

    fn case(&mut self, case: &Case) {
        self.clock.advance(case.days_later * DAY_MS);
        let stamp = self.clock.next();
        let closed_at = case
            .closed_after_hours
            .map(|hours| stamp.at + chrono::TimeDelta::hours(hours));
        self.rows.incidents.push(incident::Model {
            id: stamp.id,
            account_id: Some(case.account),
            primary_contact_id: case.contact,
            reported_by_partner_id: case.partner,
            subject: case.subject.to_owned(),
            description: case.description.map(str::to_owned),
            status: case.status,
            priority: case.priority,
            channel: Some(case.channel),
            closed_at,
            created_at: stamp.at,
            updated_at: closed_at.unwrap_or(stamp.at),
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
        let entry = rows::updated(
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
}
