//! Relay pagination edges on root and nested connections, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use serde_json::{Value, json};

use common::fixtures;
use common::world::gid;

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
    contacts(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { lastName } }
    }
}";

fn last_names(connection: &Value) -> Vec<&str> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["lastName"].as_str().unwrap())
        .collect()
}

both_backends!(an_empty_list_has_no_pages, |app| {
    let data = app.gql(PAGE, json!({})).await.data().clone();
    assert_eq!(
        data["contacts"],
        json!({ "totalCount": 0, "edges": [],
                "pageInfo": { "hasNextPage": false, "hasPreviousPage": false, "startCursor": null, "endCursor": null } })
    );
});

both_backends!(forward_and_backward_pages_walk_the_list, |app| {
    for name in ["A", "B", "C", "D", "E"] {
        fixtures::contact(&app.db, None, name).await;
    }
    let first = app.gql(PAGE, json!({ "first": 2 })).await.data()["contacts"].clone();
    assert_eq!(last_names(&first), ["A", "B"]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(first["totalCount"], 5);

    let after = first["pageInfo"]["endCursor"].clone();
    let second = app
        .gql(PAGE, json!({ "first": 2, "after": after }))
        .await
        .data()["contacts"]
        .clone();
    assert_eq!(last_names(&second), ["C", "D"]);
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);

    let after = second["pageInfo"]["endCursor"].clone();
    let last_page = app
        .gql(PAGE, json!({ "first": 2, "after": after }))
        .await
        .data()["contacts"]
        .clone();
    assert_eq!(last_names(&last_page), ["E"]);
    assert_eq!(last_page["pageInfo"]["hasNextPage"], false);

    let tail = app.gql(PAGE, json!({ "last": 2 })).await.data()["contacts"].clone();
    assert_eq!(last_names(&tail), ["D", "E"]);
    assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(tail["pageInfo"]["hasNextPage"], false);

    let before = tail["pageInfo"]["startCursor"].clone();
    let earlier = app
        .gql(PAGE, json!({ "last": 2, "before": before }))
        .await
        .data()["contacts"]
        .clone();
    assert_eq!(last_names(&earlier), ["B", "C"]);
    assert_eq!(earlier["pageInfo"]["hasNextPage"], true);

    let everything = app.gql(PAGE, json!({ "first": 100 })).await.data()["contacts"].clone();
    assert_eq!(last_names(&everything), ["A", "B", "C", "D", "E"]);
    let none = app.gql(PAGE, json!({ "first": 0 })).await.data()["contacts"].clone();
    assert_eq!(last_names(&none), Vec::<&str>::new());
    assert_eq!(none["pageInfo"]["hasNextPage"], true);
});

both_backends!(page_arguments_out_of_bounds_are_refused, |app| {
    let cases = [
        json!({ "first": 101 }),
        json!({ "first": -1 }),
        json!({ "last": 101 }),
        json!({ "first": 1, "last": 1 }),
        json!({ "first": 1, "after": "not-a-cursor" }),
        json!({ "last": 1, "before": gid(NodeType::Contact, uuid::Uuid::now_v7()) }),
    ];
    for vars in cases {
        let reply = app.gql(PAGE, vars.clone()).await;
        assert_eq!(reply.error_code(), "BAD_USER_INPUT", "{vars}");
    }
});

both_backends!(nested_connections_page_per_parent, |app| {
    let busy = fixtures::account(&app.db, "Busy", None).await;
    let quiet = fixtures::account(&app.db, "Quiet", None).await;
    for name in ["A", "B", "C"] {
        fixtures::contact(&app.db, Some(busy.id), name).await;
    }
    fixtures::contact(&app.db, Some(quiet.id), "Q").await;
    let query = "query($after: String) { accounts { edges { node { name
        contacts(first: 2, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { lastName } } }
    } } } }";
    let data = app.gql(query, json!({})).await.data().clone();
    let busy_contacts = &data["accounts"]["edges"][0]["node"]["contacts"];
    let quiet_contacts = &data["accounts"]["edges"][1]["node"]["contacts"];
    assert_eq!(last_names(busy_contacts), ["A", "B"]);
    assert_eq!(busy_contacts["pageInfo"]["hasNextPage"], true);
    assert_eq!(busy_contacts["totalCount"], 3);
    assert_eq!(last_names(quiet_contacts), ["Q"]);
    assert_eq!(quiet_contacts["pageInfo"]["hasNextPage"], false);

    let after = busy_contacts["pageInfo"]["endCursor"].clone();
    let query = "query($id: ID!, $after: String) { account(id: $id) {
        contacts(first: 2, after: $after) { pageInfo { hasNextPage hasPreviousPage } edges { node { lastName } } } } }";
    let data = app
        .gql(
            query,
            json!({ "id": gid(NodeType::Account, busy.id), "after": after }),
        )
        .await
        .data()
        .clone();
    let rest = &data["account"]["contacts"];
    assert_eq!(last_names(rest), ["C"]);
    assert_eq!(
        rest["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": true })
    );

    let query = "query($id: ID!) { account(id: $id) { contacts(last: 1) { edges { node { lastName } } } } }";
    let data = app
        .gql(query, json!({ "id": gid(NodeType::Account, busy.id) }))
        .await
        .data()
        .clone();
    assert_eq!(last_names(&data["account"]["contacts"]), ["C"]);
});

both_backends!(nested_backward_pages_are_cut_per_parent, |app| {
    let busy = fixtures::account(&app.db, "Busy", None).await;
    let quiet = fixtures::account(&app.db, "Quiet", None).await;
    for name in ["A", "B", "C", "D"] {
        fixtures::contact(&app.db, Some(busy.id), name).await;
    }
    fixtures::contact(&app.db, Some(quiet.id), "Q").await;
    let query = "{ accounts { edges { node { name
        contacts(last: 2) { pageInfo { hasNextPage hasPreviousPage startCursor } edges { node { lastName } } }
    } } } }";
    let (data, statements) = app.counted(query, json!({})).await;
    let busy_contacts = &data["accounts"]["edges"][0]["node"]["contacts"];
    let quiet_contacts = &data["accounts"]["edges"][1]["node"]["contacts"];
    assert_eq!(last_names(busy_contacts), ["C", "D"]);
    assert_eq!(
        busy_contacts["pageInfo"]["hasPreviousPage"], true,
        "{busy_contacts}"
    );
    assert_eq!(last_names(quiet_contacts), ["Q"]);
    assert_eq!(quiet_contacts["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(statements, 2, "both accounts' pages in one statement");

    let before = busy_contacts["pageInfo"]["startCursor"].clone();
    let query = "query($before: String) { accounts { edges { node {
        contacts(last: 1, before: $before) { edges { node { lastName } } }
    } } } }";
    let data = app
        .gql(query, json!({ "before": before }))
        .await
        .data()
        .clone();
    let busy_contacts = &data["accounts"]["edges"][0]["node"]["contacts"];
    assert_eq!(last_names(busy_contacts), ["B"]);
});
