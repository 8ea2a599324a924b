//! The one-to-many relations of the graph and their batched reads: one statement per call
//! whatever the number of parents, so a nesting level of a query costs one statement.

use std::collections::HashMap;
use std::sync::Arc;

use entity::{
    account, audit_entry, communication_method, contact, contact_identity, contact_redirect,
    incident, opportunity,
};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Order, PgFunc, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Value,
};
use uuid::Uuid;

use crate::error::AppResult;
use crate::service::listing::ListSpec;
use crate::service::listing::order::{self, Position};
use crate::service::page::{self, Page, PageWindow};
use crate::service::projection::Projection;
use crate::service::record::Record;
use crate::service::scope::ScopedDb;

/// Rows of `Child` that point at a parent through `parent_column`.
pub trait HasMany: Send + Sync + 'static {
    type Child: Record;

    fn parent_column() -> <Self::Child as EntityTrait>::Column;

    /// Every child row, with whatever joins [`HasMany::parent_keys`] need.
    fn children() -> Select<Self::Child> {
        Self::Child::find()
    }

    /// The columns that name a child's parent: a child belongs to a parent when one of them does.
    fn parent_keys() -> Vec<Expr> {
        vec![Expr::col((Self::Child::default(), Self::parent_column()))]
    }

    /// The children of `parents`, before scope and paging.
    fn children_of(parents: &[Uuid], backend: DbBackend) -> Select<Self::Child> {
        let belongs = Self::parent_keys()
            .into_iter()
            .fold(Condition::any(), |any, key| {
                any.add(one_of(key, parents, backend))
            });
        Self::children().filter(belongs)
    }

    /// The children of one parent, given as an expression: a bound id or an outer query's column.
    fn children_of_one(parent: Expr) -> Select<Self::Child> {
        let belongs = Self::parent_keys()
            .into_iter()
            .fold(Condition::any(), |any, key| any.add(key.eq(parent.clone())));
        Self::children().filter(belongs)
    }

    /// The parent a child row is listed under, as selected by [`HasMany::children_of`].
    fn parent_expr() -> Expr {
        Expr::col((Self::Child::default(), Self::parent_column()))
    }
}

/// `key` is one of `ids`: `IN (?, ?, ..)` on SQLite, `= ANY(?)` with one array on PostgreSQL.
///
/// PostgreSQL estimates a list of bound values as it would the same literals and, at its default
/// cost settings, finds a scan of a large child table cheaper than a thousand probes of the
/// parent index: at 100,000 contacts the identities of a thousand contacts took 28 ms that way
/// and 2 ms through the index. A prepared statement over an array parameter gets the generic
/// plan after its first runs, and that plan probes the index. One parameter instead of one per
/// parent also keeps the statement's text short and the same for every number of parents.
fn one_of(key: Expr, ids: &[Uuid], backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Postgres => key.eq(PgFunc::any(Expr::val(ids.to_vec()))),
        _ => key.is_in(ids.iter().copied()),
    }
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
    /// Ids merged into the contact.
    RedirectsToContact => contact_redirect::SurvivorId;
}

/// Audit entries about a contact, including those about contacts merged into it: audit rows are
/// never rewritten, so the log follows the redirects instead.
pub struct AuditOfContact;

impl HasMany for AuditOfContact {
    type Child = audit_entry::Entity;

    fn parent_column() -> audit_entry::Column {
        audit_entry::Column::ContactId
    }

    /// `audit_entry LEFT JOIN contact_redirect ON contact_id = merged_id`.
    fn children() -> Select<audit_entry::Entity> {
        let redirect = audit_entry::Entity::belongs_to(contact_redirect::Entity)
            .from(audit_entry::Column::ContactId)
            .to(contact_redirect::Column::MergedId)
            .into();
        audit_entry::Entity::find().join(JoinType::LeftJoin, redirect)
    }

    /// The contact an entry was written about, or the survivor it was merged into.
    fn parent_keys() -> Vec<Expr> {
        vec![
            Expr::col((audit_entry::Entity, audit_entry::Column::ContactId)),
            Expr::col((
                contact_redirect::Entity,
                contact_redirect::Column::SurvivorId,
            )),
        ]
    }

    fn parent_expr() -> Expr {
        Func::coalesce([
            Expr::col((
                contact_redirect::Entity,
                contact_redirect::Column::SurvivorId,
            )),
            Expr::col((audit_entry::Entity, audit_entry::Column::ContactId)),
        ])
        .into()
    }
}

const PAGE_PARENT: &str = "page_parent";
/// The `VALUES` list of parents of a page query, and its one column's name on both backends.
const PAGE_PARENTS: &str = "page_parents";
const VALUES_COLUMN: &str = "column1";
/// The per-parent page, joined laterally on PostgreSQL.
const PAGE: &str = "page";

