//! `searchContacts` and `searchAccounts`: what matches, in which order, through which scope, at
//! what cost, and that the search documents follow every write in its transaction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::auth::Scope;
use contacts_graph::graphql::ids::NodeType;
use contacts_graph::service::search::{self, SearchText, SearchWindow};
use contacts_graph::service::seed::{self, SeedPlan};
use entity::{account, contact};
use phonenumber::country;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryTrait, Set,
    Statement, TransactionTrait,
};
use serde_json::{Value, json};

use common::partners;
use common::world::{self, gid};
use common::{Backend, TestApp, fixtures};

const SEARCH_CONTACTS: &str = "query($q: String!, $first: Int, $after: String) {
    searchContacts(query: $q, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id lastName } }
    }
}";

const SEARCH_ACCOUNTS: &str = "query($q: String!, $first: Int, $after: String) {
    searchAccounts(query: $q, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { id name } }
    }
}";

/// Last names found by `query` with `token`, best first, and the total count.
async fn contacts_as(app: &TestApp, token: &str, query: &str) -> (Vec<String>, u64) {
    let reply = app
        .gql_as(token, SEARCH_CONTACTS, json!({ "q": query, "first": 100 }))
        .await;
    let found = &reply.data()["searchContacts"];
    (
        field(found, "lastName"),
        found["totalCount"].as_u64().unwrap(),
    )
}

async fn contacts(app: &TestApp, query: &str) -> Vec<String> {
    contacts_as(app, &app.keys.admin, query).await.0
}

async fn accounts_as(app: &TestApp, token: &str, query: &str) -> (Vec<String>, u64) {
    let reply = app
        .gql_as(token, SEARCH_ACCOUNTS, json!({ "q": query, "first": 100 }))
        .await;
    let found = &reply.data()["searchAccounts"];
    (field(found, "name"), found["totalCount"].as_u64().unwrap())
}

async fn accounts(app: &TestApp, query: &str) -> Vec<String> {
    accounts_as(app, &app.keys.admin, query).await.0
}

fn field(connection: &Value, name: &str) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"][name].as_str().unwrap().to_owned())
        .collect()
}

/// Runs a mutation with the admin key and returns its data.
async fn mutate(app: &TestApp, mutation: &str, input: Value) -> Value {
    app.gql(mutation, json!({ "input": input }))
        .await
        .data()
        .clone()
}

const CREATE_CONTACT: &str =
    "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }";

