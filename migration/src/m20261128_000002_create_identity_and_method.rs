//! Contact identities (unique per channel and normalized value across all contacts) and the
//! free-form communication methods of an account or of one contact.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, string_null, uuid, uuid_null};

use crate::iden::{Account, CommunicationMethod, Contact, ContactIdentity};
use crate::shape::{enum_column, foreign_key, id_column, parent_index, with_timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut identity = Table::create();
        identity
            .table(ContactIdentity::Table)
            .col(id_column(ContactIdentity::Id))
            .col(uuid(ContactIdentity::ContactId))
            .col(enum_column(ContactIdentity::Channel))
            .col(string(ContactIdentity::Value))
            .col(string(ContactIdentity::NormalizedValue));
        with_timestamps(&mut identity).foreign_key(&mut foreign_key(
            ContactIdentity::Table,
            ContactIdentity::ContactId,
            Contact::Table,
            Contact::Id,
            ForeignKeyAction::Cascade,
        ));
        manager.create_table(identity.to_owned()).await?;

        let mut method = Table::create();
        method
            .table(CommunicationMethod::Table)
            .col(id_column(CommunicationMethod::Id))
            .col(uuid_null(CommunicationMethod::AccountId))
            .col(uuid_null(CommunicationMethod::ContactId))
            .col(enum_column(CommunicationMethod::Kind))
            .col(string(CommunicationMethod::Value))
            .col(string_null(CommunicationMethod::Label));
        with_timestamps(&mut method)
            .check((
                "ck_communication_method_one_owner",
                Expr::cust("(account_id IS NULL) <> (contact_id IS NULL)"),
            ))
            .foreign_key(&mut foreign_key(
                CommunicationMethod::Table,
                CommunicationMethod::AccountId,
                Account::Table,
                Account::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut foreign_key(
                CommunicationMethod::Table,
                CommunicationMethod::ContactId,
                Contact::Table,
                Contact::Id,
                ForeignKeyAction::Cascade,
            ));
        manager.create_table(method.to_owned()).await?;

        manager
            .create_index(
                Index::create()
                    .name("uq_contact_identity_channel_normalized_value")
                    .table(ContactIdentity::Table)
                    .col(ContactIdentity::Channel)
                    .col(ContactIdentity::NormalizedValue)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for index in [
            parent_index(
                ContactIdentity::Table,
                ContactIdentity::ContactId,
                ContactIdentity::Id,
            ),
            parent_index(
                CommunicationMethod::Table,
                CommunicationMethod::AccountId,
                CommunicationMethod::Id,
            ),
            parent_index(
                CommunicationMethod::Table,
                CommunicationMethod::ContactId,
                CommunicationMethod::Id,
            ),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CommunicationMethod::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ContactIdentity::Table).to_owned())
            .await
    }
}
