//! The subqueries that find and score matching documents, one per backend. Each yields rows
//! `(id, exact, score)`: the record's id, 1 when the query is one of its identities exactly,
//! and how well its text matches (higher is better). The caller joins them to the record table,
//! where the scope applies.
//!
//! User text only ever travels as bound parameters; the SQL fragments below contain nothing but
//! the names of the search tables (see the migration `m20261202_000003_create_search`).

use entity::contact_identity;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, Condition, DbBackend};

use super::text::SearchText;

/// Column names of a hits subquery.
pub const ID: &str = "id";
pub const EXACT: &str = "exact";
pub const SCORE: &str = "score";

/// A document table (`contact_search` or `account_search`): the column naming its record, and
/// on SQLite the FTS5 index over it.
#[derive(Debug, Clone, Copy)]
pub struct Documents {
    pub table: &'static str,
    pub owner: &'static str,
    pub fts: &'static str,
}

pub const CONTACTS: Documents = Documents {
    table: "contact_search",
    owner: "contact_id",
    fts: "contact_search_fts",
};

pub const ACCOUNTS: Documents = Documents {
    table: "account_search",
    owner: "account_id",
    fts: "account_search_fts",
};

/// What the hits are for: a page needs their scores, a count only which records they are.
/// Scoring is most of a trigram search's work (each score compares the words with the
/// document again), so a count skips it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Page,
    Count,
}

/// Documents matching every word of `text` (or, for a phone number, its E.164 form; see
/// `SearchText::phone`), or `None` when no word can match.
pub fn text_hits(
    backend: DbBackend,
    docs: Documents,
    text: &SearchText,
    purpose: Purpose,
) -> Option<SelectStatement> {
    match backend {
        DbBackend::Sqlite => fts5_hits(docs, text, purpose),
        _ => trigram_hits(docs, text, purpose),
    }
}

/// `(id, exact, score)` of a document table, without FROM and WHERE.
fn select_hits(docs: Documents, score: Expr) -> SelectStatement {
    Query::select()
        .expr_as(
            Expr::col((Alias::new(docs.table), Alias::new(docs.owner))),
            Alias::new(ID),
        )
        .expr_as(Expr::cust("0"), Alias::new(EXACT))
        .expr_as(score, Alias::new(SCORE))
        .to_owned()
}

/// SQLite: the FTS5 query of `SearchText::fts5_query`; the score is `-bm25` (FTS5's bm25 is
/// lower for better matches).
fn fts5_hits(docs: Documents, text: &SearchText, purpose: Purpose) -> Option<SelectStatement> {
    if text.words().is_empty() {
        return None;
    }
    let fts = Alias::new(docs.fts);
    let score = match purpose {
        Purpose::Page => Expr::cust(format!("-bm25(\"{}\")", docs.fts)),
        Purpose::Count => Expr::cust("0"),
    };
    Some(
        select_hits(docs, score)
            .from(fts.clone())
            .inner_join(
                Alias::new(docs.table),
                Expr::col((Alias::new(docs.table), Alias::new("doc_id")))
                    .equals((fts, Alias::new("rowid"))),
            )
            .and_where(Expr::cust_with_values(
                format!("\"{}\" MATCH ?", docs.fts),
                [text.fts5_query()],
            ))
            .to_owned(),
    )
}

/// PostgreSQL: every word must be trigram-similar to some part of the document
/// (`word <% search_document(document)`: `word_similarity` above
/// `pg_trgm.word_similarity_threshold`, 0.6 unless configured), which the GIN trigram index
/// answers and which tolerates typos. The score adds, per word, `strict_word_similarity`: how
/// well it matches whole words of the document, so "Lovelace" ranks a Lovelace above a
/// Lovelaces and both above a typo.
fn trigram_hits(docs: Documents, text: &SearchText, purpose: Purpose) -> Option<SelectStatement> {
    let document = format!("\"{}\".\"document\"", docs.table);
    // The index covers `search_document(document)`: the document at a realistic planner cost
    // (see the migration).
    let similar = |word: &str| {
        Expr::cust_with_values(
            format!("$1 <% search_document({document})"),
            [word.to_owned()],
        )
    };
    let similarity = |word: &str| {
        Expr::cust_with_values(
            format!("strict_word_similarity($1, {document})"),
            [word.to_owned()],
        )
    };
    let words: Vec<&str> = text.trigram_words().collect();
    let mut matches = Condition::any();
    if !words.is_empty() {
        matches = matches.add(
            words
                .iter()
                .fold(Condition::all(), |all, word| all.add(similar(word))),
        );
    }
    if let Some(phone) = text.phone() {
        matches = matches.add(similar(phone));
    }
    if words.is_empty() && text.phone().is_none() {
        return None;
    }
    let score = match purpose {
        Purpose::Page => words
            .into_iter()
            .chain(text.phone())
            .map(similarity)
            .reduce(|sum, next| sum.add(next))?,
        Purpose::Count => Expr::cust("0"),
    };
    Some(
        select_hits(docs, score)
            .from(Alias::new(docs.table))
            .cond_where(matches)
            .to_owned(),
    )
}

/// Contacts one of whose identities is exactly the query (as `contactByIdentity` would read it
/// on some channel), through the unique `(channel, normalized_value)` index; `None` when the
/// query is no valid identity value on any channel.
pub fn exact_identity_hits(text: &SearchText) -> Option<SelectStatement> {
    if text.identities().is_empty() {
        return None;
    }
    let mut any = Condition::any();
    for (channel, value) in text.identities() {
        any = any.add(
            Condition::all()
                .add(contact_identity::Column::Channel.eq(*channel))
                .add(contact_identity::Column::NormalizedValue.eq(value.as_str())),
        );
    }
    Some(
        Query::select()
            .expr_as(
                Expr::col((
                    contact_identity::Entity,
                    contact_identity::Column::ContactId,
                )),
                Alias::new(ID),
            )
            .expr_as(Expr::cust("1"), Alias::new(EXACT))
            .expr_as(Expr::cust("0"), Alias::new(SCORE))
            .from(contact_identity::Entity)
            .cond_where(any)
            .to_owned(),
    )
}

/// One row per record from any of `branches`: exact if any branch says so, with its best score.
pub fn ranked(branches: Vec<SelectStatement>) -> Option<SelectStatement> {
    let mut branches = branches.into_iter();
    let mut union = branches.next()?;
    for branch in branches {
        union.union(UnionType::All, branch);
    }
    let hit = Alias::new("hit");
    Some(
        Query::select()
            .expr_as(Expr::col((hit.clone(), Alias::new(ID))), Alias::new(ID))
            .expr_as(
                Expr::col((hit.clone(), Alias::new(EXACT))).max(),
                Alias::new(EXACT),
            )
            .expr_as(
                Expr::col((hit.clone(), Alias::new(SCORE))).max(),
                Alias::new(SCORE),
            )
            .from_subquery(union, hit.clone())
            .group_by_col((hit, Alias::new(ID)))
            .to_owned(),
    )
}
