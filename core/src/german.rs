//! Amounts and rates as the documents' German texts write them (`119,00 EUR`, `23,8 %`): line
//! and fee descriptions are part of legal documents read by people in Germany.

use crate::money::Money;
use crate::rate::Percentage;

/// `119.00 EUR` → `119,00 EUR`.
pub(crate) fn money(value: &Money) -> String {
    format!(
        "{} {}",
        value.amount().to_string().replace('.', ","),
        value.currency()
    )
}

/// `23.8 %` → `23,8 %`.
pub(crate) fn percent(value: &Percentage) -> String {
    format!(
        "{} %",
        value.value().normalize().to_string().replace('.', ",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_and_rates_take_a_decimal_comma() {
        let amount = Money::new(dec!(119.00), Currency::EUR).unwrap();
        assert_eq!(money(&amount), "119,00 EUR");
        assert_eq!(percent(&Percentage::new(dec!(23.8)).unwrap()), "23,8 %");
        assert_eq!(percent(&Percentage::new(dec!(50)).unwrap()), "50 %");
    }
}