/// Rows by id, as the scope sees them; absent ids are missing from the map. For tables whose ids
/// can be merged away, a merged id maps to its survivor's row.
pub async fn by_ids<E: Record>(
    db: &ScopedDb,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Arc<E::Model>>> {
    by_ids_projected::<E>(db, ids, &Projection::all()).await
}

/// [`by_ids`], reading only the columns of `projection`.
pub async fn by_ids_projected<E: Record>(
    db: &ScopedDb,
    ids: &[Uuid],
    projection: &Projection,
) -> AppResult<HashMap<Uuid, Arc<E::Model>>> {
    let rows = visible_rows::<E>(db, ids.iter().copied(), projection).await?;
    let mut found: HashMap<Uuid, Arc<E::Model>> = rows
        .into_iter()
        .map(|row| (E::id_of(&row), Arc::new(row)))
        .collect();
    if E::FOLLOWS_REDIRECTS && found.len() < ids.len() {
        let missing: Vec<Uuid> = ids
            .iter()
            .filter(|id| !found.contains_key(id))
            .copied()
            .collect();
        let redirects = survivors_of(db.conn(), &missing).await?;
        if !redirects.is_empty() {
            let survivors: Vec<Uuid> = redirects.values().copied().collect();
            let rows = visible_rows::<E>(db, survivors, projection).await?;
            let by_id: HashMap<Uuid, Arc<E::Model>> = rows
                .into_iter()
                .map(|row| (E::id_of(&row), Arc::new(row)))
                .collect();
            for (merged, survivor) in redirects {
                if let Some(row) = by_id.get(&survivor) {
                    found.insert(merged, Arc::clone(row));
                }
            }
        }
    }
    Ok(found)
}

/// The rows with these ids the scope sees.
async fn visible_rows<E: Record>(
    db: &ScopedDb,
    ids: impl IntoIterator<Item = Uuid>,
    projection: &Projection,
) -> AppResult<Vec<E::Model>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let backend = db.conn().get_database_backend();
    let id = Expr::col((E::default(), E::id_column()));
    let mut select = projection.select::<E>();
    select.cond_where(E::visible(db.scope()).add(one_of(id, &ids, backend)));
    let statement = backend.build(&select);
    let rows = crate::db::query_all(db.conn(), statement).await?;
    Ok(rows
        .iter()
        .map(|row| projection.decode::<E>(row))
        .collect::<Result<_, _>>()?)
}

/// The survivors of merged-away contact ids, in one statement.
pub async fn survivors_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Uuid>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let redirects = contact_redirect::Entity::find()
        .filter(contact_redirect::Column::MergedId.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    Ok(redirects
        .into_iter()
        .map(|redirect| (redirect.merged_id, redirect.survivor_id))
        .collect())
}

/// Every child of each parent, in id order. Meant for small bounded lists (identities, methods).
pub async fn all_of<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, Arc<Vec<Arc<ChildOf<R>>>>>> {
    all_of_projected::<R>(db, parents, &Projection::all()).await
}

/// [`all_of`], reading only the columns of `projection`.
pub async fn all_of_projected<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
    projection: &Projection,
) -> AppResult<HashMap<Uuid, Arc<Vec<Arc<ChildOf<R>>>>>> {
    let mut select = R::children_of(parents, db.conn().get_database_backend())
        .filter(R::Child::visible(db.scope()))
        .order_by_asc(R::Child::id_column())
        .into_query();
    projection.apply::<R::Child>(&mut select);
    select.expr_as(R::parent_expr(), Alias::new(PAGE_PARENT));
    let grouped = grouped_models::<R>(db, &select, projection).await?;
    Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}

/// The same page window under each parent, in one statement that reads only the rows on the
/// pages: the parents are a `VALUES` list and each one's page is an ordered `LIMIT n` walk (of the
/// `(parent, id)` index in id order). PostgreSQL joins the page `LATERAL`; SQLite, which has no
/// lateral joins, picks the page's ids with a correlated `IN (...)` and fetches them by primary
/// key. The window's filter and order go inside the per-parent page.
/// (A `ROW_NUMBER() OVER (PARTITION BY ..)` window reads and sorts every child of every parent
/// instead: several times slower on parents with long histories.)
pub async fn pages_of<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
    window: &PageWindow,
) -> AppResult<HashMap<Uuid, Arc<Page<ChildOf<R>>>>> {
    pages_of_projected::<R>(db, parents, window, &Projection::all()).await
}

