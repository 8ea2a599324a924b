//! Every root field and relation of the read API, over HTTP, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use serde_json::{Value, json};

use common::world::{self, gid};

fn names(list: &Value, field: &str) -> Vec<String> {
    list["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"][field].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(root_lists_count_and_order_everything, |app| {
    world::build(&app.db).await;
    let query = "{
        accounts { totalCount edges { node { name } } }
        contacts { totalCount edges { node { lastName } } }
        incidents { totalCount edges { node { subject } } }
        opportunities { totalCount edges { node { name } } }
        auditEntries { totalCount edges { node { action } } }
    }";
    let data = app.gql(query, json!({})).await.data().clone();
    assert_eq!(
        names(&data["accounts"], "name"),
        ["Northwind", "Acme", "Globex"]
    );
    assert_eq!(data["accounts"]["totalCount"], 3);
    assert_eq!(
        names(&data["contacts"], "lastName"),
        ["Lovelace", "Babbage", "Cyrus", "Dee", "Loner"]
    );
    assert_eq!(data["incidents"]["totalCount"], 3);
    assert_eq!(names(&data["opportunities"], "name"), ["Renewal", "Upsell"]);
    assert_eq!(
        data["auditEntries"]["totalCount"],
        2 + common::KEY_AUDIT_ENTRIES,
        "the world's entries and the creation of the test's keys"
    );
});

both_backends!(account_relations_resolve_both_ways, |app| {
    let w = world::build(&app.db).await;
    let query = "query($id: ID!, $partner: ID!) {
        account(id: $id) {
            name isCustomer isPartner city
            partner { name }
            primaryContact { lastName }
            contacts { totalCount edges { node { lastName } } }
            incidents { totalCount edges { node { subject } } }
            opportunities { totalCount edges { node { name } } }
            communicationMethods { kind value }
            customers { totalCount }
        }
        partner: account(id: $partner) {
            isPartner
            customers { totalCount edges { node { name } } }
            partner { name }
        }
    }";
    let vars = json!({ "id": gid(NodeType::Account, w.acme.id), "partner": gid(NodeType::Account, w.partner.id) });
    let data = app.gql(query, vars).await.data().clone();
    let acme = &data["account"];
    assert_eq!(acme["name"], "Acme");
    assert_eq!(acme["partner"]["name"], "Northwind");
    assert_eq!(acme["primaryContact"]["lastName"], "Lovelace");
    assert_eq!(
        names(&acme["contacts"], "lastName"),
        ["Lovelace", "Babbage", "Cyrus"]
    );
    assert_eq!(acme["contacts"]["totalCount"], 3);
    assert_eq!(
        names(&acme["incidents"], "subject"),
        ["Invoice wrong", "Printer on fire"]
    );
    assert_eq!(names(&acme["opportunities"], "name"), ["Renewal"]);
    assert_eq!(
        acme["communicationMethods"],
        json!([{ "kind": "PHONE", "value": "+1 201 555 0100" }, { "kind": "WEBSITE", "value": "https://acme.example" }])
    );
    assert_eq!(acme["customers"]["totalCount"], 0);
    let partner = &data["partner"];
    assert_eq!(partner["isPartner"], true);
    assert_eq!(names(&partner["customers"], "name"), ["Acme"]);
    assert_eq!(partner["partner"], Value::Null);
});

both_backends!(contact_relations_resolve_both_ways, |app| {
    let w = world::build(&app.db).await;
    let query = "query($id: ID!, $loner: ID!) {
        contact(id: $id) {
            lastName emailFormat version timezone
            account { name }
            identities { channel value normalizedValue contact { lastName } }
            communicationMethods { kind contact { lastName } account { name } }
            incidents { totalCount edges { node { subject } } }
            opportunities { edges { node { name amount { amount minorUnits currency } } } }
            auditLog { totalCount edges { node { action actor entityType changes { field before after } contact { lastName } } } }
        }
        loner: contact(id: $loner) { account { name } identities { value } incidents { totalCount edges { cursor } } }
    }";
    let vars = json!({ "id": gid(NodeType::Contact, w.ada.id), "loner": gid(NodeType::Contact, w.loner.id) });
    let data = app.gql(query, vars).await.data().clone();
    let ada = &data["contact"];
    assert_eq!(ada["account"]["name"], "Acme");
    assert_eq!(ada["emailFormat"], "PLAIN_TEXT");
    assert_eq!(ada["identities"][0]["channel"], "EMAIL");
    assert_eq!(ada["identities"][0]["normalizedValue"], "ada@example.com");
    assert_eq!(ada["identities"][1]["normalizedValue"], "+12015550123");
    assert_eq!(ada["identities"][1]["contact"]["lastName"], "Lovelace");
    assert_eq!(
        ada["communicationMethods"],
        json!([{ "kind": "FAX", "contact": { "lastName": "Lovelace" }, "account": null }])
    );
    assert_eq!(names(&ada["incidents"], "subject"), ["Invoice wrong"]);
    let amount = &ada["opportunities"]["edges"][0]["node"]["amount"];
    assert_eq!(
        amount,
        &json!({ "amount": "1234.50", "minorUnits": "123450", "currency": "EUR" })
    );
    assert_eq!(ada["auditLog"]["totalCount"], 2);
    let entry = &ada["auditLog"]["edges"][0]["node"];
    assert_eq!(entry["action"], "UPDATE");
    assert_eq!(entry["entityType"], "CONTACT");
    assert_eq!(
        entry["changes"],
        json!([{ "field": "lastName", "before": null, "after": "Lovelace" }])
    );
    assert_eq!(entry["contact"]["lastName"], "Lovelace");
    let loner = &data["loner"];
    assert_eq!(
        loner,
        &json!({ "account": null, "identities": [], "incidents": { "totalCount": 0, "edges": [] } })
    );
});

