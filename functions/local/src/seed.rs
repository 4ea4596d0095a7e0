//! The demo the local server seeds on first start: a partner with two course dates and a
//! conference, a Converia-style group invoice and a konfetti-style course order. Dates lie in
//! the future of the (possibly shifted) clock, so every flow can be tried at once.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use storno_core::{
    Actor, EventDate, IssuerId, NewIssuer, NewOrder, NewPartner, OrderId, PartnerId,
};
use storno_functions::app::AppError;

use crate::LocalRunner;

pub const PARTNER: &str = "partner-1";
pub const CUSTOMER: &str = "customer-1";
pub const STAFF: &str = "staff-1";
pub const COURSE_DATE: &str = "course-a";
pub const LATER_COURSE_DATE: &str = "course-b";
pub const CONFERENCE_DATE: &str = "conference";
pub const GROUP_ORDER: &str = "converia-group";
pub const COURSE_ORDER: &str = "konfetti-course";
/// A course of last week, held for staff: the partner had flagged it and turned the flag off
/// after the date (did it run?).
pub const PAST_COURSE_DATE: &str = "course-past";
pub const HELD_ORDER: &str = "konfetti-held";
/// A course the partner could not run, settled with credit: customer-1 has 119.00 to spend.
pub const CREDITED_ORDER: &str = "konfetti-credited";

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
        "time_zone": "Europe/Berlin",
        "active": true,
        "terms": terms,
    }))
    .expect("seed dates are valid")
}

pub const CONVERIA_ISSUER: &str = "converia-demo";
/// The platform itself: it invoices partners its commission with every payout.
pub const PLATFORM_ISSUER: &str = "platform";
pub const KONFETTI_ISSUER: &str = "konfetti-demo";

