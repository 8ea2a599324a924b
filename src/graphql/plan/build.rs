//! From a parsed document to a [`Plan`], or to the reason the resolvers answer instead.
//!
//! The plan is built before async-graphql validates the document (the execution hook that runs
//! it comes after validation, so a plan of an invalid document is never used); the builder
//! therefore never trusts the document: unknown fields, arguments or directives, and anything
//! that would need the resolvers' error reporting (a page argument out of range, a foreign
//! cursor, a malformed id or identity) make it give up, and the resolvers answer exactly as
//! they would have.

use std::sync::Arc;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet, VariableDefinition,
};
use async_graphql::{InputType, Name, Positioned, Variables};
use async_graphql_value::ConstValue;

use crate::auth::Principal;
use crate::config::LimitsConfig;
use crate::graphql::filters::{
    self, AccountFilter, AccountOrder, ContactFilter, ContactOrder, IncidentFilter, IncidentOrder,
    OpportunityFilter, OpportunityOrder, OrderInput, RecordFilter,
};
use crate::graphql::ids::{GlobalId, NodeType};
use crate::graphql::pagination::PageArgs;
use crate::graphql::plan::catalog::{self, FieldKind, RecordType};
use crate::graphql::plan::tree::{
    ConnectionField, ConnectionSelection, EdgeField, Keyed, MoneyField, ObjectField,
    ObjectSelection, PageInfoField, Plan, RootField,
};
use crate::graphql::types::IdentityChannel;
use crate::service::listing::ListSpec;
use crate::service::page::PageWindow;

/// Why the resolvers answer an operation; logged at debug level.
#[derive(Debug)]
pub struct Unplanned(pub String);

fn unplanned<T>(why: impl Into<String>) -> Result<T, Unplanned> {
    Err(Unplanned(why.into()))
}

/// Deepest selection (fragments included) the builder follows; deeper documents, and cyclic
/// fragments that validation will refuse, go to the resolvers.
const MAX_NESTING: usize = 64;

/// What building a plan needs besides the document.
pub struct Request<'a> {
    pub document: &'a ExecutableDocument,
    pub operation_name: Option<&'a str>,
    pub variables: &'a Variables,
    pub principal: &'a Principal,
    pub limits: &'a LimitsConfig,
}

pub fn build(request: &Request<'_>) -> Result<Plan, Unplanned> {
    let operation = select(request.document, request.operation_name)?;
    if operation.ty != OperationType::Query {
        return unplanned("not a query");
    }
    if !operation.directives.is_empty() {
        return unplanned("operation directives");
    }
    let builder = Builder {
        document: request.document,
        variables: request.variables,
        definitions: variable_definitions(operation)?,
        limits: request.limits,
    };
    let merged = builder.collect(&[&operation.selection_set.node], &|name| name == "Query")?;
    let mut fields = Vec::with_capacity(merged.len());
    for field in merged {
        let item = builder.root_field(&field)?;
        fields.push(Keyed::new(field.key, item));
    }
    Ok(Plan {
        principal: request.principal.clone(),
        fields,
    })
}

fn select<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Result<&'d OperationDefinition, Unplanned> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Ok(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .get(name)
            .map(|operation| &operation.node)
            .ok_or_else(|| Unplanned("no such operation".into())),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .map(|operation| &operation.node)
            .ok_or_else(|| Unplanned("no operation".into())),
        (DocumentOperations::Multiple(_), None) => unplanned("which operation is unclear"),
    }
}

/// The operation's variable definitions, where the plan can follow them.
fn variable_definitions(
    operation: &OperationDefinition,
) -> Result<&[Positioned<VariableDefinition>], Unplanned> {
    if operation
        .variable_definitions
        .iter()
        .any(|definition| !definition.node.directives.is_empty())
    {
        return unplanned("variable directives");
    }
    Ok(&operation.variable_definitions)
}

/// The fields selected under one response key, with every selection set that asks for it
/// (fields of the same key are merged, as execution does).
struct Merged<'d> {
    key: String,
    field: &'d Field,
    sets: Vec<&'d SelectionSet>,
}

struct Builder<'d> {
    document: &'d ExecutableDocument,
    /// The request's variables; one it leaves out has its declared default.
    variables: &'d Variables,
    definitions: &'d [Positioned<VariableDefinition>],
    limits: &'d LimitsConfig,
}

