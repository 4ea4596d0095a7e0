//! Stored order state and event dates.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use storno_core::document::DocumentRef;
use storno_core::invoice::Invoice;
use storno_core::partner_cancellation::PartnerCancellation;
use storno_core::payout::{Payout, PayoutHold};
use storno_core::rebooking::ticket_reference;
use storno_core::rebooking::{AlternativeAnswer, AlternativeDates, RebookingRequest};
use storno_core::{
    AttendeeBooking, BookedDate, BookingId, BookingOption, BookingStatus, CancellationTerms,
    Currency, CustomerId, DateId, Document, DocumentKind, DocumentNumber, EventDate, FeeTier,
    InvoiceStatus, IssuerId, Money, OptionId, OptionStatus, Order, OrderId, PartnerId, Percentage,
    PriceEntry, SalesChannel, TimeZone, VatRate,
};

use super::RECORD_VERSION;
use super::document::LineRecord;
use super::invalid;
use super::parties::RecipientRecord;
use crate::app::StoreError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OptionRecord {
    id: OptionId,
    name: String,
    unit_price: Money,
    quantity: u32,
    vat_rate: VatRate,
    status: OptionStatus,
    #[serde(default)]
    own_cancellation_fee: Option<Money>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookedDateRecord {
    id: DateId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    /// Missing in records of version 1: the events took place in Berlin.
    #[serde(default = "berlin")]
    time_zone: String,
}

fn berlin() -> String {
    TimeZone::BERLIN.name().to_owned()
}

impl From<&BookedDate> for BookedDateRecord {
    fn from(d: &BookedDate) -> Self {
        BookedDateRecord {
            id: d.id.clone(),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            time_zone: d.time_zone.name().to_owned(),
        }
    }
}

impl BookedDateRecord {
    pub fn into_domain(self) -> Result<BookedDate, StoreError> {
        Ok(BookedDate {
            id: self.id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: TimeZone::parse(&self.time_zone).map_err(invalid)?,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingRecord {
    id: BookingId,
    attendee_name: String,
    attendee_email: String,
    date: BookedDateRecord,
    terms_of: DateId,
    status: BookingStatus,
    options: Vec<OptionRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fees_charged: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixed_fee_charged: Option<Money>,
    /// Missing in the first records of version 2: derived from order, booking and date.
    #[serde(default)]
    ticket: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TierRecord {
    up_to_days_before: u32,
    #[serde(default)]
    percent: Option<Percentage>,
    #[serde(default)]
    fixed: Option<Money>,
    #[serde(default)]
    cap: Option<Money>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TermsRecord {
    tiers: Vec<TierRecord>,
}

impl From<&CancellationTerms> for TermsRecord {
    fn from(terms: &CancellationTerms) -> Self {
        TermsRecord {
            tiers: terms
                .tiers()
                .iter()
                .map(|t| TierRecord {
                    up_to_days_before: t.up_to_days_before,
                    percent: t.percent,
                    fixed: t.fixed,
                    cap: t.cap,
                })
                .collect(),
        }
    }
}

impl TermsRecord {
    pub fn into_domain(self, currency: Currency) -> Result<CancellationTerms, StoreError> {
        let tiers = self
            .tiers
            .into_iter()
            .map(|t| FeeTier {
                up_to_days_before: t.up_to_days_before,
                percent: t.percent,
                fixed: t.fixed,
                cap: t.cap,
            })
            .collect();
        CancellationTerms::new(tiers, currency).map_err(invalid)
    }
}

/// An entry of the order's document archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveRecord {
    number: DocumentNumber,
    kind: DocumentKind,
    issued_at: DateTime<Utc>,
    issue_date: NaiveDate,
    payable: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlternativesRecord {
    proposed: Vec<BookedDateRecord>,
    proposed_at: DateTime<Utc>,
    #[serde(default)]
    answer: Option<AlternativeAnswer>,
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
    payout: Payout,
    rebook_flag: bool,
    rebooking_requests: Vec<RebookingRequest>,
    #[serde(default)]
    alternative_dates: Option<AlternativesRecord>,
    #[serde(default)]
    partner_cancellation: Option<PartnerCancellation>,
    refunded: Money,
    credited: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paid_with_credit: Option<Money>,
    #[serde(default)]
    commission_kept: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fee_commission: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payout_hold: Option<PayoutHold>,
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
            bookings: o
                .bookings
                .iter()
                .map(|b| BookingRecord {
                    id: b.id.clone(),
                    attendee_name: b.attendee_name.to_string(),
                    attendee_email: b.attendee_email.to_string(),
                    date: (&b.date).into(),
                    terms_of: b.terms_of.clone(),
                    status: b.status,
                    fees_charged: Some(b.fees_charged).filter(|m| !m.is_zero()),
                    fixed_fee_charged: Some(b.fixed_fee_charged).filter(|m| !m.is_zero()),
                    ticket: Some(b.ticket.to_string()),
                    options: b
                        .options
                        .iter()
                        .map(|o| OptionRecord {
                            id: o.id.clone(),
                            name: o.name.to_string(),
                            unit_price: o.unit_price,
                            quantity: o.quantity,
                            vat_rate: o.vat_rate,
                            status: o.status,
                            own_cancellation_fee: o.own_cancellation_fee,
                        })
                        .collect(),
                })
                .collect(),
            frozen_terms: o
                .frozen_terms
                .iter()
                .map(|(date, terms)| (date.clone(), terms.into()))
                .collect(),
            invoice_status: o.invoice.status,
            current_invoice: o.invoice.current.number.clone(),
            documents: o
                .documents
                .iter()
                .map(|d| ArchiveRecord {
                    number: d.number.clone(),
                    kind: d.kind.clone(),
                    issued_at: d.issued_at,
                    issue_date: d.issue_date,
                    payable: d.payable,
                })
                .collect(),
            fees: o.fees.iter().map(LineRecord::from).collect(),
            payout: o.payout.clone(),
            rebook_flag: o.rebook_flag,
            rebooking_requests: o.rebooking_requests.clone(),
            alternative_dates: o.alternative_dates.as_ref().map(|a| AlternativesRecord {
                proposed: a.proposed.iter().map(BookedDateRecord::from).collect(),
                proposed_at: a.proposed_at,
                answer: a.answer.clone(),
            }),
            partner_cancellation: o.partner_cancellation.clone(),
            refunded: o.refunded,
            credited: o.credited,
            paid_with_credit: Some(o.paid_with_credit).filter(|m| !m.is_zero()),
            commission_kept: Some(o.commission_kept).filter(|m| !m.is_zero()),
            fee_commission: Some(o.fee_commission).filter(|m| !m.is_zero()),
            payout_hold: o.payout_hold.clone(),
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
        let order_id = self.id.clone();
        let bookings = self
            .bookings
            .into_iter()
            .map(|b| {
                let ticket = b
                    .ticket
                    .unwrap_or_else(|| ticket_reference(&order_id, &b.id, &b.date.id).to_string());
                Ok(AttendeeBooking {
                    id: b.id,
                    attendee_name: b.attendee_name.into(),
                    attendee_email: b.attendee_email.into(),
                    date: b.date.into_domain()?,
                    terms_of: b.terms_of,
                    status: b.status,
                    fees_charged: b.fees_charged.unwrap_or(zero),
                    fixed_fee_charged: b.fixed_fee_charged.unwrap_or(zero),
                    ticket: ticket.into(),
                    options: b
                        .options
                        .into_iter()
                        .map(|o| BookingOption {
                            status: o.status,
                            ..BookingOption::new(
                                o.id,
                                o.name.into(),
                                o.unit_price,
                                o.quantity,
                                o.vat_rate,
                                o.own_cancellation_fee,
                            )
                        })
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let frozen_terms = self
            .frozen_terms
            .into_iter()
            .map(|(date, terms)| Ok((date, terms.into_domain(currency)?)))
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        let alternative_dates = match self.alternative_dates {
            Some(a) => Some(AlternativeDates {
                proposed: a
                    .proposed
                    .into_iter()
                    .map(BookedDateRecord::into_domain)
                    .collect::<Result<_, _>>()?,
                proposed_at: a.proposed_at,
                answer: a.answer,
            }),
            None => None,
        };
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
                .map(|d| DocumentRef {
                    number: d.number,
                    kind: d.kind,
                    issued_at: d.issued_at,
                    issue_date: d.issue_date,
                    payable: d.payable,
                })
                .collect(),
            fees: self.fees.into_iter().map(LineRecord::into_domain).collect(),
            payout: self.payout,
            rebook_flag: self.rebook_flag,
            rebooking_requests: self.rebooking_requests,
            alternative_dates,
            partner_cancellation: self.partner_cancellation,
            refunded: self.refunded,
            credited: self.credited,
            paid_with_credit: self.paid_with_credit.unwrap_or(zero),
            commission_kept: self.commission_kept.unwrap_or(zero),
            fee_commission: self.fee_commission.unwrap_or(zero),
            payout_hold: self.payout_hold,
            revision: self.revision,
        })
    }
}

/// An event date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DateRecord {
    #[serde(default = "version_one")]
    rv: u32,
    id: DateId,
    partner: PartnerId,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    #[serde(default = "berlin")]
    time_zone: String,
    active: bool,
    terms: TermsRecord,
}

fn version_one() -> u32 {
    1
}

impl From<&EventDate> for DateRecord {
    fn from(d: &EventDate) -> Self {
        DateRecord {
            rv: RECORD_VERSION,
            id: d.id.clone(),
            partner: d.partner.clone(),
            title: d.title.clone(),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            time_zone: d.time_zone.name().to_owned(),
            active: d.active,
            terms: (&d.terms).into(),
        }
    }
}

impl DateRecord {
    pub fn into_domain(self) -> Result<EventDate, StoreError> {
        let currency = self
            .terms
            .tiers
            .iter()
            .flat_map(|t| [t.fixed, t.cap])
            .flatten()
            .map(|m| m.currency())
            .next()
            .unwrap_or(Currency::EUR);
        Ok(EventDate {
            id: self.id,
            partner: self.partner,
            title: self.title,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: TimeZone::parse(&self.time_zone).map_err(invalid)?,
            active: self.active,
            terms: self.terms.into_domain(currency)?,
        })
    }
}