/// The demo's issuers: a Converia-style conference organiser invoicing businesses (net prices,
/// VAT id, yearly series `CDC26/001`) and a konfetti-style marketplace invoicing consumers on
/// the course providers' behalf (gross prices, series `KF/00001`).
pub fn issuers() -> Vec<(IssuerId, NewIssuer)> {
    let converia = json!({
        "legal_name": "Converia Demo Kongress GmbH",
        "address": {"street": "Friedrichstraße 123", "postal_code": "10117", "city": "Berlin", "country": "DE"},
        "vat_id": "DE812345678",
        "tax_number": "37/123/45678",
        "contact": {"name": "Team Rechnungswesen", "phone": "+49 30 5550100", "email": "rechnung@converia-demo.example"},
        "payment": {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": "CDC", "yearly": true},
        "cancelled_options": "cancellation_line",
        "fee_vat": "item_rate",
        "prices": "net",
    });
    let konfetti = json!({
        "legal_name": "Konfetti Demo Erlebnisse GmbH",
        "address": {"street": "Schanzenstraße 7", "postal_code": "20357", "city": "Hamburg", "country": "DE"},
        "vat_id": "DE298765432",
        "contact": {"name": "Kundenservice", "phone": "+49 40 5550200", "email": "billing@konfetti-demo.example"},
        "payment": {"iban": "DE02120300000000202051", "bic": "BYLADEM1001"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": "KF", "yearly": false, "digits": 5},
        "cancelled_options": "omit",
        "fee_vat": "proportional",
        "prices": "gross",
    });
    let platform = json!({
        "legal_name": "Storno Demo Marktplatz GmbH",
        "address": {"street": "Torstraße 49", "postal_code": "10119", "city": "Berlin", "country": "DE"},
        "vat_id": "DE276543210",
        "contact": {"name": "Partnerabrechnung", "phone": "+49 30 5550300", "email": "partner@storno-demo.example"},
        "payment": {"iban": "DE75512108001245126199", "bic": "SOGEDEFFXXX"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": "PV", "yearly": true},
        "cancelled_options": "omit",
        "fee_vat": "item_rate",
        "prices": "gross",
    });
    [
        (CONVERIA_ISSUER, converia),
        (KONFETTI_ISSUER, konfetti),
        (PLATFORM_ISSUER, platform),
    ]
    .into_iter()
    .map(|(id, entry)| {
        (
            IssuerId::parse(id).expect("seed issuer ids are valid"),
            serde_json::from_value(entry).expect("seed issuers are valid"),
        )
    })
    .collect()
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
        date(
            PAST_COURSE_DATE,
            "Pasta course (last week)",
            day - Duration::days(7),
            1,
            json!({"tiers": []}),
        ),
    ]
}

/// The demo's orders: a group invoice of three attendees and a single course booking.
pub fn orders() -> Vec<NewOrder> {
    let recipient = |name: &str, company: Option<&str>, street: &str, city: &str, email: &str| {
        json!({"name": name, "company": company,
               "address": {"street": street, "postal_code": "80331", "city": city, "country": "DE"},
               "email": email})
    };
    let group = json!({
        "id": GROUP_ORDER, "partner": PARTNER, "customer": CUSTOMER,
        "issuer": CONVERIA_ISSUER,
        "recipient": recipient("Erika Mustermann", Some("Beispiel AG"), "Marienplatz 1", "München", "einkauf@beispiel-ag.example"),
        "channel": "direct", "currency": "EUR",
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
        "issuer": KONFETTI_ISSUER,
        "recipient": recipient("Kim Koch", None, "Sendlinger Straße 9", "München", "kim@example.org"),
        "channel": "direct", "currency": "EUR",
        "captured": {"amount": "119.00", "currency": "EUR"}, "commission_rate": "23.8",
        "payout_delay_days": 3,
        "bookings": [{"id": "b0", "attendee_name": "Kim Koch", "attendee_email": "kim@example.org",
                      "date": COURSE_DATE, "options": [option("seat", "Course seat", "119")]}],
    });
    let mut held = course.clone();
    held["id"] = json!(HELD_ORDER);
    held["bookings"][0]["date"] = json!(PAST_COURSE_DATE);
    let mut credited = course.clone();
    credited["id"] = json!(CREDITED_ORDER);
    [group, course, held, credited]
        .into_iter()
        .map(|order| serde_json::from_value(order).expect("seed orders are valid"))
        .collect()
}

/// The demo partner's billing data: whom the platform's commission invoices are addressed to.
pub fn partner() -> (PartnerId, NewPartner) {
    let new = json!({"billing": {
        "name": "Kochschule Sonnenschein", "company": "Sonnenschein Kurse GmbH",
        "address": {"street": "Am Markt 3", "postal_code": "50667", "city": "Köln", "country": "DE"},
        "vat_id": "DE811111111", "email": "buchhaltung@sonnenschein.example"
    }});
    (
        PartnerId::parse(PARTNER).expect("seed partner id"),
        serde_json::from_value(new).expect("the seed partner is valid"),
    )
}

/// Stores the demo issuers, partner and dates and registers the demo orders (as checkout
/// would).
pub async fn seed(runner: &LocalRunner, now: DateTime<Utc>) -> Result<(), AppError> {
    for (id, issuer) in issuers() {
        runner.put_issuer(id, issuer, &Actor::System).await?;
    }
    let (partner_id, partner) = partner();
    runner
        .put_partner(partner_id, partner, &Actor::System)
        .await?;
    for date in dates(now) {
        runner.store().put_date(&date).await?;
    }
    for order in orders() {
        let payload = serde_json::to_vec(&order).expect("orders serialise");
        runner
            .register(order, &Actor::System, &payload, None)
            .await?;
    }
    let partner = Actor::Partner(PartnerId::parse(PARTNER).expect("seed partner id"));
    let held = OrderId::parse(HELD_ORDER).expect("seed order id");
    for on in [true, false] {
        runner
            .execute(&held, &partner, None, |o, c| {
                storno_core::set_rebook_flag(o, on, c)
            })
            .await?;
    }
    let credited = OrderId::parse(CREDITED_ORDER).expect("seed order id");
    runner
        .execute(&credited, &partner, None, |o, c| {
            storno_core::report_cannot_run(o, &[], c)
        })
        .await?;
    let staff = Actor::Staff(storno_core::StaffId::parse(STAFF).expect("seed staff id"));
    for step in [
        storno_core::Resolution::RebookingDeclined,
        storno_core::Resolution::GrantCredit,
    ] {
        runner
            .execute(&credited, &staff, None, |o, c| {
                storno_core::resolve_partner_cancellation(o, step, c)
            })
            .await?;
    }
    Ok(())
}
