//! The order aggregate: attendee bookings with their options, the invoice and its documents,
//! the payout, rebooking state and the money positions derived from them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
pub use crate::booking::{AttendeeBooking, BookedDate, BookingOption, BookingStatus, OptionStatus};
use crate::document::{DocumentLine, DocumentRef};
use crate::error::DomainError;
use crate::followup::{Effect, FollowUp, Message};
use crate::ids::{BookingId, CustomerId, DateId, IssuerId, OrderId, PartnerId};
use crate::invoice::Invoice;
use crate::issuer::PriceEntry;
use crate::money::{Currency, Money};
use crate::numbering::DocumentNumber;
use crate::partner_cancellation::PartnerCancellation;
use crate::party::Recipient;
use crate::payout::Payout;
use crate::rate::{Percentage, VatRate};
use crate::rebooking::{AlternativeDates, RebookingRequest};
use crate::terms::CancellationTerms;

/// An order's gross items and fees at one moment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Totals {
    pub items: Money,
    pub fees: Money,
}

impl Totals {
    pub fn owed(&self) -> Money {
        self.items + self.fees
    }
}

/// How the order was sold. Private event sales follow other terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SalesChannel {
    Direct,
    PrivateEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Order {
    pub id: OrderId,
    pub partner: PartnerId,
    pub customer: CustomerId,
    /// Who issues the order's documents (an entry of the issuer registry).
    pub issuer: IssuerId,
    /// How the order's prices were entered (the issuer's setting at registration).
    pub prices: PriceEntry,
    /// Who receives the documents.
    pub recipient: Recipient,
    pub channel: SalesChannel,
    pub currency: Currency,
    /// What the customer paid at checkout.
    pub captured: Money,
    /// The partner's commission rate when the order was registered.
    pub commission_rate: Percentage,
    /// Days after the final course date ends until the partner's payout is due.
    pub payout_delay_days: u32,
    pub registered_at: DateTime<Utc>,
    pub bookings: Vec<AttendeeBooking>,
    /// Cancellation terms in force at registration, per date booked then.
    pub frozen_terms: BTreeMap<DateId, CancellationTerms>,
    pub invoice: Invoice,
    /// Every document issued for this order, oldest first. See [`Order::archive`].
    pub documents: Vec<DocumentRef>,
    /// Every cancellation fee charged, as the lines it carries on documents.
    pub fees: Vec<DocumentLine>,
    pub payout: Payout,
    pub rebook_flag: bool,
    pub rebooking_requests: Vec<RebookingRequest>,
    pub alternative_dates: Option<AlternativeDates>,
    pub partner_cancellation: Option<PartnerCancellation>,
    /// Money returned to the customer: refunds to the original payment and account credit.
    pub refunded: Money,
    pub credited: Money,
    /// What the customer paid with account credit at checkout (part of `captured`).
    pub paid_with_credit: Money,
    /// Commission the platform keeps on bookings the partner could not run.
    pub commission_kept: Money,
    /// Commission the platform earned on cancellation fees.
    pub fee_commission: Money,
    /// The payout waits for staff (the booked date passed under the rebook flag).
    pub payout_hold: Option<crate::payout::PayoutHold>,
    /// Counts decisions; effect keys of follow-ups and ids of requests are derived from it.
    pub revision: u64,
}

impl Order {
    /// Whether `booking`'s course took place by `now`: its date ended and nothing on the order
    /// says it may not have run. Under the rebook flag, a hold for a date passed under the
    /// flag, or an approved rebooking request for the booking, the partner said the course may
    /// not run: such a booking can still be rebooked or cancelled (that is how the pause or hold
    /// resolves). A booking whose course took place is never moved or refunded by a rebooking,
    /// a partner cancellation or a date action.
    pub fn course_held(&self, booking: &AttendeeBooking, now: DateTime<Utc>) -> bool {
        booking.date_passed(now) && !self.course_in_doubt(booking)
    }

    fn course_in_doubt(&self, booking: &AttendeeBooking) -> bool {
        self.rebook_flag
            || self.payout_hold.is_some()
            || self.rebooking_requests.iter().any(|request| {
                matches!(
                    request.state,
                    crate::rebooking::RequestState::Approved { .. }
                ) && (request.bookings.is_empty() || request.bookings.contains(&booking.id))
            })
    }

    /// The order's document archive, newest first.
    pub fn archive(&self) -> impl Iterator<Item = &DocumentRef> {
        self.documents.iter().rev()
    }

    pub fn booking(&self, id: &BookingId) -> Result<&AttendeeBooking, DomainError> {
        self.bookings
            .iter()
            .find(|b| &b.id == id)
            .ok_or(DomainError::NotFound("attendee booking"))
    }

    pub(crate) fn booking_mut(
        &mut self,
        id: &BookingId,
    ) -> Result<&mut AttendeeBooking, DomainError> {
        self.bookings
            .iter_mut()
            .find(|b| &b.id == id)
            .ok_or(DomainError::NotFound("attendee booking"))
    }

    pub fn valid_bookings(&self) -> impl Iterator<Item = &AttendeeBooking> {
        self.bookings.iter().filter(|b| b.is_valid())
    }

    /// What the customer pays for what is still booked (VAT per rate over the active options).
    pub fn items_gross(&self) -> Money {
        let active = self.bookings.iter().flat_map(|b| b.active_options());
        crate::vat::payable_of(
            active.map(|o| (o.vat_rate, o.amount())),
            self.prices,
            self.currency,
        )
    }

    /// What the customer finally owes for this order: what the next invoice version states
    /// (valid items and fees, VAT per rate over all of them).
    pub fn owed(&self) -> Money {
        let active = self.bookings.iter().flat_map(|b| b.active_options());
        let items = active.map(|o| (o.vat_rate, o.amount()));
        let fees = self
            .fees
            .iter()
            .map(|l| (l.vat_rate, l.amount(self.prices)));
        crate::vat::payable_of(items.chain(fees), self.prices, self.currency)
    }

