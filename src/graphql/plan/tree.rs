//! The plan itself: plain data built from the validated document, read by the executor and the
//! writer, and printed for the golden snapshots. Nothing here touches the database.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use entity::enums::IdentityChannel;
use uuid::Uuid;

use crate::auth::{Principal, Scope};
use crate::graphql::plan::catalog::{Many, RecordType, ToOne, stored_columns};
use crate::service::page::{Direction, PageWindow};

/// A field of the answer under its response key (the alias, or the field's name).
#[derive(Debug)]
pub struct Keyed<T> {
    pub key: String,
    /// `"key":`, escaped once when planned instead of for every row written.
    pub prefix: String,
    pub item: T,
}

impl<T> Keyed<T> {
    pub fn new(key: String, item: T) -> Self {
        let mut prefix = serde_json::to_string(&key).unwrap_or_default();
        prefix.push(':');
        Self { key, prefix, item }
    }
}

/// A query operation the compiled path answers. The caller's scope enters here, once: every
/// statement the executor issues is built under it.
#[derive(Debug)]
pub struct Plan {
    pub principal: Principal,
    pub fields: Vec<Keyed<RootField>>,
}

#[derive(Debug)]
pub enum RootField {
    Typename,
    /// A page of a whole table (`accounts`, `contacts`, ...).
    List {
        record: RecordType,
        window: PageWindow,
        selection: ConnectionSelection,
    },
    /// One record by id (`account(id:)`, ...); merged contact ids follow their redirect.
    ById {
        record: RecordType,
        id: Uuid,
        selection: ObjectSelection,
    },
    /// `contactByIdentity(channel:, value:)`.
    ContactByIdentity {
        channel: IdentityChannel,
        value: String,
        selection: ObjectSelection,
    },
}

/// The fields selected on records of one type.
#[derive(Debug)]
pub struct ObjectSelection {
    pub record: RecordType,
    pub fields: Vec<Keyed<ObjectField>>,
}

#[derive(Debug)]
pub enum ObjectField {
    Typename,
    /// A stored value, by its GraphQL field name.
    Column(&'static str),
    /// `Opportunity.amount`: a value object over two columns.
    Money(Vec<Keyed<MoneyField>>),
    /// The record a foreign key points at.
    ToOne {
        relation: ToOne,
        selection: ObjectSelection,
    },
    /// A small relation answered whole (`identities`, `communicationMethods`).
    List {
        relation: Many,
        selection: ObjectSelection,
    },
    /// A paged relation.
    Connection {
        relation: Many,
        window: PageWindow,
        selection: ConnectionSelection,
    },
}

impl ObjectField {
    /// Whether the row itself answers the field (nothing else to read).
    pub fn is_inline(&self) -> bool {
        matches!(self, Self::Typename | Self::Column(_) | Self::Money(_))
    }
}

#[derive(Debug, Clone, Copy)]
pub enum MoneyField {
    Typename,
    Amount,
    MinorUnits,
    Currency,
}

/// The fields selected on a connection of records of one type.
#[derive(Debug)]
pub struct ConnectionSelection {
    pub record: RecordType,
    pub fields: Vec<Keyed<ConnectionField>>,
}

impl ConnectionSelection {
    pub fn counts(&self) -> bool {
        self.fields
            .iter()
            .any(|field| matches!(field.item, ConnectionField::TotalCount))
    }
}

#[derive(Debug)]
pub enum ConnectionField {
    Typename,
    TotalCount,
    PageInfo(Vec<Keyed<PageInfoField>>),
    Edges(Vec<Keyed<EdgeField>>),
    Nodes(ObjectSelection),
}

#[derive(Debug)]
pub enum EdgeField {
    Typename,
    Cursor,
    Node(ObjectSelection),
}

#[derive(Debug, Clone, Copy)]
pub enum PageInfoField {
    Typename,
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

impl Plan {
    /// The stored columns each record type's selections write, over the whole plan: every
    /// statement reading rows of a type reads these (rows are shared between levels).
    /// A short list per type (a handful of columns), searched in order: cheaper than hashing
    /// column names for a point lookup.
    pub fn columns(&self) -> HashMap<RecordType, Vec<String>> {
        let mut columns = HashMap::new();
        for field in &self.fields {
            match &field.item {
                RootField::Typename => {}
                RootField::List { selection, .. } => connection_columns(selection, &mut columns),
                RootField::ById { selection, .. }
                | RootField::ContactByIdentity { selection, .. } => {
                    object_columns(selection, &mut columns);
                }
            }
        }
        columns
    }
}

fn object_columns(selection: &ObjectSelection, columns: &mut HashMap<RecordType, Vec<String>>) {
    let own = columns.entry(selection.record).or_default();
    for field in &selection.fields {
        let stored = match &field.item {
            ObjectField::Column(name) => stored_columns(name),
            ObjectField::Money(_) => stored_columns("amount"),
            ObjectField::ToOne { relation, .. } => vec![relation.key_column().to_owned()],
            _ => continue,
        };
        for column in stored {
            if !own.contains(&column) {
                own.push(column);
            }
        }
    }
    for field in &selection.fields {
        match &field.item {
            ObjectField::ToOne { selection, .. } | ObjectField::List { selection, .. } => {
                object_columns(selection, columns);
            }
            ObjectField::Connection { selection, .. } => connection_columns(selection, columns),
            _ => {}
        }
    }
}

fn connection_columns(
    selection: &ConnectionSelection,
    columns: &mut HashMap<RecordType, Vec<String>>,
) {
    columns.entry(selection.record).or_default();
    for field in &selection.fields {
        match &field.item {
            ConnectionField::Edges(edges) => {
                for edge in edges {
                    if let EdgeField::Node(node) = &edge.item {
                        object_columns(node, columns);
                    }
                }
            }
            ConnectionField::Nodes(node) => object_columns(node, columns),
            _ => {}
        }
    }
}

/// The snapshot form: one line per level, with what decides its statement (relation, page,
/// filter, order) and the columns it writes.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.principal.scope {
            Scope::Unrestricted => writeln!(f, "scope: unrestricted")?,
            Scope::Partner { .. } => writeln!(f, "scope: partner")?,
        }
        for field in &self.fields {
            let mut line = String::new();
            match &field.item {
                RootField::Typename => writeln!(f, "{}: __typename", field.key)?,
                RootField::List {
                    record,
                    window,
                    selection,
                } => {
                    let _ = write!(line, "{}: page of {}", field.key, record.name());
                    describe_window(&mut line, window);
                    writeln!(f, "{line}")?;
                    write_connection(f, selection, 1)?;
                }
                RootField::ById {
                    record, selection, ..
                } => {
                    writeln!(f, "{}: {} by id", field.key, record.name())?;
                    write_object(f, selection, 1)?;
                }
                RootField::ContactByIdentity {
                    channel, selection, ..
                } => {
                    writeln!(f, "{}: Contact by {channel:?} identity", field.key)?;
                    write_object(f, selection, 1)?;
                }
            }
        }
        Ok(())
    }
}

