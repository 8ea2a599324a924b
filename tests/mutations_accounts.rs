//! Account mutations over HTTP and through the service: rules, error codes, partial updates,
//! audit entries, atomicity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::auth::Principal;
use contacts_graph::graphql::ids::NodeType;
use contacts_graph::service::accounts::{self, AccountPatch};
use contacts_graph::service::patch::Patch;
use contacts_graph::service::scope::ScopedDb;
use entity::enums::{AuditAction, AuditEntityType, CommunicationKind};
use entity::{account, audit_entry, communication_method};
use phonenumber::country;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use common::world::{self, gid};
use common::{Backend, Reply, TestApp, fixtures};

const CREATE: &str = "mutation($input: CreateAccountInput!) { createAccount(input: $input) {
    account { id name isCustomer isPartner phone website street city state postalCode country notes
              partner { name } primaryContact { lastName } } } }";
const UPDATE: &str = "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) {
    account { id name isCustomer isPartner phone website city country notes updatedAt
              partner { name } primaryContact { lastName } } } }";
const DELETE: &str =
    "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { deletedAccountId } }";

/// Accounts, methods and audit entries stored.
async fn rows(app: &TestApp) -> (u64, u64, u64) {
    (
        account::Entity::find().count(&app.db).await.unwrap(),
        communication_method::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        common::record_audit_entries(&app.db).await,
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

fn message(reply: &Reply) -> String {
    reply.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Asserts the error code and that the message names `needle`.
fn assert_refused(reply: &Reply, code: &str, needle: &str, case: &Value) {
    assert_eq!(reply.error_code(), code, "{case}: {:#}", reply.body);
    let message = message(reply);
    assert!(
        message.contains(needle),
        "{case}: `{message}` should name {needle}"
    );
}

fn account_id(reply: &Reply, field: &str) -> Uuid {
    let id = reply.data()[field]["account"]["id"].as_str().unwrap();
    contacts_graph::graphql::ids::GlobalId::parse_as(id, NodeType::Account).unwrap()
}

both_backends!(create_validates_normalizes_and_audits, |app| {
    let partner = fixtures::partner(&app.db, "Northwind").await;
    let input = json!({
        "name": "  Initech ", "isCustomer": true, "partnerId": gid(NodeType::Account, partner.id),
        "phone": "(201) 555-0100", "website": "https://initech.example", "street": " 1 Main St ",
        "city": "Austin", "notes": "   ", "country": null
    });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    let account = reply.data()["createAccount"]["account"].clone();
    assert_eq!(account["name"], "Initech", "trimmed");
    assert_eq!(account["isCustomer"], true);
    assert_eq!(account["isPartner"], false, "defaults to false");
    assert_eq!(
        account["phone"], "+12015550100",
        "E.164 in the default region"
    );
    assert_eq!(account["website"], "https://initech.example");
    assert_eq!(account["street"], "1 Main St");
    assert_eq!(account["notes"], Value::Null, "blank means absent");
    assert_eq!(account["partner"]["name"], "Northwind");
    assert_eq!(account["primaryContact"], Value::Null);

    let id = account_id(&reply, "createAccount");
    let entries = entries_of(&app, id).await;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(
        (entry.action, entry.entity_type),
        (AuditAction::Create, AuditEntityType::Account)
    );
    assert_eq!(entry.contact_id, None, "account entries concern no contact");
    assert_eq!(entry.actor, "test-admin");
    assert_eq!(
        entry.changes["name"],
        json!({ "before": null, "after": "Initech" })
    );
    assert_eq!(
        entry.changes["partnerId"]["after"],
        json!(partner.id.to_string())
    );
    assert!(
        entry.changes.get("notes").is_none(),
        "unset fields are not listed"
    );

    // a partner only
    let input = json!({ "name": "Resellers Inc", "isPartner": true });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    let account = &reply.data()["createAccount"]["account"];
    assert_eq!(
        (account["isCustomer"].clone(), account["isPartner"].clone()),
        (json!(false), json!(true))
    );
});

both_backends!(invalid_creations_are_refused_and_write_nothing, |app| {
    let partner = fixtures::partner(&app.db, "Northwind").await;
    let customer = fixtures::account(&app.db, "Acme", None).await;
    let before = rows(&app).await;
    let cases = [
        (json!({ "name": "  ", "isCustomer": true }), "name"),
        (
            json!({ "name": "X".repeat(201), "isCustomer": true }),
            "name",
        ),
        (json!({ "name": "X" }), "isCustomer"),
        (
            json!({ "name": "X", "isCustomer": false, "isPartner": false }),
            "isPartner",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "phone": "12" }),
            "phone",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "website": "initech.example" }),
            "website",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "website": "ftp://initech.example" }),
            "website",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "notes": "n".repeat(10_001) }),
            "notes",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "city": "c".repeat(201) }),
            "city",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "partnerId": gid(NodeType::Account, customer.id) }),
            "partnerId",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "partnerId": gid(NodeType::Contact, partner.id) }),
            "Account",
        ),
        (
            json!({ "name": "X", "isCustomer": true, "partnerId": "not-an-id" }),
            "not-an-id",
        ),
    ];
    for (input, needle) in cases {
        let reply = app.gql(CREATE, json!({ "input": input })).await;
        assert_refused(&reply, "BAD_USER_INPUT", needle, &input);
    }
    let input = json!({ "name": "X", "isCustomer": true, "partnerId": gid(NodeType::Account, Uuid::now_v7()) });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    assert_refused(&reply, "NOT_FOUND", "partnerId", &input);
    assert_eq!(rows(&app).await, before, "nothing written");
});

