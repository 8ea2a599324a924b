//! `mergeContacts`: what moves, which values win, redirects of merged ids, and atomicity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use entity::enums::{CommunicationKind, IdentityChannel};
use entity::{contact, contact_identity, contact_redirect, incident};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use common::world::{self, gid};
use common::{TestApp, fixtures};

const MERGE: &str = "mutation($input: MergeContactsInput!) { mergeContacts(input: $input) {
    mergedContactId
    contact { id lastName firstName jobTitle city version account { name }
              identities { normalizedValue } communicationMethods { value }
              incidents { totalCount } opportunities { totalCount } auditLog { totalCount } } } }";

async fn snapshot(app: &TestApp) -> (u64, u64, u64, u64, u64) {
    (
        contact::Entity::find().count(&app.db).await.unwrap(),
        contact_identity::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        incident::Entity::find().count(&app.db).await.unwrap(),
        common::record_audit_entries(&app.db).await,
        contact_redirect::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
    )
}

both_backends!(a_merge_moves_everything_and_fills_empty_fields, |app| {
    let w = world::build(&app.db).await;
    // Bob (survivor) has no city; Ada has identities, a method, a case, a sale and a log.
    fixtures::method(
        &app.db,
        None,
        Some(w.bob.id),
        CommunicationKind::Phone,
        "+1 201 555 0150",
    )
    .await;
    let input = json!({ "survivorId": gid(NodeType::Contact, w.bob.id), "mergedId": gid(NodeType::Contact, w.ada.id) });
    let reply = app.gql(MERGE, json!({ "input": input })).await;
    let merged = reply.data()["mergeContacts"].clone();
    assert_eq!(merged["mergedContactId"], gid(NodeType::Contact, w.ada.id));
    let bob = &merged["contact"];
    assert_eq!(bob["id"], gid(NodeType::Contact, w.bob.id));
    assert_eq!(
        bob["lastName"], "Babbage",
        "the survivor wins conflicting fields"
    );
    assert_eq!(bob["version"], 2);
    assert_eq!(bob["identities"].as_array().unwrap().len(), 3);
    assert_eq!(bob["communicationMethods"].as_array().unwrap().len(), 2);
    assert_eq!(bob["incidents"]["totalCount"], 2);
    assert_eq!(bob["opportunities"]["totalCount"], 1);
    assert!(
        bob["auditLog"]["totalCount"].as_u64().unwrap() >= 4,
        "Ada's log shows in Bob's: {bob}"
    );

    let owner = app
        .gql(
            "{ contactByIdentity(channel: EMAIL, value: \"ada@example.com\") { lastName } }",
            json!({}),
        )
        .await;
    assert_eq!(owner.data()["contactByIdentity"]["lastName"], "Babbage");
    let acme = app
        .gql(
            "query($id: ID!) { account(id: $id) { primaryContact { lastName } } }",
            json!({ "id": gid(NodeType::Account, w.acme.id) }),
        )
        .await;
    assert_eq!(
        acme.data()["account"]["primaryContact"]["lastName"],
        "Babbage",
        "same account: the survivor takes over"
    );

    let log = app.gql("query($id: ID!) { contact(id: $id) { auditLog(last: 1) { edges { node { action changes { field } } } } } }", json!({ "id": gid(NodeType::Contact, w.bob.id) })).await;
    let entry = &log.data()["contact"]["auditLog"]["edges"][0]["node"];
    assert_eq!(entry["action"], "MERGE");
    let fields: Vec<&str> = entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"mergedId")
            && fields.contains(&"moved")
            && fields.contains(&"mergedContact"),
        "{fields:?}"
    );
});

