//! Validation remembered with a parsed document, for the requests whose variables cannot change
//! its outcome.
//!
//! async-graphql validates every request: all rules over the whole document, about a sixth of
//! the instructions of a point lookup. Validation of one operation depends on the request's
//! variables in two ways only: `ArgumentsOfCorrectType` checks the value of a variable against
//! the argument it is bound to, and the complexity functions read arguments (page sizes). So once
//! a single-operation document has validated, a later request with the same text and operation
//! name gets the same [`ValidationResult`] without the rules when
//! - every variable bound directly to field arguments (`arg: $v`, nowhere else), of type
//!   `String`, `ID`, `Boolean` or an enum (or lists of them), has a value that is valid for its
//!   declared type: validation proved that the declared type fits each of those arguments
//!   (`VariableInAllowedPosition`; a nullable variable with a default counts as non-null, as
//!   there), so a value valid for the declared type is valid for the argument; and
//! - every other variable the document uses (numbers, which page sizes and so complexity read;
//!   input objects; custom scalars; variables inside list or object literals or in directives;
//!   variables without a value) has exactly the value it had when the document validated.
//!
//! Anything else is validated as usual, and remembered in turn if it passes; failures are never
//! remembered, so every error is async-graphql's own. The depth and complexity limits are still
//! applied to the remembered result (`http::analysis` wraps this extension). The record lives in
//! the document cache's entry (`http::documents`), under its bounds; with that cache off, every
//! request is validated.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::parser::types::{
    BaseType, Directive, DocumentOperations, ExecutableDocument, OperationDefinition, Selection,
    SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Positioned, ServerError, ValidationResult, Value, Variables};
use async_graphql_value::Value as DocumentValue;

use crate::http::metrics::VALIDATIONS_TOTAL;

/// The values of every enum of the schema, by type name: what a variable of an enum type is
/// checked against.
#[derive(Debug, Default)]
pub struct EnumValues(HashMap<String, HashSet<String>>);

impl EnumValues {
    /// Read from the schema's SDL (generated from the same registry that validation uses).
    pub fn from_sdl(sdl: &str) -> Self {
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            // No enum is known: every enum variable is compared by value instead.
            return Self::default();
        };
        let enums = document
            .definitions
            .iter()
            .filter_map(|definition| match definition {
                TypeSystemDefinition::Type(ty) => match &ty.node.kind {
                    TypeKind::Enum(values) => Some((
                        ty.node.name.node.to_string(),
                        values
                            .values
                            .iter()
                            .map(|value| value.node.value.node.to_string())
                            .collect(),
                    )),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        Self(enums)
    }

    fn get(&self, name: &str) -> Option<&HashSet<String>> {
        self.0.get(name)
    }
}

/// The remembered validation of one document text (none until a request validates).
#[derive(Default)]
pub struct Slot(Mutex<Option<Arc<Record>>>);

impl Slot {
    fn get(&self) -> Option<Arc<Record>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, record: Record) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(record));
    }
}

/// A validation that passed, and what a request must meet to reuse it.
struct Record {
    conditions: Conditions,
    result: ValidationResult,
}

/// What a request must meet to reuse a validation (see the module documentation).
struct Conditions {
    operation_name: Option<String>,
    /// Variables checked against their declared type.
    checked: Vec<(String, Type)>,
    /// Variables that must have the value they had (`None`: no value).
    pinned: Vec<(String, Option<Value>)>,
}

impl Conditions {
    fn admit(
        &self,
        operation_name: Option<&str>,
        variables: &Variables,
        enums: &EnumValues,
    ) -> bool {
        self.operation_name.as_deref() == operation_name
            && self
                .pinned
                .iter()
                .all(|(name, value)| variables.get(name.as_str()) == value.as_ref())
            && self.checked.iter().all(|(name, ty)| {
                variables
                    .get(name.as_str())
                    .is_some_and(|value| valid(ty, value, enums))
            })
    }
}

