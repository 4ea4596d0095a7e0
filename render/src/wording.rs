//! How a German invoice writes things: titles, dates (`10.03.2025`), amounts (`1.234,56 €`),
//! rates (`19 %`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use storno_core::german;
use storno_core::{Document, DocumentKind, Money};

/// One formatter for the core's texts and the renderer's: `storno_core::german`.
pub use german::{date, number, rate};

pub fn period(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        date(start)
    } else {
        format!("{}–{}", date(start), date(end))
    }
}

pub fn money(value: Money) -> String {
    german::money(&value)
}

/// A unit price: at least the currency's decimals, more when the price has them.
pub fn unit_price(value: Decimal, decimals: u32) -> String {
    let decimals = value.normalize().scale().max(decimals);
    number(value, decimals)
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
    fn unit_prices_keep_their_decimals() {
        assert_eq!(unit_price(dec!(37.2897), 2), "37,2897");
        assert_eq!(unit_price(dec!(37.2), 2), "37,20");
    }
}
