//! Communication-method mutations over HTTP and through the service: owners, value rules,
//! contact versions and opt-ins, audit entries, atomicity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::auth::Principal;
use contacts_graph::graphql::ids::{GlobalId, NodeType};
use contacts_graph::service::methods::{self, MethodOwner, MethodPatch, NewMethod};
use contacts_graph::service::patch::Patch;
use contacts_graph::service::scope::ScopedDb;
use entity::enums::{AuditAction, AuditEntityType, CommunicationKind};
use entity::{audit_entry, communication_method, contact};
use phonenumber::country;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use common::world::{self, gid};
use common::{Reply, TestApp, fixtures};

const CREATE: &str = "mutation($input: CreateCommunicationMethodInput!) {
    createCommunicationMethod(input: $input) {
        communicationMethod { id kind value label account { name } contact { lastName } }
        contact { lastName version emailOptIn smsOptIn communicationMethods { kind value } } } }";
const UPDATE: &str = "mutation($input: UpdateCommunicationMethodInput!) {
    updateCommunicationMethod(input: $input) {
        communicationMethod { id kind value label updatedAt }
        contact { version } } }";
const DELETE: &str = "mutation($input: DeleteCommunicationMethodInput!) {
    deleteCommunicationMethod(input: $input) {
        deletedCommunicationMethodId
        contact { version communicationMethods { kind } } } }";

/// Methods and audit entries stored, and every contact's version.
async fn state(app: &TestApp) -> (u64, u64, Vec<i32>) {
    let versions = contact::Entity::find()
        .order_by_asc(contact::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|contact| contact.version)
        .collect();
    (
        communication_method::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        common::record_audit_entries(&app.db).await,
        versions,
    )
}

async fn entries_of(app: &TestApp, entity_id: Uuid) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_entry::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn version_of(app: &TestApp, id: Uuid) -> i32 {
    contact::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .version
}

fn assert_refused(reply: &Reply, code: &str, needle: &str, case: &Value) {
    assert_eq!(reply.error_code(), code, "{case}: {:#}", reply.body);
    let message = reply.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "{case}: `{message}` should name {needle}"
    );
}

fn method_id(reply: &Reply) -> Uuid {
    let id = reply.data()["createCommunicationMethod"]["communicationMethod"]["id"]
        .as_str()
        .unwrap();
    GlobalId::parse_as(id, NodeType::CommunicationMethod).unwrap()
}

both_backends!(account_methods_are_validated_by_kind_and_audited, |app| {
    let w = world::build(&app.db).await;
    let acme = gid(NodeType::Account, w.acme.id);
    let cases = [
        ("PHONE", "(201) 555-0100 ", "+12015550100"),
        ("FAX", "+44 20 7946 0958", "+442079460958"),
        ("MOBILE", "201.555.0123", "+12015550123"),
        ("EMAIL", " Sales@AcmeCorp.com ", "Sales@AcmeCorp.com"),
        (
            "WEBSITE",
            "https://acme.example/contact",
            "https://acme.example/contact",
        ),
        (
            "POSTAL_ADDRESS",
            " 1 Main St\nSpringfield ",
            "1 Main St\nSpringfield",
        ),
    ];
    for (kind, value, stored) in cases {
        let input = json!({ "owner": { "account": acme }, "kind": kind, "value": value, "label": " Sales " });
        let reply = app.gql(CREATE, json!({ "input": input })).await;
        let data = &reply.data()["createCommunicationMethod"];
        assert_eq!(
            data["contact"],
            Value::Null,
            "an account's method has no contact"
        );
        let method = &data["communicationMethod"];
        assert_eq!(method["kind"], kind);
        assert_eq!(method["value"], stored, "{kind}");
        assert_eq!(method["label"], "Sales");
        assert_eq!(method["account"]["name"], "Acme");
        assert_eq!(method["contact"], Value::Null);

        let entries = entries_of(&app, method_id(&reply)).await;
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (
                entries[0].action,
                entries[0].entity_type,
                entries[0].contact_id
            ),
            (
                AuditAction::Create,
                AuditEntityType::CommunicationMethod,
                None
            )
        );
        assert_eq!(entries[0].changes["value"]["after"], stored);
        assert_eq!(
            entries[0].changes["accountId"]["after"],
            json!(w.acme.id.to_string())
        );
    }
    // a long postal address fits (bounded by the text limit, not the line limit)
    let long = "Building 7, ".repeat(100);
    let input = json!({ "owner": { "account": acme }, "kind": "POSTAL_ADDRESS", "value": long });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    assert_eq!(
        reply.data()["createCommunicationMethod"]["communicationMethod"]["value"],
        long.trim()
    );
});

