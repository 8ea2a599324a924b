//! Keyset pages over ordered, filtered lists. Without an `orderBy` a list is in id order: UUID v7
//! ids sort in creation order on both backends (PostgreSQL `uuid` and SQLite 16-byte blobs compare
//! bytewise). With one, the id breaks ties, so every row has one position (see
//! `listing::order`).

use std::sync::Arc;

use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{Condition, QueryFilter, QuerySelect, QueryTrait};

use crate::error::{AppError, AppResult};
use crate::service::listing::ListSpec;
use crate::service::listing::filter::SqlContext;
use crate::service::listing::order::{self, Component, Position};
use crate::service::projection::Projection;
use crate::service::record::Record;
use crate::service::scope::ScopedDb;

/// Which end of the list a page is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `first` rows after `after`.
    Forward,
    /// `last` rows before `before`.
    Backward,
}

/// A validated page request: direction, size, the exclusive bounds, and the list's filter and
/// order. Equal windows under different parents share one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageWindow {
    pub direction: Direction,
    pub size: u64,
    pub after: Option<Position>,
    pub before: Option<Position>,
    pub spec: Arc<ListSpec>,
}

/// One page of rows in list order, with each row's position (its cursor).
#[derive(Debug)]
pub struct Page<M> {
    pub rows: Vec<Arc<M>>,
    pub positions: Vec<Position>,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<M> Default for Page<M> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            positions: Vec::new(),
            has_previous: false,
            has_next: false,
        }
    }
}

impl PageWindow {
    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch_limit(&self) -> u64 {
        self.size + 1
    }

    pub fn is_backward(&self) -> bool {
        self.direction == Direction::Backward
    }

    /// The rows strictly between `after` and `before`. A position that does not fit the
    /// order (a cursor of another list) is `BAD_USER_INPUT`.
    pub fn bounds(&self, components: &[Component]) -> AppResult<Condition> {
        let mut condition = Condition::all();
        for (name, position, after) in [
            ("after", &self.after, true),
            ("before", &self.before, false),
        ] {
            if let Some(position) = position {
                if !position.fits(components) {
                    return Err(order::foreign_cursor(name));
                }
                condition = condition.add(order::beyond(components, position, after));
            }
        }
        Ok(condition)
    }

    /// Turns up to `fetch_limit` rows, fetched from the end the page is counted from, into a
    /// page in list order.
    ///
    /// The flag on the side the page was not counted from only says whether a cursor was given
    /// (the Relay specification allows this): computing it exactly would cost a query per page.
    pub fn finish<M>(&self, mut rows: Vec<(Arc<M>, Position)>) -> Page<M> {
        let more = rows.len() as u64 > self.size;
        rows.truncate(self.size as usize);
        if self.is_backward() {
            rows.reverse();
        }
        let (rows, positions) = rows.into_iter().unzip();
        match self.direction {
            Direction::Forward => Page {
                rows,
                positions,
                has_previous: self.after.is_some(),
                has_next: more,
            },
            Direction::Backward => Page {
                rows,
                positions,
                has_previous: more,
                has_next: self.before.is_some(),
            },
        }
    }
}

/// What translating a spec for `db` needs.
pub fn sql_context(db: &ScopedDb) -> SqlContext {
    SqlContext {
        scope: db.scope(),
        backend: db.conn().get_database_backend(),
    }
}

/// The id column of `E`, qualified.
pub fn id_expr<E: Record>() -> Expr {
    Expr::col((E::default(), E::id_column()))
}

/// The spec's filter on rows of `E`; a filter on a table that cannot be filtered is a bug of the
/// caller, not a request to see everything.
pub fn filter_condition<E: Record>(spec: &ListSpec, cx: &SqlContext) -> AppResult<Condition> {
    match (&spec.filter, E::LIST_TABLE) {
        (None, _) => Ok(Condition::all()),
        (Some(filter), Some(table)) => Ok(filter.condition(table, cx)),
        (Some(_), None) => Err(AppError::internal(std::io::Error::other(
            "a filter was given for a list that has none",
        ))),
    }
}

