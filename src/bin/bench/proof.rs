//! Before the floor is measured, the proof that it does the same work: the same requests (several
//! account pages, several lookups and one that finds nothing) go to contacts-graph and to the
//! floor, and their `data` must be equal as JSON values. A floor that answered less (or more)
//! would make every ratio meaningless, so the bench stops instead.

use std::net::SocketAddr;

use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

use crate::BenchResult;
use crate::catalog::Catalog;
use crate::client::Client;
use crate::ops;

/// Random account pages compared besides the first and the last.
const RANDOM_PAGES: usize = 4;
/// Random identities looked up on both.
const LOOKUPS: usize = 20;

/// Compares the answers; returns how many requests were compared.
pub async fn same_answers(
    graph: SocketAddr,
    floor: SocketAddr,
    catalog: &Catalog,
) -> BenchResult<usize> {
    let mut graph = Client::connect(graph, &catalog.keys.admin).await?;
    let mut floor = Client::connect(floor, &catalog.keys.admin).await?;
    // The same pages and identities in every run: a failure is reproducible.
    let mut rng = SmallRng::seed_from_u64(16);

    let mut pages: Vec<Option<String>> = vec![None];
    pages.extend(catalog.page_starts.last().cloned());
    pages.extend(
        catalog
            .page_starts
            .choose_multiple(&mut rng, RANDOM_PAGES)
            .cloned(),
    );
    let mut requests: Vec<(&str, Value)> = pages
        .into_iter()
        .map(|after| (ops::NESTED, json!({ "after": after })))
        .collect();
    for identity in catalog.identities.choose_multiple(&mut rng, LOOKUPS) {
        let variables = json!({ "channel": identity.channel, "value": identity.value });
        requests.push((ops::LOOKUP, variables));
    }
    let nobody = json!({ "channel": "EMAIL", "value": "nobody.at.all@example.invalid" });
    requests.push((ops::LOOKUP, nobody));

    for (query, variables) in &requests {
        let expected = graph.query(query, variables.clone()).await?;
        let answered = floor.query(query, variables.clone()).await?;
        if let Some(difference) = first_difference(&expected, &answered, "data") {
            return Err(format!(
                "the floor answers differently from contacts-graph (variables {variables}): \
                 {difference}; its numbers would not be comparable"
            )
            .into());
        }
    }
    Ok(requests.len())
}

/// Where two values first differ, as `path: contacts-graph ... floor ...`.
fn first_difference(expected: &Value, answered: &Value, path: &str) -> Option<String> {
    match (expected, answered) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let inner = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => {
                        if let Some(found) = first_difference(value, other, &inner) {
                            return Some(found);
                        }
                    }
                    None => return Some(format!("{inner}: missing from the floor's answer")),
                }
            }
            b.keys()
                .find(|key| !a.contains_key(*key))
                .map(|key| format!("{path}.{key}: only in the floor's answer"))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(index, (x, y))| first_difference(x, y, &format!("{path}[{index}]"))),
        (Value::Array(a), Value::Array(b)) => Some(format!(
            "{path}: {} items from contacts-graph, {} from the floor",
            a.len(),
            b.len()
        )),
        _ if expected == answered => None,
        _ => Some(format!(
            "{path}: contacts-graph {}, floor {}",
            excerpt(expected),
            excerpt(answered)
        )),
    }
}

fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text,
    }
}