both_backends!(invalid_methods_are_refused_and_write_nothing, |app| {
    let w = world::build(&app.db).await;
    let acme = gid(NodeType::Account, w.acme.id);
    let bob = gid(NodeType::Contact, w.bob.id);
    let before = state(&app).await;
    let bad_input = [
        (
            json!({ "owner": { "account": acme }, "kind": "EMAIL", "value": "sales at acme" }),
            "value",
        ),
        (
            json!({ "owner": { "account": acme }, "kind": "PHONE", "value": "12" }),
            "value",
        ),
        (
            json!({ "owner": { "account": acme }, "kind": "MOBILE", "value": "call me" }),
            "value",
        ),
        (
            json!({ "owner": { "contact": bob }, "kind": "FAX", "value": "+1" }),
            "value",
        ),
        (
            json!({ "owner": { "account": acme }, "kind": "WEBSITE", "value": "acme.example" }),
            "value",
        ),
        (
            json!({ "owner": { "account": acme }, "kind": "POSTAL_ADDRESS", "value": "  " }),
            "value",
        ),
        (
            json!({ "owner": { "account": acme }, "kind": "POSTAL_ADDRESS", "value": "x".repeat(10_001) }),
            "value",
        ),
        (
            json!({ "owner": { "account": acme }, "kind": "PHONE", "value": "+12015550100", "label": "l".repeat(201) }),
            "label",
        ),
        (
            json!({ "owner": { "account": bob }, "kind": "PHONE", "value": "+12015550100" }),
            "Account",
        ),
        (
            json!({ "owner": { "contact": acme }, "kind": "PHONE", "value": "+12015550100" }),
            "Contact",
        ),
        (
            json!({ "owner": { "account": acme }, "kind": "PHONE", "value": "+12015550100", "expectedVersion": 1 }),
            "expectedVersion",
        ),
    ];
    for (input, needle) in bad_input {
        let reply = app.gql(CREATE, json!({ "input": input })).await;
        assert_refused(&reply, "BAD_USER_INPUT", needle, &input);
    }
    // exactly one owner: `owner` is a @oneOf input, checked before any resolver runs
    for input in [
        json!({ "owner": { "account": acme, "contact": bob }, "kind": "PHONE", "value": "+12015550100" }),
        json!({ "owner": {}, "kind": "PHONE", "value": "+12015550100" }),
        json!({ "kind": "PHONE", "value": "+12015550100" }),
    ] {
        let reply = app.gql(CREATE, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED", "{input}");
    }
    let not_found = [
        (
            json!({ "owner": { "account": gid(NodeType::Account, Uuid::now_v7()) }, "kind": "PHONE", "value": "+12015550100" }),
            "account",
        ),
        (
            json!({ "owner": { "contact": gid(NodeType::Contact, Uuid::now_v7()) }, "kind": "PHONE", "value": "+12015550100" }),
            "contact",
        ),
    ];
    for (input, needle) in not_found {
        let reply = app.gql(CREATE, json!({ "input": input })).await;
        assert_refused(&reply, "NOT_FOUND", needle, &input);
    }
    let stale = json!({ "owner": { "contact": bob }, "kind": "MOBILE", "value": "+12015550123", "expectedVersion": 7 });
    let reply = app.gql(CREATE, json!({ "input": stale })).await;
    assert_refused(&reply, "CONFLICT", "version", &stale);
    let unknown_kind = json!({ "owner": { "account": acme }, "kind": "PIGEON", "value": "x" });
    let reply = app.gql(CREATE, json!({ "input": unknown_kind })).await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(
        state(&app).await,
        before,
        "nothing written, no version raised"
    );
});

both_backends!(a_contact_method_raises_the_version_and_opts_in, |app| {
    let w = world::build(&app.db).await;
    // fixtures start with emailOptIn on and smsOptIn off
    let bob = gid(NodeType::Contact, w.bob.id);
    let input = json!({ "owner": { "contact": bob }, "kind": "MOBILE", "value": "(201) 555-0177", "expectedVersion": 1 });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    let data = reply.data()["createCommunicationMethod"].clone();
    assert_eq!(data["communicationMethod"]["value"], "+12015550177");
    assert_eq!(
        data["communicationMethod"]["contact"]["lastName"],
        "Babbage"
    );
    assert_eq!(data["contact"]["lastName"], "Babbage");
    assert_eq!(data["contact"]["version"], 2);
    assert_eq!(
        data["contact"]["smsOptIn"], true,
        "a mobile number opts in to SMS"
    );
    assert_eq!(
        data["contact"]["communicationMethods"],
        json!([{ "kind": "MOBILE", "value": "+12015550177" }])
    );
    let method = method_id(&reply);
    let entries = entries_of(&app, method).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].contact_id,
        Some(w.bob.id),
        "the contact's log finds it"
    );
    let contact_entry = entries_of(&app, w.bob.id).await.pop().unwrap();
    assert_eq!(contact_entry.action, AuditAction::Update);
    assert_eq!(contact_entry.operation_id, entries[0].operation_id);
    assert_eq!(
        contact_entry.changes,
        json!({ "smsOptIn": { "before": false, "after": true } })
    );
    let log = "query($id: ID!) { contact(id: $id) { auditLog { edges { node { entityType action } } } } }";
    let data = app.gql(log, json!({ "id": bob })).await.data().clone();
    let kinds: Vec<_> = data["contact"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["entityType"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains(&"COMMUNICATION_METHOD".to_owned()),
        "{kinds:?}"
    );

    // an explicit optIn wins, and the version still rises
    let input = json!({ "owner": { "contact": bob }, "kind": "EMAIL", "value": "bob@example.com", "optIn": false });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    let contact = &reply.data()["createCommunicationMethod"]["contact"];
    assert_eq!(contact["emailOptIn"], false, "the input turned it off");
    assert_eq!(contact["version"], 3);
    let input = json!({ "owner": { "contact": bob }, "kind": "MOBILE", "value": "+12015550178", "optIn": false });
    let contact = app.gql(CREATE, json!({ "input": input })).await.data()
        ["createCommunicationMethod"]["contact"]
        .clone();
    assert_eq!(
        (contact["smsOptIn"].clone(), contact["version"].clone()),
        (json!(false), json!(4))
    );

    // other kinds leave the preferences alone but still change the contact
    let loner = gid(NodeType::Contact, w.loner.id);
    let input = json!({ "owner": { "contact": loner }, "kind": "PHONE", "value": "+12015550179" });
    let contact = app.gql(CREATE, json!({ "input": input })).await.data()
        ["createCommunicationMethod"]["contact"]
        .clone();
    assert_eq!(
        (
            contact["version"].clone(),
            contact["smsOptIn"].clone(),
            contact["emailOptIn"].clone()
        ),
        (json!(2), json!(false), json!(true))
    );
    let loner_entries = entries_of(&app, w.loner.id).await;
    assert!(
        loner_entries.is_empty(),
        "no contact entry when no preference moved"
    );

    // an e-mail method turns e-mail on for a contact that had it off
    let off = fixtures::contact(&app.db, None, "Off").await;
    let mut active = off.clone().into_active_model();
    active.email_opt_in = Set(false);
    active.update(&app.db).await.unwrap();
    let input = json!({ "owner": { "contact": gid(NodeType::Contact, off.id) }, "kind": "EMAIL", "value": "off@example.com" });
    let contact = app.gql(CREATE, json!({ "input": input })).await.data()
        ["createCommunicationMethod"]["contact"]
        .clone();
    assert_eq!(contact["emailOptIn"], true);
});