both_backends!(incident_and_opportunity_relations_resolve, |app| {
    let w = world::build(&app.db).await;
    let query = "query($incident: ID!, $lead: ID!) {
        incident(id: $incident) { subject status priority closedAt account { name } primaryContact { lastName } reportedByPartner { name } }
        opportunity(id: $lead) { name stage amount { amount } account { name } primaryContact { lastName } }
    }";
    let vars = json!({ "incident": gid(NodeType::Incident, w.reported.id), "lead": gid(NodeType::Opportunity, w.lead.id) });
    let data = app.gql(query, vars).await.data().clone();
    assert_eq!(
        data["incident"],
        json!({ "subject": "Invoice wrong", "status": "OPEN", "priority": "NORMAL", "closedAt": null,
                "account": { "name": "Acme" }, "primaryContact": { "lastName": "Lovelace" },
                "reportedByPartner": { "name": "Northwind" } })
    );
    assert_eq!(
        data["opportunity"],
        json!({ "name": "Upsell", "stage": "PROPOSAL", "amount": null, "account": { "name": "Globex" }, "primaryContact": null })
    );
});

both_backends!(node_finds_every_type_and_nodes_keeps_order, |app| {
    let w = world::build(&app.db).await;
    let ids = [
        gid(NodeType::Account, w.globex.id),
        gid(NodeType::Contact, w.dee.id),
        gid(NodeType::Incident, w.outage.id),
        gid(NodeType::Opportunity, w.deal.id),
        gid(NodeType::AuditEntry, w.first_audit.id),
    ];
    for id in &ids {
        let data = app
            .gql(
                "query($id: ID!) { node(id: $id) { id __typename } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(&data.data()["node"]["id"], id);
    }
    let data = app
        .gql(
            "{ contacts { edges { node { identities { id } communicationMethods { id } } } } }",
            json!({}),
        )
        .await;
    let identity = data.data()["contacts"]["edges"][0]["node"]["identities"][0]["id"].clone();
    let method =
        data.data()["contacts"]["edges"][0]["node"]["communicationMethods"][0]["id"].clone();
    for (id, typename) in [
        (identity, "ContactIdentity"),
        (method, "CommunicationMethod"),
    ] {
        let data = app
            .gql(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data.data()["node"]["__typename"], typename);
    }
    let unknown = gid(NodeType::Contact, uuid::Uuid::now_v7());
    let query =
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Contact { lastName } } }";
    let data = app
        .gql(query, json!({ "ids": [ids[1], unknown, ids[0]] }))
        .await;
    assert_eq!(
        data.data()["nodes"],
        json!([{ "__typename": "Contact", "lastName": "Dee" }, null, { "__typename": "Account" }])
    );
});

both_backends!(unknown_ids_read_as_null_and_bad_ids_are_refused, |app| {
    let w = world::build(&app.db).await;
    let unknown = gid(NodeType::Account, uuid::Uuid::now_v7());
    let data = app
        .gql(
            "query($id: ID!) { account(id: $id) { name } node(id: $id) { id } }",
            json!({ "id": unknown }),
        )
        .await;
    assert_eq!(data.data(), &json!({ "account": null, "node": null }));

    let contact_id = gid(NodeType::Contact, w.ada.id);
    let reply = app
        .gql(
            "query($id: ID!) { account(id: $id) { name } }",
            json!({ "id": contact_id }),
        )
        .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    assert!(
        reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expected a Account")
    );

    for bad in ["nope", "", "QWNjb3VudDpub3QtYS11dWlk"] {
        let reply = app
            .gql(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": bad }),
            )
            .await;
        assert_eq!(reply.error_code(), "BAD_USER_INPUT", "{bad}");
    }
});

both_backends!(contact_by_identity_normalizes_like_storage, |app| {
    world::build(&app.db).await;
    let query = "query($channel: IdentityChannel!, $value: String!) { contactByIdentity(channel: $channel, value: $value) { lastName } }";
    for (channel, value) in [
        ("EMAIL", "  ADA@example.COM "),
        ("SMS", "(201) 555-0123"),
        ("SMS", "+1 201 555 0123"),
        ("TWITTER", "@BABBAGE"),
    ] {
        let reply = app
            .gql(query, json!({ "channel": channel, "value": value }))
            .await;
        assert!(
            reply.data()["contactByIdentity"]["lastName"].is_string(),
            "{channel} {value}"
        );
    }
    let reply = app
        .gql(
            query,
            json!({ "channel": "EMAIL", "value": "nobody@example.com" }),
        )
        .await;
    assert_eq!(reply.data()["contactByIdentity"], Value::Null);
    let reply = app
        .gql(query, json!({ "channel": "SMS", "value": "not a number" }))
        .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
});
