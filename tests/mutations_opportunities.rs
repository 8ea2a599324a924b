//! Opportunity mutations over HTTP (and the service without HTTP): rules, error codes, money,
//! partial updates, audit entries and atomicity, on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::auth::Principal;
use contacts_graph::graphql::ids::{GlobalId, NodeType};
use contacts_graph::service::opportunities::{self, NewAmount, NewOpportunity, OpportunityPatch};
use contacts_graph::service::patch::Patch;
use contacts_graph::service::scope::ScopedDb;
use entity::enums::{AuditAction, AuditEntityType, OpportunityStage};
use entity::{audit_entry, opportunity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use common::world::{self, gid};
use common::{Reply, TestApp, fixtures};

const FIELDS: &str = "id name stage expectedCloseDate updatedAt
    amount { amount minorUnits currency } account { name } primaryContact { lastName }";

fn create_query() -> String {
    format!(
        "mutation($input: CreateOpportunityInput!) {{ createOpportunity(input: $input) {{ opportunity {{ {FIELDS} }} }} }}"
    )
}

fn update_query() -> String {
    format!(
        "mutation($input: UpdateOpportunityInput!) {{ updateOpportunity(input: $input) {{ opportunity {{ {FIELDS} }} }} }}"
    )
}

const DELETE: &str = "mutation($input: DeleteOpportunityInput!) {
    deleteOpportunity(input: $input) { deletedOpportunityId } }";

async fn create(app: &TestApp, input: Value) -> Reply {
    app.gql(&create_query(), json!({ "input": input })).await
}

async fn update(app: &TestApp, input: Value) -> Reply {
    app.gql(&update_query(), json!({ "input": input })).await
}

fn created(reply: &Reply) -> Value {
    reply.data()["createOpportunity"]["opportunity"].clone()
}

fn updated(reply: &Reply) -> Value {
    reply.data()["updateOpportunity"]["opportunity"].clone()
}

/// (opportunities, audit entries)
async fn rows(app: &TestApp) -> (u64, u64) {
    (
        opportunity::Entity::find().count(&app.db).await.unwrap(),
        common::record_audit_entries(&app.db).await,
    )
}

async fn all_opportunities(app: &TestApp) -> Vec<opportunity::Model> {
    opportunity::Entity::find()
        .order_by_asc(opportunity::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
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
    GlobalId::parse(global.as_str().unwrap()).unwrap().id
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
    let acme = gid(NodeType::Account, w.acme.id);
    let sale = created(&create(&app, json!({ "name": " Expansion ", "accountId": acme })).await);
    assert_eq!(sale["name"], "Expansion");
    assert_eq!(sale["stage"], "PROSPECTING");
    assert_eq!(sale["amount"], Value::Null);
    assert_eq!(sale["expectedCloseDate"], Value::Null);
    assert_eq!(sale["primaryContact"], Value::Null);
    assert_eq!(sale["account"]["name"], "Acme");
    assert_eq!(rows(&app).await, (before.0 + 1, before.1 + 1));
    let entries = entries_about(&app, uuid_of(&sale["id"])).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, AuditAction::Create);
    assert_eq!(entries[0].entity_type, AuditEntityType::Opportunity);
    assert_eq!(
        entries[0].contact_id, None,
        "no primary contact, no contact log"
    );
    assert_eq!(
        entries[0].changes["name"],
        json!({ "before": null, "after": "Expansion" })
    );

    let input = json!({
        "name": "Big deal", "accountId": acme, "primaryContactId": gid(NodeType::Contact, w.bob.id),
        "stage": "NEGOTIATION", "amount": { "minorUnits": " 123450 ", "currency": "eur" },
        "expectedCloseDate": "2027-06-30"
    });
    let sale = created(&create(&app, input).await);
    assert_eq!(
        sale["amount"],
        json!({ "amount": "1234.50", "minorUnits": "123450", "currency": "EUR" })
    );
    assert_eq!(sale["stage"], "NEGOTIATION");
    assert_eq!(sale["expectedCloseDate"], "2027-06-30");
    assert_eq!(sale["primaryContact"]["lastName"], "Babbage");
    let entries = entries_about(&app, uuid_of(&sale["id"])).await;
    assert_eq!(
        entries[0].contact_id,
        Some(w.bob.id),
        "filed under the primary contact"
    );
    assert_eq!(
        entries[0].changes["amount"],
        json!({ "before": null, "after": 123_450 })
    );
    assert_eq!(
        entries[0].changes["currency"],
        json!({ "before": null, "after": "EUR" })
    );

    // amounts beyond 32 bits and currencies without minor units
    let input = json!({ "name": "Fleet", "accountId": acme,
        "amount": { "minorUnits": "9000000000000", "currency": "JPY" } });
    let sale = created(&create(&app, input).await);
    assert_eq!(
        sale["amount"],
        json!({ "amount": "9000000000000", "minorUnits": "9000000000000", "currency": "JPY" })
    );
    let input = json!({ "name": "Free pilot", "accountId": acme, "amount": { "minorUnits": "0", "currency": "USD" } });
    assert_eq!(
        created(&create(&app, input).await)["amount"]["amount"],
        "0.00"
    );
});

