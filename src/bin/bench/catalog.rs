//! What the operations pick their variables from, gathered through the API before measuring so
//! that requests address real rows without the bench reading the database behind the server.

use std::net::SocketAddr;

use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::BenchResult;
use crate::client::Client;
use crate::ops::Caller;

/// Page size of the nested query's account level (see `ops.rs`).
pub const NESTED_ACCOUNTS: usize = 50;

/// Account pages sampled for identities: enough for thousands of identities at every scale.
const SAMPLED_PAGES: usize = 8;

const CURSORS: &str = "query($after: String) {
  accounts(first: 100, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } }
}";

const IDENTITIES: &str = "query($after: String) {
  accounts(first: 50, after: $after) { edges { node {
    contacts(first: 20) { edges { node { id identities { channel value } } } }
  } } }
}";

pub struct Catalog {
    /// `after` values whose next 50 accounts are a full page (`None` = the first page), so
    /// every nested request has the same shape while its rows differ.
    pub page_starts: Vec<Option<String>>,
    /// Identities as entered, so lookups also pay for normalization like real callers.
    pub identities: Vec<Identity>,
    /// Contact ids, for the mutations.
    pub contacts: Vec<String>,
    /// The bearer tokens the operations are sent with.
    pub keys: Keys,
}

/// API keys created for the run through the service layer, as `apikey create` does.
#[derive(Debug, Clone)]
pub struct Keys {
    pub admin: String,
    /// A partner key for the partner account that serves the most customers.
    pub partner: String,
}

impl Keys {
    pub fn token(&self, caller: Caller) -> &str {
        match caller {
            Caller::Admin => &self.admin,
            Caller::Partner => &self.partner,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Identity {
    pub channel: String,
    pub value: String,
}

pub async fn gather(address: SocketAddr, seed: u64, keys: Keys) -> BenchResult<Catalog> {
    let mut client = Client::connect(address, &keys.admin).await?;
    let cursors = account_cursors(&mut client).await?;
    let page_starts = full_page_starts(&cursors);
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut identities = Vec::new();
    let mut contacts = Vec::new();
    for after in page_starts.choose_multiple(&mut rng, SAMPLED_PAGES) {
        let data = client.query(IDENTITIES, json!({ "after": after })).await?;
        collect_identities(&data, &mut identities, &mut contacts)?;
    }
    if identities.is_empty() {
        return Err("the seeded data has no identities to look up".into());
    }
    Ok(Catalog {
        keys,
        page_starts,
        identities,
        contacts,
    })
}

async fn account_cursors(client: &mut Client) -> BenchResult<Vec<String>> {
    let mut cursors = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = client.query(CURSORS, json!({ "after": after })).await?;
        let page = &data["accounts"];
        for edge in edges(page)? {
            cursors.push(string(&edge["cursor"])?);
        }
        if page["pageInfo"]["hasNextPage"] != Value::Bool(true) {
            return Ok(cursors);
        }
        after = Some(string(&page["pageInfo"]["endCursor"])?);
    }
}

/// The page after cursor `i` holds accounts `i + 1 ..= i + 50`; with fewer than 51 accounts
/// only the first page is left, so small data sets repeat one page.
fn full_page_starts(cursors: &[String]) -> Vec<Option<String>> {
    let last_full = cursors.len().saturating_sub(NESTED_ACCOUNTS + 1);
    let mut starts = vec![None];
    if cursors.len() > NESTED_ACCOUNTS {
        starts.extend(cursors[..=last_full].iter().cloned().map(Some));
    }
    starts
}

fn collect_identities(
    data: &Value,
    into: &mut Vec<Identity>,
    contacts: &mut Vec<String>,
) -> BenchResult<()> {
    for account in edges(&data["accounts"])? {
        for contact in edges(&account["node"]["contacts"])? {
            contacts.push(string(&contact["node"]["id"])?);
            let identities = contact["node"]["identities"].clone();
            into.extend(serde_json::from_value::<Vec<Identity>>(identities)?);
        }
    }
    Ok(())
}

fn edges(connection: &Value) -> BenchResult<&Vec<Value>> {
    connection["edges"]
        .as_array()
        .ok_or_else(|| format!("expected a connection, got {connection}").into())
}

fn string(value: &Value) -> BenchResult<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a string, got {value}").into())
}
