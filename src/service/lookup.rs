//! Point lookups that are not relations.

use entity::enums::IdentityChannel;
use entity::{contact, contact_identity};
use phonenumber::country;
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};

use crate::error::AppResult;
use crate::service::identity;
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
    let normalized = identity::normalize(channel, value, region)?;
    Ok(contact::Entity::find()
        .join(
            JoinType::InnerJoin,
            contact_identity::Relation::Contact.def().rev(),
        )
        .filter(contact_identity::Column::Channel.eq(channel))
        .filter(contact_identity::Column::NormalizedValue.eq(normalized))
        .filter(contact::Entity::visible(db.scope()))
        .one(db.conn())
        .await?)
}
