//! "Cannot run, no rebooking possible": the partner reports, staff resolve with
//! the customer in a fixed order — rebook, then credit, then a full refund only as the last
//! option. The partner's payout is withheld and the platform keeps its commission, which
//! becomes a debit on the partner's balance.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{Context, Decision, DecisionBuilder};
use crate::document::Document;
use crate::error::DomainError;
use crate::followup::{Effect, Message};
use crate::ids::BookingId;
use crate::ledger::Account;
use crate::money::Money;
use crate::numbering::NumberAllocator;
use crate::order::{BookingStatus, OptionStatus, Order};

/// How the customer answered an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Open,
    Declined,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Rebooked { at: DateTime<Utc> },
    Credited { at: DateTime<Utc>, amount: Money },
    Refunded { at: DateTime<Utc>, amount: Money },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PartnerCancellation {
    pub reported_at: DateTime<Utc>,
    /// The bookings whose course cannot run (others of the order are not affected).
    #[serde(default)]
    pub bookings: Vec<BookingId>,
    pub rebooking: Answer,
    pub credit: Answer,
    pub outcome: Option<Outcome>,
}

impl PartnerCancellation {
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }
}

/// What staff record while resolving a partner cancellation. Rebooking itself is the official
/// rebooking command, which also closes an open partner cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    RebookingDeclined,
    CreditDeclined,
    GrantCredit,
    Refund,
}

/// The partner reports that the course of the bookings named (none named: every booking
/// whose course has not taken place) cannot run and no rebooking is possible.
pub fn report_cannot_run(
    order: &Order,
    bookings: &[BookingId],
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_owner_partner(&ctx.actor, "report that a course cannot run")?;
    start_partner_cancellation(order, bookings, ctx)
}

/// The flow itself; the caller has checked who may start it (the owner partner, or staff for a
/// whole date that cannot take place). Bookings whose course took place are never included.
pub(crate) fn start_partner_cancellation(
    order: &Order,
    bookings: &[BookingId],
    ctx: &Context,
) -> Result<Decision, DomainError> {
    order.require_direct_sale()?;
    if order.is_fully_cancelled() {
        return Err(DomainError::OrderCancelled);
    }
    if order.payout.released.is_some() {
        return Err(DomainError::PayoutAlreadyReleased);
    }
    let bookings = crate::rebooking::bookings_in_scope(order, bookings, ctx.now)?;
    if order
        .partner_cancellation
        .as_ref()
        .is_some_and(PartnerCancellation::is_open)
    {
        return Err(DomainError::PartnerCancellationAlreadyReported);
    }
    let mut after = order.clone();
    after.partner_cancellation = Some(PartnerCancellation {
        reported_at: ctx.now,
        bookings,
        rebooking: Answer::Open,
        credit: Answer::Open,
        outcome: None,
    });
    let mut decision = DecisionBuilder::change(order, ctx, "partner cannot run");
    decision.effect(Effect::NotifyStaff {
        message: Message::PartnerCannotRun,
    });
    Ok(decision.finish(after, None))
}

/// Staff record the customer's answer, or settle with credit or (last) a refund.
pub fn resolve_partner_cancellation(
    order: &Order,
    resolution: Resolution,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    ctx.actor.require_staff("resolve partner cancellations")?;
    order.require_direct_sale()?;
    let pc = order
        .partner_cancellation
        .as_ref()
        .ok_or(DomainError::NoPartnerCancellation)?;
    if !pc.is_open() {
        return Err(DomainError::PartnerCancellationResolved);
    }
    require_ladder_order(pc, resolution)?;
    let mut after = order.clone();
    let mut numbers = order.numbers(ctx);
    let mut decision = DecisionBuilder::change(order, ctx, "partner cancellation");
    let state = after.partner_cancellation.as_mut().expect("checked above");
    match resolution {
        Resolution::RebookingDeclined => state.rebooking = Answer::Declined,
        Resolution::CreditDeclined => state.credit = Answer::Declined,
        Resolution::GrantCredit | Resolution::Refund => {
            let step = Settlement {
                order,
                resolution,
                ctx,
            };
            step.settle(&mut after, &mut decision, &mut numbers)?;
        }
    }
    Ok(decision.finish(after, Some(numbers)))
}

