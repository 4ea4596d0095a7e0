//! Acting on every order of a date at once: when a whole date cannot take place,
//! staff rebook all its orders to another date or start the partner-cancellation flow for all.
//! The work fans out one order at a time; each order goes through the same rules as the
//! single-order command, and an order that left the date meanwhile is refused, not moved.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::command::{Context, Decision};
use crate::dates::EventDate;
use crate::error::DomainError;
use crate::ids::{BookingId, DateId, StaffId};
use crate::order::Order;
use crate::partner_cancellation::start_partner_cancellation;
use crate::rebooking::{Rebooking, rebook};

/// What staff do with every order of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DateAction {
    /// Official rebooking of every order to `target`.
    RebookAll { target: DateId },
    /// The partner-cancellation flow (rebook → credit → refund) for every order.
    CancelAll,
}

impl DateAction {
    pub fn name(&self) -> &'static str {
        match self {
            DateAction::RebookAll { .. } => "rebook-all",
            DateAction::CancelAll => "cancel-all",
        }
    }

    /// The date the action books onto, if any.
    pub fn target(&self) -> Option<&DateId> {
        match self {
            DateAction::RebookAll { target } => Some(target),
            DateAction::CancelAll => None,
        }
    }
}

/// Who may act on a whole date: staff only. Answers the staff member acting.
pub fn date_action_staff(actor: &Actor) -> Result<&StaffId, DomainError> {
    actor.require_staff("act on every order of a date")?;
    match actor {
        Actor::Staff(staff) => Ok(staff),
        _ => unreachable!("checked above"),
    }
}

/// The orders a date-wide action concerns: every order with valid bookings on `date`. Orders
/// of private event sales are among them so that the action names them as refused.
pub fn orders_to_act_on<'a>(
    date: &'a DateId,
    orders: impl IntoIterator<Item = &'a Order> + 'a,
) -> impl Iterator<Item = &'a Order> + 'a {
    orders
        .into_iter()
        .filter(move |order| order.valid_bookings().any(|b| &b.date.id == date))
}

/// The bookings of `order` a date-wide action acts on: valid, on `date`, and not yet held.
pub fn bookings_on_date(order: &Order, date: &DateId, now: DateTime<Utc>) -> Vec<BookingId> {
    order
        .valid_bookings()
        .filter(|b| &b.date.id == date && !order.course_held(b, now))
        .map(|b| b.id.clone())
        .collect()
}

/// One order of a date-wide action. Staff only; `target` is the loaded target date of a
/// rebook-all (ignored for cancel-all).
pub fn act_on_date_order(
    order: &Order,
    date: &DateId,
    action: &DateAction,
    target: Option<&EventDate>,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    date_action_staff(&ctx.actor)?;
    order.require_direct_sale()?;
    if !order.valid_bookings().any(|b| &b.date.id == date) {
        return Err(DomainError::NotOnThisDate);
    }
    // Only the bookings on this date, and never one whose course already took place.
    let bookings = bookings_on_date(order, date, ctx.now);
    if bookings.is_empty() {
        return Err(DomainError::CourseAlreadyHeld);
    }
    match action {
        DateAction::RebookAll { target: wanted } => {
            let target = target
                .filter(|t| &t.id == wanted)
                .ok_or(DomainError::NotFound("date"))?;
            let what = Rebooking {
                request: None,
                bookings: &bookings,
            };
            rebook(order, target, what, ctx)
        }
        DateAction::CancelAll => start_partner_cancellation(order, &bookings, ctx),
    }
}
