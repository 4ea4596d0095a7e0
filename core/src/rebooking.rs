//! Rebooking (DESIGN §3.4, direct sales only): the partner's rebook flag that pauses the
//! payout, alternative dates the partner proposes, customers' rebooking requests, and the
//! official rebooking that only staff carry out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{Context, Decision, DecisionBuilder};
use crate::dates::EventDate;
use crate::error::DomainError;
use crate::followup::{Effect, Message};
use crate::ids::{DateId, RequestId};
use crate::order::{BookedDate, Order};
use crate::partner_cancellation::Outcome;

/// The most alternative dates a partner may propose at once.
pub const MAX_ALTERNATIVE_DATES: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RequestState {
    Open,
    Approved { at: DateTime<Utc> },
    Declined { at: DateTime<Utc> },
    CarriedOut { at: DateTime<Utc>, date: DateId },
}

/// A customer's request to be rebooked (e.g. illness), decided by the partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebookingRequest {
    pub id: RequestId,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
    pub state: RequestState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum AlternativeAnswer {
    Chosen { date: DateId, at: DateTime<Utc> },
    Declined { at: DateTime<Utc> },
}

/// Up to three dates the partner proposed, and the customer's answer once given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlternativeDates {
    pub proposed: Vec<BookedDate>,
    pub proposed_at: DateTime<Utc>,
    pub answer: Option<AlternativeAnswer>,
}

fn require_open_order(order: &Order) -> Result<(), DomainError> {
    order.require_direct_sale()?;
    if order.is_fully_cancelled() {
        return Err(DomainError::OrderCancelled);
    }
    Ok(())
}

/// The partner flips "Do you want to rebook this class?". While on, the payout is paused.
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
    let mut decision = DecisionBuilder::change(order, ctx, "rebook flag");
    let message = if on {
        Message::RebookFlagSet
    } else {
        Message::RebookFlagCleared
    };
    decision.effect(Effect::NotifyStaff { message });
    Ok(decision.finish(after, None))
}

/// The partner proposes one to three of its own active, future dates.
pub fn propose_alternative_dates(
    order: &Order,
    dates: &[EventDate],
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_owner_partner(&ctx.actor, "propose alternative dates")?;
    require_open_order(order)?;
    if dates.is_empty() || dates.len() > MAX_ALTERNATIVE_DATES {
        return Err(DomainError::AlternativeDatesCount);
    }
    let mut proposed: Vec<BookedDate> = Vec::with_capacity(dates.len());
    for date in dates {
        date.accepts_rebooking_for(&order.partner, ctx.now)?;
        if proposed.iter().any(|p| p.id == date.id) {
            return Err(DomainError::AlternativeDatesCount);
        }
        if order.valid_bookings().all(|b| b.date.id == date.id) {
            return Err(DomainError::SameDate);
        }
        proposed.push(date.booked());
    }
    let mut after = order.clone();
    let ids = proposed.iter().map(|d| d.id.clone()).collect();
    after.alternative_dates = Some(AlternativeDates {
        proposed,
        proposed_at: ctx.now,
        answer: None,
    });
    let mut decision = DecisionBuilder::change(order, ctx, "alternative dates proposed");
    decision.effect(order.tell_customer(Message::RebookingOffer { dates: ids }, None));
    Ok(decision.finish(after, None))
}

/// The customer picks one proposed date (`Some`) or declines them all (`None`).
pub fn answer_alternative_dates(
    order: &Order,
    choice: Option<&DateId>,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_owner_customer(&ctx.actor, "answer alternative dates")?;
    require_open_order(order)?;
    let open = order
        .alternative_dates
        .as_ref()
        .filter(|a| a.answer.is_none())
        .ok_or(DomainError::NoAlternativeDatesOpen)?;
    let (answer, message) = match choice {
        Some(date) => {
            if !open.proposed.iter().any(|p| &p.id == date) {
                return Err(DomainError::NotAProposedDate);
            }
            (
                AlternativeAnswer::Chosen {
                    date: date.clone(),
                    at: ctx.now,
                },
                Message::AlternativeDateChosen { date: date.clone() },
            )
        }
        None => (
            AlternativeAnswer::Declined { at: ctx.now },
            Message::AlternativeDatesDeclined,
        ),
    };
    let mut after = order.clone();
    if let Some(alternatives) = after.alternative_dates.as_mut() {
        alternatives.answer = Some(answer);
    }
    let mut decision = DecisionBuilder::change(order, ctx, "alternative dates answered");
    decision.effect(Effect::NotifyStaff {
        message: message.clone(),
    });
    decision.effect(order.tell_partner(message));
    Ok(decision.finish(after, None))
}

/// The customer asks to be rebooked; customers cannot cancel.
pub fn request_rebooking(
    order: &Order,
    reason: &str,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_owner_customer(&ctx.actor, "request a rebooking")?;
    require_open_order(order)?;
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

/// Official rebooking by staff: every valid booking moves to `target`, an active future date of
/// the same partner. The flag clears; the payout falls due after the new date ends. With a
/// `request`, it must be one the partner approved.
pub fn rebook(
    order: &Order,
    target: &EventDate,
    request: Option<&RequestId>,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    ctx.actor.require_staff("rebook orders officially")?;
    require_open_order(order)?;
    if order.payout.released.is_some() {
        return Err(DomainError::PayoutAlreadyReleased);
    }
    target.accepts_rebooking_for(&order.partner, ctx.now)?;
    if order.valid_bookings().all(|b| b.date.id == target.id) {
        return Err(DomainError::SameDate);
    }
    let mut after = order.clone();
    if let Some(request) = request {
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
    }
    let new_date = target.booked();
    for booking in after.bookings.iter_mut().filter(|b| b.is_valid()) {
        booking.date = new_date.clone();
    }
    after.rebook_flag = false;
    if let Some(pc) = after
        .partner_cancellation
        .as_mut()
        .filter(|pc| pc.is_open())
    {
        pc.outcome = Some(Outcome::Rebooked { at: ctx.now });
    }
    let mut decision = DecisionBuilder::change(order, ctx, "official rebooking");
    decision.effect(order.tell_customer(
        Message::UpdatedTicket {
            date: target.id.clone(),
        },
        None,
    ));
    Ok(decision.finish(after, None))
}
