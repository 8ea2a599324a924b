//! `schema.graphql` is generated from the code; this fails when it is stale.
//! `UPDATE_SDL=1 cargo test --test sdl` rewrites it; review that diff as the API change.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::path::Path;

#[test]
fn schema_graphql_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = contacts_graph::graphql::sdl();
    if std::env::var_os("UPDATE_SDL").is_some() {
        std::fs::write(&path, &sdl).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema.graphql is stale: run `UPDATE_SDL=1 cargo test --test sdl` and review the diff"
    );
}
