//! A validation remembered with its document (`http::validated`) changes no answer: two
//! applications over one database, one validating every request (document cache off) and one
//! reusing what a document passed before, get the same documents again and again with generated
//! variables (valid values, values of the wrong type, `null`, missing ones, values an enum does
//! not have, lists where one value is expected, numbers out of range). Every answer (status and
//! body) must be equal, and the remembering application must have reused validations.
//!
//! `REMEMBERED_SEED` replays a run (the seed is printed at the start and on failure).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

mod common;

use entity::enums::IdentityChannel;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use common::{Backend, TestApp, fixtures, spawn_app_with};

/// Requests per document after the first.
const ROUNDS: usize = 60;

/// Documents with the variables each declares; every binding the remembering application tells
/// apart: bare arguments of strings, ids and enums (checked), numbers, input objects, list and
/// object literals and directives (compared by value), defaults, fragments.
const DOCUMENTS: &[&str] = &[
    "query Lookup($channel: IdentityChannel!, $value: String!) {
       contactByIdentity(channel: $channel, value: $value) { id lastName }
     }",
    "query Defaulted($channel: IdentityChannel = EMAIL, $value: String = \"ada@example.com\") {
       contactByIdentity(channel: $channel, value: $value) { lastName }
     }",
    "query One($id: ID!) { contact(id: $id) { lastName account { name } } }",
    "query Spread($id: ID!) { ...Found }
     fragment Found on Query { contact(id: $id) { id lastName } }",
    "query Page($first: Int, $after: String, $withName: Boolean! = true) {
       contacts(first: $first, after: $after) {
         totalCount edges { cursor node { lastName @include(if: $withName) } }
       }
     }",
    "query Filtered($filter: ContactFilter, $names: [String!]) {
       a: contacts(first: 2, filter: $filter) { nodes { lastName } }
       b: contacts(first: 2, filter: { lastName: { in: $names } }) { totalCount }
     }",
    "query Search($query: String!, $first: Int) {
       searchContacts(query: $query, first: $first) { totalCount }
     }",
];

/// Values any variable may get, whatever its type.
fn noise() -> Vec<Value> {
    vec![
        json!("EMAIL"),
        json!("SMS"),
        json!("email"),
        json!("FAX"),
        json!("ada@example.com"),
        json!(""),
        json!(1),
        json!(-3),
        json!(0),
        json!(101),
        json!(1.5),
        json!(9_223_372_036_854_775_808_u64),
        json!(true),
        json!(null),
        json!([]),
        json!(["EMAIL"]),
        json!(["Lovelace", "Hopper"]),
        json!([1, "a"]),
        json!({ "a": 1 }),
        json!({}),
        json!({ "lastName": { "eq": "Lovelace" } }),
        json!({ "lastName": { "eq": 5 } }),
        json!("not-an-id"),
    ]
}

/// Values each variable is meant to get.
fn good(name: &str, contact_id: &str) -> Vec<Value> {
    match name {
        "channel" => vec![json!("EMAIL"), json!("SMS")],
        "value" => vec![
            json!("ada@example.com"),
            json!("+4930123456"),
            json!("ADA@example.com"),
        ],
        "id" => vec![json!(contact_id), json!("not-an-id")],
        "first" => vec![json!(1), json!(2), json!(null)],
        "after" => vec![json!(null)],
        "withName" => vec![json!(true), json!(false)],
        "filter" => vec![json!({ "lastName": { "eq": "Lovelace" } }), json!(null)],
        "names" => vec![json!(["Lovelace"]), json!(["Lovelace", "Hopper"])],
        "query" => vec![json!("Lovelace"), json!("ada@example.com")],
        _ => vec![json!(null)],
    }
}

/// The variables a document declares, by name.
fn declared(document: &str) -> Vec<String> {
    let parsed = async_graphql::parser::parse_query(document).expect("the test's documents parse");
    let operations: Vec<_> = parsed.operations.iter().collect();
    operations[0]
        .1
        .node
        .variable_definitions
        .iter()
        .map(|definition| definition.node.name.node.to_string())
        .collect()
}

