//! Per-request DataLoaders: every relation of the graph is read through them, so one nesting
//! level of a query costs one statement whatever the number of parents.
//!
//! They are built for each request from its [`Principal`]: a loader shared between requests
//! would batch keys of different callers into one query and serve one caller's cached rows to
//! another.

mod keys;
mod settle;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;

pub use keys::{AllOf, ById, CountOf, PageOf};
pub use settle::{Activity, Tracked};

use crate::auth::Principal;
use crate::config::LoaderConfig;
use crate::error::AppError;
use crate::service::scope::ScopedDb;

/// The loaders of one request.
pub struct Loaders {
    inner: DataLoader<ScopedDb, HashMapCache>,
}

impl Loaders {
    /// Loaders for one request. Batches start when `activity` (the request's, see
    /// [`Tracked`]) reports the request idle, or after `loaders.max_wait_micros` at the latest.
    pub fn new(
        conn: DatabaseConnection,
        principal: &Principal,
        config: &LoaderConfig,
        activity: Arc<Activity>,
    ) -> Self {
        let scoped = ScopedDb::new(conn, principal);
        let max_wait = config.max_wait();
        let spawner = move |batch: BoxFuture<'static, ()>| {
            let activity = Arc::clone(&activity);
            tokio::spawn(async move {
                activity.settled(max_wait).await;
                batch.await;
            })
        };
        let inner = DataLoader::with_cache(scoped, spawner, HashMapCache::default())
            .delay(Duration::ZERO)
            .max_batch_size(config.max_batch_size);
        Self { inner }
    }

    /// Stops answering from the cache for the rest of the request: called once a request has
    /// written, so fields resolved after a mutation see the change.
    pub fn stop_caching(&self) {
        self.inner.enable_all_cache(false);
    }

    /// The request's scoped database, for root lists that are not relations.
    pub fn db(&self) -> &ScopedDb {
        self.inner.loader()
    }

    pub async fn load<K>(&self, key: K) -> Result<Option<<ScopedDb as Loader<K>>::Value>, AppError>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        ScopedDb: Loader<K, Error = AppError>,
    {
        self.inner.load_one(key).await
    }
}
