//! An order as its reader may see it: allow-lists all the way down, so a field added to the
//! order or to anything it holds is shown to nobody until it is added here. Customers see what
//! they booked, paid and were issued; the commission, the payout, its hold and the fee
//! counters of the terms' caps only the partner and staff.
//!
//! Value types whose JSON form is their contract (ids, money, rates, time zones, the terms
//! agreed, document lines and the legal documents themselves) are shown as they serialise.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use storno_core::document::DocumentRef;
use storno_core::partner_cancellation::{Answer, Outcome, PartnerCancellation};
use storno_core::payout::PayoutRelease;
use storno_core::rebooking::{AlternativeAnswer, AlternativeDates, RebookingRequest, RequestState};
use storno_core::terms::CancellationTerms;
use storno_core::{
    Actor, AttendeeBooking, BookedDate, BookingId, BookingOption, BookingStatus, Currency,
    CustomerId, DateId, Document, DocumentLine, HoldReason, IssuerId, Money, OptionId,
    OptionStatus, Order, OrderId, PartnerId, PayoutState, Percentage, PriceEntry, Recipient,
    RequestId, SalesChannel, Text, TimeZone, VatRate,
};

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "OrderView"))]
pub struct OrderView<'a> {
    pub id: &'a OrderId,
    pub partner: &'a PartnerId,
    pub customer: &'a CustomerId,
    pub issuer: &'a IssuerId,
    pub prices: &'a PriceEntry,
    pub recipient: &'a Recipient,
    pub channel: &'a SalesChannel,
    pub currency: Currency,
    /// What the customer paid at checkout.
    pub captured: Money,
    pub registered_at: DateTime<Utc>,
    pub bookings: Vec<BookingView<'a>>,
    /// Cancellation terms in force at registration, per date booked then.
    pub frozen_terms: &'a BTreeMap<DateId, CancellationTerms>,
    pub invoice: InvoiceView<'a>,
    /// Every document issued for this order the reader may see, oldest first.
    pub documents: &'a [DocumentRef],
    /// Every cancellation fee charged, as the lines it carries on documents.
    pub fees: &'a [DocumentLine],
    pub rebook_flag: bool,
    pub rebooking_requests: Vec<RebookingRequestView<'a>>,
    pub alternative_dates: Option<AlternativeDatesView<'a>>,
    pub partner_cancellation: Option<PartnerCancellationView<'a>>,
    /// Money returned to the customer: refunds to the original payment.
    pub refunded: Money,
    /// Money returned to the customer as account credit.
    pub credited: Money,
    /// What the customer paid with account credit at checkout (part of `captured`).
    pub paid_with_credit: Money,
    /// What the customer still owes after everything issued (negative: owed to them).
    pub owed: Money,
    /// The order's version (its `ETag`).
    pub version: u64,
    /// Same as `version` (kept for clients of the first API).
    pub revision: u64,
    #[serde(flatten)]
    pub partner_figures: Option<PartnerFigures<'a>>,
}

/// An attendee's booking.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BookingView<'a> {
    pub id: &'a BookingId,
    pub attendee_name: &'a Text,
    pub attendee_email: &'a Text,
    pub date: DateView<'a>,
    /// The date whose cancellation terms were frozen for this booking at registration.
    pub terms_of: &'a DateId,
    pub status: BookingStatus,
    pub options: Vec<OptionView<'a>>,
    /// The ticket the attendee shows.
    pub ticket: &'a Text,
    #[serde(flatten)]
    pub fee_counters: Option<FeeCounters>,
}

/// What the caps of the terms have counted on a booking (partner and staff only).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FeeCounters {
    /// Cancellation fees charged on this booking so far, in the order's price entry.
    pub fees_charged: Money,
    /// The part of them that was a tier's fixed amount (charged once).
    pub fixed_fee_charged: Money,
}

/// A date as booked.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DateView<'a> {
    pub id: &'a DateId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: TimeZone,
}

/// A booked option.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OptionView<'a> {
    pub id: &'a OptionId,
    pub name: &'a Text,
    pub unit_price: Money,
    pub quantity: u32,
    pub vat_rate: VatRate,
    pub status: OptionStatus,
    /// A fee of its own, charged when this option is cancelled and staff choose it.
    pub own_cancellation_fee: Option<Money>,
}

/// The invoice: its state and its newest version (a legal document, shown whole).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvoiceView<'a> {
    pub status: storno_core::InvoiceStatus,
    pub current: &'a Document,
}

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RebookingRequestView<'a> {
    pub id: &'a RequestId,
    pub reason: &'a str,
    pub requested_at: DateTime<Utc>,
    pub state: &'a RequestState,
    /// The attendees to rebook.
    pub bookings: &'a [BookingId],
}

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AlternativeDatesView<'a> {
    pub proposed: Vec<DateView<'a>>,
    pub proposed_at: DateTime<Utc>,
    pub answer: Option<&'a AlternativeAnswer>,
}

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PartnerCancellationView<'a> {
    pub reported_at: DateTime<Utc>,
    /// The bookings whose course cannot run.
    pub bookings: &'a [BookingId],
    pub rebooking: &'a Answer,
    pub credit: &'a Answer,
    pub outcome: Option<&'a Outcome>,
}

