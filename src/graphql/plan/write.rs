//! The answer's `data`, written as JSON straight from the rows: no `async_graphql::Value` tree,
//! no future per field. Keys come in the order the selection names them, like the resolvers'.
//!
//! An object whose every field was skipped (`@skip` / `@include`) is written `null`, not `{}`:
//! async-graphql's resolvers answer an empty selection that way (even where the field is
//! non-null, and for the whole `data`), and both paths must give the same answer.

use async_graphql::connection::CursorType;

use crate::error::{AppError, AppResult};
use crate::graphql::pagination::ListCursor;
use crate::graphql::plan::execute::{
    ConnectionData, ConnectionFieldData, DynPage, Fetched, FieldData, RootData, RowRef,
};
use crate::graphql::plan::rows::{boolean, integer, null, string};
use crate::graphql::plan::tree::{
    ConnectionField, ConnectionSelection, EdgeField, Keyed, MoneyField, ObjectField,
    ObjectSelection, PageInfoField, Plan, RootField,
};
use crate::graphql::types::Money;

/// Room reserved for an answer before it is written: most answers fit, a big one grows it a few
/// times.
pub const INITIAL_CAPACITY: usize = 64 * 1024;

/// The `data` object of `plan`'s answer, appended to `out`.
pub fn data(out: &mut Vec<u8>, plan: &Plan, roots: &[RootData]) -> AppResult<()> {
    if plan.fields.is_empty() {
        null(out);
        return Ok(());
    }
    out.push(b'{');
    for (index, (field, data)) in plan.fields.iter().zip(roots).enumerate() {
        key(out, index, &field.prefix);
        match (&field.item, data) {
            (RootField::Typename, _) => string(out, "Query"),
            (
                RootField::List { selection, .. },
                RootData::List {
                    page,
                    count,
                    nested,
                },
            ) => {
                connection(out, selection, nested, page, *count)?;
            }
            (
                RootField::ById { selection, .. } | RootField::ContactByIdentity { selection, .. },
                RootData::One { row, nested },
            ) => match row {
                Some(row) => object(out, selection, nested, row)?,
                None => null(out),
            },
            _ => return Err(mismatch()),
        }
    }
    out.push(b'}');
    Ok(())
}

fn mismatch() -> AppError {
    AppError::internal(std::io::Error::other(
        "compiled read: the fetched data does not match the plan",
    ))
}

fn key(out: &mut Vec<u8>, index: usize, prefix: &str) {
    if index > 0 {
        out.push(b',');
    }
    out.extend_from_slice(prefix.as_bytes());
}

fn object(
    out: &mut Vec<u8>,
    selection: &ObjectSelection,
    fetched: &Fetched,
    row: &RowRef,
) -> AppResult<()> {
    if selection.fields.is_empty() {
        null(out);
        return Ok(());
    }
    out.push(b'{');
    for (index, (field, data)) in selection.fields.iter().zip(&fetched.fields).enumerate() {
        key(out, index, &field.prefix);
        match (&field.item, data) {
            (ObjectField::Typename, _) => string(out, selection.record.name()),
            (ObjectField::Column(name), _) => {
                if !row.write_column(name, out) {
                    return Err(mismatch());
                }
            }
            (ObjectField::Money(fields), _) => money(out, fields, row.money()),
            (
                ObjectField::ToOne {
                    relation,
                    selection,
                },
                FieldData::ToOne { targets, nested },
            ) => match row.reference(*relation).and_then(|id| targets.get(&id)) {
                Some(target) => object(out, selection, nested, target)?,
                None => null(out),
            },
            (ObjectField::List { selection, .. }, FieldData::List { children, nested }) => {
                out.push(b'[');
                for (index, child) in children.get(&row.id()).into_iter().flatten().enumerate() {
                    if index > 0 {
                        out.push(b',');
                    }
                    object(out, selection, nested, child)?;
                }
                out.push(b']');
            }
            (
                ObjectField::Connection { selection, .. },
                FieldData::Connection {
                    pages,
                    counts,
                    nested,
                },
            ) => {
                let empty = DynPage::default();
                let page = pages.get(&row.id()).unwrap_or(&empty);
                let count = counts.get(&row.id()).copied().unwrap_or(0);
                connection(out, selection, nested, page, count)?;
            }
            _ => return Err(mismatch()),
        }
    }
    out.push(b'}');
    Ok(())
}

