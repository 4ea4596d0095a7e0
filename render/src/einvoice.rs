//! A document as EN 16931 sees it, shared by the CII and UBL writers: the type code, the
//! preceding invoice, the signs, the payment means and the totals, each decided once.
//!
//! - An invoice version, a fee invoice and a commission invoice are commercial invoices
//!   (**380**); a later version and a fee invoice name the invoice they follow in BG-3. A later
//!   version is not a corrected invoice (384): the version before it was already cancelled by
//!   its own credit note, and a 384 would correct it a second time.
//! - A cancellation document is a credit note (**381**) naming the cancelled invoice in BG-3.
//!   Storno stores it as the exact negation of the invoice; the 381 states the invoice's own
//!   amounts, because its type code reverses them.
//! - Every order was paid at checkout, so an invoice states its amount as paid (BT-113) and
//!   nothing due; the seller's account stays in BG-17 as XRechnung asks (BR-DE-1, BR-DE-23).
//!   A credit note is refunded to the original payment (means 1, no account needed) or as
//!   credit.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use storno_core::{
    Document, DocumentKind, InvoiceReference, LineKind, Money, VatCategory, document::DocumentLine,
};

/// BT-23: the Peppol billing process, required by XRechnung (PEPPOL-EN16931-R001).
pub const BUSINESS_PROCESS: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";
/// BT-24: XRechnung 3.0 (BR-DE-21).
pub const SPECIFICATION: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
/// BT-24 of the XML a Factur-X / ZUGFeRD PDF embeds: the EN 16931 profile the PDF declares in
/// its XMP (`fx:ConformanceLevel`); Factur-X readers refuse any other id (FX-SCH-A-000556).
pub const FACTUR_X_EN16931: &str = "urn:cen.eu:en16931:2017";

/// Which specification an e-invoice declares it follows (BT-24). The content is the same:
/// every document satisfies EN 16931 and XRechnung; only the declaration differs by form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The CII and UBL served on their own: XRechnung 3.0.
    XRechnung,
    /// The CII inside the PDF: Factur-X / ZUGFeRD profile EN 16931.
    FacturXEn16931,
}

impl Profile {
    pub fn specification(self) -> &'static str {
        match self {
            Profile::XRechnung => SPECIFICATION,
            Profile::FacturXEn16931 => FACTUR_X_EN16931,
        }
    }
}
/// UN/ECE Recommendation 20 "one": every booked option is counted in pieces.
pub const UNIT: &str = "C62";

/// What the XML says, derived from one immutable document.
pub struct EInvoice<'a> {
    pub document: &'a Document,
    /// BT-3.
    pub type_code: &'static str,
    /// BG-3: the invoice this one cancels or follows.
    pub preceding: Option<&'a InvoiceReference>,
    /// BT-10: the buyer's reference, or the order (XRechnung demands one, BR-DE-15).
    pub buyer_reference: String,
    /// BG-1 (BT-22).
    pub notes: Vec<String>,
    pub lines: Vec<Line>,
    pub taxes: Vec<Tax>,
    pub totals: Totals,
    pub payment: Payment,
    /// BT-20.
    pub terms: String,
    /// BT-72, when a line has no service period of its own (fees: the day they were charged).
    pub delivery_date: Option<NaiveDate>,
    /// BT-72 as the XML states it: the date above, else the day the service is completed
    /// (the latest line period's end), so the header's delivery is never an empty element
    /// (PEPPOL-EN16931-R008).
    pub actual_delivery: Option<NaiveDate>,
}

