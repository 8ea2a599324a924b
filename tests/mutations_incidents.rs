//! Incident mutations over HTTP (and the service without HTTP): rules, error codes, partial
//! updates, `closedAt`, audit entries and atomicity, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::auth::Principal;
use contacts_graph::graphql::ids::NodeType;
use contacts_graph::service::incidents::{self, IncidentPatch, NewIncident};
use contacts_graph::service::patch::Patch;
use contacts_graph::service::scope::ScopedDb;
use entity::enums::{AuditAction, AuditEntityType, IncidentStatus};
use entity::{audit_entry, incident};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use common::world::{self, gid};
use common::{Reply, TestApp, fixtures};

const FIELDS: &str = "id subject description status priority channel closedAt updatedAt
    account { name } primaryContact { lastName } reportedByPartner { name }";

fn create_query() -> String {
    format!(
        "mutation($input: CreateIncidentInput!) {{ createIncident(input: $input) {{ incident {{ {FIELDS} }} }} }}"
    )
}

fn update_query() -> String {
    format!(
        "mutation($input: UpdateIncidentInput!) {{ updateIncident(input: $input) {{ incident {{ {FIELDS} }} }} }}"
    )
}

fn change_query() -> String {
    format!(
        "mutation($input: ChangeIncidentContactInput!) {{ changeIncidentContact(input: $input) {{ incident {{ {FIELDS} }} }} }}"
    )
}

const DELETE: &str = "mutation($input: DeleteIncidentInput!) {
    deleteIncident(input: $input) { deletedIncidentId } }";

async fn create(app: &TestApp, input: Value) -> Reply {
    app.gql(&create_query(), json!({ "input": input })).await
}

async fn update(app: &TestApp, input: Value) -> Reply {
    app.gql(&update_query(), json!({ "input": input })).await
}

async fn change(app: &TestApp, input: Value) -> Reply {
    app.gql(&change_query(), json!({ "input": input })).await
}

fn created(reply: &Reply) -> Value {
    reply.data()["createIncident"]["incident"].clone()
}

fn updated(reply: &Reply) -> Value {
    reply.data()["updateIncident"]["incident"].clone()
}

/// (incidents, audit entries)
async fn rows(app: &TestApp) -> (u64, u64) {
    (
        incident::Entity::find().count(&app.db).await.unwrap(),
        common::record_audit_entries(&app.db).await,
    )
}

/// The audit entries about one record, oldest first.
async fn entries_about(app: &TestApp, id: Uuid) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::EntityId.eq(id))
        .order_by_asc(audit_entry::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

fn uuid_of(global: &Value) -> Uuid {
    contacts_graph::graphql::ids::GlobalId::parse(global.as_str().unwrap())
        .unwrap()
        .id
}

fn assert_error(reply: &Reply, code: &str, needle: &str) {
    assert_eq!(reply.error_code(), code, "{:#}", reply.body);
    let message = reply.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "`{message}` should name `{needle}`"
    );
}

both_backends!(create_applies_defaults_and_audits, |app| {
    let w = world::build(&app.db).await;
    let before = rows(&app).await;
    let bob = gid(NodeType::Contact, w.bob.id);
    let reply = create(
        &app,
        json!({ "subject": "  Cannot log in ", "primaryContactId": bob }),
    )
    .await;
    let case = created(&reply);
    assert_eq!(case["subject"], "Cannot log in", "trimmed");
    assert_eq!(case["status"], "NEW");
    assert_eq!(case["priority"], "NORMAL");
    assert_eq!(case["channel"], Value::Null);
    assert_eq!(case["description"], Value::Null);
    assert_eq!(case["closedAt"], Value::Null);
    assert_eq!(case["primaryContact"]["lastName"], "Babbage");
    assert_eq!(
        case["account"]["name"], "Acme",
        "defaults to the contact's account"
    );
    assert_eq!(case["reportedByPartner"], Value::Null);
    assert_eq!(rows(&app).await, (before.0 + 1, before.1 + 1));

    let entries = entries_about(&app, uuid_of(&case["id"])).await;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry.action, AuditAction::Create);
    assert_eq!(entry.entity_type, AuditEntityType::Incident);
    assert_eq!(
        entry.contact_id,
        Some(w.bob.id),
        "filed under the primary contact"
    );
    assert_eq!(entry.actor, "test-admin");
    assert_eq!(
        entry.changes["subject"],
        json!({ "before": null, "after": "Cannot log in" })
    );
    assert_eq!(
        entry.changes["status"],
        json!({ "before": null, "after": "NEW" })
    );
    assert_eq!(entry.changes["accountId"]["after"], json!(w.acme.id));
    assert!(
        entry.changes.get("closedAt").is_none(),
        "unset fields are not listed"
    );

    // the contact's own log shows the case
    let log = app
        .gql(
            "query($id: ID!) { contact(id: $id) { auditLog { edges { node { entityType action } } } } }",
            json!({ "id": bob }),
        )
        .await;
    assert_eq!(
        log.data()["contact"]["auditLog"]["edges"],
        json!([{ "node": { "entityType": "INCIDENT", "action": "CREATE" } }])
    );
});

