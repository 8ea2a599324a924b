//! Identity conflicts: stored by `resolveContact`, listed, fetched by `node(id:)`, settled by
//! merge or dismissal, and the auto-merge policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use entity::enums::{AuditAction, AuditEntityType, IdentityChannel};
use entity::{audit_entry, contact, identity_conflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{Value, json};

use common::world::{self, gid};
use common::{Backend, TestApp, fixtures};

const RESOLVE: &str = "mutation($input: ResolveContactInput!) { resolveContact(input: $input) {
    outcome
    contact { id lastName identities { normalizedValue } }
    conflict { id status resolvedBy survivor { id }
               identities { channel value normalizedValue contact { lastName } }
               contacts { lastName } } } }";

const SETTLE: &str = "mutation($input: ResolveIdentityConflictInput!) {
    resolveIdentityConflict(input: $input) {
        conflict { id status resolvedAt resolvedBy survivor { id } contacts { id lastName } }
        contact { id lastName identities { normalizedValue } } } }";

const LIST: &str = "query($status: IdentityConflictStatus, $first: Int, $after: String) {
    identityConflicts(status: $status, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id status } } }";

/// Ada's e-mail, Bob's Twitter handle and an unknown e-mail: a conflict between Ada and Bob.
fn clash() -> Value {
    json!({ "identities": [
        { "channel": "EMAIL", "value": "ada@example.com" },
        { "channel": "TWITTER", "value": "babbage" },
        { "channel": "EMAIL", "value": "unknown@example.com" } ] })
}

async fn open_conflict(app: &TestApp) -> Value {
    let reply = app.gql(RESOLVE, json!({ "input": clash() })).await;
    let result = reply.data()["resolveContact"].clone();
    assert_eq!(result["outcome"], "CONFLICT");
    result["conflict"].clone()
}

async fn settle(app: &TestApp, id: &Value, action: Value) -> common::Reply {
    app.gql(SETTLE, json!({ "input": { "id": id, "action": action } }))
        .await
}

both_backends!(a_conflict_is_stored_open, |app| {
    world::build(&app.db).await;
    let conflict = open_conflict(&app).await;
    assert_eq!(conflict["status"], "OPEN");
    assert_eq!(conflict["resolvedBy"], Value::Null);
    assert_eq!(conflict["survivor"], Value::Null);
    assert_eq!(
        conflict["identities"],
        json!([
            { "channel": "EMAIL", "value": "ada@example.com", "normalizedValue": "ada@example.com", "contact": { "lastName": "Lovelace" } },
            { "channel": "TWITTER", "value": "babbage", "normalizedValue": "babbage", "contact": { "lastName": "Babbage" } },
            { "channel": "EMAIL", "value": "unknown@example.com", "normalizedValue": "unknown@example.com", "contact": null }
        ])
    );
    assert_eq!(
        conflict["contacts"],
        json!([{ "lastName": "Lovelace" }, { "lastName": "Babbage" }]),
        "oldest first"
    );
    let stored = identity_conflict::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        conflict["id"],
        gid(NodeType::IdentityConflict, stored[0].id)
    );
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::EntityId.eq(stored[0].id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entity_type, AuditEntityType::IdentityConflict);
    assert_eq!(entries[0].action, AuditAction::Create);
});

both_backends!(conflicts_are_listed_filtered_and_paged, |app| {
    world::build(&app.db).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(open_conflict(&app).await["id"].clone());
    }
    settle(&app, &ids[1], json!({ "dismiss": true }))
        .await
        .data();

    let all = app.gql(LIST, json!({})).await.data()["identityConflicts"].clone();
    assert_eq!(all["totalCount"], 3);
    assert_eq!(
        all["nodes"],
        json!([{ "id": ids[0], "status": "OPEN" }, { "id": ids[1], "status": "DISMISSED" },
               { "id": ids[2], "status": "OPEN" }])
    );
    let open = app
        .gql(LIST, json!({ "status": "OPEN", "first": 1 }))
        .await
        .data()["identityConflicts"]
        .clone();
    assert_eq!(open["totalCount"], 2, "the count honours the filter");
    assert_eq!(open["nodes"], json!([{ "id": ids[0], "status": "OPEN" }]));
    assert_eq!(open["pageInfo"]["hasNextPage"], true);
    let after = open["pageInfo"]["endCursor"].clone();
    let next = app
        .gql(
            LIST,
            json!({ "status": "OPEN", "first": 1, "after": after }),
        )
        .await
        .data()["identityConflicts"]
        .clone();
    assert_eq!(next["nodes"], json!([{ "id": ids[2], "status": "OPEN" }]));
    assert_eq!(next["pageInfo"]["hasNextPage"], false);
    let dismissed =
        app.gql(LIST, json!({ "status": "DISMISSED" })).await.data()["identityConflicts"].clone();
    assert_eq!(dismissed["totalCount"], 1);
    assert_eq!(
        dismissed["nodes"],
        json!([{ "id": ids[1], "status": "DISMISSED" }])
    );
});