pub struct Line {
    /// BT-126.
    pub id: usize,
    /// BT-153.
    pub name: String,
    /// BT-127: whom the line is for, and whether they cancelled.
    pub note: Option<String>,
    /// BT-129, signed: a cancellation line has a negative quantity.
    pub quantity: Decimal,
    /// BT-146, never negative (BR-27).
    pub unit_price: Decimal,
    /// BT-131.
    pub net: Decimal,
    pub category: &'static str,
    /// BT-152; `None` never happens for S and E.
    pub rate: Decimal,
    /// BG-26.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

pub struct Tax {
    pub category: &'static str,
    pub rate: Decimal,
    pub basis: Decimal,
    pub amount: Decimal,
    pub exemption_reason: Option<String>,
}

pub struct Totals {
    pub lines: Decimal,
    pub tax: Decimal,
    pub rounding: Decimal,
    pub grand: Decimal,
    pub prepaid: Decimal,
    pub due: Decimal,
}

pub struct Payment {
    /// BT-81: 58 SEPA credit transfer, 30 credit transfer, 1 not defined (refunds).
    pub code: &'static str,
    /// BT-82.
    pub information: String,
    /// BG-17 (codes 30 and 58).
    pub account: Option<Account>,
}

pub struct Account {
    pub iban: String,
    pub holder: String,
    pub bic: Option<String>,
}

impl<'a> EInvoice<'a> {
    pub fn of(document: &'a Document) -> EInvoice<'a> {
        let credit_note = matches!(document.kind, DocumentKind::Cancellation { .. });
        // A credit note states the cancelled invoice's own amounts.
        let sign = if credit_note {
            Decimal::NEGATIVE_ONE
        } else {
            Decimal::ONE
        };
        let recipient = &document.header.recipient;
        let delivery_date = document
            .lines
            .iter()
            .any(|l| l.service_period.is_none())
            .then_some(document.issue_date);
        EInvoice {
            document,
            type_code: if credit_note { "381" } else { "380" },
            preceding: document.kind.refers_to(),
            buyer_reference: recipient
                .buyer_reference
                .as_deref()
                .map_or_else(|| document.header.order.to_string(), str::to_owned),
            notes: notes(document),
            lines: lines(document, sign),
            taxes: taxes(document, sign),
            totals: totals(document, sign, credit_note),
            payment: payment(document, credit_note),
            terms: crate::wording::settlement(&document.kind),
            delivery_date,
            actual_delivery: delivery_date.or_else(|| {
                document
                    .lines
                    .iter()
                    .filter_map(|l| l.service_period.map(|p| p.end))
                    .max()
            }),
        }
    }

    /// The currency's decimals for amounts (BR-DEC-*: at most two for EUR).
    pub fn decimals(&self) -> u32 {
        self.document.currency().minor_units()
    }

    /// An amount as the XML writes it: exactly the currency's decimals.
    pub fn amount(&self, value: Decimal) -> String {
        let mut value = value.round_dp(self.decimals());
        value.rescale(self.decimals());
        if value.is_zero() {
            value.set_sign_positive(true);
        }
        value.to_string()
    }
}

/// A decimal without trailing zeros (`19`, `37.2897`, `-1`).
pub fn plain(value: Decimal) -> String {
    let value = value.normalize();
    if value.is_zero() {
        "0".to_owned()
    } else {
        value.to_string()
    }
}

/// The header notes: what the document is, and what it refers to.
fn notes(document: &Document) -> Vec<String> {
    let date = crate::wording::date;
    let order = &document.header.order;
    let mut notes = vec![match &document.kind {
        DocumentKind::Invoice { version: 1, .. } => format!("Rechnung zu Bestellung {order}."),
        DocumentKind::Invoice {
            version,
            replaces: Some(previous),
        } => format!(
            "Fassung {version} der Rechnung zu Bestellung {order}: ersetzt Rechnung {} vom {}, die storniert wurde.",
            previous.number,
            date(previous.issue_date)
        ),
        DocumentKind::Invoice { version, .. } => {
            format!("Fassung {version} der Rechnung zu Bestellung {order}.")
        }
        DocumentKind::Cancellation { cancels } => format!(
            "Stornorechnung zu Rechnung {} vom {}.",
            cancels.number,
            date(cancels.issue_date)
        ),
        DocumentKind::FeeInvoice { after_cancelled } => format!(
            "Stornogebühren nach Stornierung der Rechnung {} vom {}.",
            after_cancelled.number,
            date(after_cancelled.issue_date)
        ),
        DocumentKind::CommissionInvoice { payout_of } => {
            format!("Provision zur Auszahlung für Bestellung {payout_of}.")
        }
    }];
    if let Some(exemption) = &document.header.seller.vat_exemption {
        notes.push(exemption.to_string());
    }
    notes
}

/// Whom a line is for: the attendee, noted "storniert" once their booking is cancelled.
fn line_note(document: &Document, line: &DocumentLine) -> Option<String> {
    let booking = line.booking.as_ref()?;
    let attendee = document.attendees.iter().find(|a| &a.booking == booking)?;
    let what = match line.kind {
        LineKind::CancelledItem => "Storno für",
        LineKind::Fee => "Stornogebühr für",
        LineKind::Item => "Teilnehmer:in",
    };
    Some(match attendee.note.as_deref() {
        // Stored as the core's language-neutral note; the document is German.
        Some(storno_core::CANCELED_NOTE) => format!("{what} {} (storniert)", attendee.name),
        Some(note) => format!("{what} {} ({note})", attendee.name),
        None => format!("{what} {}", attendee.name),
    })
}

/// The lines (BG-25), signed as the document type states them.
fn lines(document: &Document, sign: Decimal) -> Vec<Line> {
    let category_of = |line: &DocumentLine| {
        document
            .vat_breakdown
            .iter()
            .find(|t| t.rate == line.vat_rate)
            .map_or(VatCategory::Standard, |t| t.category)
            .code()
    };
    document
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| Line {
            id: index + 1,
            name: line.description.to_string(),
            note: line_note(document, line),
            quantity: Decimal::from(line.quantity) * sign,
            unit_price: line.unit_price,
            net: line.net.amount() * sign,
            category: category_of(line),
            rate: line.vat_rate.percent(),
            period: line.service_period.map(|p| (p.start, p.end)),
        })
        .collect()
}

/// The VAT breakdown (BG-23).
fn taxes(document: &Document, sign: Decimal) -> Vec<Tax> {
    document
        .vat_breakdown
        .iter()
        .map(|t| Tax {
            category: t.category.code(),
            rate: t.rate.percent(),
            basis: t.taxable.amount() * sign,
            amount: t.vat.amount() * sign,
            exemption_reason: t.exemption_reason.as_deref().map(str::to_owned),
        })
        .collect()
}

/// The document totals (BG-22); a credit note has nothing prepaid.
fn totals(document: &Document, sign: Decimal, credit_note: bool) -> Totals {
    let signed = |m: Money| m.amount() * sign;
    let grand = signed(document.gross);
    let rounding = signed(document.rounding);
    let prepaid = if credit_note {
        Decimal::ZERO
    } else {
        signed(document.payable)
    };
    Totals {
        lines: signed(document.net),
        tax: signed(document.vat),
        rounding,
        grand,
        prepaid,
        due: grand - prepaid + rounding,
    }
}

/// How it is paid (BG-16): a transfer to the seller's account, or for a credit note, settled
/// against the replacing invoice and fees.
fn payment(document: &Document, credit_note: bool) -> Payment {
    if credit_note {
        return Payment {
            code: "1",
            information: "Verrechnung mit einer ersetzenden Rechnung und Stornogebühren, Rest als Erstattung oder Guthaben"
                .to_owned(),
            account: None,
        };
    }
    let seller = &document.header.seller;
    let sepa = document.currency().code() == "EUR";
    Payment {
        code: if sepa { "58" } else { "30" },
        information: if sepa {
            "SEPA-Überweisung".to_owned()
        } else {
            "Überweisung".to_owned()
        },
        account: Some(Account {
            iban: seller.payment.iban.as_str().to_owned(),
            holder: seller
                .payment
                .holder
                .as_deref()
                .unwrap_or(&seller.legal_name)
                .to_owned(),
            bic: seller.payment.bic.as_deref().map(str::to_owned),
        }),
    }
}