both_backends!(create_account_is_defaulted_cleared_or_explicit, |app| {
    let w = world::build(&app.db).await;
    let bob = gid(NodeType::Contact, w.bob.id);
    let none = created(
        &create(
            &app,
            json!({ "subject": "S", "primaryContactId": bob, "accountId": null }),
        )
        .await,
    );
    assert_eq!(none["account"], Value::Null, "explicit null: no account");
    let explicit = json!({ "subject": "S", "primaryContactId": bob,
        "accountId": gid(NodeType::Account, w.globex.id) });
    assert_eq!(
        created(&create(&app, explicit).await)["account"]["name"],
        "Globex"
    );
    let loner = json!({ "subject": "S", "primaryContactId": gid(NodeType::Contact, w.loner.id) });
    assert_eq!(
        created(&create(&app, loner).await)["account"],
        Value::Null,
        "the contact has none"
    );

    let stored = incident::Entity::find_by_id(uuid_of(&none["id"]))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.account_id, None);
});

both_backends!(create_with_everything_and_a_closed_status, |app| {
    let w = world::build(&app.db).await;
    let input = json!({
        "subject": "Invoice", "description": "  Twice billed\nin March ", "status": "SOLVED",
        "priority": "URGENT", "channel": "PARTNER",
        "primaryContactId": gid(NodeType::Contact, w.ada.id),
        "reportedByPartnerId": gid(NodeType::Account, w.partner.id)
    });
    let case = created(&create(&app, input).await);
    assert_eq!(case["description"], "Twice billed\nin March");
    assert_eq!(case["status"], "SOLVED");
    assert_eq!(case["priority"], "URGENT");
    assert_eq!(case["channel"], "PARTNER");
    assert_eq!(case["reportedByPartner"]["name"], "Northwind");
    assert!(
        case["closedAt"].is_string(),
        "a case created solved is closed now"
    );
    assert_eq!(case["closedAt"], case["updatedAt"], "at the operation time");
});