    /// The VAT per rate contained in what is owed.
    pub fn vat_owed(&self) -> BTreeMap<VatRate, Money> {
        let active = self.bookings.iter().flat_map(|b| b.active_options());
        let items = active.map(|o| (o.vat_rate, o.amount()));
        let fees = self
            .fees
            .iter()
            .map(|l| (l.vat_rate, l.amount(self.prices)));
        crate::vat::vat_of(items.chain(fees), self.prices, self.currency)
    }

    /// The VAT the items still booked carry (all rates).
    pub(crate) fn vat_of_items(&self) -> Money {
        let active = self.bookings.iter().flat_map(|b| b.active_options());
        let vat = crate::vat::vat_of(
            active.map(|o| (o.vat_rate, o.amount())),
            self.prices,
            self.currency,
        );
        Money::sum(self.currency, vat.values())
    }

    /// The fees' share of what is owed.
    pub fn fees_gross(&self) -> Money {
        self.totals().fees
    }

    /// Items and what is owed, computed once, for callers that need several figures.
    pub(crate) fn totals(&self) -> Totals {
        let items = self.items_gross();
        Totals {
            items,
            fees: self.owed() - items,
        }
    }

    /// The platform's commission: on the items still booked, on the fees charged, and what it
    /// kept on bookings the partner could not run.
    pub fn commission(&self) -> Money {
        self.commission_on(self.items_gross())
    }

    /// The commission, given the items' gross (callers that already summed it).
    pub(crate) fn commission_on(&self, items_gross: Money) -> Money {
        self.item_commission_on(items_gross) + self.fee_commission + self.commission_kept
    }

    /// The commission on the items still booked.
    pub(crate) fn item_commission_on(&self, items_gross: Money) -> Money {
        self.commission_rate.of(items_gross)
    }

    /// The partner's share of what the customer owes, without the fees' share: negative when
    /// the platform kept commission on bookings the partner could not run (a debit).
    pub fn partner_share(&self) -> Money {
        self.items_gross() - self.commission()
    }

    pub fn is_fully_cancelled(&self) -> bool {
        self.valid_bookings().next().is_none()
    }

    /// The end of the last date any valid booking is on (or any booking, once all are cancelled).
    pub fn final_date_end(&self) -> DateTime<Utc> {
        let ends = |valid_only: bool| {
            self.bookings
                .iter()
                .filter(|b| !valid_only || b.is_valid())
                .map(|b| b.date.ends_at)
                .max()
        };
        ends(true)
            .or_else(|| ends(false))
            .unwrap_or(self.registered_at)
    }

    /// The partner owning the order, or staff, may see and act on it as a partner would.
    pub(crate) fn require_owner_partner(
        &self,
        actor: &Actor,
        action: &'static str,
    ) -> Result<(), DomainError> {
        match actor {
            Actor::Partner(p) if *p == self.partner => Ok(()),
            Actor::Partner(_) => Err(DomainError::NotFound("order")),
            other => Err(other.forbidden(action)),
        }
    }

    pub(crate) fn require_owner_customer(
        &self,
        actor: &Actor,
        action: &'static str,
    ) -> Result<(), DomainError> {
        match actor {
            Actor::Customer(c) if *c == self.customer => Ok(()),
            Actor::Customer(_) => Err(DomainError::NotFound("order")),
            other => Err(other.forbidden(action)),
        }
    }

    /// Whether `actor` may read this order at all (owner customer, owner partner, staff).
    pub fn visible_to(&self, actor: &Actor) -> bool {
        match actor {
            Actor::Customer(c) => *c == self.customer,
            Actor::Partner(p) => *p == self.partner,
            Actor::Staff(_) | Actor::System => true,
        }
    }

    /// Whether `actor` may see the partner's side of the order (commission, payout): its
    /// partner, staff and the system; never the customer.
    /// Whether `actor`, who may read the order, may read a document of it of this kind: the
    /// platform's commission invoices are the partner's, never the customer's.
    pub fn document_visible_to(&self, kind: &crate::document::DocumentKind, actor: &Actor) -> bool {
        !kind.is_partners() || self.partner_figures_visible_to(actor)
    }

    pub fn partner_figures_visible_to(&self, actor: &Actor) -> bool {
        match actor {
            Actor::Partner(p) => *p == self.partner,
            other => other.sees_business_side(),
        }
    }

    /// Rebooking flows are for direct sales only.
    pub(crate) fn require_direct_sale(&self) -> Result<(), DomainError> {
        match self.channel {
            SalesChannel::Direct => Ok(()),
            SalesChannel::PrivateEvent => Err(DomainError::PrivateEventOrder),
        }
    }
}

impl Order {
    /// What the partner is due from this order: its share of the items plus the fees.
    pub fn partner_due(&self) -> Money {
        self.owed() - self.commission()
    }
}

/// An order's follow-ups are keyed by its id and revision.
impl FollowUp {
    pub(crate) fn keyed(order: &Order, effects: Vec<Effect>) -> Vec<FollowUp> {
        Self::keyed_on(&order.id, order.revision, effects)
    }
}

impl Order {
    pub(crate) fn tell_customer(
        &self,
        message: Message,
        document: Option<DocumentNumber>,
    ) -> Effect {
        Effect::NotifyCustomer {
            customer: self.customer.clone(),
            message,
            document,
        }
    }

    pub(crate) fn tell_partner(&self, message: Message) -> Effect {
        Effect::NotifyPartner {
            partner: self.partner.clone(),
            message,
        }
    }
}