/// The ladder's order: rebooking is declined before credit is settled, credit declined
/// before a refund.
fn require_ladder_order(
    state: &PartnerCancellation,
    resolution: Resolution,
) -> Result<(), DomainError> {
    let rebooking_declined = state.rebooking == Answer::Declined;
    let credit_declined = state.credit == Answer::Declined;
    match resolution {
        Resolution::RebookingDeclined => Ok(()),
        Resolution::CreditDeclined | Resolution::GrantCredit if !rebooking_declined => {
            Err(DomainError::CreditBeforeRebookingDeclined)
        }
        Resolution::CreditDeclined => Ok(()),
        Resolution::Refund if !rebooking_declined || !credit_declined => {
            Err(DomainError::RefundBeforeRebookingAndCreditDeclined)
        }
        Resolution::GrantCredit if credit_declined => Err(DomainError::CreditAlreadyDeclined),
        Resolution::GrantCredit | Resolution::Refund => Ok(()),
    }
}

/// The ladder's last step: the bookings that cannot run are settled as credit or a refund.
struct Settlement<'a> {
    order: &'a Order,
    resolution: Resolution,
    ctx: &'a Context,
}

impl Settlement<'_> {
    fn settle(
        &self,
        after: &mut Order,
        decision: &mut DecisionBuilder,
        numbers: &mut NumberAllocator,
    ) -> Result<(), DomainError> {
        let (order, ctx) = (self.order, self.ctx);
        let state = after.partner_cancellation.as_mut().expect("checked above");
        let scope = state.bookings.clone();
        let amount = order.owed() - settled(order, &scope).owed();
        state.outcome = Some(match self.resolution {
            Resolution::GrantCredit => Outcome::Credited {
                at: ctx.now,
                amount,
            },
            _ => Outcome::Refunded {
                at: ctx.now,
                amount,
            },
        });
        let documents = settle(after, &scope, numbers, ctx)?;
        let newest = documents.last().map(|d| d.number.clone());
        for document in &documents {
            decision.effect(Effect::DeliverDocument {
                number: document.number.clone(),
            });
        }
        decision.documents(documents);
        if self.resolution == Resolution::GrantCredit {
            decision.return_to(Account::CustomerCredit);
            decision.effect(order.tell_customer(Message::CreditGranted { amount }, newest));
        } else {
            decision.effect(order.tell_customer(Message::RefundIssued { amount }, newest));
        }
        let debit = after.commission_kept - order.commission_kept;
        decision.effect(order.tell_partner(Message::PayoutWithheld { debit }));
        Ok(())
    }
}

/// The order as settling `scope` leaves it (for what that returns to the customer).
fn settled(order: &Order, scope: &[BookingId]) -> Order {
    let mut after = order.clone();
    cancel_scope(&mut after, scope);
    after
}

/// Cancels the bookings of `scope` without a fee and takes back the fees charged on them; the
/// platform keeps the commission on what they cost.
fn cancel_scope(order: &mut Order, scope: &[BookingId]) {
    let whole = order.valid_bookings().all(|b| scope.contains(&b.id));
    let before = order.items_gross();
    if whole {
        order.fees.clear();
    } else {
        order
            .fees
            .retain(|l| l.booking.as_ref().is_none_or(|b| !scope.contains(b)));
    }
    for booking in order.bookings.iter_mut().filter(|b| scope.contains(&b.id)) {
        booking.status = BookingStatus::Cancelled;
        for option in &mut booking.options {
            option.status = OptionStatus::Cancelled;
        }
    }
    let cancelled = before - order.items_gross();
    order.commission_kept = order.commission_kept + order.commission_rate.of(cancelled);
}

/// Settles `scope`: cancels it (see [`cancel_scope`]); the whole order's invoice is cancelled
/// with a fee invoice for fees left, a part's change is issued as the next version at once.
fn settle(
    order: &mut Order,
    scope: &[BookingId],
    numbers: &mut NumberAllocator,
    ctx: &Context,
) -> Result<Vec<Document>, DomainError> {
    cancel_scope(order, scope);
    order.payout_hold = None;
    if order.is_fully_cancelled() {
        return order.cancel_whole_invoice(numbers, ctx);
    }
    let mut documents: Vec<Document> = order
        .begin_invoice_change(numbers, ctx)?
        .into_iter()
        .collect();
    documents.push((*order.issue_next_version(ctx)?).clone());
    Ok(documents)
}
