//! Issued documents: invoice versions, cancellation documents, fee invoices.
//!
//! A document is a legal invoice document (§ 14 Abs. 4 UStG, EN 16931): the seller as it was
//! when the document was issued, the recipient, the issue date in the seller's time zone, its
//! number, each line with quantity, unit price, net amount and the service period, VAT per
//! rate and the totals. A cancellation document or a new version names the original's number
//! and issue date. Immutable once built: a cancellation document negates every line, rate and
//! total of the original exactly, and VAT is never recomputed on a reversal.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{BookingId, CustomerId, OrderId, Text};
use crate::issuer::{PriceEntry, Seller};
use crate::money::{Currency, Money};
use crate::numbering::DocumentNumber;
use crate::party::Recipient;
use crate::vat::{Totals, VatSummary};

use crate::line::unit;
pub use crate::line::{DocumentLine, LineKind, ServicePeriod};

/// A preceding invoice as another document names it (EN 16931 BG-3: BT-25 and BT-26).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvoiceReference {
    pub number: DocumentNumber,
    pub issue_date: NaiveDate,
}

/// What a document is, and what it cancels or replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DocumentKind {
    /// A version of the order's invoice; version 2 onwards replaces the cancelled version before.
    Invoice {
        version: u32,
        replaces: Option<InvoiceReference>,
    },
    /// The exact negation of the invoice version it cancels.
    Cancellation { cancels: InvoiceReference },
    /// The fees of an invoice that was cancelled as a whole.
    FeeInvoice { after_cancelled: InvoiceReference },
    /// The platform's invoice to the partner of its commission on the order, issued with the
    /// payout. Not part of the customer's archive.
    CommissionInvoice { payout_of: OrderId },
}

impl DocumentKind {
    /// The document this one cancels, replaces or follows, if any.
    pub fn refers_to(&self) -> Option<&InvoiceReference> {
        match self {
            DocumentKind::Invoice { replaces, .. } => replaces.as_ref(),
            DocumentKind::Cancellation { cancels } => Some(cancels),
            DocumentKind::FeeInvoice { after_cancelled } => Some(after_cancelled),
            DocumentKind::CommissionInvoice { .. } => None,
        }
    }

    /// A document between the platform and the partner, not the customer's.
    pub fn is_partners(&self) -> bool {
        matches!(self, DocumentKind::CommissionInvoice { .. })
    }
}

/// An attendee as the document names them; cancelled people carry the note "canceled".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AttendeeEntry {
    pub booking: BookingId,
    pub name: Text,
    pub note: Option<String>,
}

/// Who and what a document is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DocumentHeader {
    pub order: OrderId,
    pub customer: CustomerId,
    pub seller: Seller,
    pub recipient: Recipient,
    pub currency: Currency,
    pub prices: PriceEntry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Document {
    pub number: DocumentNumber,
    pub kind: DocumentKind,
    pub header: DocumentHeader,
    pub issued_at: DateTime<Utc>,
    /// The issue date in the seller's time zone.
    pub issue_date: NaiveDate,
    pub attendees: Vec<AttendeeEntry>,
    pub lines: Vec<DocumentLine>,
    pub vat_breakdown: Vec<VatSummary>,
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
    pub rounding: Money,
    /// What the document asks for: gross + rounding.
    pub payable: Money,
}

impl Document {
    /// Builds a document and its totals from its lines (VAT per rate).
    pub fn new(
        number: DocumentNumber,
        kind: DocumentKind,
        header: DocumentHeader,
        issued_at: DateTime<Utc>,
        issue_date: NaiveDate,
        attendees: Vec<AttendeeEntry>,
        mut lines: Vec<DocumentLine>,
    ) -> Self {
        let Totals {
            vat_breakdown,
            net,
            vat,
            gross,
            rounding,
            payable,
        } = crate::vat::totals(
            &mut lines,
            header.prices,
            header.currency,
            header.seller.vat_exemption.as_ref(),
        );
        for line in &mut lines {
            if line.gross.is_some() {
                line.unit_price = unit(line.net, line.quantity);
            }
        }
        Document {
            number,
            kind,
            header,
            issued_at,
            issue_date,
            attendees,
            lines,
            vat_breakdown,
            net,
            vat,
            gross,
            rounding,
            payable,
        }
    }

    /// This document as a preceding invoice.
    pub fn reference(&self) -> InvoiceReference {
        InvoiceReference {
            number: self.number.clone(),
            issue_date: self.issue_date,
        }
    }

    /// The cancellation document for this one: every line, every rate and every total
    /// negated; issued now, by the seller as it is now.
    pub fn cancellation(
        &self,
        number: DocumentNumber,
        seller: Seller,
        issued_at: DateTime<Utc>,
        issue_date: NaiveDate,
    ) -> Document {
        let negate = |s: &VatSummary| VatSummary {
            taxable: -s.taxable,
            vat: -s.vat,
            ..s.clone()
        };
        Document {
            number,
            kind: DocumentKind::Cancellation {
                cancels: self.reference(),
            },
            header: DocumentHeader {
                seller,
                ..self.header.clone()
            },
            issued_at,
            issue_date,
            attendees: self.attendees.clone(),
            lines: self.lines.iter().map(DocumentLine::negated).collect(),
            vat_breakdown: self.vat_breakdown.iter().map(negate).collect(),
            net: -self.net,
            vat: -self.vat,
            gross: -self.gross,
            rounding: -self.rounding,
            payable: -self.payable,
        }
    }

    /// Whether this document cancels another.
    pub fn is_cancellation(&self) -> bool {
        matches!(self.kind, DocumentKind::Cancellation { .. })
    }

    pub fn currency(&self) -> Currency {
        self.header.currency
    }

    /// What the fee lines on this document charge, in the order's price entry.
    pub fn fee_amount(&self) -> Money {
        let fees = self.lines.iter().filter(|l| l.kind == LineKind::Fee);
        fees.fold(Money::zero(self.currency()), |sum, line| {
            sum + line.amount(self.header.prices)
        })
    }
}

/// What the archive lists for a document, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DocumentRef {
    pub number: DocumentNumber,
    pub kind: DocumentKind,
    pub issued_at: DateTime<Utc>,
    pub issue_date: NaiveDate,
    /// What the document asks for (negative for a cancellation document).
    pub payable: Money,
}

impl From<&Document> for DocumentRef {
    fn from(document: &Document) -> Self {
        DocumentRef {
            number: document.number.clone(),
            kind: document.kind.clone(),
            issued_at: document.issued_at,
            issue_date: document.issue_date,
            payable: document.payable,
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentKind::Invoice { version, .. } => write!(f, "invoice, version {version}"),
            DocumentKind::Cancellation { cancels } => {
                write!(f, "cancellation of {}", cancels.number)
            }
            DocumentKind::FeeInvoice { after_cancelled } => {
                write!(f, "fee invoice after cancelling {}", after_cancelled.number)
            }
            DocumentKind::CommissionInvoice { payout_of } => {
                write!(f, "commission invoice for the payout of order {payout_of}")
            }
        }
    }
}
