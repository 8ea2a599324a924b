//! A partner key sees its partner account, the customers it serves, their contacts and their
//! incidents, and nothing else, through every read path; and it writes only inside that scope.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::graphql::ids::NodeType;
use serde_json::{Value, json};

use common::Reply;
use common::partners::{self, Partners};
use common::world::gid;

fn names(connection: &Value, field: &str) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"][field].as_str().unwrap().to_owned())
        .collect()
}

/// Every text a refusal shows, to check that none names a record outside the scope.
fn error_texts(reply: &Reply) -> String {
    reply.body["errors"].to_string()
}

fn assert_no_foreign_trace(p: &Partners, text: &str) {
    let w = &p.world;
    for foreign in [
        w.dee.id.to_string(),
        gid(NodeType::Contact, w.dee.id),
        w.globex.id.to_string(),
        gid(NodeType::Account, w.globex.id),
        "Dee".to_owned(),
        "Globex".to_owned(),
        "Ivanova".to_owned(),
        "Contoso".to_owned(),
    ] {
        assert!(!text.contains(&foreign), "{foreign} leaked in {text}");
    }
}

both_backends!(root_lists_and_counts_hold_only_the_partners_rows, |app| {
    let p = partners::build(&app).await;
    let query = "{
        accounts { totalCount edges { node { name } } }
        contacts { totalCount edges { node { lastName } } }
        incidents { totalCount edges { node { subject reportedByPartner { name } } } }
        opportunities { totalCount }
        identityConflicts { totalCount }
        auditEntries { totalCount edges { node { entityId } } }
    }";
    let data = app
        .gql_as(&p.northwind_key, query, json!({}))
        .await
        .data()
        .clone();
    assert_eq!(names(&data["accounts"], "name"), ["Northwind", "Acme"]);
    assert_eq!(data["accounts"]["totalCount"], 2);
    assert_eq!(
        names(&data["contacts"], "lastName"),
        ["Lovelace", "Babbage", "Cyrus"]
    );
    assert_eq!(data["contacts"]["totalCount"], 3);
    assert_eq!(
        names(&data["incidents"], "subject"),
        ["Invoice wrong", "Printer on fire"]
    );
    assert_eq!(data["incidents"]["totalCount"], 2);
    assert_eq!(data["opportunities"]["totalCount"], 0);
    assert_eq!(data["identityConflicts"]["totalCount"], 0);
    // Ada's two entries; none about keys or other contacts
    assert_eq!(data["auditEntries"]["totalCount"], 2);

    let data = app
        .gql_as(&p.contoso_key, query, json!({}))
        .await
        .data()
        .clone();
    assert_eq!(names(&data["accounts"], "name"), ["Contoso", "Initech"]);
    assert_eq!(names(&data["contacts"], "lastName"), ["Ivanova"]);
    assert_eq!(names(&data["incidents"], "subject"), ["Badge lost"]);
    assert_eq!(data["auditEntries"]["totalCount"], 0);
});

