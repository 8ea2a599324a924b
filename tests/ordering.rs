//! `orderBy` and cursors: every order is total (the id breaks ties), pages forward and backward
//! under any order give the same rows as one big page, and a cursor only works with the order
//! and filter it was issued for.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use entity::enums::{IncidentPriority, IncidentStatus};
use entity::{contact, incident};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use common::{TestApp, fixtures};

const LAST: [&str; 5] = ["ada", "Ada", "bob", "Bob", "Cy"];
const FIRST: [Option<&str>; 4] = [None, Some("x"), Some("Y"), Some("z")];
const STATUS: [IncidentStatus; 3] = [
    IncidentStatus::Closed,
    IncidentStatus::New,
    IncidentStatus::Pending,
];
const PRIORITY: [IncidentPriority; 2] = [IncidentPriority::Urgent, IncidentPriority::Low];

/// 23 contacts of one account with many equal sort values, each with an incident.
async fn data(app: &TestApp) {
    let account = fixtures::account(&app.db, "Acme", None).await;
    for i in 0..23usize {
        let person = fixtures::contact(&app.db, Some(account.id), LAST[i % 5]).await;
        let mut active = person.clone().into_active_model();
        active.first_name = Set(FIRST[i % 4].map(str::to_owned));
        let person: contact::Model = active.update(&app.db).await.unwrap();
        let case = fixtures::incident(
            &app.db,
            Some(account.id),
            person.id,
            None,
            &format!("case {}", i % 3),
        )
        .await;
        let mut active = case.into_active_model();
        active.status = Set(STATUS[i % 3]);
        active.priority = Set(PRIORITY[i % 2]);
        if i % 3 == 0 {
            active.closed_at = Set(Some(Utc::now()));
        }
        let _: incident::Model = active.update(&app.db).await.unwrap();
    }
}

