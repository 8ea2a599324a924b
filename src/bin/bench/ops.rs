//! The operations a run can measure. Each is a GraphQL document plus a function that picks its
//! variables at random from the [`Catalog`], so consecutive requests read different rows.
//!
//! Adding an operation is one more entry in [`ALL`]; if it needs ids the catalog does not gather
//! yet, extend the sample query in `catalog.rs`.

use hyper::body::Bytes;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

use crate::BenchResult;
use crate::catalog::Catalog;
use crate::server::Mode;

pub struct Operation {
    /// The name used by `--ops` and in the report.
    pub name: &'static str,
    pub about: &'static str,
    pub mode: Mode,
    /// Whose key the requests carry.
    pub caller: Caller,
    pub query: &'static str,
    variables: fn(&Catalog, &mut SmallRng) -> Value,
    /// For the floor's operations: the contacts-graph operation it is the reference of (the
    /// same document, variables and caller).
    pub floor_of: Option<&'static str>,
}

/// Every record carries `id`: the report's "records per request" counts objects with an id.
/// The floor recognizes this text (and [`LOOKUP`]) exactly.
pub const NESTED: &str = "query Nested($after: String) {
  accounts(first: 50, after: $after) { edges { node { id name
    contacts(first: 20) { edges { node { id firstName lastName
      identities { id channel value }
      incidents(first: 5) { edges { node { id subject primaryContact { id lastName } } } }
    } } }
  } } }
}";

/// The filtered list issue 14 asks for: open high-priority cases, newest first.
const FILTERED: &str = "query Filtered {
  incidents(filter: { status: { in: [NEW, OPEN] }, priority: { eq: HIGH } },
            orderBy: [{ field: CREATED_AT, direction: DESC }], first: 50) {
    edges { node { id subject status priority createdAt
      primaryContact { id lastName } account { id name } } }
  }
}";

/// The nested read with a filter and an order on every level.
const NESTED_FILTERED: &str = "query NestedFiltered($after: String) {
  accounts(first: 50, after: $after) { edges { node { id name
    contacts(first: 20, filter: { incidents: { some: { status: { in: [NEW, OPEN] } } } },
             orderBy: [{ field: LAST_NAME }]) { edges { node { id firstName lastName
      identities { id channel value }
      incidents(first: 5, filter: { status: { in: [NEW, OPEN, PENDING] } },
                orderBy: [{ field: PRIORITY, direction: DESC }, { field: CREATED_AT, direction: DESC }]) {
        edges { node { id subject primaryContact { id lastName } } } }
    } } }
  } } }
}";

pub const LOOKUP: &str = "query Lookup($channel: IdentityChannel!, $value: String!) {
  contactByIdentity(channel: $channel, value: $value) { id firstName lastName }
}";

const UPDATE_CONTACT: &str = "mutation UpdateContact($input: UpdateContactInput!) {
  updateContact(input: $input) { contact { id version jobTitle } }
}";

const OPEN_INCIDENT: &str = "mutation OpenIncident($input: CreateIncidentInput!) {
  createIncident(input: $input) { incident { id status primaryContact { id } } }
}";

/// The key an operation is sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Admin,
    /// A partner key: every statement carries the partner scope's conditions.
    Partner,
}

