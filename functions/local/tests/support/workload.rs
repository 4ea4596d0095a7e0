//! The mixed workload of the crash proof and the load bench: orders of three attendees, and
//! for each the commands a round sends — Converia-style option, attendee and invoice update,
//! a whole-invoice cancellation with a fee, or the partner-cancellation ladder to a refund.
#![allow(dead_code)]

use serde_json::{Value, json};

/// Who sends a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Staff,
    Partner,
}

/// One command of a round: caller, method, path, body.
pub type Step = (Caller, &'static str, String, Value);

fn option(id: &str, price: &str) -> Value {
    json!({"id": id, "name": format!("Option {id}"), "unit_price": {"amount": price, "currency": "EUR"},
           "quantity": 1, "vat_rate": "19", "own_cancellation_fee": null})
}

/// Three attendees with a seat (100.00) and an extra (50.00) each, at 19 %: 535.50, on `date`.
pub fn new_order(id: &str, date: &str) -> Value {
    json!({
        "id": id, "partner": "partner-1", "customer": "customer-1",
        "issuer": "workload-issuer",
        "recipient": {"name": "Erika Mustermann", "email": "erika@example.org",
                      "address": {"street": "Hauptstraße 5", "postal_code": "80331", "city": "München", "country": "DE"}},
        "channel": "direct", "currency": "EUR",
        "captured": {"amount": "535.50", "currency": "EUR"},
        "commission_rate": "23.8", "payout_delay_days": 1,
        "bookings": (0..3).map(|i| json!({
            "id": format!("b{i}"), "attendee_name": format!("Attendee {i}"),
            "attendee_email": format!("a{i}@example.org"), "date": date,
            "options": [option("seat", "100"), option("extra", "50")],
        })).collect::<Vec<_>>(),
    })
}

/// The issuer of the workload's orders: prices net, numbers `WL26/…`.
pub fn issuer() -> Value {
    json!({
        "legal_name": "Workload Events GmbH",
        "address": {"street": "Musterstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "vat_id": "DE123456789",
        "contact": {"name": "Billing", "phone": "+49 30 1234567", "email": "billing@example.org"},
        "payment": {"iban": "DE89370400440532013000"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": "WL", "yearly": true},
        "cancelled_options": "cancellation_line", "fee_vat": "item_rate", "prices": "net",
    })
}

/// The date the workload books: a three-hour course 20 days from now, no cancellation terms.
pub fn new_date(id: &str) -> Value {
    let starts = (chrono::Utc::now() + chrono::Duration::days(20))
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    json!({"id": id, "partner": "partner-1", "title": "Workload course",
        "starts_at": starts, "ends_at": starts + chrono::Duration::hours(3), "terms": {"tiers": []}})
}

/// What round `round` does with the order `id` once registered.
pub fn steps(id: &str, round: usize) -> Vec<Step> {
    let none = json!({"fee": {"type": "none"}});
    match round % 3 {
        0 => vec![
            (
                Caller::Staff,
                "POST",
                format!("/orders/{id}/bookings/b0/options/extra/cancel"),
                none.clone(),
            ),
            (
                Caller::Staff,
                "POST",
                format!("/orders/{id}/bookings/b1/cancel"),
                none,
            ),
            (
                Caller::Staff,
                "POST",
                format!("/orders/{id}/invoice/update"),
                json!({}),
            ),
        ],
        1 => vec![(
            Caller::Staff,
            "POST",
            format!("/orders/{id}/cancel"),
            json!({"fee": {"type": "individual", "reason": "late",
                   "amount": {"amount": "10.00", "currency": "EUR"}}}),
        )],
        _ => {
            let resolve = format!("/orders/{id}/partner-cancellation/resolution");
            let mut steps = vec![(
                Caller::Partner,
                "POST",
                format!("/orders/{id}/partner-cancellation"),
                json!({}),
            )];
            for step in ["rebooking_declined", "credit_declined", "refund"] {
                steps.push((
                    Caller::Staff,
                    "POST",
                    resolve.clone(),
                    json!({"resolution": step}),
                ));
            }
            steps
        }
    }
}
