//! Event dates: when a course or conference day runs, whose it is, whether it takes bookings,
//! and the cancellation terms customers agree to when they book it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::error::DomainError;
use crate::ids::{BookingId, DateId, OrderId, PartnerId, Text};
use crate::money::Money;
use crate::order::{BookedDate, Order};
use crate::terms::CancellationTerms;
use crate::time_zone::TimeZone;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventDate {
    pub id: DateId,
    pub partner: PartnerId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Where it takes place: "days before the event" are calendar days there.
    pub time_zone: TimeZone,
    /// An inactive date takes no further bookings or rebookings.
    pub active: bool,
    pub terms: CancellationTerms,
}

impl EventDate {
    /// A new, active date. It must end after it starts.
    /// Whose date a new date is: partners create their own; staff and the system name the
    /// partner.
    pub fn organiser(actor: &Actor, named: Option<PartnerId>) -> Result<PartnerId, DomainError> {
        match (named, actor) {
            (Some(partner), _) => Ok(partner),
            (None, Actor::Partner(own)) => Ok(own.clone()),
            (None, _) => Err(DomainError::InvalidInput(
                "partner is required when staff or the system create a date".into(),
            )),
        }
    }

    pub fn new(
        id: DateId,
        partner: PartnerId,
        title: String,
        (starts_at, ends_at, time_zone): (DateTime<Utc>, DateTime<Utc>, TimeZone),
        terms: CancellationTerms,
        actor: &Actor,
    ) -> Result<Self, DomainError> {
        match actor {
            Actor::System | Actor::Staff(_) => {}
            Actor::Partner(p) if *p == partner => {}
            other => return Err(other.forbidden("create dates for this partner")),
        }
        let plausible = 2000..=2200;
        if !plausible.contains(&chrono::Datelike::year(&starts_at))
            || !plausible.contains(&chrono::Datelike::year(&ends_at))
        {
            return Err(DomainError::InvalidInput(
                "a date must lie between the years 2000 and 2200".into(),
            ));
        }
        if ends_at <= starts_at {
            return Err(DomainError::InvalidInput(
                "a date must end after it starts".into(),
            ));
        }
        if title.trim().is_empty() {
            return Err(DomainError::InvalidInput("a date needs a title".into()));
        }
        Ok(EventDate {
            id,
            partner,
            title,
            starts_at,
            ends_at,
            time_zone,
            active: true,
            terms,
        })
    }

    /// The date as a booking on it records it.
    pub fn booked(&self) -> BookedDate {
        BookedDate {
            id: self.id.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self.time_zone,
        }
    }

    /// Activates or deactivates the date (its partner, or staff).
    pub fn set_active(&self, active: bool, actor: &Actor) -> Result<EventDate, DomainError> {
        match actor {
            Actor::Partner(p) if *p == self.partner => {}
            Actor::Partner(_) => return Err(DomainError::NotFound("date")),
            Actor::Staff(_) => {}
            other => return Err(other.forbidden("activate or deactivate dates")),
        }
        if self.active == active {
            return Err(DomainError::DateActivationUnchanged(active));
        }
        Ok(EventDate {
            active,
            ..self.clone()
        })
    }

    /// Who may see the date's attendee list: its partner and staff. Another partner learns
    /// nothing (not found); customers and the system are refused.
    pub fn require_attendee_list_access(&self, actor: &Actor) -> Result<(), DomainError> {
        match actor {
            Actor::Partner(p) if *p == self.partner => Ok(()),
            Actor::Partner(_) => Err(DomainError::NotFound("date")),
            Actor::Staff(_) => Ok(()),
            other => Err(other.forbidden("see the attendee list of a date")),
        }
    }

    /// Whether bookings of `partner` may be moved onto this date at `now`.
    pub(crate) fn accepts_rebooking_for(
        &self,
        partner: &PartnerId,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if &self.partner != partner {
            return Err(DomainError::DateOfAnotherPartner);
        }
        if !self.active {
            return Err(DomainError::DateInactive);
        }
        if self.starts_at <= now {
            return Err(DomainError::DateInThePast);
        }
        Ok(())
    }
}

/// One line of a date's attendee list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Attendee {
    pub order: OrderId,
    pub booking: BookingId,
    pub name: Text,
    pub email: Text,
}

/// The attendee list of a date: valid bookings only; cancelled people drop off.
pub fn attendees_on<'a>(
    date: &DateId,
    orders: impl IntoIterator<Item = &'a Order>,
) -> Vec<Attendee> {
    orders
        .into_iter()
        .flat_map(|order| {
            order
                .valid_bookings()
                .filter(|b| &b.date.id == date)
                .map(|b| Attendee {
                    order: order.id.clone(),
                    booking: b.id.clone(),
                    name: b.attendee_name.clone(),
                    email: b.attendee_email.clone(),
                })
        })
        .collect()
}

/// What acting on every order of a date at once would touch, for the dry run staff see first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DateTotals {
    pub orders: usize,
    pub attendees: usize,
    /// What the customers paid for those bookings (what refunding them would return).
    pub owed: Money,
    /// The commission the platform keeps if every order ends in a partner cancellation.
    pub commission: Money,
}

/// Totals over the bookings on `date` not yet held (in `currency`): what their customers paid
/// for them and the commission on it. Orders sold through private event sales are not counted:
/// the date-wide flows refuse them (and name them).
pub fn date_totals<'a>(
    date: &DateId,
    currency: crate::money::Currency,
    now: chrono::DateTime<Utc>,
    orders: impl IntoIterator<Item = &'a Order>,
) -> DateTotals {
    let mut totals = DateTotals {
        orders: 0,
        attendees: 0,
        owed: Money::zero(currency),
        commission: Money::zero(currency),
    };
    for order in orders {
        if order.channel != crate::order::SalesChannel::Direct || order.currency != currency {
            continue;
        }
        let on_date: Vec<&crate::order::AttendeeBooking> = order
            .valid_bookings()
            .filter(|b| &b.date.id == date && !order.course_held(b, now))
            .collect();
        if on_date.is_empty() {
            continue;
        }
        let paid = crate::vat::payable_of(
            on_date
                .iter()
                .flat_map(|b| b.active_options())
                .map(|o| (o.vat_rate, o.amount())),
            order.prices,
            currency,
        );
        totals.orders += 1;
        totals.attendees += on_date.len();
        totals.owed = totals.owed + paid;
        totals.commission = totals.commission + order.commission_rate.of(paid);
    }
    totals
}
