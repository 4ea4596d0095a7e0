//! How a German invoice writes things: titles, dates (`10.03.2025`), amounts (`1.234,56 €`),
//! rates (`19 %`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use storno_core::{Document, DocumentKind, Money};

pub fn date(value: NaiveDate) -> String {
    value.format("%d.%m.%Y").to_string()
}

pub fn period(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        date(start)
    } else {
        format!("{}–{}", date(start), date(end))
    }
}

/// `1.234,56` with the currency's decimals and German separators.
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

pub fn money(value: Money) -> String {
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

/// A unit price: at least the currency's decimals, more when the price has them.
pub fn unit_price(value: Decimal, decimals: u32) -> String {
    let decimals = value.normalize().scale().max(decimals);
    number(value, decimals)
}

pub fn rate(percent: Decimal) -> String {
    format!(
        "{} %",
        number(percent.normalize(), percent.normalize().scale())
    )
}

/// The document's title: what it is, and its number.
pub fn title(document: &Document) -> String {
    let number = &document.number;
    match &document.kind {
        DocumentKind::Invoice { version: 1, .. } => format!("Rechnung {number}"),
        DocumentKind::Invoice { version, .. } => format!("Rechnung {number} (Fassung {version})"),
        DocumentKind::Cancellation { .. } => format!("Stornorechnung {number}"),
        DocumentKind::FeeInvoice { .. } => format!("Rechnung über Stornogebühren {number}"),
        DocumentKind::CommissionInvoice { .. } => format!("Provisionsrechnung {number}"),
    }
}

/// How a document is settled, said the same way in the e-invoice (BT-20) and the PDF.
///
/// Orders are paid at checkout. A cancellation document frees what was paid for the invoice it
/// cancels: that amount is first set against what replaces it (the next version, a fee
/// invoice), and only what is left goes back (to the original payment or as credit). So a
/// cancellation never claims to refund more than is refunded, and a later version is paid by
/// that offset, not a second time by the original payment. It never says "Gutschrift": in
/// German VAT law that is a self-billed invoice (§ 14 Abs. 2 S. 2 UStG), not a cancellation.
pub fn settlement(kind: &DocumentKind) -> String {
    match kind {
        DocumentKind::Cancellation { cancels } => format!(
            "Storno der Rechnung {} vom {}: Der Betrag zu Ihren Gunsten wird mit einer etwaigen \
             ersetzenden Rechnung und Stornogebühren verrechnet; was danach verbleibt, wird auf \
             das ursprüngliche Zahlungsmittel erstattet oder Ihrem Guthabenkonto gutgeschrieben.",
            cancels.number,
            date(cancels.issue_date)
        ),
        DocumentKind::CommissionInvoice { .. } => {
            "Mit der Auszahlung an Sie verrechnet; kein Zahlungsausgleich erforderlich.".to_owned()
        }
        DocumentKind::Invoice {
            replaces: Some(previous),
            ..
        }
        | DocumentKind::FeeInvoice {
            after_cancelled: previous,
        } => format!(
            "Beglichen durch Verrechnung mit Ihrer Zahlung zur stornierten Rechnung {} vom {}; \
             kein Zahlungsausgleich erforderlich.",
            previous.number,
            date(previous.issue_date)
        ),
        DocumentKind::Invoice { replaces: None, .. } => {
            "Bereits bezahlt; kein Zahlungsausgleich erforderlich.".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_are_written_the_german_way() {
        assert_eq!(number(dec!(1234.5), 2), "1.234,50");
        assert_eq!(number(dec!(-1071), 2), "-1.071,00");
        assert_eq!(number(dec!(999999.999), 2), "1.000.000,00");
        assert_eq!(number(dec!(-0.001), 2), "0,00");
        assert_eq!(unit_price(dec!(37.2897), 2), "37,2897");
        assert_eq!(rate(dec!(19)), "19 %");
        assert_eq!(rate(dec!(7.5)), "7,5 %");
    }
}
