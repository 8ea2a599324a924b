//! Bearer JWTs issued by an external identity provider.
//!
//! Each key is pinned to the one algorithm its own type implies (the HS256 secret to HS256, an
//! RSA JWK to RS256, a P-256 JWK to ES256), never to what a token's header asks for: otherwise a
//! token could have an RSA public key used as an HMAC secret (algorithm confusion) or pick `none`.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::ExposeSecret;
use serde_json::{Map, Value};

use crate::auth::Role;
use crate::config::JwtConfig;
use crate::error::{AppError, AppResult};

/// One answer for every failure, so a caller cannot probe which check a forged token passed.
const REJECTED: &str = "invalid or expired credentials";

/// RFC 7518 §3.2: an HS256 key shorter than the hash output makes brute force cheaper than the
/// signature suggests.
const MIN_HS256_SECRET_BYTES: usize = 32;

/// A decoding key with the only validation (algorithm, issuer, audience, times) it may be used with.
#[derive(Clone)]
struct PinnedKey {
    kid: Option<String>,
    key: DecodingKey,
    validation: Validation,
}

/// Checks tokens against keys read once at start; cheap to share behind an `Arc`.
#[derive(Clone)]
pub struct JwtVerifier {
    hs256: Option<PinnedKey>,
    jwks: Vec<PinnedKey>,
    role_claim: String,
    partner_claim: String,
}

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtIdentity {
    pub subject: String,
    pub role: Role,
    /// Only for [`Role::Partner`]: the claim's raw text, left for the caller to resolve to an
    /// account, since the provider's naming of partners is not ours to trust blindly.
    pub partner: Option<String>,
}

impl JwtVerifier {
    /// None when JWT auth is not configured. Reads and parses the JWKS file once here, so a
    /// broken key set stops the server at start instead of failing every request later.
    pub fn from_config(config: &JwtConfig) -> AppResult<Option<Self>> {
        if config.hs256_secret.is_none() && config.jwks_file.is_none() {
            return Ok(None);
        }
        let non_empty = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
        // Without both, any token the provider issued to any other application would be accepted.
        let (Some(issuer), Some(audience)) =
            (non_empty(&config.issuer), non_empty(&config.audience))
        else {
            return Err(bad_config("`issuer` and `audience` must be set"));
        };
        if config.role_claim.is_empty() || config.partner_claim.is_empty() {
            return Err(bad_config("claim names must not be empty"));
        }
        let pin = |kid: Option<String>, key: DecodingKey, algorithm: Algorithm| {
            let mut validation = Validation::new(algorithm);
            validation.set_issuer(&[&issuer]);
            validation.set_audience(&[&audience]);
            validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
            validation.validate_nbf = true;
            validation.leeway = config.leeway_secs;
            PinnedKey {
                kid,
                key,
                validation,
            }
        };
        let hs256 = match &config.hs256_secret {
            None => None,
            Some(secret) => {
                let secret = secret.expose_secret().as_bytes();
                if secret.len() < MIN_HS256_SECRET_BYTES {
                    return Err(bad_config("`hs256_secret` must be at least 32 bytes"));
                }
                let key = DecodingKey::from_secret(secret)
                    .map_err(|err| bad_config(&format!("`hs256_secret`: {err}")))?;
                Some(pin(None, key, Algorithm::HS256))
            }
        };
        let jwks = match &config.jwks_file {
            None => Vec::new(),
            Some(path) => load_jwks(path, pin)?,
        };
        Ok(Some(Self {
            hs256,
            jwks,
            role_claim: config.role_claim.clone(),
            partner_claim: config.partner_claim.clone(),
        }))
    }

    /// Any failure is the same `Unauthenticated` answer; the reason goes to the debug log only.
    pub fn verify(&self, token: &str) -> AppResult<JwtIdentity> {
        self.check(token).map_err(|reason| {
            tracing::debug!(%reason, "JWT rejected");
            AppError::Unauthenticated(REJECTED.to_owned())
        })
    }

