//! `previewMerge` shows exactly what `mergeContacts` then does; stale plans and racing merges
//! never half-merge.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use contacts_graph::graphql::ids::NodeType;
use contacts_graph::service::seed::{self, SeedPlan};
use entity::enums::IdentityChannel;
use entity::{contact, contact_identity, incident};
use phonenumber::country;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use common::world::{self, gid};
use common::{TestApp, fixtures};

const PREVIEW: &str = "query($s: ID!, $m: ID!) { previewMerge(survivorId: $s, mergedId: $m) {
    planHash warnings auditEntryCount account { name }
    fields { field kept dropped }
    identities { id normalizedValue } communicationMethods { id } incidents { id } opportunities { id }
} }";
const MERGE: &str = "mutation($input: MergeContactsInput!) { mergeContacts(input: $input) { contact {
    id lastName firstName title alias jobTitle description timezone street city state postalCode country
    account { name } mergedFrom
    identities { id } communicationMethods { id }
    incidents(first: 100) { edges { node { id } } } opportunities(first: 100) { edges { node { id } } }
} } }";

fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

fn edge_ids(connection: &Value) -> BTreeSet<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

const SURVIVOR: &str = "query($id: ID!) { contact(id: $id) {
    identities { id } communicationMethods { id }
    incidents(first: 100) { edges { node { id } } } opportunities(first: 100) { edges { node { id } } } } }";

/// Preview, then merge with the preview's hash, and check the merge did exactly the plan.
async fn preview_then_merge(app: &TestApp, survivor: &str, merged: &str) {
    let before = app.gql(SURVIVOR, json!({ "id": survivor })).await.data()["contact"].clone();
    let plan = app
        .gql(PREVIEW, json!({ "s": survivor, "m": merged }))
        .await
        .data()["previewMerge"]
        .clone();
    let input = json!({ "survivorId": survivor, "mergedId": merged, "allowCrossAccount": true,
                        "expectedPlanHash": plan["planHash"] });
    let after =
        app.gql(MERGE, json!({ "input": input })).await.data()["mergeContacts"]["contact"].clone();

    let union =
        |a: BTreeSet<String>, b: BTreeSet<String>| a.union(&b).cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        ids(&after["identities"]),
        union(ids(&before["identities"]), ids(&plan["identities"]))
    );
    assert_eq!(
        ids(&after["communicationMethods"]),
        union(
            ids(&before["communicationMethods"]),
            ids(&plan["communicationMethods"])
        )
    );
    assert_eq!(
        edge_ids(&after["incidents"]),
        union(edge_ids(&before["incidents"]), ids(&plan["incidents"]))
    );
    assert_eq!(
        edge_ids(&after["opportunities"]),
        union(
            edge_ids(&before["opportunities"]),
            ids(&plan["opportunities"])
        )
    );
    for outcome in plan["fields"].as_array().unwrap() {
        let field = outcome["field"].as_str().unwrap();
        if field == "accountId" {
            continue;
        }
        assert_eq!(after[field], outcome["kept"], "{field}: {plan:#}");
    }
    assert_eq!(after["account"], plan["account"]);
    assert!(
        after["mergedFrom"]
            .as_array()
            .unwrap()
            .contains(&json!(merged))
    );
}

