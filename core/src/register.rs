//! Order intake: checkout registers a paid order. The invoice's first version is issued, the
//! payment booked, and the cancellation terms of each booked date frozen onto the order.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::command::{Context, Decision, DecisionBuilder};
use crate::credit::{PaymentPart, credit_part};
use crate::dates::EventDate;
use crate::document::{AttendeeEntry, Document, DocumentHeader, DocumentKind, DocumentLine};
use crate::error::DomainError;
use crate::followup::{Effect, Message};
use crate::ids::{BookingId, CustomerId, DateId, IssuerId, OptionId, OrderId, PartnerId};
use crate::invoice::{Invoice, InvoiceStatus, invoice_content};
use crate::issuer::PriceEntry;
use crate::ledger::Account;
use crate::money::{Currency, Money};
use crate::numbering::NumberAllocator;
use crate::order::{AttendeeBooking, BookingOption, BookingStatus, Order, SalesChannel};
use crate::party::{NewRecipient, Recipient};
use crate::payout::Payout;
use crate::rate::{Percentage, VatRate};
use crate::terms::CancellationTerms;

/// The most attendee bookings one order may hold.
pub const MAX_BOOKINGS: usize = 2_000;
/// The most options one attendee booking may hold.
pub const MAX_OPTIONS: usize = 20;
/// The largest quantity of one option.
pub const MAX_QUANTITY: u32 = 10_000;
/// The longest payout delay, in days.
pub const MAX_PAYOUT_DELAY_DAYS: u32 = 3_650;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOption {
    pub id: OptionId,
    pub name: String,
    /// The price of one unit, as the issuer enters prices (net, or gross VAT included).
    pub unit_price: Money,
    pub quantity: u32,
    pub vat_rate: VatRate,
    pub own_cancellation_fee: Option<Money>,
    /// Whether `unit_price` is net or gross; when given it must be the issuer's price entry.
    #[serde(default)]
    pub price_entry: Option<PriceEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub id: BookingId,
    pub attendee_name: String,
    pub attendee_email: String,
    pub date: DateId,
    pub options: Vec<NewOption>,
}

/// A paid order as checkout reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub id: OrderId,
    pub partner: PartnerId,
    pub customer: CustomerId,
    /// An issuer of the registry: whose name and number series the documents carry.
    pub issuer: IssuerId,
    pub recipient: NewRecipient,
    pub channel: SalesChannel,
    pub currency: Currency,
    pub captured: Money,
    pub commission_rate: Percentage,
    pub payout_delay_days: u32,
    pub bookings: Vec<NewBooking>,
    /// How `captured` was paid; none: all by the original payment.
    #[serde(default)]
    pub payments: Vec<PaymentPart>,
}

fn text(value: &str, what: &str) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() || value.len() > 200 {
        return Err(DomainError::InvalidInput(format!(
            "{what} must have 1 to 200 characters"
        )));
    }
    Ok(value.to_owned())
}

/// Registers a paid order (the system only). `dates` must hold every date booked; the
/// context's issuer must be the one the order names.
/// Who may register orders: the checkout (the system). Checked before anything else, an
/// intake replayed by order id included: its receipt is not for other callers to see.
pub fn require_order_registrar(actor: &Actor) -> Result<(), DomainError> {
    actor.require_system("register orders")
}