    fn check(&self, token: &str) -> Result<JwtIdentity, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|err| format!("header: {err}"))?;
        let pinned = self.key_for(header.alg, header.kid.as_deref())?;
        let claims =
            jsonwebtoken::decode::<Map<String, Value>>(token, &pinned.key, &pinned.validation)
                .map_err(|err| err.to_string())?
                .claims;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|sub| !sub.is_empty())
            .ok_or("`sub` missing or empty")?;
        let role_text = claims
            .get(&self.role_claim)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("role claim `{}` missing or not text", self.role_claim))?;
        let role = Role::parse(role_text).ok_or_else(|| format!("unknown role `{role_text}`"))?;
        let partner = match role {
            Role::Partner => Some(
                claims
                    .get(&self.partner_claim)
                    .and_then(claim_text)
                    .ok_or_else(|| format!("partner claim `{}` missing", self.partner_claim))?,
            ),
            _ => None,
        };
        Ok(JwtIdentity {
            subject: subject.to_owned(),
            role,
            partner,
        })
    }

    /// HS256 tokens only ever meet the shared secret and other algorithms only the JWKS; a key's
    /// pinned validation then refuses any algorithm but its own.
    fn key_for(&self, alg: Algorithm, kid: Option<&str>) -> Result<&PinnedKey, String> {
        let found = match (alg, kid) {
            (Algorithm::HS256, _) => self.hs256.as_ref(),
            (_, Some(kid)) => self.jwks.iter().find(|key| key.kid.as_deref() == Some(kid)),
            (_, None) => match self.jwks.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        };
        found.ok_or_else(|| format!("no key for alg {alg:?} and kid {kid:?}"))
    }
}

/// Redacted: the derived form would print the HS256 secret.
impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<_> = self.jwks.iter().map(|key| key.kid.as_deref()).collect();
        f.debug_struct("JwtVerifier")
            .field("hs256", &self.hs256.is_some())
            .field("jwks_kids", &kids)
            .field("role_claim", &self.role_claim)
            .field("partner_claim", &self.partner_claim)
            .finish()
    }
}

/// Whether a bearer token looks like a JWT (three base64url segments) rather than an API key.
pub fn looks_like_jwt(token: &str) -> bool {
    let base64url_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let base64url = |part: &str| !part.is_empty() && part.bytes().all(base64url_char);
    token.split('.').count() == 3 && token.split('.').all(base64url)
}

/// Providers differ on whether account ids are strings or numbers; both name the same account.
fn claim_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Keeps the RS256 and P-256 ES256 signing keys; providers publish other kinds (encryption keys,
/// rotated-in algorithms) next to them, and those must neither fail start nor verify anything.
fn load_jwks(
    path: &Path,
    pin: impl Fn(Option<String>, DecodingKey, Algorithm) -> PinnedKey,
) -> AppResult<Vec<PinnedKey>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|err| bad_config(&format!("cannot read `jwks_file` {shown}: {err}")))?;
    let set: JwkSet = serde_json::from_str(&text)
        .map_err(|err| bad_config(&format!("`jwks_file` {shown} is no JWKS: {err}")))?;
    let mut keys: Vec<PinnedKey> = Vec::new();
    let mut kids = HashSet::new();
    for jwk in &set.keys {
        let kid = jwk.common.key_id.clone();
        let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
            _ if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) => None,
            (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => {
                Some(Algorithm::RS256)
            }
            (AlgorithmParameters::EllipticCurve(ec), None | Some(KeyAlgorithm::ES256))
                if ec.curve == EllipticCurve::P256 =>
            {
                Some(Algorithm::ES256)
            }
            _ => None,
        };
        let Some(algorithm) = algorithm else {
            tracing::warn!(?kid, "JWKS key skipped: not an RS256 or ES256 signing key");
            continue;
        };
        // Two keys under one kid would make the choice of key depend on file order.
        if !kids.insert(kid.clone()) {
            return Err(bad_config(&format!("two JWKS keys with kid {kid:?}")));
        }
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|err| bad_config(&format!("JWKS key {kid:?}: {err}")))?;
        keys.push(pin(kid, key, algorithm));
    }
    if keys.is_empty() {
        return Err(bad_config("no RS256 or ES256 key in `jwks_file`"));
    }
    Ok(keys)
}

