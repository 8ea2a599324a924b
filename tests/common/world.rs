//! A small, fully known data set for read tests.

use contacts_graph::graphql::ids::{GlobalId, NodeType};
use entity::enums::{CommunicationKind, IdentityChannel};
use entity::{account, audit_entry, contact, incident, opportunity};
use sea_orm::DatabaseConnection;

use super::fixtures;

pub struct World {
    pub partner: account::Model,
    pub acme: account::Model,
    pub globex: account::Model,
    pub ada: contact::Model,
    pub bob: contact::Model,
    pub cy: contact::Model,
    pub dee: contact::Model,
    pub loner: contact::Model,
    pub reported: incident::Model,
    pub printer: incident::Model,
    pub outage: incident::Model,
    pub deal: opportunity::Model,
    pub lead: opportunity::Model,
    pub first_audit: audit_entry::Model,
}

/// Global id as clients see it.
pub fn gid(node_type: NodeType, id: uuid::Uuid) -> String {
    GlobalId::new(node_type, id).to_id().0
}

/// Partner "Northwind" serves "Acme" (Ada primary, Bob, Cy); "Globex" (Dee) has no partner;
/// "Loner" belongs to no account.
pub async fn build(db: &DatabaseConnection) -> World {
    let partner = fixtures::partner(db, "Northwind").await;
    let acme = fixtures::account(db, "Acme", Some(partner.id)).await;
    let globex = fixtures::account(db, "Globex", None).await;
    let ada = fixtures::contact(db, Some(acme.id), "Lovelace").await;
    let bob = fixtures::contact(db, Some(acme.id), "Babbage").await;
    let cy = fixtures::contact(db, Some(acme.id), "Cyrus").await;
    let dee = fixtures::contact(db, Some(globex.id), "Dee").await;
    let loner = fixtures::contact(db, None, "Loner").await;
    fixtures::set_primary_contact(db, &acme, ada.id).await;

    fixtures::identity(
        db,
        ada.id,
        IdentityChannel::Email,
        "Ada@Example.com",
        "ada@example.com",
    )
    .await;
    fixtures::identity(
        db,
        ada.id,
        IdentityChannel::Sms,
        "+1 201-555-0123",
        "+12015550123",
    )
    .await;
    fixtures::identity(db, bob.id, IdentityChannel::Twitter, "@Babbage", "babbage").await;

    fixtures::method(
        db,
        Some(acme.id),
        None,
        CommunicationKind::Phone,
        "+1 201 555 0100",
    )
    .await;
    fixtures::method(
        db,
        Some(acme.id),
        None,
        CommunicationKind::Website,
        "https://acme.example",
    )
    .await;
    fixtures::method(
        db,
        None,
        Some(ada.id),
        CommunicationKind::Fax,
        "+1 201 555 0199",
    )
    .await;

    let reported =
        fixtures::incident(db, Some(acme.id), ada.id, Some(partner.id), "Invoice wrong").await;
    let printer = fixtures::incident(db, Some(acme.id), bob.id, None, "Printer on fire").await;
    let outage = fixtures::incident(db, Some(globex.id), dee.id, None, "Outage").await;

    let deal =
        fixtures::opportunity(db, acme.id, Some(ada.id), "Renewal", Some((123_450, "EUR"))).await;
    let lead = fixtures::opportunity(db, globex.id, None, "Upsell", None).await;

    let first_audit = fixtures::audit(db, ada.id, "lastName", "Lovelace").await;
    fixtures::audit(db, ada.id, "jobTitle", "Countess").await;

    World {
        partner,
        acme,
        globex,
        ada,
        bob,
        cy,
        dee,
        loner,
        reported,
        printer,
        outage,
        deal,
        lead,
        first_audit,
    }
}