pub const ALL: &[Operation] = &[
    Operation {
        name: "nested",
        about: "accounts(first:50) x contacts(first:20) x (identities + incidents(first:5) x \
                primaryContact), a random page of accounts per request",
        mode: Mode::Batched,
        caller: Caller::Admin,
        query: NESTED,
        variables: nested_page,
        floor_of: None,
    },
    Operation {
        name: "floor",
        about: "the nested query answered by the floor (a hand-written axum + sqlx server \
                issuing the same four statements; see `floor/`)",
        mode: Mode::Floor,
        caller: Caller::Admin,
        query: NESTED,
        variables: nested_page,
        floor_of: Some("nested"),
    },
    Operation {
        name: "partner",
        about: "the nested query with a partner key (the partner serving the most customers): \
                the first page of what it sees, through the scope's SQL conditions",
        mode: Mode::Batched,
        caller: Caller::Partner,
        query: NESTED,
        variables: first_page,
        floor_of: None,
    },
    Operation {
        name: "filtered",
        about: "incidents(filter: status in [NEW, OPEN], priority HIGH; orderBy: CREATED_AT DESC; \
                first: 50) with primaryContact and account",
        mode: Mode::Batched,
        caller: Caller::Admin,
        query: FILTERED,
        variables: no_variables,
        floor_of: None,
    },
    Operation {
        name: "nested-filtered",
        about: "the nested query with filters and orders on every level (contacts with open \
                cases by last name; their open cases by priority, newest first)",
        mode: Mode::Batched,
        caller: Caller::Admin,
        query: NESTED_FILTERED,
        variables: nested_page,
        floor_of: None,
    },
    Operation {
        name: "resolvers",
        about: "the nested query on a server with reads.compiled = false: the same statements \
                through the resolvers and the loaders",
        mode: Mode::Resolvers,
        caller: Caller::Admin,
        query: NESTED,
        variables: nested_page,
        floor_of: None,
    },
    Operation {
        name: "naive",
        about: "the nested query on a server with loaders.max_batch_size = 1 and the resolvers",
        mode: Mode::Naive,
        caller: Caller::Admin,
        query: NESTED,
        variables: nested_page,
        floor_of: None,
    },
    Operation {
        name: "lookup",
        about: "contactByIdentity with a random identity that exists",
        mode: Mode::Batched,
        caller: Caller::Admin,
        query: LOOKUP,
        variables: known_identity,
        floor_of: None,
    },
    Operation {
        name: "floor-lookup",
        about: "the lookup answered by the floor (same normalization, one statement)",
        mode: Mode::Floor,
        caller: Caller::Admin,
        query: LOOKUP,
        variables: known_identity,
        floor_of: Some("lookup"),
    },
    Operation {
        name: "update",
        about: "updateContact: a new job title for a random contact (one transaction with its \
                audit entry)",
        mode: Mode::Batched,
        caller: Caller::Admin,
        query: UPDATE_CONTACT,
        variables: contact_update,
        floor_of: None,
    },
    Operation {
        name: "open",
        about: "createIncident for a random contact (account defaulted from the contact, audited)",
        mode: Mode::Batched,
        caller: Caller::Admin,
        query: OPEN_INCIDENT,
        variables: new_incident,
        floor_of: None,
    },
];

impl Operation {
    pub fn variables(&self, catalog: &Catalog, rng: &mut SmallRng) -> Value {
        (self.variables)(catalog, rng)
    }

    /// A ready-to-send request body.
    pub fn body(&self, catalog: &Catalog, rng: &mut SmallRng) -> BenchResult<Bytes> {
        let body = json!({ "query": self.query, "variables": self.variables(catalog, rng) });
        Ok(Bytes::from(serde_json::to_vec(&body)?))
    }
}

/// The operations named on the command line, in the order given.
pub fn select(names: &[String]) -> BenchResult<Vec<&'static Operation>> {
    names
        .iter()
        .map(|name| {
            ALL.iter().find(|op| op.name == name.trim()).ok_or_else(|| {
                let known: Vec<_> = ALL.iter().map(|op| op.name).collect();
                format!("unknown operation {name:?}; known: {}", known.join(", ")).into()
            })
        })
        .collect()
}

fn nested_page(catalog: &Catalog, rng: &mut SmallRng) -> Value {
    let after = catalog.page_starts.choose(rng).cloned().flatten();
    json!({ "after": after })
}

fn no_variables(_: &Catalog, _: &mut SmallRng) -> Value {
    json!({})
}

fn first_page(_: &Catalog, _: &mut SmallRng) -> Value {
    json!({ "after": null })
}

fn known_identity(catalog: &Catalog, rng: &mut SmallRng) -> Value {
    match catalog.identities.choose(rng) {
        Some(identity) => json!({ "channel": identity.channel, "value": identity.value }),
        // Gathering refuses an empty sample; this still makes a valid request.
        None => json!({ "channel": "EMAIL", "value": "nobody@example.com" }),
    }
}

const JOB_TITLES: &[&str] = &[
    "Buyer",
    "Head of Support",
    "Engineer",
    "Office Manager",
    "CTO",
];

fn random_contact(catalog: &Catalog, rng: &mut SmallRng) -> String {
    catalog.contacts.choose(rng).cloned().unwrap_or_default()
}

fn contact_update(catalog: &Catalog, rng: &mut SmallRng) -> Value {
    let title = JOB_TITLES.choose(rng).copied().unwrap_or("Buyer");
    json!({ "input": { "id": random_contact(catalog, rng), "jobTitle": title } })
}

fn new_incident(catalog: &Catalog, rng: &mut SmallRng) -> Value {
    json!({ "input": {
        "primaryContactId": random_contact(catalog, rng),
        "subject": "Benchmark: parcel arrived damaged",
        "priority": "NORMAL",
        "channel": "EMAIL",
    } })
}
