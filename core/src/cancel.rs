//! The three cancellation levels and update-invoice. Staff only:
//! customers cannot cancel, partners report instead that a course cannot run.
//!
//! Every cancellation returns the full decision; a dry run is the same decision, not recorded.

use crate::actor::Actor;
use crate::command::{Context, Decision, DecisionBuilder};
use crate::error::DomainError;
use crate::fee::{self, Cancelled, FeeChoice, FeeQuote};
use crate::followup::{Effect, Message};
use crate::ids::{BookingId, OptionId};
use crate::invoice::InvoiceStatus;
use crate::order::{AttendeeBooking, BookingStatus, OptionStatus, Order};

fn require_staff_cancellation(actor: &Actor) -> Result<(), DomainError> {
    match actor {
        Actor::Staff(_) => Ok(()),
        Actor::Customer(_) => Err(DomainError::CustomersCannotCancel),
        other => Err(other.forbidden("cancel invoices, bookings or options")),
    }
}

/// Which options of which bookings a cancellation takes away.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Invoice,
    Booking(&'a BookingId),
    Option(&'a BookingId, &'a OptionId),
}

impl Scope<'_> {
    fn select<'o>(&self, order: &'o Order) -> Result<Vec<Cancelled<'o>>, DomainError> {
        let whole = |booking: &'o AttendeeBooking| Cancelled {
            booking,
            options: booking.active_options().collect(),
        };
        match self {
            Scope::Invoice => Ok(order.valid_bookings().map(whole).collect()),
            Scope::Booking(id) => {
                let booking = order.booking(id)?;
                if !booking.is_valid() {
                    return Err(DomainError::BookingAlreadyCancelled);
                }
                Ok(vec![whole(booking)])
            }
            Scope::Option(booking_id, option_id) => {
                let booking = order.booking(booking_id)?;
                let option = booking
                    .options
                    .iter()
                    .find(|o| &o.id == *option_id)
                    .ok_or(DomainError::NotFound("booking option"))?;
                if !option.is_active() {
                    return Err(DomainError::OptionAlreadyCancelled);
                }
                Ok(vec![Cancelled {
                    booking,
                    options: vec![option],
                }])
            }
        }
    }
}

fn cancel(
    order: &Order,
    scope: Scope<'_>,
    choice: &FeeChoice,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    require_cancellable(order, ctx)?;
    let cancelled = scope.select(order)?;
    let quote = fee::quote(order, &cancelled, choice, ctx.issuer.fee_vat, ctx.now)?;
    let mut after = order.clone();
    mark_cancelled(&mut after, &cancelled, &scope)?;
    charge_fee(&mut after, &quote)?;
    charge_commission_on_fees(order, &mut after);
    let mut numbers = order.numbers(ctx);
    let mut decision = DecisionBuilder::change(order, ctx, "cancellation");
    let documents = match scope {
        Scope::Invoice => after.cancel_whole_invoice(&mut numbers, ctx)?,
        _ => after
            .begin_invoice_change(&mut numbers, ctx)?
            .into_iter()
            .collect(),
    };
    let newest = documents.last().map(|d| d.number.clone());
    let message = match scope {
        Scope::Invoice => Message::InvoiceCancelled,
        _ => Message::BookingCancelled,
    };
    decision.effect(after.tell_customer(message, newest));
    for document in &documents {
        decision.effect(Effect::DeliverDocument {
            number: document.number.clone(),
        });
    }
    decision.documents(documents);
    decision.fee(quote);
    Ok(decision.finish(after, Some(numbers)))
}

/// Staff cancel an invoice not cancelled yet, and not while the partner's failure is being
/// settled (it must not cost the customer a fee: the ladder settles it).
fn require_cancellable(order: &Order, ctx: &Context) -> Result<(), DomainError> {
    require_staff_cancellation(&ctx.actor)?;
    if order.invoice.status == InvoiceStatus::Cancelled {
        return Err(DomainError::InvoiceCancelled);
    }
    if order
        .partner_cancellation
        .as_ref()
        .is_some_and(|pc| pc.is_open())
    {
        return Err(DomainError::PartnerCancellationOpen);
    }
    Ok(())
}