fn ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The whole list in one page, then page by page forward and backward: always the same rows.
async fn pages_agree(app: &TestApp, field: &str, order: &Value, filter: &Value) -> Vec<Value> {
    let query = format!(
        "query($order: [{ty}Order!], $filter: {ty}Filter, $first: Int, $after: String, $last: Int, $before: String) {{
            {field}(orderBy: $order, filter: $filter, first: $first, after: $after, last: $last, before: $before) {{
                totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                edges {{ cursor node {{ id {extra} }} }} }} }}",
        ty = if field == "contacts" { "Contact" } else { "Incident" },
        extra = if field == "contacts" { "firstName lastName" } else { "status priority closedAt subject" },
    );
    let all = app
        .gql(
            &query,
            json!({ "order": order, "filter": filter, "first": 100 }),
        )
        .await
        .data()[field]
        .clone();
    let expected = ids(&all);
    let mut forward = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .gql(
                &query,
                json!({ "order": order, "filter": filter, "first": 4, "after": after }),
            )
            .await
            .data()[field]
            .clone();
        forward.extend(ids(&page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(forward, expected, "forward pages of {order}");
    let mut backward = Vec::new();
    let mut before = Value::Null;
    loop {
        let page = app
            .gql(
                &query,
                json!({ "order": order, "filter": filter, "last": 5, "before": before }),
            )
            .await
            .data()[field]
            .clone();
        let mut chunk = ids(&page);
        chunk.extend(backward);
        backward = chunk;
        if page["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
    assert_eq!(backward, expected, "backward pages of {order}");
    all["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

fn lower(value: &Value) -> Option<String> {
    value.as_str().map(str::to_lowercase)
}

both_backends!(pages_agree_under_every_order, |app| {
    data(&app).await;
    let none = Value::Null;
    let rows = pages_agree(&app, "contacts", &json!([{ "field": "LAST_NAME" }]), &none).await;
    let keys: Vec<_> = rows.iter().map(|r| lower(&r["lastName"])).collect();
    assert!(
        keys.windows(2).all(|w| w[0] <= w[1]),
        "case-insensitive: {keys:?}"
    );

    let rows = pages_agree(
        &app,
        "contacts",
        &json!([{ "field": "FIRST_NAME", "direction": "DESC" }, { "field": "LAST_NAME" }]),
        &none,
    )
    .await;
    let firsts: Vec<_> = rows.iter().map(|r| lower(&r["firstName"])).collect();
    assert!(
        firsts.iter().take_while(|f| f.is_none()).count() == 6,
        "nulls first when descending: {firsts:?}"
    );
    let named: Vec<_> = firsts.iter().flatten().collect();
    assert!(named.windows(2).all(|w| w[0] >= w[1]), "{named:?}");

    let rows = pages_agree(
        &app,
        "contacts",
        &json!([{ "field": "FIRST_NAME" }]),
        &json!({ "lastName": { "in": ["ada", "Bob"] } }),
    )
    .await;
    let firsts: Vec<_> = rows.iter().map(|r| lower(&r["firstName"])).collect();
    assert!(
        firsts.last().unwrap().is_none(),
        "nulls last when ascending: {firsts:?}"
    );

    pages_agree(
        &app,
        "contacts",
        &json!([{ "field": "CREATED_AT", "direction": "DESC" }]),
        &none,
    )
    .await;
    pages_agree(
        &app,
        "contacts",
        &json!([{ "field": "UPDATED_AT" }, { "field": "LAST_NAME", "direction": "DESC" }]),
        &none,
    )
    .await;

    let rows = pages_agree(
        &app,
        "incidents",
        &json!([{ "field": "STATUS" }, { "field": "PRIORITY", "direction": "DESC" }]),
        &none,
    )
    .await;
    let rank = |s: &str| {
        ["NEW", "OPEN", "PENDING", "SOLVED", "CLOSED"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let statuses: Vec<_> = rows
        .iter()
        .map(|r| rank(r["status"].as_str().unwrap()))
        .collect();
    assert!(
        statuses.windows(2).all(|w| w[0] <= w[1]),
        "by lifecycle, not spelling: {statuses:?}"
    );
    let rows = pages_agree(
        &app,
        "incidents",
        &json!([{ "field": "CLOSED_AT" }]),
        &json!({ "status": { "ne": "NEW" } }),
    )
    .await;
    assert!(
        rows.last().unwrap()["closedAt"].is_null(),
        "open cases last"
    );
    pages_agree(
        &app,
        "incidents",
        &json!([{ "field": "SUBJECT", "direction": "DESC" }, { "field": "CREATED_AT" }]),
        &none,
    )
    .await;
});

both_backends!(generated_orders_page_consistently, |app| {
    use rand::rngs::SmallRng;
    use rand::seq::IndexedRandom;
    use rand::{Rng, SeedableRng};
    data(&app).await;
    let fields = ["LAST_NAME", "FIRST_NAME", "CREATED_AT", "UPDATED_AT"];
    let mut rng = SmallRng::seed_from_u64(14);
    for _ in 0..8 {
        let count = rng.random_range(1..=3);
        let mut chosen: Vec<&str> = Vec::new();
        while chosen.len() < count {
            let field = *fields.choose(&mut rng).unwrap();
            if !chosen.contains(&field) {
                chosen.push(field);
            }
        }
        let order: Vec<Value> = chosen
            .iter()
            .map(|field| json!({ "field": field, "direction": if rng.random_bool(0.5) { "ASC" } else { "DESC" } }))
            .collect();
        let filter = if rng.random_bool(0.5) {
            json!({ "lastName": { "notIn": ["Cy"] } })
        } else {
            Value::Null
        };
        pages_agree(&app, "contacts", &json!(order), &filter).await;
    }
});

both_backends!(nested_pages_follow_the_order_per_parent, |app| {
    data(&app).await;
    let query = "query($after: String) { accounts { edges { node {
        contacts(first: 3, after: $after, orderBy: [{ field: LAST_NAME, direction: DESC }], filter: { firstName: { isNull: false } }) {
            totalCount pageInfo { endCursor hasNextPage } edges { node { id lastName } } } } } } }";
    let root = "{ contacts(first: 100, orderBy: [{ field: LAST_NAME, direction: DESC }], filter: { firstName: { isNull: false } }) { edges { node { id } } } }";
    let expected = ids(&app.gql(root, json!({})).await.data()["contacts"]);
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .gql(query, json!({ "after": after }))
            .await
            .data()
            .clone();
        let page = &data["accounts"]["edges"][0]["node"]["contacts"];
        assert_eq!(page["totalCount"], 17);
        seen.extend(ids(page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, expected);
});

both_backends!(a_cursor_works_only_with_its_order_and_filter, |app| {
    data(&app).await;
    let query = "query($order: [ContactOrder!], $filter: ContactFilter, $after: String) {
        contacts(first: 2, orderBy: $order, filter: $filter, after: $after) { pageInfo { endCursor } } }";
    let by_name = json!([{ "field": "LAST_NAME" }]);
    let page = app
        .gql(query, json!({ "order": by_name }))
        .await
        .data()
        .clone();
    let cursor = page["contacts"]["pageInfo"]["endCursor"].clone();
    app.gql(query, json!({ "order": by_name, "after": cursor }))
        .await
        .data();
    for (order, filter) in [
        (
            json!([{ "field": "LAST_NAME", "direction": "DESC" }]),
            Value::Null,
        ),
        (Value::Null, Value::Null),
        (by_name.clone(), json!({ "lastName": { "eq": "Cy" } })),
    ] {
        let reply = app
            .gql(
                query,
                json!({ "order": order, "filter": filter, "after": cursor }),
            )
            .await;
        assert_eq!(reply.error_code(), "BAD_USER_INPUT", "{order} {filter}");
        assert!(
            reply.body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("`after`")
        );
    }
    let reply = app.gql(query, json!({ "after": "bm90IGEgY3Vyc29y" })).await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
    let twice = json!([{ "field": "LAST_NAME" }, { "field": "LAST_NAME", "direction": "DESC" }]);
    let reply = app.gql(query, json!({ "order": twice })).await;
    assert_eq!(reply.error_code(), "BAD_USER_INPUT");
});

// SQLite keeps timestamps as UTC text; comparing that text must equal comparing instants down
// to the microsecond (ADR 0006). This pins the assumption on the values that format differently
// (no fraction, milliseconds, microseconds).
both_backends!(timestamps_compare_as_instants_to_the_microsecond, |app| {
    let account = fixtures::account(&app.db, "Clock", None).await;
    let person = fixtures::contact(&app.db, Some(account.id), "Ticks").await;
    let base: DateTime<Utc> = "2026-05-01T10:00:00Z".parse().unwrap();
    let offsets_us = [
        999_999, 0, 1, 123_000, 123_456, 500_000, 100_000, 1_000_000, 10,
    ];
    for (i, offset) in offsets_us.iter().enumerate() {
        let case =
            fixtures::incident(&app.db, Some(account.id), person.id, None, &format!("t{i}")).await;
        let mut active = case.into_active_model();
        active.created_at = Set(base + TimeDelta::microseconds(*offset));
        let _: incident::Model = active.update(&app.db).await.unwrap();
    }
    let query = "query($f: IncidentFilter) { incidents(orderBy: [{ field: CREATED_AT }], filter: $f) { edges { node { createdAt } } } }";
    let times = |data: &Value| -> Vec<DateTime<Utc>> {
        data["incidents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["createdAt"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    let data = app.gql(query, json!({ "f": null })).await.data().clone();
    let mut sorted = times(&data);
    sorted.sort();
    assert_eq!(times(&data), sorted);
    let pivot = (base + TimeDelta::microseconds(123_000)).to_rfc3339();
    for (op, expected) in [("eq", 1), ("gt", 4), ("gte", 5), ("lt", 4), ("lte", 5)] {
        let data = app
            .gql(query, json!({ "f": { "createdAt": { op: pivot } } }))
            .await
            .data()
            .clone();
        assert_eq!(times(&data).len(), expected, "{op} {pivot}");
    }
});