both_backends!(the_preview_is_what_the_merge_does, |app| {
    let plan = SeedPlan {
        accounts: 6,
        contacts_per_account: 4,
        seed: 11,
    };
    seed::seed_generated(&app.db, &plan, country::Id::US)
        .await
        .unwrap();
    let contacts = contact::Entity::find()
        .order_by_asc(contact::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    // Pairs across the data set: same account, other accounts, survivors with and without
    // their own values; every contact is merged at most once.
    let pairs = [(0, 1), (2, 7), (9, 3), (12, 13), (20, 5), (16, 22)];
    for (survivor, merged) in pairs {
        let (survivor, merged) = (
            gid(NodeType::Contact, contacts[survivor].id),
            gid(NodeType::Contact, contacts[merged].id),
        );
        preview_then_merge(&app, &survivor, &merged).await;
    }
});

both_backends!(a_preview_writes_nothing_and_names_the_risks, |app| {
    let w = world::build(&app.db).await;
    let counts = (
        contact::Entity::find().count(&app.db).await.unwrap(),
        entity::audit_entry::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
    );
    let vars =
        json!({ "s": gid(NodeType::Contact, w.dee.id), "m": gid(NodeType::Contact, w.ada.id) });
    let plan = app.gql(PREVIEW, vars).await.data()["previewMerge"].clone();
    assert_eq!(
        plan["warnings"],
        json!([
            "DIFFERENT_ACCOUNTS",
            "MERGED_IS_PRIMARY_CONTACT",
            "VALUES_DROPPED"
        ])
    );
    assert_eq!(
        plan["account"]["name"], "Globex",
        "the survivor's account stays"
    );
    assert_eq!(plan["auditEntryCount"], 2);
    assert_eq!(plan["identities"].as_array().unwrap().len(), 2);
    assert!(
        plan["fields"]
            .as_array()
            .unwrap()
            .contains(&json!({ "field": "lastName", "kept": "Dee", "dropped": "Lovelace" }))
    );
    assert_eq!(plan["planHash"].as_str().unwrap().len(), 64);
    let after = (
        contact::Entity::find().count(&app.db).await.unwrap(),
        entity::audit_entry::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
    );
    assert_eq!(after, counts);
    let reply = app
        .gql(
            PREVIEW,
            json!({ "s": gid(NodeType::Contact, w.dee.id), "m": gid(NodeType::Contact, w.dee.id) }),
        )
        .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
});

both_backends!(a_stale_plan_is_refused, |app| {
    let w = world::build(&app.db).await;
    let (bob, cy) = (
        gid(NodeType::Contact, w.bob.id),
        gid(NodeType::Contact, w.cy.id),
    );
    let plan = app.gql(PREVIEW, json!({ "s": bob, "m": cy })).await.data()["previewMerge"].clone();
    fixtures::identity(
        &app.db,
        w.cy.id,
        IdentityChannel::Email,
        "cy@example.com",
        "cy@example.com",
    )
    .await;
    let input = json!({ "survivorId": bob, "mergedId": cy, "expectedPlanHash": plan["planHash"] });
    let reply = app.gql(MERGE, json!({ "input": input })).await;
    assert_eq!(reply.error_code(), "CONFLICT");
    let still_cy = contact_identity::Entity::find()
        .filter(contact_identity::Column::ContactId.eq(w.cy.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(still_cy, 1, "nothing moved");
});

both_backends!(racing_merges_of_the_same_contacts_never_half_merge, |app| {
    let w = world::build(&app.db).await;
    let (ada, bob) = (
        gid(NodeType::Contact, w.ada.id),
        gid(NodeType::Contact, w.bob.id),
    );
    let one = app.gql(
        MERGE,
        json!({ "input": { "survivorId": ada, "mergedId": bob } }),
    );
    let other = app.gql(
        MERGE,
        json!({ "input": { "survivorId": bob, "mergedId": ada } }),
    );
    let (one, other) = tokio::join!(one, other);
    let succeeded = [&one, &other]
        .iter()
        .filter(|r| r.body["errors"].is_null())
        .count();
    assert_eq!(succeeded, 1, "{} / {}", one.body, other.body);
    let loser = if one.body["errors"].is_null() {
        &other
    } else {
        &one
    };
    assert!(
        matches!(loser.error_code().as_str(), "CONFLICT" | "NOT_FOUND"),
        "{}",
        loser.body
    );
    // one contact left of the two, owning every identity and case the two had
    let left = contact::Entity::find()
        .filter(contact::Column::Id.is_in([w.ada.id, w.bob.id]))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    let owned = contact_identity::Entity::find()
        .filter(contact_identity::Column::ContactId.eq(left[0].id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(owned, 3);
    let cases = incident::Entity::find()
        .filter(incident::Column::PrimaryContactId.eq(left[0].id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(cases, 2);
});

both_backends!(merged_from_lists_every_absorbed_id, |app| {
    let w = world::build(&app.db).await;
    let (ada, bob, cy) = (
        gid(NodeType::Contact, w.ada.id),
        gid(NodeType::Contact, w.bob.id),
        gid(NodeType::Contact, w.cy.id),
    );
    app.gql(
        MERGE,
        json!({ "input": { "survivorId": bob, "mergedId": ada } }),
    )
    .await
    .data();
    app.gql(
        MERGE,
        json!({ "input": { "survivorId": cy, "mergedId": bob } }),
    )
    .await
    .data();
    let data = app
        .gql(
            "query($id: ID!) { contact(id: $id) { mergedFrom } }",
            json!({ "id": cy }),
        )
        .await;
    let merged_from: BTreeSet<String> = data.data()["contact"]["mergedFrom"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(merged_from, BTreeSet::from([ada, bob]));
});