both_backends!(invalid_creates_are_refused_and_write_nothing, |app| {
    let w = world::build(&app.db).await;
    let other_partner = fixtures::partner(&app.db, "Initech").await;
    let before = rows(&app).await;
    let bob = gid(NodeType::Contact, w.bob.id);
    let dee = gid(NodeType::Contact, w.dee.id);
    let missing = |node_type| gid(node_type, Uuid::now_v7());
    let cases = [
        (
            json!({ "subject": "  ", "primaryContactId": bob }),
            "BAD_USER_INPUT",
            "subject",
        ),
        (
            json!({ "subject": "x".repeat(201), "primaryContactId": bob }),
            "BAD_USER_INPUT",
            "subject",
        ),
        (
            json!({ "subject": "S", "description": "x".repeat(10_001), "primaryContactId": bob }),
            "BAD_USER_INPUT",
            "description",
        ),
        (
            json!({ "subject": "S", "primaryContactId": "nonsense" }),
            "BAD_USER_INPUT",
            "nonsense",
        ),
        (
            json!({ "subject": "S", "primaryContactId": gid(NodeType::Account, w.acme.id) }),
            "BAD_USER_INPUT",
            "expected a Contact",
        ),
        (
            json!({ "subject": "S", "primaryContactId": missing(NodeType::Contact) }),
            "NOT_FOUND",
            "primaryContactId",
        ),
        (
            json!({ "subject": "S", "primaryContactId": bob, "accountId": missing(NodeType::Account) }),
            "NOT_FOUND",
            "accountId",
        ),
        (
            json!({ "subject": "S", "primaryContactId": bob, "reportedByPartnerId": missing(NodeType::Account) }),
            "NOT_FOUND",
            "reportedByPartnerId",
        ),
        (
            // Globex is a customer, not a partner
            json!({ "subject": "S", "primaryContactId": dee, "reportedByPartnerId": gid(NodeType::Account, w.globex.id) }),
            "BAD_USER_INPUT",
            "reportedByPartnerId",
        ),
        (
            // Acme is served by Northwind, not by Initech
            json!({ "subject": "S", "primaryContactId": bob, "reportedByPartnerId": gid(NodeType::Account, other_partner.id) }),
            "BAD_USER_INPUT",
            "reportedByPartnerId",
        ),
    ];
    for (input, code, needle) in cases {
        let reply = create(&app, input.clone()).await;
        assert_error(&reply, code, needle);
    }
    let reply = create(
        &app,
        json!({ "subject": "S", "primaryContactId": bob, "status": "DONE" }),
    )
    .await;
    assert_eq!(
        reply.error_code(),
        "GRAPHQL_VALIDATION_FAILED",
        "enum values are checked"
    );
    let reply = create(&app, json!({ "subject": "S" })).await;
    assert_eq!(
        reply.error_code(),
        "GRAPHQL_VALIDATION_FAILED",
        "primaryContactId is required"
    );
    assert_eq!(
        rows(&app).await,
        before,
        "no incident and no audit entry written"
    );

    // any partner may report for an account without a partner, or for no account
    let ok = json!({ "subject": "S", "primaryContactId": dee, "reportedByPartnerId": gid(NodeType::Account, other_partner.id) });
    assert_eq!(
        created(&create(&app, ok).await)["reportedByPartner"]["name"],
        "Initech"
    );
    let ok = json!({ "subject": "S", "primaryContactId": gid(NodeType::Contact, w.loner.id),
        "reportedByPartnerId": gid(NodeType::Account, other_partner.id) });
    assert_eq!(
        created(&create(&app, ok).await)["reportedByPartner"]["name"],
        "Initech"
    );
});

both_backends!(updates_are_partial_and_audit_only_real_changes, |app| {
    let w = world::build(&app.db).await;
    let id = gid(NodeType::Incident, w.printer.id);
    let input = json!({ "id": id, "description": "Smoke", "channel": "PHONE", "priority": "HIGH" });
    let case = updated(&update(&app, input).await);
    assert_eq!(
        case["subject"], "Printer on fire",
        "omitted fields are kept"
    );
    assert_eq!(case["status"], "OPEN");
    assert_eq!(case["account"]["name"], "Acme");
    assert_eq!(
        (
            case["description"].clone(),
            case["channel"].clone(),
            case["priority"].clone()
        ),
        (json!("Smoke"), json!("PHONE"), json!("HIGH"))
    );

    let case = updated(
        &update(
            &app,
            json!({ "id": id, "description": null, "channel": null, "subject": "Printer" }),
        )
        .await,
    );
    assert_eq!(
        (case["description"].clone(), case["channel"].clone()),
        (Value::Null, Value::Null),
        "null clears"
    );
    assert_eq!(case["subject"], "Printer");
    assert_eq!(case["priority"], "HIGH", "kept");
    let case = updated(&update(&app, json!({ "id": id, "description": "x" })).await);
    let case_cleared = updated(&update(&app, json!({ "id": id, "description": "   " })).await);
    assert_eq!(
        (
            case["description"].clone(),
            case_cleared["description"].clone()
        ),
        (json!("x"), Value::Null),
        "blank clears"
    );

    let entries = entries_about(&app, w.printer.id).await;
    assert_eq!(entries.len(), 4);
    assert!(
        entries
            .iter()
            .all(|e| e.action == AuditAction::Update && e.contact_id == Some(w.bob.id))
    );
    assert_eq!(
        entries[0].changes,
        json!({ "description": { "before": null, "after": "Smoke" },
                "channel": { "before": null, "after": "PHONE" },
                "priority": { "before": "NORMAL", "after": "HIGH" } })
    );
    assert_eq!(
        entries[1].changes,
        json!({ "description": { "before": "Smoke", "after": null },
                "channel": { "before": "PHONE", "after": null },
                "subject": { "before": "Printer on fire", "after": "Printer" } })
    );

    // an update that changes nothing writes nothing
    let before = rows(&app).await;
    let same = updated(
        &update(
            &app,
            json!({ "id": id, "subject": "Printer", "priority": "HIGH", "status": "OPEN" }),
        )
        .await,
    );
    assert_eq!(same["updatedAt"], case_cleared["updatedAt"]);
    assert_eq!(rows(&app).await, before);
});

