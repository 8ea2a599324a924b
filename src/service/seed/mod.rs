//! Seed data: a small hand-written demo set for the first start, and generated data sets of any
//! size for benchmarks and load tests.
//!
//! Both are deterministic: ids are UUID v7 built from a fixed base time and a seeded RNG (never
//! `now_v7()`), so the same plan gives byte-identical rows and the README's ids stay valid.
//! Both write everything in one transaction and refuse a database that already has accounts or
//! contacts, since their fixed ids and addresses would collide with a previous run.

mod audit;
mod cases;
mod demo;
mod generated;
mod ids;
mod names;
mod people;
mod phones;
mod rows;
#[cfg(test)]
mod tests;

use std::fmt;

use entity::{account, contact};
use phonenumber::country;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use generated::Generator;

/// The size and seed of a generated data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedPlan {
    pub accounts: usize,
    pub contacts_per_account: usize,
    /// Same seed, same rows.
    pub seed: u64,
}

impl SeedPlan {
    /// Contacts per account in plans made by [`SeedPlan::for_contacts`].
    pub const CONTACTS_PER_ACCOUNT: usize = 20;

    /// About `contacts` contacts, 20 per account (rounded up to whole accounts; fewer than 20
    /// contacts make one smaller account).
    pub fn for_contacts(contacts: usize, seed: u64) -> Self {
        let per_account = Self::CONTACTS_PER_ACCOUNT.min(contacts);
        Self {
            accounts: contacts.div_ceil(per_account.max(1)),
            contacts_per_account: per_account,
            seed,
        }
    }

    pub fn contacts(&self) -> usize {
        self.accounts * self.contacts_per_account
    }
}

/// Rows written by a seeding run, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub accounts: u64,
    pub contacts: u64,
    pub identities: u64,
    pub communication_methods: u64,
    pub incidents: u64,
    pub opportunities: u64,
    pub audit_entries: u64,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} accounts, {} contacts, {} identities, {} communication methods, {} incidents, \
             {} opportunities, {} audit entries",
            self.accounts,
            self.contacts,
            self.identities,
            self.communication_methods,
            self.incidents,
            self.opportunities,
            self.audit_entries
        )
    }
}

impl SeedReport {
    fn add(&mut self, other: &SeedReport) {
        self.accounts += other.accounts;
        self.contacts += other.contacts;
        self.identities += other.identities;
        self.communication_methods += other.communication_methods;
        self.incidents += other.incidents;
        self.opportunities += other.opportunities;
        self.audit_entries += other.audit_entries;
    }
}

/// Writes the generated data set of `plan` into an empty database. Phone identities are valid
/// numbers of `region` (the configured default region), so they read back in national form too.
pub async fn seed_generated(
    db: &DatabaseConnection,
    plan: &SeedPlan,
    region: country::Id,
) -> AppResult<SeedReport> {
    let txn = begin_write(db).await?;
    ensure_empty(&txn).await?;
    let report = generated::write(&txn, Generator::new(plan, region)).await?;
    txn.commit().await?;
    Ok(report)
}

/// Writes the demo data set (one partner, three customers, their people and cases) into an
/// empty database.
pub async fn seed_demo(db: &DatabaseConnection, region: country::Id) -> AppResult<SeedReport> {
    let rows = demo::rows(region)?;
    let txn = begin_write(db).await?;
    ensure_empty(&txn).await?;
    let report = rows.write(&txn).await?;
    txn.commit().await?;
    Ok(report)
}

async fn ensure_empty<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    let accounts = account::Entity::find().count(db).await?;
    let contacts = contact::Entity::find().count(db).await?;
    if accounts + contacts > 0 {
        return Err(AppError::Conflict(format!(
            "seeding needs an empty database, and this one has {accounts} accounts and {contacts} \
             contacts: point database.url at a new database (or delete the SQLite file) first"
        )));
    }
    Ok(())
}
