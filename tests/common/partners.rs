//! Two partners and their customers next to unrelated records, with a key for each partner.
//!
//! Northwind serves Acme (Ada, Bob, Cy); Contoso serves Initech (Ivy); Globex (Dee) has no
//! partner; Loner has no account. See `world` for the records Northwind's side starts with.

use contacts_graph::auth::Role;
use entity::enums::IdentityChannel;
use entity::{account, contact, incident};

use super::world::{self, World};
use super::{TestApp, create_key, fixtures};

pub struct Partners {
    pub world: World,
    pub contoso: account::Model,
    pub initech: account::Model,
    pub ivy: contact::Model,
    pub ivy_case: incident::Model,
    pub northwind_key: String,
    pub contoso_key: String,
}

pub async fn build(app: &TestApp) -> Partners {
    let db = &app.db;
    let world = world::build(db).await;
    let contoso = fixtures::partner(db, "Contoso").await;
    let initech = fixtures::account(db, "Initech", Some(contoso.id)).await;
    let ivy = fixtures::contact(db, Some(initech.id), "Ivanova").await;
    fixtures::identity(
        db,
        ivy.id,
        IdentityChannel::Email,
        "ivy@initech.example",
        "ivy@initech.example",
    )
    .await;
    fixtures::identity(
        db,
        world.dee.id,
        IdentityChannel::Email,
        "dee@globex.example",
        "dee@globex.example",
    )
    .await;
    let ivy_case =
        fixtures::incident(db, Some(initech.id), ivy.id, Some(contoso.id), "Badge lost").await;
    let northwind_key = create_key(
        db,
        "northwind-portal",
        Role::Partner,
        Some(world.partner.id),
    )
    .await;
    let contoso_key = create_key(db, "contoso-portal", Role::Partner, Some(contoso.id)).await;
    Partners {
        world,
        contoso,
        initech,
        ivy,
        ivy_case,
        northwind_key,
        contoso_key,
    }
}