both_backends!(updates_are_partial_and_audit_only_real_changes, |app| {
    let acme = fixtures::account(&app.db, "Acme", None).await;
    let id = gid(NodeType::Account, acme.id);
    let input = json!({ "id": id, "name": "Acme Corp", "notes": "Key account", "phone": "+44 20 7946 0958" });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    let account = reply.data()["updateAccount"]["account"].clone();
    assert_eq!(account["name"], "Acme Corp");
    assert_eq!(account["notes"], "Key account");
    assert_eq!(account["phone"], "+442079460958");
    assert_eq!(account["city"], "Berlin", "omitted fields are kept");
    assert_eq!(account["website"], "https://example.com");
    assert_eq!(account["isCustomer"], true);

    let entries = entries_of(&app, acme.id).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, AuditAction::Update);
    assert_eq!(entries[0].contact_id, None);
    let mut fields: Vec<_> = entries[0]
        .changes
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    fields.sort();
    assert_eq!(fields, ["name", "notes", "phone"]);
    assert_eq!(
        entries[0].changes["name"],
        json!({ "before": "Acme", "after": "Acme Corp" })
    );

    // null clears, a blank text clears too
    let input = json!({ "id": id, "website": null, "city": "  ", "country": null });
    let account =
        app.gql(UPDATE, json!({ "input": input })).await.data()["updateAccount"]["account"].clone();
    assert_eq!(
        (
            account["website"].clone(),
            account["city"].clone(),
            account["country"].clone()
        ),
        (Value::Null, Value::Null, Value::Null)
    );
    assert_eq!(
        account["notes"], "Key account",
        "still kept after a second update"
    );

    // an update that changes nothing writes nothing
    let before = rows(&app).await;
    let input = json!({ "id": id, "name": " Acme Corp ", "isCustomer": true, "website": null });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    assert_eq!(
        reply.data()["updateAccount"]["account"]["updatedAt"],
        account["updatedAt"]
    );
    assert_eq!(rows(&app).await, before, "no entry for a no-op update");
    assert_eq!(entries_of(&app, acme.id).await.len(), 2);

    // invalid changes are refused and write nothing
    let cases = [
        (json!({ "id": id, "name": "" }), "BAD_USER_INPUT", "name"),
        (
            json!({ "id": id, "isCustomer": false }),
            "BAD_USER_INPUT",
            "isCustomer",
        ),
        (
            json!({ "id": id, "phone": "call me" }),
            "BAD_USER_INPUT",
            "phone",
        ),
        (
            json!({ "id": id, "website": "mailto:x@example.com" }),
            "BAD_USER_INPUT",
            "website",
        ),
        (
            json!({ "id": id, "notes": "n".repeat(10_001) }),
            "BAD_USER_INPUT",
            "notes",
        ),
        (
            json!({ "id": gid(NodeType::Contact, acme.id), "name": "X" }),
            "BAD_USER_INPUT",
            "Account",
        ),
        (
            json!({ "id": gid(NodeType::Account, Uuid::now_v7()), "name": "X" }),
            "NOT_FOUND",
            "account",
        ),
    ];
    for (input, code, needle) in cases {
        let reply = app.gql(UPDATE, json!({ "input": input })).await;
        assert_refused(&reply, code, needle, &input);
    }
    // `name` cannot be cleared: `null` keeps it, like an omitted field
    let reply = app
        .gql(UPDATE, json!({ "input": { "id": id, "name": null } }))
        .await;
    assert_eq!(
        reply.data()["updateAccount"]["account"]["name"],
        "Acme Corp"
    );
    assert_eq!(rows(&app).await, before, "nothing written");
});

