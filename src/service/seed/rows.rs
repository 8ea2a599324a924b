//! Rows built in memory and written in bulk.
//!
//! Building is pure (tests compare two builds); writing uses multi-row INSERTs sized under the
//! bind-parameter limits, because one statement per row is what makes seeding slow.

use entity::{
    account, audit_entry, communication_method, contact, contact_identity, incident, opportunity,
};
use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, Iterable, ModelTrait,
    QueryFilter, Statement, Value,
};
use uuid::Uuid;

use super::SeedReport;
use crate::error::AppResult;

/// Bind parameters per statement: under SQLite's 32,766 (and PostgreSQL's 65,535) with room.
const MAX_BIND_PARAMS: usize = 30_000;

/// Accounts whose primary contact is set in one UPDATE; each costs three parameters.
const PRIMARY_CONTACTS_PER_UPDATE: usize = 5_000;

/// Everything one seeding step creates, in insertion order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rows {
    pub accounts: Vec<account::Model>,
    pub contacts: Vec<contact::Model>,
    pub identities: Vec<contact_identity::Model>,
    pub methods: Vec<communication_method::Model>,
    pub incidents: Vec<incident::Model>,
    pub opportunities: Vec<opportunity::Model>,
    pub audit: Vec<audit_entry::Model>,
}

impl Rows {
    /// Inserts the rows parents first. Accounts go in without their primary contact, which is
    /// set once the contacts exist: the two foreign keys form a cycle, and PostgreSQL checks
    /// each statement on its own.
    pub async fn write<C: ConnectionTrait>(mut self, db: &C) -> AppResult<SeedReport> {
        let primaries: Vec<(Uuid, Uuid)> = self
            .accounts
            .iter_mut()
            .filter_map(|a| a.primary_contact_id.take().map(|contact| (a.id, contact)))
            .collect();
        let accounts = insert_all::<account::Entity, _>(db, &self.accounts).await?;
        let contacts = insert_all::<contact::Entity, _>(db, &self.contacts).await?;
        set_primary_contacts(db, &primaries).await?;
        Ok(SeedReport {
            accounts,
            contacts,
            identities: insert_all::<contact_identity::Entity, _>(db, &self.identities).await?,
            communication_methods: insert_all::<communication_method::Entity, _>(db, &self.methods)
                .await?,
            incidents: insert_all::<incident::Entity, _>(db, &self.incidents).await?,
            opportunities: insert_all::<opportunity::Entity, _>(db, &self.opportunities).await?,
            audit_entries: insert_all::<audit_entry::Entity, _>(db, &self.audit).await?,
        })
    }
}

/// Inserts `rows` in multi-row INSERTs of at most [`MAX_BIND_PARAMS`] values.
///
/// The statement is written here rather than by `Entity::insert_many`: that builder creates an
/// expression tree per value and renders the SQL again for every batch, which took a fifth of
/// the time of seeding 100k contacts. Values still come from the model (`ModelTrait::get`), so
/// they are bound exactly as SeaORM binds them.
async fn insert_all<E, C>(db: &C, rows: &[E::Model]) -> AppResult<u64>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let per_statement = (MAX_BIND_PARAMS / columns.len().max(1)).max(1);
    let backend = db.get_database_backend();
    let mut full_batch_sql = None;
    let mut written = 0;
    for batch in rows.chunks(per_statement) {
        let sql = match batch.len() == per_statement {
            true => full_batch_sql
                .get_or_insert_with(|| insert_sql::<E>(backend, &columns, per_statement))
                .clone(),
            false => insert_sql::<E>(backend, &columns, batch.len()),
        };
        let mut values = Vec::with_capacity(batch.len() * columns.len());
        for row in batch {
            values.extend(columns.iter().map(|&column| row.get(column)));
        }
        let statement = Statement::from_sql_and_values(backend, sql, values);
        written += db.execute_raw(statement).await?.rows_affected();
    }
    Ok(written)
}

/// `INSERT INTO "table" ("a", "b") VALUES (?, ?), (?, ?)` with the backend's placeholders.
fn insert_sql<E: EntityTrait>(backend: DbBackend, columns: &[E::Column], rows: usize) -> String {
    let quote = |name: &str| match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    };
    let names: Vec<String> = columns.iter().map(|c| quote(c.as_str())).collect();
    let table = quote(E::default().table_name());
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
    let mut parameter = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            parameter += 1;
            match backend {
                DbBackend::Postgres => sql.push_str(&format!("${parameter}")),
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// `UPDATE account SET primary_contact_id = CASE WHEN id = ? THEN ? ... END WHERE id IN (..)`:
/// one statement per few thousand accounts instead of one per account.
async fn set_primary_contacts<C: ConnectionTrait>(db: &C, pairs: &[(Uuid, Uuid)]) -> AppResult<()> {
    for chunk in pairs.chunks(PRIMARY_CONTACTS_PER_UPDATE) {
        let mut case = CaseStatement::new();
        for &(account_id, contact_id) in chunk {
            case = case.case(
                account::Column::Id.eq(account_id),
                Expr::val(Value::from(contact_id)),
            );
        }
        account::Entity::update_many()
            .col_expr(account::Column::PrimaryContactId, case.into())
            .filter(account::Column::Id.is_in(chunk.iter().map(|pair| pair.0)))
            .exec(db)
            .await?;
    }
    Ok(())
}
