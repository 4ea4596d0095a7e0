//! Stored order state and event dates.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use storno_core::document::DocumentRef;
use storno_core::invoice::Invoice;
use storno_core::rebooking::AlternativeDates;
use storno_core::{
    Currency, CustomerId, DateId, Document, DocumentNumber, InvoiceStatus, IssuerId, Money, Order,
    OrderId, PartnerId, Percentage, PriceEntry, SalesChannel,
};

use super::RECORD_VERSION;
use super::booking::{BookedDateRecord, BookingRecord};
use super::date::TermsRecord;
use super::document::LineRecord;
use super::order_parts::{
    AnswerRecord, HoldRecord, KindRecord, LadderRecord, PayoutRecord, RequestRecord,
};
use super::parties::RecipientRecord;
use crate::app::StoreError;

/// An entry of the order's document archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveRecord {
    number: DocumentNumber,
    kind: KindRecord,
    issued_at: DateTime<Utc>,
    issue_date: NaiveDate,
    payable: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlternativesRecord {
    proposed: Vec<BookedDateRecord>,
    proposed_at: DateTime<Utc>,
    #[serde(default)]
    answer: Option<AnswerRecord>,
}

impl From<&DocumentRef> for ArchiveRecord {
    fn from(d: &DocumentRef) -> Self {
        ArchiveRecord {
            number: d.number.clone(),
            kind: (&d.kind).into(),
            issued_at: d.issued_at,
            issue_date: d.issue_date,
            payable: d.payable,
        }
    }
}

impl ArchiveRecord {
    fn into_domain(self) -> DocumentRef {
        DocumentRef {
            number: self.number,
            kind: self.kind.into_domain(),
            issued_at: self.issued_at,
            issue_date: self.issue_date,
            payable: self.payable,
        }
    }
}

impl From<&AlternativeDates> for AlternativesRecord {
    fn from(a: &AlternativeDates) -> Self {
        AlternativesRecord {
            proposed: a.proposed.iter().map(BookedDateRecord::from).collect(),
            proposed_at: a.proposed_at,
            answer: a.answer.as_ref().map(AnswerRecord::from),
        }
    }
}

impl AlternativesRecord {
    fn into_domain(self) -> Result<AlternativeDates, StoreError> {
        Ok(AlternativeDates {
            proposed: self
                .proposed
                .into_iter()
                .map(BookedDateRecord::into_domain)
                .collect::<Result<_, _>>()?,
            proposed_at: self.proposed_at,
            answer: self.answer.map(AnswerRecord::into_domain),
        })
    }
}

/// An order's state (the current invoice is stored in an item of its own, and rejoined by
/// the caller).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderRecord {
    rv: u32,
    id: OrderId,
    partner: PartnerId,
    customer: CustomerId,
    issuer: IssuerId,
    prices: PriceEntry,
    recipient: RecipientRecord,
    channel: SalesChannel,
    currency: Currency,
    captured: Money,
    commission_rate: Percentage,
    payout_delay_days: u32,
    registered_at: DateTime<Utc>,
    bookings: Vec<BookingRecord>,
    frozen_terms: BTreeMap<DateId, TermsRecord>,
    invoice_status: InvoiceStatus,
    /// The number of the current invoice version (stored apart).
    current_invoice: DocumentNumber,
    documents: Vec<ArchiveRecord>,
    fees: Vec<LineRecord>,
    payout: PayoutRecord,
    rebook_flag: bool,
    rebooking_requests: Vec<RequestRecord>,
    #[serde(default)]
    alternative_dates: Option<AlternativesRecord>,
    #[serde(default)]
    partner_cancellation: Option<LadderRecord>,
    refunded: Money,
    credited: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paid_with_credit: Option<Money>,
    #[serde(default)]
    commission_kept: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fee_commission: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payout_hold: Option<HoldRecord>,
    revision: u64,
}

