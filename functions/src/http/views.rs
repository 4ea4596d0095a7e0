//! What responses show. A customer sees their order, documents and requests, never the
//! partner's commission or payout; partners and staff see the payout state as of now.

use chrono::{DateTime, Utc};
use serde::Serialize;
use storno_core::{Actor, Decision, Document, Money, Order, PayoutState};

use crate::app::Receipt;

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

/// A command's receipt as `actor` may see it. The ledger posting (commission, the platform's
/// VAT) and the follow-ups (partner transfers, staff notes) are the business's: a customer's
/// receipt states the order, its version, the documents and the fee only. The receipt stored
/// for replays stays whole; each answer is cut for its caller.
pub fn receipt(receipt: Receipt, actor: &Actor) -> Receipt {
    if actor.sees_business_side() {
        return receipt;
    }
    Receipt {
        posting: None,
        followups: Vec::new(),
        ..receipt
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