both_backends!(a_conflict_is_a_node, |app| {
    world::build(&app.db).await;
    let id = open_conflict(&app).await["id"].clone();
    let query = "query($id: ID!) { node(id: $id) { id ... on IdentityConflict { status contacts { lastName } } } }";
    let node = app.gql(query, json!({ "id": id })).await.data()["node"].clone();
    assert_eq!(node["id"], id);
    assert_eq!(node["status"], "OPEN");
    assert_eq!(node["contacts"].as_array().unwrap().len(), 2);
    let unknown = gid(NodeType::IdentityConflict, uuid::Uuid::now_v7());
    let reply = app.gql(query, json!({ "id": unknown })).await;
    assert_eq!(reply.data()["node"], Value::Null);
});

both_backends!(settling_by_merge_merges_into_the_chosen_survivor, |app| {
    let w = world::build(&app.db).await;
    let conflict = open_conflict(&app).await;
    let bob = gid(NodeType::Contact, w.bob.id);
    let reply = settle(
        &app,
        &conflict["id"],
        json!({ "merge": { "survivorId": bob } }),
    )
    .await;
    let result = reply.data()["resolveIdentityConflict"].clone();
    let settled = &result["conflict"];
    assert_eq!(settled["status"], "MERGED");
    assert_eq!(settled["resolvedBy"], "test-admin");
    assert!(settled["resolvedAt"].is_string());
    assert_eq!(settled["survivor"]["id"], bob);
    assert_eq!(
        settled["contacts"],
        json!([{ "id": bob, "lastName": "Babbage" }]),
        "the merged contact resolves to the survivor, once"
    );
    assert_eq!(result["contact"]["id"], bob);
    let mut values: Vec<String> = result["contact"]["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["normalizedValue"].as_str().unwrap().to_owned())
        .collect();
    values.sort();
    assert_eq!(
        values,
        [
            "+12015550123",
            "ada@example.com",
            "babbage",
            "unknown@example.com"
        ],
        "Ada's identities moved and the unknown one was attached"
    );
    assert!(
        contact::Entity::find_by_id(w.ada.id)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );

    // The conflict's update, the merge and the attachment are one operation.
    let stored = identity_conflict::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let update = audit_entry::Entity::find()
        .filter(audit_entry::Column::EntityId.eq(stored.id))
        .filter(audit_entry::Column::Action.eq(AuditAction::Update))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let operation = audit_entry::Entity::find()
        .filter(audit_entry::Column::OperationId.eq(update.operation_id))
        .all(&app.db)
        .await
        .unwrap();
    let merges = operation
        .iter()
        .filter(|e| e.action == AuditAction::Merge)
        .count();
    assert_eq!(merges, 2, "one MERGE entry on each contact");
    assert!(operation.iter().any(|e| {
        e.action == AuditAction::Create && e.entity_type == AuditEntityType::ContactIdentity
    }));

    let again = settle(&app, &conflict["id"], json!({ "dismiss": true })).await;
    assert_eq!(again.error_code(), "CONFLICT");
});

both_backends!(settling_by_dismissal_changes_nothing_else, |app| {
    world::build(&app.db).await;
    let conflict = open_conflict(&app).await;
    let contacts = contact::Entity::find().count(&app.db).await.unwrap();
    let reply = settle(&app, &conflict["id"], json!({ "dismiss": true })).await;
    let result = reply.data()["resolveIdentityConflict"].clone();
    assert_eq!(result["conflict"]["status"], "DISMISSED");
    assert_eq!(result["conflict"]["resolvedBy"], "test-admin");
    assert_eq!(result["contact"], Value::Null);
    assert_eq!(
        contact::Entity::find().count(&app.db).await.unwrap(),
        contacts
    );

    let twice = settle(&app, &conflict["id"], json!({ "dismiss": true })).await;
    assert_eq!(twice.error_code(), "CONFLICT");
});

both_backends!(bad_settlements_are_refused, |app| {
    let w = world::build(&app.db).await;
    let conflict = open_conflict(&app).await;
    let outsider = gid(NodeType::Contact, w.cy.id);
    let reply = settle(
        &app,
        &conflict["id"],
        json!({ "merge": { "survivorId": outsider } }),
    )
    .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    let reply = settle(&app, &conflict["id"], json!({ "dismiss": false })).await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    let unknown = json!(gid(NodeType::IdentityConflict, uuid::Uuid::now_v7()));
    let reply = settle(&app, &unknown, json!({ "dismiss": true })).await;
    assert_eq!(reply.error_code(), "NOT_FOUND");
    let still =
        app.gql(LIST, json!({ "status": "OPEN" })).await.data()["identityConflicts"]["totalCount"]
            .clone();
    assert_eq!(still, 1, "refused settlements leave the conflict open");
});

/// Two contacts with one identity each and the same surname; `city` set on the first only
/// unless `other_city` names a different one for the second.
async fn twins(app: &TestApp, other_city: Option<&str>) -> (contact::Model, contact::Model) {
    let first = fixtures::contact(&app.db, None, "Twin").await;
    let second = fixtures::contact(&app.db, None, "Twin").await;
    let mut active = first.clone().into_active_model();
    active.city = Set(Some("Paris".into()));
    let first = active.update(&app.db).await.unwrap();
    let mut active = second.clone().into_active_model();
    active.city = Set(other_city.map(Into::into));
    let second = active.update(&app.db).await.unwrap();
    fixtures::identity(
        &app.db,
        first.id,
        IdentityChannel::Email,
        "twin@example.com",
        "twin@example.com",
    )
    .await;
    fixtures::identity(&app.db, second.id, IdentityChannel::Twitter, "twin", "twin").await;
    (first, second)
}

fn twins_call() -> Value {
    json!({ "identities": [
        { "channel": "TWITTER", "value": "twin" },
        { "channel": "EMAIL", "value": "twin@example.com" },
        { "channel": "SMS", "value": "+1 201 555 0142" } ] })
}

async fn auto_merge_app(backend: Backend) -> Option<TestApp> {
    common::spawn_app_with(backend, |c| c.merge.auto_merge = true).await
}

async fn auto_merge_joins_compatible_contacts(app: TestApp) {
    let (oldest, younger) = twins(&app, None).await;
    let reply = app.gql(RESOLVE, json!({ "input": twins_call() })).await;
    let result = reply.data()["resolveContact"].clone();
    assert_eq!(result["outcome"], "MATCHED");
    let survivor = gid(NodeType::Contact, oldest.id);
    assert_eq!(result["contact"]["id"], survivor, "the oldest survives");
    assert_eq!(result["contact"]["identities"].as_array().unwrap().len(), 3);
    let conflict = &result["conflict"];
    assert_eq!(conflict["status"], "MERGED");
    assert_eq!(conflict["resolvedBy"], "auto-merge");
    assert_eq!(conflict["survivor"]["id"], survivor);
    assert!(
        contact::Entity::find_by_id(younger.id)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
    let merges = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq(AuditAction::Merge))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(merges.len(), 2);
    assert!(merges.iter().all(|e| e.actor == "auto-merge"));

    // Contacts created by `resolveContact` carry an identity as surname: a placeholder.
    let created = |value: &str, channel: &str| json!({ "identities": [{ "channel": channel, "value": value }] });
    for input in [
        created("solo@example.com", "EMAIL"),
        created("+1 201 555 0166", "SMS"),
    ] {
        let reply = app.gql(RESOLVE, json!({ "input": input })).await;
        assert_eq!(reply.data()["resolveContact"]["outcome"], "CREATED");
    }
    let both = json!({ "identities": [
        { "channel": "EMAIL", "value": "solo@example.com" },
        { "channel": "SMS", "value": "+1 201 555 0166" } ] });
    let reply = app.gql(RESOLVE, json!({ "input": both })).await;
    assert_eq!(reply.data()["resolveContact"]["outcome"], "MATCHED");
    assert_eq!(
        reply.data()["resolveContact"]["conflict"]["status"],
        "MERGED"
    );
}

async fn auto_merge_keeps_conflicting_contacts_apart(app: TestApp) {
    twins(&app, Some("Rome")).await;
    let reply = app.gql(RESOLVE, json!({ "input": twins_call() })).await;
    let result = reply.data()["resolveContact"].clone();
    assert_eq!(result["outcome"], "CONFLICT");
    assert_eq!(result["conflict"]["status"], "OPEN");
    assert_eq!(contact::Entity::find().count(&app.db).await.unwrap(), 2);
}

mod auto_merge_on {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn compatible_contacts_are_merged_sqlite() {
        let app = auto_merge_app(Backend::Sqlite).await.unwrap();
        auto_merge_joins_compatible_contacts(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn compatible_contacts_are_merged_postgres() {
        if let Some(app) = auto_merge_app(Backend::Postgres).await {
            auto_merge_joins_compatible_contacts(app).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn conflicting_contacts_stay_open_sqlite() {
        let app = auto_merge_app(Backend::Sqlite).await.unwrap();
        auto_merge_keeps_conflicting_contacts_apart(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn conflicting_contacts_stay_open_postgres() {
        if let Some(app) = auto_merge_app(Backend::Postgres).await {
            auto_merge_keeps_conflicting_contacts_apart(app).await;
        }
    }
}

both_backends!(auto_merge_is_off_by_default, |app| {
    twins(&app, None).await;
    let reply = app.gql(RESOLVE, json!({ "input": twins_call() })).await;
    let result = reply.data()["resolveContact"].clone();
    assert_eq!(result["outcome"], "CONFLICT");
    assert_eq!(result["conflict"]["status"], "OPEN");
    assert_eq!(contact::Entity::find().count(&app.db).await.unwrap(), 2);
});