impl<'d> Builder<'d> {
    /// The fields of `sets` on an object whose type conditions `applies` accepts, in order of
    /// first appearance.
    fn collect(
        &self,
        sets: &[&'d SelectionSet],
        applies: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Merged<'d>>, Unplanned> {
        let mut merged: Vec<Merged<'d>> = Vec::new();
        for set in sets {
            self.collect_into(set, applies, &mut merged, 0)?;
        }
        Ok(merged)
    }

    fn collect_into(
        &self,
        set: &'d SelectionSet,
        applies: &dyn Fn(&str) -> bool,
        merged: &mut Vec<Merged<'d>>,
        depth: usize,
    ) -> Result<(), Unplanned> {
        if depth > MAX_NESTING {
            return unplanned("fragments nested too deep");
        }
        for item in &set.items {
            if !self.included(item.node.directives())? {
                continue;
            }
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    match merged.iter_mut().find(|entry| entry.key == key) {
                        Some(entry) => entry.sets.push(&field.selection_set.node),
                        None => merged.push(Merged {
                            key: key.to_owned(),
                            field,
                            sets: vec![&field.selection_set.node],
                        }),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    else {
                        return unplanned("unknown fragment");
                    };
                    let fragment = &fragment.node;
                    if !fragment.directives.is_empty() {
                        return unplanned("fragment directives");
                    }
                    if applies(fragment.type_condition.node.on.node.as_str()) {
                        self.collect_into(
                            &fragment.selection_set.node,
                            applies,
                            merged,
                            depth + 1,
                        )?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let matches = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| applies(condition.node.on.node.as_str()));
                    if matches {
                        self.collect_into(&inline.selection_set.node, applies, merged, depth + 1)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `@skip` / `@include`; any other directive is left to the resolvers.
    fn included(
        &self,
        directives: &[Positioned<async_graphql::parser::types::Directive>],
    ) -> Result<bool, Unplanned> {
        let mut included = true;
        for directive in directives {
            let directive = &directive.node;
            let condition = match directive.get_argument("if") {
                Some(value) => self.constant(&value.node)?,
                None => return unplanned("directive without `if`"),
            };
            let ConstValue::Boolean(condition) = condition else {
                return unplanned("directive condition is not a boolean");
            };
            match directive.name.node.as_str() {
                "skip" => included &= !condition,
                "include" => included &= condition,
                _ => return unplanned("directive other than @skip / @include"),
            }
        }
        Ok(included)
    }

    fn constant(&self, value: &async_graphql_value::Value) -> Result<ConstValue, Unplanned> {
        value
            .clone()
            .into_const_with(|name| Ok::<_, Unplanned>(self.variable(&name)))
    }

    fn variable(&self, name: &Name) -> ConstValue {
        if let Some(value) = self.variables.get(name) {
            return value.clone();
        }
        self.definitions
            .iter()
            .find(|definition| definition.node.name.node == *name)
            .and_then(|definition| definition.node.default_value())
            .cloned()
            .unwrap_or(ConstValue::Null)
    }

    /// The argument `name` of `field`, resolved against the variables; absent is `None`.
    fn argument(&self, field: &Field, name: &str) -> Result<Option<ConstValue>, Unplanned> {
        match field.get_argument(name) {
            Some(value) => Ok(Some(self.constant(&value.node)?)),
            None => Ok(None),
        }
    }

    fn parse<T: InputType>(&self, field: &Field, name: &str) -> Result<T, Unplanned> {
        T::parse(self.argument(field, name)?).map_err(|_| Unplanned(format!("argument `{name}`")))
    }

    /// Refuses arguments the field does not take.
    fn only_arguments(field: &Field, allowed: &[&str]) -> Result<(), Unplanned> {
        match field
            .arguments
            .iter()
            .find(|(name, _)| !allowed.contains(&name.node.as_str()))
        {
            Some((name, _)) => unplanned(format!("argument `{}`", name.node)),
            None => Ok(()),
        }
    }

    fn root_field(&self, merged: &Merged<'d>) -> Result<RootField, Unplanned> {
        let field = merged.field;
        let record = match field.name.node.as_str() {
            "__typename" => {
                Self::only_arguments(field, &[])?;
                return Ok(RootField::Typename);
            }
            "accounts" => RecordType::Account,
            "contacts" => RecordType::Contact,
            "incidents" => RecordType::Incident,
            "opportunities" => RecordType::Opportunity,
            "account" => return self.by_id(merged, RecordType::Account, NodeType::Account),
            "contact" => return self.by_id(merged, RecordType::Contact, NodeType::Contact),
            "incident" => return self.by_id(merged, RecordType::Incident, NodeType::Incident),
            "opportunity" => {
                return self.by_id(merged, RecordType::Opportunity, NodeType::Opportunity);
            }
            "contactByIdentity" => {
                Self::only_arguments(field, &["channel", "value"])?;
                let channel: IdentityChannel = self.parse(field, "channel")?;
                let value: String = self.parse(field, "value")?;
                return Ok(RootField::ContactByIdentity {
                    channel: channel.into(),
                    value,
                    selection: self.object(RecordType::Contact, &merged.sets, 1)?,
                });
            }
            other => return unplanned(format!("root field `{other}`")),
        };
        let window = self.window(record, field)?;
        Ok(RootField::List {
            record,
            window,
            selection: self.connection(record, &merged.sets, 1)?,
        })
    }

    fn by_id(
        &self,
        merged: &Merged<'d>,
        record: RecordType,
        node_type: NodeType,
    ) -> Result<RootField, Unplanned> {
        Self::only_arguments(merged.field, &["id"])?;
        let id: async_graphql::ID = self.parse(merged.field, "id")?;
        let id =
            GlobalId::parse_as(&id, node_type).map_err(|_| Unplanned("malformed id".into()))?;
        Ok(RootField::ById {
            record,
            id,
            selection: self.object(record, &merged.sets, 1)?,
        })
    }

    /// The page window of a connection field: the resolvers' own validation
    /// (`PageArgs::window`, `filters::spec`); what it refuses, the resolvers report.
    fn window(&self, record: RecordType, field: &Field) -> Result<PageWindow, Unplanned> {
        Self::only_arguments(
            field,
            &["first", "after", "last", "before", "filter", "orderBy"],
        )?;
        let args = PageArgs::new(
            self.parse(field, "first")?,
            self.parse(field, "after")?,
            self.parse(field, "last")?,
            self.parse(field, "before")?,
        );
        let spec = match record {
            RecordType::Account => self.spec::<AccountFilter, AccountOrder>(field)?,
            RecordType::Contact => self.spec::<ContactFilter, ContactOrder>(field)?,
            RecordType::Incident => self.spec::<IncidentFilter, IncidentOrder>(field)?,
            RecordType::Opportunity => self.spec::<OpportunityFilter, OpportunityOrder>(field)?,
            RecordType::ContactIdentity | RecordType::CommunicationMethod => {
                return unplanned("no connection of this type");
            }
        };
        args.window(self.limits, Arc::new(spec))
            .map_err(|_| Unplanned("page arguments the resolvers refuse".into()))
    }

    fn spec<F, O>(&self, field: &Field) -> Result<ListSpec, Unplanned>
    where
        F: RecordFilter + InputType,
        O: OrderInput + InputType,
    {
        let filter: Option<F> = self.parse(field, "filter")?;
        let order: Option<Vec<O>> = self.parse(field, "orderBy")?;
        filters::spec(filter, order).map_err(|_| Unplanned("a filter the resolvers refuse".into()))
    }

    fn nested(depth: usize) -> Result<usize, Unplanned> {
        if depth > MAX_NESTING {
            return unplanned("nested too deep");
        }
        Ok(depth + 1)
    }

    fn object(
        &self,
        record: RecordType,
        sets: &[&'d SelectionSet],
        depth: usize,
    ) -> Result<ObjectSelection, Unplanned> {
        let depth = Self::nested(depth)?;
        let merged = self.collect(sets, &|name| record.matches(name))?;
        let mut fields = Vec::with_capacity(merged.len());
        for entry in merged {
            let field = entry.field;
            let name = field.name.node.as_str();
            let item = if name == "__typename" {
                Self::only_arguments(field, &[])?;
                ObjectField::Typename
            } else {
                let Some((column, kind)) = catalog::field(record, name) else {
                    return unplanned(format!("field `{}.{name}`", record.name()));
                };
                match kind {
                    FieldKind::Column => {
                        Self::only_arguments(field, &[])?;
                        if entry.sets.iter().any(|set| !set.items.is_empty()) {
                            return unplanned("selection on a scalar");
                        }
                        ObjectField::Column(column)
                    }
                    FieldKind::Money => {
                        Self::only_arguments(field, &[])?;
                        ObjectField::Money(self.money(&entry.sets)?)
                    }
                    FieldKind::ToOne(relation) => {
                        Self::only_arguments(field, &[])?;
                        ObjectField::ToOne {
                            relation,
                            selection: self.object(relation.target(), &entry.sets, depth)?,
                        }
                    }
                    FieldKind::List(relation) => {
                        Self::only_arguments(field, &[])?;
                        ObjectField::List {
                            relation,
                            selection: self.object(relation.child(), &entry.sets, depth)?,
                        }
                    }
                    FieldKind::Connection(relation) => ObjectField::Connection {
                        relation,
                        window: self.window(relation.child(), field)?,
                        selection: self.connection(relation.child(), &entry.sets, depth)?,
                    },
                }
            };
            fields.push(Keyed::new(entry.key, item));
        }
        Ok(ObjectSelection { record, fields })
    }

    fn connection(
        &self,
        record: RecordType,
        sets: &[&'d SelectionSet],
        depth: usize,
    ) -> Result<ConnectionSelection, Unplanned> {
        let depth = Self::nested(depth)?;
        let connection = record.connection_name();
        let merged = self.collect(sets, &|name| name == connection)?;
        let mut fields = Vec::with_capacity(merged.len());
        for entry in merged {
            Self::only_arguments(entry.field, &[])?;
            let item = match entry.field.name.node.as_str() {
                "__typename" => ConnectionField::Typename,
                "totalCount" => ConnectionField::TotalCount,
                "pageInfo" => ConnectionField::PageInfo(self.page_info(&entry.sets)?),
                "edges" => ConnectionField::Edges(self.edges(record, &entry.sets, depth)?),
                "nodes" => ConnectionField::Nodes(self.object(record, &entry.sets, depth)?),
                other => return unplanned(format!("connection field `{other}`")),
            };
            fields.push(Keyed::new(entry.key, item));
        }
        Ok(ConnectionSelection { record, fields })
    }

    fn edges(
        &self,
        record: RecordType,
        sets: &[&'d SelectionSet],
        depth: usize,
    ) -> Result<Vec<Keyed<EdgeField>>, Unplanned> {
        let depth = Self::nested(depth)?;
        let edge = record.edge_name();
        let merged = self.collect(sets, &|name| name == edge)?;
        let mut fields = Vec::with_capacity(merged.len());
        for entry in merged {
            Self::only_arguments(entry.field, &[])?;
            let item = match entry.field.name.node.as_str() {
                "__typename" => EdgeField::Typename,
                "cursor" => EdgeField::Cursor,
                "node" => EdgeField::Node(self.object(record, &entry.sets, depth)?),
                other => return unplanned(format!("edge field `{other}`")),
            };
            fields.push(Keyed::new(entry.key, item));
        }
        Ok(fields)
    }

    fn page_info(&self, sets: &[&'d SelectionSet]) -> Result<Vec<Keyed<PageInfoField>>, Unplanned> {
        self.leaves(sets, "PageInfo", |name| match name {
            "__typename" => Some(PageInfoField::Typename),
            "hasNextPage" => Some(PageInfoField::HasNextPage),
            "hasPreviousPage" => Some(PageInfoField::HasPreviousPage),
            "startCursor" => Some(PageInfoField::StartCursor),
            "endCursor" => Some(PageInfoField::EndCursor),
            _ => None,
        })
    }

    fn money(&self, sets: &[&'d SelectionSet]) -> Result<Vec<Keyed<MoneyField>>, Unplanned> {
        self.leaves(sets, "Money", |name| match name {
            "__typename" => Some(MoneyField::Typename),
            "amount" => Some(MoneyField::Amount),
            "minorUnits" => Some(MoneyField::MinorUnits),
            "currency" => Some(MoneyField::Currency),
            _ => None,
        })
    }

    /// An object type with scalar fields only.
    fn leaves<T>(
        &self,
        sets: &[&'d SelectionSet],
        type_name: &str,
        kind: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<Keyed<T>>, Unplanned> {
        let merged = self.collect(sets, &|name| name == type_name)?;
        let mut fields = Vec::with_capacity(merged.len());
        for entry in merged {
            Self::only_arguments(entry.field, &[])?;
            let Some(item) = kind(entry.field.name.node.as_str()) else {
                return unplanned(format!("field of {type_name}"));
            };
            fields.push(Keyed::new(entry.key, item));
        }
        Ok(fields)
    }
}
