//! API key tokens: `cgk_` and 43 base64url characters (256 random bits).
//!
//! Only the SHA-256 digest of a token is stored. A slow password hash would add nothing: the
//! token is random, so the digest cannot be reversed by guessing, and a fast digest keeps the
//! lookup of every request cheap.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{AppError, AppResult};

/// Every API key starts with this, so leaked keys are easy to recognise (secret scanners, logs).
pub const PREFIX: &str = "cgk_";

const RANDOM_BYTES: usize = 32;

/// Characters of a token kept in the clear, to tell keys apart in listings.
const SHOWN_CHARS: usize = 12;

/// A freshly generated token. It exists in the clear only until it has been shown once.
pub struct NewToken {
    pub token: String,
    pub sha256: String,
    pub shown_prefix: String,
}

/// A new random token from the operating system's generator.
pub fn generate() -> AppResult<NewToken> {
    let mut bytes = [0u8; RANDOM_BYTES];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    Ok(NewToken {
        sha256: digest(&token),
        shown_prefix: token[..SHOWN_CHARS].to_owned(),
        token,
    })
}

/// Whether a bearer token has the shape of an API key; anything else is not looked up.
pub fn is_well_formed(token: &str) -> bool {
    token.len() == PREFIX.len() + 43
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The stored form of a token: SHA-256, lower-case hex.
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in hash {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hex
}

/// Compares two digests in constant time, so the comparison itself reveals nothing about how
/// much of a guess was right.
pub fn digests_match(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_stored_as_digests() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a.token, b.token);
        assert!(is_well_formed(&a.token), "{}", a.token);
        assert_eq!(a.sha256, digest(&a.token));
        assert_eq!(a.sha256.len(), 64);
        assert!(a.token.starts_with(&a.shown_prefix));
        assert!(digests_match(&a.sha256, &digest(&a.token)));
        assert!(!digests_match(&a.sha256, &b.sha256));
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        assert!(!is_well_formed("cgk_short"));
        assert!(!is_well_formed(&format!("xyz_{}", "a".repeat(43))));
        assert!(!is_well_formed(&format!("cgk_{}!", "a".repeat(42))));
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
