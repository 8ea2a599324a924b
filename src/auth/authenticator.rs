//! From a request's `Authorization` header to its [`Principal`].
//!
//! API keys are looked up by the SHA-256 of the token. A key that checked out is remembered
//! for `auth.key_cache_secs`, so a busy client costs one key lookup per interval rather than one
//! per request; revoking a key through this server forgets it at once, and other server
//! processes stop accepting it within that interval.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entity::{account, api_key};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use crate::auth::jwt::{self, JwtVerifier};
use crate::auth::{Principal, Role, Scope, token};
use crate::config::AuthConfig;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{GlobalId, NodeType};
use crate::service::api_keys;
use crate::service::audit;

/// The one answer to every credential that does not check out, whatever the reason: a client
/// must not learn whether a key exists, was revoked or expired.
pub struct AuthFailure;

impl AuthFailure {
    pub const MESSAGE: &'static str =
        "a valid API key is required: send `Authorization: Bearer <key>`";

    pub fn error() -> AppError {
        AppError::Unauthenticated(Self::MESSAGE.to_owned())
    }
}

/// Keys remembered at most; past that the memory is simply cleared (only valid keys are kept,
/// so this takes more distinct keys in use within one interval than any deployment has).
const MAX_REMEMBERED: usize = 10_000;

struct Remembered {
    principal: Principal,
    expires_at: Option<DateTime<Utc>>,
    checked: Instant,
}

pub struct Authenticator {
    db: DatabaseConnection,
    remember_for: Duration,
    keys: Mutex<HashMap<String, Remembered>>,
    /// Partner accounts named by JWT claims that were found to be partners, and when.
    jwt_partners: Mutex<HashMap<Uuid, Instant>>,
    jwt: Option<JwtVerifier>,
}

impl Authenticator {
    pub fn new(db: DatabaseConnection, config: &AuthConfig) -> AppResult<Self> {
        Ok(Self {
            db,
            remember_for: Duration::from_secs(config.key_cache_secs),
            keys: Mutex::new(HashMap::new()),
            jwt_partners: Mutex::new(HashMap::new()),
            jwt: JwtVerifier::from_config(&config.jwt)?,
        })
    }

    /// The caller behind an `Authorization` header value. Every failure is
    /// [`AuthFailure::error`]; a database failure is `INTERNAL`.
    pub async fn authenticate(&self, authorization: Option<&str>) -> AppResult<Principal> {
        let token = authorization
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(AuthFailure::error)?;
        if token::is_well_formed(token) {
            return self.api_key(token).await;
        }
        match &self.jwt {
            Some(verifier) if jwt::looks_like_jwt(token) => {
                let identity = verifier.verify(token).map_err(|_| AuthFailure::error())?;
                let scope = match (identity.role, identity.partner.as_deref()) {
                    (Role::Partner, Some(partner)) => Scope::Partner {
                        account: self.jwt_partner(partner).await?,
                    },
                    (Role::Partner, None) => return Err(AuthFailure::error()),
                    _ => Scope::Unrestricted,
                };
                Ok(Principal {
                    actor: identity.subject,
                    key_id: None,
                    role: identity.role,
                    scope,
                })
            }
            _ => Err(AuthFailure::error()),
        }
    }

    /// Forgets every remembered key, so a revocation takes effect on the next request.
    pub fn forget_keys(&self) {
        if let Ok(mut keys) = self.keys.lock() {
            keys.clear();
        }
    }

    async fn api_key(&self, token: &str) -> AppResult<Principal> {
        let digest = token::digest(token);
        if let Some(principal) = self.remembered(&digest) {
            return Ok(principal);
        }
        let key = api_keys::find_by_digest(&self.db, &digest)
            .await?
            .filter(|key| api_keys::is_active(key, audit::now()))
            .ok_or_else(AuthFailure::error)?;
        let principal = principal_of(&key)?;
        api_keys::touch(&self.db, &key).await?;
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() >= MAX_REMEMBERED {
                keys.clear();
            }
            keys.insert(
                digest,
                Remembered {
                    principal: principal.clone(),
                    expires_at: key.expires_at,
                    checked: Instant::now(),
                },
            );
        }
        Ok(principal)
    }

    fn remembered(&self, digest: &str) -> Option<Principal> {
        let keys = self.keys.lock().ok()?;
        let (stored, entry) = keys.get_key_value(digest)?;
        let fresh = entry.checked.elapsed() < self.remember_for
            && entry.expires_at.is_none_or(|at| at > Utc::now());
        (fresh && token::digests_match(stored, digest)).then(|| entry.principal.clone())
    }

    /// The partner account a JWT names, by global id or UUID; it must exist and be a partner.
    async fn jwt_partner(&self, claim: &str) -> AppResult<Uuid> {
        let id = parse_account_ref(claim).ok_or_else(AuthFailure::error)?;
        let known = self
            .jwt_partners
            .lock()
            .ok()
            .and_then(|partners| partners.get(&id).copied())
            .is_some_and(|checked| checked.elapsed() < self.remember_for);
        if known {
            return Ok(id);
        }
        let is_partner = account::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .is_some_and(|account| account.is_partner);
        if !is_partner {
            return Err(AuthFailure::error());
        }
        if let Ok(mut partners) = self.jwt_partners.lock() {
            if partners.len() >= MAX_REMEMBERED {
                partners.clear();
            }
            partners.insert(id, Instant::now());
        }
        Ok(id)
    }
}

/// An account as people name it: its global id as the API shows it, or its UUID.
pub fn parse_account_ref(text: &str) -> Option<Uuid> {
    GlobalId::parse_as(text, NodeType::Account)
        .ok()
        .or_else(|| Uuid::parse_str(text).ok())
}

fn principal_of(key: &api_key::Model) -> AppResult<Principal> {
    let role = Role::from(key.role);
    let scope = match (role, key.partner_account_id) {
        (Role::Partner, Some(account)) => Scope::Partner { account },
        // The table's check constraint makes this impossible; refuse rather than widen.
        (Role::Partner, None) => return Err(AuthFailure::error()),
        _ => Scope::Unrestricted,
    };
    Ok(Principal {
        actor: key.name.clone(),
        key_id: Some(key.id),
        role,
        scope,
    })
}