both_backends!(updates_are_partial_revalidated_and_versioned, |app| {
    let w = world::build(&app.db).await;
    let fax = fixtures::method(
        &app.db,
        None,
        Some(w.ada.id),
        CommunicationKind::Fax,
        "+12015550199",
    )
    .await;
    let id = gid(NodeType::CommunicationMethod, fax.id);

    let input = json!({ "id": id, "value": "201-555-0198", "expectedVersion": 1 });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    let data = reply.data()["updateCommunicationMethod"].clone();
    assert_eq!(data["communicationMethod"]["value"], "+12015550198");
    assert_eq!(
        data["communicationMethod"]["label"], "Main",
        "omitted fields are kept"
    );
    assert_eq!(data["communicationMethod"]["kind"], "FAX");
    assert_eq!(data["contact"]["version"], 2);
    let entry = entries_of(&app, fax.id).await.pop().unwrap();
    assert_eq!(
        (entry.action, entry.contact_id),
        (AuditAction::Update, Some(w.ada.id))
    );
    assert_eq!(
        entry.changes,
        json!({ "value": { "before": "+12015550199", "after": "+12015550198" } })
    );

    let input = json!({ "id": id, "label": null, "kind": "PHONE" });
    let data = app.gql(UPDATE, json!({ "input": input })).await.data()["updateCommunicationMethod"]
        .clone();
    assert_eq!(
        data["communicationMethod"]["label"],
        Value::Null,
        "null clears"
    );
    assert_eq!(data["communicationMethod"]["kind"], "PHONE");
    assert_eq!(data["communicationMethod"]["value"], "+12015550198");
    assert_eq!(data["contact"]["version"], 3);

    // a change to nothing writes nothing and keeps the version
    let before = state(&app).await;
    let input = json!({ "id": id, "value": "+1 201 555 0198", "label": null, "kind": "PHONE" });
    let data = app.gql(UPDATE, json!({ "input": input })).await.data()["updateCommunicationMethod"]
        .clone();
    assert_eq!(data["contact"]["version"], 3);
    assert_eq!(state(&app).await, before);

    let cases = [
        (
            json!({ "id": id, "kind": "EMAIL" }),
            "BAD_USER_INPUT",
            "value",
        ),
        (
            json!({ "id": id, "kind": "WEBSITE", "value": "+12015550198" }),
            "BAD_USER_INPUT",
            "value",
        ),
        (
            json!({ "id": id, "value": "  " }),
            "BAD_USER_INPUT",
            "value",
        ),
        (
            json!({ "id": id, "label": "l".repeat(201) }),
            "BAD_USER_INPUT",
            "label",
        ),
        (
            json!({ "id": id, "label": "Home", "expectedVersion": 2 }),
            "CONFLICT",
            "version",
        ),
        (
            json!({ "id": gid(NodeType::Contact, fax.id), "label": "Home" }),
            "BAD_USER_INPUT",
            "CommunicationMethod",
        ),
        (
            json!({ "id": gid(NodeType::CommunicationMethod, Uuid::now_v7()), "label": "Home" }),
            "NOT_FOUND",
            "communication method",
        ),
    ];
    for (input, code, needle) in cases {
        let reply = app.gql(UPDATE, json!({ "input": input })).await;
        assert_refused(&reply, code, needle, &input);
    }
    assert_eq!(state(&app).await, before, "nothing written");

    // the owner cannot be changed
    let input = json!({ "id": id, "contactId": gid(NodeType::Contact, w.bob.id) });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");

    // an account's method: no contact, no version
    let phone = fixtures::method(
        &app.db,
        Some(w.acme.id),
        None,
        CommunicationKind::Phone,
        "+12015550100",
    )
    .await;
    let account_method = gid(NodeType::CommunicationMethod, phone.id);
    let input = json!({ "id": account_method, "label": "Switchboard" });
    let data = app.gql(UPDATE, json!({ "input": input })).await.data()["updateCommunicationMethod"]
        .clone();
    assert_eq!(data["communicationMethod"]["label"], "Switchboard");
    assert_eq!(data["contact"], Value::Null);
    let entry = entries_of(&app, phone.id).await.pop().unwrap();
    assert_eq!(entry.contact_id, None);
    let input = json!({ "id": account_method, "label": "Main", "expectedVersion": 1 });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    assert_refused(&reply, "BAD_USER_INPUT", "expectedVersion", &input);
});

