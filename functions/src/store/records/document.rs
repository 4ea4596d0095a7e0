//! Stored documents: an issued document exactly as it was issued, with its seller frozen.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use storno_core::document::AttendeeEntry;
use storno_core::vat::VatCategory;
use storno_core::{
    BookingId, Currency, CustomerId, Document, DocumentHeader, DocumentLine, DocumentNumber,
    LineKind, Money, OptionId, OrderId, PriceEntry, ServicePeriod, VatRate, VatSummary,
};

use super::RECORD_VERSION;
use super::order_parts::KindRecord;
use super::parties::{RecipientRecord, SellerRecord};
use crate::app::StoreError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineRecord {
    kind: LineKind,
    #[serde(default)]
    booking: Option<BookingId>,
    #[serde(default)]
    option: Option<OptionId>,
    description: String,
    quantity: i64,
    #[serde(with = "rust_decimal::serde::str")]
    unit_price: Decimal,
    net: Money,
    vat_rate: VatRate,
    #[serde(default)]
    gross: Option<Money>,
    #[serde(default)]
    period: Option<(NaiveDate, NaiveDate)>,
}

impl From<&DocumentLine> for LineRecord {
    fn from(l: &DocumentLine) -> Self {
        LineRecord {
            kind: l.kind,
            booking: l.booking.clone(),
            option: l.option.clone(),
            description: l.description.to_string(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            net: l.net,
            vat_rate: l.vat_rate,
            gross: l.gross,
            period: l.service_period.map(|p| (p.start, p.end)),
        }
    }
}

impl LineRecord {
    pub fn into_domain(self) -> DocumentLine {
        DocumentLine {
            kind: self.kind,
            booking: self.booking,
            option: self.option,
            description: self.description.into(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            net: self.net,
            vat_rate: self.vat_rate,
            gross: self.gross,
            service_period: self.period.map(|(start, end)| ServicePeriod { start, end }),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VatRecord {
    rate: VatRate,
    category: VatCategory,
    taxable: Money,
    vat: Money,
    #[serde(default)]
    exemption_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttendeeRecord {
    booking: BookingId,
    name: String,
    #[serde(default)]
    note: Option<String>,
}

/// An issued document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentRecord {
    rv: u32,
    number: DocumentNumber,
    kind: KindRecord,
    order: OrderId,
    customer: CustomerId,
    seller: SellerRecord,
    recipient: RecipientRecord,
    currency: Currency,
    prices: PriceEntry,
    issued_at: DateTime<Utc>,
    issue_date: NaiveDate,
    attendees: Vec<AttendeeRecord>,
    lines: Vec<LineRecord>,
    vat_breakdown: Vec<VatRecord>,
    net: Money,
    vat: Money,
    gross: Money,
    rounding: Money,
    payable: Money,
}

impl From<&Document> for DocumentRecord {
    fn from(d: &Document) -> Self {
        DocumentRecord {
            rv: RECORD_VERSION,
            number: d.number.clone(),
            kind: (&d.kind).into(),
            order: d.header.order.clone(),
            customer: d.header.customer.clone(),
            seller: (&d.header.seller).into(),
            recipient: (&d.header.recipient).into(),
            currency: d.header.currency,
            prices: d.header.prices,
            issued_at: d.issued_at,
            issue_date: d.issue_date,
            attendees: d
                .attendees
                .iter()
                .map(|a| AttendeeRecord {
                    booking: a.booking.clone(),
                    name: a.name.to_string(),
                    note: a.note.clone(),
                })
                .collect(),
            lines: d.lines.iter().map(LineRecord::from).collect(),
            vat_breakdown: d
                .vat_breakdown
                .iter()
                .map(|s| VatRecord {
                    rate: s.rate,
                    category: s.category,
                    taxable: s.taxable,
                    vat: s.vat,
                    exemption_reason: s.exemption_reason.as_deref().map(str::to_owned),
                })
                .collect(),
            net: d.net,
            vat: d.vat,
            gross: d.gross,
            rounding: d.rounding,
            payable: d.payable,
        }
    }
}

impl DocumentRecord {
    pub fn into_domain(self) -> Result<Document, StoreError> {
        Ok(Document {
            number: self.number,
            kind: self.kind.into_domain(),
            header: DocumentHeader {
                order: self.order,
                customer: self.customer,
                seller: self.seller.into_domain()?,
                recipient: self.recipient.into_domain()?,
                currency: self.currency,
                prices: self.prices,
            },
            issued_at: self.issued_at,
            issue_date: self.issue_date,
            attendees: self
                .attendees
                .into_iter()
                .map(|a| AttendeeEntry {
                    booking: a.booking,
                    name: a.name.into(),
                    note: a.note,
                })
                .collect(),
            lines: self
                .lines
                .into_iter()
                .map(LineRecord::into_domain)
                .collect(),
            vat_breakdown: self
                .vat_breakdown
                .into_iter()
                .map(|s| VatSummary {
                    rate: s.rate,
                    category: s.category,
                    taxable: s.taxable,
                    vat: s.vat,
                    exemption_reason: s.exemption_reason.map(Into::into),
                })
                .collect(),
            net: self.net,
            vat: self.vat,
            gross: self.gross,
            rounding: self.rounding,
            payable: self.payable,
        })
    }
}
