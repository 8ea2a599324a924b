//! Small builders for the shapes every table repeats: UUID keys, timestamps, named foreign keys
//! and the `(foreign key, id)` indexes that serve both joins and per-parent pages.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, timestamp_with_time_zone, uuid};

use crate::iden::Timestamps;

/// Width of the stored enum columns (see `entity::enums`).
pub const ENUM_LEN: u32 = 32;

/// A UUID v7 primary key column; v7 keys sort in creation order, which lists rely on.
pub fn id_column<T: IntoIden>(col: T) -> ColumnDef {
    uuid(col).primary_key().to_owned()
}

pub fn enum_column<T: IntoIden>(col: T) -> ColumnDef {
    string_len(col, ENUM_LEN)
}

/// Adds `created_at` and `updated_at`, both UTC.
pub fn with_timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone(Timestamps::CreatedAt))
        .col(timestamp_with_time_zone(Timestamps::UpdatedAt))
}

/// A named foreign key `fk_<table>_<column>`.
pub fn foreign_key<T, C, R, RC>(
    table: T,
    column: C,
    referenced: R,
    referenced_column: RC,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement
where
    T: IntoIden + Copy,
    C: IntoIden + Copy,
    R: IntoIden,
    RC: IntoIden,
{
    let name = format!("fk_{}_{}", table.into_iden(), column.into_iden());
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(referenced, referenced_column)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .to_owned()
}

/// A named index `ix_<table>_<column>` on `(column, id)`: it serves foreign-key checks and
/// `ROW_NUMBER() OVER (PARTITION BY column ORDER BY id)` pages alike.
pub fn parent_index<T, C, I>(table: T, column: C, id: I) -> IndexCreateStatement
where
    T: IntoIden + Copy,
    C: IntoIden + Copy,
    I: IntoIden,
{
    let name = format!("ix_{}_{}", table.into_iden(), column.into_iden());
    Index::create()
        .name(name)
        .table(table)
        .col(column)
        .col(id)
        .to_owned()
}
