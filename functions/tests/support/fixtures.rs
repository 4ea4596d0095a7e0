//! Orders and dates for the adapter tests: a reference conference order (~4 KB of state) and
//! orders of any number of attendees.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use storno_core::*;

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

pub fn id<T: TryFrom<String, Error = DomainError>>(value: &str) -> T {
    T::try_from(value.to_owned()).unwrap()
}

pub fn eur(amount: Decimal) -> Money {
    Money::new(amount, Currency::EUR).unwrap()
}

pub fn staff() -> Actor {
    Actor::Staff(id("staff-1"))
}

pub fn partner() -> Actor {
    Actor::Partner(id("partner-1"))
}

/// The conference date: 2025-03-10, three days, 50 % within 30 days.
pub fn conference() -> EventDate {
    let terms = CancellationTerms::new(
        vec![FeeTier {
            up_to_days_before: 30,
            percent: Some(Percentage::new(dec!(50)).unwrap()),
            fixed: None,
            cap: None,
        }],
        Currency::EUR,
    )
    .unwrap();
    EventDate::new(
        id("conf"),
        id("partner-1"),
        "Conference 2025".into(),
        (at(2025, 3, 10), at(2025, 3, 12), TimeZone::BERLIN),
        terms,
        &Actor::System,
    )
    .unwrap()
}

/// Another date of the same partner, for rebooking.
pub fn later_conference() -> EventDate {
    EventDate {
        id: id("conf-later"),
        starts_at: at(2025, 9, 10),
        ends_at: at(2025, 9, 12),
        ..conference()
    }
}

/// The issuers the adapter tests sell through (the harness registers them all).
pub const ISSUERS: [&str; 15] = [
    "converia-demo",
    "platform",
    "credit-issuer",
    "bench-issuer",
    "one-issuer",
    "outbox-issuer",
    "chain-issuer",
    "big-issuer",
    "idem-issuer",
    "limits-issuer",
    "race-issuer",
    "numbers-issuer",
    "payout-issuer",
    "fanout-issuer",
    "turns-issuer",
];

/// An issuer of the registry: a Converia-style organiser pricing net. `converia-demo` numbers
/// `CDC…`; the others take their name's letters before `-issuer` as prefix.
pub fn issuer(issuer_id: &str) -> Issuer {
    let prefix = match issuer_id {
        "converia-demo" => "CDC".to_owned(),
        other => other
            .trim_end_matches("-issuer")
            .chars()
            .filter(char::is_ascii_alphabetic)
            .take(12)
            .collect::<String>()
            .to_ascii_uppercase(),
    };
    let new: NewIssuer = serde_json::from_value(serde_json::json!({
        "legal_name": format!("{issuer_id} GmbH"),
        "address": {"street": "Musterstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "vat_id": "DE123456789",
        "contact": {"name": "Rechnungsstelle", "phone": "+49 30 1234567", "email": "billing@example.org"},
        "payment": {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": prefix, "yearly": true},
        "cancelled_options": "cancellation_line",
        "fee_vat": "item_rate",
        "prices": "net",
    }))
    .unwrap();
    Issuer::new(id(issuer_id), new, &Actor::System).unwrap()
}

/// The recipient checkout names.
pub fn recipient() -> NewRecipient {
    serde_json::from_value(serde_json::json!({
        "name": "Erika Mustermann", "company": "Beispiel AG",
        "address": {"street": "Hauptstraße 5", "postal_code": "80331", "city": "München", "country": "DE"},
        "vat_id": "DE987654321", "email": "erika@example.org"
    }))
    .unwrap()
}

/// An order of `attendees` people with a pass, a workshop and a dinner each (400 + 100 + 50
/// net at 19 %: 654.50 gross per person), issued by a Converia-style organiser.
pub fn order(order_id: &str, issuer: &str, attendees: usize) -> NewOrder {
    let bookings: Vec<NewBooking> = (0..attendees)
        .map(|i| NewBooking {
            id: id(&format!("b{i}")),
            attendee_name: format!("Attendee Number {i}"),
            attendee_email: format!("attendee{i}@example.org"),
            date: id("conf"),
            options: [
                ("pass", "Conference pass", dec!(400)),
                ("ws", "Workshop", dec!(100)),
                ("dinner", "Dinner", dec!(50)),
            ]
            .into_iter()
            .map(|(option, name, price)| NewOption {
                id: id(option),
                name: name.into(),
                unit_price: eur(price),
                quantity: 1,
                vat_rate: VatRate::new(dec!(19)).unwrap(),
                own_cancellation_fee: None,
                price_entry: None,
            })
            .collect(),
        })
        .collect();
    NewOrder {
        id: id(order_id),
        partner: id("partner-1"),
        customer: id("customer-1"),
        issuer: id(issuer),
        recipient: recipient(),
        channel: SalesChannel::Direct,
        currency: Currency::EUR,
        captured: eur(dec!(654.50) * Decimal::from(attendees)),
        commission_rate: Percentage::new(dec!(23.8)).unwrap(),
        payout_delay_days: 7,
        payments: Vec::new(),
        bookings,
    }
}

/// The reference order of the capacity budget: four attendees.
pub fn reference_order(order_id: &str) -> NewOrder {
    order(order_id, "converia-demo", 4)
}

/// The payload of an intake request, for its idempotency hash.
pub fn payload(new: &NewOrder) -> Vec<u8> {
    serde_json::to_vec(new).unwrap()
}

pub fn after_course() -> DateTime<Utc> {
    at(2025, 3, 12) + Duration::days(8)
}

/// The partners the adapter tests sell for (the harness registers their billing data).
pub const PARTNERS: [&str; 2] = ["partner-1", "partner-2"];

/// A partner of the registry: whom the platform's commission invoices are addressed to.
pub fn billed_partner(partner_id: &str) -> Partner {
    let new: NewPartner = serde_json::from_value(serde_json::json!({
        "billing": {
            "name": format!("{partner_id} Kurse"), "company": format!("{partner_id} GmbH"),
            "address": {"street": "Am Markt 3", "postal_code": "50667", "city": "Köln", "country": "DE"},
            "vat_id": "DE811111111", "email": "buchhaltung@example.org"
        }
    }))
    .unwrap();
    Partner::new(id(partner_id), new, &Actor::System).unwrap()
}
