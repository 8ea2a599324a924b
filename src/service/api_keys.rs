//! API keys: creating, listing, revoking, and finding the key behind a presented token.
//!
//! Creating and revoking a key are audited like every other change (entity type `API_KEY`); the
//! entry never holds the token or its digest.

use chrono::{DateTime, TimeDelta, Utc};
use entity::api_key;
use entity::enums::{AuditAction, AuditEntityType};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::auth::{Role, token};
use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::service::accounts;
use crate::service::audit::{self, Changes, Operation, Subject};
use crate::service::scope::ScopedDb;
use crate::service::validate::{self, MAX_LINE};

/// A key to create.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub role: Role,
    /// Required for `partner` keys, refused for every other role.
    pub partner_account_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A created key and its token, which exists nowhere else.
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    pub key: api_key::Model,
    pub token: String,
}

/// The audited fields of a key: never the digest.
fn snapshot(key: &api_key::Model) -> Map<String, Value> {
    let fields = json!({
        "name": key.name,
        "role": key.role,
        "partnerAccountId": key.partner_account_id,
        "tokenPrefix": key.token_prefix,
        "expiresAt": key.expires_at,
        "revokedAt": key.revoked_at,
    });
    match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn subject(key: &api_key::Model) -> Subject {
    Subject {
        entity_type: AuditEntityType::ApiKey,
        entity_id: key.id,
        contact_id: None,
    }
}

/// Creates a key; the token is in the result and nowhere else.
pub async fn create(db: &ScopedDb, new: NewApiKey) -> AppResult<CreatedApiKey> {
    let name = validate::required("name", new.name, MAX_LINE)?;
    let operation = Operation::new(db.principal());
    if let Some(expires_at) = new.expires_at
        && expires_at <= operation.at
    {
        return Err(AppError::bad_input("`expiresAt` must be in the future"));
    }
    let txn = begin_write(db.conn()).await?;
    match (new.role, new.partner_account_id) {
        (Role::Partner, Some(account_id)) => {
            let account = accounts::find_visible(db, &txn, account_id)
                .await
                .map_err(|_| AppError::missing("partnerAccountId", "account"))?;
            if !account.is_partner {
                return Err(AppError::bad_input(
                    "`partnerAccountId`: the account is not a partner",
                ));
            }
        }
        (Role::Partner, None) => {
            return Err(AppError::bad_input(
                "`partnerAccountId` is required for partner keys",
            ));
        }
        (_, Some(_)) => {
            return Err(AppError::bad_input(
                "`partnerAccountId` is only for partner keys",
            ));
        }
        (_, None) => {}
    }
    let token = token::generate()?;
    let key = api_key::Model {
        id: Uuid::now_v7(),
        name,
        role: new.role.into(),
        partner_account_id: new.partner_account_id,
        token_sha256: token.sha256,
        token_prefix: token.shown_prefix,
        created_at: operation.at,
        last_used_at: None,
        expires_at: new.expires_at,
        revoked_at: None,
    }
    .into_active_model()
    .insert(&txn)
    .await?;
    let changes = Changes::between(None, Some(&snapshot(&key)));
    audit::record(
        &txn,
        &operation,
        subject(&key),
        AuditAction::Create,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedApiKey {
        key,
        token: token.token,
    })
}

/// Revokes a key at once; revoking a revoked key changes nothing.
pub async fn revoke(db: &ScopedDb, id: Uuid) -> AppResult<api_key::Model> {
    let txn = begin_write(db.conn()).await?;
    let operation = Operation::new(db.principal());
    let current = db
        .find::<api_key::Entity, _>(&txn, id)
        .await?
        .ok_or_else(|| AppError::not_found("API key"))?;
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    let mut revoked = current.clone();
    revoked.revoked_at = Some(operation.at);
    let revoked = revoked.into_active_model().reset_all().update(&txn).await?;
    let changes = Changes::between(Some(&snapshot(&current)), Some(&snapshot(&revoked)));
    audit::record(
        &txn,
        &operation,
        subject(&revoked),
        AuditAction::Update,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(revoked)
}

/// Every key, oldest first (the CLI's listing; the API pages through `apiKeys`).
pub async fn list(db: &ScopedDb) -> AppResult<Vec<api_key::Model>> {
    use crate::service::record::Record;
    Ok(api_key::Entity::find()
        .filter(api_key::Entity::visible(db.scope()))
        .order_by_asc(api_key::Column::Id)
        .all(db.conn())
        .await?)
}

/// Whether a key is usable at `now`.
pub fn is_active(key: &api_key::Model, now: DateTime<Utc>) -> bool {
    key.revoked_at.is_none() && key.expires_at.is_none_or(|expires| expires > now)
}

/// The key whose token has this digest, whatever its state. Runs before any caller is known,
/// so it is the one read that takes no scope.
pub async fn find_by_digest(
    conn: &DatabaseConnection,
    digest: &str,
) -> AppResult<Option<api_key::Model>> {
    let found = api_key::Entity::find()
        .filter(api_key::Column::TokenSha256.eq(digest))
        .one(conn)
        .await?;
    Ok(found.filter(|key| token::digests_match(&key.token_sha256, digest)))
}

/// How stale `last_used_at` may get: writing it on every request would turn every read into a
/// write (and on SQLite, a wait for the writer's lock).
pub const LAST_USED_RESOLUTION: TimeDelta = TimeDelta::minutes(1);

/// Records that a key was used, unless that was recorded less than [`LAST_USED_RESOLUTION`] ago.
pub async fn touch(conn: &DatabaseConnection, key: &api_key::Model) -> AppResult<()> {
    let now = audit::now();
    if key
        .last_used_at
        .is_some_and(|used| now - used < LAST_USED_RESOLUTION)
    {
        return Ok(());
    }
    api_key::Entity::update_many()
        .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
        .filter(api_key::Column::Id.eq(key.id))
        .filter(
            Condition::any()
                .add(api_key::Column::LastUsedAt.is_null())
                .add(api_key::Column::LastUsedAt.lt(now - LAST_USED_RESOLUTION)),
        )
        .exec(conn)
        .await?;
    Ok(())
}
