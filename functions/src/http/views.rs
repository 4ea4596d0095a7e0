//! What responses show. A customer sees their order, documents and requests, never the
//! partner's commission or payout; partners and staff see the payout state as of now.

use chrono::{DateTime, Utc};
use serde::Serialize;
use storno_core::{Actor, Decision, Document, Money, Order, PayoutState};

use crate::app::Receipt;

/// An order as its reader may see it: an allow-list, so a field added to the order is shown to
/// nobody until it is added here. Customers see what they booked, paid and were issued; the
/// commission, the payout and its hold only the partner and staff (`partner_figures`).
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "OrderView"))]
pub struct OrderView<'a> {
    pub id: &'a storno_core::OrderId,
    pub partner: &'a storno_core::PartnerId,
    pub customer: &'a storno_core::CustomerId,
    pub issuer: &'a storno_core::IssuerId,
    pub prices: &'a storno_core::PriceEntry,
    pub recipient: &'a storno_core::Recipient,
    pub channel: &'a storno_core::SalesChannel,
    pub currency: storno_core::Currency,
    /// What the customer paid at checkout.
    pub captured: Money,
    pub registered_at: DateTime<Utc>,
    pub bookings: &'a [storno_core::AttendeeBooking],
    /// Cancellation terms in force at registration, per date booked then.
    pub frozen_terms:
        &'a std::collections::BTreeMap<storno_core::DateId, storno_core::terms::CancellationTerms>,
    pub invoice: &'a storno_core::invoice::Invoice,
    /// Every document issued for this order the reader may see, oldest first.
    pub documents: &'a [storno_core::document::DocumentRef],
    /// Every cancellation fee charged, as the lines it carries on documents.
    pub fees: &'a [storno_core::DocumentLine],
    pub rebook_flag: bool,
    pub rebooking_requests: &'a [storno_core::rebooking::RebookingRequest],
    pub alternative_dates: Option<&'a storno_core::rebooking::AlternativeDates>,
    pub partner_cancellation: Option<&'a storno_core::partner_cancellation::PartnerCancellation>,
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

/// What only the partner and staff see of an order.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PartnerFigures<'a> {
    /// The partner's commission rate when the order was registered.
    pub commission_rate: storno_core::Percentage,
    /// Days after the final course date ends until the payout is due.
    pub payout_delay_days: u32,
    pub payout: &'a storno_core::payout::Payout,
    /// Commission the platform keeps on bookings the partner could not run.
    pub commission_kept: Money,
    /// Commission the platform earned on cancellation fees.
    pub fee_commission: Money,
    /// The payout waits for staff (the booked date passed under the rebook flag).
    pub payout_hold: Option<&'a storno_core::PayoutHold>,
    pub payout_state: PayoutState,
    /// The platform's commission on what the customer finally paid.
    pub commission: Money,
}

/// The order as `actor` may see it, with what it owes and (partner, staff) its payout state.
pub fn order<'a>(order: &'a Order, actor: &Actor, now: DateTime<Utc>) -> OrderView<'a> {
    let partner_figures = order
        .partner_figures_visible_to(actor)
        .then(|| PartnerFigures {
            commission_rate: order.commission_rate,
            payout_delay_days: order.payout_delay_days,
            payout: &order.payout,
            commission_kept: order.commission_kept,
            fee_commission: order.fee_commission,
            payout_hold: order.payout_hold.as_ref(),
            payout_state: order.payout_state(now),
            commission: order.commission(),
        });
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
        bookings: &order.bookings,
        frozen_terms: &order.frozen_terms,
        invoice: &order.invoice,
        documents: &order.documents,
        fees: &order.fees,
        rebook_flag: order.rebook_flag,
        rebooking_requests: &order.rebooking_requests,
        alternative_dates: order.alternative_dates.as_ref(),
        partner_cancellation: order.partner_cancellation.as_ref(),
        refunded: order.refunded,
        credited: order.credited,
        paid_with_credit: order.paid_with_credit,
        owed: order.owed(),
        version: order.revision,
        revision: order.revision,
        partner_figures,
    }
}