async fn create_contact(app: &TestApp, input: Value) -> String {
    let data = mutate(app, CREATE_CONTACT, input).await;
    data["createContact"]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_backends!(an_exact_identity_ranks_first, |app| {
    // Two contacts whose text holds the query more often than Ada's, both older than her.
    create_contact(
        &app,
        json!({ "lastName": "Echo", "alias": "ada@example.com", "jobTitle": "ada@example.com" }),
    )
    .await;
    create_contact(
        &app,
        json!({ "lastName": "Parrot", "jobTitle": "ada@example.com ada@example.com" }),
    )
    .await;
    create_contact(
        &app,
        json!({ "lastName": "Lovelace",
                "identities": [{ "channel": "EMAIL", "value": "Ada@Example.com" },
                               { "channel": "SMS", "value": "+1 201-555-0123" }] }),
    )
    .await;
    let found = contacts(&app, "ada@example.com").await;
    assert_eq!(found[0], "Lovelace", "{found:?}");
    assert_eq!(found.len(), 3);
    // The query is read per channel as contactByIdentity reads it: case, national phone forms.
    assert_eq!(contacts(&app, "ADA@example.COM").await[0], "Lovelace");
    assert_eq!(contacts(&app, "(201) 555-0123").await[0], "Lovelace");

    // Stored as "2015550144", asked for as "+1 (201) 555-0144": the text does not match, the
    // normalized identity does.
    create_contact(
        &app,
        json!({ "lastName": "Hamilton",
                "identities": [{ "channel": "WHATSAPP", "value": "2015550144" }] }),
    )
    .await;
    assert_eq!(contacts(&app, "+1 (201) 555-0144").await[0], "Hamilton");
});

both_backends!(every_kind_of_field_matches, |app| {
    let grace = create_contact(
        &app,
        json!({ "firstName": "Grace", "lastName": "Hopper", "alias": "Amazing",
                "jobTitle": "Rear Admiral", "city": "Arlington",
                "identities": [{ "channel": "TWITTER", "value": "@GHopper" },
                               { "channel": "SMS", "value": "(201) 555-0177" }] }),
    )
    .await;
    mutate(
        &app,
        CREATE_METHOD,
        json!({ "owner": { "contact": grace }, "kind": "WEBSITE",
                "value": "https://cobol.example/history" }),
    )
    .await;
    create_contact(&app, json!({ "firstName": "Alan", "lastName": "Turing" })).await;
    for query in [
        "Grace",
        "hopper",
        "Amazing",
        "Admiral",
        "@GHopper",
        "ghopper",
        "+12015550177",
        "555-0177",
        "cobol",
    ] {
        assert_eq!(contacts(&app, query).await, ["Hopper"], "{query}");
    }
    // The contact's city is not part of its document.
    assert!(contacts(&app, "Arlington").await.is_empty());

    let acme = mutate(
        &app,
        CREATE_ACCOUNT,
        json!({ "name": "Acme Rockets", "isCustomer": true, "city": "Tucson",
                "phone": "+1 520 555 0100", "website": "https://rockets.example" }),
    )
    .await["createAccount"]["account"]["id"]
        .clone();
    mutate(
        &app,
        CREATE_METHOD,
        json!({ "owner": { "account": acme }, "kind": "EMAIL", "value": "orders@anvils.example" }),
    )
    .await;
    mutate(
        &app,
        CREATE_ACCOUNT,
        json!({ "name": "Globex", "isCustomer": true, "city": "Springfield" }),
    )
    .await;
    // Phone numbers are stored in E.164: a whole number matches in any form.
    for query in [
        "Acme",
        "rockets",
        "Tucson",
        "(520) 555-0100",
        "+15205550100",
        "rockets.example",
        "anvils",
    ] {
        assert_eq!(accounts(&app, query).await, ["Acme Rockets"], "{query}");
    }
});

both_backends!(words_match_as_prefixes_and_all_must_match, |app| {
    create_contact(&app, json!({ "firstName": "Grace", "lastName": "Hopper" })).await;
    create_contact(&app, json!({ "firstName": "Grace", "lastName": "Kelly" })).await;
    create_contact(&app, json!({ "firstName": "Hannah", "lastName": "Müller" })).await;
    assert_eq!(contacts(&app, "Hop").await, ["Hopper"]);
    assert_eq!(contacts(&app, "gra hop").await, ["Hopper"]);
    assert_eq!(contacts(&app, "Hopper Grace").await, ["Hopper"]);
    assert_eq!(contacts(&app, "Grace").await, ["Hopper", "Kelly"]);
    assert!(contacts(&app, "Hopper Zebra").await.is_empty());
    assert_eq!(contacts(&app, "Müller").await, ["Müller"]);
    // FTS5's tokenizer folds accents; pg_trgm compares letters as they are.
    let unaccented = contacts(&app, "Muller").await;
    match app.backend {
        Backend::Sqlite => assert_eq!(unaccented, ["Müller"]),
        Backend::Postgres => assert!(unaccented.is_empty(), "{unaccented:?}"),
    }
    // Words without letters or digits match nothing; they do not break the query.
    assert_eq!(contacts(&app, "Hopper + -").await, ["Hopper"]);
    assert!(contacts(&app, "\"* NEAR( :").await.is_empty());

    // A whole word ranks above a longer word it begins, even an older one.
    create_contact(&app, json!({ "firstName": "Ada", "lastName": "Hoppers" })).await;
    create_contact(&app, json!({ "firstName": "Ada", "lastName": "Hopp" })).await;
    assert_eq!(contacts(&app, "hopper").await, ["Hopper", "Hoppers"]);
    assert_eq!(contacts(&app, "Ada Hopp").await, ["Hopp", "Hoppers"]);
});

both_backends!(typos_are_forgiven_on_postgresql_only, |app| {
    create_contact(&app, json!({ "firstName": "Ada", "lastName": "Lovelace" })).await;
    create_contact(&app, json!({ "firstName": "Grace", "lastName": "Hopper" })).await;
    // A wrong, a swapped, a missing and an extra letter.
    for typo in ["Lovelase", "Lovelaec", "Hoper", "Hopperr"] {
        let found = contacts(&app, typo).await;
        match app.backend {
            Backend::Postgres => assert_eq!(found.len(), 1, "{typo}: {found:?}"),
            Backend::Sqlite => assert!(found.is_empty(), "{typo}: {found:?}"),
        }
    }
});

const UPDATE_CONTACT: &str =
    "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }";
const ADD_IDENTITY: &str = "mutation($input: AddContactIdentityInput!) {
    addContactIdentity(input: $input) { identity { id } } }";
