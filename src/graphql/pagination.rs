//! Relay connections: validation of `first`/`after`/`last`/`before`, opaque cursors, the lazy
//! `totalCount`, and the two generic helpers every connection field goes through (root lists and
//! lists under a parent).

use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::futures_util::future::BoxFuture;
use async_graphql::{Context, Object, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{Condition, EntityTrait};
use uuid::Uuid;

use crate::config::LimitsConfig;
use crate::error::AppError;
use crate::graphql::context;
use crate::loaders::{CountOf, Loaders, PageOf};
use crate::service::page::{self, Direction, Page, PageWindow};
use crate::service::record::Record;
use crate::service::relations::HasMany;

/// A GraphQL object that presents one stored record.
pub trait GraphRecord: OutputType + Sized {
    type Entity: Record;

    fn from_model(model: Arc<<Self::Entity as EntityTrait>::Model>) -> Self;
}

/// The Relay arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }

    /// Checks the arguments against the limits: `first` and `last` exclude each other, are
    /// between 0 and the maximum page size, and cursors must be ones this server issued.
    pub fn window(&self, limits: &LimitsConfig) -> Result<PageWindow, AppError> {
        let size = |name: &str, value: i32| -> Result<u64, AppError> {
            let size = u64::try_from(value)
                .map_err(|_| AppError::bad_input(format!("`{name}` must not be negative")))?;
            if size > limits.max_page_size {
                return Err(AppError::bad_input(format!(
                    "`{name}` must be at most {} (got {size})",
                    limits.max_page_size
                )));
            }
            Ok(size)
        };
        let (direction, size) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "pass either `first` or `last`, not both",
                ));
            }
            (Some(first), None) => (Direction::Forward, size("first", first)?),
            (None, Some(last)) => (Direction::Backward, size("last", last)?),
            (None, None) => (Direction::Forward, limits.default_page_size),
        };
        let cursor = |name: &str, value: &Option<String>| -> Result<Option<Uuid>, AppError> {
            value
                .as_deref()
                .map(|text| {
                    IdCursor::decode_cursor(text).map(|c| c.0).map_err(|_| {
                        AppError::bad_input(format!("`{name}` is not a cursor of this list"))
                    })
                })
                .transpose()
        };
        Ok(PageWindow {
            direction,
            size,
            after: cursor("after", &self.after)?,
            before: cursor("before", &self.before)?,
        })
    }
}

/// Complexity of a connection field for `limit_complexity`: its selection counted once per row
/// the page may hold. Without `first`/`last` the built-in default page size is assumed.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let default_rows = LimitsConfig::default().default_page_size;
    let rows = first
        .or(last)
        .map_or(default_rows, |n| u64::try_from(n).unwrap_or(0))
        .max(1);
    usize::try_from(rows)
        .unwrap_or(usize::MAX)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

/// Cursor of an id-ordered list: `base64url("id:<uuid>")`. Opaque to clients, so the encoding
/// can carry sort keys once lists can be ordered by other fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCursor(pub Uuid);

impl CursorType for IdCursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let invalid = || AppError::bad_input("invalid cursor");
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let uuid = text.strip_prefix("id:").ok_or_else(invalid)?;
        Uuid::parse_str(uuid).map(IdCursor).map_err(|_| invalid())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("id:{}", self.0))
    }
}

/// Counts the rows of a list when (and only when) `totalCount` is selected.
trait CountSource: Send + Sync {
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, AppError>>;
}

struct RootCount<E>(Condition, PhantomData<fn() -> E>);

impl<E: Record> CountSource for RootCount<E> {
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, AppError>> {
        Box::pin(page::count_all::<E>(loaders.db(), self.0.clone()))
    }
}

struct ChildCount<R>(Uuid, PhantomData<fn() -> R>);

