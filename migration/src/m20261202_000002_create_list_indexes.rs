//! Indexes for the common filters and orders of lists: open cases by date, an account's cases by
//! status, contacts and accounts by name (case-insensitively, as lists sort them), identities by
//! value.
//!
//! Expression indexes are written as SQL: both backends accept the same statement.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(name, table, columns)`; the trailing `id` matches the tie-breaker every list orders by.
const INDEXES: &[(&str, &str, &str)] = &[
    (
        "ix_incident_status_created_at",
        "incident",
        "status, created_at, id",
    ),
    (
        "ix_incident_priority_created_at",
        "incident",
        "priority, created_at, id",
    ),
    (
        "ix_incident_account_id_status",
        "incident",
        "account_id, status, id",
    ),
    ("ix_incident_created_at", "incident", "created_at, id"),
    (
        "ix_contact_lower_last_name",
        "contact",
        "lower(last_name), id",
    ),
    ("ix_contact_created_at", "contact", "created_at, id"),
    ("ix_account_lower_name", "account", "lower(name), id"),
    (
        "ix_contact_identity_normalized_value",
        "contact_identity",
        "normalized_value, contact_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, table, columns) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX \"{name}\" ON \"{table}\" ({columns})"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX \"{name}\""))
                .await?;
        }
        Ok(())
    }
}
