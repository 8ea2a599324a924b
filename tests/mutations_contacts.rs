//! Contact and identity mutations over HTTP: rules, error codes, audit entries, atomicity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use entity::{contact, contact_identity};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use common::world::{self, gid};
use common::{TestApp, fixtures};

const CREATE: &str = "mutation($input: CreateContactInput!) { createContact(input: $input) {
    contact { id lastName firstName timezone version emailOptIn smsOptIn whatsappOptIn account { name }
              identities { channel value normalizedValue } } } }";
const UPDATE: &str = "mutation($input: UpdateContactInput!) { updateContact(input: $input) {
    contact { id lastName firstName jobTitle city version account { name } } } }";
const DELETE: &str =
    "mutation($input: DeleteContactInput!) { deleteContact(input: $input) { deletedContactId } }";
const ADD: &str = "mutation($input: AddContactIdentityInput!) { addContactIdentity(input: $input) {
    contact { version smsOptIn emailOptIn } identity { id normalizedValue } } }";
const REMOVE: &str =
    "mutation($input: RemoveContactIdentityInput!) { removeContactIdentity(input: $input) {
    contact { version identities { value } } removedIdentityId } }";

async fn rows(app: &TestApp) -> (u64, u64, u64) {
    (
        contact::Entity::find().count(&app.db).await.unwrap(),
        contact_identity::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        common::record_audit_entries(&app.db).await,
    )
}

both_backends!(create_normalizes_identities_and_sets_opt_ins, |app| {
    let acme = fixtures::account(&app.db, "Acme", None).await;
    let input = json!({
        "accountId": gid(NodeType::Account, acme.id), "firstName": " Ada ", "lastName": "Lovelace",
        "timezone": "Europe/London",
        "identities": [{ "channel": "EMAIL", "value": "Ada@Example.com" }, { "channel": "SMS", "value": "+1 (201) 555-0123" }],
        "smsOptIn": false
    });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    let contact = &reply.data()["createContact"]["contact"];
    assert_eq!(contact["firstName"], "Ada");
    assert_eq!(contact["account"]["name"], "Acme");
    assert_eq!(contact["version"], 1);
    assert_eq!(
        contact["emailOptIn"], true,
        "an e-mail identity opts in to e-mail"
    );
    assert_eq!(
        contact["smsOptIn"], false,
        "unless the input says otherwise"
    );
    assert_eq!(contact["whatsappOptIn"], false);
    assert_eq!(
        contact["identities"],
        json!([{ "channel": "EMAIL", "value": "Ada@Example.com", "normalizedValue": "ada@example.com" },
               { "channel": "SMS", "value": "+1 (201) 555-0123", "normalizedValue": "+12015550123" }])
    );
    // one entry per created record, sharing one operation
    let log = app
        .gql(
            "{ auditEntries { edges { node { action entityType operationId actor } } } }",
            json!({}),
        )
        .await;
    let entries: Vec<Value> = log.data()["auditEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["entityType"] != "API_KEY")
        .cloned()
        .collect();
    assert_eq!(entries.len(), 3);
    assert!(
        entries
            .iter()
            .all(|e| e["node"]["operationId"] == entries[0]["node"]["operationId"])
    );
    assert!(
        entries
            .iter()
            .all(|e| e["node"]["action"] == "CREATE" && e["node"]["actor"] == "test-admin")
    );
});

both_backends!(invalid_input_is_refused_and_names_the_field, |app| {
    let cases = [
        (json!({ "lastName": "  " }), "lastName"),
        (
            json!({ "lastName": "X", "timezone": "Mars/Olympus" }),
            "timezone",
        ),
        (
            json!({ "lastName": "X", "identities": [{ "channel": "EMAIL", "value": "nope" }] }),
            "nope",
        ),
        (
            json!({ "lastName": "X", "identities": [{ "channel": "SMS", "value": "12" }] }),
            "12",
        ),
        (json!({ "lastName": "X".repeat(201) }), "lastName"),
        (
            json!({ "lastName": "X", "accountId": gid(NodeType::Contact, uuid::Uuid::now_v7()) }),
            "Account",
        ),
    ];
    for (input, needle) in cases {
        let reply = app.gql(CREATE, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), "BAD_USER_INPUT", "{input}");
        let message = reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(needle), "{message} should name {needle}");
    }
    let reply = app.gql(CREATE, json!({ "input": { "lastName": "X", "accountId": gid(NodeType::Account, uuid::Uuid::now_v7()) } })).await;
    assert_eq!(reply.error_code(), "NOT_FOUND");
    assert_eq!(rows(&app).await, (0, 0, 0), "nothing written");
});

