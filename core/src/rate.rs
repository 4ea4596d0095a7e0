//! Percentages: VAT rates, commission rates, fee tiers. Stored as "19" meaning 19 %.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::money::Money;

/// A percentage between 0 and 100 inclusive, with at most four decimal places (23.8 %, 7 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Percentage(Decimal);

impl Percentage {
    pub const ZERO: Percentage = Percentage(Decimal::ZERO);
    pub const HUNDRED: Percentage = Percentage(Decimal::ONE_HUNDRED);

    pub fn new(value: Decimal) -> Result<Self, DomainError> {
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED || value.normalize().scale() > 4 {
            return Err(DomainError::InvalidPercentage(value.to_string()));
        }
        Ok(Percentage(value.normalize()))
    }

    /// The value in percent (19 for 19 %).
    pub fn value(&self) -> Decimal {
        self.0
    }

    /// The fraction (0.19 for 19 %).
    pub fn fraction(&self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }

    /// This percentage of an amount, rounded to the minor unit.
    pub fn of(&self, money: Money) -> Money {
        money.times(self.fraction())
    }
}

impl TryFrom<Decimal> for Percentage {
    type Error = DomainError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Percentage::new(value)
    }
}

impl From<Percentage> for Decimal {
    fn from(p: Percentage) -> Self {
        p.0
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} %", self.0)
    }
}

/// A VAT rate. Its own type so that a commission rate can never be applied as VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct VatRate(Percentage);

impl VatRate {
    pub const ZERO: VatRate = VatRate(Percentage::ZERO);

    pub fn new(percent: Decimal) -> Result<Self, DomainError> {
        Percentage::new(percent).map(VatRate)
    }

    pub fn percent(&self) -> Decimal {
        self.0.value()
    }

    /// The fraction (0.19 for 19 %).
    pub fn fraction(&self) -> Decimal {
        self.0.fraction()
    }

    /// VAT on a net amount, rounded to the minor unit.
    pub fn vat_on(&self, net: Money) -> Money {
        self.0.of(net)
    }

    /// Splits a gross amount into (net, VAT) so that net + VAT is exactly the gross.
    pub fn split_gross(&self, gross: Money) -> (Money, Money) {
        let net = gross.times(Decimal::ONE / (Decimal::ONE + self.0.fraction()));
        (net, gross - net)
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    #[test]
    fn percentages_outside_zero_to_hundred_are_refused() {
        assert!(Percentage::new(dec!(-1)).is_err());
        assert!(Percentage::new(dec!(100.01)).is_err());
        assert!(Percentage::new(dec!(23.8)).is_ok());
    }

    #[test]
    fn a_gross_fee_splits_into_net_and_vat_that_add_up_exactly() {
        let rate = VatRate::new(dec!(19)).unwrap();
        let gross = Money::new(dec!(100), Currency::EUR).unwrap();
        let (net, vat) = rate.split_gross(gross);
        assert_eq!(net.amount(), dec!(84.03));
        assert_eq!(vat.amount(), dec!(15.97));
        assert_eq!(net + vat, gross);
    }
}
