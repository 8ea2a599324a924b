//! Keyset pages over id-ordered lists. UUID v7 ids sort in creation order on both backends
//! (PostgreSQL `uuid` and SQLite 16-byte blobs compare bytewise), so `id` is both the order and
//! the cursor.

use std::sync::Arc;

use sea_orm::sea_query::Order;
use sea_orm::{ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::error::AppResult;
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

/// A validated page request: direction, size and the exclusive id bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageWindow {
    pub direction: Direction,
    pub size: u64,
    pub after: Option<Uuid>,
    pub before: Option<Uuid>,
}

/// One page of rows in ascending id order.
#[derive(Debug)]
pub struct Page<M> {
    pub rows: Vec<Arc<M>>,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<M> Default for Page<M> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
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

    pub fn order(&self) -> Order {
        match self.direction {
            Direction::Forward => Order::Asc,
            Direction::Backward => Order::Desc,
        }
    }

    /// `after < id < before` on the table's id column.
    pub fn bounds<E: Record>(&self) -> Condition {
        let id = E::id_column();
        let mut condition = Condition::all();
        if let Some(after) = self.after {
            condition = condition.add(id.gt(after));
        }
        if let Some(before) = self.before {
            condition = condition.add(id.lt(before));
        }
        condition
    }

    /// Turns up to `fetch_limit` rows, fetched in `order`, into a page in ascending order.
    ///
    /// The flag on the side the page was not counted from only says whether a cursor was given
    /// (the Relay specification allows this): computing it exactly would cost a query per page.
    pub fn finish<M>(&self, mut rows: Vec<Arc<M>>) -> Page<M> {
        let more = rows.len() as u64 > self.size;
        rows.truncate(self.size as usize);
        match self.direction {
            Direction::Forward => Page {
                rows,
                has_previous: self.after.is_some(),
                has_next: more,
            },
            Direction::Backward => {
                rows.reverse();
                Page {
                    rows,
                    has_previous: more,
                    has_next: self.before.is_some(),
                }
            }
        }
    }
}

/// One page of a whole table, as the scope sees it, restricted by `filter` (`Condition::all()`
/// for every row).
pub async fn root_page<E: Record>(
    db: &ScopedDb,
    window: &PageWindow,
    filter: Condition,
) -> AppResult<Page<E::Model>> {
    let rows = E::find()
        .filter(E::visible(db.scope()))
        .filter(filter)
        .filter(window.bounds::<E>())
        .order_by(E::id_column(), window.order())
        .limit(window.fetch_limit())
        .all(db.conn())
        .await?;
    Ok(window.finish(rows.into_iter().map(Arc::new).collect()))
}

/// Number of rows of a whole table the scope sees that match `filter`.
pub async fn count_all<E: Record>(db: &ScopedDb, filter: Condition) -> AppResult<u64> {
    Ok(E::find()
        .filter(E::visible(db.scope()))
        .filter(filter)
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
        }
    }

    #[test]
    fn an_extra_row_means_another_page() {
        let page =
            window(Direction::Forward, 2).finish(vec![Arc::new(1), Arc::new(2), Arc::new(3)]);
        assert_eq!(page.rows.iter().map(|r| **r).collect::<Vec<_>>(), [1, 2]);
        assert!(page.has_next);
        assert!(!page.has_previous);
    }

    #[test]
    fn backward_pages_come_back_in_ascending_order() {
        let page =
            window(Direction::Backward, 2).finish(vec![Arc::new(9), Arc::new(8), Arc::new(7)]);
        assert_eq!(page.rows.iter().map(|r| **r).collect::<Vec<_>>(), [8, 9]);
        assert!(page.has_previous);
        assert!(!page.has_next);
    }
}