/// [`pages_of`], reading only the columns of `projection`.
pub async fn pages_of_projected<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
    window: &PageWindow,
    projection: &Projection,
) -> AppResult<HashMap<Uuid, Arc<Page<ChildOf<R>>>>> {
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let cx = page::sql_context(db);
    let components = order::components(&window.spec.order, page::id_expr::<R::Child>());
    let parent = Expr::col((Alias::new(PAGE_PARENTS), Alias::new(VALUES_COLUMN)));
    let mut page = R::children_of_one(parent.clone())
        .filter(R::Child::visible(db.scope()))
        .filter(page::filter_condition::<R::Child>(&window.spec, &cx)?)
        .filter(window.bounds(&components)?)
        .limit(window.fetch_limit())
        .into_query();
    let parent_rows = parents.iter().map(|id| Value::from(*id));
    // Without an `orderBy` a page holds a handful of rows in id order: sorting them here is
    // cheaper than an ORDER BY over the whole result, which the database would have to sort.
    let sort_in_sql = !window.spec.order.is_empty();
    let select = match db.conn().get_database_backend() {
        DbBackend::Postgres => {
            projection.apply::<R::Child>(&mut page);
            order::apply(&mut page, &components, window.is_backward());
            let mut select = Query::select()
                .column((Alias::new(PAGE), Asterisk))
                .expr_as(parent, Alias::new(PAGE_PARENT))
                .from_values(parent_rows, Alias::new(PAGE_PARENTS))
                .join_lateral(
                    JoinType::InnerJoin,
                    page,
                    Alias::new(PAGE),
                    Expr::value(true),
                )
                .to_owned();
            if sort_in_sql {
                select.order_by(Alias::new(PAGE_PARENT), Order::Asc);
                order::order_by_selected(
                    &mut select,
                    Alias::new(PAGE),
                    &components,
                    window.is_backward(),
                );
            }
            select
        }
        _ => {
            order::order_by(&mut page, &components, window.is_backward());
            let ids = {
                let mut ids = page;
                ids.clear_selects();
                ids.expr(page::id_expr::<R::Child>());
                ids
            };
            let mut select = R::Child::find().into_query();
            projection.apply::<R::Child>(&mut select);
            // `CROSS JOIN` also tells SQLite to loop over the parents on the outside.
            select
                .from_clear()
                .from_values(parent_rows, Alias::new(PAGE_PARENTS))
                .cross_join(R::Child::default())
                .expr_as(parent, Alias::new(PAGE_PARENT))
                .and_where(page::id_expr::<R::Child>().in_subquery(ids));
            if sort_in_sql {
                select.order_by(Alias::new(PAGE_PARENT), Order::Asc);
            }
            order::apply(&mut select, &components, window.is_backward());
            if !sort_in_sql {
                select.clear_order_by();
            }
            select
        }
    };
    let grouped = grouped_rows::<R>(db, &select, &components, projection).await?;
    Ok(grouped
        .into_iter()
        .map(|(parent, mut rows)| {
            if !sort_in_sql {
                rows.sort_unstable_by_key(|(row, _)| R::Child::id_of(row));
                if window.is_backward() {
                    rows.reverse();
                }
            }
            (parent, Arc::new(window.finish(rows)))
        })
        .collect())
}

/// A row with its place in its list.
type Positioned<M> = (Arc<M>, Position);

/// Runs a select whose rows carry `page_parent` and their sort columns, and groups the rows
/// with their positions by parent, keeping order.
async fn grouped_rows<R: HasMany>(
    db: &ScopedDb,
    select: &SelectStatement,
    components: &[order::Component],
    projection: &Projection,
) -> AppResult<HashMap<Uuid, Vec<Positioned<ChildOf<R>>>>> {
    let statement = db.conn().get_database_backend().build(select);
    let rows = crate::db::query_all(db.conn(), statement).await?;
    let mut grouped: HashMap<Uuid, Vec<Positioned<ChildOf<R>>>> = HashMap::new();
    for row in rows {
        let parent: Option<Uuid> = row.try_get("", PAGE_PARENT)?;
        let model = projection.decode::<R::Child>(&row)?;
        let position = order::read(&row, components)?;
        if let Some(parent) = parent {
            grouped
                .entry(parent)
                .or_default()
                .push((Arc::new(model), position));
        }
    }
    Ok(grouped)
}

/// Rows of every child of each parent (small bounded lists), grouped by parent in id order.
async fn grouped_models<R: HasMany>(
    db: &ScopedDb,
    select: &SelectStatement,
    projection: &Projection,
) -> AppResult<HashMap<Uuid, Vec<Arc<ChildOf<R>>>>> {
    let statement = db.conn().get_database_backend().build(select);
    let rows = crate::db::query_all(db.conn(), statement).await?;
    let mut grouped: HashMap<Uuid, Vec<Arc<ChildOf<R>>>> = HashMap::new();
    for row in rows {
        let parent: Option<Uuid> = row.try_get("", PAGE_PARENT)?;
        let model = projection.decode::<R::Child>(&row)?;
        if let Some(parent) = parent {
            grouped.entry(parent).or_default().push(Arc::new(model));
        }
    }
    Ok(grouped)
}

/// Number of children of each parent that match `spec`'s filter, in one `GROUP BY` statement;
/// parents without such children are missing from the map.
pub async fn counts_of<R: HasMany>(
    db: &ScopedDb,
    parents: &[Uuid],
    spec: &ListSpec,
) -> AppResult<HashMap<Uuid, u64>> {
    let cx = page::sql_context(db);
    let counts: Vec<(Uuid, i64)> = R::children_of(parents, db.conn().get_database_backend())
        .select_only()
        .expr_as(R::parent_expr(), PAGE_PARENT)
        .column_as(R::Child::id_column().count(), "child_count")
        .filter(R::Child::visible(db.scope()))
        .filter(page::filter_condition::<R::Child>(spec, &cx)?)
        .group_by(R::parent_expr())
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(counts
        .into_iter()
        .map(|(parent, count)| (parent, u64::try_from(count).unwrap_or_default()))
        .collect())
}
