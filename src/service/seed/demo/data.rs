//! The demo's content: who works where, what they reported, what sales is working on. The
//! README's example queries these names.

use entity::enums::{
    IdentityChannel as Ch, IncidentChannel as Via, IncidentPriority as Priority,
    IncidentStatus as Status, OpportunityStage as Stage,
};

use super::{Case, Company, Deal, Person};

/// Index of each company in [`COMPANIES`], for [`CASES`] and [`DEALS`].
pub const NORTHWIND: usize = 0;
pub const BLUEFIN: usize = 1;
pub const HARBOR_LANE: usize = 2;
pub const ALDER_AND_FINCH: usize = 3;

/// In creation order; the partner comes first so its customers can point at it.
pub const COMPANIES: [Company; 4] = [
    Company {
        name: "Northwind Support Partners",
        is_customer: false,
        served_by_partner: false,
        days_later: 0,
        domain: "northwind-support.example",
        phone: "+31 20 794 0100",
        street: "Keizersgracht 241",
        city: "Amsterdam",
        state: Some("North Holland"),
        postal_code: "1016 EA",
        country: "NL",
        notes: Some("Certified partner: runs first-line support for its customers in EMEA."),
        direct_line: None,
        people: &[
            Person {
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
            Person {
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
        ],
    },
    Company {
        name: "Bluefin Robotics GmbH",
        is_customer: true,
        served_by_partner: true,
        days_later: 2,
        domain: "bluefin-robotics.example",
        phone: "+43 316 810200",
        street: "Annenstraße 10",
        city: "Graz",
        state: Some("Styria"),
        postal_code: "8020",
        country: "AT",
        notes: Some("Premium support plan; Northwind handles first-line cases."),
        direct_line: Some("+43 316 810200-214"),
        people: &[
            Person {
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
            Person {
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
            Person {
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
        ],
    },
    Company {
        name: "Harbor Lane Logistics Inc.",
        is_customer: true,
        served_by_partner: true,
        days_later: 3,
        domain: "harborlane-logistics.example",
        phone: "+1 312-555-0142",
        street: "233 South Wacker Drive",
        city: "Chicago",
        state: Some("IL"),
        postal_code: "60606",
        country: "US",
        notes: None,
        direct_line: None,
        people: &[
            Person {
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
            Person {
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
        ],
    },
    Company {
        name: "Alder & Finch Coffee Roasters Ltd",
        is_customer: true,
        served_by_partner: false,
        days_later: 4,
        domain: "alderandfinch.example",
        phone: "+44 20 7946 0958",
        street: "14 Redchurch Street",
        city: "London",
        state: Some("England"),
        postal_code: "E2 7DJ",
        country: "GB",
        notes: Some("Direct customer; prefers WhatsApp for quick questions."),
        direct_line: None,
        people: &[
            Person {
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
            Person {
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
        ],
    },
];

/// `(company, person, by the partner?, subject, description, status, priority, channel,
/// days after the previous case, hours until solved or closed)`, oldest first.
#[rustfmt::skip]
pub const CASES: [Case; 9] = [
    (BLUEFIN, 0, true, "Robot arm controller firmware update failed",
        Some("Reported by Northwind after a remote session: the update stops at 80%."),
        Status::Open, Priority::High, Via::Partner, 3, None),
    (BLUEFIN, 1, false, "Cannot log in to the customer portal", None,
        Status::Solved, Priority::Normal, Via::Email, 2, Some(20)),
    (BLUEFIN, 2, false, "Invoice shows the wrong VAT rate",
        Some("Invoice INV-2025-0917 uses 20% VAT instead of the reverse-charge rate."),
        Status::Pending, Priority::Low, Via::Email, 4, None),
    (HARBOR_LANE, 0, false, "Shipment tracking number not working", None,
        Status::New, Priority::Urgent, Via::Phone, 3, None),
    (HARBOR_LANE, 1, false, "Webhook deliveries are delayed",
        Some("Delivery events arrive up to 40 minutes late since Monday."),
        Status::Open, Priority::High, Via::Web, 2, None),
    (HARBOR_LANE, 0, false, "Request to change the billing address", None,
        Status::Closed, Priority::Low, Via::Email, 5, Some(52)),
    (ALDER_AND_FINCH, 0, false, "Espresso grinder order arrived damaged",
        Some("Photos sent over WhatsApp; replacement requested."),
        Status::Solved, Priority::Normal, Via::Whatsapp, 3, Some(30)),
    (ALDER_AND_FINCH, 1, false, "Roast profile export is missing last month", None,
        Status::New, Priority::Normal, Via::Sms, 6, None),
    (NORTHWIND, 1, false, "Please add two more agent licences", None,
        Status::Closed, Priority::Low, Via::Email, 2, Some(4)),
];

/// `(company, person, name, stage, amount in minor units and currency, days until close)`.
#[rustfmt::skip]
pub const DEALS: [Deal; 4] = [
    (BLUEFIN, 0, "Premium Support renewal", Stage::Negotiation, Some((4_800_000, "EUR")), 60),
    (HARBOR_LANE, 0, "Fleet telematics rollout", Stage::Proposal, Some((12_500_000, "USD")), 90),
    (ALDER_AND_FINCH, 0, "Second roastery expansion", Stage::Prospecting, None, 150),
    (HARBOR_LANE, 1, "Contact Center pilot", Stage::Won, Some((2_400_000, "USD")), 14),
];