/// One page of a whole table, as the scope sees it, restricted by `base` (`Condition::all()`
/// for every row) and by the window's filter.
pub async fn root_page<E: Record>(
    db: &ScopedDb,
    window: &PageWindow,
    base: Condition,
) -> AppResult<Page<E::Model>> {
    root_page_projected::<E>(db, window, base, &Projection::all()).await
}

/// [`root_page`], reading only the columns of `projection`.
pub async fn root_page_projected<E: Record>(
    db: &ScopedDb,
    window: &PageWindow,
    base: Condition,
    projection: &Projection,
) -> AppResult<Page<E::Model>> {
    let (select, components) = root_page_select_projected::<E>(db, window, base, projection)?;
    let rows = positioned_rows::<E>(db, &select, &components, projection).await?;
    Ok(window.finish(rows))
}

/// The statement of [`root_page`] and its sort components (also for `EXPLAIN` in the bench).
pub fn root_page_select<E: Record>(
    db: &ScopedDb,
    window: &PageWindow,
    base: Condition,
) -> AppResult<(SelectStatement, Vec<Component>)> {
    root_page_select_projected::<E>(db, window, base, &Projection::all())
}

fn root_page_select_projected<E: Record>(
    db: &ScopedDb,
    window: &PageWindow,
    base: Condition,
    projection: &Projection,
) -> AppResult<(SelectStatement, Vec<Component>)> {
    let cx = sql_context(db);
    let components = order::components(&window.spec.order, id_expr::<E>());
    let mut select = E::find()
        .filter(E::visible(db.scope()))
        .filter(base)
        .filter(filter_condition::<E>(&window.spec, &cx)?)
        .filter(window.bounds(&components)?)
        .limit(window.fetch_limit())
        .into_query();
    projection.apply::<E>(&mut select);
    order::apply(&mut select, &components, window.is_backward());
    Ok((select, components))
}

/// Runs a select made with `order::apply` and reads each row's model and position.
pub async fn positioned_rows<E: Record>(
    db: &ScopedDb,
    select: &SelectStatement,
    components: &[Component],
    projection: &Projection,
) -> AppResult<Vec<(Arc<E::Model>, Position)>> {
    let statement = db.conn().get_database_backend().build(select);
    let rows = crate::db::query_all(db.conn(), statement).await?;
    rows.iter()
        .map(|row| {
            let model = projection.decode::<E>(row)?;
            Ok((Arc::new(model), order::read(row, components)?))
        })
        .collect()
}

/// Number of rows of a whole table the scope sees that match `base` and `spec`'s filter.
pub async fn count_all<E: Record>(
    db: &ScopedDb,
    base: Condition,
    spec: &ListSpec,
) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    let cx = sql_context(db);
    Ok(E::find()
        .filter(E::visible(db.scope()))
        .filter(base)
        .filter(filter_condition::<E>(spec, &cx)?)
        .count(db.conn())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(direction: Direction, size: u64) -> PageWindow {
        PageWindow {
            direction,
            size,
            after: None,
            before: None,
            spec: Arc::default(),
        }
    }

    fn rows(values: &[i32]) -> Vec<(Arc<i32>, Position)> {
        values
            .iter()
            .map(|v| (Arc::new(*v), Position(Vec::new())))
            .collect()
    }

    #[test]
    fn an_extra_row_means_another_page() {
        let page = window(Direction::Forward, 2).finish(rows(&[1, 2, 3]));
        assert_eq!(page.rows.iter().map(|r| **r).collect::<Vec<_>>(), [1, 2]);
        assert!(page.has_next);
        assert!(!page.has_previous);
    }

    #[test]
    fn backward_pages_come_back_in_ascending_order() {
        let page = window(Direction::Backward, 2).finish(rows(&[9, 8, 7]));
        assert_eq!(page.rows.iter().map(|r| **r).collect::<Vec<_>>(), [8, 9]);
        assert!(page.has_previous);
        assert!(!page.has_next);
    }
}
