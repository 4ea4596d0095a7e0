//! The demo the local server seeds on first start: a partner with two course dates and a
//! conference, a Converia-style group invoice and a konfetti-style course order. Dates lie in
//! the future of the (possibly shifted) clock, so every flow can be tried at once.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use storno_core::{Actor, EventDate, NewOrder};
use storno_functions::app::{AppError, DateStore};

use crate::LocalRunner;

pub const PARTNER: &str = "partner-1";
pub const CUSTOMER: &str = "customer-1";
pub const STAFF: &str = "staff-1";
pub const COURSE_DATE: &str = "course-a";
pub const LATER_COURSE_DATE: &str = "course-b";
pub const CONFERENCE_DATE: &str = "conference";
pub const GROUP_ORDER: &str = "converia-group";
pub const COURSE_ORDER: &str = "konfetti-course";

fn date(
    id: &str,
    title: &str,
    starts_at: DateTime<Utc>,
    days: i64,
    terms: serde_json::Value,
) -> EventDate {
    serde_json::from_value(json!({
        "id": id,
        "partner": PARTNER,
        "title": title,
        "starts_at": starts_at,
        "ends_at": starts_at + Duration::days(days),
        "active": true,
        "terms": terms,
    }))
    .expect("seed dates are valid")
}

fn option(id: &str, name: &str, price: &str) -> serde_json::Value {
    json!({"id": id, "name": name, "unit_price": {"amount": price, "currency": "EUR"},
           "quantity": 1, "vat_rate": "19", "own_cancellation_fee": null})
}

/// The demo's dates, relative to `now`.
pub fn dates(now: DateTime<Utc>) -> Vec<EventDate> {
    let day = now
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .expect("9:00 exists")
        .and_utc();
    let course_terms =
        json!({"tiers": [{"up_to_days_before": 7, "percent": "100", "fixed": null, "cap": null}]});
    let conference_terms =
        json!({"tiers": [{"up_to_days_before": 30, "percent": "50", "fixed": null, "cap": null}]});
    vec![
        date(
            COURSE_DATE,
            "Pasta course",
            day + Duration::days(14),
            1,
            course_terms.clone(),
        ),
        date(
            LATER_COURSE_DATE,
            "Pasta course (later)",
            day + Duration::days(45),
            1,
            course_terms,
        ),
        date(
            CONFERENCE_DATE,
            "Converia conference",
            day + Duration::days(60),
            3,
            conference_terms,
        ),
    ]
}

/// The demo's orders: a group invoice of three attendees and a single course booking.
pub fn orders() -> Vec<NewOrder> {
    let issuer = |id: &str, prefix: &str, yearly: bool| {
        json!({
        "id": id, "numbers": {"prefix": prefix, "yearly": yearly},
        "cancelled_options": "cancellation_line", "fee_vat": "item_rate"})
    };
    let group = json!({
        "id": GROUP_ORDER, "partner": PARTNER, "customer": CUSTOMER,
        "issuer": issuer("converia-demo", "CDC", true), "channel": "direct", "currency": "EUR",
        "captured": {"amount": "1963.50", "currency": "EUR"}, "commission_rate": "10",
        "payout_delay_days": 7,
        "bookings": (0..3).map(|i| json!({
            "id": format!("b{i}"), "attendee_name": format!("Attendee {}", i + 1),
            "attendee_email": format!("attendee{}@example.org", i + 1), "date": CONFERENCE_DATE,
            "options": [option("pass", "Conference pass", "400"), option("ws", "Workshop", "100"), option("dinner", "Dinner", "50")],
        })).collect::<Vec<_>>(),
    });
    let course = json!({
        "id": COURSE_ORDER, "partner": PARTNER, "customer": CUSTOMER,
        "issuer": issuer("konfetti-demo", "KF", false), "channel": "direct", "currency": "EUR",
        "captured": {"amount": "119.00", "currency": "EUR"}, "commission_rate": "23.8",
        "payout_delay_days": 3,
        "bookings": [{"id": "b0", "attendee_name": "Kim Koch", "attendee_email": "kim@example.org",
                      "date": COURSE_DATE, "options": [option("seat", "Course seat", "100")]}],
    });
    [group, course]
        .into_iter()
        .map(|order| serde_json::from_value(order).expect("seed orders are valid"))
        .collect()
}

/// Stores the demo dates and registers the demo orders (as checkout would).
pub async fn seed(runner: &LocalRunner, now: DateTime<Utc>) -> Result<(), AppError> {
    for date in dates(now) {
        runner.store().put_date(&date).await?;
    }
    for order in orders() {
        let payload = serde_json::to_vec(&order).expect("orders serialise");
        runner
            .register(order, &Actor::System, &payload, None)
            .await?;
    }
    Ok(())
}