const REMOVE_IDENTITY: &str = "mutation($input: RemoveContactIdentityInput!) {
    removeContactIdentity(input: $input) { removedIdentityId } }";
const CREATE_METHOD: &str = "mutation($input: CreateCommunicationMethodInput!) {
    createCommunicationMethod(input: $input) { communicationMethod { id } } }";
const MERGE: &str = "mutation($input: MergeContactsInput!) {
    mergeContacts(input: $input) { mergedContactId } }";
const DELETE_CONTACT: &str = "mutation($input: DeleteContactInput!) {
    deleteContact(input: $input) { deletedContactId } }";
const CREATE_ACCOUNT: &str = "mutation($input: CreateAccountInput!) {
    createAccount(input: $input) { account { id } } }";
const UPDATE_ACCOUNT: &str = "mutation($input: UpdateAccountInput!) {
    updateAccount(input: $input) { account { id } } }";

both_backends!(the_documents_follow_every_write, |app| {
    let grace = create_contact(&app, json!({ "firstName": "Grace", "lastName": "Hopper" })).await;
    assert_eq!(contacts(&app, "Hopper").await, ["Hopper"]);

    mutate(
        &app,
        UPDATE_CONTACT,
        json!({ "id": grace, "lastName": "Murray" }),
    )
    .await;
    assert!(contacts(&app, "Hopper").await.is_empty());
    assert_eq!(contacts(&app, "Murray").await, ["Murray"]);

    let added = mutate(
        &app,
        ADD_IDENTITY,
        json!({ "contactId": grace, "channel": "EMAIL", "value": "amazing.grace@navy.example" }),
    )
    .await;
    // The whole address is also an exact identity match; a part of it only the document has.
    assert_eq!(
        contacts(&app, "amazing.grace@navy.example").await,
        ["Murray"]
    );
    assert_eq!(contacts(&app, "amazing.grace").await, ["Murray"]);
    let identity = added["addContactIdentity"]["identity"]["id"].clone();
    mutate(&app, REMOVE_IDENTITY, json!({ "id": identity })).await;
    assert!(contacts(&app, "amazing.grace").await.is_empty());
    assert!(
        contacts(&app, "amazing.grace@navy.example")
            .await
            .is_empty()
    );

    mutate(
        &app,
        CREATE_METHOD,
        json!({ "owner": { "contact": grace }, "kind": "WEBSITE", "value": "https://cobol.example" }),
    )
    .await;
    assert_eq!(contacts(&app, "cobol").await, ["Murray"]);

    // A merge moves the merged contact's identities (and their text) to the survivor.
    let duplicate = create_contact(
        &app,
        json!({ "lastName": "Zimmermann",
                "identities": [{ "channel": "TWITTER", "value": "@qxdupehandle" }] }),
    )
    .await;
    assert_eq!(contacts(&app, "qxdupehand").await, ["Zimmermann"]);
    mutate(
        &app,
        MERGE,
        json!({ "survivorId": grace, "mergedId": duplicate, "allowCrossAccount": true }),
    )
    .await;
    assert_eq!(contacts(&app, "qxdupehand").await, ["Murray"]);
    assert!(contacts(&app, "Zimmermann").await.is_empty());

    mutate(&app, DELETE_CONTACT, json!({ "id": grace })).await;
    assert!(contacts(&app, "Murray").await.is_empty());
    assert!(contacts(&app, "qxdupehand").await.is_empty());

    let account = mutate(
        &app,
        CREATE_ACCOUNT,
        json!({ "name": "Bluefin Robotics", "isCustomer": true }),
    )
    .await["createAccount"]["account"]["id"]
        .clone();
    assert_eq!(accounts(&app, "Bluefin").await, ["Bluefin Robotics"]);
    mutate(
        &app,
        UPDATE_ACCOUNT,
        json!({ "id": account, "name": "Redfin Robotics" }),
    )
    .await;
    assert!(accounts(&app, "Bluefin").await.is_empty());
    mutate(
        &app,
        CREATE_METHOD,
        json!({ "owner": { "account": account }, "kind": "FAX", "value": "+1 520 555 0199" }),
    )
    .await;
    assert_eq!(accounts(&app, "520-555-0199").await, ["Redfin Robotics"]);
    assert_documents_in_step(&app).await;
});

