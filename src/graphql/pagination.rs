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
use crate::service::listing::ListSpec;
use crate::service::listing::order::{self, Position};
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
    /// between 0 and the maximum page size, and cursors must be ones this server issued for a
    /// list of the same `spec` (filter and order).
    pub fn window(
        &self,
        limits: &LimitsConfig,
        spec: Arc<ListSpec>,
    ) -> Result<PageWindow, AppError> {
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
        let fingerprint = spec.fingerprint();
        let cursor = |name: &str, value: &Option<String>| -> Result<Option<Position>, AppError> {
            let Some(text) = value.as_deref() else {
                return Ok(None);
            };
            let cursor = ListCursor::decode_cursor(text).map_err(|_| {
                AppError::bad_input(format!("`{name}` is not a cursor of this list"))
            })?;
            if cursor.fingerprint != fingerprint {
                return Err(order::foreign_cursor(name));
            }
            Ok(Some(cursor.position))
        };
        Ok(PageWindow {
            direction,
            size,
            after: cursor("after", &self.after)?,
            before: cursor("before", &self.before)?,
            spec,
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

/// A row's place in a list: `base64url` of JSON holding the list's fingerprint (its filter and
/// order) and the row's sort keys, ending with its id. Opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListCursor {
    #[serde(rename = "l")]
    pub fingerprint: String,
    #[serde(rename = "p")]
    pub position: Position,
}

impl CursorType for ListCursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let invalid = || AppError::bad_input("invalid cursor");
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// Counts the rows of a list when (and only when) `totalCount` is selected.
trait CountSource: Send + Sync {
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, AppError>>;
}

struct RootCount<E>(Condition, Arc<ListSpec>, PhantomData<fn() -> E>);

impl<E: Record> CountSource for RootCount<E> {
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, AppError>> {
        Box::pin(page::count_all::<E>(loaders.db(), self.0.clone(), &self.1))
    }
}

struct ChildCount<R>(Uuid, Arc<ListSpec>, PhantomData<fn() -> R>);

impl<R: HasMany> CountSource for ChildCount<R> {
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, AppError>> {
        Box::pin(async move {
            let key = CountOf::<R>::new(self.0, Arc::clone(&self.1));
            Ok(loaders.load(key).await?.unwrap_or(0))
        })
    }
}

/// Fields every connection has besides `edges`, `nodes` and `pageInfo`.
pub struct ListTotal {
    source: Arc<dyn CountSource>,
}

#[Object]
impl ListTotal {
    /// Number of items in the whole list (after `filter`), ignoring the page arguments.
    /// Counted only when asked for, in one batched statement per nesting level.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        use async_graphql::ErrorExtensions;
        let loaders = context::loaders(ctx).map_err(|e| e.extend())?;
        self.source.count(loaders).await.map_err(|e| e.extend())
    }
}

/// A connection over records presented as `N`.
pub type ListConnection<N> = Connection<ListCursor, N, ListTotal>;

fn to_connection<N: GraphRecord>(
    page: &Page<<N::Entity as EntityTrait>::Model>,
    fingerprint: &str,
    source: Arc<dyn CountSource>,
) -> ListConnection<N> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous, page.has_next, ListTotal { source });
    connection.edges = page
        .rows
        .iter()
        .zip(&page.positions)
        .map(|(row, position)| {
            let cursor = ListCursor {
                fingerprint: fingerprint.to_owned(),
                position: position.clone(),
            };
            Edge::new(cursor, N::from_model(Arc::clone(row)))
        })
        .collect();
    connection
}

/// A page of a whole table, in the order and with the filter of `spec`.
pub async fn root_connection<N: GraphRecord>(
    ctx: &Context<'_>,
    args: PageArgs,
    spec: ListSpec,
) -> Result<ListConnection<N>, AppError> {
    filtered_root_connection(ctx, args, spec, Condition::all()).await
}

/// A page of the rows of a whole table that match `base` and `spec`; `totalCount` counts the
/// same rows.
pub async fn filtered_root_connection<N: GraphRecord>(
    ctx: &Context<'_>,
    args: PageArgs,
    spec: ListSpec,
    base: Condition,
) -> Result<ListConnection<N>, AppError> {
    let spec = Arc::new(spec);
    let window = args.window(&context::config(ctx)?.limits, Arc::clone(&spec))?;
    let loaders = context::loaders(ctx)?;
    let page = page::root_page::<N::Entity>(loaders.db(), &window, base.clone()).await?;
    loaders.remember::<N::Entity>(&page.rows).await;
    let fingerprint = spec.fingerprint();
    Ok(to_connection(
        &page,
        &fingerprint,
        Arc::new(RootCount::<N::Entity>(base, spec, PhantomData)),
    ))
}

/// A page of relation `R` under `parent`, batched with the same field of every sibling parent.
pub async fn child_connection<R, N>(
    ctx: &Context<'_>,
    parent: Uuid,
    args: PageArgs,
    spec: ListSpec,
) -> Result<ListConnection<N>, AppError>
where
    R: HasMany,
    N: GraphRecord<Entity = R::Child>,
{
    let spec = Arc::new(spec);
    let window = args.window(&context::config(ctx)?.limits, Arc::clone(&spec))?;
    let loaders = context::loaders(ctx)?;
    let page = loaders.load(PageOf::<R>::new(parent, window)).await?;
    let fingerprint = spec.fingerprint();
    let source = Arc::new(ChildCount::<R>(parent, spec, PhantomData));
    Ok(match page {
        Some(page) => {
            loaders.remember::<R::Child>(&page.rows).await;
            to_connection(&page, &fingerprint, source)
        }
        None => to_connection(&Page::default(), &fingerprint, source),
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
        let window = PageArgs::default()
            .window(&limits(), Arc::default())
            .unwrap();
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
            let err = args.window(&limits(), Arc::default()).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{args:?}");
        }
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_list() {
        use crate::service::listing::Scalar;
        let spec = Arc::new(ListSpec::default());
        let cursor = ListCursor {
            fingerprint: spec.fingerprint(),
            position: Position(vec![Scalar::Text("ada".into()), Scalar::Id(Uuid::now_v7())]),
        };
        let text = cursor.encode_cursor();
        assert_eq!(ListCursor::decode_cursor(&text).unwrap(), cursor);
        let args = PageArgs::new(Some(1), Some(text.clone()), None, None);
        assert!(args.window(&limits(), Arc::clone(&spec)).is_ok());
        let other = Arc::new(ListSpec {
            filter: None,
            order: vec![crate::service::listing::OrderKey {
                field: crate::service::listing::SortField::Column {
                    field: crate::service::listing::schema::fields::contact::LAST_NAME,
                    nullable: false,
                },
                direction: crate::service::listing::SortDirection::Desc,
            }],
        });
        let err = args.window(&limits(), other).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
