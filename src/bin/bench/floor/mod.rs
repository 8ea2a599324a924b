//! The floor (issue 16): a hand-written axum + sqlx server that answers the bench's two read
//! documents, `nested` and `lookup`, with the rows contacts-graph answers them with, issuing the
//! same batched statements and serializing serde structs straight into the response body. It is
//! what the same work costs without GraphQL: the bench reports contacts-graph's numbers as
//! ratios to it.
//!
//! It is not part of the product's API: it recognizes exactly the documents in `ops.rs` (plus
//! the `{ __typename }` the calibration sends first) and answers as the admin would, behind a
//! constant bearer token. Global ids and cursors use the product's own encoding, so the bench
//! can compare the answers value for value before measuring (`proof.rs`).

mod statements;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::CursorType;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use contacts_graph::graphql::ids::{GlobalId, NodeType};
use contacts_graph::graphql::pagination::ListCursor;
use contacts_graph::service::identity;
use contacts_graph::service::listing::ListSpec;
use entity::enums::IdentityChannel;
use phonenumber::country;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::BenchResult;
use crate::ops;
use crate::sql::SqlCounter;
pub use statements::Db;
use statements::{ContactRow, IdentityRow, IncidentRow};

/// What the calibration sends before anything else (see `load::calibrate`).
const TYPENAME: &str = "{ __typename }";

pub struct Floor {
    db: Db,
    /// `Bearer <token>`, the only credential accepted.
    authorization: String,
    region: country::Id,
    /// The fingerprint of the default account list, which `$after` cursors must carry.
    fingerprint: String,
    sql: Arc<SqlCounter>,
}

/// The floor's routes: `POST /graphql` only.
pub fn router(db: Db, token: &str, region: country::Id, sql: Arc<SqlCounter>) -> Router {
    let floor = Floor {
        db,
        authorization: format!("Bearer {token}"),
        region,
        fingerprint: ListSpec::default().fingerprint(),
        sql,
    };
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(Arc::new(floor))
}

#[derive(Deserialize)]
struct Request {
    query: String,
    #[serde(default)]
    variables: Variables,
}

#[derive(Default, Deserialize)]
struct Variables {
    after: Option<String>,
    channel: Option<IdentityChannel>,
    value: Option<String>,
}

#[derive(Serialize)]
struct Reply<T> {
    data: T,
}

async fn graphql(State(floor): State<Arc<Floor>>, headers: HeaderMap, body: Bytes) -> Response {
    let authorized = headers
        .get(AUTHORIZATION)
        .is_some_and(|value| value.as_bytes() == floor.authorization.as_bytes());
    if !authorized {
        return failure(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    let request: Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => return failure(StatusCode::BAD_REQUEST, &err.to_string()),
    };
    let answer = match request.query.as_str() {
        ops::NESTED => floor.nested(request.variables.after.as_deref()).await,
        ops::LOOKUP => floor.lookup(&request.variables).await,
        TYPENAME => json(&Reply {
            data: serde_json::json!({ "__typename": "Query" }),
        }),
        _ => Err("the floor answers only the bench's nested and lookup documents".into()),
    };
    match answer {
        Ok(body) => ([(CONTENT_TYPE, "application/json")], body).into_response(),
        Err(err) => failure(StatusCode::BAD_REQUEST, &err.to_string()),
    }
}

fn failure(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message }] });
    (status, axum::Json(body)).into_response()
}

fn json<T: Serialize>(value: &T) -> BenchResult<Vec<u8>> {
    Ok(serde_json::to_vec(value)?)
}

fn global_id(node_type: NodeType, id: Uuid) -> String {
    GlobalId::new(node_type, id).to_id().0
}

impl Floor {
    /// `accounts(first: 50, after: $after)` x `contacts(first: 20)` x (`identities` +
    /// `incidents(first: 5)` x `primaryContact`): four statements, identities and incidents
    /// concurrently as the product's loaders run them.
    async fn nested(&self, after: Option<&str>) -> BenchResult<Vec<u8>> {
        let after = after.map(|text| self.cursor_id(text)).transpose()?;
        let accounts = self.db.accounts(after, &self.sql).await?;
        let account_ids: Vec<Uuid> = accounts.iter().map(|account| account.id).collect();
        let contacts = self.db.contacts(&account_ids, &self.sql).await?;
        let contact_ids: Vec<Uuid> = contacts.iter().map(|contact| contact.id).collect();
        let (identities, incidents) = tokio::try_join!(
            self.db.identities(&contact_ids, &self.sql),
            self.db.incidents(&contact_ids, &self.sql)
        )?;

        let mut contacts_of: HashMap<Uuid, Vec<&ContactRow>> = HashMap::new();
        for contact in &contacts {
            if let Some(account) = contact.account_id {
                contacts_of.entry(account).or_default().push(contact);
            }
        }
        let mut identities_of: HashMap<Uuid, Vec<&IdentityRow>> = HashMap::new();
        for identity in &identities {
            identities_of
                .entry(identity.contact_id)
                .or_default()
                .push(identity);
        }
        let mut incidents_of: HashMap<Uuid, Vec<&IncidentRow>> = HashMap::new();
        for incident in &incidents {
            incidents_of
                .entry(incident.primary_contact_id)
                .or_default()
                .push(incident);
        }

        let edges = accounts
            .iter()
            .map(|account| {
                let mut contacts = contacts_of.remove(&account.id).unwrap_or_default();
                contacts.sort_unstable_by_key(|contact| contact.id);
                let contacts = contacts
                    .into_iter()
                    .map(|contact| {
                        let node = contact_node(contact, &identities_of, &mut incidents_of);
                        Edge { node }
                    })
                    .collect();
                Edge {
                    node: Account {
                        id: global_id(NodeType::Account, account.id),
                        name: &account.name,
                        contacts: Connection { edges: contacts },
                    },
                }
            })
            .collect();
        json(&Reply {
            data: Nested {
                accounts: Connection { edges },
            },
        })
    }