/// Every record has exactly one document, and on SQLite the FTS5 index agrees with the
/// documents it indexes.
async fn assert_documents_in_step(app: &TestApp) {
    let count = |sql: &str| {
        let sql = sql.to_owned();
        async move {
            let row = app
                .db
                .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM contact_search").await,
        count("SELECT COUNT(*) FROM contact").await
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM account_search").await,
        count("SELECT COUNT(*) FROM account").await
    );
    if app.backend == Backend::Sqlite {
        for fts in ["contact_search_fts", "account_search_fts"] {
            app.db
                .execute_unprepared(&format!(
                    "INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)"
                ))
                .await
                .unwrap_or_else(|err| panic!("{fts} out of step: {err}"));
        }
    }
}

both_backends!(
    a_rolled_back_write_leaves_the_documents_as_they_were,
    |app| {
        let w = world::build(&app.db).await;
        // The contact and its first identity are written, then the second identity (Ada's) fails.
        let reply = app
            .gql(
                CREATE_CONTACT,
                json!({ "input": { "lastName": "Impostor", "identities": [
                { "channel": "TWITTER", "value": "@newcomer" },
                { "channel": "EMAIL", "value": "ada@example.com" } ] } }),
            )
            .await;
        assert_eq!(reply.error_code(), "CONFLICT");
        assert!(contacts(&app, "Impostor").await.is_empty());
        assert!(contacts(&app, "newcomer").await.is_empty());

        let txn = app.db.begin().await.unwrap();
        let mut ada = w.ada.clone().into_active_model();
        ada.last_name = Set("Byron".to_owned());
        ada.update(&txn).await.unwrap();
        let at = w.bob.created_at;
        entity::contact_identity::Model {
            id: uuid::Uuid::now_v7(),
            contact_id: w.bob.id,
            channel: entity::enums::IdentityChannel::Wechat,
            value: "bobwechat".to_owned(),
            normalized_value: "bobwechat".to_owned(),
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
        .insert(&txn)
        .await
        .unwrap();
        assert_eq!(
            contacts(&app, "Lovelace").await,
            ["Lovelace"],
            "other connections do not see the open transaction"
        );
        txn.rollback().await.unwrap();
        assert!(contacts(&app, "Byron").await.is_empty());
        assert!(contacts(&app, "bobwechat").await.is_empty());
        assert_eq!(contacts(&app, "Lovelace").await, ["Lovelace"]);
        assert_documents_in_step(&app).await;
    }
);

both_backends!(a_partner_finds_only_its_own_records, |app| {
    let p = partners::build(&app).await;
    let northwind = p.northwind_key.as_str();
    for foreign in [
        "Dee",
        "dee@globex.example",
        "Ivanova",
        "ivy@initech.example",
    ] {
        assert_eq!(
            contacts_as(&app, northwind, foreign).await,
            (vec![], 0),
            "{foreign}"
        );
    }
    assert_eq!(
        contacts_as(&app, northwind, "Lovelace").await,
        (vec!["Lovelace".to_owned()], 1)
    );
    assert_eq!(
        contacts_as(&app, northwind, "ada@example.com").await,
        (vec!["Lovelace".to_owned()], 1)
    );
    // Every fixture contact is called "Test": the partner counts only its three.
    let (found, total) = contacts_as(&app, northwind, "Test").await;
    assert_eq!((found.len(), total), (3, 3), "{found:?}");
    let (found, total) = contacts_as(&app, &app.keys.admin, "Test").await;
    assert_eq!((found.len(), total), (6, 6), "{found:?}");

    assert_eq!(
        contacts_as(&app, &p.contoso_key, "Ivanova").await,
        (vec!["Ivanova".to_owned()], 1)
    );
    for foreign in ["Globex", "Contoso", "Initech"] {
        assert_eq!(
            accounts_as(&app, northwind, foreign).await,
            (vec![], 0),
            "{foreign}"
        );
    }
    assert_eq!(
        accounts_as(&app, northwind, "Acme").await,
        (vec!["Acme".to_owned()], 1)
    );
    // Every fixture customer is in Berlin.
    assert_eq!(accounts_as(&app, northwind, "Berlin").await.1, 1);
    assert_eq!(accounts_as(&app, &app.keys.admin, "Berlin").await.1, 3);
});

/// `count` contacts called "Person", oldest first.
async fn people(app: &TestApp, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..count {
        let person = fixtures::contact(&app.db, None, &format!("Person{n:02}")).await;
        ids.push(gid(NodeType::Contact, person.id));
    }
    ids
}

both_backends!(pages_cover_the_ranking_once, |app| {
    let ids = people(&app, 25).await;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    for page in 0..3 {
        let reply = app
            .gql(
                SEARCH_CONTACTS,
                json!({ "q": "person", "first": 10, "after": after }),
            )
            .await;
        let found = reply.data()["searchContacts"].clone();
        assert_eq!(found["totalCount"], 25);
        assert_eq!(found["pageInfo"]["hasPreviousPage"], page > 0);
        assert_eq!(found["pageInfo"]["hasNextPage"], page < 2);
        seen.extend(field(&found, "id"));
        after = found["pageInfo"]["endCursor"].clone();
    }
    let all = app
        .gql(SEARCH_CONTACTS, json!({ "q": "person", "first": 25 }))
        .await;
    assert_eq!(seen, field(&all.data()["searchContacts"], "id"));
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 25, "no duplicates");
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(sorted, expected, "no gaps");

    // Past the end: an empty page that still knows where it is.
    let last = app
        .gql(SEARCH_CONTACTS, json!({ "q": "person", "first": 25 }))
        .await
        .data()["searchContacts"]["pageInfo"]["endCursor"]
        .clone();
    let reply = app
        .gql(SEARCH_CONTACTS, json!({ "q": "person", "after": last }))
        .await;
    let beyond = &reply.data()["searchContacts"];
    assert_eq!(beyond["edges"], json!([]));
    assert_eq!(beyond["totalCount"], 25);
    assert_eq!(beyond["pageInfo"]["hasNextPage"], false);

    // Without `first`, the configured default page size.
    let reply = app.gql(SEARCH_CONTACTS, json!({ "q": "person" })).await;
    assert_eq!(field(&reply.data()["searchContacts"], "id").len(), 20);
});

both_backends!(a_cursor_of_another_search_is_refused, |app| {
    people(&app, 3).await;
    let reply = app
        .gql(SEARCH_CONTACTS, json!({ "q": "person", "first": 1 }))
        .await;
    let cursor = reply.data()["searchContacts"]["pageInfo"]["endCursor"].clone();
    let list_cursor = app
        .gql(
            "{ contacts(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await
        .data()["contacts"]["pageInfo"]["endCursor"]
        .clone();
    for (query, vars) in [
        (SEARCH_CONTACTS, json!({ "q": "persons", "after": cursor })),
        (SEARCH_ACCOUNTS, json!({ "q": "person", "after": cursor })),
        (
            SEARCH_CONTACTS,
            json!({ "q": "person", "after": list_cursor }),
        ),
        (SEARCH_CONTACTS, json!({ "q": "person", "after": "bm9wZQ" })),
    ] {
        let reply = app.gql(query, vars.clone()).await;
        assert_eq!(reply.error_code(), "BAD_USER_INPUT", "{vars}");
        let message = reply.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("`after`"), "{message}");
    }
    // The same query with other spacing is the same search.
    let reply = app
        .gql(
            SEARCH_CONTACTS,
            json!({ "q": "  person ", "after": cursor }),
        )
        .await;
    assert_eq!(field(&reply.data()["searchContacts"], "id").len(), 2);
});

both_backends!(bad_input_is_refused_naming_the_argument, |app| {
    let long = "x".repeat(1025);
    let wordy = vec!["w"; 17].join(" ");
    for (vars, argument) in [
        (json!({ "q": "" }), "query"),
        (json!({ "q": " \t " }), "query"),
        (json!({ "q": long }), "query"),
        (json!({ "q": wordy }), "query"),
        (json!({ "q": "ada", "first": -1 }), "first"),
        (json!({ "q": "ada", "first": 101 }), "first"),
        (json!({ "q": "ada", "after": "%%%" }), "after"),
    ] {
        for query in [SEARCH_CONTACTS, SEARCH_ACCOUNTS] {
            let reply = app.gql(query, vars.clone()).await;
            assert_eq!(reply.error_code(), "BAD_USER_INPUT", "{vars}");
            let message = reply.body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(&format!("`{argument}`")), "{message}");
        }
    }
    // The limits themselves are accepted.
    let longest = "x".repeat(1024);
    let reply = app
        .gql(SEARCH_CONTACTS, json!({ "q": longest, "first": 100 }))
        .await;
    assert_eq!(reply.data()["searchContacts"]["totalCount"], 0);
});

