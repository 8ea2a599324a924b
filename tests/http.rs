//! The HTTP surface besides POST /graphql: GraphiQL, GET queries, health, request ids.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::{Backend, spawn_app};

#[tokio::test]
async fn browsers_get_graphiql_with_its_assets_served_locally() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    for uri in ["/graphql", "/"] {
        let (status, headers, body) = app.get(uri, "text/html,application/xhtml+xml").await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = String::from_utf8(body).unwrap();
        assert!(page.contains("/graphiql/graphiql.min.js"));
        assert!(
            !page.contains("https://"),
            "GraphiQL must not load from the internet"
        );
    }
    for (asset, kind) in [
        ("/graphiql/graphiql.min.js", "javascript"),
        ("/graphiql/graphiql.min.css", "text/css"),
        ("/graphiql/react.production.min.js", "javascript"),
        ("/graphiql/react-dom.production.min.js", "javascript"),
    ] {
        let (status, headers, body) = app.get(asset, "*/*").await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(
            headers["content-type"].to_str().unwrap().contains(kind),
            "{asset}"
        );
        assert!(body.len() > 1000, "{asset}");
    }
    let (status, _, _) = app.get("/graphiql/missing.js", "*/*").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn queries_also_work_over_get() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let (status, headers, body) = app
        .get(
            "/graphql?query=%7Baccounts%7BtotalCount%7D%7D",
            "application/json",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers.contains_key("x-request-id"),
        "every response carries a request id"
    );
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["accounts"]["totalCount"], 0);
}

#[tokio::test]
async fn health_reports_a_reachable_database() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let (status, _, body) = app.get("/health", "*/*").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"ok");
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let uri = "/graphql?query=mutation%7BdeleteContact(input%3A%7Bid%3A%22x%22%7D)%7BdeletedContactId%7D%7D";
    let (status, headers, body) = app.get(uri, "application/json").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}