both_backends!(invalid_updates_are_refused_and_write_nothing, |app| {
    let w = world::build(&app.db).await;
    let other_partner = fixtures::partner(&app.db, "Initech").await;
    let hooli = fixtures::account(&app.db, "Hooli", Some(other_partner.id)).await;
    let before = rows(&app).await;
    let stored_before = incident::Entity::find()
        .order_by_asc(incident::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let reported = gid(NodeType::Incident, w.reported.id);
    let printer = gid(NodeType::Incident, w.printer.id);
    let cases = [
        (
            json!({ "id": printer, "subject": " " }),
            "BAD_USER_INPUT",
            "subject",
        ),
        (
            json!({ "id": printer, "subject": null }),
            "BAD_USER_INPUT",
            "subject",
        ),
        (
            json!({ "id": printer, "status": null }),
            "BAD_USER_INPUT",
            "status",
        ),
        (
            json!({ "id": printer, "priority": null }),
            "BAD_USER_INPUT",
            "priority",
        ),
        (
            json!({ "id": printer, "description": "x".repeat(10_001) }),
            "BAD_USER_INPUT",
            "description",
        ),
        (
            json!({ "id": gid(NodeType::Incident, Uuid::now_v7()), "subject": "S" }),
            "NOT_FOUND",
            "incident",
        ),
        (
            json!({ "id": gid(NodeType::Contact, w.bob.id), "subject": "S" }),
            "BAD_USER_INPUT",
            "expected a Incident",
        ),
        (
            json!({ "id": printer, "accountId": gid(NodeType::Account, Uuid::now_v7()) }),
            "NOT_FOUND",
            "accountId",
        ),
        (
            json!({ "id": printer, "reportedByPartnerId": gid(NodeType::Account, w.globex.id) }),
            "BAD_USER_INPUT",
            "reportedByPartnerId",
        ),
        (
            json!({ "id": printer, "reportedByPartnerId": gid(NodeType::Account, other_partner.id) }),
            "BAD_USER_INPUT",
            "reportedByPartnerId",
        ),
        // moving a case reported by Northwind to Globex keeps Northwind: fine (Globex has no
        // partner); moving it to an account served by another partner is not
        (
            json!({ "id": reported, "subject": "New subject", "accountId": gid(NodeType::Account, hooli.id) }),
            "BAD_USER_INPUT",
            "reportedByPartnerId",
        ),
    ];
    for (input, code, needle) in cases {
        let reply = update(&app, input.clone()).await;
        assert_error(&reply, code, needle);
    }
    assert_eq!(rows(&app).await, before, "nothing written");
    let stored_after = incident::Entity::find()
        .order_by_asc(incident::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored_before, stored_after, "every incident as before");

    // the same moves with the partner adjusted (or to an account without a partner) succeed
    let case = updated(
        &update(
            &app,
            json!({ "id": reported, "accountId": gid(NodeType::Account, w.globex.id) }),
        )
        .await,
    );
    assert_eq!(
        (
            case["account"]["name"].clone(),
            case["reportedByPartner"]["name"].clone()
        ),
        (json!("Globex"), json!("Northwind"))
    );
    let case = updated(
        &update(
            &app,
            json!({ "id": reported, "accountId": null, "reportedByPartnerId": null }),
        )
        .await,
    );
    assert_eq!(
        (case["account"].clone(), case["reportedByPartner"].clone()),
        (Value::Null, Value::Null)
    );
    let case = updated(
        &update(
            &app,
            json!({ "id": printer, "reportedByPartnerId": gid(NodeType::Account, w.partner.id) }),
        )
        .await,
    );
    assert_eq!(case["reportedByPartner"]["name"], "Northwind");
});

both_backends!(closing_sets_closed_at_and_reopening_clears_it, |app| {
    let w = world::build(&app.db).await;
    let id = gid(NodeType::Incident, w.outage.id);
    let pending = updated(&update(&app, json!({ "id": id, "status": "PENDING" })).await);
    assert_eq!(pending["closedAt"], Value::Null);

    let solved = updated(&update(&app, json!({ "id": id, "status": "SOLVED" })).await);
    assert!(solved["closedAt"].is_string());
    assert_eq!(
        solved["closedAt"], solved["updatedAt"],
        "the time of the change"
    );

    let other = updated(&update(&app, json!({ "id": id, "priority": "LOW" })).await);
    assert_eq!(
        other["closedAt"], solved["closedAt"],
        "other changes keep it"
    );
    let same = updated(
        &update(
            &app,
            json!({ "id": id, "status": "SOLVED", "priority": "HIGH" }),
        )
        .await,
    );
    assert_eq!(
        same["closedAt"], solved["closedAt"],
        "the same status is no change"
    );

    let closed = updated(&update(&app, json!({ "id": id, "status": "CLOSED" })).await);
    assert!(closed["closedAt"].is_string());
    assert_ne!(
        closed["closedAt"], solved["closedAt"],
        "SOLVED -> CLOSED is a change to CLOSED"
    );
    assert_eq!(closed["closedAt"], closed["updatedAt"]);

    for reopened in ["OPEN", "NEW", "PENDING"] {
        let case = updated(&update(&app, json!({ "id": id, "status": reopened })).await);
        assert_eq!(case["closedAt"], Value::Null, "{reopened} clears it");
        updated(&update(&app, json!({ "id": id, "status": "CLOSED" })).await);
    }

    let stored = incident::Entity::find_by_id(w.outage.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, IncidentStatus::Closed);
    assert!(stored.closed_at.is_some());
    let entries = entries_about(&app, w.outage.id).await;
    let solve = &entries[1];
    assert_eq!(
        solve.changes["status"],
        json!({ "before": "PENDING", "after": "SOLVED" })
    );
    assert_eq!(solve.changes["closedAt"]["before"], Value::Null);
    assert!(
        solve.changes["closedAt"]["after"].is_string(),
        "closedAt is audited"
    );
});

both_backends!(change_contact_moves_the_case_and_audits_it, |app| {
    let w = world::build(&app.db).await;
    let id = gid(NodeType::Incident, w.printer.id);
    let before = rows(&app).await;
    let input = json!({ "id": id, "contactId": gid(NodeType::Contact, w.dee.id) });
    let case = change(&app, input).await.data()["changeIncidentContact"]["incident"].clone();
    assert_eq!(case["primaryContact"]["lastName"], "Dee");
    assert_eq!(
        case["account"]["name"], "Acme",
        "the case keeps its account"
    );
    assert_eq!(case["subject"], "Printer on fire");
    assert_eq!(
        rows(&app).await,
        (before.0, before.1 + 1),
        "one entry for the one record"
    );

    let entries = entries_about(&app, w.printer.id).await;
    let entry = entries.last().unwrap();
    assert_eq!(entry.action, AuditAction::Update);
    assert_eq!(
        entry.contact_id,
        Some(w.dee.id),
        "filed under the new contact"
    );
    assert_eq!(
        entry.changes,
        json!({ "primaryContactId": { "before": w.bob.id, "after": w.dee.id } }),
        "naming the previous contact"
    );
    let log = app
        .gql(
            "query($id: ID!) { contact(id: $id) { auditLog { edges { node { entityType action changes { field } } } } } }",
            json!({ "id": gid(NodeType::Contact, w.dee.id) }),
        )
        .await;
    assert_eq!(
        log.data()["contact"]["auditLog"]["edges"],
        json!([{ "node": { "entityType": "INCIDENT", "action": "UPDATE", "changes": [{ "field": "primaryContactId" }] } }])
    );
    let lists = app
        .gql(
            "query($bob: ID!, $dee: ID!) { bob: contact(id: $bob) { incidents { totalCount } } dee: contact(id: $dee) { incidents { totalCount } } }",
            json!({ "bob": gid(NodeType::Contact, w.bob.id), "dee": gid(NodeType::Contact, w.dee.id) }),
        )
        .await;
    assert_eq!(lists.data()["bob"]["incidents"]["totalCount"], 0);
    assert_eq!(lists.data()["dee"]["incidents"]["totalCount"], 2);
});

both_backends!(change_contact_refusals_write_nothing, |app| {
    let w = world::build(&app.db).await;
    let before = rows(&app).await;
    let id = gid(NodeType::Incident, w.printer.id);
    let same = json!({ "id": id, "contactId": gid(NodeType::Contact, w.bob.id) });
    assert_error(&change(&app, same).await, "BAD_USER_INPUT", "contactId");
    let unknown = json!({ "id": id, "contactId": gid(NodeType::Contact, Uuid::now_v7()) });
    assert_error(&change(&app, unknown).await, "NOT_FOUND", "contactId");
    let wrong_type = json!({ "id": id, "contactId": gid(NodeType::Account, w.acme.id) });
    assert_error(
        &change(&app, wrong_type).await,
        "BAD_USER_INPUT",
        "expected a Contact",
    );
    let no_case = json!({ "id": gid(NodeType::Incident, Uuid::now_v7()), "contactId": gid(NodeType::Contact, w.dee.id) });
    assert_error(&change(&app, no_case).await, "NOT_FOUND", "incident");
    assert_eq!(rows(&app).await, before);
    let stored = incident::Entity::find_by_id(w.printer.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, w.printer);
});

both_backends!(delete_removes_the_case_and_keeps_its_log, |app| {
    let w = world::build(&app.db).await;
    let id = gid(NodeType::Incident, w.reported.id);
    let before = rows(&app).await;
    let reply = app.gql(DELETE, json!({ "input": { "id": id } })).await;
    assert_eq!(reply.data()["deleteIncident"]["deletedIncidentId"], id);
    assert_eq!(rows(&app).await, (before.0 - 1, before.1 + 1));
    let found = app
        .gql(
            "query($id: ID!) { incident(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(found.data()["incident"], Value::Null);

    let entries = entries_about(&app, w.reported.id).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, AuditAction::Delete);
    assert_eq!(entries[0].contact_id, Some(w.ada.id));
    assert_eq!(
        entries[0].changes["subject"],
        json!({ "before": "Invoice wrong", "after": null })
    );
    assert_eq!(
        entries[0].changes["reportedByPartnerId"]["before"],
        json!(w.partner.id)
    );

    let again = app.gql(DELETE, json!({ "input": { "id": id } })).await;
    assert_error(&again, "NOT_FOUND", "incident");
    let wrong = app
        .gql(
            DELETE,
            json!({ "input": { "id": gid(NodeType::Opportunity, w.deal.id) } }),
        )
        .await;
    assert_eq!(wrong.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        rows(&app).await,
        (before.0 - 1, before.1 + 1),
        "refusals write nothing"
    );
});

both_backends!(mutations_share_one_operation_per_call, |app| {
    let w = world::build(&app.db).await;
    let bob = gid(NodeType::Contact, w.bob.id);
    let case = created(&create(&app, json!({ "subject": "S", "primaryContactId": bob })).await);
    let id = uuid_of(&case["id"]);
    update(&app, json!({ "id": case["id"], "status": "SOLVED" }))
        .await
        .data();
    change(
        &app,
        json!({ "id": case["id"], "contactId": gid(NodeType::Contact, w.cy.id) }),
    )
    .await
    .data();
    let entries = entries_about(&app, id).await;
    assert_eq!(entries.len(), 3);
    let operations: std::collections::HashSet<_> = entries.iter().map(|e| e.operation_id).collect();
    assert_eq!(operations.len(), 3, "each mutation is its own operation");
    assert_eq!(
        entries.iter().map(|e| e.contact_id).collect::<Vec<_>>(),
        [Some(w.bob.id), Some(w.bob.id), Some(w.cy.id)]
    );
});

// The service without HTTP.
both_backends!(service_rules_hold_without_http, |app| {
    let w = world::build(&app.db).await;
    let db = ScopedDb::new(app.db.clone(), &Principal::system());
    let new = NewIncident {
        subject: "Router".into(),
        description: Some("  ".into()),
        primary_contact_id: w.cy.id,
        account_id: Patch::Keep,
        reported_by_partner_id: Some(w.partner.id),
        status: Some(IncidentStatus::Closed),
        priority: None,
        channel: None,
    };
    let case = incidents::create(&db, new.clone()).await.unwrap();
    assert_eq!(case.account_id, Some(w.acme.id));
    assert_eq!(case.description, None, "blank is none");
    assert_eq!(case.closed_at, Some(case.created_at));

    let err = incidents::create(
        &db,
        NewIncident {
            primary_contact_id: Uuid::now_v7(),
            ..new.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
    let err = incidents::create(
        &db,
        NewIncident {
            account_id: Patch::Set(w.globex.id),
            reported_by_partner_id: Some(w.acme.id),
            ..new.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT", "Acme is not a partner");

    let reopened = incidents::update(
        &db,
        case.id,
        IncidentPatch {
            status: Some(IncidentStatus::Open),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(reopened.closed_at, None);
    assert!(reopened.updated_at >= case.updated_at);
    let unchanged = incidents::update(&db, case.id, IncidentPatch::default())
        .await
        .unwrap();
    assert_eq!(unchanged, reopened, "an empty patch changes nothing");

    let err = incidents::change_contact(&db, case.id, w.cy.id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT");
    let moved = incidents::change_contact(&db, case.id, w.loner.id)
        .await
        .unwrap();
    assert_eq!(
        (moved.primary_contact_id, moved.account_id),
        (w.loner.id, Some(w.acme.id))
    );

    let deleted = incidents::delete(&db, case.id).await.unwrap();
    assert_eq!(deleted.id, case.id);
    assert_eq!(
        incidents::delete(&db, case.id).await.unwrap_err().code(),
        "NOT_FOUND"
    );
    let actions: Vec<_> = entries_about(&app, case.id)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            AuditAction::Create,
            AuditAction::Update,
            AuditAction::Update,
            AuditAction::Delete
        ]
    );
});

/// A redirect as a merge leaves it: `merged` was merged into `survivor`.
async fn redirect(app: &TestApp, merged: Uuid, survivor: Uuid) {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    entity::contact_redirect::Model {
        merged_id: merged,
        survivor_id: survivor,
        merged_at: chrono::Utc::now(),
        actor: "test".into(),
    }
    .into_active_model()
    .insert(&app.db)
    .await
    .unwrap();
}

both_backends!(a_merged_away_contact_id_names_its_survivor, |app| {
    let w = world::build(&app.db).await;
    let merged = Uuid::now_v7();
    redirect(&app, merged, w.dee.id).await;
    let old_dee = gid(NodeType::Contact, merged);
    let case = created(&create(&app, json!({ "subject": "S", "primaryContactId": old_dee })).await);
    assert_eq!(case["primaryContact"]["lastName"], "Dee");
    assert_eq!(case["account"]["name"], "Globex", "the survivor's account");
    let stored = incident::Entity::find_by_id(uuid_of(&case["id"]))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.primary_contact_id, w.dee.id,
        "the survivor is stored"
    );

    let same = json!({ "id": case["id"], "contactId": old_dee });
    assert_error(&change(&app, same).await, "BAD_USER_INPUT", "contactId");
    let printer = json!({ "id": gid(NodeType::Incident, w.printer.id), "contactId": old_dee });
    let moved = change(&app, printer).await.data()["changeIncidentContact"]["incident"].clone();
    assert_eq!(moved["primaryContact"]["lastName"], "Dee");
});