both_backends!(partner_rules, |app| {
    let w = world::build(&app.db).await;
    let globex = gid(NodeType::Account, w.globex.id);
    let before = rows(&app).await;
    let cases = [
        (
            json!({ "id": globex, "partnerId": globex }),
            "BAD_USER_INPUT",
            "partnerId",
        ),
        (
            json!({ "id": globex, "partnerId": gid(NodeType::Account, w.acme.id) }),
            "BAD_USER_INPUT",
            "partnerId",
        ),
        (
            json!({ "id": globex, "partnerId": gid(NodeType::Account, Uuid::now_v7()) }),
            "NOT_FOUND",
            "partnerId",
        ),
    ];
    for (input, code, needle) in cases {
        let reply = app.gql(UPDATE, json!({ "input": input })).await;
        assert_refused(&reply, code, needle, &input);
    }
    assert_eq!(rows(&app).await, before, "nothing written");

    let input = json!({ "id": globex, "partnerId": gid(NodeType::Account, w.partner.id) });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    assert_eq!(
        reply.data()["updateAccount"]["account"]["partner"]["name"],
        "Northwind"
    );

    // a partner that still serves customers stays a partner
    let northwind = gid(NodeType::Account, w.partner.id);
    let before = rows(&app).await;
    let input = json!({ "id": northwind, "isPartner": false, "isCustomer": true });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    assert_refused(&reply, "CONFLICT", "isPartner", &input);
    assert_eq!(reply.body["errors"][0]["extensions"]["customers"], 2);
    assert_eq!(rows(&app).await, before, "nothing written");
    let stored = account::Entity::find_by_id(w.partner.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.is_partner && !stored.is_customer);

    let unserved = json!({ "id": northwind, "isPartner": false, "isCustomer": true });
    for customer in [&w.acme, &w.globex] {
        let input = json!({ "id": gid(NodeType::Account, customer.id), "partnerId": null });
        let reply = app.gql(UPDATE, json!({ "input": input })).await;
        assert_eq!(
            reply.data()["updateAccount"]["account"]["partner"],
            Value::Null
        );
    }
    let reply = app.gql(UPDATE, json!({ "input": unserved })).await;
    let account = &reply.data()["updateAccount"]["account"];
    assert_eq!(
        (account["isPartner"].clone(), account["isCustomer"].clone()),
        (json!(false), json!(true))
    );
    let entry = entries_of(&app, w.partner.id).await.pop().unwrap();
    assert_eq!(
        entry.changes,
        json!({ "isPartner": { "before": true, "after": false },
                "isCustomer": { "before": false, "after": true } })
    );
});

