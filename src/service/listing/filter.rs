//! Filters as data, and their translation into SQL conditions.
//!
//! Relation filters become subqueries over the related table, restricted by the caller's scope
//! (`Table::visible`), so a filter or a count never looks at a row the caller cannot see.
//! To-one filters are uncorrelated `IN` subqueries (the target may be the same table, as for an
//! account's partner); `some` / `none` / `every` and relation counts are correlated scalar
//! subqueries, answered from the relation's `(fk, id)` index per row, which keeps them cheap
//! inside per-parent pages. (An uncorrelated `id IN (SELECT fk ...)` made PostgreSQL scan every
//! matching case of the table for each page.)

use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, LikeExpr, Query, SelectStatement, SubQueryStatement,
};
use sea_orm::{Condition, DbBackend};
use serde::Serialize;

use crate::auth::Scope;
use crate::error::{AppError, AppResult};
use crate::service::listing::scalar::Scalar;
use crate::service::listing::schema::{Field, Table, ToMany, ToOne};

/// A comparison of one value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Op {
    Eq(Scalar),
    /// Also true where the value is null: "not Ada" includes contacts without a first name.
    Ne(Scalar),
    In(Vec<Scalar>),
    /// Also true where the value is null, like `Ne`.
    NotIn(Vec<Scalar>),
    IsNull(bool),
    /// Case-insensitive substring (ASCII letters on SQLite, all letters on PostgreSQL).
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    Gt(Scalar),
    Gte(Scalar),
    Lt(Scalar),
    Lte(Scalar),
}

/// A condition on the rows of one table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Filter {
    All(Vec<Filter>),
    Any(Vec<Filter>),
    Not(Box<Filter>),
    Field(Field, Op),
    /// The row a to-one relation names exists, is visible, and matches.
    ToOne(ToOne, Box<Filter>),
    /// At least one visible related row matches.
    Some(ToMany, Box<Filter>),
    /// No visible related row matches.
    None(ToMany, Box<Filter>),
    /// Every visible related row matches (true when there are none).
    Every(ToMany, Box<Filter>),
    /// The number of visible related rows (matching `filter`, when given) passes every `count` op.
    Count {
        relation: ToMany,
        filter: Option<Box<Filter>>,
        count: Vec<Op>,
    },
}

/// Bounds on what one filter may ask for, so a request cannot make the database work without
/// limit. Each refusal names the path of the offending part.
#[derive(Debug, Clone, Copy)]
pub struct FilterLimits {
    /// Nesting of `and` / `or` / `not` and of relation filters.
    pub max_depth: usize,
    pub max_in_values: usize,
    /// Longest string operand, in bytes.
    pub max_text_bytes: usize,
}

impl Default for FilterLimits {
    fn default() -> Self {
        Self {
            max_depth: 10,
            max_in_values: 100,
            max_text_bytes: 1024,
        }
    }
}

impl FilterLimits {
    pub fn check_depth(&self, path: &str, depth: usize) -> AppResult<()> {
        if depth > self.max_depth {
            return Err(AppError::bad_input(format!(
                "`{path}`: filters nest at most {} levels deep",
                self.max_depth
            )));
        }
        Ok(())
    }

    pub fn check_text(&self, path: &str, text: &str) -> AppResult<()> {
        if text.len() > self.max_text_bytes {
            return Err(AppError::bad_input(format!(
                "`{path}`: strings in filters are at most {} bytes",
                self.max_text_bytes
            )));
        }
        Ok(())
    }

    pub fn check_list(&self, path: &str, len: usize) -> AppResult<()> {
        if len == 0 {
            return Err(AppError::bad_input(format!("`{path}` must not be empty")));
        }
        if len > self.max_in_values {
            return Err(AppError::bad_input(format!(
                "`{path}` accepts at most {} values",
                self.max_in_values
            )));
        }
        Ok(())
    }
}

/// What a filter is translated for.
#[derive(Debug, Clone, Copy)]
pub struct SqlContext {
    pub scope: Scope,
    pub backend: DbBackend,
}

impl SqlContext {
    fn pattern(&self, column: Expr, pattern: String) -> Expr {
        match self.backend {
            DbBackend::Postgres => {
                Expr::cust_with_exprs("$1 ILIKE $2 ESCAPE '\\'", [column, Expr::value(pattern)])
            }
            // SQLite's LIKE ignores the case of ASCII letters by default.
            _ => column.like(LikeExpr::new(pattern).escape('\\')),
        }
    }
}

