//! How fast storno-local's follow-up worker drains a backlog: N follow-ups (messages to the
//! customer and refunds, as cancellations leave them) queued at once, then drained; follow-ups
//! per second. `cargo bench -p storno-local --bench worker_drain` (or under `cargo test` one
//! small round as a smoke test). Nothing is asserted.

use std::time::Instant;

use storno_core::{CustomerId, Effect, FollowUp, Message, Money, OrderId};
use storno_functions::app::{Envelope, Queue};
use storno_local::{Config, Local};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let count = if full { 3_000 } else { 50 };
    let local = Local::start(&Config {
        data: None,
        seed: false,
        ..Config::default()
    })
    .await
    .expect("storno-local starts");
    let customer = CustomerId::parse("customer-1").unwrap();
    let envelopes: Vec<Envelope> = (0..count)
        .map(|i| {
            let order = OrderId::parse(format!("drain-{i}")).unwrap();
            let effect = if i % 2 == 0 {
                Effect::NotifyCustomer {
                    customer: customer.clone(),
                    message: Message::BookingCancelled,
                    document: None,
                }
            } else {
                Effect::Refund {
                    customer: customer.clone(),
                    amount: Money::new(
                        rust_decimal::Decimal::new(5950, 2),
                        storno_core::Currency::EUR,
                    )
                    .unwrap(),
                }
            };
            Envelope::of(&FollowUp {
                key: format!("{}:drain-{i}:1:0", effect.kind()),
                order,
                effect,
            })
        })
        .collect();
    local.queue.send(&envelopes).await.unwrap();
    let started = Instant::now();
    let handled = local.drain().await;
    let elapsed = started.elapsed();
    println!(
        "worker drain: {handled} of {count} follow-ups in {elapsed:.2?} = {:.0} follow-ups/s",
        handled as f64 / elapsed.as_secs_f64()
    );
}