both_backends!(primary_contact_must_be_an_own_contact, |app| {
    let w = world::build(&app.db).await;
    let acme = gid(NodeType::Account, w.acme.id);
    let before = rows(&app).await;
    let cases = [
        (
            w.dee.id,
            NodeType::Contact,
            "BAD_USER_INPUT",
            "primaryContactId",
        ),
        (
            w.loner.id,
            NodeType::Contact,
            "BAD_USER_INPUT",
            "primaryContactId",
        ),
        (
            Uuid::now_v7(),
            NodeType::Contact,
            "NOT_FOUND",
            "primaryContactId",
        ),
        (w.ada.id, NodeType::Account, "BAD_USER_INPUT", "Contact"),
    ];
    for (contact, node_type, code, needle) in cases {
        let input = json!({ "id": acme, "primaryContactId": gid(node_type, contact) });
        let reply = app.gql(UPDATE, json!({ "input": input })).await;
        assert_refused(&reply, code, needle, &input);
    }
    assert_eq!(rows(&app).await, before, "nothing written");

    let input = json!({ "id": acme, "primaryContactId": gid(NodeType::Contact, w.bob.id) });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    assert_eq!(
        reply.data()["updateAccount"]["account"]["primaryContact"]["lastName"],
        "Babbage"
    );
    let entry = entries_of(&app, w.acme.id).await.pop().unwrap();
    assert_eq!(
        entry.changes,
        json!({ "primaryContactId": { "before": w.ada.id.to_string(), "after": w.bob.id.to_string() } })
    );

    let input = json!({ "id": acme, "primaryContactId": null });
    let reply = app.gql(UPDATE, json!({ "input": input })).await;
    assert_eq!(
        reply.data()["updateAccount"]["account"]["primaryContact"],
        Value::Null
    );
    assert_eq!(
        reply.data()["updateAccount"]["account"]["name"],
        "Acme",
        "kept"
    );

    // a new account has no contacts, so the create input has no primary contact
    let input = json!({ "name": "X", "isCustomer": true, "primaryContactId": gid(NodeType::Contact, w.bob.id) });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
});

both_backends!(referenced_accounts_cannot_be_deleted, |app| {
    let w = world::build(&app.db).await;
    let before = rows(&app).await;
    let expected = [
        (&w.acme, [3, 2, 1, 0]),
        (&w.globex, [1, 1, 1, 0]),
        // the partner reported one of Acme's incidents and serves Acme
        (&w.partner, [0, 1, 0, 1]),
    ];
    for (account, counts) in expected {
        let input = json!({ "id": gid(NodeType::Account, account.id) });
        let reply = app.gql(DELETE, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), "CONFLICT", "{}", account.name);
        let extensions = &reply.body["errors"][0]["extensions"];
        let got = ["contacts", "incidents", "opportunities", "customers"]
            .map(|kind| extensions[kind].as_u64().unwrap());
        assert_eq!(got, counts, "{}", account.name);
    }
    assert_eq!(rows(&app).await, before, "nothing written");

    let unknown = json!({ "id": gid(NodeType::Account, Uuid::now_v7()) });
    let reply = app.gql(DELETE, json!({ "input": unknown })).await;
    assert_eq!(reply.error_code(), "NOT_FOUND");
    let wrong_type = json!({ "id": gid(NodeType::Contact, w.ada.id) });
    let reply = app.gql(DELETE, json!({ "input": wrong_type })).await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
});

