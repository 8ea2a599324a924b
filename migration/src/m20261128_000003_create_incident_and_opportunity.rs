//! Incidents (cases, always with a primary contact) and opportunities (sales).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer_null, char_len_null, date_null, string, string_len_null, text_null,
    timestamp_with_time_zone_null, uuid, uuid_null,
};

use crate::iden::{Account, Contact, Incident, Opportunity};
use crate::shape::{ENUM_LEN, enum_column, foreign_key, id_column, parent_index, with_timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(incident_table()).await?;
        manager.create_table(opportunity_table()).await?;
        for index in [
            parent_index(Incident::Table, Incident::AccountId, Incident::Id),
            parent_index(Incident::Table, Incident::PrimaryContactId, Incident::Id),
            parent_index(Incident::Table, Incident::ReportedByPartnerId, Incident::Id),
            parent_index(Opportunity::Table, Opportunity::AccountId, Opportunity::Id),
            parent_index(
                Opportunity::Table,
                Opportunity::PrimaryContactId,
                Opportunity::Id,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Opportunity::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Incident::Table).to_owned())
            .await
    }
}

fn incident_table() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(Incident::Table)
        .col(id_column(Incident::Id))
        .col(uuid_null(Incident::AccountId))
        .col(uuid(Incident::PrimaryContactId))
        .col(uuid_null(Incident::ReportedByPartnerId))
        .col(string(Incident::Subject))
        .col(text_null(Incident::Description))
        .col(enum_column(Incident::Status))
        .col(enum_column(Incident::Priority))
        .col(string_len_null(Incident::Channel, ENUM_LEN))
        .col(timestamp_with_time_zone_null(Incident::ClosedAt));
    with_timestamps(&mut table)
        .check((
            "ck_incident_subject_not_blank",
            Expr::cust("length(trim(subject)) > 0"),
        ))
        .foreign_key(&mut foreign_key(
            Incident::Table,
            Incident::AccountId,
            Account::Table,
            Account::Id,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign_key(
            Incident::Table,
            Incident::PrimaryContactId,
            Contact::Table,
            Contact::Id,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign_key(
            Incident::Table,
            Incident::ReportedByPartnerId,
            Account::Table,
            Account::Id,
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn opportunity_table() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(Opportunity::Table)
        .col(id_column(Opportunity::Id))
        .col(uuid(Opportunity::AccountId))
        .col(uuid_null(Opportunity::PrimaryContactId))
        .col(string(Opportunity::Name))
        .col(enum_column(Opportunity::Stage))
        .col(big_integer_null(Opportunity::Amount))
        .col(char_len_null(Opportunity::Currency, 3))
        .col(date_null(Opportunity::ExpectedCloseDate));
    with_timestamps(&mut table)
        .check((
            "ck_opportunity_name_not_blank",
            Expr::cust("length(trim(name)) > 0"),
        ))
        .check((
            "ck_opportunity_amount_with_currency",
            Expr::cust("(amount IS NULL) = (currency IS NULL)"),
        ))
        .check((
            "ck_opportunity_amount_not_negative",
            Expr::cust("amount IS NULL OR amount >= 0"),
        ))
        .foreign_key(&mut foreign_key(
            Opportunity::Table,
            Opportunity::AccountId,
            Account::Table,
            Account::Id,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign_key(
            Opportunity::Table,
            Opportunity::PrimaryContactId,
            Contact::Table,
            Contact::Id,
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}