// The compiled read path answers a lookup with its relations (the by-id and `= ANY` list
// statements) under the partner's scope too: another customer's contact is absent, and the
// partner's own contact comes with its identities and account.
both_backends!(the_compiled_lookup_keeps_the_partner_scope, |app| {
    let p = partners::build(&app).await;
    let query = "{
        byEmail: contactByIdentity(channel: EMAIL, value: \"dee@globex.example\") { id }
        mine: contactByIdentity(channel: EMAIL, value: \"ada@example.com\") {
            lastName account { name } identities { value }
        }
    }";
    let first = app.gql_as(&p.northwind_key, query, json!({})).await;
    let reply = &first;
    assert_eq!(reply.body["extensions"]["readPath"], "compiled");
    let data = reply.data();
    assert_eq!(data["byEmail"], Value::Null);
    assert_eq!(data["mine"]["lastName"], "Lovelace");
    assert_eq!(data["mine"]["account"]["name"], "Acme");
    let mut values: Vec<&str> = data["mine"]["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|identity| identity["value"].as_str().unwrap())
        .collect();
    values.sort_unstable();
    assert_eq!(values, ["+1 201-555-0123", "Ada@Example.com"]);
    assert_no_foreign_trace(&p, &reply.body.to_string());
    // the admin finds the other customer's contact through the same path
    let reply = app.gql(query, json!({})).await;
    assert_eq!(reply.body["extensions"]["readPath"], "compiled");
    assert!(reply.data()["byEmail"]["id"].is_string());
    // the document's validation is remembered now; the partner's plan still carries its scope
    let again = app.gql_as(&p.northwind_key, query, json!({})).await;
    assert_eq!(again.body, first.body);
});

both_backends!(records_outside_the_scope_read_as_absent, |app| {
    let p = partners::build(&app).await;
    let w = &p.world;
    let query = "query($dee: ID!, $globex: ID!, $outage: ID!, $deal: ID!, $ada: ID!, $ivy: ID!) {
        contact(id: $dee) { id }
        account(id: $globex) { id }
        incident(id: $outage) { id }
        opportunity(id: $deal) { id }
        node(id: $dee) { id }
        nodes(ids: [$ada, $dee, $globex, $ivy, $deal]) { id }
        byEmail: contactByIdentity(channel: EMAIL, value: \"dee@globex.example\") { id }
        mine: contactByIdentity(channel: EMAIL, value: \"ada@example.com\") { lastName }
    }";
    let vars = json!({
        "dee": gid(NodeType::Contact, w.dee.id),
        "globex": gid(NodeType::Account, w.globex.id),
        "outage": gid(NodeType::Incident, w.outage.id),
        "deal": gid(NodeType::Opportunity, w.deal.id),
        "ada": gid(NodeType::Contact, w.ada.id),
        "ivy": gid(NodeType::Contact, p.ivy.id),
    });
    let data = app
        .gql_as(&p.northwind_key, query, vars.clone())
        .await
        .data()
        .clone();
    for field in [
        "contact",
        "account",
        "incident",
        "opportunity",
        "node",
        "byEmail",
    ] {
        assert_eq!(data[field], Value::Null, "{field}");
    }
    assert_eq!(
        data["nodes"],
        json!([{ "id": vars["ada"] }, null, null, null, null])
    );
    assert_eq!(data["mine"]["lastName"], "Lovelace");
    // the admin sees all of them
    let data = app.gql(query, vars).await.data().clone();
    for field in [
        "contact",
        "account",
        "incident",
        "opportunity",
        "node",
        "byEmail",
    ] {
        assert_ne!(data[field], Value::Null, "{field}");
    }
});

both_backends!(nested_paths_stay_inside_the_scope, |app| {
    let p = partners::build(&app).await;
    let w = &p.world;
    let query = "query($ada: ID!, $northwind: ID!) {
        contact(id: $ada) {
            account { name partner { name customers { totalCount edges { node { name
                contacts { totalCount edges { node { lastName incidents { totalCount } } } }
            } } } } }
            opportunities { totalCount }
            auditLog { totalCount }
        }
        account(id: $northwind) {
            customers { totalCount edges { node { name } } }
            contacts { totalCount }
            incidents { totalCount }
            opportunities { totalCount }
        }
        incidents { edges { node { primaryContact { lastName } account { name } } } }
    }";
    let vars = json!({
        "ada": gid(NodeType::Contact, w.ada.id),
        "northwind": gid(NodeType::Account, w.partner.id),
    });
    let data = app
        .gql_as(&p.northwind_key, query, vars)
        .await
        .data()
        .clone();
    let customers = &data["contact"]["account"]["partner"]["customers"];
    assert_eq!(customers["totalCount"], 1);
    assert_eq!(names(customers, "name"), ["Acme"]);
    let acme = &customers["edges"][0]["node"];
    assert_eq!(acme["contacts"]["totalCount"], 3);
    assert_eq!(data["contact"]["opportunities"]["totalCount"], 0);
    assert_eq!(data["contact"]["auditLog"]["totalCount"], 2);
    assert_eq!(data["account"]["customers"]["totalCount"], 1);
    assert_eq!(data["account"]["opportunities"]["totalCount"], 0);
    assert_eq!(
        data["incidents"]["edges"][0]["node"],
        json!({ "primaryContact": { "lastName": "Lovelace" }, "account": { "name": "Acme" } })
    );
    // Globex's customer Dee is not reachable from Dee's side either
    let query = "query($globex: ID!) { account(id: $globex) { contacts { totalCount } } }";
    let vars = json!({ "globex": gid(NodeType::Account, w.globex.id) });
    let data = app
        .gql_as(&p.northwind_key, query, vars)
        .await
        .data()
        .clone();
    assert_eq!(data["account"], Value::Null);
});

both_backends!(cursors_from_another_key_reveal_nothing, |app| {
    let p = partners::build(&app).await;
    let page = "query($after: String) {
        contacts(first: 2, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } edges { cursor node { lastName } }
        }
    }";
    let admin = app.gql(page, json!({})).await.data().clone();
    // the admin's cursor after Babbage, used by the partner: only its own rows follow
    let cursor = admin["contacts"]["pageInfo"]["endCursor"].clone();
    let data = app
        .gql_as(&p.northwind_key, page, json!({ "after": cursor }))
        .await
        .data()
        .clone();
    assert_eq!(names(&data["contacts"], "lastName"), ["Cyrus"]);
    assert_eq!(data["contacts"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(data["contacts"]["totalCount"], 3);
    // a cursor naming a contact the partner cannot see pages on without naming it
    let all = app
        .gql(
            "{ contacts { edges { cursor node { lastName } } } }",
            json!({}),
        )
        .await;
    let dee_cursor = all.data()["contacts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["lastName"] == "Dee")
        .unwrap()["cursor"]
        .clone();
    let data = app
        .gql_as(&p.northwind_key, page, json!({ "after": dee_cursor }))
        .await
        .data()
        .clone();
    assert_eq!(data["contacts"]["edges"], json!([]));
});

both_backends!(merge_redirects_lead_only_to_visible_survivors, |app| {
    let p = partners::build(&app).await;
    let w = &p.world;
    let merge =
        "mutation($input: MergeContactsInput!) { mergeContacts(input: $input) { contact { id } } }";
    // Cy merges into Ada (same account); Bob merges into Dee (another account)
    for (merged, survivor) in [(w.cy.id, w.ada.id), (w.bob.id, w.dee.id)] {
        let input = json!({
            "mergedId": gid(NodeType::Contact, merged),
            "survivorId": gid(NodeType::Contact, survivor),
            "allowCrossAccount": true,
        });
        app.gql(merge, json!({ "input": input })).await.data();
    }
    let query = "query($cy: ID!, $bob: ID!) { cy: contact(id: $cy) { lastName } bob: contact(id: $bob) { lastName } }";
    let vars = json!({
        "cy": gid(NodeType::Contact, w.cy.id),
        "bob": gid(NodeType::Contact, w.bob.id),
    });
    let data = app
        .gql_as(&p.northwind_key, query, vars.clone())
        .await
        .data()
        .clone();
    assert_eq!(data["cy"]["lastName"], "Lovelace");
    assert_eq!(
        data["bob"],
        Value::Null,
        "the survivor is outside the scope"
    );
    let data = app.gql(query, vars).await.data().clone();
    assert_eq!(data["bob"]["lastName"], "Dee");
    // an update through the redirect to an invisible survivor is NOT_FOUND
    let update =
        "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }";
    let input = json!({ "id": gid(NodeType::Contact, w.bob.id), "jobTitle": "Spy" });
    let reply = app
        .gql_as(&p.northwind_key, update, json!({ "input": input }))
        .await;
    assert_eq!(reply.error_code(), "NOT_FOUND");
    assert_no_foreign_trace(&p, &error_texts(&reply));
});

const CREATE_INCIDENT: &str = "mutation($input: CreateIncidentInput!) {
    createIncident(input: $input) { incident { subject reportedByPartner { name } account { name } } }
}";

both_backends!(partners_write_only_inside_their_scope, |app| {
    let p = partners::build(&app).await;
    let w = &p.world;
    let key = &p.northwind_key;
    let contact = |id| gid(NodeType::Contact, id);
    let account = |id| gid(NodeType::Account, id);
    let before = common::record_audit_entries(&app.db).await;

    // allowed: a case for its customer's contact, reported by the partner whatever the input says
    let input = json!({ "subject": "Broken", "primaryContactId": contact(w.ada.id) });
    let data = app
        .gql_as(key, CREATE_INCIDENT, json!({ "input": input }))
        .await
        .data()
        .clone();
    assert_eq!(
        data["createIncident"]["incident"],
        json!({ "subject": "Broken", "reportedByPartner": { "name": "Northwind" }, "account": { "name": "Acme" } })
    );

    let refusals: Vec<(&str, Value, &str)> = vec![
        // a case for a contact outside the scope
        (
            CREATE_INCIDENT,
            json!({ "subject": "x", "primaryContactId": contact(w.dee.id) }),
            "NOT_FOUND",
        ),
        // ... or filed under an account outside it
        (
            CREATE_INCIDENT,
            json!({ "subject": "x", "primaryContactId": contact(w.ada.id), "accountId": account(w.globex.id) }),
            "NOT_FOUND",
        ),
        // ... or reported by another partner
        (
            CREATE_INCIDENT,
            json!({ "subject": "x", "primaryContactId": contact(w.ada.id), "reportedByPartnerId": account(p.contoso.id) }),
            "NOT_FOUND",
        ),
        (
            "mutation($input: ChangeIncidentContactInput!) { changeIncidentContact(input: $input) { incident { id } } }",
            json!({ "id": gid(NodeType::Incident, w.reported.id), "contactId": contact(w.dee.id) }),
            "NOT_FOUND",
        ),
        (
            "mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { incident { id } } }",
            json!({ "id": gid(NodeType::Incident, w.outage.id), "subject": "mine now" }),
            "NOT_FOUND",
        ),
        (
            "mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { incident { id } } }",
            json!({ "id": gid(NodeType::Incident, w.reported.id), "reportedByPartnerId": null }),
            "FORBIDDEN",
        ),
        (
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "lastName": "New", "accountId": account(w.globex.id) }),
            "NOT_FOUND",
        ),
        (
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "lastName": "New", "accountId": account(w.partner.id) }),
            "FORBIDDEN",
        ),
        (
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "lastName": "New" }),
            "FORBIDDEN",
        ),
        (
            "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }",
            json!({ "id": contact(w.ada.id), "accountId": account(w.globex.id) }),
            "NOT_FOUND",
        ),
        (
            "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }",
            json!({ "id": contact(w.dee.id), "jobTitle": "x" }),
            "NOT_FOUND",
        ),
        (
            "mutation($input: AddContactIdentityInput!) { addContactIdentity(input: $input) { identity { id } } }",
            json!({ "contactId": contact(w.ada.id), "channel": "EMAIL", "value": "dee@globex.example" }),
            "CONFLICT",
        ),
        (
            "mutation($input: AddContactIdentityInput!) { addContactIdentity(input: $input) { identity { id } } }",
            json!({ "contactId": contact(w.dee.id), "channel": "EMAIL", "value": "new@acme.example" }),
            "NOT_FOUND",
        ),
        (
            "mutation($input: CreateCommunicationMethodInput!) { createCommunicationMethod(input: $input) { communicationMethod { id } } }",
            json!({ "owner": { "account": account(w.acme.id) }, "kind": "WEBSITE", "value": "https://x.example" }),
            "FORBIDDEN",
        ),
        (
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({ "lastName": "New", "accountId": account(w.acme.id), "identities": [{ "channel": "EMAIL", "value": "dee@globex.example" }] }),
            "CONFLICT",
        ),
    ];
    for (document, input, code) in refusals {
        let reply = app.gql_as(key, document, json!({ "input": input })).await;
        assert_eq!(reply.error_code(), code, "{input}");
        assert!(
            reply.body["errors"][0]["extensions"]
                .get("contactId")
                .is_none(),
            "the owner of a foreign identity stays unnamed: {}",
            reply.body
        );
        assert_no_foreign_trace(&p, &error_texts(&reply));
    }
    assert_eq!(
        common::record_audit_entries(&app.db).await,
        before + 1,
        "only the allowed case was written"
    );

    // allowed: a contact under its customer, with an identity and a method
    let create = "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id account { name } } } }";
    let input = json!({ "lastName": "Newman", "accountId": account(w.acme.id),
                        "identities": [{ "channel": "EMAIL", "value": "newman@acme.example" }] });
    let data = app
        .gql_as(key, create, json!({ "input": input }))
        .await
        .data()
        .clone();
    let newman = data["createContact"]["contact"]["id"].clone();
    assert_eq!(data["createContact"]["contact"]["account"]["name"], "Acme");
    let method = "mutation($input: CreateCommunicationMethodInput!) { createCommunicationMethod(input: $input) { communicationMethod { value } } }";
    let input =
        json!({ "owner": { "contact": newman }, "kind": "PHONE", "value": "+1 201 555 0177" });
    app.gql_as(key, method, json!({ "input": input }))
        .await
        .data();
});

