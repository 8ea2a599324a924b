//! The compiled read path answers plain-data queries with the resolvers' answer, in the same
//! statements; anything it does not cover is left to the resolvers. (The randomized comparison
//! over thousands of queries is `tests/differential.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use contacts_graph::build_app;
use contacts_graph::config::Config;
use contacts_graph::service::seed::{self, SeedPlan};
use http_body_util::BodyExt;
use phonenumber::country;
use serde_json::{Value, json};
use tower::ServiceExt;

use common::TestApp;

const NESTED: &str = "query($accounts: Int!) {
    accounts(first: $accounts) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id name
        contacts(first: 20) { edges { node { id firstName lastName
            identities { id channel value }
            incidents(first: 5) { edges { node { id subject primaryContact { id lastName } } } }
        } } }
    } } }
}";

async fn seeded(app: &TestApp) {
    let plan = SeedPlan {
        accounts: 30,
        contacts_per_account: 3,
        seed: 11,
    };
    seed::seed_generated(&app.db, &plan, country::Id::US)
        .await
        .unwrap();
}

/// The same database behind a router that answers every query through the resolvers.
fn resolvers_only(app: &TestApp) -> Router {
    let mut config = Config::default();
    config.database.seed_demo = Some(false);
    config.reads.compiled = false;
    build_app(config, app.db.clone()).unwrap()
}

async fn post(router: &Router, token: &str, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// Both routers' answers, checked equal apart from `extensions.readPath`; returns the paths.
async fn compare(app: &TestApp, token: &str, query: &str, variables: Value) -> (String, Value) {
    let mut compiled = post(&app.router, token, query, variables.clone()).await;
    let mut resolved = post(&resolvers_only(app), token, query, variables).await;
    let path = read_path(&mut compiled);
    assert_eq!(read_path(&mut resolved), "resolvers");
    assert_eq!(compiled, resolved, "the two paths disagree on {query}");
    (path, compiled)
}

fn read_path(answer: &mut Value) -> String {
    let Some(extensions) = answer.get_mut("extensions").and_then(Value::as_object_mut) else {
        return "none".to_owned();
    };
    let path = extensions
        .remove("readPath")
        .and_then(|path| path.as_str().map(str::to_owned))
        .unwrap_or_else(|| "none".to_owned());
    if extensions.is_empty() {
        answer.as_object_mut().unwrap().remove("extensions");
    }
    path
}

both_backends!(the_nested_read_is_compiled_in_four_statements, |app| {
    seeded(&app).await;
    let token = app.keys.reader.clone();
    let (path, answer) = compare(&app, &token, NESTED, json!({ "accounts": 10 })).await;
    assert_eq!(path, "compiled");
    assert_eq!(
        answer["data"]["accounts"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    let (_, statements) = app
        .counted_as(&token, NESTED, json!({ "accounts": 10 }))
        .await;
    // accounts (+ their count), contacts, identities, incidents; primary contacts were read
    // one level up
    assert_eq!(statements, 5, "{statements:#?}");
});

both_backends!(a_partner_reads_its_scope_through_the_plan, |app| {
    let partners = common::partners::build(&app).await;
    let token = partners.northwind_key.clone();
    let query = "{ accounts { totalCount edges { node { id name isPartner
        customers { totalCount nodes { id name } }
        contacts { totalCount nodes { id lastName account { id } incidents { totalCount nodes { id subject } } } }
        incidents { totalCount nodes { id subject reportedByPartner { id } primaryContact { id } } } } } }
      incidents { totalCount nodes { id account { name } } } }";
    let (path, answer) = compare(&app, &token, query, json!({})).await;
    assert_eq!(path, "compiled");
    let all = compare(&app, &app.keys.admin.clone(), query, json!({}))
        .await
        .1;
    assert!(
        answer["data"]["accounts"]["totalCount"].as_u64()
            < all["data"]["accounts"]["totalCount"].as_u64(),
        "the partner sees fewer accounts than the admin"
    );
});

both_backends!(
    fragments_aliases_variables_and_directives_are_planned,
    |app| {
        seeded(&app).await;
        let query = "query($n: Int = 2, $with: Boolean!, $order: [ContactOrder!]) {
        __typename
        first: contacts(first: $n, orderBy: $order) { ...page }
        last: contacts(last: $n) { ...page nodes @include(if: $with) { ... on Node { id } } }
        opportunities(first: 3) { nodes { name amount { amount minorUnits currency __typename } stage expectedCloseDate } }
      }
      fragment page on ContactConnection {
        __typename
        pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
        edges { __typename cursor node { __typename ...person account @skip(if: $with) { id } } }
      }
      fragment person on Contact { id lastName emailFormat version createdAt }";
        let variables =
            json!({ "with": true, "order": [{ "field": "LAST_NAME", "direction": "DESC" }] });
        let (path, _) = compare(&app, &app.keys.admin.clone(), query, variables).await;
        assert_eq!(path, "compiled");
    }
);

both_backends!(what_the_plan_does_not_cover_goes_to_the_resolvers, |app| {
    seeded(&app).await;
    let admin = app.keys.admin.clone();
    for query in [
        // a field with its own logic
        "{ contacts(first: 2) { nodes { id auditLog { totalCount } mergedFrom } } }",
        // page arguments the resolvers refuse: their error, their way
        "{ accounts(first: 101) { totalCount } }",
        "{ accounts(after: \"not a cursor\") { totalCount } }",
        // a malformed id
        "{ contact(id: \"nope\") { id } }",
        // introspection
        "{ __schema { queryType { name } } }",
    ] {
        let (path, _) = compare(&app, &admin, query, json!({})).await;
        assert_eq!(path, "resolvers", "{query}");
    }
    let mutation = "mutation { createAccount(input: { name: \"Acme\" }) { account { name } } }";
    let mut answer = post(&app.router, &admin, mutation, json!({})).await;
    assert_eq!(
        read_path(&mut answer),
        "none",
        "mutations carry no read path"
    );
});
