//! API keys, and the key that wrote each audit entry.
//!
//! `audit_entry.api_key_id` is indexed but not a foreign key, like the log's other references:
//! an entry names its author even after the key is gone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    string, string_len, timestamp_with_time_zone, timestamp_with_time_zone_null, uuid_null,
};

use crate::iden::{Account, ApiKey, AuditEntry};
use crate::shape::{enum_column, foreign_key, id_column, parent_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(id_column(ApiKey::Id))
                    .col(string(ApiKey::Name))
                    .col(enum_column(ApiKey::Role))
                    .col(uuid_null(ApiKey::PartnerAccountId))
                    .col(string_len(ApiKey::TokenSha256, 64))
                    .col(string_len(ApiKey::TokenPrefix, 16))
                    .col(timestamp_with_time_zone(ApiKey::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiKey::RevokedAt))
                    .foreign_key(&mut foreign_key(
                        ApiKey::Table,
                        ApiKey::PartnerAccountId,
                        Account::Table,
                        Account::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .check((
                        "ck_api_key_partner_account_iff_partner",
                        Expr::cust(
                            "(role = 'PARTNER' AND partner_account_id IS NOT NULL) \
                             OR (role <> 'PARTNER' AND partner_account_id IS NULL)",
                        ),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_api_key_token_sha256")
                    .table(ApiKey::Table)
                    .col(ApiKey::TokenSha256)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(parent_index(
                ApiKey::Table,
                ApiKey::PartnerAccountId,
                ApiKey::Id,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEntry::Table)
                    .add_column(uuid_null(AuditEntry::ApiKeyId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(parent_index(
                AuditEntry::Table,
                AuditEntry::ApiKeyId,
                AuditEntry::Id,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_audit_entry_api_key_id")
                    .table(AuditEntry::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEntry::Table)
                    .drop_column(AuditEntry::ApiKeyId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ApiKey::Table).to_owned())
            .await
    }
}
