//! Per-request DataLoaders: every relation of the graph is read through them, so one nesting
//! level of a query costs one statement whatever the number of parents.
//!
//! They are built for each request from its [`Principal`]: a loader shared between requests
//! would batch keys of different callers into one query and serve one caller's cached rows to
//! another.

mod keys;
mod settle;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::Semaphore;
use tokio::task::AbortHandle;

pub use keys::{AllOf, ById, CountOf, PageOf, VisibleReference};
pub use settle::{Activity, Tracked};

use crate::auth::Principal;
use crate::config::LoaderConfig;
use crate::error::AppError;
use crate::service::record::Record;
use crate::service::scope::ScopedDb;

/// The loaders of one request.
pub struct Loaders {
    inner: DataLoader<ScopedDb, HashMapCache>,
    /// The request's batch tasks. They are spawned, so dropping the request (a timeout, a client
    /// gone) would not stop them: dropping the loaders aborts them, which drops their statements.
    batches: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Drop for Loaders {
    fn drop(&mut self) {
        if let Ok(batches) = self.batches.lock() {
            for batch in batches.iter() {
                batch.abort();
            }
        }
    }
}

impl Loaders {
    /// Loaders for one request. Batches start when `activity` (the request's, see
    /// [`Tracked`]) reports the request idle, or after `loaders.max_wait_micros` at the latest.
    ///
    /// On SQLite the batches of one request run one at a time. Each pooled SQLite connection
    /// runs its statements on a thread of its own and hands every row over to the async side, so
    /// two batches at once keep four threads busy on the cores and spend their time switching
    /// between them: measured, two batches of one level took 60 ms together and 43 ms in turn.
    /// A PostgreSQL statement runs in the server and arrives over a socket; there the batches of
    /// a level overlap.
    pub fn new(
        conn: DatabaseConnection,
        principal: &Principal,
        config: &LoaderConfig,
        activity: Arc<Activity>,
    ) -> Self {
        let in_turn =
            (conn.get_database_backend() == DbBackend::Sqlite).then(|| Arc::new(Semaphore::new(1)));
        let scoped = ScopedDb::new(conn, principal);
        let max_wait = config.max_wait();
        // Batches run in tasks of their own; their statements still count for this request.
        let statements = crate::db::current_count();
        let batches = Arc::new(Mutex::new(Vec::<AbortHandle>::new()));
        let spawned = Arc::clone(&batches);
        let spawner = move |batch: BoxFuture<'static, ()>| {
            let activity = Arc::clone(&activity);
            let in_turn = in_turn.clone();
            let work = async move {
                activity.settled(max_wait).await;
                // The semaphore is never closed, so `acquire` cannot fail; were it to, the batch
                // would simply not wait for its turn.
                let _turn = match &in_turn {
                    Some(gate) => gate.acquire().await.ok(),
                    None => None,
                };
                batch.await;
            };
            let task = match statements.clone() {
                Some(count) => tokio::spawn(crate::db::counting(count, work)),
                None => tokio::spawn(work),
            };
            if let Ok(mut batches) = spawned.lock() {
                batches.retain(|batch| !batch.is_finished());
                batches.push(task.abort_handle());
            }
        };
        let inner = DataLoader::with_cache(scoped, spawner, HashMapCache::default())
            .delay(Duration::ZERO)
            .max_batch_size(config.max_batch_size);
        Self { inner, batches }
    }

    /// Stops answering from the cache for the rest of the request: called once a request has
    /// written, so fields resolved after a mutation see the change.
    pub fn stop_caching(&self) {
        self.inner.enable_all_cache(false);
    }

    /// Remembers rows read through a relation or a list as the records they are, so that a
    /// later lookup of one of them by id in this request (`incident.primaryContact` under
    /// `contact.incidents`, `contact.account` under `account.contacts`) is answered without
    /// another statement. Same request, same scope: the rows are what that lookup would read.
    pub async fn remember<E: Record>(&self, rows: &[Arc<E::Model>]) {
        if rows.is_empty() {
            return;
        }
        self.inner
            .feed_many(
                rows.iter()
                    .map(|row| (ById::<E>::new(E::id_of(row)), Arc::clone(row))),
            )
            .await;
    }

    /// The request's scoped database, for root lists that are not relations.
    pub fn db(&self) -> &ScopedDb {
        self.inner.loader()
    }

    /// Loads many keys of one kind; only the keys found are in the map.
    pub async fn load_many<K>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<std::collections::HashMap<K, <ScopedDb as Loader<K>>::Value>, AppError>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        ScopedDb: Loader<K, Error = AppError>,
    {
        self.inner.load_many(keys).await
    }

    pub async fn load<K>(&self, key: K) -> Result<Option<<ScopedDb as Loader<K>>::Value>, AppError>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        ScopedDb: Loader<K, Error = AppError>,
    {
        self.inner.load_one(key).await
    }
}