both_backends!(delete_takes_the_methods_along_and_is_audited, |app| {
    let initech = fixtures::account(&app.db, "Initech", None).await;
    let phone = fixtures::method(
        &app.db,
        Some(initech.id),
        None,
        CommunicationKind::Phone,
        "+12015550100",
    )
    .await;
    let fax = fixtures::method(
        &app.db,
        Some(initech.id),
        None,
        CommunicationKind::Fax,
        "+12015550101",
    )
    .await;
    let (accounts_before, methods_before, audit_before) = rows(&app).await;
    let id = gid(NodeType::Account, initech.id);
    let reply = app.gql(DELETE, json!({ "input": { "id": id } })).await;
    assert_eq!(reply.data()["deleteAccount"]["deletedAccountId"], id);
    assert_eq!(
        rows(&app).await,
        (accounts_before - 1, methods_before - 2, audit_before + 3)
    );
    let query = "query($id: ID!) { account(id: $id) { name } node(id: $id) { id } }";
    let data = app.gql(query, json!({ "id": id })).await.data().clone();
    assert_eq!(data, json!({ "account": null, "node": null }));

    let entry = entries_of(&app, initech.id).await.pop().unwrap();
    assert_eq!(entry.action, AuditAction::Delete);
    assert_eq!(entry.contact_id, None);
    assert_eq!(
        entry.changes["name"],
        json!({ "before": "Initech", "after": null })
    );
    for method in [&phone, &fax] {
        let entries = entries_of(&app, method.id).await;
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].action, entries[0].entity_type),
            (AuditAction::Delete, AuditEntityType::CommunicationMethod)
        );
        assert_eq!(entries[0].operation_id, entry.operation_id);
    }
    // the log outlives the record
    let log = "{ auditEntries(last: 3) { edges { node { action entityType entityId } } } }";
    let data = app.gql(log, json!({})).await.data().clone();
    assert_eq!(
        data["auditEntries"]["edges"][0]["node"],
        json!({ "action": "DELETE", "entityType": "ACCOUNT", "entityId": id })
    );

    let reply = app.gql(DELETE, json!({ "input": { "id": id } })).await;
    assert_eq!(reply.error_code(), "NOT_FOUND", "already gone");
});

both_backends!(service_rules_hold_without_http, |app| {
    let db = ScopedDb::new(app.db.clone(), &Principal::system());
    let partner = fixtures::partner(&app.db, "Northwind").await;
    let fields = AccountPatch {
        name: Some(" Initech ".into()),
        is_customer: Some(true),
        partner_id: Patch::Set(partner.id),
        phone: Patch::Set("030 1234567".into()),
        ..AccountPatch::default()
    };
    let created = accounts::create(&db, country::Id::DE, fields)
        .await
        .unwrap();
    assert_eq!(created.name, "Initech");
    assert_eq!(
        created.phone.as_deref(),
        Some("+49301234567"),
        "the given region reads national numbers"
    );

    let err = accounts::create(&db, country::Id::DE, AccountPatch::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT");
    assert!(err.to_string().contains("name"));

    let turn_off = AccountPatch {
        is_partner: Some(false),
        is_customer: Some(true),
        ..AccountPatch::default()
    };
    let err = accounts::update(&db, country::Id::DE, partner.id, turn_off)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONFLICT");

    let unchanged = accounts::update(&db, country::Id::DE, created.id, AccountPatch::default())
        .await
        .unwrap();
    assert_eq!(unchanged, created);

    let err = accounts::delete(&db, partner.id).await.unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
    let deleted = accounts::delete(&db, created.id).await.unwrap();
    assert_eq!(deleted.id, created.id);
    assert_eq!(
        accounts::delete(&db, created.id).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    let actions: Vec<_> = entries_of(&app, created.id)
        .await
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(actions, [AuditAction::Create, AuditAction::Delete]);
});

async fn configured_region_reads_national_numbers(backend: Backend) {
    let Some(app) = common::spawn_app_with(backend, |config| {
        config.identity.default_region = "DE".into();
    })
    .await
    else {
        return;
    };
    let input = json!({ "name": "Berliner GmbH", "isCustomer": true, "phone": "030 1234567" });
    let reply = app.gql(CREATE, json!({ "input": input })).await;
    assert_eq!(
        reply.data()["createAccount"]["account"]["phone"],
        "+49301234567"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_region_reads_national_numbers_sqlite() {
    configured_region_reads_national_numbers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_region_reads_national_numbers_postgres() {
    configured_region_reads_national_numbers(Backend::Postgres).await;
}
