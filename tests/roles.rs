//! Which role may run which operation: every mutation (and the other guarded root fields) under
//! every unscoped role. A refused role gets `FORBIDDEN` and nothing is written; an allowed role
//! gets past the guard (here to `NOT_FOUND` for ids that name nothing, or to success).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use contacts_graph::auth::{Action, Role};
use contacts_graph::graphql::ids::NodeType;
use serde_json::{Value, json};
use uuid::Uuid;

use common::world::gid;

fn unknown(node_type: NodeType) -> String {
    gid(node_type, Uuid::now_v7())
}

/// One operation, the input it is tried with, and the right it needs.
fn operations() -> Vec<(&'static str, Value, Action)> {
    use Action::*;
    use NodeType as T;
    let mutation = |name: &'static str, input_type: &str| -> &'static str {
        Box::leak(
            format!("mutation($input: {input_type}!) {{ {name}(input: $input) {{ __typename }} }}")
                .into_boxed_str(),
        )
    };
    let id = |t| json!({ "input": { "id": unknown(t) } });
    vec![
        (
            mutation("createAccount", "CreateAccountInput"),
            json!({ "input": { "name": "New", "isCustomer": true } }),
            WriteAccounts,
        ),
        (
            mutation("updateAccount", "UpdateAccountInput"),
            id(T::Account),
            WriteAccounts,
        ),
        (
            mutation("deleteAccount", "DeleteAccountInput"),
            id(T::Account),
            DeleteAccounts,
        ),
        (
            mutation("createContact", "CreateContactInput"),
            json!({ "input": { "lastName": "New" } }),
            WriteContacts,
        ),
        (
            mutation("updateContact", "UpdateContactInput"),
            id(T::Contact),
            WriteContacts,
        ),
        (
            mutation("deleteContact", "DeleteContactInput"),
            id(T::Contact),
            Delete,
        ),
        (
            mutation("addContactIdentity", "AddContactIdentityInput"),
            json!({ "input": { "contactId": unknown(T::Contact), "channel": "EMAIL", "value": "a@b.example" } }),
            WriteContacts,
        ),
        (
            mutation("removeContactIdentity", "RemoveContactIdentityInput"),
            id(T::ContactIdentity),
            Delete,
        ),
        (
            mutation(
                "createCommunicationMethod",
                "CreateCommunicationMethodInput",
            ),
            json!({ "input": { "owner": { "contact": unknown(T::Contact) }, "kind": "PHONE", "value": "+1 201 555 0100" } }),
            WriteContacts,
        ),
        (
            mutation(
                "updateCommunicationMethod",
                "UpdateCommunicationMethodInput",
            ),
            id(T::CommunicationMethod),
            WriteContacts,
        ),
        (
            mutation(
                "deleteCommunicationMethod",
                "DeleteCommunicationMethodInput",
            ),
            id(T::CommunicationMethod),
            Delete,
        ),
        (
            mutation("createIncident", "CreateIncidentInput"),
            json!({ "input": { "subject": "x", "primaryContactId": unknown(T::Contact) } }),
            WriteIncidents,
        ),
        (
            mutation("updateIncident", "UpdateIncidentInput"),
            id(T::Incident),
            WriteIncidents,
        ),
        (
            mutation("changeIncidentContact", "ChangeIncidentContactInput"),
            json!({ "input": { "id": unknown(T::Incident), "contactId": unknown(T::Contact) } }),
            WriteIncidents,
        ),
        (
            mutation("deleteIncident", "DeleteIncidentInput"),
            id(T::Incident),
            Delete,
        ),
        (
            mutation("createOpportunity", "CreateOpportunityInput"),
            json!({ "input": { "name": "x", "accountId": unknown(T::Account) } }),
            WriteOpportunities,
        ),
        (
            mutation("updateOpportunity", "UpdateOpportunityInput"),
            id(T::Opportunity),
            WriteOpportunities,
        ),
        (
            mutation("deleteOpportunity", "DeleteOpportunityInput"),
            id(T::Opportunity),
            Delete,
        ),
        (
            mutation("mergeContacts", "MergeContactsInput"),
            json!({ "input": { "survivorId": unknown(T::Contact), "mergedId": unknown(T::Contact) } }),
            Merge,
        ),
        (
            mutation("resolveIdentityConflict", "ResolveIdentityConflictInput"),
            json!({ "input": { "id": unknown(T::IdentityConflict), "action": { "dismiss": true } } }),
            Merge,
        ),
        (
            mutation("resolveContact", "ResolveContactInput"),
            json!({ "input": { "identities": [{ "channel": "EMAIL", "value": "new@x.example" }] } }),
            ResolveContact,
        ),
        (
            mutation("createApiKey", "CreateApiKeyInput"),
            json!({ "input": { "name": "k", "role": "READER" } }),
            ManageApiKeys,
        ),
        (
            mutation("revokeApiKey", "RevokeApiKeyInput"),
            id(T::ApiKey),
            ManageApiKeys,
        ),
        ("{ apiKeys { totalCount } }", json!({}), ManageApiKeys),
        (
            "query($a: ID!, $b: ID!) { previewMerge(survivorId: $a, mergedId: $b) { __typename } }",
            json!({ "a": unknown(T::Contact), "b": unknown(T::Contact) }),
            PreviewMerge,
        ),
    ]
}

