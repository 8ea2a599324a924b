//! Schema migrations of contacts-graph: schema changes only, no data rules.
//!
//! Every constraint and index is named (`pk_`, `fk_`, `ix_`, `uq_`, `ck_`) so errors can be mapped
//! from the constraint name and later migrations can drop them by name on both backends.

pub use sea_orm_migration::prelude::*;

mod iden;
mod m20261128_000001_create_account_and_contact;
mod m20261128_000002_create_identity_and_method;
mod m20261128_000003_create_incident_and_opportunity;
mod m20261128_000004_create_audit_entry;
mod m20261128_000005_create_contact_redirect;
mod m20261128_000006_create_identity_conflict;
mod m20261202_000001_create_api_key;
mod m20261202_000002_create_list_indexes;
mod m20261202_000003_create_search;
mod m20261203_000001_create_relation_filter_indexes;
mod shape;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_account_and_contact::Migration),
            Box::new(m20261128_000002_create_identity_and_method::Migration),
            Box::new(m20261128_000003_create_incident_and_opportunity::Migration),
            Box::new(m20261128_000004_create_audit_entry::Migration),
            Box::new(m20261128_000005_create_contact_redirect::Migration),
            Box::new(m20261128_000006_create_identity_conflict::Migration),
            Box::new(m20261202_000001_create_api_key::Migration),
            Box::new(m20261202_000002_create_list_indexes::Migration),
            Box::new(m20261202_000003_create_search::Migration),
            Box::new(m20261203_000001_create_relation_filter_indexes::Migration),
        ]
    }
}
