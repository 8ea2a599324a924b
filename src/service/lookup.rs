//! Point lookups that are not relations.

use entity::enums::IdentityChannel;
use entity::{contact, contact_identity};
use phonenumber::country;
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait};

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
        .cond_where(contact::Entity::visible(db.scope()));
    let statement = db.conn().get_database_backend().build(&select);
    let Some(row) = crate::db::query_one(db.conn(), statement).await? else {
        return Ok(None);
    };
    Ok(Some(projection.decode::<contact::Entity>(&row)?))
}
