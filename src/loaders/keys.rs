//! Loader keys: one generic key per kind of lookup, parameterized by the record or relation, and
//! one `impl Loader` each that calls the batched reads of `service::relations`.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use crate::error::AppError;
use crate::service::listing::ListSpec;
use crate::service::page::{Page, PageWindow};
use crate::service::record::Record;
use crate::service::redaction;
use crate::service::relations::{self, ChildOf, HasMany};
use crate::service::scope::ScopedDb;

/// `PhantomData` of a function pointer: the key is `Send + Sync` whatever the marker type is.
type Marker<T> = PhantomData<fn() -> T>;

/// A record of type `E` by id.
pub struct ById<E>(pub Uuid, Marker<E>);

/// One page of relation `R` under a parent.
pub struct PageOf<R> {
    pub parent: Uuid,
    pub window: PageWindow,
    marker: Marker<R>,
}

/// Every row of relation `R` under a parent (small bounded lists only).
pub struct AllOf<R>(pub Uuid, Marker<R>);

/// Number of rows of relation `R` under a parent that match a list's filter.
pub struct CountOf<R> {
    pub parent: Uuid,
    pub spec: Arc<ListSpec>,
    marker: Marker<R>,
}

impl<E> ById<E> {
    pub fn new(id: Uuid) -> Self {
        Self(id, PhantomData)
    }
}

impl<R> PageOf<R> {
    pub fn new(parent: Uuid, window: PageWindow) -> Self {
        Self {
            parent,
            window,
            marker: PhantomData,
        }
    }
}

impl<R> AllOf<R> {
    pub fn new(parent: Uuid) -> Self {
        Self(parent, PhantomData)
    }
}

impl<R> CountOf<R> {
    pub fn new(parent: Uuid, spec: Arc<ListSpec>) -> Self {
        Self {
            parent,
            spec,
            marker: PhantomData,
        }
    }
}

/// Whether a record id named in an audit entry is one the caller sees (see
/// `service::redaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VisibleReference(pub Uuid);

impl Loader<VisibleReference> for ScopedDb {
    type Value = ();
    type Error = AppError;

    async fn load(
        &self,
        keys: &[VisibleReference],
    ) -> Result<HashMap<VisibleReference, ()>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|key| key.0).collect();
        let visible = redaction::visible_references(self, &ids).await?;
        Ok(visible
            .into_iter()
            .map(|id| (VisibleReference(id), ()))
            .collect())
    }
}

/// `Clone`, `PartialEq`, `Eq`, `Hash` and `Debug` by the key's data alone, without requiring
/// them of the marker type (which `derive` would).
macro_rules! key_traits {
    ($key:ident { $($field:tt),* }) => {
        impl<T> Clone for $key<T> {
            fn clone(&self) -> Self {
                Self { $($field: self.$field.clone(),)* ..*self }
            }
        }
        impl<T> PartialEq for $key<T> {
            fn eq(&self, other: &Self) -> bool {
                true $(&& self.$field == other.$field)*
            }
        }
        impl<T> Eq for $key<T> {}
        impl<T> Hash for $key<T> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                $(self.$field.hash(state);)*
            }
        }
        impl<T> fmt::Debug for $key<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut debug = f.debug_struct(stringify!($key));
                $(debug.field(stringify!($field), &self.$field);)*
                debug.finish()
            }
        }
    };
}

key_traits!(ById { 0 });
key_traits!(PageOf { parent, window });
key_traits!(AllOf { 0 });
key_traits!(CountOf { parent, spec });

impl<E: Record> Loader<ById<E>> for ScopedDb {
    type Value = Arc<E::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[ById<E>]) -> Result<HashMap<ById<E>, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|key| key.0).collect();
        let rows = relations::by_ids::<E>(self, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|(id, row)| (ById::new(id), row))
            .collect())
    }
}

impl<R: HasMany> Loader<PageOf<R>> for ScopedDb {
    type Value = Arc<Page<ChildOf<R>>>;
    type Error = AppError;

    /// Keys asking for the same window share one statement; a nested connection field passes
    /// the same arguments for every parent, so that is normally one statement per level.
    async fn load(&self, keys: &[PageOf<R>]) -> Result<HashMap<PageOf<R>, Self::Value>, AppError> {
        let mut by_window: HashMap<PageWindow, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_window
                .entry(key.window.clone())
                .or_default()
                .push(key.parent);
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for (window, parents) in by_window {
            let found = relations::pages_of::<R>(self, &parents, &window).await?;
            pages.extend(
                found
                    .into_iter()
                    .map(|(parent, page)| (PageOf::new(parent, window.clone()), page)),
            );
        }
        Ok(pages)
    }
}

impl<R: HasMany> Loader<AllOf<R>> for ScopedDb {
    type Value = Arc<Vec<Arc<ChildOf<R>>>>;
    type Error = AppError;

    async fn load(&self, keys: &[AllOf<R>]) -> Result<HashMap<AllOf<R>, Self::Value>, AppError> {
        let parents: Vec<Uuid> = keys.iter().map(|key| key.0).collect();
        let rows = relations::all_of::<R>(self, &parents).await?;
        Ok(rows
            .into_iter()
            .map(|(parent, rows)| (AllOf::new(parent), rows))
            .collect())
    }
}

impl<R: HasMany> Loader<CountOf<R>> for ScopedDb {
    type Value = u64;
    type Error = AppError;

    /// Keys of one list shape share one statement (normally one per nesting level).
    async fn load(&self, keys: &[CountOf<R>]) -> Result<HashMap<CountOf<R>, u64>, AppError> {
        let mut by_spec: HashMap<Arc<ListSpec>, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_spec
                .entry(Arc::clone(&key.spec))
                .or_default()
                .push(key.parent);
        }
        let mut counts = HashMap::with_capacity(keys.len());
        for (spec, parents) in by_spec {
            let found = relations::counts_of::<R>(self, &parents, &spec).await?;
            counts.extend(
                found
                    .into_iter()
                    .map(|(parent, n)| (CountOf::new(parent, Arc::clone(&spec)), n)),
            );
        }
        Ok(counts)
    }
}
