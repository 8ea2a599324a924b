//! Accounts and contacts. Their foreign keys form a cycle (contact -> account, account's primary
//! contact -> contact): SQLite accepts the forward reference inside CREATE TABLE, PostgreSQL gets
//! that one constraint added once both tables exist.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, integer, string, string_null, text_null, uuid_null};
use sea_orm_migration::sea_orm::DbBackend;

use crate::iden::{Account, Contact};
use crate::shape::{enum_column, foreign_key, id_column, parent_index, with_timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        let primary_contact_fk = foreign_key(
            Account::Table,
            Account::PrimaryContactId,
            Contact::Table,
            Contact::Id,
            ForeignKeyAction::SetNull,
        );

        let mut account = account_table();
        if sqlite {
            account.foreign_key(&mut primary_contact_fk.clone());
        }
        manager.create_table(account).await?;
        manager.create_table(contact_table()).await?;
        if !sqlite {
            manager.create_foreign_key(primary_contact_fk).await?;
        }

        for index in [
            parent_index(Account::Table, Account::PartnerId, Account::Id),
            parent_index(Account::Table, Account::PrimaryContactId, Account::Id),
            parent_index(Contact::Table, Contact::AccountId, Contact::Id),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            manager
                .drop_foreign_key(
                    ForeignKey::drop()
                        .name("fk_account_primary_contact_id")
                        .table(Account::Table)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Contact::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Account::Table).to_owned())
            .await
    }
}

fn account_table() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(Account::Table)
        .col(id_column(Account::Id))
        .col(string(Account::Name))
        .col(boolean(Account::IsCustomer))
        .col(boolean(Account::IsPartner))
        .col(uuid_null(Account::PartnerId))
        .col(uuid_null(Account::PrimaryContactId))
        .col(string_null(Account::Phone))
        .col(string_null(Account::Website))
        .col(string_null(Account::Street))
        .col(string_null(Account::City))
        .col(string_null(Account::State))
        .col(string_null(Account::PostalCode))
        .col(string_null(Account::Country))
        .col(text_null(Account::Notes));
    with_timestamps(&mut table)
        .check((
            "ck_account_name_not_blank",
            Expr::cust("length(trim(name)) > 0"),
        ))
        .check((
            "ck_account_customer_or_partner",
            Expr::cust("is_customer OR is_partner"),
        ))
        .foreign_key(&mut foreign_key(
            Account::Table,
            Account::PartnerId,
            Account::Table,
            Account::Id,
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn contact_table() -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(Contact::Table)
        .col(id_column(Contact::Id))
        .col(uuid_null(Contact::AccountId))
        .col(string_null(Contact::Title))
        .col(string_null(Contact::FirstName))
        .col(string(Contact::LastName))
        .col(string_null(Contact::Alias))
        .col(string_null(Contact::JobTitle))
        .col(text_null(Contact::Description))
        .col(string_null(Contact::Timezone))
        .col(enum_column(Contact::EmailFormat))
        .col(boolean(Contact::MarketingOptIn))
        .col(boolean(Contact::EmailOptIn))
        .col(boolean(Contact::SmsOptIn))
        .col(boolean(Contact::WhatsappOptIn))
        .col(string_null(Contact::Street))
        .col(string_null(Contact::City))
        .col(string_null(Contact::State))
        .col(string_null(Contact::PostalCode))
        .col(string_null(Contact::Country))
        .col(integer(Contact::Version).default(1));
    with_timestamps(&mut table)
        .check((
            "ck_contact_last_name_not_blank",
            Expr::cust("length(trim(last_name)) > 0"),
        ))
        .check(("ck_contact_version_positive", Expr::cust("version > 0")))
        .foreign_key(&mut foreign_key(
            Contact::Table,
            Contact::AccountId,
            Account::Table,
            Account::Id,
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}
