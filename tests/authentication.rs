//! Who may call the API at all: bearer API keys, their life cycle over the API and the CLI, and
//! the one answer every bad credential gets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use contacts_graph::auth::Role;
use entity::api_key;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};
use serde_json::{Value, json};

use common::{Backend, TestApp, create_key, spawn_app};

const CREATE_KEY: &str = "mutation($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { token apiKey { id name role tokenPrefix active partnerAccount { name } } }
}";
const REVOKE_KEY: &str = "mutation($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) { apiKey { active revokedAt } }
}";

/// The full answer to one POST: status, `WWW-Authenticate` and body.
async fn answer(
    app: &TestApp,
    authorization: Option<&str>,
    body: &str,
) -> (StatusCode, String, Value) {
    use axum::body::Body;
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = app
        .router
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, challenge, serde_json::from_slice(&bytes).unwrap())
}

async fn expire(app: &TestApp, token_prefix: &str) {
    let keys = api_key::Entity::find().all(&app.db).await.unwrap();
    let key = keys
        .into_iter()
        .find(|k| token_prefix.starts_with(&k.token_prefix))
        .unwrap();
    let mut active = key.into_active_model();
    active.expires_at = sea_orm::Set(Some(chrono::Utc::now() - chrono::TimeDelta::hours(1)));
    active.update(&app.db).await.unwrap();
}

both_backends!(every_bad_credential_gets_the_same_401, |app| {
    let query = r#"{"query":"{ accounts { totalCount } }"}"#;
    let (status, _, body) = answer(&app, Some(&format!("Bearer {}", app.keys.reader)), query).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["accounts"]["totalCount"], 0);

    // a revoked key and an expired key, next to ones that never existed
    let revoked = create_key(&app.db, "revoked", Role::Reader, None).await;
    let expired = create_key(&app.db, "expired", Role::Reader, None).await;
    expire(&app, &expired).await;
    let listed = app
        .gql("{ apiKeys { edges { node { id name } } } }", json!({}))
        .await;
    let revoked_id = listed.data()["apiKeys"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "revoked")
        .unwrap()["node"]["id"]
        .clone();
    app.gql(REVOKE_KEY, json!({ "input": { "id": revoked_id } }))
        .await
        .data();

    let unknown = format!("cgk_{}", "A".repeat(43));
    let cases = [
        None,
        Some("".to_owned()),
        Some("Bearer".to_owned()),
        Some("Basic dXNlcjpwYXNz".to_owned()),
        Some(format!("Token {}", app.keys.reader)),
        Some("Bearer not-a-key".to_owned()),
        Some(format!("Bearer {unknown}")),
        Some(format!("Bearer {revoked}")),
        Some(format!("Bearer {expired}")),
        Some("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".to_owned()),
    ];
    let mut answers = Vec::new();
    for case in &cases {
        // even a body that is not GraphQL: nothing is looked at before the key
        for body in [query, "{ not json"] {
            answers.push(answer(&app, case.as_deref(), body).await);
        }
    }
    for (status, challenge, body) in &answers {
        assert_eq!(*status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(challenge, "Bearer realm=\"contacts-graph\"");
        assert_eq!(body["errors"].as_array().unwrap().len(), 1);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert!(body.get("data").is_none());
        assert_eq!(body, &answers[0].2, "no oracle: one answer for every case");
    }
});

#[tokio::test]
async fn graphiql_and_health_need_no_key_but_get_queries_do() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    for (uri, accept) in [
        ("/graphql", "text/html"),
        ("/", "text/html"),
        ("/graphiql/graphiql.min.js", "*/*"),
        ("/health", "*/*"),
    ] {
        let (status, _, _) = app.get_as(None, uri, accept).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
    let get_query = "/graphql?query=%7B__typename%7D";
    let (status, headers, _) = app.get_as(None, get_query, "application/json").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        headers["www-authenticate"],
        "Bearer realm=\"contacts-graph\""
    );
    // a mutation over GET without a key: refused for the key, not for the method
    let mutation = "/graphql?query=mutation%7BdeleteContact(input%3A%7Bid%3A%22x%22%7D)%7BdeletedContactId%7D%7D";
    let (status, _, _) = app.get_as(None, mutation, "application/json").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app
        .get_as(Some(&app.keys.reader), get_query, "application/json")
        .await;
    assert_eq!(status, StatusCode::OK);
}