pub fn register_order(
    new: NewOrder,
    dates: &[EventDate],
    ctx: &Context,
) -> Result<Decision, DomainError> {
    require_order_registrar(&ctx.actor)?;
    let recipient = check_order(&new, ctx)?;
    let paid_with_credit = credit_part(&new.payments, new.captured, new.currency)?;
    let mut frozen_terms = BTreeMap::new();
    let mut booking_ids = HashSet::new();
    let mut bookings = Vec::with_capacity(new.bookings.len());
    for booking in &new.bookings {
        if !booking_ids.insert(booking.id.clone()) {
            return Err(DomainError::InvalidInput(format!(
                "booking {} appears twice",
                booking.id
            )));
        }
        if booking.options.is_empty() || booking.options.len() > MAX_OPTIONS {
            return Err(DomainError::InvalidInput(format!(
                "booking {} needs 1 to {MAX_OPTIONS} options",
                booking.id
            )));
        }
        let date = booked_date(&new, booking, dates)?;
        frozen_terms.insert(date.id.clone(), date.terms.clone());
        bookings.push(attendee_booking(&new, booking, date, ctx)?);
    }
    let prices = ctx.issuer.prices;
    let (attendees, lines) = invoice_content(&bookings, &[], ctx.issuer.cancelled_options, prices);
    let captured_must_be = crate::vat::payable(&lines, prices, new.currency);
    if captured_must_be != new.captured {
        return Err(DomainError::CaptureMismatch {
            captured: new.captured.to_string(),
            invoice: captured_must_be.to_string(),
        });
    }
    let mut numbers = NumberAllocator::new(ctx.series(), ctx.next_document_seq);
    let invoice = first_invoice(&new, &recipient, ctx, &mut numbers, (attendees, lines));
    let order = new_order(
        new,
        recipient,
        (bookings, frozen_terms),
        paid_with_credit,
        &invoice,
        ctx,
    );
    let mut decision = DecisionBuilder::register(ctx, "order registered");
    decision.grow(Account::CustomerPayments, order.captured - paid_with_credit);
    decision.redeem_credit(&order, paid_with_credit);
    decision.effect(order.tell_customer(Message::OrderConfirmed, Some(invoice.number.clone())));
    decision.effect(Effect::DeliverDocument {
        number: invoice.number.clone(),
    });
    decision.shared_document(invoice);
    Ok(decision.finish(order, Some(numbers)))
}

/// The order as a whole: its id, issuer, recipient, size, amounts and payout delay. Returns
/// the recipient checked.
fn check_order(new: &NewOrder, ctx: &Context) -> Result<Recipient, DomainError> {
    if new.id.as_str().starts_with('_') {
        return Err(DomainError::ReservedOrderId);
    }
    if ctx.issuer.id != new.issuer {
        return Err(DomainError::UnknownIssuer(new.issuer.to_string()));
    }
    let recipient = new.recipient.checked()?;
    if new.bookings.is_empty() {
        return Err(DomainError::NoBookings);
    }
    if new.bookings.len() > MAX_BOOKINGS {
        return Err(DomainError::InvalidInput(format!(
            "an order holds at most {MAX_BOOKINGS} attendee bookings"
        )));
    }
    new.captured.require_amount_in(new.currency)?;
    if new.payout_delay_days > MAX_PAYOUT_DELAY_DAYS {
        return Err(DomainError::InvalidInput(format!(
            "the payout delay may be at most {MAX_PAYOUT_DELAY_DAYS} days"
        )));
    }
    Ok(recipient)
}

/// The date a booking books: the order's partner's, active, its terms in the order's currency.
fn booked_date<'d>(
    new: &NewOrder,
    booking: &NewBooking,
    dates: &'d [EventDate],
) -> Result<&'d EventDate, DomainError> {
    let date = dates
        .iter()
        .find(|d| d.id == booking.date)
        .ok_or(DomainError::NotFound("date"))?;
    if date.partner != new.partner {
        return Err(DomainError::DateOfAnotherPartner);
    }
    if !date.active {
        return Err(DomainError::DateInactive);
    }
    for tier in date.terms.tiers() {
        for money in [&tier.fixed, &tier.cap].into_iter().flatten() {
            money.require_amount_in(new.currency)?;
        }
    }
    Ok(date)
}

