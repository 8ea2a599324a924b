//! Orders and keyset positions.
//!
//! An order is a list of sort keys; the id always ends it, so it is total and every row has a
//! unique position. A key becomes one or two SQL expressions ("components"): a nullable column
//! first sorts on `column IS NULL` (nulls last when ascending, first when descending, on both
//! databases), text sorts case-insensitively, enums by meaning, timestamps as stored (ADR 0006).
//! A page after or before a position is the keyset condition over the components, and
//! the position of each row is read from the same expressions, selected as extra columns, so
//! cursors compare exactly as the database sorted.

use std::borrow::Cow;

use sea_orm::sea_query::{Alias, CaseStatement, Expr, ExprTrait, Order, SelectStatement};
use sea_orm::{Condition, QueryResult};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::listing::scalar::Scalar;
use crate::service::listing::schema::{Field, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    fn reversed(self) -> Self {
        match self {
            Direction::Asc => Direction::Desc,
            Direction::Desc => Direction::Asc,
        }
    }

    fn order(self) -> Order {
        match self {
            Direction::Asc => Order::Asc,
            Direction::Desc => Order::Desc,
        }
    }
}

/// What a list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SortField {
    Column {
        field: Field,
        nullable: bool,
    },
    /// A stored enum, by the position of its value in `ranks` (e.g. LOW < NORMAL < HIGH).
    Rank {
        field: Field,
        ranks: &'static [&'static str],
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct OrderKey {
    pub field: SortField,
    pub direction: Direction,
}

/// How a component's value comes back from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueType {
    Text,
    Int,
    Bool,
    Id,
    Time,
    Date,
}

/// One SQL sort expression with its direction.
#[derive(Debug, Clone)]
pub struct Component {
    expr: Expr,
    direction: Direction,
    value_type: ValueType,
    /// The value of a nullable column, preceded by its null flag: null when the flag is set.
    may_be_null: bool,
    /// A column every row of the list already holds under this name (the id), read back from
    /// there instead of being selected a second time: on SQLite every value of every row is a
    /// copy and an allocation, and a nested page reads thousands of rows.
    in_row: Option<&'static str>,
}

/// The sort expressions of an order, ending with the id column `id` (which the rows of every
/// list select as `id`).
pub fn components(order: &[OrderKey], id: Expr) -> Vec<Component> {
    let mut out = Vec::new();
    for key in order {
        match key.field {
            SortField::Column { field, nullable } => {
                if nullable {
                    out.push(Component {
                        expr: Expr::expr(field.expr().is_null()),
                        direction: key.direction,
                        value_type: ValueType::Bool,
                        may_be_null: false,
                        in_row: None,
                    });
                }
                let (expr, value_type) = match field.kind {
                    Kind::Text => (
                        Expr::expr(sea_orm::sea_query::Func::lower(field.expr())),
                        ValueType::Text,
                    ),
                    Kind::Enum => (field.expr(), ValueType::Text),
                    Kind::Time => (field.expr(), ValueType::Time),
                    Kind::Date => (field.expr(), ValueType::Date),
                    Kind::Int => (field.expr(), ValueType::Int),
                    Kind::Bool => (field.expr(), ValueType::Bool),
                    Kind::Id => (field.expr(), ValueType::Id),
                };
                out.push(Component {
                    expr,
                    direction: key.direction,
                    value_type,
                    may_be_null: nullable,
                    in_row: None,
                });
            }
            SortField::Rank { field, ranks } => {
                let case = ranks
                    .iter()
                    .enumerate()
                    .fold(CaseStatement::new(), |case, (rank, value)| {
                        case.case(field.expr().eq(*value), Expr::value(rank as i64))
                    })
                    .finally(Expr::value(ranks.len() as i64));
                out.push(Component {
                    expr: Expr::expr(case),
                    direction: key.direction,
                    value_type: ValueType::Int,
                    may_be_null: false,
                    in_row: None,
                });
            }
        }
    }
    let id_direction = order.first().map_or(Direction::Asc, |key| key.direction);
    out.push(Component {
        expr: id,
        direction: id_direction,
        value_type: ValueType::Id,
        may_be_null: false,
        in_row: Some("id"),
    });
    out
}

/// A row's place in an order: one value per component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct Position(pub Vec<Scalar>);

impl Position {
    /// The id, which ends every position.
    pub fn id(&self) -> Option<Uuid> {
        match self.0.last() {
            Some(Scalar::Id(id)) => Some(*id),
            _ => None,
        }
    }