impl From<&Order> for OrderRecord {
    fn from(o: &Order) -> Self {
        OrderRecord {
            rv: RECORD_VERSION,
            id: o.id.clone(),
            partner: o.partner.clone(),
            customer: o.customer.clone(),
            issuer: o.issuer.clone(),
            prices: o.prices,
            recipient: (&o.recipient).into(),
            channel: o.channel,
            currency: o.currency,
            captured: o.captured,
            commission_rate: o.commission_rate,
            payout_delay_days: o.payout_delay_days,
            registered_at: o.registered_at,
            bookings: o.bookings.iter().map(BookingRecord::from).collect(),
            frozen_terms: o
                .frozen_terms
                .iter()
                .map(|(date, terms)| (date.clone(), terms.into()))
                .collect(),
            invoice_status: o.invoice.status,
            current_invoice: o.invoice.current.number.clone(),
            documents: o.documents.iter().map(ArchiveRecord::from).collect(),
            fees: o.fees.iter().map(LineRecord::from).collect(),
            payout: (&o.payout).into(),
            rebook_flag: o.rebook_flag,
            rebooking_requests: o
                .rebooking_requests
                .iter()
                .map(RequestRecord::from)
                .collect(),
            alternative_dates: o.alternative_dates.as_ref().map(AlternativesRecord::from),
            partner_cancellation: o.partner_cancellation.as_ref().map(LadderRecord::from),
            refunded: o.refunded,
            credited: o.credited,
            paid_with_credit: Some(o.paid_with_credit).filter(|m| !m.is_zero()),
            commission_kept: Some(o.commission_kept).filter(|m| !m.is_zero()),
            fee_commission: Some(o.fee_commission).filter(|m| !m.is_zero()),
            payout_hold: o.payout_hold.as_ref().map(HoldRecord::from),
            revision: o.revision,
        }
    }
}

impl OrderRecord {
    /// The order, with `invoice` as its current invoice version.
    pub fn into_order(self, invoice: Document) -> Result<Order, StoreError> {
        if invoice.number != self.current_invoice {
            return Err(StoreError::decoding(format!(
                "order {}: stored invoice {} is not the current {}",
                self.id, invoice.number, self.current_invoice
            )));
        }
        let currency = self.currency;
        let zero = Money::zero(currency);
        let bookings = self
            .bookings
            .into_iter()
            .map(|b| b.into_domain(&self.id, currency))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let frozen_terms = self
            .frozen_terms
            .into_iter()
            .map(|(date, terms)| Ok((date, terms.into_domain(currency)?)))
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        let alternative_dates = self
            .alternative_dates
            .map(AlternativesRecord::into_domain)
            .transpose()?;
        Ok(Order {
            id: self.id,
            partner: self.partner,
            customer: self.customer,
            issuer: self.issuer,
            prices: self.prices,
            recipient: self.recipient.into_domain()?,
            channel: self.channel,
            currency,
            captured: self.captured,
            commission_rate: self.commission_rate,
            payout_delay_days: self.payout_delay_days,
            registered_at: self.registered_at,
            bookings,
            frozen_terms,
            invoice: Invoice {
                status: self.invoice_status,
                current: Arc::new(invoice),
            },
            documents: self
                .documents
                .into_iter()
                .map(ArchiveRecord::into_domain)
                .collect(),
            fees: self.fees.into_iter().map(LineRecord::into_domain).collect(),
            payout: self.payout.into_domain(),
            rebook_flag: self.rebook_flag,
            rebooking_requests: self
                .rebooking_requests
                .into_iter()
                .map(RequestRecord::into_domain)
                .collect(),
            alternative_dates,
            partner_cancellation: self.partner_cancellation.map(LadderRecord::into_domain),
            refunded: self.refunded,
            credited: self.credited,
            paid_with_credit: self.paid_with_credit.unwrap_or(zero),
            commission_kept: self.commission_kept.unwrap_or(zero),
            fee_commission: self.fee_commission.unwrap_or(zero),
            payout_hold: self.payout_hold.map(HoldRecord::into_domain),
            revision: self.revision,
        })
    }
}
