//! Audit values that name records outside the caller's scope.
//!
//! An audit entry a partner may see can still mention records it may not: the account a contact
//! moved from, the contact a case moved away from, a contact merged in from another account.
//! Every UUID in an entry's `changes` is such a reference; the ones that do not name a record the
//! caller sees are shown as `null`.

use std::collections::HashSet;

use entity::{account, communication_method, contact, contact_identity, incident};
use sea_orm::sea_query::{Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, FromQueryResult, StatementBuilder};
use serde_json::Value;
use uuid::Uuid;

use crate::error::AppResult;
use crate::service::record::Record;
use crate::service::scope::ScopedDb;

/// Every UUID a JSON value holds, at any depth.
pub fn references(value: &Value, out: &mut Vec<Uuid>) {
    match value {
        Value::String(text) => {
            if let Some(id) = as_reference(text) {
                out.push(id);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, out)),
        Value::Object(fields) => fields.values().for_each(|field| references(field, out)),
        _ => {}
    }
}

fn as_reference(text: &str) -> Option<Uuid> {
    (text.len() == uuid::fmt::Hyphenated::LENGTH)
        .then(|| Uuid::parse_str(text).ok())
        .flatten()
}

/// `value` with every reference outside `visible` replaced by `null`.
pub fn redact(value: &Value, visible: &HashSet<Uuid>) -> Value {
    match value {
        Value::String(text) => match as_reference(text) {
            Some(id) if !visible.contains(&id) => Value::Null,
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| redact(v, visible)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, v)| (name.clone(), redact(v, visible)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

fn visible_ids_of<E: Record>(db: &ScopedDb, ids: &[Uuid]) -> SelectStatement
where
    E::Column: ColumnTrait,
{
    Query::select()
        .expr_as(
            sea_orm::sea_query::Expr::col((E::default(), E::id_column())),
            "id",
        )
        .from(E::default())
        .cond_where(E::visible_with_ids(db.scope(), ids.iter().copied()))
        .to_owned()
}

#[derive(FromQueryResult)]
struct IdRow {
    id: Uuid,
}

/// Which of `ids` name records the caller sees, in one statement over every record type a
/// reference can name. (Opportunities are left out: no scoped caller sees any.)
pub async fn visible_references(db: &ScopedDb, ids: &[Uuid]) -> AppResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut query = visible_ids_of::<account::Entity>(db, ids);
    for other in [
        visible_ids_of::<contact::Entity>(db, ids),
        visible_ids_of::<contact_identity::Entity>(db, ids),
        visible_ids_of::<communication_method::Entity>(db, ids),
        visible_ids_of::<incident::Entity>(db, ids),
    ] {
        query.union(UnionType::All, other);
    }
    let backend = db.conn().get_database_backend();
    let rows = IdRow::find_by_statement(StatementBuilder::build(&query, &backend))
        .all(db.conn())
        .await?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_foreign_references_are_nulled() {
        let mine = Uuid::now_v7();
        let theirs = Uuid::now_v7();
        let changes = json!({
            "accountId": { "before": theirs.to_string(), "after": mine.to_string() },
            "lastName": { "before": "Ada", "after": "Lovelace" },
            "plan": { "moved": [theirs.to_string(), mine.to_string()] },
        });
        let mut found = Vec::new();
        references(&changes, &mut found);
        assert_eq!(found.len(), 4);
        let visible = HashSet::from([mine]);
        assert_eq!(
            redact(&changes, &visible),
            json!({
                "accountId": { "before": null, "after": mine.to_string() },
                "lastName": { "before": "Ada", "after": "Lovelace" },
                "plan": { "moved": [null, mine.to_string()] },
            })
        );
    }
}