both_backends!(admins_create_list_and_revoke_keys_over_the_api, |app| {
    let input = json!({ "name": "reporting job", "role": "READER" });
    let created = app
        .gql(CREATE_KEY, json!({ "input": input }))
        .await
        .data()
        .clone();
    let token = created["createApiKey"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = &created["createApiKey"]["apiKey"];
    assert!(token.starts_with("cgk_") && token.len() == 47, "{token}");
    assert!(token.starts_with(key["tokenPrefix"].as_str().unwrap()));
    assert_eq!(key["role"], "READER");
    assert_eq!(key["active"], true);

    // the new key works, and its use is recorded
    let reply = app
        .gql_as(&token, "{ contacts { totalCount } }", json!({}))
        .await;
    assert_eq!(reply.data()["contacts"]["totalCount"], 0);
    let list = "{ apiKeys { totalCount edges { node { id name lastUsedAt } } } }";
    let listed = app.gql(list, json!({})).await.data().clone();
    assert_eq!(listed["apiKeys"]["totalCount"], 5);
    assert!(
        !listed.to_string().contains(&token),
        "tokens are never listed"
    );
    let mine = listed["apiKeys"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "reporting job")
        .unwrap()["node"]
        .clone();
    assert!(mine["lastUsedAt"].is_string());
    // an admin can fetch a key as a node; others see nothing there
    let node = "query($id: ID!) { node(id: $id) { ... on ApiKey { name } } }";
    let vars = json!({ "id": mine["id"] });
    assert_eq!(
        app.gql(node, vars.clone()).await.data()["node"]["name"],
        "reporting job"
    );
    assert_eq!(
        app.gql_as(&app.keys.manager, node, vars).await.data()["node"],
        Value::Null
    );

    // creation and revocation are audited without the secret
    let revoked = app
        .gql(REVOKE_KEY, json!({ "input": { "id": mine["id"] } }))
        .await
        .data()
        .clone();
    assert_eq!(revoked["revokeApiKey"]["apiKey"]["active"], false);
    let reply = app
        .gql_as(&token, "{ contacts { totalCount } }", json!({}))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "revocation takes effect at once"
    );
    let log = "{ auditEntries(last: 2) { edges { node { entityType action actor changes { field after } } } } }";
    let log = app.gql(log, json!({})).await.data().clone();
    let text = log.to_string();
    for edge in log["auditEntries"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["entityType"], "API_KEY");
        assert_eq!(edge["node"]["actor"], "test-admin");
    }
    assert!(text.contains("reporting job") && text.contains("revokedAt"));
    assert!(!text.contains(&token) && !text.contains("tokenSha256"));

    // other roles may not manage keys
    for key in [&app.keys.manager, &app.keys.agent, &app.keys.reader] {
        let reply = app.gql_as(key, CREATE_KEY, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), "FORBIDDEN");
        let reply = app
            .gql_as(key, "{ apiKeys { totalCount } }", json!({}))
            .await;
        assert_eq!(reply.error_code(), "FORBIDDEN");
    }
});

both_backends!(partner_keys_need_a_partner_account, |app| {
    let w = common::world::build(&app.db).await;
    let account = |id| common::world::gid(contacts_graph::graphql::ids::NodeType::Account, id);
    let cases = [
        (json!({ "name": "p", "role": "PARTNER" }), "BAD_USER_INPUT"),
        (
            json!({ "name": "p", "role": "PARTNER", "partnerAccountId": account(w.acme.id) }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "name": "p", "role": "PARTNER", "partnerAccountId": account(uuid::Uuid::now_v7()) }),
            "NOT_FOUND",
        ),
        (
            json!({ "name": "p", "role": "AGENT", "partnerAccountId": account(w.partner.id) }),
            "BAD_USER_INPUT",
        ),
        (json!({ "name": " ", "role": "AGENT" }), "BAD_USER_INPUT"),
        (
            json!({ "name": "p", "role": "AGENT", "expiresAt": "2001-01-01T00:00:00Z" }),
            "BAD_USER_INPUT",
        ),
    ];
    for (input, code) in cases {
        let reply = app.gql(CREATE_KEY, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), code, "{input}");
    }
    let input =
        json!({ "name": "portal", "role": "PARTNER", "partnerAccountId": account(w.partner.id) });
    let data = app
        .gql(CREATE_KEY, json!({ "input": input }))
        .await
        .data()
        .clone();
    assert_eq!(
        data["createApiKey"]["apiKey"]["partnerAccount"]["name"],
        "Northwind"
    );
    let token = data["createApiKey"]["token"].as_str().unwrap();
    let seen = app
        .gql_as(token, "{ accounts { totalCount } }", json!({}))
        .await;
    assert_eq!(seen.data()["accounts"]["totalCount"], 2);
});

/// The operator's CLI against the same database file a server uses.
#[tokio::test]
async fn the_cli_creates_lists_and_revokes_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let cli = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_contacts-graph"))
            .args(args)
            .current_dir(dir.path())
            .env("DATABASE_URL", &url)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let printed = cli(&[
        "apikey",
        "create",
        "--name",
        "nightly report",
        "--role",
        "reader",
        "--expires-in",
        "30d",
    ]);
    let token = printed
        .lines()
        .find_map(|line| line.strip_prefix("token (shown this once): "))
        .unwrap()
        .to_owned();
    let id = printed.split_whitespace().nth(3).unwrap().to_owned();

    let mut config = contacts_graph::config::Config::default();
    config.database.url = secrecy::SecretString::from(url.clone());
    config.database.seed_demo = Some(false);
    config.auth.key_cache_secs = 0;
    let conn = contacts_graph::db::connect(&config.database).await.unwrap();
    let router = contacts_graph::build_app(config, conn).unwrap();
    let ask = |router: axum::Router, token: String| async move {
        use tower::ServiceExt;
        let request = axum::http::Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(
                r#"{"query":"{ contacts { totalCount } }"}"#,
            ))
            .unwrap();
        router.oneshot(request).await.unwrap().status()
    };
    assert_eq!(ask(router.clone(), token.clone()).await, StatusCode::OK);

    let listed = cli(&["apikey", "list"]);
    assert!(
        listed.contains("nightly report") && listed.contains("role=reader"),
        "{listed}"
    );
    assert!(!listed.contains(&token));
    let revoked = cli(&["apikey", "revoke", &id]);
    assert!(revoked.contains("revoked"), "{revoked}");
    assert_eq!(ask(router, token).await, StatusCode::UNAUTHORIZED);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_contacts-graph"))
        .args([
            "apikey",
            "create",
            "--name",
            "x",
            "--role",
            "partner",
            "--partner",
            "nope",
        ])
        .current_dir(dir.path())
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "a partner key needs a real account"
    );
}
