//! `filter:` on connections: operators per field type, logic, relation filters and counts,
//! the caller's scope inside all of them, and refusals that name the bad part.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use entity::enums::{IncidentPriority, IncidentStatus};
use entity::incident;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use common::world::{self, World, gid};
use common::{TestApp, fixtures};

fn names(connection: &Value, field: &str) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"][field].as_str().unwrap().to_owned())
        .collect()
}

async fn contacts(app: &TestApp, filter: Value) -> (Vec<String>, Value) {
    let query = "query($filter: ContactFilter) {
        contacts(filter: $filter) { totalCount edges { node { lastName } } } }";
    let reply = app.gql(query, json!({ "filter": filter })).await;
    let data = reply.data().clone();
    (
        names(&data["contacts"], "lastName"),
        data["contacts"]["totalCount"].clone(),
    )
}

async fn set_incident(
    app: &TestApp,
    case: &incident::Model,
    status: IncidentStatus,
    priority: IncidentPriority,
) {
    let mut active = case.clone().into_active_model();
    active.status = Set(status);
    active.priority = Set(priority);
    active.update(&app.db).await.unwrap();
}

both_backends!(
    text_fields_match_exactly_or_by_pattern_ignoring_case,
    |app| {
        world::build(&app.db).await;
        let cases = [
            (
                json!({ "lastName": { "contains": "LOVE" } }),
                vec!["Lovelace"],
            ),
            (
                json!({ "lastName": { "startsWith": "ba" } }),
                vec!["Babbage"],
            ),
            (json!({ "lastName": { "endsWith": "US" } }), vec!["Cyrus"]),
            (json!({ "lastName": { "eq": "Dee" } }), vec!["Dee"]),
            (json!({ "lastName": { "eq": "dee" } }), vec![]),
            (
                json!({ "lastName": { "in": ["Dee", "Loner"] } }),
                vec!["Dee", "Loner"],
            ),
            (
                json!({ "lastName": { "notIn": ["Dee", "Loner"] } }),
                vec!["Lovelace", "Babbage", "Cyrus"],
            ),
            (json!({ "lastName": { "contains": "%" } }), vec![]),
            (json!({ "lastName": { "contains": "_" } }), vec![]),
            (json!({ "alias": { "isNull": false } }), vec![]),
            (
                json!({ "jobTitle": { "isNull": false } }),
                vec!["Lovelace", "Babbage", "Cyrus", "Dee", "Loner"],
            ),
            // `ne` and `notIn` include contacts without a value
            (
                json!({ "alias": { "ne": "Countess" } }),
                vec!["Lovelace", "Babbage", "Cyrus", "Dee", "Loner"],
            ),
            (
                json!({ "alias": { "notIn": ["Countess"] } }),
                vec!["Lovelace", "Babbage", "Cyrus", "Dee", "Loner"],
            ),
            (json!({ "jobTitle": { "ne": "Buyer" } }), vec![]),
        ];
        for (filter, expected) in cases {
            let (found, total) = contacts(&app, filter.clone()).await;
            assert_eq!(found, expected, "{filter}");
            assert_eq!(total, json!(expected.len()), "totalCount honours {filter}");
        }
    }
);