/// Whether `value` is valid for `ty`, exactly as async-graphql's `is_valid_input_value` decides
/// for the types [`checkable`] admits.
fn valid(ty: &Type, value: &Value, enums: &EnumValues) -> bool {
    if matches!(value, Value::Null) {
        return ty.nullable;
    }
    match &ty.base {
        BaseType::List(item) => match value {
            Value::List(items) => items
                .iter()
                .all(|item_value| valid(item, item_value, enums)),
            // A single value where a list is expected is coerced to a list of one.
            other => valid(item, other, enums),
        },
        BaseType::Named(name) => match name.as_str() {
            "String" => matches!(value, Value::String(_)),
            "ID" => match value {
                Value::String(_) => true,
                Value::Number(number) => number.is_i64(),
                _ => false,
            },
            "Boolean" => matches!(value, Value::Boolean(_)),
            enum_name => {
                let name = match value {
                    Value::String(name) => name.as_str(),
                    Value::Enum(name) => name.as_str(),
                    _ => return false,
                };
                enums
                    .get(enum_name)
                    .is_some_and(|values| values.contains(name))
            }
        },
    }
}

/// Whether a variable of type `ty` can be checked by [`valid`] instead of compared by value.
fn checkable(ty: &Type, enums: &EnumValues) -> bool {
    match &ty.base {
        BaseType::List(item) => checkable(item, enums),
        BaseType::Named(name) => {
            matches!(name.as_str(), "String" | "ID" | "Boolean") || enums.get(name).is_some()
        }
    }
}

/// How the validation of one request goes: reused, or run and then remembered.
#[derive(Default)]
pub struct ValidationMemo {
    known: Option<ValidationResult>,
    pending: Mutex<Option<(Arc<Slot>, Conditions)>>,
}

impl ValidationMemo {
    /// The memo of a request for the document remembered in `slot` (`None`: not remembered).
    pub fn new(
        slot: Option<&Arc<Slot>>,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
        enums: &EnumValues,
    ) -> Self {
        let Some(slot) = slot else {
            return Self::default();
        };
        if let Some(record) = slot.get()
            && record.conditions.admit(operation_name, variables, enums)
        {
            count("reused");
            return Self {
                known: Some(record.result),
                pending: Mutex::default(),
            };
        }
        let pending = conditions(document, operation_name, variables, enums)
            .map(|conditions| (Arc::clone(slot), conditions));
        Self {
            known: None,
            pending: Mutex::new(pending),
        }
    }

    /// The remembered result this request may reuse, if any.
    pub fn known(&self) -> Option<ValidationResult> {
        self.known
    }

    #[cfg(test)]
    fn reused(&self) -> bool {
        self.known.is_some()
    }

    fn remember(&self, result: ValidationResult) {
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((slot, conditions)) = pending {
            slot.set(Record { conditions, result });
        }
    }
}

/// The conditions under which this request's validation may be reused; `None` for a document
/// of several operations (which operation a fragment's variables belong to is not tracked) or
/// an operation name the document does not have.
fn conditions(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    enums: &EnumValues,
) -> Option<Conditions> {
    // An operation name the document does not have passes validation and is refused after it
    // (async-graphql: "Unknown operation named"); such a request must keep being refused.
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => operation,
        (DocumentOperations::Multiple(operations), _) if operations.len() == 1 => {
            let (name, operation) = operations.iter().next()?;
            if operation_name.is_some_and(|wanted| wanted != name.as_str()) {
                return None;
            }
            operation
        }
        _ => return None,
    };
    let mut uses = Uses::default();
    uses.operation(&operation.node);
    for fragment in document.fragments.values() {
        uses.directives(&fragment.node.directives);
        uses.selection_set(&fragment.node.selection_set.node);
    }
    let mut checked = Vec::new();
    let mut pinned = Vec::new();
    for name in uses.bare.iter().chain(&uses.nested) {
        if checked.iter().any(|(seen, _)| seen == name)
            || pinned.iter().any(|(seen, _)| seen == name)
        {
            continue;
        }
        let declared = operation
            .node
            .variable_definitions
            .iter()
            .find(|definition| definition.node.name.node.as_str() == name)
            .map(|definition| {
                let mut ty = definition.node.var_type.node.clone();
                if definition.node.default_value.is_some() {
                    ty.nullable = false;
                }
                ty
            });
        let value = variables.get(name.as_str());
        match declared {
            Some(ty) if !uses.nested.contains(name) && value.is_some() && checkable(&ty, enums) => {
                checked.push((name.clone(), ty));
            }
            _ => pinned.push((name.clone(), value.cloned())),
        }
    }
    let kept: usize = pinned
        .iter()
        .filter_map(|(_, value)| value.as_ref())
        .map(weight)
        .sum();
    if kept > MAX_PINNED_BYTES {
        return None;
    }
    Some(Conditions {
        operation_name: operation_name.map(str::to_owned),
        checked,
        pinned,
    })
}

