//! How German documents write numbers, amounts, rates and dates (`1.234,56 €`, `23,8 %`,
//! `10.03.2025`): the one formatter of every text on a document, whether the core writes it
//! into a line (fee, terms and commission texts) or the renderer prints it.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::money::Money;
use crate::rate::Percentage;

/// `1.234,56` with `decimals` places, grouped by thousands; never `-0,00`.
pub fn number(value: Decimal, decimals: u32) -> String {
    let mut value = value.round_dp(decimals);
    value.rescale(decimals);
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    let text = value.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
}

/// `1.234,56 €` (other currencies by their code: `1.234,56 CHF`).
pub fn money(value: &Money) -> String {
    let currency = value.currency();
    let symbol = match currency.code() {
        "EUR" => "€",
        other => other,
    };
    format!(
        "{} {symbol}",
        number(value.amount(), currency.minor_units())
    )
}

/// `23,8 %`, `19 %`.
pub fn rate(percent: Decimal) -> String {
    let percent = percent.normalize();
    format!("{} %", number(percent, percent.scale()))
}

/// A percentage of the domain (`23,8 %`).
pub fn percent(value: &Percentage) -> String {
    rate(value.value())
}

/// `10.03.2025`.
pub fn date(value: NaiveDate) -> String {
    value.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_rates_and_dates_are_written_the_german_way() {
        let amount = Money::new(dec!(1234.00), Currency::EUR).unwrap();
        assert_eq!(money(&amount), "1.234,00 €");
        assert_eq!(percent(&Percentage::new(dec!(23.8)).unwrap()), "23,8 %");
        assert_eq!(percent(&Percentage::new(dec!(50)).unwrap()), "50 %");
        assert_eq!(number(dec!(1234.5), 2), "1.234,50");
        assert_eq!(number(dec!(-1071), 2), "-1.071,00");
        assert_eq!(number(dec!(999999.999), 2), "1.000.000,00");
        assert_eq!(number(dec!(-0.001), 2), "0,00");
        assert_eq!(rate(dec!(7.5)), "7,5 %");
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2025, 3, 10).unwrap()),
            "10.03.2025"
        );
    }
}