both_backends!(logic_combines_and_nests, |app| {
    world::build(&app.db).await;
    let cases = [
        (
            json!({ "or": [{ "lastName": { "eq": "Dee" } }, { "lastName": { "startsWith": "Lo" } }] }),
            vec!["Lovelace", "Dee", "Loner"],
        ),
        (
            json!({ "not": { "lastName": { "startsWith": "Lo" } } }),
            vec!["Babbage", "Cyrus", "Dee"],
        ),
        (
            json!({ "and": [{ "lastName": { "contains": "e" } }, { "not": { "lastName": { "eq": "Dee" } } }] }),
            vec!["Lovelace", "Babbage", "Loner"],
        ),
        (
            json!({ "lastName": { "contains": "e" }, "accountId": { "isNull": true } }),
            vec!["Loner"],
        ),
        (
            json!({}),
            vec!["Lovelace", "Babbage", "Cyrus", "Dee", "Loner"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(contacts(&app, filter.clone()).await.0, expected, "{filter}");
    }
});

both_backends!(relations_filter_both_ways, |app| {
    let w = world::build(&app.db).await;
    let cases = [
        (
            json!({ "account": { "name": { "eq": "Acme" } } }),
            vec!["Lovelace", "Babbage", "Cyrus"],
        ),
        (
            json!({ "account": { "partner": { "name": { "eq": "Northwind" } } } }),
            vec!["Lovelace", "Babbage", "Cyrus"],
        ),
        (
            json!({ "identities": { "some": { "channel": { "eq": "EMAIL" }, "value": { "endsWith": "@example.com" } } } }),
            vec!["Lovelace"],
        ),
        (
            json!({ "identities": { "none": { "channel": { "eq": "TWITTER" } } } }),
            vec!["Lovelace", "Cyrus", "Dee", "Loner"],
        ),
        (
            json!({ "identities": { "every": { "channel": { "eq": "TWITTER" } } } }),
            vec!["Babbage", "Cyrus", "Dee", "Loner"],
        ),
        (
            json!({ "incidents": { "some": { "subject": { "contains": "fire" } } } }),
            vec!["Babbage"],
        ),
        (
            json!({ "incidents": { "count": { "gte": 1 } } }),
            vec!["Lovelace", "Babbage", "Dee"],
        ),
        (
            json!({ "incidents": { "count": { "eq": 0 } } }),
            vec!["Cyrus", "Loner"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(contacts(&app, filter.clone()).await.0, expected, "{filter}");
    }
    // incidents by their contact and account; accounts by their incidents
    let query = "query($f: IncidentFilter, $a: AccountFilter) {
        incidents(filter: $f) { totalCount edges { node { subject } } }
        accounts(filter: $a) { edges { node { name } } } }";
    let vars = json!({
        "f": { "primaryContact": { "lastName": { "eq": "Lovelace" } }, "account": { "isCustomer": { "eq": true } } },
        "a": { "incidents": { "count": { "gt": 1 }, "filter": { "status": { "in": ["NEW", "OPEN"] } } } },
    });
    let data = app.gql(query, vars).await.data().clone();
    assert_eq!(names(&data["incidents"], "subject"), ["Invoice wrong"]);
    assert_eq!(names(&data["accounts"], "name"), ["Acme"]);
    // ids of the referenced type
    let vars =
        json!({ "f": { "accountId": { "eq": gid(NodeType::Account, w.globex.id) } }, "a": null });
    let data = app.gql(query, vars).await.data().clone();
    assert_eq!(names(&data["incidents"], "subject"), ["Outage"]);
});

both_backends!(enums_dates_and_money_filter_by_their_type, |app| {
    let w = world::build(&app.db).await;
    set_incident(
        &app,
        &w.printer,
        IncidentStatus::Pending,
        IncidentPriority::High,
    )
    .await;
    set_incident(
        &app,
        &w.outage,
        IncidentStatus::Closed,
        IncidentPriority::High,
    )
    .await;
    let query =
        "query($f: IncidentFilter) { incidents(filter: $f) { edges { node { subject } } } }";
    let cases = [
        (
            json!({ "status": { "in": ["NEW", "OPEN", "PENDING"] }, "priority": { "eq": "HIGH" } }),
            vec!["Printer on fire"],
        ),
        (
            json!({ "status": { "ne": "CLOSED" } }),
            vec!["Invoice wrong", "Printer on fire"],
        ),
        (
            json!({ "channel": { "isNull": true } }),
            vec!["Invoice wrong", "Printer on fire", "Outage"],
        ),
        (
            json!({ "createdAt": { "gte": w.printer.created_at.to_rfc3339() } }),
            vec!["Printer on fire", "Outage"],
        ),
        (
            json!({ "createdAt": { "lt": w.printer.created_at.to_rfc3339() } }),
            vec!["Invoice wrong"],
        ),
        (
            json!({ "createdAt": { "eq": w.outage.created_at.to_rfc3339() } }),
            vec!["Outage"],
        ),
    ];
    for (filter, expected) in cases {
        let data = app.gql(query, json!({ "f": filter })).await.data().clone();
        assert_eq!(names(&data["incidents"], "subject"), expected, "{filter}");
    }
    let query =
        "query($f: OpportunityFilter) { opportunities(filter: $f) { edges { node { name } } } }";
    let cases = [
        (
            json!({ "amountMinorUnits": { "gt": "100000" }, "currency": { "eq": "EUR" } }),
            vec!["Renewal"],
        ),
        (
            json!({ "amountMinorUnits": { "isNull": true } }),
            vec!["Upsell"],
        ),
        (
            json!({ "expectedCloseDate": { "lte": "2027-03-31" } }),
            vec!["Renewal", "Upsell"],
        ),
        (
            json!({ "account": { "name": { "eq": "Globex" } } }),
            vec!["Upsell"],
        ),
    ];
    for (filter, expected) in cases {
        let data = app.gql(query, json!({ "f": filter })).await.data().clone();
        assert_eq!(names(&data["opportunities"], "name"), expected, "{filter}");
    }
});

both_backends!(nested_connections_filter_per_parent, |app| {
    world::build(&app.db).await;
    let query = "{ accounts(filter: { contacts: { some: {} } }) { edges { node { name
        contacts(filter: { lastName: { contains: \"a\" } }) { totalCount edges { node { lastName } } }
    } } } }";
    let data = app.gql(query, json!({})).await.data().clone();
    let accounts = data["accounts"]["edges"].as_array().unwrap();
    assert_eq!(accounts.len(), 2, "accounts with contacts: Acme, Globex");
    assert_eq!(
        names(&accounts[0]["node"]["contacts"], "lastName"),
        ["Lovelace", "Babbage"]
    );
    assert_eq!(accounts[0]["node"]["contacts"]["totalCount"], 2);
    assert_eq!(accounts[1]["node"]["contacts"]["totalCount"], 0);
});

both_backends!(a_partner_filters_and_counts_only_its_rows, |app| {
    let p = common::partners::build(&app).await;
    let w = &p.world;
    // a case filed under Acme about Dee (Globex): outside Northwind's scope
    fixtures::incident(&app.db, Some(w.acme.id), w.dee.id, None, "Crossed wires").await;
    let query = "query($a: AccountFilter, $c: ContactFilter) {
        accounts(filter: $a) { totalCount edges { node { name incidents { totalCount } } } }
        contacts(filter: $c) { totalCount edges { node { lastName } } } }";
    let vars = json!({
        "a": { "incidents": { "count": { "gte": 3 } } },
        "c": { "or": [{ "lastName": { "eq": "Dee" } }, { "identities": { "some": { "value": { "contains": "globex" } } } },
                       { "account": { "name": { "eq": "Globex" } } }, { "incidents": { "some": { "subject": { "eq": "Crossed wires" } } } }] },
    });
    let admin = app.gql(query, vars.clone()).await.data().clone();
    assert_eq!(
        names(&admin["accounts"], "name"),
        ["Acme"],
        "Acme has 3 cases"
    );
    assert_eq!(names(&admin["contacts"], "lastName"), ["Dee"]);
    let partner = app
        .gql_as(&p.northwind_key, query, vars)
        .await
        .data()
        .clone();
    assert_eq!(
        partner["accounts"]["totalCount"], 0,
        "it sees 2 of Acme's cases"
    );
    assert_eq!(partner["contacts"]["totalCount"], 0);
    let all = app
        .gql_as(&p.northwind_key, "{ accounts(filter: { name: { eq: \"Acme\" } }) { edges { node { incidents { totalCount } } } } }", json!({}))
        .await
        .data()
        .clone();
    assert_eq!(
        all["accounts"]["edges"][0]["node"]["incidents"]["totalCount"],
        2
    );
});

both_backends!(bad_filters_are_refused_naming_the_part, |app| {
    world::build(&app.db).await;
    let deep = (0..11).fold(
        json!({ "lastName": { "eq": "x" } }),
        |inner, _| json!({ "not": inner }),
    );
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let cases = [
        (json!({ "lastName": { "in": [] } }), "filter.lastName.in"),
        (
            json!({ "or": [{ "lastName": { "in": many } }] }),
            "filter.or[0].lastName.in",
        ),
        (
            json!({ "lastName": { "contains": "x".repeat(1025) } }),
            "filter.lastName.contains",
        ),
        (deep, "filter.not.not.not.not.not.not.not.not.not.not.not"),
        (
            json!({ "accountId": { "eq": gid(NodeType::Contact, uuid::Uuid::now_v7()) } }),
            "filter.accountId.eq",
        ),
        (
            json!({ "incidents": { "filter": { "subject": { "eq": "x" } } } }),
            "filter.incidents.filter",
        ),
        (json!({ "or": [] }), "filter.or"),
    ];
    for (filter, path) in cases {
        let query = "query($filter: ContactFilter) { contacts(filter: $filter) { totalCount } }";
        let reply = app.gql(query, json!({ "filter": filter })).await;
        assert_eq!(reply.error_code(), "BAD_USER_INPUT", "{path}");
        let message = reply.body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{path}")),
            "{message} should name {path}"
        );
    }
    // an operator the field's type does not have is a validation error of the document
    let reply = app
        .gql(
            "{ contacts(filter: { lastName: { gt: \"a\" } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(reply.error_code(), "GRAPHQL_VALIDATION_FAILED");
});

// Every declared column of every table, through the service: each one is a real column of
// both databases (a typo in `listing::schema` would fail here, not in production).
both_backends!(every_declared_field_is_a_real_column, |app| {
    use contacts_graph::auth::Principal;
    use contacts_graph::service::listing::schema::fields;
    use contacts_graph::service::listing::{Filter, ListSpec, Op, Table, ToMany, ToOne};
    use contacts_graph::service::page::{self, Direction, PageWindow};
    use contacts_graph::service::scope::ScopedDb;
    use std::sync::Arc;
    let _: World = world::build(&app.db).await;
    let db = ScopedDb::new(app.db.clone(), &Principal::system());
    let tables = [
        Table::Account,
        Table::Contact,
        Table::ContactIdentity,
        Table::Incident,
        Table::Opportunity,
        Table::AuditEntry,
    ];
    for table in tables {
        let parts = fields::of(table)
            .into_iter()
            .map(|field| {
                Filter::Any(vec![
                    Filter::Field(field, Op::IsNull(true)),
                    Filter::Field(field, Op::IsNull(false)),
                ])
            })
            .collect();
        let spec = ListSpec {
            filter: Some(Filter::All(parts)),
            order: Vec::new(),
        };
        let window = PageWindow {
            direction: Direction::Forward,
            size: 5,
            after: None,
            before: None,
            spec: Arc::new(spec.clone()),
        };
        let rows = match table {
            Table::Account => {
                page::root_page::<entity::account::Entity>(&db, &window, sea_orm::Condition::all())
                    .await
                    .map(|p| p.rows.len())
            }
            Table::Contact => {
                page::root_page::<entity::contact::Entity>(&db, &window, sea_orm::Condition::all())
                    .await
                    .map(|p| p.rows.len())
            }
            Table::ContactIdentity => page::root_page::<entity::contact_identity::Entity>(
                &db,
                &window,
                sea_orm::Condition::all(),
            )
            .await
            .map(|p| p.rows.len()),
            Table::Incident => {
                page::root_page::<entity::incident::Entity>(&db, &window, sea_orm::Condition::all())
                    .await
                    .map(|p| p.rows.len())
            }
            Table::Opportunity => page::root_page::<entity::opportunity::Entity>(
                &db,
                &window,
                sea_orm::Condition::all(),
            )
            .await
            .map(|p| p.rows.len()),
            Table::AuditEntry => page::root_page::<entity::audit_entry::Entity>(
                &db,
                &window,
                sea_orm::Condition::all(),
            )
            .await
            .map(|p| p.rows.len()),
        };
        assert!(
            rows.unwrap() > 0,
            "{table:?}: every row has or lacks each value"
        );
    }
    // and every relation
    let empty = || Box::new(Filter::All(Vec::new()));
    for (table, filter) in [
        (
            Table::Contact,
            Filter::ToOne(ToOne::ContactAccount, empty()),
        ),
        (
            Table::Account,
            Filter::ToOne(ToOne::AccountPartner, empty()),
        ),
        (
            Table::Incident,
            Filter::ToOne(ToOne::IncidentPrimaryContact, empty()),
        ),
        (
            Table::Incident,
            Filter::ToOne(ToOne::IncidentAccount, empty()),
        ),
        (
            Table::Incident,
            Filter::ToOne(ToOne::IncidentReportedBy, empty()),
        ),
        (
            Table::Opportunity,
            Filter::ToOne(ToOne::OpportunityAccount, empty()),
        ),
        (
            Table::Opportunity,
            Filter::ToOne(ToOne::OpportunityPrimaryContact, empty()),
        ),
        (
            Table::Contact,
            Filter::Some(ToMany::ContactIdentities, empty()),
        ),
        (
            Table::Contact,
            Filter::Every(ToMany::ContactIncidents, empty()),
        ),
        (
            Table::Account,
            Filter::None(ToMany::AccountContacts, empty()),
        ),
        (
            Table::Account,
            Filter::Count {
                relation: ToMany::AccountIncidents,
                filter: None,
                count: vec![Op::Gte(contacts_graph::service::listing::Scalar::Int(0))],
            },
        ),
    ] {
        let spec = ListSpec {
            filter: Some(filter),
            order: Vec::new(),
        };
        let count = match table {
            Table::Account => {
                page::count_all::<entity::account::Entity>(&db, sea_orm::Condition::all(), &spec)
                    .await
            }
            Table::Contact => {
                page::count_all::<entity::contact::Entity>(&db, sea_orm::Condition::all(), &spec)
                    .await
            }
            Table::Incident => {
                page::count_all::<entity::incident::Entity>(&db, sea_orm::Condition::all(), &spec)
                    .await
            }
            _ => {
                page::count_all::<entity::opportunity::Entity>(
                    &db,
                    sea_orm::Condition::all(),
                    &spec,
                )
                .await
            }
        };
        count.unwrap();
    }
});