    /// `contactByIdentity(channel, value) { id firstName lastName }`: the value normalized the
    /// product's way, then one indexed statement.
    async fn lookup(&self, variables: &Variables) -> BenchResult<Vec<u8>> {
        let channel = variables.channel.ok_or("`channel` is required")?;
        let value = variables.value.as_deref().ok_or("`value` is required")?;
        let normalized = identity::normalize(channel, value, self.region)
            .map_err(|err| format!("{value:?}: {err}"))?;
        let stored = sea_orm::ActiveEnum::to_value(&channel);
        let found = self
            .db
            .contact_by_identity(&stored, &normalized, &self.sql)
            .await?;
        let contact = found.as_ref().map(|contact| Found {
            id: global_id(NodeType::Contact, contact.id),
            first_name: contact.first_name.as_deref(),
            last_name: &contact.last_name,
        });
        json(&Reply {
            data: Lookup {
                contact_by_identity: contact,
            },
        })
    }

    /// The account id a cursor of the default account list points at.
    fn cursor_id(&self, text: &str) -> BenchResult<Uuid> {
        let cursor =
            ListCursor::decode_cursor(text).map_err(|_| "`after` is not a cursor of this list")?;
        if cursor.fingerprint != self.fingerprint {
            return Err("`after` is a cursor of another list".into());
        }
        Ok(cursor
            .position
            .id()
            .ok_or("`after` is not a cursor of this list")?)
    }
}

fn contact_node<'a>(
    contact: &'a ContactRow,
    identities_of: &HashMap<Uuid, Vec<&'a IdentityRow>>,
    incidents_of: &mut HashMap<Uuid, Vec<&'a IncidentRow>>,
) -> Contact<'a> {
    let id = global_id(NodeType::Contact, contact.id);
    let identities = identities_of
        .get(&contact.id)
        .map(|identities| {
            identities
                .iter()
                .map(|identity| Identity {
                    id: global_id(NodeType::ContactIdentity, identity.id),
                    channel: &identity.channel,
                    value: &identity.value,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut incidents = incidents_of.remove(&contact.id).unwrap_or_default();
    incidents.sort_unstable_by_key(|incident| incident.id);
    // The incidents are the contact's because it is their primary contact.
    let incidents = incidents
        .into_iter()
        .map(|incident| Edge {
            node: Incident {
                id: global_id(NodeType::Incident, incident.id),
                subject: &incident.subject,
                primary_contact: PrimaryContact {
                    id: id.clone(),
                    last_name: &contact.last_name,
                },
            },
        })
        .collect();
    Contact {
        id,
        first_name: contact.first_name.as_deref(),
        last_name: &contact.last_name,
        identities,
        incidents: Connection { edges: incidents },
    }
}

// The answer's shape, field for field in the order the documents select them.

#[derive(Serialize)]
struct Nested<'a> {
    accounts: Connection<Account<'a>>,
}

#[derive(Serialize)]
struct Connection<N> {
    edges: Vec<Edge<N>>,
}

#[derive(Serialize)]
struct Edge<N> {
    node: N,
}

#[derive(Serialize)]
struct Account<'a> {
    id: String,
    name: &'a str,
    contacts: Connection<Contact<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Contact<'a> {
    id: String,
    first_name: Option<&'a str>,
    last_name: &'a str,
    identities: Vec<Identity<'a>>,
    incidents: Connection<Incident<'a>>,
}

#[derive(Serialize)]
struct Identity<'a> {
    id: String,
    channel: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Incident<'a> {
    id: String,
    subject: &'a str,
    primary_contact: PrimaryContact<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrimaryContact<'a> {
    id: String,
    last_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Lookup<'a> {
    contact_by_identity: Option<Found<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Found<'a> {
    id: String,
    first_name: Option<&'a str>,
    last_name: &'a str,
}
