//! Limits on the shape of a document, checked after parsing and before validation or execution:
//! query text length, aliases and root fields per operation, fragment definitions and
//! directives. Depth and complexity are checked with validation (`analysis`), the page size by
//! the resolvers, the body size and time by the endpoint.
//!
//! Aliases are counted the way they execute: a fragment counts once for every place it is
//! spread, so `{ a: x { ...F } b: x { ...F } }` costs twice the aliases of `F`. Fragment counts
//! are memoized, so a document whose fragments spread each other many times over costs linear
//! time to count (the count itself saturates); a cycle, which validation refuses later,
//! counts nothing.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};

use crate::config::LimitsConfig;
use crate::error::{AppError, AppResult};

/// Stable names of the limits, sent as `extensions.limit`.
pub mod name {
    pub const QUERY_LENGTH: &str = "queryLength";
    pub const ALIASES: &str = "aliases";
    pub const ROOT_FIELDS: &str = "rootFields";
    pub const FRAGMENTS: &str = "fragments";
    pub const DIRECTIVES: &str = "directives";
    pub const DEPTH: &str = "depth";
    pub const COMPLEXITY: &str = "complexity";
    pub const BATCH: &str = "batchOperations";
}

#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    pub max_query_length: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_fragments: usize,
    pub max_directives: usize,
}

/// The refusal of a document over `limit`.
pub fn over(limit: &'static str, max: usize, actual: usize, what: &str) -> AppError {
    AppError::OverLimit {
        limit,
        max,
        actual,
        message: format!("{what}: {actual}, over the limit of {max}"),
    }
}

impl DocumentLimits {
    pub fn new(config: &LimitsConfig) -> Self {
        Self {
            max_query_length: config.max_query_length,
            max_aliases: config.max_aliases,
            max_root_fields: config.max_root_fields,
            max_fragments: config.max_fragments,
            max_directives: config.max_directives,
        }
    }

    /// Checked before parsing: the parser's work grows with the text.
    pub fn check_length(&self, query: &str) -> AppResult<()> {
        if query.len() > self.max_query_length {
            return Err(over(
                name::QUERY_LENGTH,
                self.max_query_length,
                query.len(),
                "the query text is too long (bytes)",
            ));
        }
        Ok(())
    }

    pub fn check(&self, document: &ExecutableDocument) -> AppResult<()> {
        if document.fragments.len() > self.max_fragments {
            return Err(over(
                name::FRAGMENTS,
                self.max_fragments,
                document.fragments.len(),
                "too many fragment definitions",
            ));
        }
        let directives = count_directives(document);
        if directives > self.max_directives {
            return Err(over(
                name::DIRECTIVES,
                self.max_directives,
                directives,
                "too many directives",
            ));
        }
        let mut counter = Counter::new(document);
        for operation in operations(document) {
            let root = &operation.node.selection_set;
            let roots = counter.root_fields(root);
            if roots > self.max_root_fields {
                return Err(over(
                    name::ROOT_FIELDS,
                    self.max_root_fields,
                    roots,
                    "too many root fields in one operation",
                ));
            }
            let aliases = counter.aliases(root);
            if aliases > self.max_aliases {
                return Err(over(
                    name::ALIASES,
                    self.max_aliases,
                    aliases,
                    "too many aliases in one operation",
                ));
            }
        }
        Ok(())
    }
}

fn operations(document: &ExecutableDocument) -> Vec<&Positioned<OperationDefinition>> {
    match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    }
}

fn count_directives(document: &ExecutableDocument) -> usize {
    fn in_set(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    field.node.directives.len() + in_set(&field.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => spread.node.directives.len(),
                Selection::InlineFragment(inline) => {
                    inline.node.directives.len() + in_set(&inline.node.selection_set.node)
                }
            })
            .fold(0, usize::saturating_add)
    }
    let operations = operations(document).into_iter().map(|operation| {
        let variables: usize = operation
            .node
            .variable_definitions
            .iter()
            .map(|variable| variable.node.directives.len())
            .sum();
        operation.node.directives.len() + variables + in_set(&operation.node.selection_set.node)
    });
    let fragments = document
        .fragments
        .values()
        .map(|fragment| fragment.node.directives.len() + in_set(&fragment.node.selection_set.node));
    operations.chain(fragments).fold(0, usize::saturating_add)
}

/// Per-fragment counts, each computed once.
struct Counter<'a> {
    document: &'a ExecutableDocument,
    aliases: HashMap<&'a Name, Option<usize>>,
    roots: HashMap<&'a Name, Option<usize>>,
}

impl<'a> Counter<'a> {
    fn new(document: &'a ExecutableDocument) -> Self {
        Self {
            document,
            aliases: HashMap::new(),
            roots: HashMap::new(),
        }
    }

