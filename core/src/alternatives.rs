//! Alternative dates: the partner proposes up to three dates for a course that cannot run as
//! booked, and the customer chooses one (a rebooking onto it) or declines.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{Context, Decision, DecisionBuilder};
use crate::dates::EventDate;
use crate::error::DomainError;
use crate::followup::{Effect, Message};
use crate::ids::DateId;
use crate::order::{BookedDate, Order};
use crate::rebooking::require_open_order;

/// The most alternative dates a partner may propose at once.
pub const MAX_ALTERNATIVE_DATES: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum AlternativeAnswer {
    Chosen { date: DateId, at: DateTime<Utc> },
    Declined { at: DateTime<Utc> },
}

/// Up to three dates the partner proposed, and the customer's answer once given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AlternativeDates {
    pub proposed: Vec<BookedDate>,
    pub proposed_at: DateTime<Utc>,
    pub answer: Option<AlternativeAnswer>,
}

/// The partner proposes one to three of its own active, future dates.
pub fn propose_alternative_dates(
    order: &Order,
    dates: &[EventDate],
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_owner_partner(&ctx.actor, "propose alternative dates")?;
    require_open_order(order)?;
    if order
        .alternative_dates
        .as_ref()
        .is_some_and(|a| a.answer.is_none())
    {
        return Err(DomainError::AlternativeDatesOpen);
    }
    if dates.is_empty() || dates.len() > MAX_ALTERNATIVE_DATES {
        return Err(DomainError::AlternativeDatesCount);
    }
    let mut proposed: Vec<BookedDate> = Vec::with_capacity(dates.len());
    for date in dates {
        // Another partner's date is answered like a missing one.
        date.accepts_rebooking_for(&order.partner, ctx.now)
            .map_err(|refusal| match refusal {
                DomainError::DateOfAnotherPartner => DomainError::NotFound("date"),
                other => other,
            })?;
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