fn describe_window(line: &mut String, window: &PageWindow) {
    let _ = match window.direction {
        Direction::Forward => write!(line, " first {}", window.size),
        Direction::Backward => write!(line, " last {}", window.size),
    };
    if window.after.is_some() {
        line.push_str(" after cursor");
    }
    if window.before.is_some() {
        line.push_str(" before cursor");
    }
    if window.spec.filter.is_some() {
        line.push_str(" filtered");
    }
    if !window.spec.order.is_empty() {
        let _ = write!(line, " ordered by {} key(s)", window.spec.order.len());
    }
}

fn indent(f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
    for _ in 0..depth {
        f.write_str("  ")?;
    }
    Ok(())
}

fn write_object(
    f: &mut fmt::Formatter<'_>,
    selection: &ObjectSelection,
    depth: usize,
) -> fmt::Result {
    let mut columns = Vec::new();
    for field in &selection.fields {
        match &field.item {
            ObjectField::Typename => columns.push("__typename".to_owned()),
            ObjectField::Column(name) => columns.push((*name).to_owned()),
            ObjectField::Money(_) => columns.push("amount { .. }".to_owned()),
            _ => {}
        }
    }
    indent(f, depth)?;
    writeln!(f, "{} {{ {} }}", selection.record.name(), columns.join(" "))?;
    for field in &selection.fields {
        match &field.item {
            ObjectField::ToOne {
                relation,
                selection,
            } => {
                indent(f, depth)?;
                writeln!(
                    f,
                    "{}: {} by id ({:?})",
                    field.key,
                    selection.record.name(),
                    relation
                )?;
                write_object(f, selection, depth + 1)?;
            }
            ObjectField::List {
                relation,
                selection,
            } => {
                indent(f, depth)?;
                writeln!(f, "{}: all {:?}", field.key, relation)?;
                write_object(f, selection, depth + 1)?;
            }
            ObjectField::Connection {
                relation,
                window,
                selection,
            } => {
                let mut line = format!("{}: page of {relation:?}", field.key);
                describe_window(&mut line, window);
                indent(f, depth)?;
                writeln!(f, "{line}")?;
                write_connection(f, selection, depth + 1)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn write_connection(
    f: &mut fmt::Formatter<'_>,
    selection: &ConnectionSelection,
    depth: usize,
) -> fmt::Result {
    if selection.counts() {
        indent(f, depth)?;
        writeln!(f, "totalCount")?;
    }
    for field in &selection.fields {
        match &field.item {
            ConnectionField::Edges(edges) => {
                for edge in edges {
                    if let EdgeField::Node(node) = &edge.item {
                        indent(f, depth)?;
                        writeln!(f, "{}.{}:", field.key, edge.key)?;
                        write_object(f, node, depth + 1)?;
                    }
                }
            }
            ConnectionField::Nodes(node) => {
                indent(f, depth)?;
                writeln!(f, "{}:", field.key)?;
                write_object(f, node, depth + 1)?;
            }
            _ => {}
        }
    }
    Ok(())
}
