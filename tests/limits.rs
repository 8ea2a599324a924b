//! One test per limit: each refusal has a stable code and names its limit, with the numbers;
//! the cost of every request is published in `extensions.cost`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{StatusCode, header};
use common::{Backend, GRAPHQL_RESPONSE_JSON, Reply, TestApp, spawn_app_with};
use serde_json::json;

/// A request error under `application/graphql-response+json`: 400, no data, the named limit.
async fn refused(app: &TestApp, query: &str, limit: &str) -> Reply {
    let reply = app
        .gql_accepting(GRAPHQL_RESPONSE_JSON, query, json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.get("data").is_none());
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
    let extensions = &reply.body["errors"][0]["extensions"];
    assert_eq!(extensions["limit"], limit, "{}", reply.body);
    assert!(extensions["actual"].as_u64().unwrap() > extensions["max"].as_u64().unwrap());
    reply
}

fn typename_aliases(n: usize) -> String {
    (0..n).map(|i| format!("a{i}: __typename ")).collect()
}

both_backends!(aliases_are_limited_typename_included, |app| {
    // 200 by default: a page of __typename aliases is a cheap way to make the server work
    let fine = format!("{{ accounts {{ {} }} }}", typename_aliases(200));
    app.gql(&fine, json!({})).await.data();
    let over = format!("{{ accounts {{ {} }} }}", typename_aliases(201));
    let reply = refused(&app, &over, "aliases").await;
    assert_eq!(reply.body["errors"][0]["extensions"]["max"], 200);
    assert_eq!(reply.body["errors"][0]["extensions"]["actual"], 201);
    // spread twice, counted twice
    let twice = format!(
        "{{ a: accounts {{ ...F }} b: accounts {{ ...F }} }} fragment F on AccountConnection {{ {} }}",
        typename_aliases(100)
    );
    refused(&app, &twice, "aliases").await;
});

both_backends!(root_fields_are_limited, |app| {
    let fine: String = (0..200).map(|_| "__typename ").collect();
    app.gql(&format!("{{ {fine} }}"), json!({})).await.data();
    let over: String = (0..201).map(|_| "__typename ").collect();
    refused(&app, &format!("{{ {over} }}"), "rootFields").await;
});

#[tokio::test]
async fn query_text_length_is_limited() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.limits.max_query_length = 1_000;
    })
    .await
    .unwrap();
    let padding = "#".repeat(990);
    app.gql(&format!("{{ __typename }}\n{}", &padding[..980]), json!({}))
        .await
        .data();
    refused(&app, &format!("{{ __typename }}\n{padding}"), "queryLength").await;
}

both_backends!(fragment_definitions_are_limited, |app| {
    let fragments = |n: usize| -> String {
        let spreads: String = (0..n).map(|i| format!("...F{i} ")).collect();
        let definitions: String = (0..n)
            .map(|i| format!("fragment F{i} on Query {{ __typename }} "))
            .collect();
        format!("{{ {spreads} }} {definitions}")
    };
    app.gql(&fragments(100), json!({})).await.data();
    refused(&app, &fragments(101), "fragments").await;
});

both_backends!(directives_are_limited, |app| {
    let directives = |n: usize| -> String {
        let on_field: String = (0..n).map(|_| "@include(if: true) ").collect();
        format!("{{ __typename {on_field} }}")
    };
    app.gql(&directives(100), json!({})).await.data();
    refused(&app, &directives(101), "directives").await;
});

both_backends!(every_answer_publishes_its_cost, |app| {
    let reply = app
        .gql(
            "{ accounts(first: 10) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let cost = &reply.body["extensions"]["cost"];
    assert_eq!(cost["limit"], 250_000);
    let requested = cost["requested"].as_u64().unwrap();
    assert!(requested >= 10, "{}", reply.body);
    // a bigger page costs more, and the refusal says by how much
    let bigger = app
        .gql(
            "{ accounts(first: 100) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert!(
        bigger.body["extensions"]["cost"]["requested"]
            .as_u64()
            .unwrap()
            > requested
    );
});

#[tokio::test]
async fn each_key_has_a_rate_limit() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.rate_limit.per_second = 1;
        config.rate_limit.burst = 3;
    })
    .await
    .unwrap();
    for _ in 0..3 {
        let reply = app
            .gql_as(&app.keys.reader, "{ __typename }", json!({}))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let reply = app
        .gql_as(&app.keys.reader, "{ __typename }", json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.error_code(), "RATE_LIMITED");
    let retry_after: u64 = reply.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert_eq!(
        reply.body["errors"][0]["extensions"]["retryAfter"],
        retry_after
    );
    // another key has its own bucket
    let reply = app
        .gql_as(&app.keys.agent, "{ __typename }", json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    // the limit comes after authentication: a bad key is still 401
    let reply = app.gql_as("cgk_nope", "{ __typename }", json!({})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}