/// The most a remembered validation keeps of variable values (about, in bytes): every entry of
/// the document cache may hold one, so a large filter or id list is validated every time instead
/// of being kept.
const MAX_PINNED_BYTES: usize = 1024;

/// About how many bytes a value takes.
fn weight(value: &Value) -> usize {
    match value {
        Value::String(text) => text.len() + 8,
        Value::Binary(bytes) => bytes.len() + 8,
        Value::List(items) => items.iter().map(weight).sum::<usize>() + 8,
        Value::Object(fields) => {
            fields
                .iter()
                .map(|(name, value)| name.len() + weight(value))
                .sum::<usize>()
                + 8
        }
        Value::Enum(name) => name.len() + 8,
        Value::Null | Value::Number(_) | Value::Boolean(_) => 8,
    }
}

/// The variables a document uses: bound directly to a field argument, or anywhere else.
#[derive(Default)]
struct Uses {
    bare: HashSet<String>,
    nested: HashSet<String>,
}

impl Uses {
    fn operation(&mut self, operation: &OperationDefinition) {
        self.directives(&operation.directives);
        for definition in &operation.variable_definitions {
            self.directives(&definition.node.directives);
        }
        self.selection_set(&operation.selection_set.node);
    }

    fn selection_set(&mut self, selection_set: &SelectionSet) {
        for selection in &selection_set.items {
            match &selection.node {
                Selection::Field(field) => {
                    for (_, value) in &field.node.arguments {
                        match &value.node {
                            DocumentValue::Variable(name) => {
                                self.bare.insert(name.to_string());
                            }
                            other => self.nested_in(other),
                        }
                    }
                    self.directives(&field.node.directives);
                    self.selection_set(&field.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives),
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives);
                    self.selection_set(&fragment.node.selection_set.node);
                }
            }
        }
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) {
        for directive in directives {
            for (_, value) in &directive.node.arguments {
                self.nested_in(&value.node);
            }
        }
    }

    fn nested_in(&mut self, value: &DocumentValue) {
        match value {
            DocumentValue::Variable(name) => {
                self.nested.insert(name.to_string());
            }
            DocumentValue::List(items) => {
                for item in items {
                    self.nested_in(item);
                }
            }
            DocumentValue::Object(fields) => {
                for item in fields.values() {
                    self.nested_in(item);
                }
            }
            _ => {}
        }
    }
}

fn count(outcome: &'static str) {
    metrics::counter!(VALIDATIONS_TOTAL, "outcome" => outcome).increment(1);
}

/// Installed once on the schema, inside `http::analysis` (which applies the limits to whatever
/// result this gives).
pub struct RememberedValidation;

impl ExtensionFactory for RememberedValidation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RememberedValidationExtension)
    }
}

