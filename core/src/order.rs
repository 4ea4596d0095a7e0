//! The order aggregate: attendee bookings with their options, the invoice and its documents,
//! the payout, rebooking state and the money positions derived from them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::document::{DocumentLine, DocumentRef, LineKind};
use crate::error::DomainError;
use crate::ids::{BookingId, CustomerId, DateId, IssuerId, OptionId, OrderId, PartnerId, Text};
use crate::invoice::Invoice;
use crate::money::{Currency, Money};
use crate::numbering::NumberFormat;
use crate::partner_cancellation::PartnerCancellation;
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

/// How the order was sold. Private event sales follow other terms (DESIGN §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesChannel {
    Direct,
    PrivateEvent,
}

/// How a cancelled option appears on the updated invoice (a per-issuer setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledOptionPresentation {
    /// The option stays, with a negating cancellation line under it.
    CancellationLine,
    /// The option disappears from the updated invoice.
    Omit,
}

/// Which VAT a cancellation fee carries (a per-issuer setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeVatMode {
    /// The fee is not taxed.
    None,
    /// The rate of the cancelled item; with several, the rate of the one with the largest gross.
    ItemRate,
    /// Split across the cancelled items' rates in proportion to their gross; remainders go to
    /// the highest rate.
    Proportional,
}

/// The issuer's settings, copied onto the order when it is registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerSettings {
    pub id: IssuerId,
    pub numbers: NumberFormat,
    pub cancelled_options: CancelledOptionPresentation,
    pub fee_vat: FeeVatMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Valid,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionStatus {
    Active,
    Cancelled,
}

/// An offer package booked for one attendee. Prices are net; VAT is added per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingOption {
    pub id: OptionId,
    pub name: Text,
    pub unit_price: Money,
    pub quantity: u32,
    pub vat_rate: VatRate,
    pub status: OptionStatus,
    /// A fee of its own, charged when this option is cancelled and staff choose it (gross).
    pub own_cancellation_fee: Option<Money>,
    /// The line's net, VAT and gross: fixed when booked (see [`BookingOption::new`]), kept so
    /// money positions and invoice versions need no VAT arithmetic per option.
    net: Money,
    vat: Money,
    gross: Money,
}

impl BookingOption {
    /// An active option; its gross is the invoice line's gross.
    pub fn new(
        id: OptionId,
        name: Text,
        unit_price: Money,
        quantity: u32,
        vat_rate: VatRate,
        own_cancellation_fee: Option<Money>,
    ) -> Self {
        let net = unit_price.times(quantity.into());
        let vat = vat_rate.vat_on(net);
        BookingOption {
            id,
            name,
            unit_price,
            quantity,
            vat_rate,
            status: OptionStatus::Active,
            own_cancellation_fee,
            net,
            vat,
            gross: net + vat,
        }
    }

    /// The option as an invoice line.
    pub fn line(&self, booking: &BookingId) -> DocumentLine {
        DocumentLine {
            kind: LineKind::Item,
            booking: Some(booking.clone()),
            option: Some(self.id.clone()),
            description: self.name.clone(),
            quantity: self.quantity.into(),
            net: self.net,
            vat_rate: self.vat_rate,
            vat: self.vat,
            gross: self.gross,
        }
    }

    /// What the customer paid for this option, VAT included.
    pub fn gross(&self) -> Money {
        self.gross
    }

    pub fn is_active(&self) -> bool {
        self.status == OptionStatus::Active
    }
}

/// The date an attendee is booked on, as it was when booked or rebooked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedDate {
    pub id: DateId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// One person's booking within an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeBooking {
    pub id: BookingId,
    pub attendee_name: Text,
    pub attendee_email: Text,
    pub date: BookedDate,
    /// The date whose cancellation terms were frozen for this booking at registration.
    pub terms_of: DateId,
    pub status: BookingStatus,
    pub options: Vec<BookingOption>,
}

impl AttendeeBooking {
    pub fn is_valid(&self) -> bool {
        self.status == BookingStatus::Valid
    }

    pub fn active_options(&self) -> impl Iterator<Item = &BookingOption> {
        self.options.iter().filter(|o| o.is_active())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub partner: PartnerId,
    pub customer: CustomerId,
    pub issuer: IssuerSettings,
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
    /// Commission the platform keeps although the order was cancelled by the partner.
    pub commission_kept: Option<Money>,
    /// Counts decisions; effect keys of follow-ups and ids of requests are derived from it.
    pub revision: u64,
}

impl Order {
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

    /// Gross of every active option: what the customer pays for what is still booked.
    pub fn items_gross(&self) -> Money {
        let mut total = Money::zero(self.currency);
        for option in self.bookings.iter().flat_map(|b| b.active_options()) {
            total = total + option.gross();
        }
        total
    }

    pub fn fees_gross(&self) -> Money {
        Money::sum(self.currency, self.fees.iter().map(|l| &l.gross))
    }

    /// What the customer finally owes for this order: valid items and fees.
    pub fn owed(&self) -> Money {
        self.totals().owed()
    }

    /// Items and fees summed once, for callers that need several figures derived from them.
    pub(crate) fn totals(&self) -> Totals {
        Totals {
            items: self.items_gross(),
            fees: self.fees_gross(),
        }
    }

    /// The platform's commission: on the items still booked, or what it kept after a partner
    /// cancellation.
    pub fn commission(&self) -> Money {
        self.commission_on(self.items_gross())
    }

    /// The commission, given the items' gross (callers that already summed it).
    pub(crate) fn commission_on(&self, items_gross: Money) -> Money {
        self.commission_kept
            .unwrap_or_else(|| self.commission_rate.of(items_gross))
    }

    /// The partner's share of the items (negative after a partner cancellation: the commission
    /// the platform kept is a debit on the partner).
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
    pub fn partner_figures_visible_to(&self, actor: &Actor) -> bool {
        match actor {
            Actor::Customer(_) => false,
            Actor::Partner(p) => *p == self.partner,
            Actor::Staff(_) | Actor::System => true,
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
