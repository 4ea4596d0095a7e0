//! Stored bookings: an attendee on a date, with the options booked.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storno_core::rebooking::ticket_reference;
use storno_core::{
    AttendeeBooking, BookedDate, BookingId, BookingOption, BookingStatus, Currency, DateId, Money,
    OptionId, OptionStatus, OrderId, TimeZone, VatRate,
};

use super::invalid;
use crate::app::StoreError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OptionRecord {
    id: OptionId,
    name: String,
    unit_price: Money,
    quantity: u32,
    vat_rate: VatRate,
    status: OptionStatus,
    #[serde(default)]
    own_cancellation_fee: Option<Money>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookedDateRecord {
    id: DateId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    /// Missing in records of version 1: the events took place in Berlin.
    #[serde(default = "berlin")]
    time_zone: String,
}

pub(super) fn berlin() -> String {
    TimeZone::BERLIN.name().to_owned()
}

impl From<&BookedDate> for BookedDateRecord {
    fn from(d: &BookedDate) -> Self {
        BookedDateRecord {
            id: d.id.clone(),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            time_zone: d.time_zone.name().to_owned(),
        }
    }
}

impl BookedDateRecord {
    pub fn into_domain(self) -> Result<BookedDate, StoreError> {
        Ok(BookedDate {
            id: self.id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: TimeZone::parse(&self.time_zone).map_err(invalid)?,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingRecord {
    id: BookingId,
    attendee_name: String,
    attendee_email: String,
    date: BookedDateRecord,
    terms_of: DateId,
    status: BookingStatus,
    options: Vec<OptionRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fees_charged: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixed_fee_charged: Option<Money>,
    /// Missing in the first records of version 2: derived from order, booking and date.
    #[serde(default)]
    ticket: Option<String>,
}

impl From<&BookingOption> for OptionRecord {
    fn from(o: &BookingOption) -> Self {
        OptionRecord {
            id: o.id.clone(),
            name: o.name.to_string(),
            unit_price: o.unit_price,
            quantity: o.quantity,
            vat_rate: o.vat_rate,
            status: o.status,
            own_cancellation_fee: o.own_cancellation_fee,
        }
    }
}

impl OptionRecord {
    pub fn into_domain(self) -> BookingOption {
        BookingOption {
            status: self.status,
            ..BookingOption::new(
                self.id,
                self.name.into(),
                self.unit_price,
                self.quantity,
                self.vat_rate,
                self.own_cancellation_fee,
            )
        }
    }
}

impl From<&AttendeeBooking> for BookingRecord {
    fn from(b: &AttendeeBooking) -> Self {
        BookingRecord {
            id: b.id.clone(),
            attendee_name: b.attendee_name.to_string(),
            attendee_email: b.attendee_email.to_string(),
            date: (&b.date).into(),
            terms_of: b.terms_of.clone(),
            status: b.status,
            fees_charged: Some(b.fees_charged).filter(|m| !m.is_zero()),
            fixed_fee_charged: Some(b.fixed_fee_charged).filter(|m| !m.is_zero()),
            ticket: Some(b.ticket.to_string()),
            options: b.options.iter().map(OptionRecord::from).collect(),
        }
    }
}

impl BookingRecord {
    /// The booking of `order` (whose amounts are in `currency`).
    pub fn into_domain(
        self,
        order: &OrderId,
        currency: Currency,
    ) -> Result<AttendeeBooking, StoreError> {
        let zero = Money::zero(currency);
        let ticket = self
            .ticket
            .unwrap_or_else(|| ticket_reference(order, &self.id, &self.date.id).to_string());
        Ok(AttendeeBooking {
            id: self.id,
            attendee_name: self.attendee_name.into(),
            attendee_email: self.attendee_email.into(),
            date: self.date.into_domain()?,
            terms_of: self.terms_of,
            status: self.status,
            fees_charged: self.fees_charged.unwrap_or(zero),
            fixed_fee_charged: self.fixed_fee_charged.unwrap_or(zero),
            ticket: ticket.into(),
            options: self
                .options
                .into_iter()
                .map(OptionRecord::into_domain)
                .collect(),
        })
    }
}