/// `text` with LIKE's wildcards and the escape character escaped.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// `lhs <op>`. Every kind compares as stored. On SQLite that includes timestamps, which are
/// text there: see ADR 0006 for why their text compares exactly and in time order, while
/// SQLite's date functions (millisecond resolution) would not.
pub fn compare(cx: &SqlContext, lhs: Expr, op: &Op) -> Condition {
    let column = lhs.clone();
    let bound = |value: &Scalar| Expr::value(value.to_value());
    let all = Condition::all();
    match op {
        Op::Eq(value) => all.add(column.eq(bound(value))),
        Op::Ne(value) => Condition::any()
            .add(column.ne(bound(value)))
            .add(lhs.is_null()),
        Op::In(values) => all.add(column.is_in(values.iter().map(bound))),
        Op::NotIn(values) => Condition::any()
            .add(column.is_not_in(values.iter().map(bound)))
            .add(lhs.is_null()),
        Op::IsNull(true) => all.add(lhs.is_null()),
        Op::IsNull(false) => all.add(lhs.is_not_null()),
        Op::Contains(text) => all.add(cx.pattern(lhs, format!("%{}%", escape_like(text)))),
        Op::StartsWith(text) => all.add(cx.pattern(lhs, format!("{}%", escape_like(text)))),
        Op::EndsWith(text) => all.add(cx.pattern(lhs, format!("%{}", escape_like(text)))),
        Op::Gt(value) => all.add(column.gt(bound(value))),
        Op::Gte(value) => all.add(column.gte(bound(value))),
        Op::Lt(value) => all.add(column.lt(bound(value))),
        Op::Lte(value) => all.add(column.lte(bound(value))),
    }
}

impl Filter {
    /// The condition on rows of `table` (referenced by its own name in the statement).
    pub fn condition(&self, table: Table, cx: &SqlContext) -> Condition {
        match self {
            Filter::All(parts) => parts.iter().fold(Condition::all(), |all, part| {
                all.add(part.condition(table, cx))
            }),
            Filter::Any(parts) => parts.iter().fold(Condition::any(), |any, part| {
                any.add(part.condition(table, cx))
            }),
            Filter::Not(inner) => inner.condition(table, cx).not(),
            Filter::Field(field, op) => compare(cx, field.expr(), op),
            Filter::ToOne(relation, inner) => {
                let target = relation.target();
                let ids = ids_of(target, target.id(), inner.condition(target, cx), cx);
                Condition::all().add(relation.fk().expr().in_subquery(ids))
            }
            Filter::Some(relation, inner) => {
                let matching = inner.condition(relation.child(), cx);
                Condition::all().add(first_related(*relation, table, matching, cx).is_not_null())
            }
            Filter::None(relation, inner) => {
                let matching = inner.condition(relation.child(), cx);
                Condition::all().add(first_related(*relation, table, matching, cx).is_null())
            }
            Filter::Every(relation, inner) => {
                let violating = inner.condition(relation.child(), cx).not();
                Condition::all().add(first_related(*relation, table, violating, cx).is_null())
            }
            Filter::Count {
                relation,
                filter,
                count,
            } => {
                let (child, fk) = (relation.child(), relation.fk());
                let mut select = Query::select();
                select
                    .expr(Expr::cust("COUNT(*)"))
                    .from(Alias::new(child.name()))
                    .and_where(
                        fk.expr()
                            .equals((Alias::new(table.name()), Alias::new("id"))),
                    )
                    .cond_where(child.visible(cx.scope));
                if let Some(filter) = filter {
                    select.cond_where(filter.condition(child, cx));
                }
                let counted = Expr::SubQuery(
                    None,
                    Box::new(SubQueryStatement::SelectStatement(select.to_owned())),
                );
                count.iter().fold(Condition::all(), |all, op| {
                    all.add(compare(cx, counted.clone(), op))
                })
            }
        }
    }
}

/// The visible rows of `relation`'s table that name the current row of `parent` and match
/// `condition`: a correlated subquery, answered per row from the relation's `(fk, id)` index.
/// (The relation's table is never `parent` itself, so the unqualified-by-alias names are
/// unambiguous.)
fn related(
    relation: ToMany,
    parent: Table,
    condition: Condition,
    cx: &SqlContext,
) -> SelectStatement {
    let child = relation.child();
    Query::select()
        .expr(Expr::cust("1"))
        .from(Alias::new(child.name()))
        .and_where(
            relation
                .fk()
                .expr()
                .equals((Alias::new(parent.name()), Alias::new("id"))),
        )
        .cond_where(child.visible(cx.scope))
        .cond_where(condition)
        .to_owned()
}

/// `(SELECT 1 FROM <related rows> LIMIT 1)`: null when there is none. A scalar subquery rather
/// than `EXISTS`, which PostgreSQL turns into a semi-join and then, inside a per-parent
/// `LATERAL` page, into a hash of every matching case built once per parent (a second per
/// nested read at 10k contacts); a scalar subquery stays one index probe per row.
fn first_related(relation: ToMany, parent: Table, condition: Condition, cx: &SqlContext) -> Expr {
    let mut select = related(relation, parent, condition, cx);
    select.limit(1);
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(select)))
}

/// `SELECT <column> FROM <table> WHERE <visible> AND <condition>`.
fn ids_of(table: Table, column: Field, condition: Condition, cx: &SqlContext) -> SelectStatement {
    Query::select()
        .expr(column.expr())
        .from(Alias::new(table.name()))
        .cond_where(table.visible(cx.scope))
        .cond_where(condition)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_user_text_are_literal() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