fn variables(names: &[String], rng: &mut SmallRng, contact_id: &str, valid: bool) -> Value {
    let noise = noise();
    let mut map = Map::new();
    for name in names {
        let pick = rng.random_range(0..10);
        if !valid && pick == 0 {
            continue;
        }
        let value = if valid || pick < 6 {
            good(name, contact_id).choose(rng).cloned()
        } else {
            noise.choose(rng).cloned()
        };
        map.insert(name.clone(), value.unwrap_or(Value::Null));
    }
    Value::Object(map)
}

/// The value of one Prometheus sample, by metric name and label fragment.
fn sample(text: &str, name: &str, label: &str) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(name) && line.contains(label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn reused(app: &TestApp) -> f64 {
    let (_, _, body) = app.get_as(None, "/metrics", "*/*").await;
    let text = String::from_utf8(body).unwrap();
    sample(
        &text,
        "contacts_graph_graphql_validations_total",
        "outcome=\"reused\"",
    )
}

/// An answer without its request id (new on every request).
fn comparable(mut body: Value) -> Value {
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors {
            if let Some(extensions) = error.get_mut("extensions").and_then(Value::as_object_mut) {
                extensions.remove("requestId");
            }
        }
    }
    body
}

async fn run(backend: Backend) {
    let Some(remembering) = spawn_app_with(backend, |config| {
        config.rate_limit.enabled = false;
        config.metrics.enabled = true;
    })
    .await
    else {
        return;
    };
    let validating = remembering.sibling_with(|config| config.reads.document_cache_entries = 0);
    let account = fixtures::account(&remembering.db, "Analytical Engines", None).await;
    let ada = fixtures::contact(&remembering.db, Some(account.id), "Lovelace").await;
    fixtures::identity(
        &remembering.db,
        ada.id,
        IdentityChannel::Email,
        "ada@example.com",
        "ada@example.com",
    )
    .await;
    let found = remembering
        .gql(
            "{ contactByIdentity(channel: EMAIL, value: \"ada@example.com\") { id } }",
            json!({}),
        )
        .await;
    let contact_id = found.data()["contactByIdentity"]["id"]
        .as_str()
        .expect("the fixture is found")
        .to_owned();

    let seed = std::env::var("REMEMBERED_SEED")
        .ok()
        .map(|seed| seed.parse::<u64>().expect("REMEMBERED_SEED is a number"))
        .unwrap_or_else(|| SmallRng::from_os_rng().random());
    eprintln!("remembered validation ({backend:?}): REMEMBERED_SEED={seed}");
    let mut rng = SmallRng::seed_from_u64(seed);
    let reused_before = reused(&remembering).await;
    let mut sent = 0;
    for document in DOCUMENTS {
        let names = declared(document);
        for round in 0..=ROUNDS {
            // The first request of each document is valid, so there is a validation to reuse.
            let vars = variables(&names, &mut rng, &contact_id, round == 0);
            let (left, right) = tokio::join!(
                validating.gql(document, vars.clone()),
                remembering.gql(document, vars.clone()),
            );
            sent += 1;
            assert_eq!(
                (left.status, comparable(left.body)),
                (right.status, comparable(right.body)),
                "REMEMBERED_SEED={seed}: the answers differ for\n{document}\nwith {vars}"
            );
        }
    }
    // An operation name the document does not have is refused after validation, every time.
    for (query, name) in [
        (
            "{ contactByIdentity(channel: EMAIL, value: \"ada@example.com\") { id } }",
            "Other",
        ),
        ("query Lookup { contact(id: \"x\") { id } }", "Other"),
    ] {
        for _ in 0..3 {
            let body = json!({ "query": query, "operationName": name }).to_string();
            let (left, right) = tokio::join!(
                validating.post_body(body.clone()),
                remembering.post_body(body.clone()),
            );
            assert!(right.body.get("data").is_none(), "{}", right.body);
            assert_eq!(
                (left.status, comparable(left.body)),
                (right.status, comparable(right.body)),
                "{body}"
            );
        }
    }
    let reused_now = reused(&remembering).await - reused_before;
    assert!(
        reused_now >= (sent / 4) as f64,
        "REMEMBERED_SEED={seed}: only {reused_now} of {sent} requests reused a validation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    run(Backend::Postgres).await;
}
