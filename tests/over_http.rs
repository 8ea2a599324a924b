//! GraphQL over HTTP beyond what the graphql-http audit suite checks (that suite runs in CI
//! against the binary): CSRF, content types, media types, batches, and the order of refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{GRAPHQL_RESPONSE_JSON, Reply, TestApp, spawn_app_with};
use serde_json::{Value, json};

const CREATE: &str =
    r#"mutation { createAccount(input: { name: "Forged", isCustomer: true }) { account { id } } }"#;

fn post(app: &TestApp, content_type: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post("/graphql")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.keys.admin));
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn accounts(app: &TestApp) -> u64 {
    app.gql("{ accounts { totalCount } }", json!({}))
        .await
        .data()["accounts"]["totalCount"]
        .as_u64()
        .unwrap()
}

both_backends!(simple_requests_never_run_an_operation, |app| {
    // What any web page can make a browser send without a preflight (CSRF), even carrying a
    // valid key: refused before the body is read, and nothing is written.
    let json_body = json!({ "query": CREATE }).to_string();
    let form_body = format!("query={}", urlencode(CREATE));
    for (content_type, body) in [
        (Some("text/plain"), json_body.as_str()),
        (Some("text/plain;charset=UTF-8"), json_body.as_str()),
        (
            Some("application/x-www-form-urlencoded"),
            form_body.as_str(),
        ),
        (Some("multipart/form-data; boundary=x"), json_body.as_str()),
        (None, json_body.as_str()),
        (Some("application/graphql"), CREATE),
    ] {
        let reply = app.send(post(&app, content_type, body)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(reply.error_code(), "BAD_USER_INPUT");
        assert!(reply.body.get("data").is_none());
    }
    assert_eq!(accounts(&app).await, 0, "no operation ran");
    let reply = app
        .send(post(&app, Some("application/json"), &json_body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(accounts(&app).await, 1);
});

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn authentication_comes_before_every_other_refusal() {
    let app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
    for (content_type, accept, body) in [
        (Some("text/plain"), "*/*", "{}"),
        (None, "*/*", "{}"),
        (
            Some("application/json"),
            "image/png",
            r#"{"query":"{ __typename }"}"#,
        ),
        (
            Some("application/json"),
            "*/*",
            r#"[{"query":"{ __typename }"}]"#,
        ),
        (Some("application/json"), "*/*", r#"{"query":7}"#),
    ] {
        let mut request = Request::post("/graphql").header(header::ACCEPT, accept);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let reply = app
            .send(request.body(Body::from(body.to_owned())).unwrap())
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{content_type:?} {accept}"
        );
        assert_eq!(reply.error_code(), "UNAUTHENTICATED");
    }
}

both_backends!(the_accept_header_chooses_the_media_type, |app| {
    let ask = |accept: Option<&'static str>| {
        let mut request = post(
            &app,
            Some("application/json"),
            r#"{"query":"{ __typename }"}"#,
        );
        if let Some(accept) = accept {
            request
                .headers_mut()
                .insert(header::ACCEPT, accept.parse().unwrap());
        }
        request
    };
    for (accept, expected) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (Some(GRAPHQL_RESPONSE_JSON), GRAPHQL_RESPONSE_JSON),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            GRAPHQL_RESPONSE_JSON,
        ),
    ] {
        let reply = app.send(ask(accept)).await;
        assert_eq!(reply.status, StatusCode::OK);
        let content_type = reply.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(
            content_type.starts_with(expected),
            "{accept:?}: {content_type}"
        );
        assert!(content_type.contains("charset=utf-8"));
        assert_eq!(reply.body["data"]["__typename"], "Query");
    }
    let reply = app.send(ask(Some("text/xml"))).await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
});

