//! Point lookups that are not relations.

use std::mem::Discriminant;
use std::num::NonZeroUsize;
use std::sync::{LazyLock, Mutex};

use entity::enums::IdentityChannel;
use entity::{contact, contact_identity};
use lru::LruCache;
use phonenumber::country;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DbBackend, Statement, Value};

use crate::auth::Scope;
use crate::error::AppResult;
use crate::service::identity;
use crate::service::projection::Projection;
use crate::service::record::Record;
use crate::service::scope::ScopedDb;

/// The contact owning an identity, found the way identities are stored: the value is
/// normalized first, then matched in one indexed statement.
pub async fn contact_by_identity(
    db: &ScopedDb,
    channel: IdentityChannel,
    value: &str,
    region: country::Id,
) -> AppResult<Option<contact::Model>> {
    contact_by_identity_projected(db, channel, value, region, &Projection::all()).await
}

/// [`contact_by_identity`] reading only the projection's columns.
///
/// The statement has no `LIMIT`: `(channel, normalized_value)` is unique, so it finds one row at
/// most. A bound `LIMIT ?` would cost more than it says on SQLite, which re-plans a statement
/// whose plan read a bound value every time that value is bound again, that is, on every run.
pub async fn contact_by_identity_projected(
    db: &ScopedDb,
    channel: IdentityChannel,
    value: &str,
    region: country::Id,
    projection: &Projection,
) -> AppResult<Option<contact::Model>> {
    let normalized = identity::normalize(channel, value, region)?;
    let backend = db.conn().get_database_backend();
    let statement = IDENTITY_LOOKUPS.statement(Lookup {
        backend,
        projection,
        scope: db.scope(),
        channel,
        normalized,
    });
    let Some(row) = crate::db::query_one(db.conn(), statement).await? else {
        return Ok(None);
    };
    Ok(Some(projection.decode::<contact::Entity>(&row)?))
}

/// What the identity lookup's statement is written from.
#[derive(Clone)]
struct Lookup<'a> {
    backend: DbBackend,
    projection: &'a Projection,
    scope: Scope,
    channel: IdentityChannel,
    normalized: String,
}

/// The identity lookup's statement, written by sea-query.
///
/// Its values are, in this order, the channel, the normalized value and then whatever the
/// scope's condition binds: the `SELECT` list and the join bind nothing, and sea-query numbers
/// values in the order of the text.
fn identity_lookup(lookup: Lookup<'_>) -> Statement {
    let Lookup {
        backend,
        projection,
        scope,
        channel,
        normalized,
    } = lookup;
    let mut select = projection.select::<contact::Entity>();
    select
        .inner_join(
            contact_identity::Entity,
            Expr::col((
                contact_identity::Entity,
                contact_identity::Column::ContactId,
            ))
            .equals((contact::Entity, contact::Column::Id)),
        )
        .and_where(contact_identity::Column::Channel.eq(channel))
        .and_where(contact_identity::Column::NormalizedValue.eq(normalized))
        .cond_where(contact::Entity::visible(scope));
    backend.build(&select)
}

/// Entries of [`IDENTITY_LOOKUPS`]: one per projection and scope a lookup is made with, which
/// is a handful of selections times the partners calling.
const REMEMBERED_LOOKUPS: NonZeroUsize = NonZeroUsize::new(256).expect("256 is not zero");

static IDENTITY_LOOKUPS: LazyLock<LookupStatements> = LazyLock::new(LookupStatements::default);

/// The identity lookup's statement per backend, projection and scope, so that a lookup binds
/// its two values into a statement written once instead of writing it again (on SQLite, writing
/// the statement cost as much as running it). The scope is part of the key, whole: its values
/// (a partner's account) stay in the remembered statement.
struct LookupStatements {
    remembered: Mutex<LruCache<LookupKey, Statement>>,
}

type LookupKey = (Discriminant<DbBackend>, Projection, Scope);

impl Default for LookupStatements {
    fn default() -> Self {
        Self {
            remembered: Mutex::new(LruCache::new(REMEMBERED_LOOKUPS)),
        }
    }
}

impl LookupStatements {
    fn statement(&self, lookup: Lookup<'_>) -> Statement {
        let key = (
            std::mem::discriminant(&lookup.backend),
            lookup.projection.clone(),
            lookup.scope,
        );
        let remembered = self
            .remembered
            .lock()
            .ok()
            .and_then(|mut remembered| remembered.get(&key).cloned());
        if let Some(mut statement) = remembered
            && let Some(values) = &mut statement.values
            && let [channel_value, normalized_value, ..] = values.0.as_mut_slice()
        {
            *channel_value = Value::from(lookup.channel);
            *normalized_value = Value::from(lookup.normalized);
            return statement;
        }
        let channel = Value::from(lookup.channel);
        let normalized = Value::from(lookup.normalized.clone());
        let statement = identity_lookup(lookup);
        let bound_first = statement.values.as_ref().is_some_and(|values| {
            values.0.first() == Some(&channel) && values.0.get(1) == Some(&normalized)
        });
        // Written otherwise (a condition binding before the identity's), it is never remembered.
        if bound_first && let Ok(mut remembered) = self.remembered.lock() {
            remembered.put(key, statement.clone());
        }
        statement
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;
    use uuid::Uuid;

    /// A remembered statement with new values bound is the statement written afresh for them,
    /// on every backend, for both kinds of scope and for sparse and whole projections.
    #[test]
    fn remembered_statements_equal_fresh_ones() {
        let partner = Scope::Partner {
            account: Uuid::from_u128(0x0194_1f29_7c04_7359_89b8_ab52_7a90_0972),
        };
        let projections = [
            Projection::all(),
            Projection::only::<contact::Entity>(|column| column == "first_name"),
        ];
        let asked = [
            (IdentityChannel::Email, "ada@example.com"),
            (IdentityChannel::Sms, "+441632960961"),
            (IdentityChannel::Email, "+441632960961"),
        ];
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for scope in [Scope::Unrestricted, partner] {
                for projection in &projections {
                    let lookups = LookupStatements::default();
                    for (channel, value) in asked {
                        let lookup = Lookup {
                            backend,
                            projection,
                            scope,
                            channel,
                            normalized: value.to_owned(),
                        };
                        let reused = lookups.statement(lookup.clone());
                        let fresh = identity_lookup(lookup);
                        assert_eq!(reused.sql, fresh.sql);
                        assert_eq!(reused.values, fresh.values);
                    }
                    let remembered = lookups.remembered.lock().expect("not poisoned").len();
                    assert_eq!(remembered, 1, "{backend:?} {scope:?} remembered once");
                }
            }
        }
    }

    /// Scopes never share a statement: a partner's carries its account.
    #[test]
    fn scopes_are_remembered_apart() {
        let lookups = LookupStatements::default();
        let projection = Projection::all();
        let mut texts = Vec::new();
        for account in [1_u128, 2] {
            let scope = Scope::Partner {
                account: Uuid::from_u128(account),
            };
            let statement = lookups.statement(Lookup {
                backend: DbBackend::Postgres,
                projection: &projection,
                scope,
                channel: IdentityChannel::Email,
                normalized: "ada@example.com".to_owned(),
            });
            texts.push(statement.values);
        }
        assert_ne!(texts[0], texts[1]);
        assert_eq!(lookups.remembered.lock().expect("not poisoned").len(), 2);
    }
}
