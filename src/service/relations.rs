//! The one-to-many relations of the graph and their batched reads: one statement per call
//! whatever the number of parents, so a nesting level of a query costs one statement.

use std::collections::HashMap;
use std::sync::Arc;

use entity::{
    account, audit_entry, communication_method, contact, contact_identity, incident, opportunity,
};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Value,
};
use uuid::Uuid;

use crate::error::AppResult;
use crate::service::page::{Page, PageWindow};
use crate::service::record::Record;
use crate::service::scope::ScopedDb;

/// Rows of `Child` that point at a parent through `parent_column`.
pub trait HasMany: Send + Sync + 'static {
    type Child: Record;

    fn parent_column() -> <Self::Child as EntityTrait>::Column;
}

/// The model type of a relation's child rows.
pub type ChildOf<R> = <<R as HasMany>::Child as EntityTrait>::Model;

macro_rules! has_many {
    ($($(#[$doc:meta])* $name:ident => $child:ident::$column:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl HasMany for $name {
            type Child = $child::Entity;

            fn parent_column() -> $child::Column {
                $child::Column::$column
            }
        }
    )*};
}

has_many! {
    /// An account's contacts.
    ContactsOfAccount => contact::AccountId;
    /// An account's incidents.
    IncidentsOfAccount => incident::AccountId;
    /// An account's opportunities.
    OpportunitiesOfAccount => opportunity::AccountId;
    /// The customer accounts a partner serves.
    CustomersOfPartner => account::PartnerId;
    /// An account's own communication methods.
    MethodsOfAccount => communication_method::AccountId;
    /// A contact's identities.
    IdentitiesOfContact => contact_identity::ContactId;
    /// A contact's own communication methods.
    MethodsOfContact => communication_method::ContactId;
    /// Incidents whose primary contact is the contact.
    IncidentsOfContact => incident::PrimaryContactId;
    /// Opportunities whose primary contact is the contact.
    OpportunitiesOfContact => opportunity::PrimaryContactId;
    /// Audit entries about the contact.
    AuditOfContact => audit_entry::ContactId;
}

const PAGE_RANK: &str = "page_rank";
const PAGE_ALIAS: &str = "page";

/// Rows by id, as the scope sees them; absent ids are missing from the map.
pub async fn by_ids<E: Record>(
    db: &ScopedDb,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Arc<E::Model>>> {
    let rows = E::find()
        .filter(E::visible_with_ids(db.scope(), ids.iter().copied()))
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (E::id_of(&row), Arc::new(row)))
        .collect())
}

/// Every child of each parent, in id order. Meant for small bounded lists (identities, methods).
pub async fn all_of<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, Arc<Vec<Arc<ChildOf<R>>>>>> {
    let rows = R::Child::find()
        .filter(R::parent_column().is_in(parents.iter().copied()))
        .filter(R::Child::visible(db.scope()))
        .order_by_asc(R::Child::id_column())
        .all(db.conn())
        .await?;
    let mut grouped: HashMap<Uuid, Vec<Arc<ChildOf<R>>>> = HashMap::new();
    for row in rows {
        if let Some(parent) = parent_of::<R>(&row) {
            grouped.entry(parent).or_default().push(Arc::new(row));
        }
    }
    Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}

/// The same page window under each parent, in one statement:
/// `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY id)` cut at the page size plus one.
pub async fn pages_of<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
    window: &PageWindow,
) -> AppResult<HashMap<Uuid, Arc<Page<ChildOf<R>>>>> {
    let mut ranked = R::Child::find()
        .filter(R::parent_column().is_in(parents.iter().copied()))
        .filter(R::Child::visible(db.scope()))
        .filter(window.bounds::<R::Child>())
        .into_query();
    ranked.expr_window_as(
        Expr::cust("ROW_NUMBER()"),
        WindowStatement::partition_by(R::parent_column())
            .order_by(R::Child::id_column(), window.order())
            .to_owned(),
        Alias::new(PAGE_RANK),
    );
    let limit = i64::try_from(window.fetch_limit()).unwrap_or(i64::MAX);
    let page = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Alias::new(PAGE_ALIAS))
        .and_where(Expr::col(Alias::new(PAGE_RANK)).lte(limit))
        .order_by(Alias::new(PAGE_RANK), sea_orm::Order::Asc)
        .to_owned();
    let statement = db.conn().get_database_backend().build(&page);
    let rows = R::Child::find()
        .from_raw_sql(statement)
        .all(db.conn())
        .await?;

    let mut grouped: HashMap<Uuid, Vec<Arc<ChildOf<R>>>> = HashMap::new();
    for row in rows {
        if let Some(parent) = parent_of::<R>(&row) {
            grouped.entry(parent).or_default().push(Arc::new(row));
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(parent, rows)| (parent, Arc::new(window.finish(rows))))
        .collect())
}

/// Number of children of each parent, in one `GROUP BY` statement; parents without children
/// are missing from the map.
pub async fn counts_of<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    let counts: Vec<(Uuid, i64)> = R::Child::find()
        .select_only()
        .column(R::parent_column())
        .column_as(R::Child::id_column().count(), "child_count")
        .filter(R::parent_column().is_in(parents.iter().copied()))
        .filter(R::Child::visible(db.scope()))
        .group_by(R::parent_column())
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(counts
        .into_iter()
        .map(|(parent, count)| (parent, u64::try_from(count).unwrap_or_default()))
        .collect())
}

fn parent_of<R: HasMany>(row: &ChildOf<R>) -> Option<Uuid> {
    match row.get(R::parent_column()) {
        Value::Uuid(parent) => parent,
        _ => None,
    }
}
