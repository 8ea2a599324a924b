//! `resolveContact`: matched, created and conflicting identities, and concurrent callers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use entity::contact;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use common::world::{self, gid};

const RESOLVE: &str = "mutation($input: ResolveContactInput!) { resolveContact(input: $input) {
    outcome
    contact { id lastName firstName emailOptIn smsOptIn version identities { channel normalizedValue } }
    conflict { status identities { normalizedValue contact { lastName } } }
} }";

both_backends!(unknown_identities_create_a_contact, |app| {
    let input = json!({ "identities": [{ "channel": "EMAIL", "value": "New.Person@Example.com" }, { "channel": "SMS", "value": "+1 201 555 0177" }], "firstName": "New" });
    let reply = app.gql(RESOLVE, json!({ "input": input })).await;
    let result = &reply.data()["resolveContact"];
    assert_eq!(result["outcome"], "CREATED");
    assert_eq!(result["conflict"], Value::Null);
    let contact = &result["contact"];
    assert_eq!(
        contact["lastName"], "New.Person@Example.com",
        "without a surname the identity stands in"
    );
    assert_eq!(
        (contact["emailOptIn"].clone(), contact["smsOptIn"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(contact["identities"].as_array().unwrap().len(), 2);
});

both_backends!(known_identities_match_and_new_ones_attach, |app| {
    let w = world::build(&app.db).await;
    let input = json!({ "identities": [{ "channel": "EMAIL", "value": "ada@EXAMPLE.com" }], "lastName": "Ignored" });
    let result = app.gql(RESOLVE, json!({ "input": input })).await.data()["resolveContact"].clone();
    assert_eq!(result["outcome"], "MATCHED");
    assert_eq!(result["contact"]["id"], gid(NodeType::Contact, w.ada.id));
    assert_eq!(result["contact"]["lastName"], "Lovelace");
    assert_eq!(
        result["contact"]["version"], 1,
        "nothing attached, nothing changed"
    );

    let input = json!({ "identities": [{ "channel": "EMAIL", "value": "ada@example.com" }, { "channel": "WHATSAPP", "value": "+1 201 555 0188" }] });
    let result = app.gql(RESOLVE, json!({ "input": input })).await.data()["resolveContact"].clone();
    assert_eq!(result["outcome"], "MATCHED");
    assert_eq!(result["contact"]["version"], 2);
    assert_eq!(result["contact"]["identities"].as_array().unwrap().len(), 3);
});

both_backends!(
    identities_of_two_contacts_conflict_and_attach_nothing,
    |app| {
        world::build(&app.db).await;
        let before = contact::Entity::find().count(&app.db).await.unwrap();
        let input = json!({ "identities": [
        { "channel": "EMAIL", "value": "ada@example.com" },
        { "channel": "TWITTER", "value": "babbage" },
        { "channel": "EMAIL", "value": "unknown@example.com" } ] });
        let result =
            app.gql(RESOLVE, json!({ "input": input })).await.data()["resolveContact"].clone();
        assert_eq!(result["outcome"], "CONFLICT");
        assert_eq!(result["contact"], Value::Null);
        assert_eq!(result["conflict"]["status"], "OPEN");
        assert_eq!(
            result["conflict"]["identities"],
            json!([{ "normalizedValue": "ada@example.com", "contact": { "lastName": "Lovelace" } },
               { "normalizedValue": "babbage", "contact": { "lastName": "Babbage" } },
               { "normalizedValue": "unknown@example.com", "contact": null }])
        );
        assert_eq!(
            contact::Entity::find().count(&app.db).await.unwrap(),
            before
        );
        let owner = app
            .gql(
                "{ contactByIdentity(channel: EMAIL, value: \"unknown@example.com\") { id } }",
                json!({}),
            )
            .await;
        assert_eq!(
            owner.data()["contactByIdentity"],
            Value::Null,
            "nothing attached on conflict"
        );
    }
);

both_backends!(bad_identities_are_refused, |app| {
    let reply = app
        .gql(RESOLVE, json!({ "input": { "identities": [] } }))
        .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    let reply = app
        .gql(
            RESOLVE,
            json!({ "input": { "identities": [{ "channel": "SMS", "value": "not a phone" }] } }),
        )
        .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
});

both_backends!(concurrent_calls_create_exactly_one_contact, |app| {
    let input = json!({ "identities": [{ "channel": "EMAIL", "value": "rush@example.com" }, { "channel": "SMS", "value": "+1 201 555 0199" }] });
    let calls = (0..8).map(|_| app.gql(RESOLVE, json!({ "input": input.clone() })));
    let replies = async_graphql::futures_util::future::join_all(calls).await;
    let outcomes: Vec<String> = replies
        .iter()
        .map(|reply| {
            reply.data()["resolveContact"]["outcome"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| *o == "CREATED").count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| *o == "MATCHED").count(),
        7,
        "{outcomes:?}"
    );
    let ids: std::collections::HashSet<String> = replies
        .iter()
        .map(|reply| {
            reply.data()["resolveContact"]["contact"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(contact::Entity::find().count(&app.db).await.unwrap(), 1);
});