impl<R: HasMany> CountSource for ChildCount<R> {
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, AppError>> {
        Box::pin(async move { Ok(loaders.load(CountOf::<R>::new(self.0)).await?.unwrap_or(0)) })
    }
}

/// Fields every connection has besides `edges`, `nodes` and `pageInfo`.
pub struct ListTotal {
    source: Arc<dyn CountSource>,
}

#[Object]
impl ListTotal {
    /// Number of items in the whole list, ignoring the page arguments. Counted only when asked
    /// for, in one batched statement per nesting level.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        use async_graphql::ErrorExtensions;
        let loaders = context::loaders(ctx).map_err(|e| e.extend())?;
        self.source.count(loaders).await.map_err(|e| e.extend())
    }
}

/// A connection over records presented as `N`.
pub type ListConnection<N> = Connection<IdCursor, N, ListTotal>;

fn to_connection<N: GraphRecord>(
    page: &Page<<N::Entity as EntityTrait>::Model>,
    source: Arc<dyn CountSource>,
) -> ListConnection<N> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous, page.has_next, ListTotal { source });
    connection.edges = page
        .rows
        .iter()
        .map(|row| {
            let cursor = IdCursor(N::Entity::id_of(row));
            Edge::new(cursor, N::from_model(Arc::clone(row)))
        })
        .collect();
    connection
}

/// A page of a whole table.
pub async fn root_connection<N: GraphRecord>(
    ctx: &Context<'_>,
    args: PageArgs,
) -> Result<ListConnection<N>, AppError> {
    filtered_root_connection(ctx, args, Condition::all()).await
}

/// A page of the rows of a whole table that match `filter`; `totalCount` counts the same rows.
pub async fn filtered_root_connection<N: GraphRecord>(
    ctx: &Context<'_>,
    args: PageArgs,
    filter: Condition,
) -> Result<ListConnection<N>, AppError> {
    let window = args.window(&context::config(ctx)?.limits)?;
    let loaders = context::loaders(ctx)?;
    let page = page::root_page::<N::Entity>(loaders.db(), &window, filter.clone()).await?;
    loaders.remember::<N::Entity>(&page.rows).await;
    Ok(to_connection(
        &page,
        Arc::new(RootCount::<N::Entity>(filter, PhantomData)),
    ))
}

/// A page of relation `R` under `parent`, batched with the same field of every sibling parent.
pub async fn child_connection<R, N>(
    ctx: &Context<'_>,
    parent: Uuid,
    args: PageArgs,
) -> Result<ListConnection<N>, AppError>
where
    R: HasMany,
    N: GraphRecord<Entity = R::Child>,
{
    let window = args.window(&context::config(ctx)?.limits)?;
    let loaders = context::loaders(ctx)?;
    let page = loaders.load(PageOf::<R>::new(parent, window)).await?;
    let source = Arc::new(ChildCount::<R>(parent, PhantomData));
    Ok(match page {
        Some(page) => {
            loaders.remember::<R::Child>(&page.rows).await;
            to_connection(&page, source)
        }
        None => to_connection(&Page::default(), source),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn limits() -> LimitsConfig {
        LimitsConfig::default()
    }

    #[test]
    fn no_arguments_give_the_default_page() {
        let window = PageArgs::default().window(&limits()).unwrap();
        assert_eq!(window.direction, Direction::Forward);
        assert_eq!(window.size, limits().default_page_size);
    }

    #[test]
    fn oversized_negative_and_mixed_pages_are_refused() {
        for args in [
            PageArgs::new(Some(101), None, None, None),
            PageArgs::new(None, None, Some(-1), None),
            PageArgs::new(Some(1), None, Some(1), None),
            PageArgs::new(Some(1), Some("nope".into()), None, None),
        ] {
            let err = args.window(&limits()).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{args:?}");
        }
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = IdCursor(Uuid::now_v7());
        assert_eq!(
            IdCursor::decode_cursor(&cursor.encode_cursor()).unwrap(),
            cursor
        );
    }
}
