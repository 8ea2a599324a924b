//! Persisted queries: documents sent by their SHA-256 instead of their text.
//!
//! - **Automatic** (Apollo's protocol, `extensions.persistedQuery { version: 1, sha256Hash }`):
//!   a client sends the hash alone; an unknown hash is answered `PERSISTED_QUERY_NOT_FOUND`
//!   (message `PersistedQueryNotFound`, which Apollo clients look for), and the client sends the
//!   hash with the text once, which registers it. Registered documents live in a bounded
//!   least-recently-used memory, per server process.
//! - **Allow-list**: a file of registered documents (an Apollo persisted query manifest, or an
//!   object of hash -> document), read at start. Anyone may run them by hash. Callers whose role
//!   is in `persisted_queries.allow_list_roles` may run nothing else: neither unknown text nor
//!   automatic registration (`OPERATION_NOT_IN_ALLOW_LIST`).
//!
//! This lives in the HTTP layer rather than in async-graphql's `ApolloPersistedQueries`
//! extension because the limits, the allow-list and the request log all need the document's
//! text before execution, which that extension only resolves inside it.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::auth::{Principal, Role};
use crate::config::PersistedQueriesConfig;
use crate::error::{AppError, AppResult};

pub struct PersistedQueries {
    automatic: bool,
    cache: Mutex<LruCache<String, Arc<str>>>,
    allow_list: Option<HashMap<String, Arc<str>>>,
    enforced_for: Vec<Role>,
}

/// The text to run, and whether it should be remembered under its hash once it has parsed.
pub struct Resolved {
    pub text: Arc<str>,
    pub register: Option<String>,
}

#[derive(Deserialize)]
struct Extension {
    version: i64,
    #[serde(rename = "sha256Hash")]
    sha256_hash: String,
}

/// An Apollo persisted query manifest (`generate-persisted-query-manifest`).
#[derive(Deserialize)]
struct Manifest {
    format: String,
    version: i64,
    operations: Vec<ManifestOperation>,
}

#[derive(Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

impl PersistedQueries {
    pub fn new(config: &PersistedQueriesConfig) -> AppResult<Self> {
        let allow_list = config
            .allow_list_file
            .as_deref()
            .map(read_allow_list)
            .transpose()?;
        let capacity = NonZeroUsize::new(config.cache_size).unwrap_or(NonZeroUsize::MIN);
        Ok(Self {
            automatic: config.automatic,
            cache: Mutex::new(LruCache::new(capacity)),
            allow_list,
            enforced_for: config
                .allow_list_roles
                .iter()
                .filter_map(|role| Role::parse(role))
                .collect(),
        })
    }

    fn enforced(&self, principal: &Principal) -> bool {
        self.allow_list.is_some() && self.enforced_for.contains(&principal.role)
    }

    fn listed(&self, hash: &str) -> Option<Arc<str>> {
        self.allow_list.as_ref()?.get(hash).cloned()
    }

    /// The document an operation asks for.
    pub fn resolve(
        &self,
        principal: &Principal,
        query: Option<String>,
        extensions: &Map<String, Json>,
    ) -> AppResult<Resolved> {
        let persisted = match extensions.get("persistedQuery") {
            None | Some(Json::Null) => None,
            Some(value) => {
                let extension: Extension = serde_json::from_value(value.clone()).map_err(|_| {
                    AppError::bad_input(
                        "`extensions.persistedQuery` must be `{ version: 1, sha256Hash }`",
                    )
                })?;
                if extension.version != 1 {
                    return Err(AppError::bad_input(
                        "only version 1 of `extensions.persistedQuery` is supported",
                    ));
                }
                Some(extension.sha256_hash.to_ascii_lowercase())
            }
        };
        let enforced = self.enforced(principal);
        match (persisted, query) {
            (None, None) => Err(AppError::bad_input("the request has no `query`")),
            (None, Some(text)) if enforced => {
                let hash = sha256_hex(&text);
                self.listed(&hash)
                    .map(|text| Resolved {
                        text,
                        register: None,
                    })
                    .ok_or_else(not_listed)
            }
            (None, Some(text)) => Ok(Resolved {
                text: text.into(),
                register: None,
            }),
            (Some(hash), None) => {
                if let Some(text) = self.listed(&hash) {
                    return Ok(Resolved {
                        text,
                        register: None,
                    });
                }
                if enforced {
                    return Err(not_listed());
                }
                if !self.automatic {
                    return Err(AppError::PersistedQueryNotSupported);
                }
                let cached = self
                    .cache
                    .lock()
                    .ok()
                    .and_then(|mut cache| cache.get(&hash).cloned());
                cached
                    .map(|text| Resolved {
                        text,
                        register: None,
                    })
                    .ok_or(AppError::PersistedQueryNotFound)
            }
            (Some(hash), Some(text)) => {
                if sha256_hex(&text) != hash {
                    return Err(AppError::bad_input(
                        "`extensions.persistedQuery.sha256Hash` does not match the query's SHA-256",
                    ));
                }
                if enforced {
                    return self
                        .listed(&hash)
                        .map(|text| Resolved {
                            text,
                            register: None,
                        })
                        .ok_or_else(not_listed);
                }
                Ok(Resolved {
                    text: text.into(),
                    register: self.automatic.then_some(hash),
                })
            }
        }
    }