struct RememberedValidationExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for RememberedValidationExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let memo = ctx.data_opt::<Arc<ValidationMemo>>();
        if let Some(result) = memo.and_then(|memo| memo.known) {
            return Ok(result);
        }
        let result = next.run(ctx).await;
        count(if result.is_ok() { "passed" } else { "failed" });
        let result = result?;
        if let Some(memo) = memo {
            memo.remember(result);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    const SDL: &str = "enum IdentityChannel { EMAIL SMS }\ntype Query { a: Int }";

    fn enums() -> EnumValues {
        EnumValues::from_sdl(SDL)
    }

    fn variables(value: serde_json::Value) -> Variables {
        Variables::from_json(value)
    }

    fn conditions_of(query: &str, vars: &Variables) -> Option<Conditions> {
        let document = parse_query(query).expect("the test's document parses");
        conditions(&document, None, vars, &enums())
    }

    fn names<T>(list: &[(String, T)]) -> Vec<&str> {
        let mut names: Vec<&str> = list.iter().map(|(name, _)| name.as_str()).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn enums_are_read_from_the_sdl() {
        let enums = enums();
        let channel = enums.get("IdentityChannel").expect("the enum is read");
        assert!(channel.contains("EMAIL") && channel.contains("SMS") && channel.len() == 2);
        assert!(enums.get("Query").is_none());
    }

    #[test]
    fn bare_strings_ids_booleans_and_enums_are_checked_everything_else_pinned() {
        let vars = variables(json!({
            "channel": "EMAIL", "value": "a@b.c", "id": "x", "flag": true, "first": 5,
            "filter": {}, "listed": "y", "skip": false, "unset": null
        }));
        let query = "query Q($channel: IdentityChannel!, $value: String!, $id: ID, $flag: Boolean,
                $first: Int, $filter: ContactFilter, $listed: ID!, $skip: Boolean!, $absent: String,
                $unset: String) {
            a(channel: $channel, value: $value, id: $id, flag: $flag, absent: $absent)
            b(first: $first, filter: $filter, ids: [$listed], unset: $unset) @skip(if: $skip)
        }";
        let found = conditions_of(query, &vars).expect("one operation");
        assert_eq!(
            names(&found.checked),
            ["channel", "flag", "id", "unset", "value"]
        );
        assert_eq!(
            names(&found.pinned),
            ["absent", "filter", "first", "listed", "skip"]
        );
    }

    #[test]
    fn a_variable_used_bare_and_nested_is_pinned() {
        let vars = variables(json!({ "id": "x" }));
        let query = "query Q($id: ID!) { a(id: $id) b(ids: [$id]) }";
        let found = conditions_of(query, &vars).expect("one operation");
        assert!(found.checked.is_empty());
        assert_eq!(names(&found.pinned), ["id"]);
    }

    #[test]
    fn variables_in_fragments_count() {
        let vars = variables(json!({ "id": "x", "first": 3 }));
        let query = "query Q($id: ID!, $first: Int) { ...F }
            fragment F on Query { a(id: $id) b(first: $first) }";
        let found = conditions_of(query, &vars).expect("one operation");
        assert_eq!(names(&found.checked), ["id"]);
        assert_eq!(names(&found.pinned), ["first"]);
    }

    #[test]
    fn documents_of_several_operations_are_not_remembered() {
        let vars = variables(json!({}));
        assert!(conditions_of("query A { a } query B { a }", &vars).is_none());
        assert!(conditions_of("query A { a }", &vars).is_some());
    }

    #[test]
    fn an_operation_name_the_document_lacks_is_not_remembered() {
        let vars = variables(json!({}));
        let named = parse_query("query A { a }").expect("the test's document parses");
        let anonymous = parse_query("{ a }").expect("the test's document parses");
        assert!(conditions(&named, Some("A"), &vars, &enums()).is_some());
        assert!(conditions(&named, Some("B"), &vars, &enums()).is_none());
        assert!(conditions(&anonymous, None, &vars, &enums()).is_some());
        assert!(conditions(&anonymous, Some("A"), &vars, &enums()).is_none());
    }

    #[test]
    fn large_pinned_values_are_not_kept() {
        let query = "query Q($filter: ContactFilter) { a(filter: $filter) }";
        let small = variables(json!({ "filter": { "lastName": { "in": ["a", "b"] } } }));
        assert!(conditions_of(query, &small).is_some());
        let names: Vec<String> = (0..200).map(|n| format!("name {n}")).collect();
        let large = variables(json!({ "filter": { "lastName": { "in": names } } }));
        assert!(conditions_of(query, &large).is_none());
    }

    #[test]
    fn a_default_makes_a_nullable_variable_non_null() {
        let vars = variables(json!({ "value": "x" }));
        let found = conditions_of("query Q($value: String = \"d\") { a(v: $value) }", &vars)
            .expect("one operation");
        let admits = |value| found.admit(None, &variables(value), &enums());
        assert!(admits(json!({ "value": "other" })));
        assert!(
            !admits(json!({ "value": null })),
            "null may not fit a String! argument"
        );
    }

    #[test]
    fn checked_values_must_fit_their_declared_type() {
        let vars = variables(json!({ "channel": "EMAIL", "value": "a", "ids": ["1"], "id": "x" }));
        let query = "query Q($channel: IdentityChannel!, $value: String!, $ids: [ID!], $id: ID) {
            a(channel: $channel, value: $value, ids: $ids, id: $id)
        }";
        let found = conditions_of(query, &vars).expect("one operation");
        let admits = |value| found.admit(None, &variables(value), &enums());
        let base = json!({ "channel": "SMS", "value": "b", "ids": ["2", 3], "id": null });
        assert!(admits(base.clone()));
        let with = |key: &str, value: serde_json::Value| {
            let mut changed = base.clone();
            changed[key] = value;
            changed
        };
        assert!(
            admits(with("ids", json!("4"))),
            "one value is a list of one"
        );
        assert!(admits(with("ids", json!(null))));
        assert!(admits(with("id", json!(7))));
        assert!(
            !admits(with("channel", json!("FAX"))),
            "not a value of the enum"
        );
        assert!(
            !admits(with("channel", json!("email"))),
            "enum values are case-sensitive"
        );
        assert!(!admits(with("channel", json!(null))));
        assert!(!admits(with("value", json!(1))));
        assert!(!admits(with("ids", json!([null]))));
        assert!(!admits(with("ids", json!([1.5]))));
        assert!(!admits(with("id", json!(true))));
        assert!(!admits(with("id", json!({ "a": 1 }))));
        let mut missing = base.clone();
        missing.as_object_mut().map(|object| object.remove("value"));
        assert!(
            !admits(missing),
            "a missing value is not checked by the rules: revalidate"
        );
        assert!(
            !found.admit(Some("Q"), &variables(base), &enums()),
            "another operation name"
        );
    }

    #[test]
    fn pinned_values_must_be_equal() {
        let vars = variables(json!({ "first": 5 }));
        let found = conditions_of("query Q($first: Int) { a(first: $first) }", &vars)
            .expect("one operation");
        let admits = |value| found.admit(None, &variables(value), &enums());
        assert!(admits(json!({ "first": 5 })));
        assert!(!admits(json!({ "first": 6 })));
        assert!(!admits(json!({})));
        let unset = conditions_of(
            "query Q($first: Int) { a(first: $first) }",
            &variables(json!({})),
        )
        .expect("one operation");
        assert!(unset.admit(None, &variables(json!({})), &enums()));
        assert!(!unset.admit(None, &variables(json!({ "first": 1 })), &enums()));
    }

    #[test]
    fn a_passed_validation_is_reused_and_a_failed_one_is_not_remembered() {
        let document = parse_query("query Q($value: String!) { a(v: $value) }")
            .expect("the test's document parses");
        let slot = Arc::new(Slot::default());
        let memo =
            |value| ValidationMemo::new(Some(&slot), &document, None, &variables(value), &enums());
        let first = memo(json!({ "value": "a" }));
        assert!(!first.reused());
        let second = memo(json!({ "value": "b" }));
        assert!(
            !second.reused(),
            "nothing was remembered: the first did not pass"
        );
        first.remember(ValidationResult {
            cache_control: Default::default(),
            complexity: 7,
            depth: 2,
        });
        let third = memo(json!({ "value": "c" }));
        assert!(third.reused());
        assert_eq!(third.known.map(|result| result.complexity), Some(7));
        assert!(!memo(json!({ "value": 1 })).reused());
        assert!(
            !ValidationMemo::new(
                None,
                &document,
                None,
                &variables(json!({ "value": "d" })),
                &enums()
            )
            .reused()
        );
    }
}

/// The reuse rests on complexity reading numbers only (page sizes), which are always pinned:
/// a complexity function that read a string, an id, a boolean or an enum would make a reused
/// complexity wrong. Every complexity attribute in the code is checked here.
#[cfg(test)]
mod complexity_reads_numbers_only {
    #![allow(clippy::expect_used)]

    use std::path::Path;

    fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
        let entries = std::fs::read_dir(dir).expect("the source folder is readable");
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file is readable");
                found.push((path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn every_complexity_function_reads_page_sizes_only() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let attribute = format!("complexity = {}", char::from(34));
        let mut seen = 0;
        for (path, text) in &files {
            for (at, _) in text.match_indices(&attribute) {
                let rest = &text[at + attribute.len()..];
                let expression = &rest[..rest.find('"').unwrap_or(rest.len())];
                seen += 1;
                assert!(
                    [
                        "pagination::cost(first, last, child_complexity)",
                        "pagination::cost(first, None, child_complexity)",
                    ]
                    .contains(&expression),
                    "{path}: `{expression}` may read more than page sizes; see http::validated"
                );
            }
        }
        assert!(seen > 10, "the complexity attributes were found ({seen})");
    }
}
