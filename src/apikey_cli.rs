//! `contacts-graph apikey ...`: the operator's way to manage keys without a key, e.g. before
//! the first one exists on a production database.

use chrono::{DateTime, Utc};
use entity::api_key;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::auth::authenticator::parse_account_ref;
use crate::auth::{Principal, Role};
use crate::cli::ApiKeyCommand;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{GlobalId, NodeType};
use crate::service::api_keys::{self, NewApiKey};
use crate::service::audit;
use crate::service::scope::ScopedDb;

/// Runs one `apikey` command as the `system` principal; what it prints goes to standard output.
pub async fn run(conn: DatabaseConnection, command: ApiKeyCommand) -> AppResult<()> {
    let db = ScopedDb::new(conn, &Principal::system());
    match command {
        ApiKeyCommand::Create {
            name,
            role,
            partner,
            expires_in,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                AppError::bad_input(format!(
                    "--role: `{role}` is not one of admin, manager, agent, reader, partner"
                ))
            })?;
            let partner_account_id = partner
                .map(|text| {
                    parse_account_ref(&text).ok_or_else(|| {
                        AppError::bad_input(format!(
                            "--partner: `{text}` is neither an account id nor a UUID"
                        ))
                    })
                })
                .transpose()?;
            let expires_at = expires_in
                .map(|lifetime| {
                    chrono::TimeDelta::from_std(lifetime)
                        .ok()
                        .and_then(|lifetime| audit::now().checked_add_signed(lifetime))
                        .ok_or_else(|| AppError::bad_input("--expires-in is too long"))
                })
                .transpose()?;
            let created = api_keys::create(
                &db,
                NewApiKey {
                    name,
                    role,
                    partner_account_id,
                    expires_at,
                },
            )
            .await?;
            println!("created API key {}", describe(&created.key));
            println!("token (shown this once): {}", created.token);
        }
        ApiKeyCommand::List => {
            let keys = api_keys::list(&db).await?;
            if keys.is_empty() {
                println!("no API keys");
            }
            for key in keys {
                println!("{}", describe(&key));
            }
        }
        ApiKeyCommand::Revoke { id } => {
            let id = parse_key_ref(&id)?;
            let revoked = api_keys::revoke(&db, id).await?;
            println!("revoked {}", describe(&revoked));
        }
    }
    Ok(())
}

fn parse_key_ref(text: &str) -> AppResult<Uuid> {
    GlobalId::parse_as(text, NodeType::ApiKey)
        .ok()
        .or_else(|| Uuid::parse_str(text).ok())
        .ok_or_else(|| AppError::bad_input(format!("`{text}` is neither a key id nor a UUID")))
}

fn describe(key: &api_key::Model) -> String {
    let time = |at: Option<DateTime<Utc>>| at.map_or("-".to_owned(), |at| at.to_rfc3339());
    let state = if key.revoked_at.is_some() {
        "revoked"
    } else if api_keys::is_active(key, Utc::now()) {
        "active"
    } else {
        "expired"
    };
    let partner = key
        .partner_account_id
        .map(|id| {
            format!(
                " partner={}",
                GlobalId::new(NodeType::Account, id).to_id().0
            )
        })
        .unwrap_or_default();
    format!(
        "{id} {state} name={name:?} role={role}{partner} prefix={prefix} created={created} \\
         last_used={last_used} expires={expires}",
        id = GlobalId::new(NodeType::ApiKey, key.id).to_id().0,
        name = key.name,
        role = Role::from(key.role),
        prefix = key.token_prefix,
        created = key.created_at.to_rfc3339(),
        last_used = time(key.last_used_at),
        expires = time(key.expires_at),
    )
}
