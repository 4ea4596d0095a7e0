//! Rebooking (direct sales only): the partner's rebook flag that pauses the
//! payout, alternative dates the partner proposes, customers' rebooking requests, and the
//! official rebooking that only staff carry out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{Context, Decision, DecisionBuilder};
use crate::dates::EventDate;
use crate::document::Document;
use crate::error::DomainError;
use crate::followup::{Effect, Message};
use crate::ids::{BookingId, DateId, OrderId, RequestId, Text};
use crate::invoice::InvoiceStatus;
use crate::order::Order;
use crate::partner_cancellation::Outcome;
use crate::payout::{HoldReason, PayoutHold};

pub use crate::alternatives::{
    AlternativeAnswer, AlternativeDates, MAX_ALTERNATIVE_DATES, answer_alternative_dates,
    propose_alternative_dates,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RequestState {
    Open,
    Approved { at: DateTime<Utc> },
    Declined { at: DateTime<Utc> },
    CarriedOut { at: DateTime<Utc>, date: DateId },
}

/// A customer's request to be rebooked (e.g. illness), decided by the partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RebookingRequest {
    pub id: RequestId,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    pub state: RequestState,
    /// The attendees to rebook.
    #[serde(default)]
    pub bookings: Vec<BookingId>,
}

/// What an official rebooking moves: the attendees of an approved request, the attendees staff
/// name, or (neither given) every valid booking whose course has not taken place yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rebooking<'a> {
    pub request: Option<&'a RequestId>,
    pub bookings: &'a [BookingId],
}

/// The bookings a rebooking or partner cancellation acts on: the ones named (each must exist,
/// be valid and not have taken place), or every valid booking not taken place.
pub(crate) fn bookings_in_scope(
    order: &Order,
    named: &[BookingId],
    now: DateTime<Utc>,
) -> Result<Vec<BookingId>, DomainError> {
    if named.is_empty() {
        let open: Vec<BookingId> = order
            .valid_bookings()
            .filter(|b| !order.course_held(b, now))
            .map(|b| b.id.clone())
            .collect();
        if open.is_empty() {
            return Err(DomainError::CourseAlreadyHeld);
        }
        return Ok(open);
    }
    let mut chosen: Vec<BookingId> = Vec::with_capacity(named.len());
    for id in named {
        let booking = order.booking(id)?;
        if !booking.is_valid() {
            return Err(DomainError::BookingAlreadyCancelled);
        }
        if order.course_held(booking, now) {
            return Err(DomainError::CourseAlreadyHeld);
        }
        if !chosen.contains(id) {
            chosen.push(id.clone());
        }
    }
    Ok(chosen)
}

/// A stable reference of a booking on a date, for the attendee's ticket (FNV-1a of order,
/// booking and date: the same booking on the same date always has the same ticket).
pub fn ticket_reference(order: &OrderId, booking: &BookingId, date: &DateId) -> Text {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [order.as_str(), booking.as_str(), date.as_str()] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("TK-{hash:016X}").into()
}

pub(crate) fn require_open_order(order: &Order) -> Result<(), DomainError> {
    order.require_direct_sale()?;
    if order.is_fully_cancelled() {
        return Err(DomainError::OrderCancelled);
    }
    Ok(())
}

/// The partner flips "Do you want to rebook this class?". While on, the payout is paused until
/// the course finally booked has run; turned off after the booked date passed, the payout waits
/// for staff to confirm the course ran.
pub fn set_rebook_flag(order: &Order, on: bool, ctx: &Context) -> Result<Decision, DomainError> {
    order.require_owner_partner(&ctx.actor, "set the rebook flag")?;
    order.require_direct_sale()?;
    // Turning the flag off is always possible, so a payout is never left paused for good.
    if on && order.is_fully_cancelled() {
        return Err(DomainError::OrderCancelled);
    }
    if on && order.payout.released.is_some() {
        return Err(DomainError::PayoutAlreadyReleased);
    }
    if order.rebook_flag == on {
        return Err(DomainError::RebookFlagUnchanged(on));
    }
    let mut after = order.clone();
    after.rebook_flag = on;
    if !on && ctx.now >= order.final_date_end() && order.payout.released.is_none() {
        after.payout_hold = Some(PayoutHold {
            since: ctx.now,
            reason: HoldReason::DatePassedUnderRebookFlag,
        });
    }
    let mut decision = DecisionBuilder::change(order, ctx, "rebook flag");
    let message = if on {
        Message::RebookFlagSet
    } else {
        Message::RebookFlagCleared
    };
    decision.effect(Effect::NotifyStaff { message });
    Ok(decision.finish(after, None))
}

/// The customer asks to rebook the attendees named (none named: every attendee whose course
/// has not taken place); customers cannot cancel.
pub fn request_rebooking(
    order: &Order,
    reason: &str,
    bookings: &[BookingId],
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_owner_customer(&ctx.actor, "request a rebooking")?;
    require_open_order(order)?;
    let bookings = bookings_in_scope(order, bookings, ctx.now)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > 1_000 {
        return Err(DomainError::InvalidInput(
            "a rebooking request needs a reason of 1 to 1,000 characters".into(),
        ));
    }
    if order
        .rebooking_requests
        .iter()
        .any(|r| matches!(r.state, RequestState::Open | RequestState::Approved { .. }))
    {
        return Err(DomainError::RebookingRequestOpen);
    }
    let id = RequestId::parse(format!("r{}", order.rebooking_requests.len() + 1))?;
    let mut after = order.clone();
    after.rebooking_requests.push(RebookingRequest {
        id: id.clone(),
        reason: reason.to_owned(),
        requested_at: ctx.now,
        state: RequestState::Open,
        bookings,
    });
    let mut decision = DecisionBuilder::change(order, ctx, "rebooking requested");
    decision.effect(order.tell_partner(Message::RebookingRequested { request: id }));
    Ok(decision.finish(after, None))
}