/// One line of My Sales.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderSummary {
    pub id: String,
    pub version: u64,
    pub customer: String,
    pub registered_at: DateTime<Utc>,
    pub attendees: usize,
    pub owed: Money,
    pub commission: Money,
    pub rebook_flag: bool,
    pub payout_state: PayoutState,
}

pub fn summary(order: &Order, now: DateTime<Utc>) -> OrderSummary {
    OrderSummary {
        id: order.id.to_string(),
        version: order.revision,
        customer: order.customer.to_string(),
        registered_at: order.registered_at,
        attendees: order.valid_bookings().count(),
        owed: order.owed(),
        commission: order.commission(),
        rebook_flag: order.rebook_flag,
        payout_state: order.payout_state(now),
    }
}

/// An attendee's ticket: who, which date, and the reference to show at the door.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ticket {
    pub reference: String,
    pub order: String,
    pub booking: String,
    pub attendee: String,
    pub date: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub valid: bool,
}

pub fn ticket(order: &Order, booking: &storno_core::AttendeeBooking) -> Ticket {
    Ticket {
        reference: booking.ticket.to_string(),
        order: order.id.to_string(),
        booking: booking.id.to_string(),
        attendee: booking.attendee_name.to_string(),
        date: booking.date.id.to_string(),
        starts_at: booking.date.starts_at,
        ends_at: booking.date.ends_at,
        time_zone: booking.date.time_zone.name().to_owned(),
        valid: booking.is_valid(),
    }
}

/// A dry run: what the command would do, nothing recorded.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DryRun<'a> {
    pub dry_run: bool,
    #[serde(flatten)]
    pub receipt: Receipt,
    /// The documents it would issue, in full.
    pub documents_in_full: Vec<&'a Document>,
}

pub fn dry_run(decision: &Decision) -> DryRun<'_> {
    DryRun {
        dry_run: true,
        receipt: Receipt::of(decision),
        documents_in_full: decision.documents.iter().map(|d| &**d).collect(),
    }
}

/// A customer's credit account and a page of its entries.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreditAccountView {
    pub customer: String,
    pub currency: storno_core::Currency,
    pub balance: Money,
    pub granted: Money,
    pub consumed: Money,
    pub entries: Vec<CreditEntryView>,
    pub next_cursor: Option<String>,
}

/// One entry: what moved, when, and (grants) until when it is valid.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreditEntryView {
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub movement: storno_core::CreditMovement,
    pub amount: Money,
    /// The signed change of the balance.
    pub change: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

pub fn credit_account(
    account: &storno_core::CreditAccount,
    entries: &[storno_core::CreditEntry],
    valid_years: u32,
    next_cursor: Option<String>,
) -> CreditAccountView {
    CreditAccountView {
        customer: account.customer.to_string(),
        currency: account.currency,
        balance: account.balance,
        granted: account.granted,
        consumed: account.consumed,
        entries: entries
            .iter()
            .map(|entry| CreditEntryView {
                at: entry.at,
                movement: entry.movement.clone(),
                amount: entry.amount,
                change: entry.change(),
                expires_at: matches!(entry.movement, storno_core::CreditMovement::Granted { .. })
                    .then(|| storno_core::credit::expires_at(entry.at, valid_years)),
            })
            .collect(),
        next_cursor,
    }
}

/// A whole-date job as clients poll it: its progress and a status to switch on.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JobView<'a> {
    /// `running` until every order was handled, then `succeeded` or `failed` (some orders
    /// refused; see `failures`).
    pub status: &'static str,
    #[serde(flatten)]
    pub progress: &'a crate::app::JobProgress,
}

pub fn job(progress: &crate::app::JobProgress) -> JobView<'_> {
    let status = match (progress.is_finished(), progress.failed) {
        (false, _) => "running",
        (true, 0) => "succeeded",
        (true, _) => "failed",
    };
    JobView { status, progress }
}
