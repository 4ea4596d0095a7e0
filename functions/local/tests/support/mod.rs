//! Black-box access to storno-local's app: HTTP requests through its router in-process (the
//! same front, dev-token check and API as on 127.0.0.1:3000), on an in-memory dynoxide.
#![allow(dead_code)]

pub mod process;
pub mod workload;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use serde_json::{Value, json};
use storno_local::{Config, Local};
use tower::ServiceExt;

pub struct App {
    pub local: Arc<Local>,
    router: axum::Router,
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Nobody,
    Customer(&'static str),
    Partner(&'static str),
    Staff,
    System,
}

pub const CUSTOMER: Who = Who::Customer("customer-1");
pub const OTHER_CUSTOMER: Who = Who::Customer("customer-2");
pub const PARTNER: Who = Who::Partner("partner-1");
pub const OTHER_PARTNER: Who = Who::Partner("partner-2");

/// Every kind of caller: none, each role, owners and another tenant.
pub const CALLERS: [Who; 7] = [
    Who::Nobody,
    CUSTOMER,
    OTHER_CUSTOMER,
    PARTNER,
    OTHER_PARTNER,
    Who::Staff,
    Who::System,
];

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The JSON body (null for an empty or a non-JSON one).
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    pub fn ok(self) -> Value {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got {} {}",
            self.status,
            self.body
        );
        self.body
    }
}

impl App {
    pub async fn new() -> App {
        let local = Local::start(&Config {
            data: None,
            seed: false,
            ..Config::default()
        })
        .await
        .expect("storno-local starts");
        let app = App {
            router: storno_local::router(Arc::clone(&local)),
            local,
        };
        app.call(
            "PUT",
            "/issuers/test-issuer",
            Who::System,
            Some(issuer_entry("T", "net")),
        )
        .await
        .ok();
        // The platform invoices partners its commission with each payout.
        app.call(
            "PUT",
            "/issuers/platform",
            Who::System,
            Some(issuer_entry("PV", "gross")),
        )
        .await
        .ok();
        for partner in ["partner-1", "partner-2"] {
            let billing = serde_json::json!({"billing": {
                "name": format!("{partner} Kurse"),
                "address": {"street": "Am Markt 3", "postal_code": "50667", "city": "Köln", "country": "DE"},
                "vat_id": "DE811111111", "email": "kurse@example.org"
            }});
            app.call(
                "PUT",
                &format!("/partners/{partner}"),
                Who::System,
                Some(billing),
            )
            .await
            .ok();
        }
        app
    }

    pub fn token(&self, who: Who) -> Option<String> {
        let tokens = &self.local.tokens;
        match who {
            Who::Nobody => None,
            Who::Customer(id) => Some(tokens.mint("customer", id, None)),
            Who::Partner(id) => Some(tokens.mint("partner", &format!("{id}-user"), Some(id))),
            Who::Staff => Some(tokens.mint("staff", "staff-1", None)),
            Who::System => Some(tokens.mint("system", "checkout", None)),
        }
    }

    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        who: Who,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = self.token(who) {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let json = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|t| t.contains("json"));
        let body = if bytes.is_empty() || !json {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "{method} {path}: not JSON: {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Reply {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn call(&self, method: &str, path: &str, who: Who, body: Option<Value>) -> Reply {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.raw(method, path, who, bytes, &[]).await
    }

    pub async fn get(&self, path: &str, who: Who) -> Reply {
        self.call("GET", path, who, None).await
    }

    pub async fn post(&self, path: &str, who: Who, body: Value) -> Reply {
        self.call("POST", path, who, Some(body)).await
    }

    /// A date of `partner` starting `in_days` from now, lasting `days`.
    pub async fn date(&self, id: &str, partner: &str, in_days: i64, days: i64, tiers: Value) {
        let starts = (chrono::Utc::now() + chrono::Duration::days(in_days))
            .date_naive()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc();
        self.post(
            "/dates",
            Who::System,
            json!({
                "id": id, "partner": partner, "title": format!("Date {id}"),
                "starts_at": starts, "ends_at": starts + chrono::Duration::days(days),
                "terms": {"tiers": tiers},
            }),
        )
        .await
        .ok();
    }

    /// Registers an order as checkout does; returns the receipt.
    pub async fn order(&self, order: Value) -> Value {
        self.post("/orders", Who::System, order).await.ok()
    }

    /// Runs the follow-up worker until the queue is empty.
    pub async fn drain(&self) {
        self.local.drain().await;
    }
}

/// The two digits of this year in Berlin, as yearly document numbers print them.
pub fn yy() -> String {
    format!(
        "{:02}",
        storno_core::TimeZone::BERLIN.year_of(chrono::Utc::now()) % 100
    )
}

/// An issuer entry of the registry: an organiser in Berlin numbering `{prefix}26/001`,
/// pricing `prices` ("net" or "gross").
pub fn issuer_entry(prefix: &str, prices: &str) -> Value {
    json!({
        "legal_name": format!("{prefix} Events GmbH"),
        "address": {"street": "Musterstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "vat_id": "DE123456789",
        "tax_number": "30/123/45678",
        "contact": {"name": "Rechnungsstelle", "phone": "+49 30 1234567", "email": "billing@example.org"},
        "payment": {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": prefix, "yearly": true},
        "cancelled_options": "cancellation_line",
        "fee_vat": "item_rate",
        "prices": prices,
    })
}

/// The recipient checkout names.
pub fn recipient() -> Value {
    json!({
        "name": "Erika Mustermann", "company": "Beispiel AG",
        "address": {"street": "Hauptstraße 5", "postal_code": "80331", "city": "München", "country": "DE"},
        "vat_id": "DE987654321", "buyer_reference": "04011000-12345-67", "email": "erika@example.org"
    })
}

/// One priced option at 19 % VAT.
pub fn option(id: &str, price: &str) -> Value {
    json!({"id": id, "name": format!("Option {id}"), "unit_price": {"amount": price, "currency": "EUR"},
           "quantity": 1, "vat_rate": "19", "own_cancellation_fee": null})
}

/// An order of `partner`/`customer` with one booking per entry of `bookings` (options), all on
/// `date`; `captured` is what checkout took.
pub fn order(
    id: &str,
    customer: &str,
    partner: &str,
    date: &str,
    channel: &str,
    captured: &str,
    bookings: Vec<Vec<Value>>,
) -> Value {
    json!({
        "id": id, "partner": partner, "customer": customer,
        "issuer": "test-issuer", "recipient": recipient(),
        "channel": channel, "currency": "EUR",
        "captured": {"amount": captured, "currency": "EUR"},
        "commission_rate": "23.8", "payout_delay_days": 7,
        "bookings": bookings.into_iter().enumerate().map(|(i, options)| json!({
            "id": format!("b{i}"), "attendee_name": format!("Attendee {i}"),
            "attendee_email": format!("a{i}@example.org"), "date": date, "options": options,
        })).collect::<Vec<_>>(),
    })
}

/// The plain order most tests need: customer-1 bought one 100.00 + 19 % workshop from
/// partner-1 on course-a, directly, and paid 119.00.
pub fn workshop_order(id: &str) -> Value {
    order(
        id,
        "customer-1",
        "partner-1",
        "course-a",
        "direct",
        "119.00",
        vec![vec![option("ws", "100")]],
    )
}

/// A money amount of a JSON money value.
pub fn amount(value: &Value) -> String {
    value["amount"].as_str().unwrap_or_default().to_owned()
}
