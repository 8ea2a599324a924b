//! The append-only audit log. `entity_id` and `contact_id` are indexed but deliberately not
//! foreign keys: the log outlives the records it describes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{json_binary, string, timestamp_with_time_zone, uuid, uuid_null};

use crate::iden::AuditEntry;
use crate::shape::{enum_column, id_column, parent_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEntry::Table)
                    .col(id_column(AuditEntry::Id))
                    .col(uuid(AuditEntry::OperationId))
                    .col(enum_column(AuditEntry::EntityType))
                    .col(uuid(AuditEntry::EntityId))
                    .col(uuid_null(AuditEntry::ContactId))
                    .col(enum_column(AuditEntry::Action))
                    .col(string(AuditEntry::Actor))
                    .col(timestamp_with_time_zone(AuditEntry::At))
                    .col(json_binary(AuditEntry::Changes))
                    .to_owned(),
            )
            .await?;
        for index in [
            parent_index(AuditEntry::Table, AuditEntry::EntityId, AuditEntry::Id),
            parent_index(AuditEntry::Table, AuditEntry::ContactId, AuditEntry::Id),
            parent_index(AuditEntry::Table, AuditEntry::OperationId, AuditEntry::Id),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEntry::Table).to_owned())
            .await
    }
}