/// The cancelled options, and for a booking or invoice cancellation their people. Converia:
/// "When canceling individual booking options, the person's booking remains as a valid
/// booking", even when its last option goes.
fn mark_cancelled(
    after: &mut Order,
    cancelled: &[Cancelled<'_>],
    scope: &Scope<'_>,
) -> Result<(), DomainError> {
    let targets: Vec<(BookingId, Vec<OptionId>)> = cancelled
        .iter()
        .map(|c| {
            (
                c.booking.id.clone(),
                c.options.iter().map(|o| o.id.clone()).collect(),
            )
        })
        .collect();
    for (booking_id, option_ids) in &targets {
        let booking = after.booking_mut(booking_id)?;
        for option in booking
            .options
            .iter_mut()
            .filter(|o| option_ids.contains(&o.id))
        {
            option.status = OptionStatus::Cancelled;
        }
        if !matches!(scope, Scope::Option(..)) {
            booking.status = BookingStatus::Cancelled;
        }
    }
    Ok(())
}

/// The fee's lines on the order, and what the terms' caps count per booking.
fn charge_fee(after: &mut Order, quote: &FeeQuote) -> Result<(), DomainError> {
    after.fees.extend(quote.lines.iter().cloned());
    for part in &quote.parts {
        let booking = after.booking_mut(&part.booking)?;
        booking.fees_charged = booking.fees_charged + part.fee;
        if let Some(fixed) = part.fixed {
            booking.fixed_fee_charged = booking.fixed_fee_charged + fixed;
        }
    }
    Ok(())
}

/// The platform keeps its commission on a fee — its work was done: the partner's rate on the
/// fee, and at least the commission the cancelled items carried, never more than the fee.
fn charge_commission_on_fees(before: &Order, after: &mut Order) {
    let fee = after.fees_gross() - before.fees_gross();
    if !fee.is_positive() {
        return;
    }
    let cancelled = before.items_gross() - after.items_gross();
    let rate = after.commission_rate;
    let commission = rate.of(fee).max(rate.of(cancelled)).min(fee);
    after.fee_commission = after.fee_commission + commission;
}

/// Cancels the whole invoice: every attendee booking in it. The people stay on the order; a
/// credit note is issued, and a fee invoice if a fee is charged.
pub fn cancel_invoice(
    order: &Order,
    fee: &FeeChoice,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    cancel(order, Scope::Invoice, fee, ctx)
}

/// Cancels one attendee booking and all its options. The invoice remains and must be updated.
pub fn cancel_booking(
    order: &Order,
    booking: &BookingId,
    fee: &FeeChoice,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    cancel(order, Scope::Booking(booking), fee, ctx)
}

/// Cancels one booking option. Booking and invoice remain valid; the invoice must be updated.
pub fn cancel_option(
    order: &Order,
    booking: &BookingId,
    option: &OptionId,
    fee: &FeeChoice,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    cancel(order, Scope::Option(booking, option), fee, ctx)
}

/// Issues the new invoice version after one or more changes (staff).
pub fn update_invoice(order: &Order, ctx: &Context) -> Result<Decision, DomainError> {
    ctx.actor.require_staff("update invoices")?;
    let mut after = order.clone();
    let document = after.issue_next_version(ctx)?;
    let mut decision = DecisionBuilder::change(order, ctx, "invoice updated");
    decision.effect(after.tell_customer(Message::InvoiceUpdated, Some(document.number.clone())));
    decision.effect(Effect::DeliverDocument {
        number: document.number.clone(),
    });
    decision.shared_document(document);
    Ok(decision.finish(after, None))
}
