//! Issued documents: invoice versions, cancellation documents, fee invoices (DESIGN §3.2).
//!
//! A document is immutable once built. Each line carries net, VAT and gross rounded to the
//! minor unit; the VAT breakdown per rate and the totals are sums of the lines, so a
//! cancellation document that negates every line negates every total exactly, and VAT is never
//! recomputed on a reversal.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{BookingId, CustomerId, IssuerId, OptionId, OrderId, Text};
use crate::money::{Currency, Money};
use crate::numbering::DocumentNumber;
use crate::rate::VatRate;

/// What a document is, and what it cancels or replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentKind {
    /// A version of the order's invoice; version 2 onwards replaces the cancelled version before.
    Invoice {
        version: u32,
        replaces: Option<DocumentNumber>,
    },
    /// The exact negation of the invoice version it cancels.
    Cancellation { cancels: DocumentNumber },
    /// The fees of an invoice that was cancelled as a whole.
    FeeInvoice { after_cancelled: DocumentNumber },
}

/// Why a line is on the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A booked option.
    Item,
    /// The negation shown under a cancelled option (presentation "cancellation line").
    CancelledItem,
    /// A cancellation fee.
    Fee,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLine {
    pub kind: LineKind,
    pub booking: Option<BookingId>,
    pub option: Option<OptionId>,
    pub description: Text,
    pub quantity: i64,
    pub net: Money,
    pub vat_rate: VatRate,
    pub vat: Money,
    pub gross: Money,
}

impl DocumentLine {
    /// A line priced net: VAT is the rate on the line's net, rounded per line.
    pub fn priced_net(
        kind: LineKind,
        description: Text,
        quantity: i64,
        net: Money,
        vat_rate: VatRate,
    ) -> Self {
        let vat = vat_rate.vat_on(net);
        DocumentLine {
            kind,
            booking: None,
            option: None,
            description,
            quantity,
            net,
            vat_rate,
            vat,
            gross: net + vat,
        }
    }

    /// A line priced gross (fees): net and VAT split so that they add up to the gross exactly.
    pub fn priced_gross(description: Text, gross: Money, vat_rate: VatRate) -> Self {
        let (net, vat) = vat_rate.split_gross(gross);
        DocumentLine {
            kind: LineKind::Fee,
            booking: None,
            option: None,
            description,
            quantity: 1,
            net,
            vat_rate,
            vat,
            gross,
        }
    }

    /// The same line with quantity and every amount negated.
    pub fn negated(&self) -> Self {
        DocumentLine {
            quantity: -self.quantity,
            net: -self.net,
            vat: -self.vat,
            gross: -self.gross,
            ..self.clone()
        }
    }
}

/// Net, VAT and gross of one VAT rate on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatSummary {
    pub rate: VatRate,
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
}

/// An attendee as the document names them; cancelled people carry the note "canceled".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeEntry {
    pub booking: BookingId,
    pub name: Text,
    pub note: Option<String>,
}

/// Who and what a document is about; shared by every document of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentHeader {
    pub order: OrderId,
    pub issuer: IssuerId,
    pub customer: CustomerId,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub number: DocumentNumber,
    pub kind: DocumentKind,
    pub header: DocumentHeader,
    pub issued_at: DateTime<Utc>,
    pub attendees: Vec<AttendeeEntry>,
    pub lines: Vec<DocumentLine>,
    pub vat_breakdown: Vec<VatSummary>,
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
}

impl Document {
    /// Builds a document and its totals from its lines.
    pub fn new(
        number: DocumentNumber,
        kind: DocumentKind,
        header: DocumentHeader,
        issued_at: DateTime<Utc>,
        attendees: Vec<AttendeeEntry>,
        lines: Vec<DocumentLine>,
    ) -> Self {
        let currency = header.currency;
        let mut per_rate: BTreeMap<VatRate, (Money, Money, Money)> = BTreeMap::new();
        for line in &lines {
            let zero = Money::zero(currency);
            let entry = per_rate.entry(line.vat_rate).or_insert((zero, zero, zero));
            entry.0 = entry.0 + line.net;
            entry.1 = entry.1 + line.vat;
            entry.2 = entry.2 + line.gross;
        }
        let vat_breakdown: Vec<VatSummary> = per_rate
            .into_iter()
            .map(|(rate, (net, vat, gross))| VatSummary {
                rate,
                net,
                vat,
                gross,
            })
            .collect();
        let net = Money::sum(currency, vat_breakdown.iter().map(|s| &s.net));
        let vat = Money::sum(currency, vat_breakdown.iter().map(|s| &s.vat));
        let gross = Money::sum(currency, vat_breakdown.iter().map(|s| &s.gross));
        Document {
            number,
            kind,
            header,
            issued_at,
            attendees,
            lines,
            vat_breakdown,
            net,
            vat,
            gross,
        }
    }

    /// The cancellation document for this one: every line, every rate and every total negated.
    pub fn cancellation(&self, number: DocumentNumber, issued_at: DateTime<Utc>) -> Document {
        let negate_summary = |s: &VatSummary| VatSummary {
            rate: s.rate,
            net: -s.net,
            vat: -s.vat,
            gross: -s.gross,
        };
        Document {
            number,
            kind: DocumentKind::Cancellation {
                cancels: self.number.clone(),
            },
            header: self.header.clone(),
            issued_at,
            attendees: self.attendees.clone(),
            lines: self.lines.iter().map(DocumentLine::negated).collect(),
            vat_breakdown: self.vat_breakdown.iter().map(negate_summary).collect(),
            net: -self.net,
            vat: -self.vat,
            gross: -self.gross,
        }
    }

    /// Whether this document cancels another.
    pub fn is_cancellation(&self) -> bool {
        matches!(self.kind, DocumentKind::Cancellation { .. })
    }

    /// Gross of the fee lines on this document.
    pub fn fee_gross(&self) -> Money {
        let fees = self.lines.iter().filter(|l| l.kind == LineKind::Fee);
        Money::sum(self.header.currency, fees.map(|l| &l.gross))
    }
}

/// What the archive lists for a document, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub number: DocumentNumber,
    pub kind: DocumentKind,
    pub issued_at: DateTime<Utc>,
    pub gross: Money,
}

impl From<&Document> for DocumentRef {
    fn from(document: &Document) -> Self {
        DocumentRef {
            number: document.number.clone(),
            kind: document.kind.clone(),
            issued_at: document.issued_at,
            gross: document.gross,
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentKind::Invoice { version, .. } => write!(f, "invoice, version {version}"),
            DocumentKind::Cancellation { cancels } => write!(f, "cancellation of {cancels}"),
            DocumentKind::FeeInvoice { after_cancelled } => {
                write!(f, "fee invoice after cancelling {after_cancelled}")
            }
        }
    }
}