    /// Remembers a document that parsed and passed the limits.
    pub fn register(&self, hash: String, text: Arc<str>) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(hash, text);
        }
    }
}

fn not_listed() -> AppError {
    AppError::NotInAllowList(
        "this key may run only the registered documents of the allow-list; this is not one of them"
            .to_owned(),
    )
}

fn read_allow_list(path: &Path) -> AppResult<HashMap<String, Arc<str>>> {
    let invalid = |why: String| {
        AppError::bad_input(format!(
            "persisted_queries.allow_list_file {}: {why}",
            path.display()
        ))
    };
    let text = std::fs::read_to_string(path).map_err(|err| invalid(err.to_string()))?;
    let json: Json = serde_json::from_str(&text).map_err(|err| invalid(err.to_string()))?;
    let mut documents = HashMap::new();
    let is_manifest = json.get("format").is_some() && json.get("operations").is_some();
    if is_manifest {
        let manifest: Manifest =
            serde_json::from_value(json).map_err(|err| invalid(err.to_string()))?;
        if manifest.format != "apollo-persisted-query-manifest" || manifest.version != 1 {
            return Err(invalid(
                "expected an apollo-persisted-query-manifest of version 1".to_owned(),
            ));
        }
        for operation in manifest.operations {
            let body: Arc<str> = operation.body.into();
            let hash = sha256_hex(&body);
            // Apollo's ids are the SHA-256 of the body; a custom id also works by hash.
            documents.insert(operation.id.to_ascii_lowercase(), Arc::clone(&body));
            documents.insert(hash, body);
        }
    } else {
        let map: HashMap<String, String> = serde_json::from_value(json).map_err(|_| {
            invalid(
                "expected an Apollo persisted query manifest or an object of SHA-256 -> document"
                    .to_owned(),
            )
        })?;
        for (hash, body) in map {
            if sha256_hex(&body) != hash.to_ascii_lowercase() {
                return Err(invalid(format!(
                    "`{hash}` is not the SHA-256 of its document"
                )));
            }
            documents.insert(hash.to_ascii_lowercase(), body.into());
        }
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::auth::Scope;
    use serde_json::json;

    fn principal(role: Role) -> Principal {
        Principal {
            actor: "p".to_owned(),
            key_id: None,
            role,
            scope: Scope::Unrestricted,
        }
    }

    fn extension(hash: &str) -> Map<String, Json> {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn automatic_persisted_queries_register_once_then_run_by_hash() {
        let pq = PersistedQueries::new(&PersistedQueriesConfig::default()).unwrap();
        let who = principal(Role::Reader);
        let text = "{ __typename }";
        let hash = sha256_hex(text);
        assert!(matches!(
            pq.resolve(&who, None, &extension(&hash)),
            Err(AppError::PersistedQueryNotFound)
        ));
        let wrong = pq.resolve(&who, Some("{ a }".to_owned()), &extension(&hash));
        assert!(matches!(wrong, Err(AppError::BadInput(_))));
        let resolved = pq
            .resolve(&who, Some(text.to_owned()), &extension(&hash))
            .unwrap();
        pq.register(resolved.register.unwrap(), resolved.text);
        let again = pq.resolve(&who, None, &extension(&hash)).unwrap();
        assert_eq!(&*again.text, text);
        assert!(again.register.is_none());
    }

    #[test]
    fn the_allow_list_binds_the_listed_roles_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("manifest.json");
        let listed = "query Listed { __typename }";
        std::fs::write(
            &file,
            json!({
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{ "id": sha256_hex(listed), "name": "Listed", "type": "query", "body": listed }]
            })
            .to_string(),
        )
        .unwrap();
        let pq = PersistedQueries::new(&PersistedQueriesConfig {
            allow_list_file: Some(file),
            allow_list_roles: vec!["partner".to_owned()],
            ..PersistedQueriesConfig::default()
        })
        .unwrap();
        let partner = principal(Role::Partner);
        let admin = principal(Role::Admin);
        let other = "{ __typename }";
        assert!(
            pq.resolve(&partner, None, &extension(&sha256_hex(listed)))
                .is_ok()
        );
        assert!(
            pq.resolve(&partner, Some(listed.to_owned()), &Map::new())
                .is_ok()
        );
        for refused in [
            pq.resolve(&partner, Some(other.to_owned()), &Map::new()),
            pq.resolve(&partner, None, &extension(&sha256_hex(other))),
            pq.resolve(
                &partner,
                Some(other.to_owned()),
                &extension(&sha256_hex(other)),
            ),
        ] {
            assert!(matches!(refused, Err(AppError::NotInAllowList(_))));
        }
        assert!(
            pq.resolve(&admin, Some(other.to_owned()), &Map::new())
                .is_ok()
        );
    }

    #[test]
    fn an_allow_list_whose_hashes_do_not_match_is_refused_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("list.json");
        std::fs::write(&file, json!({ "abc": "{ __typename }" }).to_string()).unwrap();
        let config = PersistedQueriesConfig {
            allow_list_file: Some(file),
            ..PersistedQueriesConfig::default()
        };
        assert!(PersistedQueries::new(&config).is_err());
    }
}
