//! Input rules shared by every mutation. Each check names the field in its message so a client
//! can show it next to the right input.

use std::str::FromStr;

use phonenumber::country;

use crate::error::{AppError, AppResult};
use crate::service::identity;

/// Longest free text kept in a single-line field (names, titles, cities, ...).
pub const MAX_LINE: usize = 200;
/// Longest free text kept in a multi-line field (descriptions, notes).
pub const MAX_TEXT: usize = 10_000;

fn too_long(field: &str, max: usize) -> AppError {
    AppError::bad_input(format!("`{field}` must be at most {max} characters"))
}

/// A required text: trimmed, not blank, bounded.
pub fn required(field: &str, value: String, max: usize) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_input(format!("`{field}` must not be blank")));
    }
    if trimmed.chars().count() > max {
        return Err(too_long(field, max));
    }
    Ok(trimmed.to_owned())
}

/// An optional text: trimmed and bounded; blank means absent.
pub fn optional(field: &str, value: String, max: usize) -> AppResult<Option<String>> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(too_long(field, max));
    }
    Ok(Some(trimmed.to_owned()))
}

/// A syntactically valid e-mail address, kept as entered (trimmed).
pub fn email(field: &str, value: String) -> AppResult<String> {
    let value = required(field, value, identity::MAX_IDENTITY_LEN)?;
    identity::normalize(
        entity::enums::IdentityChannel::Email,
        &value,
        country::Id::US,
    )
    .map_err(|_| AppError::bad_input(format!("`{field}`: `{value}` is not an e-mail address")))?;
    Ok(value)
}

/// A valid phone number, returned in E.164 (`+4930...`).
pub fn phone(field: &str, value: String, region: country::Id) -> AppResult<String> {
    let value = required(field, value, MAX_LINE)?;
    identity::normalize_phone(&value, region).map_err(|_| {
        AppError::bad_input(format!("`{field}`: `{value}` is not a valid phone number"))
    })
}

/// An absolute http(s) URL.
pub fn url(field: &str, value: String) -> AppResult<String> {
    let value = required(field, value, 2_000)?;
    match url::Url::parse(&value) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => Ok(value),
        _ => Err(AppError::bad_input(format!(
            "`{field}`: `{value}` is not an http(s) URL"
        ))),
    }
}

/// An IANA time zone name such as `Europe/Paris`.
pub fn timezone(field: &str, value: String) -> AppResult<String> {
    let value = required(field, value, 64)?;
    chrono_tz::Tz::from_str(&value)
        .map(|tz| tz.name().to_owned())
        .map_err(|_| AppError::bad_input(format!("`{field}`: `{value}` is not an IANA time zone")))
}

/// An ISO 4217 currency code, upper-cased.
pub fn currency(field: &str, value: String) -> AppResult<String> {
    let code = value.trim().to_uppercase();
    iso_currency::Currency::from_code(&code)
        .map(|currency| currency.code().to_owned())
        .ok_or_else(|| {
            AppError::bad_input(format!("`{field}`: `{value}` is not an ISO 4217 currency"))
        })
}

/// A non-negative amount in minor units, given as a decimal string of digits (GraphQL `Int` is
/// only 32 bits).
pub fn minor_units(field: &str, value: &str) -> AppResult<i64> {
    let amount: i64 = value.trim().parse().map_err(|_| {
        AppError::bad_input(format!("`{field}` must be a whole number of minor units"))
    })?;
    if amount < 0 {
        return Err(AppError::bad_input(format!(
            "`{field}` must not be negative"
        )));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_required() {
        assert_eq!(required("lastName", "  King ".into(), 10).unwrap(), "King");
        assert!(required("lastName", "   ".into(), 10).is_err());
        assert!(required("lastName", "x".repeat(11), 10).is_err());
        assert_eq!(optional("alias", " ".into(), 10).unwrap(), None);
    }

    #[test]
    fn formats_are_checked() {
        assert!(email("email", "ada@example.com".into()).is_ok());
        assert!(email("email", "ada".into()).is_err());
        assert_eq!(
            phone("phone", "030 1234567".into(), country::Id::DE).unwrap(),
            "+49301234567"
        );
        assert!(url("website", "https://example.com".into()).is_ok());
        assert!(url("website", "example.com".into()).is_err());
        assert!(url("website", "ftp://example.com".into()).is_err());
        assert_eq!(
            timezone("timezone", "Europe/Paris".into()).unwrap(),
            "Europe/Paris"
        );
        assert!(timezone("timezone", "Mars/Olympus".into()).is_err());
        assert_eq!(currency("currency", "eur".into()).unwrap(), "EUR");
        assert!(currency("currency", "XYZ1".into()).is_err());
        assert_eq!(minor_units("amount", "123450").unwrap(), 123_450);
        assert!(minor_units("amount", "-1").is_err());
        assert!(minor_units("amount", "1.5").is_err());
    }
}