/// What only the partner and staff see of an order.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PartnerFigures<'a> {
    /// The partner's commission rate when the order was registered.
    pub commission_rate: Percentage,
    /// Days after the final course date ends until the payout is due.
    pub payout_delay_days: u32,
    pub payout: PayoutView<'a>,
    /// Commission the platform keeps on bookings the partner could not run.
    pub commission_kept: Money,
    /// Commission the platform earned on cancellation fees.
    pub fee_commission: Money,
    /// The payout waits for staff (the booked date passed under the rebook flag).
    pub payout_hold: Option<PayoutHoldView>,
    pub payout_state: PayoutState,
    /// The platform's commission on what the customer finally paid.
    pub commission: Money,
}

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayoutView<'a> {
    pub released: Option<PayoutReleaseView<'a>>,
}

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayoutReleaseView<'a> {
    pub at: &'a DateTime<Utc>,
    /// What the partner was due from the order when it was released.
    pub settled: Money,
    /// Open partner debits offset against it (negative: an amount the platform owed added).
    pub offset: Money,
    /// What was transferred: `settled − offset`.
    pub transferred: Money,
}

#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PayoutHoldView {
    pub since: DateTime<Utc>,
    pub reason: HoldReason,
}

fn date(date: &BookedDate) -> DateView<'_> {
    DateView {
        id: &date.id,
        starts_at: date.starts_at,
        ends_at: date.ends_at,
        time_zone: date.time_zone,
    }
}

fn option(option: &BookingOption) -> OptionView<'_> {
    OptionView {
        id: &option.id,
        name: &option.name,
        unit_price: option.unit_price,
        quantity: option.quantity,
        vat_rate: option.vat_rate,
        status: option.status,
        own_cancellation_fee: option.own_cancellation_fee,
    }
}

fn booking(booking: &AttendeeBooking, counters: bool) -> BookingView<'_> {
    BookingView {
        id: &booking.id,
        attendee_name: &booking.attendee_name,
        attendee_email: &booking.attendee_email,
        date: date(&booking.date),
        terms_of: &booking.terms_of,
        status: booking.status,
        options: booking.options.iter().map(option).collect(),
        ticket: &booking.ticket,
        fee_counters: counters.then_some(FeeCounters {
            fees_charged: booking.fees_charged,
            fixed_fee_charged: booking.fixed_fee_charged,
        }),
    }
}

fn request(request: &RebookingRequest) -> RebookingRequestView<'_> {
    RebookingRequestView {
        id: &request.id,
        reason: &request.reason,
        requested_at: request.requested_at,
        state: &request.state,
        bookings: &request.bookings,
    }
}

fn alternatives(dates: &AlternativeDates) -> AlternativeDatesView<'_> {
    AlternativeDatesView {
        proposed: dates.proposed.iter().map(date).collect(),
        proposed_at: dates.proposed_at,
        answer: dates.answer.as_ref(),
    }
}

fn partner_cancellation(cancellation: &PartnerCancellation) -> PartnerCancellationView<'_> {
    PartnerCancellationView {
        reported_at: cancellation.reported_at,
        bookings: &cancellation.bookings,
        rebooking: &cancellation.rebooking,
        credit: &cancellation.credit,
        outcome: cancellation.outcome.as_ref(),
    }
}

fn release(release: &PayoutRelease) -> PayoutReleaseView<'_> {
    PayoutReleaseView {
        at: &release.at,
        settled: release.settled,
        offset: release.offset,
        transferred: release.transferred,
    }
}

fn partner_figures(order: &Order, now: DateTime<Utc>) -> PartnerFigures<'_> {
    PartnerFigures {
        commission_rate: order.commission_rate,
        payout_delay_days: order.payout_delay_days,
        payout: PayoutView {
            released: order.payout.released.as_ref().map(release),
        },
        commission_kept: order.commission_kept,
        fee_commission: order.fee_commission,
        payout_hold: order.payout_hold.as_ref().map(|hold| PayoutHoldView {
            since: hold.since,
            reason: hold.reason,
        }),
        payout_state: order.payout_state(now),
        commission: order.commission(),
    }
}

/// The order as `actor` may see it, with what it owes and (partner, staff) its payout state.
pub fn order<'a>(order: &'a Order, actor: &Actor, now: DateTime<Utc>) -> OrderView<'a> {
    let insider = order.partner_figures_visible_to(actor);
    OrderView {
        id: &order.id,
        partner: &order.partner,
        customer: &order.customer,
        issuer: &order.issuer,
        prices: &order.prices,
        recipient: &order.recipient,
        channel: &order.channel,
        currency: order.currency,
        captured: order.captured,
        registered_at: order.registered_at,
        bookings: order.bookings.iter().map(|b| booking(b, insider)).collect(),
        frozen_terms: &order.frozen_terms,
        invoice: InvoiceView {
            status: order.invoice.status,
            current: &order.invoice.current,
        },
        documents: &order.documents,
        fees: &order.fees,
        rebook_flag: order.rebook_flag,
        rebooking_requests: order.rebooking_requests.iter().map(request).collect(),
        alternative_dates: order.alternative_dates.as_ref().map(alternatives),
        partner_cancellation: order
            .partner_cancellation
            .as_ref()
            .map(partner_cancellation),
        refunded: order.refunded,
        credited: order.credited,
        paid_with_credit: order.paid_with_credit,
        owed: order.owed(),
        version: order.revision,
        revision: order.revision,
        partner_figures: insider.then(|| partner_figures(order, now)),
    }
}