both_backends!(roles_a_partner_lacks_are_forbidden, |app| {
    let p = partners::build(&app).await;
    let w = &p.world;
    let contact = |id| gid(NodeType::Contact, id);
    let forbidden: Vec<(&str, Value)> = vec![
        (
            "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } } }",
            json!({ "input": { "name": "x", "accountId": gid(NodeType::Account, w.acme.id) } }),
        ),
        (
            "mutation($input: DeleteContactInput!) { deleteContact(input: $input) { deletedContactId } }",
            json!({ "input": { "id": contact(w.bob.id) } }),
        ),
        (
            "mutation($input: DeleteIncidentInput!) { deleteIncident(input: $input) { deletedIncidentId } }",
            json!({ "input": { "id": gid(NodeType::Incident, w.reported.id) } }),
        ),
        (
            "mutation($input: MergeContactsInput!) { mergeContacts(input: $input) { contact { id } } }",
            json!({ "input": { "survivorId": contact(w.ada.id), "mergedId": contact(w.bob.id) } }),
        ),
        (
            "mutation($input: ResolveContactInput!) { resolveContact(input: $input) { outcome } }",
            json!({ "input": { "identities": [{ "channel": "EMAIL", "value": "dee@globex.example" }] } }),
        ),
        (
            "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }",
            json!({ "input": { "name": "Mine", "isCustomer": true } }),
        ),
        (
            "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { token } }",
            json!({ "input": { "name": "x", "role": "ADMIN" } }),
        ),
        ("{ apiKeys { totalCount } }", json!({})),
        (
            "query($a: ID!, $b: ID!) { previewMerge(survivorId: $a, mergedId: $b) { planHash } }",
            json!({ "a": contact(w.ada.id), "b": contact(w.bob.id) }),
        ),
    ];
    let before = common::record_audit_entries(&app.db).await;
    for (document, variables) in forbidden {
        let reply = app.gql_as(&p.northwind_key, document, variables).await;
        assert_eq!(reply.error_code(), "FORBIDDEN", "{document}");
        assert_no_foreign_trace(&p, &error_texts(&reply));
    }
    assert_eq!(
        common::record_audit_entries(&app.db).await,
        before,
        "nothing written"
    );
});