both_backends!(
    an_identity_of_another_contact_is_a_conflict_naming_the_owner,
    |app| {
        let w = world::build(&app.db).await;
        let before = rows(&app).await;
        let input = json!({ "lastName": "Impostor", "identities": [
        { "channel": "TWITTER", "value": "@newcomer" }, { "channel": "EMAIL", "value": "ADA@example.com" } ] });
        let reply = app.gql(CREATE, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), "CONFLICT");
        assert_eq!(
            reply.body["errors"][0]["extensions"]["contactId"],
            gid(NodeType::Contact, w.ada.id)
        );
        assert_eq!(
            rows(&app).await,
            before,
            "the contact, its first identity and their audit rolled back"
        );

        let input = json!({ "contactId": gid(NodeType::Contact, w.bob.id), "channel": "SMS", "value": "(201) 555-0123" });
        let reply = app.gql(ADD, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), "CONFLICT");
        assert_eq!(
            reply.body["errors"][0]["extensions"]["contactId"],
            gid(NodeType::Contact, w.ada.id)
        );
    }
);

both_backends!(updates_are_partial_and_versioned, |app| {
    let w = world::build(&app.db).await;
    let id = gid(NodeType::Contact, w.bob.id);
    let input = json!({ "id": id, "expectedVersion": 1, "jobTitle": "Analyst", "city": "London" });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    let contact = &reply.data()["updateContact"]["contact"];
    assert_eq!(contact["version"], 2);
    assert_eq!(contact["firstName"], "Test", "omitted fields are kept");
    assert_eq!(contact["city"], "London");

    let input = json!({ "id": id, "jobTitle": null, "firstName": null });
    let contact =
        app.gql(UPDATE, json!({ "input": input })).await.data()["updateContact"]["contact"].clone();
    assert_eq!(
        (contact["jobTitle"].clone(), contact["firstName"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(contact["version"], 3);

    let stale = json!({ "id": id, "expectedVersion": 1, "city": "Paris" });
    let reply = app.gql(UPDATE, json!({ "input": stale })).await;
    assert_eq!(reply.error_code(), "CONFLICT");

    let reply = app
        .gql(UPDATE, json!({ "input": { "id": id, "lastName": null } }))
        .await;
    assert_eq!(
        reply.error_code(),
        "BAD_USER_INPUT",
        "lastName cannot be cleared"
    );

    let unknown = json!({ "id": gid(NodeType::Contact, uuid::Uuid::now_v7()), "city": "Paris" });
    assert_eq!(
        app.gql(UPDATE, json!({ "input": unknown }))
            .await
            .error_code(),
        "NOT_FOUND"
    );

    let log = app.gql("query($id: ID!) { contact(id: $id) { auditLog { edges { node { action changes { field before after } } } } } }", json!({ "id": id })).await;
    let last = log.data()["contact"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["node"]["action"], "UPDATE");
    assert_eq!(
        last["node"]["changes"],
        json!([{ "field": "firstName", "before": "Test", "after": null }, { "field": "jobTitle", "before": "Analyst", "after": null }])
    );
});

both_backends!(leaving_an_account_clears_its_primary_contact, |app| {
    let w = world::build(&app.db).await;
    let input = json!({ "id": gid(NodeType::Contact, w.ada.id), "accountId": gid(NodeType::Account, w.globex.id) });
    let contact =
        app.gql(UPDATE, json!({ "input": input })).await.data()["updateContact"]["contact"].clone();
    assert_eq!(contact["account"]["name"], "Globex");
    let acme = app
        .gql(
            "query($id: ID!) { account(id: $id) { primaryContact { lastName } } }",
            json!({ "id": gid(NodeType::Account, w.acme.id) }),
        )
        .await;
    assert_eq!(acme.data()["account"]["primaryContact"], Value::Null);
});

both_backends!(identities_change_the_contact_version_and_opt_ins, |app| {
    let w = world::build(&app.db).await;
    let input = json!({ "contactId": gid(NodeType::Contact, w.bob.id), "channel": "SMS", "value": "+44 7911 123456", "expectedVersion": 1 });
    let added = app.gql(ADD, json!({ "input": input })).await.data()["addContactIdentity"].clone();
    assert_eq!(added["contact"]["version"], 2);
    assert_eq!(added["contact"]["smsOptIn"], true);
    assert_eq!(added["identity"]["normalizedValue"], "+447911123456");

    let input = json!({ "id": added["identity"]["id"], "expectedVersion": 1 });
    assert_eq!(
        app.gql(REMOVE, json!({ "input": input }))
            .await
            .error_code(),
        "CONFLICT"
    );
    let input = json!({ "id": added["identity"]["id"], "expectedVersion": 2 });
    let removed =
        app.gql(REMOVE, json!({ "input": input })).await.data()["removeContactIdentity"].clone();
    assert_eq!(removed["contact"]["version"], 3);
    assert_eq!(
        removed["contact"]["identities"],
        json!([{ "value": "@Babbage" }])
    );
});

both_backends!(deleting_a_primary_contact_needs_a_reassignment, |app| {
    let w = world::build(&app.db).await;
    let ada = gid(NodeType::Contact, w.ada.id);
    let reply = app.gql(DELETE, json!({ "input": { "id": ada } })).await;
    assert_eq!(reply.error_code(), "CONFLICT");
    assert_eq!(reply.body["errors"][0]["extensions"]["incidents"], 1);
    assert_eq!(reply.body["errors"][0]["extensions"]["opportunities"], 1);

    let reply = app
        .gql(DELETE, json!({ "input": { "id": ada, "reassignTo": ada } }))
        .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");

    let input = json!({ "id": ada, "reassignTo": gid(NodeType::Contact, w.cy.id) });
    let reply = app.gql(DELETE, json!({ "input": input })).await;
    assert_eq!(reply.data()["deleteContact"]["deletedContactId"], ada);
    let data = app.gql("query($id: ID!, $case: ID!) { node(id: $id) { id } incident: node(id: $case) { ... on Incident { primaryContact { lastName } } } }",
        json!({ "id": ada, "case": gid(NodeType::Incident, w.reported.id) })).await;
    assert_eq!(data.data()["node"], Value::Null);
    assert_eq!(
        data.data()["incident"]["primaryContact"]["lastName"],
        "Cyrus"
    );
    // identities went with the contact; its audit log stays
    let owner = app
        .gql(
            "{ contactByIdentity(channel: EMAIL, value: \"ada@example.com\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(owner.data()["contactByIdentity"], Value::Null);
    let log = app
        .gql(
            "{ auditEntries(last: 100) { edges { node { action entityType entityId } } } }",
            json!({}),
        )
        .await;
    let entries = log.data()["auditEntries"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        entries
            .iter()
            .any(|e| e["node"]["action"] == "DELETE" && e["node"]["entityId"] == ada)
    );
    assert!(
        entries
            .iter()
            .any(|e| e["node"]["entityType"] == "INCIDENT" && e["node"]["action"] == "UPDATE")
    );
});
