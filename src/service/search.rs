//! Ranked search over contacts and accounts, through the caller's scope.
//!
//! Each record has a search document (see the migration `m20261202_000003_create_search`),
//! written by database triggers in the transaction that writes the record. A search is one
//! statement: the matching documents, found through the backend's index (FTS5 on SQLite, a GIN
//! trigram index on PostgreSQL) and scored, joined to the record table where
//! `Record::visible(scope)` applies, ordered by rank and cut to the page. Counting the matches
//! for `totalCount` is a second statement with the same joins, run only when asked for.
//!
//! Ranks: for contacts, an identity that is exactly the query (normalized per channel the way
//! `contactByIdentity` does) comes first; for accounts, a name equal to the query (ignoring
//! case). Then the text score, then the id, so equal scores keep a stable order across pages.
//! Pages are offsets into that order (see `graphql::search` for the cursor): documents change
//! score as other records are written, so no keyset over the score would be stable either.

mod hits;
mod text;

use std::sync::Arc;

use entity::{account, contact};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Order, SelectStatement};
use sea_orm::{
    DbBackend, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};

use crate::auth::Scope;
use crate::error::AppResult;
use crate::service::record::Record;
use crate::service::scope::ScopedDb;
pub use hits::Purpose;
pub use text::{MAX_QUERY_BYTES, MAX_QUERY_WORDS, SearchText};

/// A record type that can be searched.
pub trait Searchable: Record {
    /// Names the record type in cursors' fingerprints.
    const KIND: &'static str;

    /// The matching records with their rank columns (joined as `ranked`), in the caller's
    /// scope; `None` when nothing can match, so no statement needs to run.
    fn matching(
        backend: DbBackend,
        scope: Scope,
        text: &SearchText,
        purpose: Purpose,
    ) -> Option<Select<Self>>;

    /// `matching` in rank order.
    fn in_rank_order(select: Select<Self>, text: &SearchText) -> Select<Self>;
}

/// Alias of the joined hits subquery.
const RANKED: &str = "ranked";

fn ranked_col(name: &str) -> Expr {
    Expr::col((Alias::new(RANKED), Alias::new(name)))
}

/// `E`'s rows in `scope`, inner-joined to `hits` on their id.
fn join_hits<E: Record>(scope: Scope, hits: SelectStatement) -> Select<E> {
    let mut select = E::find().filter(E::visible(scope));
    QueryTrait::query(&mut select).join_subquery(
        JoinType::InnerJoin,
        hits,
        Alias::new(RANKED),
        ranked_col(hits::ID).equals((E::default(), E::id_column())),
    );
    select
}

impl Searchable for contact::Entity {
    const KIND: &'static str = "contact";

    fn matching(
        backend: DbBackend,
        scope: Scope,
        text: &SearchText,
        purpose: Purpose,
    ) -> Option<Select<Self>> {
        let branches = [
            hits::text_hits(backend, hits::CONTACTS, text, purpose),
            hits::exact_identity_hits(text),
        ];
        hits::ranked(branches.into_iter().flatten().collect()).map(|hits| join_hits(scope, hits))
    }

    fn in_rank_order(select: Select<Self>, _text: &SearchText) -> Select<Self> {
        select
            .order_by(ranked_col(hits::EXACT), Order::Desc)
            .order_by(ranked_col(hits::SCORE), Order::Desc)
            .order_by(contact::Column::Id, Order::Asc)
    }
}

impl Searchable for account::Entity {
    const KIND: &'static str = "account";

    fn matching(
        backend: DbBackend,
        scope: Scope,
        text: &SearchText,
        purpose: Purpose,
    ) -> Option<Select<Self>> {
        hits::text_hits(backend, hits::ACCOUNTS, text, purpose).map(|hits| join_hits(scope, hits))
    }

    /// The name comparison runs on the matching rows only, so it needs no index of its own.
    /// (SQLite's `lower` folds ASCII letters only.)
    fn in_rank_order(select: Select<Self>, text: &SearchText) -> Select<Self> {
        let name = Expr::col((account::Entity, account::Column::Name));
        let same_name =
            Expr::expr(Func::lower(name)).eq(Expr::expr(Func::lower(Expr::val(text.normalized()))));
        select
            .order_by(same_name, Order::Desc)
            .order_by(ranked_col(hits::SCORE), Order::Desc)
            .order_by(account::Column::Id, Order::Asc)
    }
}

/// Which part of the ranked results a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchWindow {
    /// Results before the page.
    pub offset: u64,
    pub size: u64,
}

/// One page of ranked results, best first.
#[derive(Debug)]
pub struct SearchPage<M> {
    pub rows: Vec<Arc<M>>,
    pub offset: u64,
    pub has_next: bool,
}

/// The statement of one page of a search, for callers that want to see it (`EXPLAIN` in the
/// tests); [`page`] runs exactly this.
pub fn page_select<E: Searchable>(
    backend: DbBackend,
    scope: Scope,
    text: &SearchText,
    window: SearchWindow,
) -> Option<Select<E>> {
    E::matching(backend, scope, text, Purpose::Page).map(|select| {
        E::in_rank_order(select, text)
            .offset(window.offset)
            .limit(window.size + 1)
    })
}

/// One page of the records of type `E` the caller sees that match `text`, best first: one
/// statement.
pub async fn page<E: Searchable>(
    db: &ScopedDb,
    text: &SearchText,
    window: SearchWindow,
) -> AppResult<SearchPage<E::Model>> {
    let backend = db.conn().get_database_backend();
    let mut rows = match page_select::<E>(backend, db.scope(), text, window) {
        Some(select) => select.all(db.conn()).await?,
        None => Vec::new(),
    };
    let has_next = rows.len() as u64 > window.size;
    rows.truncate(usize::try_from(window.size).unwrap_or(usize::MAX));
    Ok(SearchPage {
        rows: rows.into_iter().map(Arc::new).collect(),
        offset: window.offset,
        has_next,
    })
}

/// The rows a count of a search counts, for callers that want to see the statement
/// (`EXPLAIN` in the tests); [`count`] counts exactly these.
pub fn count_select<E: Searchable>(
    backend: DbBackend,
    scope: Scope,
    text: &SearchText,
) -> Option<Select<E>> {
    E::matching(backend, scope, text, Purpose::Count)
}

/// How many records of type `E` the caller sees match `text`: one statement.
pub async fn count<E: Searchable>(db: &ScopedDb, text: &SearchText) -> AppResult<u64> {
    let backend = db.conn().get_database_backend();
    match count_select::<E>(backend, db.scope(), text) {
        Some(select) => Ok(select.count(db.conn()).await?),
        None => Ok(0),
    }
}