    fn aliases(&mut self, set: &'a Positioned<SelectionSet>) -> usize {
        let mut total = 0usize;
        for item in &set.node.items {
            let count = match &item.node {
                Selection::Field(field) => usize::from(field.node.alias.is_some())
                    .saturating_add(self.aliases(&field.node.selection_set)),
                Selection::InlineFragment(inline) => self.aliases(&inline.node.selection_set),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.aliases.get(name) {
                        Some(Some(count)) => *count,
                        // Being counted further up: a cycle.
                        Some(None) => 0,
                        None => match self.document.fragments.get(name) {
                            Some(fragment) => {
                                self.aliases.insert(name, None);
                                let count = self.aliases(&fragment.node.selection_set);
                                self.aliases.insert(name, Some(count));
                                count
                            }
                            None => 0,
                        },
                    }
                }
            };
            total = total.saturating_add(count);
        }
        total
    }

    fn root_fields(&mut self, set: &'a Positioned<SelectionSet>) -> usize {
        let mut total = 0usize;
        for item in &set.node.items {
            let count = match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(inline) => self.root_fields(&inline.node.selection_set),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.roots.get(name) {
                        Some(Some(count)) => *count,
                        Some(None) => 0,
                        None => match self.document.fragments.get(name) {
                            Some(fragment) => {
                                self.roots.insert(name, None);
                                let count = self.root_fields(&fragment.node.selection_set);
                                self.roots.insert(name, Some(count));
                                count
                            }
                            None => 0,
                        },
                    }
                }
            };
            total = total.saturating_add(count);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn limits() -> DocumentLimits {
        DocumentLimits {
            max_query_length: 10_000,
            max_aliases: 3,
            max_root_fields: 3,
            max_fragments: 2,
            max_directives: 2,
        }
    }

    fn refusal(query: &str) -> Option<&'static str> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        match limits().check(&document) {
            Ok(()) => None,
            Err(AppError::OverLimit { limit, .. }) => Some(limit),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn aliases_count_through_fragments_and_typename() {
        assert_eq!(
            refusal("{ a: __typename b: __typename c: __typename }"),
            None
        );
        assert_eq!(
            refusal("{ a: __typename b: __typename x { c: __typename d: __typename } }"),
            Some(name::ALIASES)
        );
        // two spreads of a fragment with two aliases: four
        assert_eq!(
            refusal("{ x { ...F } y { ...F } } fragment F on T { a: id b: id }"),
            Some(name::ALIASES)
        );
        assert_eq!(
            refusal("{ x { ...F } } fragment F on T { a: id b: id }"),
            None
        );
    }

    #[test]
    fn root_fields_count_through_fragments() {
        assert_eq!(refusal("{ a b c }"), None);
        assert_eq!(refusal("{ a b c d }"), Some(name::ROOT_FIELDS));
        assert_eq!(
            refusal("{ a ...F } fragment F on Query { b ... on Query { c d } }"),
            Some(name::ROOT_FIELDS)
        );
    }

    #[test]
    fn fragments_and_directives_are_counted_in_the_document() {
        assert_eq!(
            refusal("{ a } fragment A on T { a } fragment B on T { a } fragment C on T { a }"),
            Some(name::FRAGMENTS)
        );
        assert_eq!(
            refusal("{ a @include(if: true) @skip(if: false) @include(if: true) }"),
            Some(name::DIRECTIVES)
        );
        assert_eq!(refusal("query Q @a { a @b }"), None);
    }

    #[test]
    fn cycles_and_fan_outs_terminate() {
        assert_eq!(refusal("{ ...A } fragment A on Q { ...A }"), None);
        // each fragment spreads the next twice: 2^40 aliases, counted in linear time
        let mut query = String::from("{ ...F0 }");
        let limits = DocumentLimits {
            max_fragments: 100,
            ..limits()
        };
        for i in 0..40 {
            query.push_str(&format!(
                " fragment F{i} on Q {{ a: x {{ ...F{n} }} b: x {{ ...F{n} }} }}",
                n = i + 1
            ));
        }
        query.push_str(" fragment F40 on Q { id }");
        let document = async_graphql::parser::parse_query(&query).unwrap();
        assert!(matches!(
            limits.check(&document),
            Err(AppError::OverLimit {
                limit: name::ALIASES,
                ..
            })
        ));
    }

    #[test]
    fn the_text_is_measured_in_bytes() {
        let limits = DocumentLimits {
            max_query_length: 8,
            ..limits()
        };
        assert!(limits.check_length("{ abcd }").is_ok());
        assert!(limits.check_length("{ äbcd }").is_err());
    }
}
