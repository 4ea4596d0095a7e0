//! Cancel one option, then update the invoice, on orders of 10, 100 and 1,000 attendee
//! bookings with 3 options each: each command alone, and both in sequence. Nothing asserted.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use storno_core::*;

/// One measured run: a command (or two) against a fixture.
type Run = fn(&Fixture) -> Decision;

/// A freshly registered order, the same order after the cancellation, and what to cancel.
struct Fixture {
    order: Order,
    cancelled: Order,
    booking: BookingId,
    option: OptionId,
    ctx: Context,
}

fn eur(amount: Decimal) -> Money {
    Money::new(amount, Currency::EUR).unwrap()
}

fn id<T: TryFrom<String, Error = DomainError>>(value: impl Into<String>) -> T {
    T::try_from(value.into()).unwrap()
}

fn option(option_id: String, name: &str, price: Decimal) -> NewOption {
    NewOption {
        id: id(option_id),
        name: name.into(),
        unit_price: eur(price),
        quantity: 1,
        vat_rate: VatRate::new(dec!(19)).unwrap(),
        own_cancellation_fee: None,
        price_entry: None,
    }
}

/// `n` attendees, each with a pass, a workshop and a dinner (400 + 100 + 50 net at 19 % VAT:
/// 654.50 gross); the workshop of the middle attendee is the option cancelled.
fn fixture(n: usize) -> Fixture {
    let now = Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0).unwrap();
    let starts = Utc.with_ymd_and_hms(2025, 6, 10, 9, 0, 0).unwrap();
    let ends = starts + Duration::days(3) - Duration::hours(1);
    let terms = CancellationTerms::new(Vec::new(), Currency::EUR).unwrap();
    let date = EventDate::new(
        id("conf"),
        id("p-1"),
        "Conference".into(),
        (starts, ends, storno_core::TimeZone::BERLIN),
        terms,
        &Actor::System,
    )
    .unwrap();
    let bookings = (0..n)
        .map(|i| NewBooking {
            id: id(format!("b{i}")),
            attendee_name: format!("Attendee {i}"),
            attendee_email: format!("b{i}@example.org"),
            date: id("conf"),
            options: vec![
                option(format!("b{i}-pass"), "Conference pass", dec!(400)),
                option(format!("b{i}-ws"), "Workshop", dec!(100)),
                option(format!("b{i}-dinner"), "Dinner", dec!(50)),
            ],
        })
        .collect();
    let new = NewOrder {
        id: id("order-1"),
        partner: id("p-1"),
        customer: id("customer-1"),
        issuer: id("converia-demo"),
        recipient: serde_json::from_value(serde_json::json!({
            "name": "Erika Mustermann", "email": "erika@example.org",
            "address": {"street": "Hauptstraße 5", "postal_code": "80331", "city": "München", "country": "DE"},
        }))
        .unwrap(),
        channel: SalesChannel::Direct,
        currency: Currency::EUR,
        captured: eur(dec!(654.50) * Decimal::from(n)),
        commission_rate: Percentage::new(dec!(23.8)).unwrap(),
        payout_delay_days: 14,
        payments: Vec::new(),
        bookings,
    };
    let issuer: NewIssuer = serde_json::from_value(serde_json::json!({
        "legal_name": "Converia Demo GmbH",
        "address": {"street": "Musterstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "vat_id": "DE123456789",
        "contact": {"name": "Billing", "phone": "+49 30 1234567", "email": "billing@example.org"},
        "payment": {"iban": "DE89370400440532013000"},
        "time_zone": "Europe/Berlin",
        "numbers": {"prefix": "CDC", "yearly": true},
        "cancelled_options": "cancellation_line", "fee_vat": "item_rate", "prices": "net",
    }))
    .unwrap();
    let issuer =
        std::sync::Arc::new(Issuer::new(id("converia-demo"), issuer, &Actor::System).unwrap());
    let ctx = Context {
        now,
        actor: Actor::System,
        issuer: std::sync::Arc::clone(&issuer),
        next_document_seq: 1,
    };
    let order = register_order(new, &[date], &ctx).expect("registers").order;
    let mut f = Fixture {
        cancelled: order.clone(),
        order,
        booking: id(format!("b{}", n / 2)),
        option: id(format!("b{}-ws", n / 2)),
        ctx: Context {
            now,
            actor: Actor::Staff(StaffId::parse("staff-1").unwrap()),
            issuer,
            next_document_seq: 2,
        },
    };
    f.cancelled = cancel(&f).order;
    f
}

fn cancel(f: &Fixture) -> Decision {
    let fee = FeeChoice::None;
    cancel_option(black_box(&f.order), &f.booking, &f.option, &fee, &f.ctx).expect("cancels")
}

fn update(order: &Order, f: &Fixture) -> Decision {
    update_invoice(black_box(order), &f.ctx).expect("invoice updates")
}

fn bench(c: &mut Criterion) {
    let fixtures: Vec<(usize, Fixture)> = [10, 100, 1_000].map(|n| (n, fixture(n))).into();
    let runs: [(&str, Run); 3] = [
        ("cancel_option", cancel),
        ("update_invoice", |f| update(&f.cancelled, f)),
        ("cancel_then_update", |f| update(&cancel(f).order, f)),
    ];
    for (name, run) in runs {
        let mut group = c.benchmark_group(name);
        for (n, f) in &fixtures {
            group.throughput(Throughput::Elements(*n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), f, |b, f| b.iter(|| run(f)));
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
