//! The data set the differential test reads: the `partners` fixture (two partners, their
//! customers, unrelated records, a key per partner) grown so that every shape the read paths
//! answer occurs: accounts that are partners and customers at once, contacts with and without
//! accounts, identities on every channel, cases and sales with and without their optional
//! columns, communication methods on accounts and contacts, money in currencies with 0, 2 and 3
//! decimals, timestamps with and without fractions, merged contacts (a chain of two merges, so
//! redirects exist), and lists long enough that pages of 1 to 5 rows have a next page.
//!
//! Bulk rows are written through the entities with explicit timestamps (as `fixtures` does), so
//! `createdAt` order differs from id order; identities and merges go through the GraphQL
//! mutations, so they are normalized and redirected exactly as clients would make them.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use contacts_graph::auth::Role;
use contacts_graph::graphql::ids::NodeType;
use entity::enums::{
    CommunicationKind, EmailFormat, IncidentChannel, IncidentPriority, IncidentStatus,
    OpportunityStage,
};
use entity::{account, communication_method, contact, incident, opportunity};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use crate::common::world::gid;
use crate::common::{TestApp, create_key, fixtures, partners};

/// What the generator needs to know about the stored rows: global ids by type, the identities
/// that exist (as clients could type them), and the keys to ask with.
pub struct Data {
    pub accounts: Vec<String>,
    pub contacts: Vec<String>,
    /// Ids of contacts merged away: they resolve to their survivor.
    pub merged: Vec<String>,
    pub incidents: Vec<String>,
    pub opportunities: Vec<String>,
    pub identities: Vec<String>,
    pub methods: Vec<String>,
    /// `(channel, value)` pairs that find a contact (as stored or as another spelling).
    pub known_identities: Vec<(&'static str, String)>,
    /// Valid values that find no contact.
    pub unknown_identities: Vec<(&'static str, String)>,
    /// Values that are no identity of their channel (`BAD_USER_INPUT`).
    pub invalid_identities: Vec<(&'static str, String)>,
    /// Partner keys: Northwind, Contoso, and Stark (a partner that is a customer itself).
    pub partner_keys: Vec<String>,
    /// Global ids of the partner accounts, for filters.
    pub northwind: String,
    pub acme: String,
    pub globex: String,
}

/// A timestamp `minutes` after a fixed base, with `micros` of fraction (0 for whole seconds).
fn at(minutes: i64, micros: i64) -> DateTime<Utc> {
    let base = Utc
        .with_ymd_and_hms(2024, 5, 1, 10, 0, 0)
        .single()
        .unwrap_or_default();
    base + chrono::TimeDelta::minutes(minutes) + chrono::TimeDelta::microseconds(micros)
}

struct AccountRow<'a> {
    name: &'a str,
    customer: bool,
    partner: bool,
    partner_of: Option<Uuid>,
    full: bool,
    created: DateTime<Utc>,
}

async fn account(db: &DatabaseConnection, row: AccountRow<'_>) -> account::Model {
    let full = row.full;
    let some = |value: &str| full.then(|| value.to_owned());
    account::Model {
        id: Uuid::now_v7(),
        name: row.name.to_owned(),
        is_customer: row.customer,
        is_partner: row.partner,
        partner_id: row.partner_of,
        primary_contact_id: None,
        phone: some("+44 20 7946 0958"),
        website: some("https://stark.example"),
        street: some("1 Main Street"),
        city: Some(if full { "London" } else { "Paris" }.to_owned()),
        state: some("Greater London"),
        postal_code: some("EC1A 1BB"),
        country: Some(if full { "GB" } else { "FR" }.to_owned()),
        notes: some("Notes with \"quotes\", a tab\tand ünïcödé"),
        created_at: row.created,
        updated_at: row.created + chrono::TimeDelta::seconds(90),
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

struct ContactRow<'a> {
    account: Option<Uuid>,
    first: Option<&'a str>,
    last: &'a str,
    full: bool,
    html: bool,
    created: DateTime<Utc>,
}

async fn contact(db: &DatabaseConnection, row: ContactRow<'_>) -> contact::Model {
    let full = row.full;
    let some = |value: &str| full.then(|| value.to_owned());
    contact::Model {
        id: Uuid::now_v7(),
        account_id: row.account,
        title: some("Dr."),
        first_name: row.first.map(str::to_owned),
        last_name: row.last.to_owned(),
        alias: some("The Alias"),
        job_title: some("Engineer"),
        description: some("Line one\nline two"),
        timezone: full.then(|| "America/New_York".to_owned()),
        email_format: if row.html {
            EmailFormat::Html
        } else {
            EmailFormat::PlainText
        },
        marketing_opt_in: full,
        email_opt_in: !full,
        sms_opt_in: row.html,
        whatsapp_opt_in: full && row.html,
        street: some("2 Side Road"),
        city: some("Boston"),
        state: some("MA"),
        postal_code: some("02101"),
        country: some("US"),
        version: if full { 3 } else { 1 },
        created_at: row.created,
        updated_at: row.created + chrono::TimeDelta::milliseconds(1_500),
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

struct IncidentRow<'a> {
    account: Option<Uuid>,
    contact: Uuid,
    reported_by: Option<Uuid>,
    subject: &'a str,
    status: IncidentStatus,
    priority: IncidentPriority,
    channel: Option<IncidentChannel>,
    created: DateTime<Utc>,
}

async fn incident(db: &DatabaseConnection, row: IncidentRow<'_>) -> incident::Model {
    let closed = matches!(row.status, IncidentStatus::Solved | IncidentStatus::Closed);
    incident::Model {
        id: Uuid::now_v7(),
        account_id: row.account,
        primary_contact_id: row.contact,
        reported_by_partner_id: row.reported_by,
        subject: row.subject.to_owned(),
        description: row
            .channel
            .is_some()
            .then(|| format!("About {}", row.subject)),
        status: row.status,
        priority: row.priority,
        channel: row.channel,
        closed_at: closed.then(|| row.created + chrono::TimeDelta::hours(26)),
        created_at: row.created,
        updated_at: row.created,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

struct OpportunityRow<'a> {
    account: Uuid,
    contact: Option<Uuid>,
    name: &'a str,
    stage: OpportunityStage,
    amount: Option<(i64, &'a str)>,
    close: Option<NaiveDate>,
    created: DateTime<Utc>,
}

async fn opportunity(db: &DatabaseConnection, row: OpportunityRow<'_>) -> opportunity::Model {
    opportunity::Model {
        id: Uuid::now_v7(),
        account_id: row.account,
        primary_contact_id: row.contact,
        name: row.name.to_owned(),
        stage: row.stage,
        amount: row.amount.map(|(minor, _)| minor),
        currency: row.amount.map(|(_, currency)| currency.to_owned()),
        expected_close_date: row.close,
        created_at: row.created,
        updated_at: row.created + chrono::TimeDelta::days(3),
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

async fn method(
    db: &DatabaseConnection,
    owner: (Option<Uuid>, Option<Uuid>),
    kind: CommunicationKind,
    value: &str,
    label: Option<&str>,
    created: DateTime<Utc>,
) -> communication_method::Model {
    communication_method::Model {
        id: Uuid::now_v7(),
        account_id: owner.0,
        contact_id: owner.1,
        kind,
        value: value.to_owned(),
        label: label.map(str::to_owned),
        created_at: created,
        updated_at: created,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap()
}

const ADD_IDENTITY: &str = "mutation($input: AddContactIdentityInput!) {
    addContactIdentity(input: $input) { identity { id } } }";

const MERGE: &str = "mutation($input: MergeContactsInput!) {
    mergeContacts(input: $input) { mergedContactId } }";

/// Adds an identity through the API; returns its global id.
async fn add_identity(app: &TestApp, contact: Uuid, channel: &str, value: &str) -> String {
    let input = json!({
        "contactId": gid(NodeType::Contact, contact),
        "channel": channel,
        "value": value,
    });
    let reply = app.gql(ADD_IDENTITY, json!({ "input": input })).await;
    reply.data()["addContactIdentity"]["identity"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn merge(app: &TestApp, survivor: Uuid, merged: Uuid) {
    let input = json!({
        "survivorId": gid(NodeType::Contact, survivor),
        "mergedId": gid(NodeType::Contact, merged),
        "allowCrossAccount": true,
    });
    app.gql(MERGE, json!({ "input": input })).await.data();
}

pub async fn build(app: &TestApp) -> Data {
    let db = &app.db;
    let p = partners::build(app).await;
    let w = &p.world;
    let northwind = w.partner.id;

    // Accounts: Stark is Northwind's customer and a partner itself (of Wayne); Northwind ends
    // with six customers, so its `customers` have next pages.
    let stark = account(
        db,
        AccountRow {
            name: "Stark",
            customer: true,
            partner: true,
            partner_of: Some(northwind),
            full: true,
            created: at(5, 0),
        },
    )
    .await;
    let wayne = account(
        db,
        AccountRow {
            name: "Wayne",
            customer: true,
            partner: false,
            partner_of: Some(stark.id),
            full: false,
            created: at(5, 0),
        },
    )
    .await;
    let mut northwind_customers = Vec::new();
    for (i, name) in ["Hooli", "Umbrella", "Tyrell", "Vandelay"]
        .into_iter()
        .enumerate()
    {
        let row = AccountRow {
            name,
            customer: true,
            partner: false,
            partner_of: Some(northwind),
            full: i % 2 == 0,
            created: at(60 - i as i64 * 7, i as i64 * 250_000),
        };
        northwind_customers.push(account(db, row).await);
    }
    let zeta = account(
        db,
        AccountRow {
            name: "Zeta",
            customer: true,
            partner: false,
            partner_of: None,
            full: false,
            created: at(1, 1),
        },
    )
    .await;

    // Contacts: nine at Acme before the merges, some at Stark, Wayne and Hooli, and a few
    // without an account.
    let acme = w.acme.id;
    let mut acme_contacts = vec![w.ada.clone(), w.bob.clone(), w.cy.clone()];
    let names = [
        (Some("Grace"), "Hopper"),
        (None, "Turing"),
        (Some("Edsger"), "Dijkstra"),
        (Some("Barbara"), "Liskov"),
        (Some("Ada"), "Lovelace"),
        (Some("Ken"), "Thompson"),
    ];
    for (i, (first, last)) in names.into_iter().enumerate() {
        let row = ContactRow {
            account: Some(acme),
            first,
            last,
            full: i % 2 == 0,
            html: i % 3 == 0,
            // Two share a timestamp: the id breaks the tie in `CREATED_AT` order.
            created: at(30 - (i as i64 % 4) * 5, 0),
        };
        acme_contacts.push(contact(db, row).await);
    }
    let tony = contact(
        db,
        ContactRow {
            account: Some(stark.id),
            first: Some("Tony"),
            last: "Stark",
            full: true,
            html: true,
            created: at(6, 123_456),
        },
    )
    .await;
    let pepper = contact(
        db,
        ContactRow {
            account: Some(stark.id),
            first: Some("Pepper"),
            last: "Potts",
            full: false,
            html: false,
            created: at(7, 500_000),
        },
    )
    .await;
    let bruce = contact(
        db,
        ContactRow {
            account: Some(wayne.id),
            first: Some("Bruce"),
            last: "Wayne",
            full: false,
            html: true,
            created: at(8, 0),
        },
    )
    .await;
    let gavin = contact(
        db,
        ContactRow {
            account: Some(northwind_customers[0].id),
            first: Some("Gavin"),
            last: "Belson",
            full: true,
            html: false,
            created: at(9, 10),
        },
    )
    .await;
    let drifter = contact(
        db,
        ContactRow {
            account: None,
            first: None,
            last: "Drifter",
            full: true,
            html: false,
            created: at(2, 0),
        },
    )
    .await;
    // Merged away below: a duplicate of Ada, a duplicate of Cy that Cy absorbs first (so one
    // redirect is re-pointed when Cy is merged into Bob), and a duplicate of the account-less
    // Loner.
    let ada_dupe = contact(
        db,
        ContactRow {
            account: Some(acme),
            first: Some("Ada"),
            last: "Lovelace-Dupe",
            full: true,
            html: false,
            created: at(3, 0),
        },
    )
    .await;
    let cy_dupe = contact(
        db,
        ContactRow {
            account: Some(acme),
            first: None,
            last: "Cyrus-Dupe",
            full: false,
            html: true,
            created: at(4, 0),
        },
    )
    .await;
    let loner_dupe = contact(
        db,
        ContactRow {
            account: None,
            first: Some("Lone"),
            last: "Loner",
            full: true,
            html: true,
            created: at(4, 999_999),
        },
    )
    .await;
    fixtures::set_primary_contact(db, &stark, tony.id).await;
    fixtures::set_primary_contact(db, &w.globex, w.dee.id).await;

    // Identities on every channel, as clients type them.
    let identity_rows = [
        (acme_contacts[3].id, "EMAIL", "Grace.Hopper@Navy.example"),
        (acme_contacts[4].id, "SMS", "+49 30 1234567"),
        (acme_contacts[4].id, "WHATSAPP", "+44 20 7946 0958"),
        (acme_contacts[5].id, "FACEBOOK", "edsger.dijkstra"),
        (acme_contacts[6].id, "WECHAT", "liskov_wx"),
        (tony.id, "TWITTER", "@IronMan"),
        (tony.id, "EMAIL", "tony@stark.example"),
        (bruce.id, "WECHAT", "batman"),
        (drifter.id, "EMAIL", "drifter@nowhere.example"),
        (gavin.id, "SMS", "+1 415 555 0142"),
        (ada_dupe.id, "EMAIL", "countess@example.com"),
        (cy_dupe.id, "FACEBOOK", "cyrus.dupe"),
        (loner_dupe.id, "TWITTER", "lonewolf"),
    ];
    let mut identities = Vec::new();
    for (owner, channel, value) in identity_rows {
        identities.push(add_identity(app, owner, channel, value).await);
    }
    let known_identities = vec![
        ("EMAIL", "ada@example.com".to_owned()),
        ("EMAIL", "ADA@EXAMPLE.COM".to_owned()),
        ("SMS", "+1 201-555-0123".to_owned()),
        ("SMS", "+12015550123".to_owned()),
        ("TWITTER", "@babbage".to_owned()),
        ("TWITTER", "Babbage".to_owned()),
        ("EMAIL", "ivy@initech.example".to_owned()),
        ("EMAIL", "dee@globex.example".to_owned()),
        ("EMAIL", "grace.hopper@navy.example".to_owned()),
        ("SMS", "(201) 555-0123".to_owned()),
        ("WHATSAPP", "+442079460958".to_owned()),
        ("FACEBOOK", "edsger.dijkstra".to_owned()),
        ("WECHAT", "liskov_wx".to_owned()),
        ("TWITTER", "ironman".to_owned()),
        ("EMAIL", "Tony@Stark.example".to_owned()),
        ("WECHAT", "batman".to_owned()),
        ("EMAIL", "drifter@nowhere.example".to_owned()),
        ("SMS", "+14155550142".to_owned()),
        // Identities of merged contacts: they moved to the survivor.
        ("EMAIL", "countess@example.com".to_owned()),
        ("FACEBOOK", "cyrus.dupe".to_owned()),
        ("TWITTER", "@LoneWolf".to_owned()),
    ];
    let unknown_identities = vec![
        ("EMAIL", "nobody@example.com".to_owned()),
        ("SMS", "+49 30 7654321".to_owned()),
        ("WHATSAPP", "+12015550123".to_owned()),
        ("FACEBOOK", "Edsger.Dijkstra".to_owned()),
        ("TWITTER", "@nobody".to_owned()),
        ("WECHAT", "nobody_wx".to_owned()),
    ];
    let invalid_identities = vec![
        ("EMAIL", "not-an-address".to_owned()),
        ("SMS", "not a phone".to_owned()),
        ("EMAIL", "   ".to_owned()),
    ];

    // Communication methods on accounts and contacts, some without a label.
    let methods_rows = [
        (
            (Some(stark.id), None),
            CommunicationKind::Email,
            "info@stark.example",
            Some("Info"),
        ),
        (
            (Some(stark.id), None),
            CommunicationKind::PostalAddress,
            "1 Main Street, London",
            None,
        ),
        (
            (Some(northwind), None),
            CommunicationKind::Website,
            "https://northwind.example",
            None,
        ),
        (
            (None, Some(tony.id)),
            CommunicationKind::Mobile,
            "+1 212 555 0100",
            Some("Cell"),
        ),
        (
            (None, Some(tony.id)),
            CommunicationKind::Email,
            "tony@stark.example",
            None,
        ),
        (
            (None, Some(drifter.id)),
            CommunicationKind::Phone,
            "+1 212 555 0199",
            None,
        ),
        (
            (None, Some(ada_dupe.id)),
            CommunicationKind::Fax,
            "+1 201 555 0177",
            Some("Old fax"),
        ),
        (
            (Some(acme), None),
            CommunicationKind::Email,
            "sales@acme.example",
            Some("Sales"),
        ),
    ];
    let mut methods = Vec::new();
    for (i, (owner, kind, value, label)) in methods_rows.into_iter().enumerate() {
        let row = method(db, owner, kind, value, label, at(100 + i as i64, 0)).await;
        methods.push(gid(NodeType::CommunicationMethod, row.id));
    }

    // Cases: eleven under Acme in every status, priority and channel; one under Acme about a
    // contact of Globex (a partner of Acme does not see it); one without an account; Stark's
    // reported by Stark.
    let statuses = [
        IncidentStatus::New,
        IncidentStatus::Open,
        IncidentStatus::Pending,
        IncidentStatus::Solved,
        IncidentStatus::Closed,
    ];
    let priorities = [
        IncidentPriority::Low,
        IncidentPriority::Normal,
        IncidentPriority::High,
        IncidentPriority::Urgent,
    ];
    let channels = [
        None,
        Some(IncidentChannel::Email),
        Some(IncidentChannel::Phone),
        Some(IncidentChannel::Sms),
        Some(IncidentChannel::Whatsapp),
        Some(IncidentChannel::Social),
        Some(IncidentChannel::Web),
        Some(IncidentChannel::Partner),
    ];
    let subjects = [
        "Login fails",
        "Slow pages",
        "Wrong invoice",
        "Refund please",
        "Password reset",
        "Feature request",
        "Data export",
        "Cancel contract",
    ];
    for (i, subject) in subjects.into_iter().enumerate() {
        let row = IncidentRow {
            account: Some(acme),
            contact: acme_contacts[i % acme_contacts.len()].id,
            reported_by: (i % 3 == 0).then_some(northwind),
            subject,
            status: statuses[i % statuses.len()],
            priority: priorities[i % priorities.len()],
            channel: channels[i % channels.len()],
            created: at(200 - i as i64 * 3, (i as i64 % 3) * 1_000),
        };
        incident(db, row).await;
    }
    let extra_incidents = [
        (Some(acme), w.dee.id, None, "Cross-account case"),
        (None, w.ada.id, None, "No account"),
        (Some(stark.id), tony.id, Some(stark.id), "Suit malfunction"),
        (Some(stark.id), pepper.id, Some(stark.id), "Board meeting"),
        (Some(wayne.id), bruce.id, Some(stark.id), "Cave flooding"),
        (Some(acme), ada_dupe.id, None, "Dupe's case"),
        (None, loner_dupe.id, None, "Lonely case"),
    ];
    for (i, (account, contact, reported_by, subject)) in extra_incidents.into_iter().enumerate() {
        let row = IncidentRow {
            account,
            contact,
            reported_by,
            subject,
            status: statuses[(i + 2) % statuses.len()],
            priority: priorities[(i + 1) % priorities.len()],
            channel: channels[(i + 3) % channels.len()],
            created: at(300 + i as i64, 0),
        };
        incident(db, row).await;
    }

    // Sales: seven under Acme with money in EUR, USD, JPY (no decimals), BHD (three), zero and
    // negative-free large amounts, and none; some without a close date or contact.
    let close = |month| NaiveDate::from_ymd_opt(2026, month, 15);
    let sales = [
        (
            "Alpha",
            OpportunityStage::Prospecting,
            Some((0, "EUR")),
            close(1),
        ),
        (
            "Beta",
            OpportunityStage::Qualification,
            Some((199_999, "USD")),
            None,
        ),
        (
            "Gamma",
            OpportunityStage::Negotiation,
            Some((5_000, "JPY")),
            close(6),
        ),
        (
            "Delta",
            OpportunityStage::Won,
            Some((12_345, "BHD")),
            close(2),
        ),
        ("Epsilon", OpportunityStage::Lost, None, None),
        (
            "Zeta deal",
            OpportunityStage::Proposal,
            Some((9_007_199_254_740_993, "EUR")),
            close(12),
        ),
        ("Eta", OpportunityStage::Won, Some((1, "USD")), close(6)),
    ];
    for (i, (name, stage, amount, close)) in sales.into_iter().enumerate() {
        let row = OpportunityRow {
            account: acme,
            contact: (i % 2 == 0).then(|| acme_contacts[(i + 2) % acme_contacts.len()].id),
            name,
            stage,
            amount,
            close,
            created: at(400 - i as i64 * 11, 0),
        };
        opportunity(db, row).await;
    }
    for (account, contact, name) in [
        (stark.id, Some(tony.id), "Arc reactor"),
        (wayne.id, None, "Batmobile"),
        (zeta.id, None, "Zeta's only deal"),
        (acme, Some(ada_dupe.id), "Dupe's deal"),
    ] {
        let row = OpportunityRow {
            account,
            contact,
            name,
            stage: OpportunityStage::Negotiation,
            amount: Some((250_000, "GBP")),
            close: close(3),
            created: at(500, 0),
        };
        opportunity(db, row).await;
    }

    // Merges: redirects for three ids, one of them re-pointed by a second merge.
    merge(app, w.ada.id, ada_dupe.id).await;
    merge(app, w.cy.id, cy_dupe.id).await;
    merge(app, w.bob.id, w.cy.id).await;
    merge(app, w.loner.id, loner_dupe.id).await;

    let stark_key = create_key(db, "stark-portal", Role::Partner, Some(stark.id)).await;

    let all = |models: &[Uuid], node_type| -> Vec<String> {
        models.iter().map(|id| gid(node_type, *id)).collect()
    };
    let mut account_ids = vec![
        northwind,
        acme,
        w.globex.id,
        p.contoso.id,
        p.initech.id,
        stark.id,
        wayne.id,
        zeta.id,
    ];
    account_ids.extend(northwind_customers.iter().map(|a| a.id));
    let mut contact_ids: Vec<Uuid> = acme_contacts
        .iter()
        .map(|c| c.id)
        .filter(|id| *id != w.cy.id)
        .collect();
    contact_ids.extend([w.dee.id, w.loner.id, p.ivy.id, tony.id, pepper.id, bruce.id]);
    contact_ids.extend([gavin.id, drifter.id]);
    let incident_ids: Vec<Uuid> = incident::Entity::find()
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect();
    let opportunity_ids: Vec<Uuid> = opportunity::Entity::find()
        .all(db)
        .await
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect();
    Data {
        accounts: all(&account_ids, NodeType::Account),
        contacts: all(&contact_ids, NodeType::Contact),
        merged: all(
            &[ada_dupe.id, cy_dupe.id, w.cy.id, loner_dupe.id],
            NodeType::Contact,
        ),
        incidents: all(&incident_ids, NodeType::Incident),
        opportunities: all(&opportunity_ids, NodeType::Opportunity),
        identities,
        methods,
        known_identities,
        unknown_identities,
        invalid_identities,
        partner_keys: vec![p.northwind_key.clone(), p.contoso_key.clone(), stark_key],
        northwind: gid(NodeType::Account, northwind),
        acme: gid(NodeType::Account, acme),
        globex: gid(NodeType::Account, w.globex.id),
    }
}