fn bad_config(message: &str) -> AppError {
    AppError::BadInput(format!("jwt: {message}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::path::PathBuf;
    use std::sync::OnceLock;

    use getrandom::SysRng;
    use jsonwebtoken::Algorithm::{ES256, HS256, RS256};
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header, get_current_timestamp};
    use p256::elliptic_curve::Generate;
    use p256::pkcs8::EncodePrivateKey;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use secrecy::SecretString;
    use serde_json::json;
    use tempfile::TempDir;

    use super::*;

    const ISSUER: &str = "https://idp.example.test/";
    const AUDIENCE: &str = "contacts-graph";
    const ROLE_CLAIM: &str = "https://cg.example.test/role";
    const PARTNER_CLAIM: &str = "https://cg.example.test/partner";

    /// 2048-bit keygen takes 0.2-0.9 s in a debug build, the bulk of this suite: make it once.
    fn rsa_key() -> &'static EncodingKey {
        static KEY: OnceLock<EncodingKey> = OnceLock::new();
        KEY.get_or_init(|| {
            let key = rsa::PrivateKey::new(&mut SysRng, 2048).unwrap();
            EncodingKey::from_rsa_der(key.to_pkcs1_der().unwrap().as_bytes())
        })
    }

    fn ec_key() -> EncodingKey {
        let key = p256::SecretKey::generate();
        EncodingKey::from_ec_der(key.to_pkcs8_der().unwrap().as_bytes())
    }

    fn jwk(key: &EncodingKey, alg: Algorithm, kid: Option<&str>) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(key, alg).unwrap();
        jwk.common.key_id = kid.map(str::to_owned);
        jwk
    }

    fn write_jwks(dir: &TempDir, keys: Vec<Jwk>) -> PathBuf {
        let path = dir.path().join("jwks.json");
        std::fs::write(&path, serde_json::to_vec(&JwkSet { keys }).unwrap()).unwrap();
        path
    }

    /// Non-default claim names, so a test passes only if the configured ones are read.
    fn base_config() -> JwtConfig {
        JwtConfig {
            issuer: Some(ISSUER.to_owned()),
            audience: Some(AUDIENCE.to_owned()),
            role_claim: ROLE_CLAIM.to_owned(),
            partner_claim: PARTNER_CLAIM.to_owned(),
            ..JwtConfig::default()
        }
    }

    struct Keys {
        hs: EncodingKey,
        es: EncodingKey,
        config: JwtConfig,
        /// Holds the JWKS file for as long as the config names it.
        _dir: TempDir,
    }

    /// A random secret plus a JWKS with one RSA (`rsa-1`) and one P-256 (`ec-1`) key.
    fn keys() -> Keys {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).unwrap();
        let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let es = ec_key();
        let dir = tempfile::tempdir().unwrap();
        let jwks = vec![
            jwk(rsa_key(), RS256, Some("rsa-1")),
            jwk(&es, ES256, Some("ec-1")),
        ];
        let config = JwtConfig {
            hs256_secret: Some(SecretString::from(secret.clone())),
            jwks_file: Some(write_jwks(&dir, jwks)),
            ..base_config()
        };
        let hs = EncodingKey::from_secret(secret.as_bytes()).unwrap();
        Keys {
            hs,
            es,
            config,
            _dir: dir,
        }
    }

    fn verifier(config: &JwtConfig) -> JwtVerifier {
        JwtVerifier::from_config(config)
            .unwrap()
            .expect("JWT auth is configured")
    }

    fn claims(role: &str) -> Value {
        let now = get_current_timestamp();
        json!({ "sub": "user-7", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600,
                ROLE_CLAIM: role, PARTNER_CLAIM: "acme-gmbh" })
    }

    fn with(mut claims: Value, name: &str, value: Value) -> Value {
        claims[name] = value;
        claims
    }

    fn without(mut claims: Value, name: &str) -> Value {
        claims.as_object_mut().unwrap().remove(name);
        claims
    }

    fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    fn assert_rejected(verifier: &JwtVerifier, token: &str) {
        match verifier.verify(token) {
            Err(AppError::Unauthenticated(message)) => assert_eq!(message, REJECTED),
            other => panic!("expected the generic rejection, got {other:?}"),
        }
    }

    #[test]
    fn accepts_every_algorithm_and_reads_configured_claims() {
        let keys = keys();
        let verifier = verifier(&keys.config);
        let partner = claims("Partner");
        for token in [
            sign(HS256, None, &keys.hs, &partner),
            sign(ES256, Some("ec-1"), &keys.es, &partner),
            sign(RS256, Some("rsa-1"), rsa_key(), &partner),
        ] {
            assert!(looks_like_jwt(&token));
            let identity = verifier.verify(&token).unwrap();
            assert_eq!(identity.subject, "user-7");
            assert_eq!(identity.role, Role::Partner);
            assert_eq!(identity.partner.as_deref(), Some("acme-gmbh"));
        }
        let manager = sign(ES256, Some("ec-1"), &keys.es, &claims("manager"));
        let identity = verifier.verify(&manager).unwrap();
        assert_eq!((identity.role, identity.partner), (Role::Manager, None));
    }

    #[test]
    fn single_key_set_serves_tokens_without_kid() {
        let dir = tempfile::tempdir().unwrap();
        let es = ec_key();
        let jwks_file = Some(write_jwks(&dir, vec![jwk(&es, ES256, None)]));
        let verifier = verifier(&JwtConfig {
            jwks_file,
            ..base_config()
        });
        let token = sign(ES256, None, &es, &claims("reader"));
        assert_eq!(verifier.verify(&token).unwrap().role, Role::Reader);
    }

    #[test]
    fn refuses_bad_times_issuer_audience_and_subject() {
        let keys = keys();
        let verifier = verifier(&keys.config);
        let now = get_current_timestamp();
        for claims in [
            with(claims("agent"), "exp", json!(now - 120)),
            without(claims("agent"), "exp"),
            with(claims("agent"), "nbf", json!(now + 600)),
            with(claims("agent"), "iss", json!("https://evil.example.test/")),
            without(claims("agent"), "iss"),
            with(claims("agent"), "aud", json!("another-app")),
            without(claims("agent"), "aud"),
            without(claims("agent"), "sub"),
        ] {
            assert_rejected(&verifier, &sign(ES256, Some("ec-1"), &keys.es, &claims));
            assert_rejected(&verifier, &sign(HS256, None, &keys.hs, &claims));
        }
    }

    #[test]
    fn refuses_bad_signatures() {
        let keys = keys();
        let verifier = verifier(&keys.config);
        let claims = claims("admin");
        assert_rejected(&verifier, &sign(ES256, Some("ec-1"), &ec_key(), &claims));
        let other_secret = EncodingKey::from_secret(&[7; 32]).unwrap();
        assert_rejected(&verifier, &sign(HS256, None, &other_secret, &claims));
        // A valid signature must not carry over to a modified payload.
        let token = sign(RS256, Some("rsa-1"), rsa_key(), &claims);
        let forged = sign(
            RS256,
            Some("rsa-1"),
            rsa_key(),
            &with(claims, "sub", json!("x")),
        );
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = forged.split('.').nth(1).unwrap();
        assert_rejected(&verifier, &parts.join("."));
    }

    #[test]
    fn refuses_algorithm_confusion_and_none() {
        let keys = keys();
        let jwks_only = verifier(&JwtConfig {
            hs256_secret: None,
            ..keys.config.clone()
        });
        let claims = claims("admin");
        // The classic forgery: HS256 keyed with the RSA key's bytes, addressed to that key.
        let as_secret = EncodingKey::from_secret(rsa_key().as_bytes()).unwrap();
        for kid in [Some("rsa-1"), None] {
            assert_rejected(&jwks_only, &sign(HS256, kid, &as_secret, &claims));
            assert_rejected(&jwks_only, &sign(HS256, kid, &keys.hs, &claims));
        }
        // The EC key's token under the RSA key's kid: that key is pinned to RS256.
        assert_rejected(&jwks_only, &sign(ES256, Some("rsa-1"), &keys.es, &claims));
        // No kid and several keys: nothing to pick.
        assert_rejected(&jwks_only, &sign(ES256, None, &keys.es, &claims));
        let token = sign(HS256, None, &keys.hs, &claims);
        let payload = token.split('.').nth(1).unwrap();
        let verifier = verifier(&keys.config);
        assert_rejected(&verifier, &format!("eyJhbGciOiJub25lIn0.{payload}."));
        assert_rejected(&verifier, &format!("eyJhbGciOiJub25lIn0.{payload}.c2ln"));
    }

    #[test]
    fn refuses_missing_or_unknown_roles_and_partner_without_account() {
        let keys = keys();
        let verifier = verifier(&keys.config);
        for claims in [
            without(claims("admin"), ROLE_CLAIM),
            // Only the configured claim name counts, not the default one.
            without(with(claims("admin"), "role", json!("admin")), ROLE_CLAIM),
            claims("superuser"),
            with(claims("admin"), ROLE_CLAIM, json!(["admin"])),
            without(claims("partner"), PARTNER_CLAIM),
            with(claims("partner"), PARTNER_CLAIM, json!("")),
        ] {
            assert_rejected(&verifier, &sign(HS256, None, &keys.hs, &claims));
        }
    }

    #[test]
    fn config_is_refused_without_issuer_audience_or_a_strong_secret() {
        assert!(
            JwtVerifier::from_config(&JwtConfig::default())
                .unwrap()
                .is_none()
        );
        let secret = Some(SecretString::from("x".repeat(32)));
        let on = JwtConfig {
            hs256_secret: secret,
            ..base_config()
        };
        assert!(JwtVerifier::from_config(&on).unwrap().is_some());
        let refused = |edit: fn(&mut JwtConfig)| {
            let mut config = on.clone();
            edit(&mut config);
            let result = JwtVerifier::from_config(&config);
            assert!(matches!(result, Err(AppError::BadInput(_))), "{result:?}");
        };
        refused(|config| config.issuer = None);
        refused(|config| config.audience = Some(" ".to_owned()));
        refused(|config| config.hs256_secret = Some(SecretString::from("short")));
        refused(|config| config.jwks_file = Some("/nonexistent/jwks.json".into()));
    }

    #[test]
    fn api_keys_do_not_look_like_jwts() {
        assert!(!looks_like_jwt("cgk_3f9a2b7c4d5e6f708192a3b4c5d6e7f8"));
        for not_jwt in ["cgk_abc.def", "a.b.", "a.b.c.d", "a+b.c/d.e="] {
            assert!(!looks_like_jwt(not_jwt), "{not_jwt}");
        }
        assert!(looks_like_jwt(
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_"
        ));
    }
}
