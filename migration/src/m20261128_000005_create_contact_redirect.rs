//! Redirects from merged-away contact ids to their survivors.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, timestamp_with_time_zone, uuid};

use crate::iden::{Contact, ContactRedirect};
use crate::shape::{foreign_key, parent_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContactRedirect::Table)
                    .col(uuid(ContactRedirect::MergedId).primary_key())
                    .col(uuid(ContactRedirect::SurvivorId))
                    .col(timestamp_with_time_zone(ContactRedirect::MergedAt))
                    .col(string(ContactRedirect::Actor))
                    .foreign_key(&mut foreign_key(
                        ContactRedirect::Table,
                        ContactRedirect::SurvivorId,
                        Contact::Table,
                        Contact::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(parent_index(
                ContactRedirect::Table,
                ContactRedirect::SurvivorId,
                ContactRedirect::MergedId,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ContactRedirect::Table).to_owned())
            .await
    }
}
