//! An attendee's booking within an order: the person, the date booked and the options
//! (offer packages) booked for them, with the fee counters the terms' caps keep.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{BookingId, DateId, OptionId, Text};
use crate::issuer::PriceEntry;
use crate::line::{DocumentLine, LineKind, ServicePeriod};
use crate::money::Money;
use crate::rate::VatRate;
use crate::time_zone::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Valid,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OptionStatus {
    Active,
    Cancelled,
}

/// An offer package booked for one attendee, priced as its issuer enters prices (net, or
/// gross VAT included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BookingOption {
    pub id: OptionId,
    pub name: Text,
    pub unit_price: Money,
    pub quantity: u32,
    pub vat_rate: VatRate,
    pub status: OptionStatus,
    /// A fee of its own, charged when this option is cancelled and staff choose it (in the
    /// order's price entry).
    pub own_cancellation_fee: Option<Money>,
}

impl BookingOption {
    /// An active option.
    pub fn new(
        id: OptionId,
        name: Text,
        unit_price: Money,
        quantity: u32,
        vat_rate: VatRate,
        own_cancellation_fee: Option<Money>,
    ) -> Self {
        BookingOption {
            id,
            name,
            unit_price,
            quantity,
            vat_rate,
            status: OptionStatus::Active,
            own_cancellation_fee,
        }
    }

    /// Unit price × quantity, in the order's price entry.
    pub fn amount(&self) -> Money {
        self.unit_price.times(self.quantity.into())
    }

    /// The option as an invoice line of `booking` on its booked date.
    pub fn line(&self, booking: &AttendeeBooking, prices: PriceEntry) -> DocumentLine {
        let description = self.name.clone();
        let quantity = i64::from(self.quantity);
        let mut line = match prices {
            PriceEntry::Net => DocumentLine::net_priced(
                LineKind::Item,
                description,
                quantity,
                self.amount(),
                self.vat_rate,
            ),
            PriceEntry::Gross => DocumentLine::gross_priced(
                LineKind::Item,
                description,
                quantity,
                self.amount(),
                self.vat_rate,
            ),
        };
        line.booking = Some(booking.id.clone());
        line.option = Some(self.id.clone());
        line.service_period = Some(booking.date.service_period());
        line
    }

    pub fn is_active(&self) -> bool {
        self.status == OptionStatus::Active
    }
}

/// The date an attendee is booked on, as it was when booked or rebooked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BookedDate {
    pub id: DateId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Where the event takes place: its days are calendar days there.
    pub time_zone: TimeZone,
}

impl BookedDate {
    /// The event's first and last calendar day where it takes place.
    pub fn service_period(&self) -> ServicePeriod {
        ServicePeriod {
            start: self.time_zone.date_of(self.starts_at),
            end: self.time_zone.date_of(self.ends_at),
        }
    }
}

/// One person's booking within an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AttendeeBooking {
    pub id: BookingId,
    pub attendee_name: Text,
    pub attendee_email: Text,
    pub date: BookedDate,
    /// The date whose cancellation terms were frozen for this booking at registration.
    pub terms_of: DateId,
    pub status: BookingStatus,
    pub options: Vec<BookingOption>,
    /// Cancellation fees charged on this booking so far, in the order's price entry: caps of
    /// the terms limit them together, and a tier's fixed amount is charged once.
    pub fees_charged: Money,
    pub fixed_fee_charged: Money,
    /// The ticket the attendee shows: a stable reference of this booking on its date.
    pub ticket: Text,
}

impl AttendeeBooking {
    /// Whether the booked date has ended at `now`. Whether its course took place is the
    /// order's to say ([`Order::course_held`]).
    pub fn date_passed(&self, now: DateTime<Utc>) -> bool {
        self.date.ends_at <= now
    }

    pub fn is_valid(&self) -> bool {
        self.status == BookingStatus::Valid
    }

    pub fn active_options(&self) -> impl Iterator<Item = &BookingOption> {
        self.options.iter().filter(|o| o.is_active())
    }
}
