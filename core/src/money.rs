//! Money: a `Decimal` amount in an ISO 4217 currency, never a float.
//!
//! Amounts are rounded to the currency's minor unit, half away from zero. On the
//! wire money is a decimal string next to its currency code.

use std::fmt;
use std::ops::{Add, Neg, Sub};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// An ISO 4217 currency this system handles, with its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// The currencies Storno's customers sell in. Adding one is a one-line change; an unknown code
/// is refused rather than guessed, because its minor unit decides every rounding.
const KNOWN: &[(&str, u8)] = &[
    ("EUR", 2),
    ("CHF", 2),
    ("GBP", 2),
    ("USD", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("JPY", 0),
];

/// The codes a client may send: exactly the known ones.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Currency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = KNOWN.iter().map(|(code, _)| *code).collect();
        schemars::json_schema!({
            "description": "An ISO 4217 currency Storno handles (its minor unit decides rounding).",
            "type": "string",
            "enum": codes,
        })
    }
}

impl Currency {
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        minor_units: 2,
    };

    /// Parses an upper-case ISO 4217 code such as `EUR`.
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        KNOWN
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(known, minor_units)| Currency {
                code: known.as_bytes().try_into().expect("codes are three bytes"),
                minor_units: *minor_units,
            })
            .ok_or_else(|| DomainError::UnknownCurrency(code.to_owned()))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("codes are ASCII")
    }

    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = DomainError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code().to_owned()
    }
}

/// An amount of money, always rounded to its currency's minor unit.
///
/// Arithmetic between different currencies is a programming error inside the core (orders are
/// single-currency, checked at the edge), so it panics instead of silently mixing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "MoneyRepr")]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    amount: Decimal,
    currency: Currency,
}

/// Money as it arrives: checked for the currency's minor unit before it becomes [`Money`].
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct MoneyRepr {
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<MoneyRepr> for Money {
    type Error = DomainError;
    fn try_from(repr: MoneyRepr) -> Result<Self, Self::Error> {
        Money::new(repr.amount, repr.currency)
    }
}

impl Money {
    /// The largest amount accepted from outside: far above any booking, far below where
    /// decimal arithmetic could overflow.
    pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12

    /// Money from an amount that must already be in minor units (`12.345 EUR` is refused) and
    /// at most [`Money::MAX_AMOUNT`] either way.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, DomainError> {
        if amount.abs() > Self::MAX_AMOUNT {
            return Err(DomainError::InvalidInput(format!(
                "{amount} {currency} is larger than Storno accepts"
            )));
        }
        if amount.normalize().scale() > currency.minor_units() {
            return Err(DomainError::AmountTooPrecise {
                amount: amount.to_string(),
                currency: currency.code().to_owned(),
            });
        }
        Ok(Money::rounded(amount, currency))
    }

    /// Money from any amount, rounded to the minor unit half away from zero.
    pub fn rounded(amount: Decimal, currency: Currency) -> Self {
        let mut amount = amount.round_dp_with_strategy(
            currency.minor_units(),
            RoundingStrategy::MidpointAwayFromZero,
        );
        amount.rescale(currency.minor_units());
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money::rounded(Decimal::ZERO, currency)
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn is_positive(&self) -> bool {
        self.amount > Decimal::ZERO
    }

    pub fn is_negative(&self) -> bool {
        self.amount < Decimal::ZERO
    }

    /// The amount times a factor, rounded half away from zero.
    pub fn times(&self, factor: Decimal) -> Money {
        Money::rounded(self.amount * factor, self.currency)
    }

    pub fn min(self, other: Money) -> Money {
        self.same_currency(&other);
        if other.amount < self.amount {
            other
        } else {
            self
        }
    }

    pub fn max(self, other: Money) -> Money {
        self.same_currency(&other);
        if other.amount > self.amount {
            other
        } else {
            self
        }
    }

    /// Refuses money in another currency than `currency`.
    pub fn require_currency(&self, currency: Currency) -> Result<(), DomainError> {
        if self.currency != currency {
            return Err(DomainError::CurrencyMismatch {
                expected: currency.to_string(),
                given: self.currency.to_string(),
            });
        }
        Ok(())
    }

    /// Refuses money in another currency than `currency`, or below zero.
    pub fn require_amount_in(&self, currency: Currency) -> Result<(), DomainError> {
        self.require_currency(currency)?;
        if self.is_negative() {
            return Err(DomainError::InvalidInput(format!(
                "{self} is negative; amounts here cannot be"
            )));
        }
        Ok(())
    }

    /// Sums amounts of one currency; the empty sum is zero in `currency`.
    pub fn sum<'a>(currency: Currency, items: impl IntoIterator<Item = &'a Money>) -> Money {
        items
            .into_iter()
            .fold(Money::zero(currency), |total, item| total + *item)
    }

    fn same_currency(&self, other: &Money) {
        assert_eq!(
            self.currency, other.currency,
            "money of two currencies mixed inside one order"
        );
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        self.same_currency(&other);
        // Both are already at the minor unit: the sum is exact, no rounding needed.
        Money {
            amount: self.amount + other.amount,
            currency: self.currency,
        }
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        self.same_currency(&other);
        Money {
            amount: self.amount - other.amount,
            currency: self.currency,
        }
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money {
            amount: -self.amount,
            currency: self.currency,
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounding_is_half_away_from_zero_to_the_minor_unit() {
        assert_eq!(
            Money::rounded(dec!(0.125), Currency::EUR).amount(),
            dec!(0.13)
        );
        assert_eq!(
            Money::rounded(dec!(-0.125), Currency::EUR).amount(),
            dec!(-0.13)
        );
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(Money::rounded(dec!(2.5), yen).amount(), dec!(3));
    }

    #[test]
    fn amounts_finer_than_the_minor_unit_are_refused() {
        assert!(Money::new(dec!(1.001), Currency::EUR).is_err());
        assert!(Money::new(dec!(1.100), Currency::EUR).is_ok());
    }

    #[test]
    fn amounts_beyond_a_trillion_are_refused() {
        assert_eq!(Money::MAX_AMOUNT, dec!(1_000_000_000_000));
        assert!(Money::new(dec!(1_000_000_000_000), Currency::EUR).is_ok());
        assert!(Money::new(dec!(-1_000_000_000_000.01), Currency::EUR).is_err());
    }

    #[test]
    fn unknown_currency_codes_are_refused() {
        assert!(matches!(
            Currency::parse("XXX"),
            Err(DomainError::UnknownCurrency(_))
        ));
        assert!(Currency::parse("eur").is_err());
    }

    #[test]
    fn money_travels_as_a_decimal_string_with_its_currency() {
        let money = Money::new(dec!(476), Currency::EUR).unwrap();
        let json = serde_json::to_string(&money).unwrap();
        assert_eq!(json, r#"{"amount":"476.00","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
        let short: Money = serde_json::from_str(r#"{"amount":"476","currency":"EUR"}"#).unwrap();
        assert_eq!(short.to_string(), "476.00 EUR");
        let fine = serde_json::from_str::<Money>(r#"{"amount":"4.761","currency":"EUR"}"#);
        assert!(fine.is_err());
    }
}