both_backends!(audit_values_naming_foreign_records_are_redacted, |app| {
    let p = partners::build(&app).await;
    let w = &p.world;
    // the admin creates a contact at Globex, then moves it to Acme
    let create =
        "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }";
    let input = json!({ "lastName": "Mover", "accountId": gid(NodeType::Account, w.globex.id) });
    let data = app
        .gql(create, json!({ "input": input }))
        .await
        .data()
        .clone();
    let mover = data["createContact"]["contact"]["id"].clone();
    let update =
        "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }";
    let input = json!({ "id": mover, "accountId": gid(NodeType::Account, w.acme.id) });
    app.gql(update, json!({ "input": input })).await.data();

    let log = "query($id: ID!) { contact(id: $id) { auditLog { edges { node { action actor apiKey { name } changes { field before after } } } } } }";
    let entry_changes = |data: &Value, index: usize| -> Value {
        data["contact"]["auditLog"]["edges"][index]["node"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == "accountId")
            .unwrap()
            .clone()
    };
    let data = app
        .gql_as(&p.northwind_key, log, json!({ "id": mover }))
        .await
        .data()
        .clone();
    let moved = entry_changes(&data, 1);
    assert_eq!(moved["before"], Value::Null, "Globex is outside the scope");
    assert_eq!(moved["after"], json!(w.acme.id.to_string()));
    assert_eq!(entry_changes(&data, 0)["after"], Value::Null);
    let node = &data["contact"]["auditLog"]["edges"][1]["node"];
    assert_eq!(node["actor"], "test-admin");
    assert_eq!(node["apiKey"], Value::Null, "keys are for admins to see");
    assert_no_foreign_trace(&p, &data.to_string());

    let data = app.gql(log, json!({ "id": mover })).await.data().clone();
    assert_eq!(
        entry_changes(&data, 1)["before"],
        json!(w.globex.id.to_string())
    );
    assert_eq!(
        data["contact"]["auditLog"]["edges"][1]["node"]["apiKey"]["name"],
        "test-admin"
    );
});