/// One attendee's booking on `date`, its options checked.
fn attendee_booking(
    new: &NewOrder,
    booking: &NewBooking,
    date: &EventDate,
    ctx: &Context,
) -> Result<AttendeeBooking, DomainError> {
    let mut option_ids = HashSet::new();
    let mut options = Vec::with_capacity(booking.options.len());
    for option in &booking.options {
        if !option_ids.insert(option.id.clone()) {
            return Err(DomainError::InvalidInput(format!(
                "option {} appears twice",
                option.id
            )));
        }
        options.push(booking_option(new, option, ctx)?);
    }
    Ok(AttendeeBooking {
        id: booking.id.clone(),
        attendee_name: text(&booking.attendee_name, "an attendee's name")?.into(),
        attendee_email: text(&booking.attendee_email, "an attendee's email")?.into(),
        date: date.booked(),
        terms_of: date.id.clone(),
        status: BookingStatus::Valid,
        options,
        fees_charged: Money::zero(new.currency),
        fixed_fee_charged: Money::zero(new.currency),
        ticket: crate::rebooking::ticket_reference(&new.id, &booking.id, &date.id),
    })
}

/// One option: its amounts in the order's currency and price entry, its VAT allowed.
fn booking_option(
    new: &NewOrder,
    option: &NewOption,
    ctx: &Context,
) -> Result<BookingOption, DomainError> {
    let issuer = &ctx.issuer;
    option.unit_price.require_amount_in(new.currency)?;
    if option
        .price_entry
        .is_some_and(|entry| entry != issuer.prices)
    {
        return Err(DomainError::PriceEntryMismatch {
            option: option.id.to_string(),
            issuer: issuer.prices.name(),
        });
    }
    if issuer.is_vat_exempt() && !option.vat_rate.percent().is_zero() {
        return Err(DomainError::VatOnExemptIssuer(option.id.to_string()));
    }
    if let Some(fee) = &option.own_cancellation_fee {
        fee.require_amount_in(new.currency)?;
    }
    if option.quantity == 0 || option.quantity > MAX_QUANTITY {
        return Err(DomainError::InvalidInput(format!(
            "an option's quantity must be 1 to {MAX_QUANTITY}"
        )));
    }
    Ok(BookingOption::new(
        option.id.clone(),
        text(&option.name, "an option's name")?.into(),
        option.unit_price,
        option.quantity,
        option.vat_rate,
        option.own_cancellation_fee,
    ))
}

/// The order's first invoice (version 1).
fn first_invoice(
    new: &NewOrder,
    recipient: &Recipient,
    ctx: &Context,
    numbers: &mut NumberAllocator,
    (attendees, lines): (Vec<AttendeeEntry>, Vec<DocumentLine>),
) -> Arc<Document> {
    let issuer = &ctx.issuer;
    let header = DocumentHeader {
        order: new.id.clone(),
        customer: new.customer.clone(),
        seller: issuer.seller(),
        recipient: recipient.clone(),
        currency: new.currency,
        prices: issuer.prices,
    };
    Arc::new(Document::new(
        numbers.take(&issuer.numbers),
        DocumentKind::Invoice {
            version: 1,
            replaces: None,
        },
        header,
        ctx.now,
        ctx.issue_date(),
        attendees,
        lines,
    ))
}

/// The order as registered: paid, invoiced, nothing cancelled or paid out yet.
fn new_order(
    new: NewOrder,
    recipient: Recipient,
    (bookings, frozen_terms): (Vec<AttendeeBooking>, BTreeMap<DateId, CancellationTerms>),
    paid_with_credit: Money,
    invoice: &Arc<Document>,
    ctx: &Context,
) -> Order {
    let zero = Money::zero(new.currency);
    Order {
        id: new.id,
        partner: new.partner,
        customer: new.customer,
        issuer: new.issuer,
        prices: ctx.issuer.prices,
        recipient,
        channel: new.channel,
        currency: new.currency,
        captured: new.captured,
        commission_rate: new.commission_rate,
        payout_delay_days: new.payout_delay_days,
        registered_at: ctx.now,
        bookings,
        frozen_terms,
        invoice: Invoice {
            status: InvoiceStatus::Issued,
            current: Arc::clone(invoice),
        },
        documents: Vec::new(),
        fees: Vec::new(),
        payout: Payout::default(),
        rebook_flag: false,
        rebooking_requests: Vec::new(),
        alternative_dates: None,
        partner_cancellation: None,
        refunded: zero,
        credited: zero,
        paid_with_credit,
        commission_kept: zero,
        fee_commission: zero,
        payout_hold: None,
        revision: 0,
    }
}