fn money(out: &mut Vec<u8>, fields: &[Keyed<MoneyField>], value: Option<(i64, &str)>) {
    let Some((minor_units, currency)) = value.filter(|_| !fields.is_empty()) else {
        return null(out);
    };
    let value = Money::new(minor_units, currency);
    out.push(b'{');
    for (index, field) in fields.iter().enumerate() {
        key(out, index, &field.prefix);
        match field.item {
            MoneyField::Typename => string(out, "Money"),
            MoneyField::Amount => string(out, &value.decimal()),
            MoneyField::MinorUnits => string(out, itoa::Buffer::new().format(minor_units)),
            MoneyField::Currency => string(out, currency),
        }
    }
    out.push(b'}');
}

fn cursor(out: &mut Vec<u8>, fingerprint: &str, page: &DynPage, index: Option<usize>) {
    match index.and_then(|index| page.positions.get(index)) {
        Some(position) => {
            let cursor = ListCursor {
                fingerprint: fingerprint.to_owned(),
                position: position.clone(),
            };
            string(out, &cursor.encode_cursor());
        }
        None => null(out),
    }
}

fn connection(
    out: &mut Vec<u8>,
    selection: &ConnectionSelection,
    data: &ConnectionData,
    page: &DynPage,
    count: u64,
) -> AppResult<()> {
    let record = selection.record;
    if selection.fields.is_empty() {
        null(out);
        return Ok(());
    }
    out.push(b'{');
    for (index, (field, fetched)) in selection.fields.iter().zip(&data.fields).enumerate() {
        key(out, index, &field.prefix);
        match (&field.item, fetched) {
            (ConnectionField::Typename, _) => string(out, record.connection_name()),
            (ConnectionField::TotalCount, _) => integer(out, count),
            (ConnectionField::PageInfo(fields), _) if fields.is_empty() => null(out),
            (ConnectionField::PageInfo(fields), _) => {
                out.push(b'{');
                for (index, field) in fields.iter().enumerate() {
                    key(out, index, &field.prefix);
                    match field.item {
                        PageInfoField::Typename => string(out, "PageInfo"),
                        PageInfoField::HasNextPage => boolean(out, page.has_next),
                        PageInfoField::HasPreviousPage => boolean(out, page.has_previous),
                        PageInfoField::StartCursor => {
                            let first = (!page.positions.is_empty()).then_some(0);
                            cursor(out, &data.fingerprint, page, first);
                        }
                        PageInfoField::EndCursor => {
                            let last = page.positions.len().checked_sub(1);
                            cursor(out, &data.fingerprint, page, last);
                        }
                    }
                }
                out.push(b'}');
            }
            (ConnectionField::Edges(fields), ConnectionFieldData::Edges(nodes)) => {
                out.push(b'[');
                for (position, row) in page.rows.iter().enumerate() {
                    if position > 0 {
                        out.push(b',');
                    }
                    if fields.is_empty() {
                        null(out);
                        continue;
                    }
                    out.push(b'{');
                    for (index, (field, node)) in fields.iter().zip(nodes).enumerate() {
                        key(out, index, &field.prefix);
                        match (&field.item, node) {
                            (EdgeField::Typename, _) => string(out, record.edge_name()),
                            (EdgeField::Cursor, _) => {
                                cursor(out, &data.fingerprint, page, Some(position));
                            }
                            (EdgeField::Node(selection), Some(fetched)) => {
                                object(out, selection, fetched, row)?;
                            }
                            _ => return Err(mismatch()),
                        }
                    }
                    out.push(b'}');
                }
                out.push(b']');
            }
            (ConnectionField::Nodes(selection), ConnectionFieldData::Nodes(fetched)) => {
                out.push(b'[');
                for (position, row) in page.rows.iter().enumerate() {
                    if position > 0 {
                        out.push(b',');
                    }
                    object(out, selection, fetched, row)?;
                }
                out.push(b']');
            }
            _ => return Err(mismatch()),
        }
    }
    out.push(b'}');
    Ok(())
}