both_backends!(every_role_runs_exactly_the_operations_it_may, |app| {
    let roles = [
        (Role::Admin, app.keys.admin.clone()),
        (Role::Manager, app.keys.manager.clone()),
        (Role::Agent, app.keys.agent.clone()),
        (Role::Reader, app.keys.reader.clone()),
    ];
    for (role, key) in roles {
        for (document, variables, action) in operations() {
            let before = common::record_audit_entries(&app.db).await;
            let reply = app.gql_as(&key, document, variables).await;
            let code = reply.body["errors"][0]["extensions"]["code"]
                .as_str()
                .map(str::to_owned);
            if role.may(action) {
                assert_ne!(
                    code.as_deref(),
                    Some("FORBIDDEN"),
                    "{role} {document}: {}",
                    reply.body
                );
            } else {
                assert_eq!(
                    code.as_deref(),
                    Some("FORBIDDEN"),
                    "{role} {document}: {}",
                    reply.body
                );
                let message = reply.body["errors"][0]["message"].as_str().unwrap();
                assert!(message.contains(role.name()), "{message}");
                assert_eq!(
                    common::record_audit_entries(&app.db).await,
                    before,
                    "{role} {document} wrote"
                );
            }
        }
    }
    // every role reads everything
    for key in [&app.keys.manager, &app.keys.agent, &app.keys.reader] {
        let reply = app
            .gql_as(key, "{ accounts { totalCount } contacts { totalCount } opportunities { totalCount } auditEntries { totalCount } identityConflicts { totalCount } }", json!({}))
            .await;
        reply.data();
    }
});

both_backends!(audit_entries_name_the_key_that_made_the_change, |app| {
    let create =
        "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id
        auditLog { edges { node { actor apiKey { name role } } } } } } }";
    let data = app
        .gql_as(
            &app.keys.agent,
            create,
            json!({ "input": { "lastName": "Agent-made" } }),
        )
        .await
        .data()
        .clone();
    let contact_id = data["createContact"]["contact"]["id"].clone();
    let log = "query($id: ID!) { contact(id: $id) { auditLog { edges { node { actor apiKey { name role } } } } } }";
    let data = app
        .gql(log, json!({ "id": contact_id }))
        .await
        .data()
        .clone();
    assert_eq!(
        data["contact"]["auditLog"]["edges"][0]["node"],
        json!({ "actor": "test-agent", "apiKey": { "name": "test-agent", "role": "AGENT" } })
    );
});