both_backends!(malformed_bodies_are_400_under_both_media_types, |app| {
    for body in [
        "",
        "{ not json",
        "\"just a string\"",
        "42",
        r#"{"query":{"obj":"ect"}}"#,
        r#"{"query":"{ __typename }","operationName":0}"#,
        r#"{"query":"{ __typename }","variables":"{}"}"#,
        r#"{"query":"{ __typename }","extensions":[]}"#,
        r#"{"notquery":"{ __typename }"}"#,
    ] {
        for accept in ["application/json", GRAPHQL_RESPONSE_JSON] {
            let mut request = post(&app, Some("application/json"), body);
            request
                .headers_mut()
                .insert(header::ACCEPT, accept.parse().unwrap());
            let reply = app.send(request).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body} {accept}");
            assert_eq!(reply.error_code(), "BAD_USER_INPUT");
            assert!(reply.body.get("data").is_none());
        }
    }
});

both_backends!(
    field_errors_keep_data_and_200_under_both_media_types,
    |app| {
        for accept in ["application/json", GRAPHQL_RESPONSE_JSON] {
            let reply = app
                .gql_accepting(
                    accept,
                    r#"{ __typename contact(id: "nonsense") { id } }"#,
                    json!({}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK);
            assert_eq!(reply.body["data"]["__typename"], "Query");
            assert_eq!(reply.error_code(), "BAD_USER_INPUT");
        }
    }
);

both_backends!(bodies_over_the_limit_are_413, |app| {
    let padding = " ".repeat(300 * 1024);
    let body = format!(r#"{{"query":"{{ __typename }}"{padding}}}"#);
    let reply = app.send(post(&app, Some("application/json"), &body)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
});

async fn batch(app: &TestApp, operations: usize) -> Reply {
    let body: Vec<Value> = (0..operations)
        .map(|i| json!({ "query": format!("query Op{i} {{ __typename }}") }))
        .collect();
    app.send(post(
        app,
        Some("application/json"),
        &Value::from(body).to_string(),
    ))
    .await
}

#[tokio::test]
async fn batches_are_refused_unless_enabled() {
    let app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
    let reply = batch(&app, 2).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    assert!(
        reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not enabled")
    );
}

#[tokio::test]
async fn enabled_batches_answer_each_operation_up_to_the_limit() {
    let app = spawn_app_with(common::Backend::Sqlite, |config| {
        config.batching.enabled = true;
        config.batching.max_operations = 3;
    })
    .await
    .unwrap();
    let reply = batch(&app, 3).await;
    assert_eq!(reply.status, StatusCode::OK);
    let answers = reply.body.as_array().unwrap();
    assert_eq!(answers.len(), 3);
    for answer in answers {
        assert_eq!(answer["data"]["__typename"], "Query");
    }
    // one operation's error stays in its own answer
    let body = json!([{ "query": "{ __typename }" }, { "query": "{ nope }" }]).to_string();
    let reply = app.send(post(&app, Some("application/json"), &body)).await;
    let answers = reply.body.as_array().unwrap();
    assert_eq!(answers[0]["data"]["__typename"], "Query");
    assert!(answers[1].get("data").is_none());
    assert_eq!(
        answers[1]["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );

    let reply = batch(&app, 4).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(
        reply.body["errors"][0]["extensions"]["limit"],
        "batchOperations"
    );
    assert_eq!(reply.body["errors"][0]["extensions"]["max"], 3);
}

#[tokio::test]
async fn get_reads_variables_and_refuses_mutations_even_in_multi_operation_documents() {
    let app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
    let query = urlencode("query A { __typename } mutation B { __typename }");
    let (status, _, body) = app
        .get(
            &format!("/graphql?query={query}&operationName=A"),
            "application/json",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
    let (status, headers, _) = app
        .get(
            &format!("/graphql?query={query}&operationName=B"),
            "application/json",
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
    let vars = urlencode(r#"{"name":"Account"}"#);
    let q = urlencode("query($name: String!) { __type(name: $name) { name } }");
    let (status, _, body) = app
        .get(
            &format!("/graphql?query={q}&variables={vars}"),
            "application/json",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["__type"]["name"], "Account");
}