both_backends!(invalid_creates_are_refused_and_write_nothing, |app| {
    let w = world::build(&app.db).await;
    let before = rows(&app).await;
    let acme = gid(NodeType::Account, w.acme.id);
    let money = |minor: &str, currency: &str| json!({ "minorUnits": minor, "currency": currency });
    let cases = [
        (
            json!({ "name": " ", "accountId": acme }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "name": "n".repeat(201), "accountId": acme }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "name": "N", "accountId": gid(NodeType::Account, Uuid::now_v7()) }),
            "NOT_FOUND",
            "accountId",
        ),
        (
            json!({ "name": "N", "accountId": gid(NodeType::Contact, w.ada.id) }),
            "BAD_USER_INPUT",
            "expected a Account",
        ),
        (
            json!({ "name": "N", "accountId": acme, "primaryContactId": gid(NodeType::Contact, Uuid::now_v7()) }),
            "NOT_FOUND",
            "primaryContactId",
        ),
        (
            // Dee belongs to Globex
            json!({ "name": "N", "accountId": acme, "primaryContactId": gid(NodeType::Contact, w.dee.id) }),
            "BAD_USER_INPUT",
            "primaryContactId",
        ),
        (
            // Loner belongs to no account
            json!({ "name": "N", "accountId": acme, "primaryContactId": gid(NodeType::Contact, w.loner.id) }),
            "BAD_USER_INPUT",
            "primaryContactId",
        ),
        (
            json!({ "name": "N", "accountId": acme, "amount": money("-1", "EUR") }),
            "BAD_USER_INPUT",
            "amount.minorUnits",
        ),
        (
            json!({ "name": "N", "accountId": acme, "amount": money("12.50", "EUR") }),
            "BAD_USER_INPUT",
            "amount.minorUnits",
        ),
        (
            json!({ "name": "N", "accountId": acme, "amount": money("1e3", "EUR") }),
            "BAD_USER_INPUT",
            "amount.minorUnits",
        ),
        (
            json!({ "name": "N", "accountId": acme, "amount": money("99999999999999999999", "EUR") }),
            "BAD_USER_INPUT",
            "amount.minorUnits",
        ),
        (
            json!({ "name": "N", "accountId": acme, "amount": money("100", "EURO") }),
            "BAD_USER_INPUT",
            "amount.currency",
        ),
        (
            json!({ "name": "N", "accountId": acme, "amount": money("100", "") }),
            "BAD_USER_INPUT",
            "amount",
        ),
        (
            json!({ "name": "N", "accountId": acme, "amount": money(" ", "EUR") }),
            "BAD_USER_INPUT",
            "amount",
        ),
    ];
    for (input, code, needle) in cases {
        let reply = create(&app, input.clone()).await;
        assert_error(&reply, code, needle);
    }
    let no_currency = json!({ "name": "N", "accountId": acme, "amount": { "minorUnits": "100" } });
    assert_eq!(
        create(&app, no_currency).await.error_code(),
        "GRAPHQL_VALIDATION_FAILED",
        "both parts are required"
    );
    let no_account = json!({ "name": "N" });
    assert_eq!(
        create(&app, no_account).await.error_code(),
        "GRAPHQL_VALIDATION_FAILED"
    );
    let bad_date = json!({ "name": "N", "accountId": acme, "expectedCloseDate": "2027-02-30" });
    // An impossible date is refused while the argument is read, before the resolver runs.
    let reply = create(&app, bad_date).await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    assert_eq!(reply.body["data"], Value::Null);
    let bad_stage = json!({ "name": "N", "accountId": acme, "stage": "MAYBE" });
    assert_eq!(
        create(&app, bad_stage).await.error_code(),
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(
        rows(&app).await,
        before,
        "no opportunity and no audit entry written"
    );
});

