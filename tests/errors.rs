//! Every error leaves with a stable `extensions.code`; request errors get HTTP 400 under
//! `application/graphql-response+json` (200 under `application/json`), without `data`; internal
//! failures hide their cause.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::{GRAPHQL_RESPONSE_JSON, JSON, Reply, TestApp};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// Sends the request under both media types; checks the status rule and that `data` is absent,
/// and returns the `application/graphql-response+json` reply.
async fn request_error(app: &TestApp, query: &str, variables: Value) -> Reply {
    let legacy = app.gql_accepting(JSON, query, variables.clone()).await;
    assert_eq!(legacy.status, StatusCode::OK, "{}", legacy.body);
    assert!(legacy.body.get("data").is_none(), "{}", legacy.body);
    let reply = app
        .gql_accepting(GRAPHQL_RESPONSE_JSON, query, variables)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.get("data").is_none(), "{}", reply.body);
    assert_eq!(reply.body["errors"], legacy.body["errors"]);
    reply
}

both_backends!(unparsable_documents_are_parse_failures, |app| {
    let reply = request_error(&app, "{ accounts { ", json!({})).await;
    assert_eq!(reply.error_code(), "GRAPHQL_PARSE_FAILED");
    assert!(reply.body["errors"][0]["locations"].is_array());
});

both_backends!(invalid_documents_are_validation_failures, |app| {
    let reply = request_error(
        &app,
        "{ accounts { edges { node { shoeSize } } } }",
        json!({}),
    )
    .await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");

    let reply = request_error(
        &app,
        "query($n: Int!) { accounts(first: $n) { totalCount } }",
        json!({ "n": "ten" }),
    )
    .await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
});

both_backends!(required_variables_left_out_are_request_errors, |app| {
    let query = "query Find($channel: IdentityChannel!, $value: String!) {
        contactByIdentity(channel: $channel, value: $value) { id }
    }";
    let reply = request_error(&app, query, json!({ "channel": "EMAIL" })).await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
    let message = reply.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("\"$value\"") && message.contains("String!"),
        "{message}"
    );
    assert_eq!(reply.body["errors"][0]["locations"][0]["line"], 1);

    // A default fills it in; a nullable variable may be left out.
    let defaulted = app
        .gql(
            "query Find($channel: IdentityChannel! = EMAIL, $value: String) {
                contactByIdentity(channel: $channel, value: \"nobody@example.com\") { id }
                accounts(filter: { name: { eq: $value } }) { totalCount }
            }",
            json!({}),
        )
        .await;
    assert_eq!(defaulted.status, StatusCode::OK, "{}", defaulted.body);
    assert!(defaulted.body.get("errors").is_none(), "{}", defaulted.body);

    // Validation comes first: an invalid document reports its own error.
    let reply = request_error(&app, "query($n: Int!) { shoeSize(n: $n) }", json!({})).await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
    let message = reply.body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("was not provided"), "{message}");
});

both_backends!(queries_beyond_the_limits_are_refused, |app| {
    let nesting = "contacts(first: 1) { edges { node { account { ".repeat(5);
    let deep = format!("{{ {nesting} name {} }}", "} } } } ".repeat(5));
    let reply = request_error(&app, &deep, json!({})).await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(reply.body["errors"][0]["extensions"]["limit"], "depth");
    assert!(
        reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("deep"),
        "{}",
        reply.body
    );

    let wide = "{ accounts(first: 100) { edges { node { contacts(first: 100) { edges { node { incidents(first: 100) { edges { node { subject } } } } } } } } } }";
    let reply = request_error(&app, wide, json!({})).await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(reply.body["errors"][0]["extensions"]["limit"], "complexity");
    assert_eq!(reply.body["errors"][0]["extensions"]["max"], 250_000);
    let requested = reply.body["extensions"]["cost"]["requested"]
        .as_u64()
        .unwrap();
    assert!(requested > 250_000, "{}", reply.body);
    assert!(
        reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("complex")
    );
});

both_backends!(bodies_that_are_not_graphql_requests_are_bad_input, |app| {
    let reply = app.post_body("{ not json".to_owned()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
});

both_backends!(
    database_failures_are_internal_and_say_nothing_of_sql,
    |app| {
        let backend = app.db.get_database_backend();
        app.db
            .execute_raw(Statement::from_string(backend, "DROP TABLE audit_entry"))
            .await
            .unwrap();
        let reply = app.gql("{ auditEntries { totalCount } }", json!({})).await;
        assert_eq!(reply.error_code(), "INTERNAL");
        let error = &reply.body["errors"][0];
        assert_eq!(error["message"], "internal error");
        assert!(
            error["extensions"]["requestId"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
        assert!(
            !reply.body.to_string().contains("audit_entry"),
            "{}",
            reply.body
        );
    }
);
