//! Identity conflicts kept for review. `survivor_id` is deliberately not a foreign key: the
//! record outlives the contacts it names (like the audit log).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    json_binary, string_null, timestamp_with_time_zone_null, uuid_null,
};

use crate::iden::IdentityConflict;
use crate::shape::{enum_column, id_column, parent_index, with_timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(IdentityConflict::Table)
            .col(id_column(IdentityConflict::Id))
            .col(enum_column(IdentityConflict::Status))
            .col(json_binary(IdentityConflict::Identities))
            .col(json_binary(IdentityConflict::ContactIds))
            .col(timestamp_with_time_zone_null(IdentityConflict::ResolvedAt))
            .col(string_null(IdentityConflict::ResolvedBy))
            .col(uuid_null(IdentityConflict::SurvivorId));
        manager
            .create_table(with_timestamps(&mut table).to_owned())
            .await?;
        // Serves `identityConflicts(status:)` pages: `WHERE status = ? AND id > ? ORDER BY id`.
        manager
            .create_index(parent_index(
                IdentityConflict::Table,
                IdentityConflict::Status,
                IdentityConflict::Id,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdentityConflict::Table).to_owned())
            .await
    }
}