both_backends!(updates_are_partial_and_audit_only_real_changes, |app| {
    let w = world::build(&app.db).await;
    let id = gid(NodeType::Opportunity, w.deal.id);
    let sale = updated(&update(&app, json!({ "id": id, "stage": "WON" })).await);
    assert_eq!(sale["stage"], "WON");
    assert_eq!(sale["name"], "Renewal", "omitted fields are kept");
    assert_eq!(sale["amount"]["minorUnits"], "123450");
    assert_eq!(sale["expectedCloseDate"], "2027-03-31");
    assert_eq!(sale["primaryContact"]["lastName"], "Lovelace");

    let input = json!({ "id": id, "amount": { "minorUnits": "99", "currency": "USD" }, "expectedCloseDate": "2028-01-15", "name": "Renewal 2028" });
    let sale = updated(&update(&app, input).await);
    assert_eq!(
        sale["amount"],
        json!({ "amount": "0.99", "minorUnits": "99", "currency": "USD" })
    );
    assert_eq!(sale["expectedCloseDate"], "2028-01-15");
    assert_eq!(sale["name"], "Renewal 2028");

    let input =
        json!({ "id": id, "amount": null, "expectedCloseDate": null, "primaryContactId": null });
    let sale = updated(&update(&app, input).await);
    assert_eq!(
        (
            sale["amount"].clone(),
            sale["expectedCloseDate"].clone(),
            sale["primaryContact"].clone()
        ),
        (Value::Null, Value::Null, Value::Null),
        "null clears"
    );
    assert_eq!(sale["stage"], "WON", "kept");
    let stored = opportunity::Entity::find_by_id(w.deal.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.amount, stored.currency),
        (None, None),
        "amount and currency go together"
    );

    let entries = entries_about(&app, w.deal.id).await;
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.action == AuditAction::Update));
    assert_eq!(
        entries[0].changes,
        json!({ "stage": { "before": "PROPOSAL", "after": "WON" } })
    );
    assert_eq!(entries[0].contact_id, Some(w.ada.id));
    assert_eq!(
        entries[1].changes,
        json!({ "amount": { "before": 123_450, "after": 99 }, "currency": { "before": "EUR", "after": "USD" },
                "expectedCloseDate": { "before": "2027-03-31", "after": "2028-01-15" },
                "name": { "before": "Renewal", "after": "Renewal 2028" } })
    );
    assert_eq!(
        entries[2].changes["primaryContactId"],
        json!({ "before": w.ada.id, "after": null })
    );
    assert_eq!(
        entries[2].contact_id,
        Some(w.ada.id),
        "filed under the contact it removed"
    );

    // an update that changes nothing writes nothing
    let before = rows(&app).await;
    let same = updated(
        &update(
            &app,
            json!({ "id": id, "stage": "WON", "name": "Renewal 2028", "amount": null }),
        )
        .await,
    );
    assert_eq!(same["updatedAt"], sale["updatedAt"]);
    assert_eq!(rows(&app).await, before);
});