/// The partner approves or declines a customer's request, at its discretion.
pub fn decide_rebooking_request(
    order: &Order,
    request: &RequestId,
    approve: bool,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_owner_partner(&ctx.actor, "decide rebooking requests")?;
    require_open_order(order)?;
    let mut after = order.clone();
    let entry = after
        .rebooking_requests
        .iter_mut()
        .find(|r| &r.id == request)
        .ok_or(DomainError::NotFound("rebooking request"))?;
    if entry.state != RequestState::Open {
        return Err(DomainError::RequestAlreadyDecided);
    }
    let message = if approve {
        entry.state = RequestState::Approved { at: ctx.now };
        Message::RebookingApproved {
            request: request.clone(),
        }
    } else {
        entry.state = RequestState::Declined { at: ctx.now };
        Message::RebookingDeclined {
            request: request.clone(),
        }
    };
    let mut decision = DecisionBuilder::change(order, ctx, "rebooking request decided");
    decision.effect(order.tell_customer(message.clone(), None));
    if approve {
        decision.effect(Effect::NotifyStaff { message });
    }
    Ok(decision.finish(after, None))
}

/// Official rebooking by staff: the bookings in scope (see [`Rebooking`]) move to `target`, an
/// active future date of the same partner, each with a new ticket. The flag and any payout hold
/// clear; the payout falls due after the final course date. With a request, it must be one the
/// partner approved. A booking whose course already took place is never moved.
pub fn rebook(
    order: &Order,
    target: &EventDate,
    what: Rebooking<'_>,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    ctx.actor.require_staff("rebook orders officially")?;
    require_open_order(order)?;
    if order.payout.released.is_some() {
        return Err(DomainError::PayoutAlreadyReleased);
    }
    target.accepts_rebooking_for(&order.partner, ctx.now)?;
    let mut after = order.clone();
    let named = carry_out_request(&mut after, what, target, ctx)?;
    let moving = bookings_in_scope(order, &named, ctx.now)?;
    if moving
        .iter()
        .all(|id| order.booking(id).is_ok_and(|b| b.date.id == target.id))
    {
        return Err(DomainError::SameDate);
    }
    let tickets = move_bookings(&mut after, &moving, target, ctx);
    let mut decision = DecisionBuilder::change(order, ctx, "official rebooking");
    // The invoice states the date of the service (§ 14 Abs. 4 Nr. 6 UStG): an issued one is
    // replaced at once by its next version on the new date (a cancellation and the version,
    // same amounts). While it is being edited, the version staff issue states the new date.
    let mut numbers = order.numbers(ctx);
    let mut documents: Vec<Document> = Vec::new();
    if after.invoice.status == InvoiceStatus::Issued {
        documents.extend(after.begin_invoice_change(&mut numbers, ctx)?);
        documents.push((*after.issue_next_version(ctx)?).clone());
    }
    let newest = documents.last().map(|d| d.number.clone());
    for document in &documents {
        decision.effect(Effect::DeliverDocument {
            number: document.number.clone(),
        });
    }
    decision.documents(documents);
    decision.effect(order.tell_customer(
        Message::UpdatedTicket {
            date: target.id.clone(),
            tickets,
        },
        newest,
    ));
    Ok(decision.finish(after, Some(numbers)))
}

/// The attendees a rebooking names: an approved request's (marked carried out) or staff's.
fn carry_out_request(
    after: &mut Order,
    what: Rebooking<'_>,
    target: &EventDate,
    ctx: &Context,
) -> Result<Vec<BookingId>, DomainError> {
    let Some(request) = what.request else {
        return Ok(what.bookings.to_vec());
    };
    let entry = after
        .rebooking_requests
        .iter_mut()
        .find(|r| &r.id == request)
        .ok_or(DomainError::NotFound("rebooking request"))?;
    if !matches!(entry.state, RequestState::Approved { .. }) {
        return Err(DomainError::RequestNotApproved);
    }
    entry.state = RequestState::CarriedOut {
        at: ctx.now,
        date: target.id.clone(),
    };
    Ok(entry.bookings.clone())
}

/// Moves `moving` onto `target` with new tickets; the rebook flag, the hold and a partner
/// cancellation of exactly those bookings are settled by it. Returns the new tickets.
fn move_bookings(
    after: &mut Order,
    moving: &[BookingId],
    target: &EventDate,
    ctx: &Context,
) -> Vec<String> {
    let new_date = target.booked();
    let mut tickets = Vec::with_capacity(moving.len());
    let order_id = after.id.clone();
    for booking in after.bookings.iter_mut().filter(|b| moving.contains(&b.id)) {
        booking.date = new_date.clone();
        booking.ticket = ticket_reference(&order_id, &booking.id, &target.id);
        tickets.push(booking.ticket.to_string());
    }
    after.rebook_flag = false;
    after.payout_hold = None;
    if let Some(pc) = after
        .partner_cancellation
        .as_mut()
        .filter(|pc| pc.is_open() && pc.bookings.iter().all(|b| moving.contains(b)))
    {
        pc.outcome = Some(Outcome::Rebooked { at: ctx.now });
    }
    tickets
}
