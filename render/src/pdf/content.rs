//! What the PDF says, as text: the table's rows and the totals block. Laying them out is
//! `layout`'s job.

use rust_decimal::Decimal;
use storno_core::{Document, DocumentKind, Money, PriceEntry, VatCategory};

use crate::einvoice::EInvoice;
use crate::wording;

/// One row of the lines table.
pub(super) struct Row {
    pub position: String,
    pub description: String,
    /// Whom the line is for and its service period, in small grey type.
    pub detail: Option<String>,
    pub quantity: String,
    pub unit_price: String,
    pub rate: String,
    pub amount: String,
}

/// The document's lines as rows, in its price entry (net, or gross VAT included).
pub(super) fn rows(document: &Document, e: &EInvoice<'_>) -> Vec<Row> {
    let decimals = document.currency().minor_units();
    let gross = document.header.prices == PriceEntry::Gross;
    document
        .lines
        .iter()
        .zip(&e.lines)
        .map(|(line, shown)| {
            let amount = if gross {
                line.gross.unwrap_or(line.net)
            } else {
                line.net
            };
            let unit = if gross && line.quantity != 0 {
                (amount.amount() / Decimal::from(line.quantity)).abs()
            } else {
                line.unit_price
            };
            let detail = [
                shown.note.clone(),
                shown
                    .period
                    .map(|(start, end)| format!("Leistung {}", wording::period(start, end))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            Row {
                position: shown.id.to_string(),
                description: line.description.to_string(),
                detail: (!detail.is_empty()).then(|| detail.join(" · ")),
                quantity: wording::number(Decimal::from(line.quantity), 0),
                unit_price: wording::unit_price(unit, decimals),
                rate: wording::rate(line.vat_rate.percent()),
                amount: wording::money(amount),
            }
        })
        .collect()
}

/// One line of the totals block.
pub(super) struct Total {
    pub label: String,
    pub amount: String,
    pub bold: bool,
}

fn total(label: impl Into<String>, amount: Money, bold: bool) -> Total {
    Total {
        label: label.into(),
        amount: wording::money(amount),
        bold,
    }
}

/// Whether the document shows a VAT column and VAT lines: not for a seller that charges no
/// VAT at all (§ 19 UStG), whose note says so once.
pub(super) fn shows_vat(document: &Document) -> bool {
    document.header.seller.vat_exemption.is_none()
}

/// The totals block.
pub(super) fn totals(document: &Document) -> Vec<Total> {
    let gross = document.header.prices == PriceEntry::Gross;
    let mut lines = vec![total("Summe netto", document.net, false)];
    for tax in document
        .vat_breakdown
        .iter()
        .filter(|_| shows_vat(document))
    {
        let label = match tax.category {
            VatCategory::Standard => format!(
                "{} USt {} auf {}",
                if gross { "enthaltene" } else { "zzgl." },
                wording::rate(tax.rate.percent()),
                wording::money(tax.taxable)
            ),
            // Not "steuerfrei": a fee as compensation is no supply at all. The reason is
            // printed below the totals.
            VatCategory::Exempt => format!("ohne Umsatzsteuer: {}", wording::money(tax.taxable)),
            VatCategory::ReverseCharge => {
                format!("Reverse Charge: {}", wording::money(tax.taxable))
            }
        };
        lines.push(total(label, tax.vat, false));
    }
    if !document.rounding.is_zero() {
        lines.push(total("Rundungsbetrag", document.rounding, false));
    }
    let label = match document.kind {
        DocumentKind::Cancellation { .. } => "Storniert (Gesamtbetrag)",
        _ => "Gesamtbetrag",
    };
    lines.push(total(label, document.payable, true));
    let zero = Money::zero(document.currency());
    match document.kind {
        // What the cancellation frees is set against what replaces it first (see the terms):
        // the document states the amount in the customer's favour, not a refund.
        DocumentKind::Cancellation { .. } => {
            lines.push(total("Betrag zu Ihren Gunsten", -document.payable, false));
        }
        DocumentKind::CommissionInvoice { .. } => {
            lines.push(total(
                "mit der Auszahlung verrechnet",
                document.payable,
                false,
            ));
            lines.push(total("Offener Betrag", zero, true));
        }
        DocumentKind::Invoice { replaces: None, .. } => {
            lines.push(total("bereits bezahlt", document.payable, false));
            lines.push(total("Offener Betrag", zero, true));
        }
        _ => {
            lines.push(total(
                "durch Verrechnung beglichen",
                document.payable,
                false,
            ));
            lines.push(total("Offener Betrag", zero, true));
        }
    }
    lines
}

/// The payment terms with the seller's account, as printed under the totals.
pub(super) fn payment(e: &EInvoice<'_>) -> String {
    match &e.payment.account {
        Some(account) => format!(
            "{} Bankverbindung: {} · IBAN {}{}",
            e.terms,
            account.holder,
            account.iban,
            account
                .bic
                .as_deref()
                .map(|bic| format!(" · BIC {bic}"))
                .unwrap_or_default()
        ),
        None => e.terms.clone(),
    }
}

/// Why a rate carries no VAT (an exemption, a fee as compensation, the reverse charge that
/// § 14a Abs. 5 UStG requires to be stated), each once. The seller's own note (§ 19 UStG)
/// is among the header notes already.
pub(super) fn vat_reasons(document: &Document) -> Vec<&str> {
    let seller_note = document.header.seller.vat_exemption.as_deref();
    let mut reasons: Vec<&str> = Vec::new();
    for tax in &document.vat_breakdown {
        if let Some(reason) = tax.exemption_reason.as_deref()
            && Some(reason) != seller_note
            && !reasons.contains(&reason)
        {
            reasons.push(reason);
        }
    }
    reasons
}
