//! JWT bearer tokens from an external identity provider, end to end through HTTP. (Algorithm,
//! key and claim checks in detail: `auth::jwt`'s unit tests.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use contacts_graph::graphql::ids::NodeType;
use jsonwebtoken::{EncodingKey, Header, encode};
use secrecy::SecretString;
use serde_json::{Value, json};

use common::world::{self, gid};
use common::{Backend, spawn_app_with};

const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

fn token(claims: Value) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims(sub: &str, role: &str, extra: Value) -> Value {
    let mut claims = json!({
        "sub": sub,
        "iss": "https://idp.example",
        "aud": "contacts-graph",
        "exp": chrono::Utc::now().timestamp() + 600,
        "https://contacts-graph.example/role": role,
    });
    claims
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    claims
}

async fn app(backend: Backend) -> Option<common::TestApp> {
    spawn_app_with(backend, |config| {
        let jwt = &mut config.auth.jwt;
        jwt.hs256_secret = Some(SecretString::from(SECRET));
        jwt.issuer = Some("https://idp.example".into());
        jwt.audience = Some("contacts-graph".into());
        jwt.role_claim = "https://contacts-graph.example/role".into();
        jwt.partner_claim = "https://contacts-graph.example/partner".into();
    })
    .await
}

async fn run(app: common::TestApp) {
    let w = world::build(&app.db).await;
    // an agent token: its subject is the actor of what it changes
    let agent = token(claims("alice@idp", "agent", json!({})));
    let create = "mutation($input: CreateContactInput!) { createContact(input: $input) {
        contact { auditLog { edges { node { actor apiKey { name } } } } } } }";
    let data = app
        .gql_as(
            &agent,
            create,
            json!({ "input": { "lastName": "Via JWT" } }),
        )
        .await
        .data()
        .clone();
    assert_eq!(
        data["createContact"]["contact"]["auditLog"]["edges"][0]["node"],
        json!({ "actor": "alice@idp", "apiKey": null })
    );
    let reply = app
        .gql_as(&agent, "{ apiKeys { totalCount } }", json!({}))
        .await;
    assert_eq!(reply.error_code(), "FORBIDDEN");

    // a partner token, naming its account by global id or UUID
    for partner in [
        gid(NodeType::Account, w.partner.id),
        w.partner.id.to_string(),
    ] {
        let extra = json!({ "https://contacts-graph.example/partner": partner });
        let partner = token(claims("portal", "partner", extra));
        let reply = app
            .gql_as(
                &partner,
                "{ accounts { edges { node { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            reply.data()["accounts"]["edges"],
            json!([{ "node": { "name": "Northwind" } }, { "node": { "name": "Acme" } }])
        );
    }

    // refused like a bad API key: wrong audience, expired, a customer as partner, no partner
    let refused = [
        token(claims("x", "admin", json!({ "aud": "someone-else" }))),
        token(claims(
            "x",
            "admin",
            json!({ "exp": chrono::Utc::now().timestamp() - 3600 }),
        )),
        token(claims(
            "x",
            "partner",
            json!({ "https://contacts-graph.example/partner": gid(NodeType::Account, w.acme.id) }),
        )),
        token(claims("x", "partner", json!({}))),
        token(claims("x", "root", json!({}))),
    ];
    for bad in refused {
        let reply = app.gql_as(&bad, "{ __typename }", json!({})).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        assert_eq!(reply.error_code(), "UNAUTHENTICATED");
    }
    // API keys keep working next to JWTs
    app.gql_as(&app.keys.reader, "{ __typename }", json!({}))
        .await
        .data();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_bearers_sqlite() {
    run(app(Backend::Sqlite).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_bearers_postgres() {
    if let Some(app) = app(Backend::Postgres).await {
        run(app).await;
    }
}

#[tokio::test]
async fn jwt_without_issuer_and_audience_is_refused_at_start() {
    let mut config = contacts_graph::config::Config::default();
    config.auth.jwt.hs256_secret = Some(SecretString::from(SECRET));
    let conn = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    assert!(contacts_graph::build_app(config, conn).is_err());
}