both_backends!(account_and_primary_contact_stay_consistent, |app| {
    let w = world::build(&app.db).await;
    let deal = gid(NodeType::Opportunity, w.deal.id);
    let lead = gid(NodeType::Opportunity, w.lead.id);
    let globex = gid(NodeType::Account, w.globex.id);
    let before = rows(&app).await;
    let stored_before = all_opportunities(&app).await;
    let cases = [
        // Ada stays primary contact but is not a Globex contact
        (
            json!({ "id": deal, "accountId": globex }),
            "BAD_USER_INPUT",
            "primaryContactId",
        ),
        (
            json!({ "id": lead, "primaryContactId": gid(NodeType::Contact, w.bob.id) }),
            "BAD_USER_INPUT",
            "primaryContactId",
        ),
        (
            json!({ "id": lead, "primaryContactId": gid(NodeType::Contact, Uuid::now_v7()) }),
            "NOT_FOUND",
            "primaryContactId",
        ),
        (
            json!({ "id": deal, "accountId": gid(NodeType::Account, Uuid::now_v7()) }),
            "NOT_FOUND",
            "accountId",
        ),
        (
            json!({ "id": deal, "accountId": null }),
            "BAD_USER_INPUT",
            "accountId",
        ),
        (
            json!({ "id": deal, "name": null }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "id": deal, "name": "  " }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "id": deal, "stage": null }),
            "BAD_USER_INPUT",
            "stage",
        ),
        (
            json!({ "id": deal, "stage": "LOST", "amount": { "minorUnits": "-5", "currency": "EUR" } }),
            "BAD_USER_INPUT",
            "amount.minorUnits",
        ),
        (
            json!({ "id": deal, "amount": { "minorUnits": "5", "currency": "ZZZ" } }),
            "BAD_USER_INPUT",
            "amount.currency",
        ),
        (
            json!({ "id": deal, "amount": { "minorUnits": "", "currency": "EUR" } }),
            "BAD_USER_INPUT",
            "amount",
        ),
        (
            json!({ "id": gid(NodeType::Opportunity, Uuid::now_v7()), "stage": "WON" }),
            "NOT_FOUND",
            "opportunity",
        ),
        (
            json!({ "id": gid(NodeType::Incident, w.outage.id), "stage": "WON" }),
            "BAD_USER_INPUT",
            "expected a Opportunity",
        ),
    ];
    for (input, code, needle) in cases {
        let reply = update(&app, input.clone()).await;
        assert_error(&reply, code, needle);
    }
    assert_eq!(rows(&app).await, before, "nothing written");
    assert_eq!(
        all_opportunities(&app).await,
        stored_before,
        "every opportunity as before"
    );

    // moving both together, or clearing the contact, is fine
    let input = json!({ "id": deal, "accountId": globex, "primaryContactId": gid(NodeType::Contact, w.dee.id) });
    let sale = updated(&update(&app, input).await);
    assert_eq!(
        (
            sale["account"]["name"].clone(),
            sale["primaryContact"]["lastName"].clone()
        ),
        (json!("Globex"), json!("Dee"))
    );
    let input = json!({ "id": deal, "accountId": gid(NodeType::Account, w.acme.id), "primaryContactId": null });
    let sale = updated(&update(&app, input).await);
    assert_eq!(
        (
            sale["account"]["name"].clone(),
            sale["primaryContact"].clone()
        ),
        (json!("Acme"), Value::Null)
    );
    let sale = updated(
        &update(
            &app,
            json!({ "id": lead, "primaryContactId": gid(NodeType::Contact, w.dee.id) }),
        )
        .await,
    );
    assert_eq!(sale["primaryContact"]["lastName"], "Dee");
    let entries = entries_about(&app, w.lead.id).await;
    assert_eq!(
        entries[0].contact_id,
        Some(w.dee.id),
        "filed under the new primary contact"
    );
});

both_backends!(delete_removes_the_sale_and_keeps_its_log, |app| {
    let w = world::build(&app.db).await;
    let id = gid(NodeType::Opportunity, w.deal.id);
    let before = rows(&app).await;
    let reply = app.gql(DELETE, json!({ "input": { "id": id } })).await;
    assert_eq!(
        reply.data()["deleteOpportunity"]["deletedOpportunityId"],
        id
    );
    assert_eq!(rows(&app).await, (before.0 - 1, before.1 + 1));
    let found = app
        .gql(
            "query($id: ID!) { opportunity(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(found.data()["opportunity"], Value::Null);
    let entries = entries_about(&app, w.deal.id).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, AuditAction::Delete);
    assert_eq!(entries[0].contact_id, Some(w.ada.id));
    assert_eq!(
        entries[0].changes["amount"],
        json!({ "before": 123_450, "after": null })
    );

    let log = app
        .gql(
            "query($id: ID!) { contact(id: $id) { auditLog { edges { node { entityType action } } } } }",
            json!({ "id": gid(NodeType::Contact, w.ada.id) }),
        )
        .await;
    let last = log.data()["contact"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["node"],
        json!({ "entityType": "OPPORTUNITY", "action": "DELETE" })
    );

    assert_error(
        &app.gql(DELETE, json!({ "input": { "id": id } })).await,
        "NOT_FOUND",
        "opportunity",
    );
    let wrong = app
        .gql(
            DELETE,
            json!({ "input": { "id": gid(NodeType::Incident, w.outage.id) } }),
        )
        .await;
    assert_eq!(wrong.error_code(), "BAD_USER_INPUT");
    assert_eq!(
        rows(&app).await,
        (before.0 - 1, before.1 + 1),
        "refusals write nothing"
    );
});

