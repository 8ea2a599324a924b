//! `searchContacts` and `searchAccounts`: ranked search as Relay connections.
//!
//! Results are ordered by rank, not by id, so the list cursors (`IdCursor`) do not fit: a search
//! cursor is a position in the ranking, bound to the query it came from.

use std::sync::Arc;

use async_graphql::connection::{
    Connection, ConnectionNameType, CursorType, Edge, EdgeNameType, EmptyFields,
};
use async_graphql::futures_util::future::BoxFuture;
use async_graphql::{Context, ErrorExtensions, Object, OutputType, Result, ResultExt};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{AppError, AppResult};
use crate::graphql::context;
use crate::graphql::pagination::{self, GraphRecord, PageArgs};
use crate::graphql::types::{Account, Contact};
use crate::service::scope::ScopedDb;
use crate::service::search::{self, SearchText, SearchWindow, Searchable};

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Contacts whose first or last name, alias, job title, identity values (as entered or
    /// normalized) or communication-method values match `query`, best first. A contact with
    /// an identity that is exactly `query` (read per channel the way `contactByIdentity` reads
    /// it: `Ada@Example.COM`, `(201) 555-0123`) comes first; then the best text matches; equal
    /// ranks oldest first. Every word of `query` must match: on SQLite as the start of a word
    /// (`lov` finds Lovelace; case and accents ignored), on PostgreSQL as a similar part of
    /// the text, which also forgives small typos (`Lovelase`; single letters are not looked up
    /// there). A whole phone number matches stored numbers in any form.
    ///
    /// `query`: not blank, at most 1024 bytes and 16 words. `first`: the configured default
    /// page size (20) when omitted, at most the maximum (100). `after` must be a cursor of the
    /// same search; pages are positions in the ranking when each page is read. A partner key
    /// finds only the contacts it sees, and `totalCount` counts only those.
    #[graphql(complexity = "pagination::cost(first, None, child_complexity)")]
    async fn search_contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words to find (at most 1 KiB); an e-mail address or phone number in any format also finds the identity."
        )]
        query: String,
        #[graphql(desc = "Results per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "A cursor of an earlier page of the same search.")] after: Option<String>,
    ) -> Result<SearchConnection<Contact>> {
        search_connection(ctx, &query, first, after).await.extend()
    }

    /// Accounts whose name, city, phone, website or communication-method values match
    /// `query`, best first: an account named exactly `query` (ignoring case) first, then the
    /// best text matches, equal ranks oldest first. Words match as in `searchContacts`, and
    /// `query`, `first` and `after` follow the same rules. A partner key finds only the
    /// accounts it sees, and `totalCount` counts only those.
    #[graphql(complexity = "pagination::cost(first, None, child_complexity)")]
    async fn search_accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words to find (at most 1 KiB); an e-mail address or phone number in any format also finds the identity."
        )]
        query: String,
        #[graphql(desc = "Results per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "A cursor of an earlier page of the same search.")] after: Option<String>,
    ) -> Result<SearchConnection<Account>> {
        search_connection(ctx, &query, first, after).await.extend()
    }
}

/// A page of search results presented as `N`: `ContactSearchConnection`,
/// `AccountSearchConnection`.
pub type SearchConnection<N> =
    Connection<SearchCursor, N, SearchTotal, EmptyFields, SearchConnectionName, SearchEdgeName>;

pub struct SearchConnectionName;

impl ConnectionNameType for SearchConnectionName {
    fn type_name<T: OutputType>() -> String {
        format!("{}SearchConnection", T::type_name())
    }
}

pub struct SearchEdgeName;

impl EdgeNameType for SearchEdgeName {
    fn type_name<T: OutputType>() -> String {
        format!("{}SearchEdge", T::type_name())
    }
}