// Two partners querying at the same time through the same server: each answer holds only the
// asking partner's rows (loaders and their caches are per request).
both_backends!(concurrent_partners_never_see_each_others_rows, |app| {
    let p = partners::build(&app).await;
    let query = "{ contacts { edges { node { lastName account { name partner { name } }
        incidents { edges { node { subject } } } identities { value } } } } }";
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        for (key, own, foreign) in [
            (p.northwind_key.clone(), "Lovelace", "Ivanova"),
            (p.contoso_key.clone(), "Ivanova", "Lovelace"),
        ] {
            let app = std::sync::Arc::clone(&app);
            tasks.push(tokio::spawn(async move {
                let reply = app.gql_as(&key, query, json!({})).await;
                let text = reply.data().to_string();
                assert!(text.contains(own), "{text}");
                assert!(!text.contains(foreign), "{text}");
                for outsider in ["Dee", "Globex", "Outage", "Loner"] {
                    assert!(!text.contains(outsider), "{text}");
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
});

both_backends!(every_relation_from_a_visible_record_stays_inside, |app| {
    let p = partners::build(&app).await;
    let contact = "id lastName account { name } communicationMethods { value account { name } contact { lastName } }
        identities { value contact { lastName } } opportunities { totalCount }
        incidents { totalCount edges { node { subject account { name } reportedByPartner { name } } } }
        auditLog { totalCount edges { node { entityId contact { lastName } changes { before after } } } }
        mergedFrom";
    let query = format!(
        "{{ accounts {{ totalCount edges {{ node {{ name partner {{ name }} primaryContact {{ lastName }}
            customers {{ totalCount edges {{ node {{ name }} }} }}
            communicationMethods {{ value }}
            opportunities {{ totalCount }}
            incidents {{ totalCount edges {{ node {{ subject primaryContact {{ lastName }} }} }} }}
            contacts {{ totalCount edges {{ node {{ {contact} }} }} }} }} }} }}
          contacts {{ edges {{ node {{ {contact} }} }} }}
          auditEntries {{ edges {{ node {{ entityId contact {{ lastName }} changes {{ before after }} }} }} }} }}"
    );
    let data = app
        .gql_as(&p.northwind_key, &query, json!({}))
        .await
        .data()
        .clone();
    let text = data.to_string();
    assert!(text.contains("Lovelace") && text.contains("Acme") && text.contains("Printer on fire"));
    assert_no_foreign_trace(&p, &text);
    for outsider in [
        "Loner",
        "Outage",
        "Renewal",
        "Upsell",
        "Badge lost",
        "Initech",
    ] {
        assert!(!text.contains(outsider), "{outsider} leaked");
    }
});
