//! Runs a plan level by level: one batched statement per relation and nesting level, the same
//! statements the loaders issue (`service::relations`, `service::page`), with a per-request row
//! memory so that a to-one relation whose rows an outer level already read costs nothing, as
//! the loaders' primed cache does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::futures_util::future::{BoxFuture, try_join_all};
use entity::{account, communication_method, contact, contact_identity, incident, opportunity};
use sea_orm::{Condition, DatabaseConnection, DbBackend};
use uuid::Uuid;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::graphql::plan::catalog::{Many, RecordType};
use crate::graphql::plan::ids::{IdMap, IdSet, KeyedMap};
use crate::graphql::plan::rows::{Row, Stored};
use crate::graphql::plan::tree::{
    ConnectionField, ConnectionSelection, EdgeField, ObjectField, ObjectSelection, Plan, RootField,
};
use crate::service::listing::order::Position;
use crate::service::lookup;
use crate::service::page::{self, PageWindow};
use crate::service::projection::Projection;
use crate::service::record::Record;
use crate::service::relations::{self as rel, ChildOf, HasMany};
use crate::service::scope::ScopedDb;

pub type RowRef = Arc<dyn Row>;

/// One page of a connection, rows of any record type.
#[derive(Default)]
pub struct DynPage {
    pub rows: Vec<RowRef>,
    pub positions: Vec<Position>,
    pub has_previous: bool,
    pub has_next: bool,
}

/// What was read for one object selection, for every row it applies to at its place in the
/// tree; `fields` runs parallel to the selection's fields.
pub struct Fetched {
    pub fields: Vec<FieldData>,
}

pub enum FieldData {
    /// Columns and `__typename`: the row itself holds them.
    Inline,
    ToOne {
        targets: IdMap<RowRef>,
        nested: Fetched,
    },
    List {
        children: IdMap<Vec<RowRef>>,
        nested: Fetched,
    },
    Connection {
        pages: IdMap<DynPage>,
        counts: HashMap<Uuid, u64>,
        nested: ConnectionData,
    },
}

/// What was read under a connection's edges and nodes; parallel to the selection's fields.
pub struct ConnectionData {
    /// The cursor prefix of every row of this connection (its filter and order).
    pub fingerprint: String,
    pub fields: Vec<ConnectionFieldData>,
}

pub enum ConnectionFieldData {
    Inline,
    /// Parallel to the edge's fields: the node's data where the field is `node`.
    Edges(Vec<Option<Fetched>>),
    Nodes(Fetched),
}

/// What was read for each root field; parallel to the plan's fields.
pub enum RootData {
    Typename,
    List {
        page: DynPage,
        count: u64,
        nested: ConnectionData,
    },
    One {
        row: Option<RowRef>,
        nested: Fetched,
    },
}

/// Reads everything `plan` needs.
pub async fn run(
    plan: &Plan,
    conn: DatabaseConnection,
    config: &Config,
) -> AppResult<Vec<RootData>> {
    let projections = plan
        .columns()
        .into_iter()
        .map(|(record, columns)| (record, projection(record, &columns)))
        .collect();
    let in_turn = conn.get_database_backend() == DbBackend::Sqlite;
    let executor = Executor {
        in_turn,
        db: ScopedDb::new(conn, &plan.principal),
        config,
        projections,
        memory: Mutex::new(KeyedMap::default()),
    };
    let roots: Vec<_> = plan
        .fields
        .iter()
        .map(|field| executor.root(&field.item))
        .collect();
    executor.join(roots).await
}

/// The columns a record type's statements read.
fn projection(record: RecordType, columns: &[String]) -> Projection {
    let needed = |name: &str| columns.iter().any(|column| column == name);
    match record {
        RecordType::Account => Projection::only::<account::Entity>(needed),
        RecordType::Contact => Projection::only::<contact::Entity>(needed),
        RecordType::ContactIdentity => Projection::only::<contact_identity::Entity>(needed),
        RecordType::CommunicationMethod => Projection::only::<communication_method::Entity>(needed),
        RecordType::Incident => Projection::only::<incident::Entity>(needed),
        RecordType::Opportunity => Projection::only::<opportunity::Entity>(needed),
    }
}

