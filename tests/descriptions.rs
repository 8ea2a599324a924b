//! The schema documents itself: GraphiQL's docs pane is the API reference partners read, so every
//! type, field, argument, enum value and input field has a description, and every deprecation a
//! reason. The test lists everything missing, so a new field without a doc comment fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_graphql::Request;
use contacts_graph::config::Config;
use contacts_graph::graphql;
use contacts_graph::http::analysis::Analysis;
use contacts_graph::http::validated;
use serde_json::Value;

const INTROSPECTION: &str = r#"{
  __schema {
    types {
      name kind description
      fields(includeDeprecated: true) {
        name description isDeprecated deprecationReason
        args(includeDeprecated: true) { name description isDeprecated deprecationReason }
      }
      inputFields(includeDeprecated: true) { name description isDeprecated deprecationReason }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
    }
  }
}"#;

/// Scalars and introspection types of the GraphQL specification, described by it.
fn is_builtin(name: &str) -> bool {
    name.starts_with("__") || matches!(name, "String" | "Int" | "Float" | "Boolean" | "ID")
}

/// async-graphql's `Connection` type offers no way to describe the `<Type>Connection` objects
/// it generates; their fields (`edges`, `nodes`, `pageInfo`, `totalCount`) are described and
/// still checked.
fn is_generated_connection(name: &str) -> bool {
    name.ends_with("Connection")
}

fn described(item: &Value) -> bool {
    item["description"]
        .as_str()
        .is_some_and(|text| !text.trim().is_empty())
}

/// A deprecation must say why, and what to use instead; async-graphql's default reason does not.
fn reasoned(item: &Value) -> bool {
    item["isDeprecated"] != true
        || item["deprecationReason"]
            .as_str()
            .is_some_and(|reason| !reason.trim().is_empty() && reason != "No longer supported")
}

#[tokio::test]
async fn every_part_of_the_schema_has_a_description() {
    let config = Config::default();
    let schema = graphql::build_schema(
        &config,
        Analysis::new(&config.limits),
        validated::RememberedValidation,
    );
    let response = schema.execute(Request::new(INTROSPECTION)).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let mut missing = Vec::new();
    let mut unreasoned = Vec::new();
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if is_builtin(name) {
            continue;
        }
        if !described(ty) && !is_generated_connection(name) {
            missing.push(format!("type {name}"));
        }
        let members = [
            ("field", &ty["fields"]),
            ("input field", &ty["inputFields"]),
            ("enum value", &ty["enumValues"]),
        ];
        for (kind, list) in members {
            for member in list.as_array().into_iter().flatten() {
                let member_name = member["name"].as_str().unwrap();
                if !described(member) {
                    missing.push(format!("{kind} {name}.{member_name}"));
                }
                if !reasoned(member) {
                    unreasoned.push(format!("{kind} {name}.{member_name}"));
                }
                for arg in member["args"].as_array().into_iter().flatten() {
                    let arg_name = arg["name"].as_str().unwrap();
                    if !described(arg) {
                        missing.push(format!("argument {name}.{member_name}({arg_name}:)"));
                    }
                    if !reasoned(arg) {
                        unreasoned.push(format!("argument {name}.{member_name}({arg_name}:)"));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty() && unreasoned.is_empty(),
        "{} without a description (add a doc comment):\n  {}\n{} deprecated without a reason:\n  {}",
        missing.len(),
        missing.join("\n  "),
        unreasoned.len(),
        unreasoned.join("\n  ")
    );
}
