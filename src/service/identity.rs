//! Normalization of contact identities: the one definition of "the same identity", used when
//! identities are stored and when they are looked up.

use entity::enums::IdentityChannel;
use phonenumber::{Mode, country};

use crate::error::{AppError, AppResult};

/// Longest identity value accepted, before normalization.
pub const MAX_IDENTITY_LEN: usize = 320;

/// Turns a value as entered into the value the uniqueness rule compares:
/// - e-mail: trimmed and lower-cased (mail systems treat addresses case-insensitively in practice);
/// - SMS and WhatsApp: E.164 with the leading `+`, national forms read in `default_region`;
/// - Twitter: trimmed, without a leading `@`, lower-cased (handles are case-insensitive);
/// - Facebook and WeChat: trimmed.
pub fn normalize(
    channel: IdentityChannel,
    value: &str,
    default_region: country::Id,
) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_input("identity value must not be blank"));
    }
    if trimmed.len() > MAX_IDENTITY_LEN {
        return Err(AppError::bad_input(format!(
            "identity value must be at most {MAX_IDENTITY_LEN} characters"
        )));
    }
    match channel {
        IdentityChannel::Email => normalize_email(trimmed),
        IdentityChannel::Sms | IdentityChannel::Whatsapp => {
            normalize_phone(trimmed, default_region)
        }
        IdentityChannel::Twitter => Ok(trimmed.trim_start_matches('@').to_lowercase()),
        IdentityChannel::Facebook | IdentityChannel::Wechat => Ok(trimmed.to_owned()),
    }
}

fn normalize_email(value: &str) -> AppResult<String> {
    let valid = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !value.chars().any(char::is_whitespace)
    });
    if !valid {
        return Err(AppError::bad_input(format!(
            "`{value}` is not an e-mail address"
        )));
    }
    Ok(value.to_lowercase())
}

/// Parses a phone number, accepting international (`+49 30 1234567`, `0049...`) and national
/// (`030 1234567`, read in `default_region`) forms with spaces, dashes, dots and parentheses.
pub fn normalize_phone(value: &str, default_region: country::Id) -> AppResult<String> {
    // An international number must not be read in the default region: phonenumber 0.3 would
    // strip that region's national prefix from it (`+49 1512...` under US loses its `1`).
    let region = (!value.starts_with('+')).then_some(default_region);
    let number = phonenumber::parse(region, value)
        .map_err(|_| AppError::bad_input(format!("`{value}` is not a phone number")))?;
    if !phonenumber::is_valid(&number) {
        return Err(AppError::bad_input(format!(
            "`{value}` is not a valid phone number"
        )));
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// Reads a configured region code such as `US` or `DE`.
pub fn parse_region(code: &str) -> AppResult<country::Id> {
    code.trim()
        .to_uppercase()
        .parse::<country::Id>()
        .map_err(|_| AppError::bad_input(format!("`{code}` is not an ISO 3166 region code")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const DE: country::Id = country::Id::DE;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let got = normalize(IdentityChannel::Email, "  Ada.Lovelace@Example.COM ", DE).unwrap();
        assert_eq!(got, "ada.lovelace@example.com");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in ["ada", "@example.com", "ada@", "a b@example.com", "a@b@c"] {
            assert!(normalize(IdentityChannel::Email, bad, DE).is_err(), "{bad}");
        }
    }

    #[test]
    fn one_phone_number_in_many_spellings_is_one_identity() {
        let spellings = [
            "+49 30 1234567",
            "0049 30 1234567",
            "030 1234567",
            "(030) 123-4567",
        ];
        for spelling in spellings {
            let got = normalize(IdentityChannel::Sms, spelling, DE).unwrap();
            assert_eq!(got, "+49301234567", "{spelling}");
        }
    }

    #[test]
    fn international_numbers_ignore_the_default_region() {
        let got = normalize(IdentityChannel::Sms, "+49 1512 3456789", country::Id::US).unwrap();
        assert_eq!(got, "+4915123456789");
        let got = normalize(IdentityChannel::Sms, "+39 02 1234 5678", DE).unwrap();
        assert_eq!(got, "+390212345678");
    }

    #[test]
    fn national_numbers_use_the_default_region() {
        let got = normalize(IdentityChannel::Whatsapp, "(201) 555-0123", country::Id::US).unwrap();
        assert_eq!(got, "+12015550123");
    }

    #[test]
    fn invalid_phone_numbers_are_refused() {
        assert!(normalize(IdentityChannel::Sms, "12", DE).is_err());
        assert!(normalize(IdentityChannel::Sms, "call me", DE).is_err());
    }

    #[test]
    fn twitter_handles_lose_the_at_sign_and_case() {
        let got = normalize(IdentityChannel::Twitter, " @AdaLovelace ", DE).unwrap();
        assert_eq!(got, "adalovelace");
    }

    #[test]
    fn blank_values_are_refused() {
        assert!(normalize(IdentityChannel::Wechat, "   ", DE).is_err());
    }
}