struct Executor<'a> {
    /// Statements of one level run one after the other rather than at once: on SQLite, where
    /// every connection hands its rows over from a thread of its own, two at once on two cores
    /// are slower than in turn (see `loaders::Loaders::new`).
    in_turn: bool,
    db: ScopedDb,
    config: &'a Config,
    /// Per record type, the columns every statement reading it reads.
    projections: HashMap<RecordType, Projection>,
    /// Every row read so far, by type and id (and by the merged ids that led to it).
    memory: Mutex<KeyedMap<(RecordType, Uuid), RowRef>>,
}

/// A required relation whose target is missing: the resolvers report that as an error; the plan
/// hands the operation to them.
fn gave_up(why: &str) -> AppError {
    AppError::internal(std::io::Error::other(format!("compiled read: {why}")))
}

fn unique(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let mut seen = IdSet::default();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

fn unique_rows<'r>(rows: impl IntoIterator<Item = &'r RowRef>) -> Vec<RowRef> {
    let mut seen = IdSet::default();
    rows.into_iter()
        .filter(|row| seen.insert(row.id()))
        .cloned()
        .collect()
}

impl Executor<'_> {
    /// Every future's output, in order: at once, or in turn (see `in_turn`).
    async fn join<T, F: Future<Output = AppResult<T>>>(
        &self,
        futures: Vec<F>,
    ) -> AppResult<Vec<T>> {
        if !self.in_turn {
            return try_join_all(futures).await;
        }
        let mut done = Vec::new();
        for future in futures {
            done.push(future.await?);
        }
        Ok(done)
    }

    /// Both outputs, at once or in turn.
    async fn both<A, B>(
        &self,
        first: impl Future<Output = AppResult<A>>,
        second: impl Future<Output = AppResult<B>>,
    ) -> AppResult<(A, B)> {
        if self.in_turn {
            Ok((first.await?, second.await?))
        } else {
            async_graphql::futures_util::try_join!(first, second)
        }
    }

    fn projection(&self, record: RecordType) -> Projection {
        self.projections.get(&record).cloned().unwrap_or_default()
    }

    fn remember(&self, record: RecordType, rows: &[RowRef]) {
        let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
        for row in rows {
            memory.insert((record, row.id()), Arc::clone(row));
        }
    }

    async fn root(&self, field: &RootField) -> AppResult<RootData> {
        match field {
            RootField::Typename => Ok(RootData::Typename),
            RootField::List {
                record,
                window,
                selection,
            } => {
                let (page, count) = self.root_page(*record, window, selection.counts()).await?;
                self.remember(*record, &page.rows);
                let nested = self.connection(selection, &page.rows, window).await?;
                Ok(RootData::List {
                    page,
                    count,
                    nested,
                })
            }
            RootField::ById {
                record,
                id,
                selection,
            } => {
                let found = self.by_ids(*record, vec![*id]).await?;
                self.one(found.get(id).cloned(), selection).await
            }
            RootField::ContactByIdentity {
                channel,
                value,
                selection,
            } => {
                let region = self.config.identity.region()?;
                let projection = self.projection(RecordType::Contact);
                let found = lookup::contact_by_identity_projected(
                    &self.db,
                    *channel,
                    value,
                    region,
                    &projection,
                )
                .await?;
                let row = found.map(|model| Arc::new(model) as RowRef);
                if let Some(row) = &row {
                    self.remember(RecordType::Contact, std::slice::from_ref(row));
                }
                self.one(row, selection).await
            }
        }
    }

    async fn one(&self, row: Option<RowRef>, selection: &ObjectSelection) -> AppResult<RootData> {
        let rows: Vec<RowRef> = row.iter().cloned().collect();
        let nested = self.object(selection, rows).await?;
        Ok(RootData::One { row, nested })
    }

    fn object<'s>(
        &'s self,
        selection: &'s ObjectSelection,
        rows: Vec<RowRef>,
    ) -> BoxFuture<'s, AppResult<Fetched>> {
        Box::pin(async move {
            let rows = Arc::new(rows);
            // Columns need nothing read; only relations become futures (a relation's future is
            // large, and a selection is mostly columns).
            let read: Vec<_> = selection
                .fields
                .iter()
                .filter(|field| !field.item.is_inline())
                .map(|field| self.field(&field.item, Arc::clone(&rows)))
                .collect();
            let mut read = self.join(read).await?.into_iter();
            let fields = selection
                .fields
                .iter()
                .map(|field| {
                    if field.item.is_inline() {
                        Ok(FieldData::Inline)
                    } else {
                        read.next()
                            .ok_or_else(|| gave_up("a relation's data went missing"))
                    }
                })
                .collect::<AppResult<_>>()?;
            Ok(Fetched { fields })
        })
    }

    /// Boxed: a relation's future holds every statement's future inline and is large; unboxed,
    /// every future that awaits one (an object, a level) would be as large and be moved whole.
    fn field<'s>(
        &'s self,
        field: &'s ObjectField,
        rows: Arc<Vec<RowRef>>,
    ) -> BoxFuture<'s, AppResult<FieldData>> {
        Box::pin(self.read_field(field, rows))
    }

    async fn read_field(
        &self,
        field: &ObjectField,
        rows: Arc<Vec<RowRef>>,
    ) -> AppResult<FieldData> {
        match field {
            ObjectField::Typename | ObjectField::Column(_) | ObjectField::Money(_) => {
                Ok(FieldData::Inline)
            }
            ObjectField::ToOne {
                relation,
                selection,
            } => {
                let wanted = unique(rows.iter().filter_map(|row| row.reference(*relation)));
                let targets = self.by_ids(relation.target(), wanted).await?;
                if relation.required()
                    && rows.iter().any(|row| {
                        row.reference(*relation)
                            .is_none_or(|id| !targets.contains_key(&id))
                    })
                {
                    return Err(gave_up("a required relation has no visible target"));
                }
                let nested = self
                    .object(selection, unique_rows(targets.values()))
                    .await?;
                Ok(FieldData::ToOne { targets, nested })
            }
            ObjectField::List {
                relation,
                selection,
            } => {
                let parents = unique(rows.iter().map(|row| row.id()));
                let children = self.all_of(*relation, &parents).await?;
                let all: Vec<RowRef> = unique_rows(children.values().flatten());
                self.remember(relation.child(), &all);
                let nested = self.object(selection, all).await?;
                Ok(FieldData::List { children, nested })
            }
            ObjectField::Connection {
                relation,
                window,
                selection,
            } => {
                let parents = unique(rows.iter().map(|row| row.id()));
                let pages = self.pages_of(*relation, &parents, window);
                let counts = async {
                    if selection.counts() {
                        self.counts_of(*relation, &parents, window).await
                    } else {
                        Ok(HashMap::new())
                    }
                };
                let (pages, counts) = self.both(pages, counts).await?;
                let all = unique_rows(pages.values().flat_map(|page| &page.rows));
                self.remember(relation.child(), &all);
                let nested = self.connection(selection, &all, window).await?;
                Ok(FieldData::Connection {
                    pages,
                    counts,
                    nested,
                })
            }
        }
    }

    async fn connection(
        &self,
        selection: &ConnectionSelection,
        rows: &[RowRef],
        window: &PageWindow,
    ) -> AppResult<ConnectionData> {
        // Connections select `edges { node }` or `nodes`, rarely both: their selections are
        // read one after the other.
        let mut fields = Vec::with_capacity(selection.fields.len());
        for field in &selection.fields {
            fields.push(match &field.item {
                ConnectionField::Edges(edges) => {
                    let mut nodes = Vec::with_capacity(edges.len());
                    for edge in edges {
                        nodes.push(match &edge.item {
                            EdgeField::Node(node) => Some(self.object(node, rows.to_vec()).await?),
                            _ => None,
                        });
                    }
                    ConnectionFieldData::Edges(nodes)
                }
                ConnectionField::Nodes(node) => {
                    ConnectionFieldData::Nodes(self.object(node, rows.to_vec()).await?)
                }
                _ => ConnectionFieldData::Inline,
            });
        }
        Ok(ConnectionData {
            fingerprint: window.spec.fingerprint(),
            fields,
        })
    }

    /// Rows by id, from memory where an earlier level read them.
    async fn by_ids(&self, record: RecordType, ids: Vec<Uuid>) -> AppResult<IdMap<RowRef>> {
        let mut found = IdMap::default();
        let mut missing = Vec::new();
        {
            let memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
            for id in ids {
                match memory.get(&(record, id)) {
                    Some(row) => {
                        found.insert(id, Arc::clone(row));
                    }
                    None => missing.push(id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let loaded = match record {
            RecordType::Account => self.load::<account::Entity>(record, &missing).await?,
            RecordType::Contact => self.load::<contact::Entity>(record, &missing).await?,
            RecordType::ContactIdentity => {
                self.load::<contact_identity::Entity>(record, &missing)
                    .await?
            }
            RecordType::CommunicationMethod => {
                self.load::<communication_method::Entity>(record, &missing)
                    .await?
            }
            RecordType::Incident => self.load::<incident::Entity>(record, &missing).await?,
            RecordType::Opportunity => self.load::<opportunity::Entity>(record, &missing).await?,
        };
        {
            let mut memory = self.memory.lock().unwrap_or_else(PoisonError::into_inner);
            for (id, row) in &loaded {
                memory.insert((record, *id), Arc::clone(row));
            }
        }
        found.extend(loaded);
        Ok(found)
    }

    async fn load<E>(&self, record: RecordType, ids: &[Uuid]) -> AppResult<IdMap<RowRef>>
    where
        E: Record,
        E::Model: Row,
    {
        let projection = self.projection(record);
        let rows = rel::by_ids_projected::<E>(&self.db, ids, &projection).await?;
        Ok(rows
            .into_iter()
            .map(|(id, row)| (id, row as RowRef))
            .collect())
    }

    async fn root_page(
        &self,
        record: RecordType,
        window: &PageWindow,
        count: bool,
    ) -> AppResult<(DynPage, u64)> {
        match record {
            RecordType::Account => self.root_of::<account::Entity>(record, window, count).await,
            RecordType::Contact => self.root_of::<contact::Entity>(record, window, count).await,
            RecordType::Incident => {
                self.root_of::<incident::Entity>(record, window, count)
                    .await
            }
            RecordType::Opportunity => {
                self.root_of::<opportunity::Entity>(record, window, count)
                    .await
            }
            RecordType::ContactIdentity | RecordType::CommunicationMethod => {
                Err(gave_up("no root list of this type"))
            }
        }
    }

    async fn root_of<E>(
        &self,
        record: RecordType,
        window: &PageWindow,
        count: bool,
    ) -> AppResult<(DynPage, u64)>
    where
        E: Record,
        E::Model: Row,
    {
        let projection = self.projection(record);
        let page = page::root_page_projected::<E>(&self.db, window, Condition::all(), &projection);
        let total = async {
            if count {
                page::count_all::<E>(&self.db, Condition::all(), &window.spec).await
            } else {
                Ok(0)
            }
        };
        let (page, total) = self.both(page, total).await?;
        Ok((
            DynPage {
                rows: page.rows.into_iter().map(|row| row as RowRef).collect(),
                positions: page.positions,
                has_previous: page.has_previous,
                has_next: page.has_next,
            },
            total,
        ))
    }

    async fn all_of(&self, relation: Many, parents: &[Uuid]) -> AppResult<IdMap<Vec<RowRef>>> {
        match relation {
            Many::MethodsOfAccount => self.all::<rel::MethodsOfAccount>(parents).await,
            Many::IdentitiesOfContact => self.all::<rel::IdentitiesOfContact>(parents).await,
            Many::MethodsOfContact => self.all::<rel::MethodsOfContact>(parents).await,
            _ => Err(gave_up("not a whole-list relation")),
        }
    }

    async fn all<R>(&self, parents: &[Uuid]) -> AppResult<IdMap<Vec<RowRef>>>
    where
        R: HasMany,
        ChildOf<R>: Row + Stored,
    {
        let projection = self.projection(record_of::<R>());
        let lists = rel::all_of_projected::<R>(&self.db, parents, &projection).await?;
        Ok(lists
            .into_iter()
            .map(|(parent, rows)| {
                let rows = rows.iter().map(|row| Arc::clone(row) as RowRef).collect();
                (parent, rows)
            })
            .collect())
    }

    async fn pages_of(
        &self,
        relation: Many,
        parents: &[Uuid],
        window: &PageWindow,
    ) -> AppResult<IdMap<DynPage>> {
        match relation {
            Many::ContactsOfAccount => self.pages::<rel::ContactsOfAccount>(parents, window).await,
            Many::IncidentsOfAccount => {
                self.pages::<rel::IncidentsOfAccount>(parents, window).await
            }
            Many::OpportunitiesOfAccount => {
                self.pages::<rel::OpportunitiesOfAccount>(parents, window)
                    .await
            }
            Many::CustomersOfPartner => {
                self.pages::<rel::CustomersOfPartner>(parents, window).await
            }
            Many::IncidentsOfContact => {
                self.pages::<rel::IncidentsOfContact>(parents, window).await
            }
            Many::OpportunitiesOfContact => {
                self.pages::<rel::OpportunitiesOfContact>(parents, window)
                    .await
            }
            Many::MethodsOfAccount | Many::IdentitiesOfContact | Many::MethodsOfContact => {
                Err(gave_up("not a paged relation"))
            }
        }
    }

    async fn pages<R>(&self, parents: &[Uuid], window: &PageWindow) -> AppResult<IdMap<DynPage>>
    where
        R: HasMany,
        ChildOf<R>: Row + Stored,
    {
        let projection = self.projection(record_of::<R>());
        let pages = rel::pages_of_projected::<R>(&self.db, parents, window, &projection).await?;
        Ok(pages
            .into_iter()
            .map(|(parent, page)| {
                let page = DynPage {
                    rows: page
                        .rows
                        .iter()
                        .map(|row| Arc::clone(row) as RowRef)
                        .collect(),
                    positions: page.positions.clone(),
                    has_previous: page.has_previous,
                    has_next: page.has_next,
                };
                (parent, page)
            })
            .collect())
    }

    async fn counts_of(
        &self,
        relation: Many,
        parents: &[Uuid],
        window: &PageWindow,
    ) -> AppResult<HashMap<Uuid, u64>> {
        let spec = &window.spec;
        match relation {
            Many::ContactsOfAccount => {
                rel::counts_of::<rel::ContactsOfAccount>(&self.db, parents, spec).await
            }
            Many::IncidentsOfAccount => {
                rel::counts_of::<rel::IncidentsOfAccount>(&self.db, parents, spec).await
            }
            Many::OpportunitiesOfAccount => {
                rel::counts_of::<rel::OpportunitiesOfAccount>(&self.db, parents, spec).await
            }
            Many::CustomersOfPartner => {
                rel::counts_of::<rel::CustomersOfPartner>(&self.db, parents, spec).await
            }
            Many::IncidentsOfContact => {
                rel::counts_of::<rel::IncidentsOfContact>(&self.db, parents, spec).await
            }
            Many::OpportunitiesOfContact => {
                rel::counts_of::<rel::OpportunitiesOfContact>(&self.db, parents, spec).await
            }
            Many::MethodsOfAccount | Many::IdentitiesOfContact | Many::MethodsOfContact => {
                Err(gave_up("not a paged relation"))
            }
        }
    }
}

/// The record type of a relation's children.
fn record_of<R: HasMany>() -> RecordType
where
    ChildOf<R>: Stored,
{
    <ChildOf<R> as Stored>::RECORD
}
