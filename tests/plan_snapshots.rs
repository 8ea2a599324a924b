//! Golden snapshots of the compiled read path: for a few real queries, the plan (what each level
//! reads, under which scope) and the SQL it issues on each backend, so that a reviewer sees what
//! a change to the planner or to the statements produces. `UPDATE_SNAPSHOTS=1 cargo test --test
//! plan_snapshots` rewrites them (PostgreSQL ones only with `TEST_DATABASE_URL` set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use async_graphql::parser::parse_query;
use contacts_graph::auth::{Principal, Role, Scope};
use contacts_graph::config::LimitsConfig;
use contacts_graph::graphql::plan;
use serde_json::{Value, json};

use common::{Backend, TestApp};

/// A query of the bench or of a front end, and who sends it.
struct Case {
    name: &'static str,
    partner: bool,
    query: &'static str,
}

/// The bench's nested read (`src/bin/bench/ops.rs`).
const NESTED: &str = "query Nested($after: String) {
  accounts(first: 50, after: $after) { edges { node { id name
    contacts(first: 20) { edges { node { id firstName lastName
      identities { id channel value }
      incidents(first: 5) { edges { node { id subject primaryContact { id lastName } } } }
    } } }
  } } }
}";

const CASES: &[Case] = &[
    Case {
        name: "nested",
        partner: false,
        query: NESTED,
    },
    Case {
        name: "partner_nested",
        partner: true,
        query: NESTED,
    },
    Case {
        name: "filtered_with_totals",
        partner: false,
        query: "{
  incidents(filter: { status: { in: [NEW, OPEN] } }, orderBy: [{ field: CREATED_AT, direction: DESC }], first: 10) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id subject status account { name } reportedByPartner { name } }
  }
  contactByIdentity(channel: EMAIL, value: \"nobody@example.com\") { id lastName }
}",
    },
];

fn snapshot_path(case: &Case, backend: Backend) -> PathBuf {
    let backend = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plans")
        .join(format!("{}.{backend}.snap", case.name))
}

/// Statements with their bind parameters as `?` and repeated `VALUES` rows folded, so that the
/// snapshot shows the statement's shape, not the number of parents.
fn normalize(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    for repeated in ["(?), (?)", "?, ?"] {
        let single = &repeated[..repeated.find(", ").unwrap()];
        while out.contains(repeated) {
            out = out.replace(repeated, single);
        }
    }
    out
}

async fn check(backend: Backend) {
    let Some(app) = common::spawn_app(backend).await else {
        return;
    };
    let partners = common::partners::build(&app).await;
    // A switch for the developer running the test, not server configuration.
    #[allow(clippy::disallowed_methods)]
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for case in CASES {
        let actual = describe(&app, case, &partners).await;
        let path = snapshot_path(case, backend);
        if update {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            eprintln!("--- {}\n{actual}", path.display());
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale plan snapshots (rerun with UPDATE_SNAPSHOTS=1 and review the diff): {stale:?}"
    );
}

/// The plan as the endpoint builds it, then the statements the request issued.
async fn describe(app: &TestApp, case: &Case, partners: &common::partners::Partners) -> String {
    let (token, scope) = if case.partner {
        let account = partners.world.partner.id;
        (partners.northwind_key.clone(), Scope::Partner { account })
    } else {
        (app.keys.reader.clone(), Scope::Unrestricted)
    };
    let principal = Principal {
        actor: "snapshot".to_owned(),
        key_id: None,
        role: if case.partner {
            Role::Partner
        } else {
            Role::Reader
        },
        scope,
    };
    let document = parse_query(case.query).unwrap();
    let variables = async_graphql::Variables::default();
    let limits = LimitsConfig::default();
    let built = plan::build(&plan::Request {
        document: &document,
        operation_name: None,
        variables: &variables,
        principal: &principal,
        limits: &limits,
    })
    .unwrap_or_else(|unplanned| panic!("{} is not planned: {}", case.name, unplanned.0));
    let reply = app.gql_as(&token, case.query, json!({})).await;
    assert_eq!(
        reply.body["extensions"]["readPath"],
        Value::from("compiled"),
        "{}",
        case.name
    );
    let (_, statements) = app.counted_as(&token, case.query, json!({})).await;
    let mut text = format!(
        "# {}\n{built}\nstatements (sorted: sibling levels run concurrently):\n",
        case.name
    );
    let mut statements: Vec<String> = statements.0.iter().map(|sql| normalize(sql)).collect();
    statements.sort();
    for statement in statements {
        text.push_str(&statement);
        text.push('\n');
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_and_statements_match_their_snapshots_on_sqlite() {
    check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_and_statements_match_their_snapshots_on_postgres() {
    check(Backend::Postgres).await;
}
