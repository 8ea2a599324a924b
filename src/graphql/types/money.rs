use async_graphql::Object;
use iso_currency::Currency;

/// An exact amount of money. Amounts are strings because they must not pass through floating
/// point and may exceed GraphQL's 32-bit `Int`.
pub struct Money {
    minor_units: i64,
    currency: String,
}

impl Money {
    pub fn new(minor_units: i64, currency: impl Into<String>) -> Self {
        Self {
            minor_units,
            currency: currency.into(),
        }
    }

    /// Digits after the decimal point for the currency (2 for EUR, 0 for JPY, 3 for BHD).
    fn exponent(&self) -> u32 {
        Currency::from_code(&self.currency)
            .and_then(|currency| currency.exponent())
            .map_or(2, u32::from)
    }

    pub(crate) fn decimal(&self) -> String {
        let exponent = self.exponent();
        if exponent == 0 {
            return self.minor_units.to_string();
        }
        let scale = 10_u64.pow(exponent);
        let magnitude = self.minor_units.unsigned_abs();
        let sign = if self.minor_units < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = exponent as usize
        )
    }
}

/// An exact amount of money. Amounts are strings because they must not pass through floating point
/// and may exceed GraphQL's 32-bit `Int`.
#[Object]
impl Money {
    /// Decimal amount in the currency's major unit, e.g. `"1234.50"`.
    async fn amount(&self) -> String {
        self.decimal()
    }

    /// Amount in the currency's minor unit (cents for EUR), e.g. `"123450"`.
    async fn minor_units(&self) -> String {
        self.minor_units.to_string()
    }

    /// ISO 4217 currency code, e.g. `EUR`.
    async fn currency(&self) -> &str {
        &self.currency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_use_the_currency_exponent() {
        assert_eq!(Money::new(123_450, "EUR").decimal(), "1234.50");
        assert_eq!(Money::new(5, "USD").decimal(), "0.05");
        assert_eq!(Money::new(1500, "JPY").decimal(), "1500");
        assert_eq!(Money::new(1_234_567, "BHD").decimal(), "1234.567");
    }
}