both_backends!(deletes_raise_the_version_and_are_audited, |app| {
    let w = world::build(&app.db).await;
    let fax = communication_method::Entity::find()
        .filter(communication_method::Column::ContactId.eq(w.ada.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let id = gid(NodeType::CommunicationMethod, fax.id);

    let before = state(&app).await;
    let stale = json!({ "id": id, "expectedVersion": 5 });
    let reply = app.gql(DELETE, json!({ "input": stale })).await;
    assert_refused(&reply, "CONFLICT", "version", &stale);
    assert_eq!(state(&app).await, before, "nothing written");

    let reply = app
        .gql(
            DELETE,
            json!({ "input": { "id": id, "expectedVersion": 1 } }),
        )
        .await;
    let data = reply.data()["deleteCommunicationMethod"].clone();
    assert_eq!(data["deletedCommunicationMethodId"], id);
    assert_eq!(
        data["contact"],
        json!({ "version": 2, "communicationMethods": [] })
    );
    let entry = entries_of(&app, fax.id).await.pop().unwrap();
    assert_eq!(
        (entry.action, entry.contact_id),
        (AuditAction::Delete, Some(w.ada.id))
    );
    assert_eq!(
        entry.changes["value"],
        json!({ "before": "+1 201 555 0199", "after": null })
    );
    assert_eq!(version_of(&app, w.ada.id).await, 2);

    let reply = app.gql(DELETE, json!({ "input": { "id": id } })).await;
    assert_eq!(reply.error_code(), "NOT_FOUND", "already gone");

    let phone = communication_method::Entity::find()
        .filter(communication_method::Column::AccountId.eq(w.acme.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let account_method = gid(NodeType::CommunicationMethod, phone.id);
    let input = json!({ "id": account_method, "expectedVersion": 1 });
    let reply = app.gql(DELETE, json!({ "input": input })).await;
    assert_refused(&reply, "BAD_USER_INPUT", "expectedVersion", &input);
    let reply = app
        .gql(DELETE, json!({ "input": { "id": account_method } }))
        .await;
    let data = reply.data()["deleteCommunicationMethod"].clone();
    assert_eq!(data["contact"], Value::Null);
    let entry = entries_of(&app, phone.id).await.pop().unwrap();
    assert_eq!(
        (entry.action, entry.contact_id),
        (AuditAction::Delete, None)
    );
    let query = "query($id: ID!) { node(id: $id) { id } }";
    let data = app
        .gql(query, json!({ "id": account_method }))
        .await
        .data()
        .clone();
    assert_eq!(data["node"], Value::Null);
});

both_backends!(service_rules_hold_without_http, |app| {
    let w = world::build(&app.db).await;
    let db = ScopedDb::new(app.db.clone(), &Principal::system());

    let new = NewMethod {
        owner: MethodOwner::Contact(w.bob.id),
        kind: CommunicationKind::Mobile,
        value: "0151 23456789".into(),
        label: None,
    };
    let change = methods::create(&db, country::Id::DE, new, None, Some(1))
        .await
        .unwrap();
    assert_eq!(
        change.method.value, "+4915123456789",
        "the given region reads national numbers"
    );
    let contact = change.contact.unwrap();
    assert_eq!((contact.version, contact.sms_opt_in), (2, true));

    let patch = MethodPatch {
        label: Patch::Set("Work".into()),
        ..MethodPatch::default()
    };
    let err = methods::update(
        &db,
        country::Id::DE,
        change.method.id,
        patch.clone(),
        Some(1),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
    let updated = methods::update(&db, country::Id::DE, change.method.id, patch, Some(2))
        .await
        .unwrap();
    assert_eq!(updated.method.label.as_deref(), Some("Work"));
    assert_eq!(updated.contact.unwrap().version, 3);

    let deleted = methods::delete(&db, change.method.id, None).await.unwrap();
    assert_eq!(deleted.method.id, change.method.id);
    assert_eq!(deleted.contact.unwrap().version, 4);
    let actions: Vec<_> = entries_of(&app, change.method.id)
        .await
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(
        actions,
        [
            AuditAction::Create,
            AuditAction::Update,
            AuditAction::Delete
        ]
    );
});