// The service without HTTP.
both_backends!(service_rules_hold_without_http, |app| {
    let w = world::build(&app.db).await;
    let db = ScopedDb::new(app.db.clone(), &Principal::system());
    let amount = |minor: &str, currency: &str| NewAmount {
        minor_units: minor.into(),
        currency: currency.into(),
    };
    let new = NewOpportunity {
        name: "Support plan".into(),
        account_id: w.acme.id,
        primary_contact_id: Some(w.cy.id),
        stage: None,
        amount: Some(amount(" ", " ")),
        expected_close_date: chrono::NaiveDate::from_ymd_opt(2027, 12, 1),
    };
    let sale = opportunities::create(&db, new.clone()).await.unwrap();
    assert_eq!(sale.stage, OpportunityStage::Prospecting);
    assert_eq!(
        (sale.amount, sale.currency.clone()),
        (None, None),
        "both blank: no amount"
    );

    for half in [amount("100", ""), amount("", "EUR")] {
        let err = opportunities::create(
            &db,
            NewOpportunity {
                amount: Some(half),
                ..new.clone()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(err.to_string().contains("neither"), "{err}");
    }
    let err = opportunities::create(
        &db,
        NewOpportunity {
            primary_contact_id: Some(w.dee.id),
            ..new.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT");

    let patch = OpportunityPatch {
        amount: Patch::Set(amount("5000", "chf")),
        ..Default::default()
    };
    let priced = opportunities::update(&db, sale.id, patch).await.unwrap();
    assert_eq!(
        (priced.amount, priced.currency.as_deref()),
        (Some(5000), Some("CHF"))
    );
    let patch = OpportunityPatch {
        amount: Patch::Set(amount("", "")),
        ..Default::default()
    };
    let cleared = opportunities::update(&db, sale.id, patch).await.unwrap();
    assert_eq!(
        (cleared.amount, cleared.currency),
        (None, None),
        "blank parts clear the amount"
    );
    let unchanged = opportunities::update(&db, sale.id, OpportunityPatch::default())
        .await
        .unwrap();
    assert_eq!(unchanged.updated_at, cleared.updated_at);

    // a contact that left the account does not block unrelated changes
    let other = fixtures::contact(&app.db, Some(w.globex.id), "Moved").await;
    let stale = opportunity::ActiveModel {
        id: Set(sale.id),
        primary_contact_id: Set(Some(other.id)),
        ..Default::default()
    };
    stale.update(&app.db).await.unwrap();
    let patch = OpportunityPatch {
        stage: Some(OpportunityStage::Won),
        ..Default::default()
    };
    assert_eq!(
        opportunities::update(&db, sale.id, patch)
            .await
            .unwrap()
            .stage,
        OpportunityStage::Won
    );

    opportunities::delete(&db, sale.id).await.unwrap();
    assert_eq!(
        opportunities::delete(&db, sale.id)
            .await
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
    let actions: Vec<_> = entries_about(&app, sale.id)
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
            AuditAction::Update,
            AuditAction::Delete
        ]
    );
});

both_backends!(a_merged_away_contact_id_names_its_survivor, |app| {
    use sea_orm::IntoActiveModel;
    let w = world::build(&app.db).await;
    let merged = Uuid::now_v7();
    entity::contact_redirect::Model {
        merged_id: merged,
        survivor_id: w.dee.id,
        merged_at: chrono::Utc::now(),
        actor: "test".into(),
    }
    .into_active_model()
    .insert(&app.db)
    .await
    .unwrap();
    let input = json!({ "name": "N", "accountId": gid(NodeType::Account, w.globex.id),
        "primaryContactId": gid(NodeType::Contact, merged) });
    let sale = created(&create(&app, input).await);
    assert_eq!(sale["primaryContact"]["lastName"], "Dee");
    let input = json!({ "id": gid(NodeType::Opportunity, w.lead.id), "primaryContactId": gid(NodeType::Contact, merged) });
    updated(&update(&app, input).await);
    let stored = opportunity::Entity::find_by_id(w.lead.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.primary_contact_id,
        Some(w.dee.id),
        "the survivor is stored"
    );
});