async fn seeded(app: &TestApp, accounts: usize, contacts_per_account: usize) {
    let plan = SeedPlan {
        accounts,
        contacts_per_account,
        seed: 7,
    };
    seed::seed_generated(&app.db, &plan, country::Id::US)
        .await
        .unwrap();
}

both_backends!(a_search_is_one_statement_and_its_count_one_more, |app| {
    seeded(&app, 40, 5).await;
    let page = |first: u32, total: &str| {
        format!(
            "{{ searchContacts(query: \"Smith\", first: {first}) {{ {total} edges {{ node {{ lastName }} }} }} }}"
        )
    };
    let (data, statements) = app.counted(&page(5, ""), json!({})).await;
    let found = data["searchContacts"]["edges"].as_array().unwrap().len();
    assert!(found >= 2, "the data set must have several Smiths: {found}");
    assert_eq!(statements, 1);
    let (_, statements) = app.counted(&page(100, ""), json!({})).await;
    assert_eq!(statements, 1, "a larger page, the same statement");
    let (_, statements) = app.counted(&page(5, "totalCount"), json!({})).await;
    assert_eq!(statements, 2);

    let nested = "{ searchContacts(query: \"Smith\") { totalCount edges { node {
        lastName identities { value } account { name } } } } }";
    let (_, statements) = app.counted(nested, json!({})).await;
    // search, count, the identities of every contact found; their accounts in one more
    assert_eq!(statements, 4);

    let (_, statements) = app
        .counted(
            "{ searchAccounts(query: \"Smith\") { totalCount edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(statements, 2);
});

