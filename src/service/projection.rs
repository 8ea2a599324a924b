//! Which columns a read fills. A nested answer usually selects a handful of a record's columns;
//! reading and decoding all of them for thousands of rows costs more than the statement's
//! search (on SQLite every column of every row is a round of calls into the library). A
//! projection reads only the columns a caller needs plus the id (a caller that follows a
//! relation names its foreign key); the row still decodes into the record's model, with
//! placeholders in the fields left out.
//!
//! A model read under a projection is therefore only good for the fields the projection kept.
//! Only the compiled read path uses projections, with one projection per record type for a whole
//! request (so the rows it shares between levels are alike); record types without a sparse
//! decoder (see `Record::sparse`) are always read whole.

mod decode;

use std::sync::Arc;

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::sqlx::Row as _;
use sea_orm::{
    DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, QueryResult, QueryTrait, RuntimeErr,
    TryGetable,
};
use uuid::Uuid;

pub(crate) use decode::{
    account, communication_method, contact, contact_identity, incident, opportunity,
};

use crate::service::record::Record;

/// The columns of a table a read fills (database names); `None` reads every column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Projection {
    kept: Option<Arc<[&'static str]>>,
}

impl Projection {
    /// Every column.
    pub fn all() -> Self {
        Self::default()
    }

    /// The columns of `E` that `needed` asks for (database names) plus the id.
    pub fn only<E: Record>(needed: impl Fn(&str) -> bool) -> Self {
        if !E::SPARSE {
            return Self::all();
        }
        let kept: Vec<&'static str> = E::Column::iter()
            .map(|column| column.as_str())
            .filter(|name| needed(name) || *name == "id")
            .collect();
        Self {
            kept: Some(kept.into()),
        }
    }

    pub fn is_all(&self) -> bool {
        self.kept.is_none()
    }

    /// `SELECT <the projection's columns of E> FROM <E's table>`, built without listing every
    /// column first (which `E::find()` does, at a cost a point lookup notices).
    pub fn select<E: EntityTrait>(&self) -> SelectStatement {
        let Some(kept) = &self.kept else {
            return E::find().into_query();
        };
        let mut select = Query::select();
        select.from(E::default());
        select_kept::<E>(kept, &mut select);
        select
    }

    /// Replaces the select list of a `SELECT <all columns of E> ...` with the projection's.
    /// Call it before adding other expressions (sort keys, parent columns).
    pub fn apply<E: EntityTrait>(&self, select: &mut SelectStatement) {
        let Some(kept) = &self.kept else {
            return;
        };
        select.clear_selects();
        select_kept::<E>(kept, select);
    }

    /// A row read under this projection, as `E`'s model.
    pub fn decode<E: Record>(&self, row: &QueryResult) -> Result<E::Model, DbErr> {
        match &self.kept {
            None => E::Model::from_query_result(row, ""),
            Some(kept) => E::sparse(row, &Kept(kept)),
        }
    }
}

/// Adds the kept columns of `E` to the select list, in the table's column order.
fn select_kept<E: EntityTrait>(kept: &[&'static str], select: &mut SelectStatement) {
    for column in E::Column::iter() {
        if kept.contains(&column.as_str()) {
            select.column((E::default(), column));
        }
    }
}

/// The columns a sparse row holds, in the order the statement selects them (the table's, from
/// the start of the select list: see [`Projection::apply`]), so a column is read by its
/// position instead of being looked up by name in every row.
pub struct Kept<'a>(&'a [&'static str]);

impl Kept<'_> {
    fn index(&self, column: &str) -> Option<usize> {
        self.0.iter().position(|kept| *kept == column)
    }

    /// The column's value, or `placeholder` when the projection left it out.
    pub fn get<T: TryGetable>(
        &self,
        row: &QueryResult,
        column: &str,
        placeholder: T,
    ) -> Result<T, DbErr> {
        match self.index(column) {
            Some(index) => row.try_get_by_index(index),
            None => Ok(placeholder),
        }
    }

    /// A nullable column's value, `None` when left out.
    pub fn optional<T: TryGetable>(
        &self,
        row: &QueryResult,
        column: &str,
    ) -> Result<Option<T>, DbErr>
    where
        Option<T>: TryGetable,
    {
        self.get(row, column, None)
    }

    /// A key column (`id`, `*_id`), decoded by sqlx itself: sea-orm formats an error message
    /// for every `NULL` it reads into an `Option`, then drops it, thousands of times in a nested
    /// answer. A foreign key left out reads as absent (the nil id when it cannot be null).
    pub fn key<T: KeyValue>(&self, row: &QueryResult, column: &str) -> Result<T, DbErr> {
        let Some(index) = self.index(column) else {
            return Ok(T::LEFT_OUT);
        };
        let value = if let Some(row) = row.try_as_pg_row() {
            row.try_get::<Option<Uuid>, _>(index)
                .map_err(|err| DbErr::Query(RuntimeErr::SqlxError(err.into())))?
        } else if let Some(row) = row.try_as_sqlite_row() {
            row.try_get::<Option<Uuid>, _>(index)
                .map_err(|err| DbErr::Query(RuntimeErr::SqlxError(err.into())))?
        } else {
            row.try_get_by_index::<Option<Uuid>>(index)?
        };
        T::from_key(value, column)
    }
}

/// The value of a key column: a UUID, or a nullable one.
pub trait KeyValue: Sized {
    /// The placeholder of a key the projection left out.
    const LEFT_OUT: Self;

    fn from_key(value: Option<Uuid>, column: &str) -> Result<Self, DbErr>;
}

impl KeyValue for Uuid {
    const LEFT_OUT: Self = Uuid::nil();

    fn from_key(value: Option<Uuid>, column: &str) -> Result<Self, DbErr> {
        value.ok_or_else(|| DbErr::Custom(format!("key column {column} is null")))
    }
}

impl KeyValue for Option<Uuid> {
    const LEFT_OUT: Self = None;

    fn from_key(value: Option<Uuid>, _column: &str) -> Result<Self, DbErr> {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::contact;
    use sea_orm::{DbBackend, QueryTrait};

    #[test]
    fn the_id_is_always_read_and_foreign_keys_only_when_asked() {
        let sql = |projection: Projection| {
            let mut select = contact::Entity::find().into_query();
            projection.apply::<contact::Entity>(&mut select);
            DbBackend::Sqlite.build(&select).to_string()
        };
        assert_eq!(
            sql(Projection::only::<contact::Entity>(
                |name| name == "first_name"
            )),
            "SELECT \"contact\".\"id\", \"contact\".\"first_name\" FROM \"contact\""
        );
        assert_eq!(
            sql(Projection::only::<contact::Entity>(
                |name| name == "account_id"
            )),
            "SELECT \"contact\".\"id\", \"contact\".\"account_id\" FROM \"contact\""
        );
    }

    #[test]
    fn the_full_projection_leaves_the_statement_alone() {
        let mut select = contact::Entity::find().into_query();
        let before = DbBackend::Sqlite.build(&select).to_string();
        Projection::all().apply::<contact::Entity>(&mut select);
        assert_eq!(DbBackend::Sqlite.build(&select).to_string(), before);
    }
}
