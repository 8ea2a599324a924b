//! The number of SQL statements of a nested query is bounded by its depth, not by its rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::service::seed::{self, SeedPlan};
use phonenumber::country;
use serde_json::json;

use common::{Backend, TestApp};

const NESTED: &str = "query($accounts: Int!) {
    accounts(first: $accounts) { edges { node { name
        contacts(first: 20) { edges { node { lastName
            identities { value }
            incidents(first: 5) { edges { node { subject primaryContact { lastName } } } }
        } } }
    } } }
}";

const NESTED_WITH_TOTALS: &str = "query($accounts: Int!) {
    accounts(first: $accounts) { totalCount edges { node { name
        communicationMethods { value }
        contacts(first: 20) { totalCount edges { node { lastName
            identities { value }
            communicationMethods { value }
            incidents(first: 5) { totalCount edges { node { subject primaryContact { lastName } } } }
        } } }
    } } }
}";

async fn seeded(app: &TestApp) {
    let plan = SeedPlan {
        accounts: 110,
        contacts_per_account: 3,
        seed: 7,
    };
    seed::seed_generated(&app.db, &plan, country::Id::US)
        .await
        .unwrap();
}

fn rows(data: &serde_json::Value) -> usize {
    data["accounts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| {
            account["node"]["contacts"]["edges"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum()
}

both_backends!(a_nested_level_costs_one_statement, |app| {
    seeded(&app).await;
    let (data, statements) = app.counted(NESTED, json!({ "accounts": 50 })).await;
    assert_eq!(data["accounts"]["edges"].as_array().unwrap().len(), 50);
    assert!(
        rows(&data) >= 100,
        "the data set must nest: {} contacts",
        rows(&data)
    );
    // accounts, contacts, identities, incidents; each incident's primary contact is one of the
    // contacts read a level above, so it costs no statement
    assert_eq!(statements, 4);

    let (data, statements) = app.counted(NESTED, json!({ "accounts": 100 })).await;
    assert_eq!(data["accounts"]["edges"].as_array().unwrap().len(), 100);
    assert_eq!(statements, 4, "twice the rows, the same statements");
});

both_backends!(totals_and_whole_lists_add_one_statement_each, |app| {
    seeded(&app).await;
    let (_, statements) = app
        .counted(NESTED_WITH_TOTALS, json!({ "accounts": 50 }))
        .await;
    // the 4 above + account methods + contact methods + 3 counts
    assert_eq!(statements, 9);
    let (_, statements) = app
        .counted(NESTED_WITH_TOTALS, json!({ "accounts": 100 }))
        .await;
    assert_eq!(statements, 9);
});

const INCIDENTS_WITH_REFERENCES: &str = "{
    incidents(first: 60) { edges { node { subject
        primaryContact { lastName }
        account { name }
    } } }
}";

both_backends!(lookups_by_id_batch_into_one_statement_per_level, |app| {
    seeded(&app).await;
    let (data, statements) = app.counted(INCIDENTS_WITH_REFERENCES, json!({})).await;
    let incidents = data["incidents"]["edges"].as_array().unwrap();
    assert_eq!(incidents.len(), 60);
    let contacts: std::collections::HashSet<&str> = incidents
        .iter()
        .map(|edge| edge["node"]["primaryContact"]["lastName"].as_str().unwrap())
        .collect();
    assert!(
        contacts.len() > 1,
        "the incidents must have several contacts"
    );
    // incidents, then their primary contacts and their accounts: one statement each
    assert_eq!(statements, 3);
});

const CONTACTS_BACK_TO_ACCOUNTS: &str = "{
    accounts(first: 10) { edges { node { name
        contacts(first: 5) { edges { node { lastName account { id name } } } }
    } } }
}";

both_backends!(
    a_record_read_earlier_in_the_request_costs_no_statement,
    |app| {
        seeded(&app).await;
        let (data, statements) = app.counted(CONTACTS_BACK_TO_ACCOUNTS, json!({})).await;
        for account in data["accounts"]["edges"].as_array().unwrap() {
            for contact in account["node"]["contacts"]["edges"].as_array().unwrap() {
                assert_eq!(contact["node"]["account"]["name"], account["node"]["name"]);
            }
        }
        // accounts and contacts; each contact's account was read by the first statement
        assert_eq!(statements, 2);
    }
);