both_backends!(seeded_records_are_searchable, |app| {
    seeded(&app, 6, 4).await;
    assert_documents_in_step(&app).await;
    let someone = contact::Entity::find().one(&app.db).await.unwrap().unwrap();
    let identity = entity::contact_identity::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let found = contacts(&app, &someone.last_name).await;
    assert!(found.contains(&someone.last_name), "{found:?}");
    let reply = app
        .gql(SEARCH_CONTACTS, json!({ "q": identity.value, "first": 1 }))
        .await;
    assert_eq!(
        field(&reply.data()["searchContacts"], "id"),
        [gid(NodeType::Contact, identity.contact_id)]
    );
    let an_account = account::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(
        accounts(&app, &an_account.name)
            .await
            .contains(&an_account.name)
    );
});

both_backends!(
    documents_of_existing_records_are_built_by_the_migration,
    |app| {
        use migration::{Migrator, MigratorTrait};
        world::build(&app.db).await;
        Migrator::down(&app.db, Some(1)).await.unwrap();
        Migrator::up(&app.db, None).await.unwrap();
        assert_eq!(contacts(&app, "Lovelace").await, ["Lovelace"]);
        assert_eq!(contacts(&app, "babbage").await, ["Babbage"]);
        assert_eq!(accounts(&app, "Acme").await, ["Acme"]);
        assert_documents_in_step(&app).await;
    }
);

/// The page and count statements of a search as the service builds them, for `EXPLAIN`.
fn statements<E: search::Searchable>(backend: DbBackend, query: &str) -> [Statement; 2] {
    let text = SearchText::parse(query, country::Id::US).unwrap();
    let window = SearchWindow {
        offset: 0,
        size: 20,
    };
    let scope = Scope::Unrestricted;
    [
        search::page_select::<E>(backend, scope, &text, window)
            .unwrap()
            .build(backend),
        search::count_select::<E>(backend, scope, &text)
            .unwrap()
            .build(backend),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_reads_the_fts5_index_on_sqlite() {
    let app = common::spawn_app(Backend::Sqlite).await.unwrap();
    seeded(&app, 10, 5).await;
    let contact_statements = statements::<contact::Entity>(DbBackend::Sqlite, "Smith")
        .map(|statement| (statement, "contact_search_fts"));
    let account_statements = statements::<account::Entity>(DbBackend::Sqlite, "Smith")
        .map(|statement| (statement, "account_search_fts"));
    for (statement, fts) in contact_statements.into_iter().chain(account_statements) {
        let explain = Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        );
        let plan: Vec<String> = app
            .db
            .query_all_raw(explain)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<String>("", "detail").unwrap())
            .collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains(&format!("SCAN {fts} VIRTUAL TABLE INDEX")),
            "{plan}"
        );
        // The records are read by id, never scanned.
        for line in plan.lines() {
            assert!(
                !(line.contains("SCAN contact") || line.contains("SCAN account"))
                    || line.contains("VIRTUAL TABLE"),
                "{plan}"
            );
        }
    }
}