async fn search_connection<N>(
    ctx: &Context<'_>,
    query: &str,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<SearchConnection<N>>
where
    N: GraphRecord,
    N::Entity: Searchable,
{
    let config = context::config(ctx)?;
    let text = Arc::new(SearchText::parse(query, config.identity.region()?)?);
    let size = PageArgs::new(first, None, None, None)
        .window(&config.limits, Arc::default())?
        .size;
    let fingerprint = text.fingerprint(N::Entity::KIND);
    let offset = match after {
        Some(after) => SearchCursor::position_in(&after, &fingerprint)?,
        None => 0,
    };
    let loaders = context::loaders(ctx)?;
    let window = SearchWindow { offset, size };
    let page = search::page::<N::Entity>(loaders.db(), &text, window).await?;
    loaders.remember::<N::Entity>(&page.rows).await;

    let total = SearchTotal {
        text,
        count: count_of::<N::Entity>,
    };
    let mut connection = Connection::with_additional_fields(offset > 0, page.has_next, total);
    connection.edges = page
        .rows
        .iter()
        .zip(page.offset + 1..)
        .map(|(row, position)| {
            let cursor = SearchCursor {
                fingerprint: fingerprint.clone(),
                position,
            };
            Edge::new(cursor, N::from_model(Arc::clone(row)))
        })
        .collect();
    Ok(connection)
}

type CountFn = for<'a> fn(&'a ScopedDb, &'a SearchText) -> BoxFuture<'a, AppResult<u64>>;

fn count_of<'a, E: Searchable>(
    db: &'a ScopedDb,
    text: &'a SearchText,
) -> BoxFuture<'a, AppResult<u64>> {
    Box::pin(search::count::<E>(db, text))
}

/// Fields every search connection has besides `edges`, `nodes` and `pageInfo`.
pub struct SearchTotal {
    text: Arc<SearchText>,
    count: CountFn,
}

#[Object]
impl SearchTotal {
    /// Number of matching records the caller may see, ignoring the page. Counted only when
    /// asked for, in one more statement.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let loaders = context::loaders(ctx).map_err(|e| e.extend())?;
        (self.count)(loaders.db(), &self.text)
            .await
            .map_err(|e| e.extend())
    }
}

/// Cursor of a search result: `base64url("search:<fingerprint>:<position>")`, the result's
/// 1-based position in the ranking and the fingerprint of the search (record type and query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCursor {
    fingerprint: String,
    position: u64,
}

impl SearchCursor {
    /// The position `after` points at, if it is a cursor of the search with `fingerprint`.
    fn position_in(after: &str, fingerprint: &str) -> AppResult<u64> {
        let cursor = Self::decode_cursor(after)
            .map_err(|_| AppError::bad_input("`after` is not a search cursor"))?;
        if cursor.fingerprint != fingerprint {
            return Err(AppError::bad_input(
                "`after` is a cursor of another search: repeat the same query, or leave `after` out",
            ));
        }
        Ok(cursor.position)
    }
}

impl CursorType for SearchCursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let invalid = || AppError::bad_input("invalid cursor");
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let rest = text.strip_prefix("search:").ok_or_else(invalid)?;
        let (fingerprint, position) = rest.split_once(':').ok_or_else(invalid)?;
        Ok(Self {
            fingerprint: fingerprint.to_owned(),
            position: position.parse().map_err(|_| invalid())?,
        })
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("search:{}:{}", self.fingerprint, self.position))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_with_their_search() {
        let cursor = SearchCursor {
            fingerprint: "0123456789abcdef".into(),
            position: 40,
        };
        let text = cursor.encode_cursor();
        assert_eq!(SearchCursor::decode_cursor(&text).unwrap(), cursor);
        assert_eq!(
            SearchCursor::position_in(&text, "0123456789abcdef").unwrap(),
            40
        );
        let other = SearchCursor::position_in(&text, "fedcba9876543210").unwrap_err();
        assert_eq!(other.code(), "BAD_USER_INPUT");
        assert!(other.to_string().contains("`after`"));
    }

    #[test]
    fn list_cursors_and_garbage_are_not_search_cursors() {
        let list_cursor = URL_SAFE_NO_PAD.encode("id:0190a1b2-0000-7000-8000-000000000000");
        for after in [list_cursor.as_str(), "nope", "", "c2VhcmNoOng6eQ"] {
            let err = SearchCursor::position_in(after, "x").unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{after}");
        }
    }
}