    /// Whether the position fits `components` (a cursor of this list, not of another shape).
    pub fn fits(&self, components: &[Component]) -> bool {
        self.0.len() == components.len()
            && self.0.iter().zip(components).all(|(value, component)| {
                matches!(
                    (value, component.value_type),
                    (Scalar::Text(_), ValueType::Text)
                        | (Scalar::Int(_), ValueType::Int)
                        | (Scalar::Bool(_), ValueType::Bool)
                        | (Scalar::Id(_), ValueType::Id)
                        | (Scalar::Time(_), ValueType::Time)
                        | (Scalar::Date(_), ValueType::Date)
                ) || (value.is_null() && component.may_be_null)
            })
    }
}

fn sort_column(index: usize) -> Alias {
    Alias::new(sort_column_name(index))
}

/// `sort_<index>`; the first few without formatting, since every row of a page reads them.
fn sort_column_name(index: usize) -> Cow<'static, str> {
    const NAMES: [&str; 8] = [
        "sort_0", "sort_1", "sort_2", "sort_3", "sort_4", "sort_5", "sort_6", "sort_7",
    ];
    match NAMES.get(index) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("sort_{index}")),
    }
}

/// Orders `select` by the components (reversed to fetch a page counted from the end), and selects
/// them as `sort_<n>` (but for the id, which the row holds anyway) so each row's position can be
/// read back.
pub fn apply(select: &mut SelectStatement, components: &[Component], reversed: bool) {
    for (index, component) in components.iter().enumerate() {
        if component.in_row.is_none() {
            select.expr_as(component.expr.clone(), sort_column(index));
        }
    }
    order_by(select, components, reversed);
}

/// Orders `select` by the components, without selecting them.
pub fn order_by(select: &mut SelectStatement, components: &[Component], reversed: bool) {
    for component in components {
        let direction = if reversed {
            component.direction.reversed()
        } else {
            component.direction
        };
        select.order_by_expr(component.expr.clone(), direction.order());
    }
}

/// Orders `select` by the sort columns a subquery `table` selected with [`apply`].
pub fn order_by_selected(
    select: &mut SelectStatement,
    table: Alias,
    components: &[Component],
    reversed: bool,
) {
    for (index, component) in components.iter().enumerate() {
        let direction = if reversed {
            component.direction.reversed()
        } else {
            component.direction
        };
        let column = component
            .in_row
            .map_or_else(|| sort_column(index), Alias::new);
        select.order_by((table.clone(), column), direction.order());
    }
}

/// Rows strictly after (`after = true`) or before `position` in the order.
pub fn beyond(components: &[Component], position: &Position, after: bool) -> Condition {
    let mut any = Condition::any();
    let mut equal_so_far = Condition::all();
    for (component, value) in components.iter().zip(&position.0) {
        // Within one null flag every value is null: the component cannot tell rows apart.
        if value.is_null() {
            continue;
        }
        let bound = Expr::value(value.to_value());
        let ascending = (component.direction == Direction::Asc) == after;
        let strictly = if ascending {
            component.expr.clone().gt(bound.clone())
        } else {
            component.expr.clone().lt(bound.clone())
        };
        any = any.add(equal_so_far.clone().add(strictly));
        equal_so_far = equal_so_far.add(component.expr.clone().eq(bound));
    }
    any
}

/// The position of a row selected with [`apply`].
pub fn read(row: &QueryResult, components: &[Component]) -> AppResult<Position> {
    let mut values = Vec::with_capacity(components.len());
    for (index, component) in components.iter().enumerate() {
        let column = component
            .in_row
            .map_or_else(|| sort_column_name(index), Cow::Borrowed);
        let value = match component.value_type {
            ValueType::Text => row
                .try_get::<Option<String>>("", &column)?
                .map(Scalar::Text),
            ValueType::Int => row.try_get::<Option<i64>>("", &column)?.map(Scalar::Int),
            ValueType::Bool => row.try_get::<Option<bool>>("", &column)?.map(Scalar::Bool),
            ValueType::Id => row.try_get::<Option<Uuid>>("", &column)?.map(Scalar::Id),
            ValueType::Time => row
                .try_get::<Option<chrono::DateTime<chrono::Utc>>>("", &column)?
                .map(Scalar::Time),
            ValueType::Date => row
                .try_get::<Option<chrono::NaiveDate>>("", &column)?
                .map(Scalar::Date),
        };
        values.push(value.unwrap_or(Scalar::Null));
    }
    Ok(Position(values))
}

/// A cursor position that does not fit the list's order.
pub fn foreign_cursor(name: &str) -> AppError {
    AppError::bad_input(format!(
        "`{name}` is a cursor of another list: cursors only work with the `orderBy` and `filter` \
         they were issued for"
    ))
}