/// With ~2,000 seeded contacts and fresh statistics, PostgreSQL answers the word conditions
/// with a bitmap scan of the trigram index, not by reading every document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_reads_the_trigram_index_on_postgresql() {
    let Some(app) = common::spawn_app(Backend::Postgres).await else {
        return;
    };
    seeded(&app, 100, 20).await;
    app.db.execute_unprepared("ANALYZE").await.unwrap();
    let contact_statements = statements::<contact::Entity>(DbBackend::Postgres, "Smith")
        .map(|statement| (statement, "contact_search"));
    let account_statements = statements::<account::Entity>(DbBackend::Postgres, "Smith")
        .map(|statement| (statement, "account_search"));
    for (statement, table) in contact_statements.into_iter().chain(account_statements) {
        let explain = Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("EXPLAIN (FORMAT JSON) {}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        );
        let row = app.db.query_one_raw(explain).await.unwrap().unwrap();
        let plan: Value = row.try_get("", "QUERY PLAN").unwrap();
        let mut nodes = Vec::new();
        collect_nodes(&plan, &mut nodes);
        let index = format!("ix_{table}_document_trgm");
        assert!(
            nodes
                .iter()
                .any(|node| node["Node Type"] == "Bitmap Index Scan"
                    && node["Index Name"] == index.as_str()),
            "{plan:#}"
        );
        assert!(
            !nodes
                .iter()
                .any(|node| node["Node Type"] == "Seq Scan" && node["Relation Name"] == table),
            "{plan:#}"
        );
    }
}

fn collect_nodes<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect_nodes(item, out)),
        Value::Object(map) => {
            if map.contains_key("Node Type") {
                out.push(value);
            }
            map.values().for_each(|item| collect_nodes(item, out));
        }
        _ => {}
    }
}

/// Two transactions adding an identity each to one contact: the document ends up with both.
/// (PostgreSQL only: SQLite runs one writer at a time.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_to_one_contact_keep_both_in_its_document() {
    let Some(app) = common::spawn_app(Backend::Postgres).await else {
        return;
    };
    let ada = fixtures::contact(&app.db, None, "Lovelace").await;
    let identity = |value: &str| {
        let at = ada.created_at;
        entity::contact_identity::Model {
            id: uuid::Uuid::now_v7(),
            contact_id: ada.id,
            channel: entity::enums::IdentityChannel::Wechat,
            value: value.to_owned(),
            normalized_value: value.to_owned(),
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
    };
    let first = app.db.begin().await.unwrap();
    identity("firstwriter").insert(&first).await.unwrap();
    let second = {
        let db = app.db.clone();
        let row = identity("secondwriter");
        tokio::spawn(async move {
            let txn = db.begin().await.unwrap();
            row.insert(&txn).await.unwrap();
            txn.commit().await.unwrap();
        })
    };
    // Commit the first only once the second waits for it.
    let waiting = Statement::from_string(
        DbBackend::Postgres,
        "SELECT COUNT(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    for _ in 0..500 {
        let row = app
            .db
            .query_one_raw(waiting.clone())
            .await
            .unwrap()
            .unwrap();
        if row.try_get_by_index::<i64>(0).unwrap() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    first.commit().await.unwrap();
    second.await.unwrap();
    // Read the document itself: a search for an identity's value would also find the contact
    // through the exact-identity branch, without the document.
    let document = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT document FROM contact_search WHERE contact_id = $1",
        [ada.id.into()],
    );
    let row = app.db.query_one_raw(document).await.unwrap().unwrap();
    let document: String = row.try_get_by_index(0).unwrap();
    assert!(
        document.contains("firstwriter") && document.contains("secondwriter"),
        "{document}"
    );
}