/// The same resolvers with one key per batch issue a statement per parent: the bound above
/// comes from the loaders, and this test fails if batching silently stops. (The compiled read
/// path does not use the loaders; it is off here so the resolvers answer.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_batching_statements_grow_with_rows() {
    let app = common::spawn_app_with(Backend::Sqlite, |config| {
        config.loaders.max_batch_size = 1;
        config.reads.compiled = false;
    })
    .await
    .unwrap();
    seeded(&app).await;
    let (data, statements) = app.counted(NESTED, json!({ "accounts": 50 })).await;
    assert!(
        statements.len() > rows(&data),
        "{} statements for {} contacts",
        statements.len(),
        rows(&data)
    );
}

both_backends!(a_partner_scope_costs_no_extra_statement, |app| {
    use contacts_graph::auth::Role;
    use entity::account;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    seeded(&app).await;
    // the partner serving the most customers
    let customers = account::Entity::find()
        .filter(account::Column::PartnerId.is_not_null())
        .all(&app.db)
        .await
        .unwrap();
    let mut served = std::collections::HashMap::<uuid::Uuid, usize>::new();
    for customer in &customers {
        *served.entry(customer.partner_id.unwrap()).or_default() += 1;
    }
    let (partner, count) = served.into_iter().max_by_key(|(_, n)| *n).unwrap();
    assert!(count >= 2, "the data set must give a partner customers");
    let key = common::create_key(&app.db, "partner", Role::Partner, Some(partner)).await;

    let (data, statements) = app
        .counted_as(&key, NESTED, json!({ "accounts": 50 }))
        .await;
    assert_eq!(
        data["accounts"]["edges"].as_array().unwrap().len(),
        count + 1,
        "the partner and its customers"
    );
    assert!(rows(&data) >= count, "their contacts are read");
    assert_eq!(statements, 4, "the same statements as without a scope");
});

const NESTED_FILTERED: &str = "query($accounts: Int!) {
    accounts(first: $accounts, filter: { contacts: { some: {} } }, orderBy: [{ field: NAME }]) {
        totalCount edges { node { name
        contacts(first: 20, filter: { lastName: { contains: \"a\" } }, orderBy: [{ field: FIRST_NAME, direction: DESC }, { field: LAST_NAME }]) {
            totalCount edges { node { lastName
            identities { value }
            incidents(first: 5, filter: { status: { in: [NEW, OPEN, PENDING] } }, orderBy: [{ field: PRIORITY, direction: DESC }, { field: CREATED_AT, direction: DESC }]) {
                edges { node { subject primaryContact { lastName } } } }
        } } }
    } } }
}";

both_backends!(
    filtered_and_ordered_levels_still_cost_one_statement_each,
    |app| {
        seeded(&app).await;
        let (data, statements) = app
            .counted(NESTED_FILTERED, json!({ "accounts": 50 }))
            .await;
        assert_eq!(data["accounts"]["edges"].as_array().unwrap().len(), 50);
        assert!(
            rows(&data) >= 50,
            "the filters leave rows to nest: {}",
            rows(&data)
        );
        // accounts, their count, contacts, the contacts' counts, identities, incidents
        assert_eq!(statements, 6);
        let (data, statements) = app
            .counted(NESTED_FILTERED, json!({ "accounts": 100 }))
            .await;
        assert_eq!(data["accounts"]["edges"].as_array().unwrap().len(), 100);
        assert_eq!(statements, 6, "twice the rows, the same statements");
    }
);

/// The resolvers, with the compiled read path off, keep the same bounds: both paths are pinned.
async fn resolvers_keep_the_bounds(backend: Backend) {
    let Some(app) = common::spawn_app_with(backend, |config| config.reads.compiled = false).await
    else {
        return;
    };
    seeded(&app).await;
    let reply = app.gql(NESTED, json!({ "accounts": 50 })).await;
    assert_eq!(reply.body["extensions"]["readPath"], "resolvers");
    let (_, statements) = app.counted(NESTED, json!({ "accounts": 50 })).await;
    assert_eq!(statements, 4);
    let (_, statements) = app
        .counted(NESTED_WITH_TOTALS, json!({ "accounts": 50 }))
        .await;
    assert_eq!(statements, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolvers_keep_the_bounds_on_sqlite() {
    resolvers_keep_the_bounds(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolvers_keep_the_bounds_on_postgres() {
    resolvers_keep_the_bounds(Backend::Postgres).await;
}