both_backends!(
    merged_ids_redirect_for_reads_and_updates_but_not_destruction,
    |app| {
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
        // a chain: Bob into Cy; Ada must now resolve to Cy in one hop
        app.gql(
            MERGE,
            json!({ "input": { "survivorId": cy, "mergedId": bob } }),
        )
        .await
        .data();

        let reads = app
            .gql(
                "query($a: ID!, $b: ID!) { contact(id: $a) { id lastName } node(id: $b) { id } }",
                json!({ "a": ada, "b": bob }),
            )
            .await;
        assert_eq!(reads.data()["contact"]["id"], cy);
        assert_eq!(reads.data()["node"]["id"], cy);

        let update = "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id jobTitle } } }";
        let updated = app
            .gql(
                update,
                json!({ "input": { "id": ada, "jobTitle": "Founder" } }),
            )
            .await;
        assert_eq!(
            updated.data()["updateContact"]["contact"]["id"],
            cy,
            "updates act on the survivor"
        );

        let delete = "mutation($input: DeleteContactInput!) { deleteContact(input: $input) { deletedContactId } }";
        let reply = app
            .gql(
                delete,
                json!({ "input": { "id": ada, "reassignTo": gid(NodeType::Contact, w.dee.id) } }),
            )
            .await;
        assert_eq!(reply.error_code(), "CONFLICT");
        assert_eq!(reply.body["errors"][0]["extensions"]["survivorId"], cy);
        let reply = app
            .gql(
                MERGE,
                json!({ "input": { "survivorId": cy, "mergedId": ada } }),
            )
            .await;
        assert_eq!(reply.error_code(), "CONFLICT");

        // deleting the survivor deletes the redirects that point at it
        let reply = app
            .gql(
                delete,
                json!({ "input": { "id": cy, "reassignTo": gid(NodeType::Contact, w.dee.id) } }),
            )
            .await;
        reply.data();
        assert_eq!(
            contact_redirect::Entity::find()
                .count(&app.db)
                .await
                .unwrap(),
            0
        );
        let gone = app
            .gql(
                "query($a: ID!) { contact(id: $a) { id } }",
                json!({ "a": ada }),
            )
            .await;
        assert_eq!(gone.data()["contact"], Value::Null);
    }
);

both_backends!(bad_merges_are_refused_and_write_nothing, |app| {
    let w = world::build(&app.db).await;
    let before = snapshot(&app).await;
    let (ada, dee) = (
        gid(NodeType::Contact, w.ada.id),
        gid(NodeType::Contact, w.dee.id),
    );
    let reply = app
        .gql(
            MERGE,
            json!({ "input": { "survivorId": ada, "mergedId": ada } }),
        )
        .await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    let unknown = gid(NodeType::Contact, uuid::Uuid::now_v7());
    let reply = app
        .gql(
            MERGE,
            json!({ "input": { "survivorId": ada, "mergedId": unknown } }),
        )
        .await;
    assert_eq!(reply.error_code(), "NOT_FOUND");
    let reply = app
        .gql(
            MERGE,
            json!({ "input": { "survivorId": ada, "mergedId": dee } }),
        )
        .await;
    assert_eq!(reply.error_code(), "CONFLICT", "Acme and Globex differ");
    assert_eq!(snapshot(&app).await, before);

    let reply = app
        .gql(
            MERGE,
            json!({ "input": { "survivorId": ada, "mergedId": dee, "allowCrossAccount": true } }),
        )
        .await;
    assert_eq!(
        reply.data()["mergeContacts"]["contact"]["account"]["name"],
        "Acme",
        "the survivor's account stays"
    );
});

both_backends!(
    a_failure_on_the_last_step_leaves_the_database_as_it_was,
    |app| {
        let w = world::build(&app.db).await;
        fixtures::identity(&app.db, w.cy.id, IdentityChannel::Wechat, "cy_wx", "cy_wx").await;
        let before = snapshot(&app).await;
        // A redirect row for Cy's id already exists, so the merge fails when it writes its own
        // redirect: after identities, methods, cases and accounts were already changed.
        app.db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            app.db.get_database_backend(),
            match app.backend {
                common::Backend::Sqlite => "INSERT INTO contact_redirect (merged_id, survivor_id, merged_at, actor) VALUES (?, ?, ?, 'test')",
                common::Backend::Postgres => "INSERT INTO contact_redirect (merged_id, survivor_id, merged_at, actor) VALUES ($1, $2, $3, 'test')",
            },
            [w.cy.id.into(), w.bob.id.into(), chrono::Utc::now().into()],
        ))
        .await
        .unwrap();
        let before = (before.0, before.1, before.2, before.3, before.4 + 1);
        let input = json!({ "survivorId": gid(NodeType::Contact, w.bob.id), "mergedId": gid(NodeType::Contact, w.cy.id) });
        let reply = app.gql(MERGE, json!({ "input": input })).await;
        assert!(reply.body["errors"].is_array(), "{}", reply.body);
        assert_eq!(snapshot(&app).await, before);
        let cy = app
            .gql(
                "{ contactByIdentity(channel: WECHAT, value: \"cy_wx\") { lastName } }",
                json!({}),
            )
            .await;
        assert_eq!(
            cy.data()["contactByIdentity"]["lastName"],
            "Cyrus",
            "the identity did not move"
        );
    }
);
