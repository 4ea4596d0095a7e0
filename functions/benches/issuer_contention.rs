//! Document numbers under contention: 1, 4 and 16 clients cancelling on orders of **one**
//! issuer at once (every cancellation of an issued invoice takes the issuer's next number;
//! update-invoice takes none). Latency p50/p99 of both, and how often a command had to be
//! decided again, through one runner (one process, like storno-local) and through one runner
//! per client (separate Lambda instances), on dynoxide in-process.
//!
//! `cargo bench -p storno-functions --bench issuer_contention` prints the figures; under
//! `cargo test` it runs one short round as a smoke test. Nothing is asserted.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use storno_core::*;
use storno_functions::app::{FixedClock, RecordingPublisher, Runner};
use support::Harness;
use support::fixtures::*;

type BenchRunner = Runner<RecordingPublisher, FixedClock>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) -> String {
    samples.sort_unstable();
    format!(
        "{name} p50={:>8.2?} p99={:>8.2?}",
        percentile(&samples, 0.50),
        percentile(&samples, 0.99)
    )
}

/// One client: cancel an option (a cancellation document: a number), issue the new version
/// (no number), for `rounds` bookings of its own order.
async fn client(
    runner: Arc<BenchRunner>,
    order: OrderId,
    rounds: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let mut cancels = Vec::with_capacity(rounds);
    let mut updates = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let booking: BookingId = id(&format!("b{round}"));
        let started = Instant::now();
        runner
            .execute(&order, &staff(), None, |o: &Order, c: &Context| {
                cancel_option(o, &booking, &id("ws"), &FeeChoice::None, c)
            })
            .await
            .expect("cancel");
        cancels.push(started.elapsed());
        let started = Instant::now();
        runner
            .execute(&order, &staff(), None, update_invoice)
            .await
            .expect("update");
        updates.push(started.elapsed());
    }
    (cancels, updates)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let rounds = if full { 40 } else { 2 };
    let counts: &[usize] = if full { &[1, 4, 16] } else { &[4] };
    println!("cancel/update on one issuer, {rounds} rounds per client");
    for shared in [true, false] {
        for &clients in counts {
            let h = Harness::new().await;
            h.store.put_date(&conference()).await.unwrap();
            let shared_runner = Arc::new(h.another_runner());
            let mut orders = Vec::new();
            for c in 0..clients {
                let order_id: OrderId = id(&format!("contention-{c}"));
                let new = order(order_id.as_str(), "one-issuer", rounds);
                h.runner
                    .register(new.clone(), &Actor::System, &payload(&new), None)
                    .await
                    .unwrap();
                orders.push(order_id);
            }
            h.faults.log().clear();
            let started = Instant::now();
            let tasks: Vec<_> = orders
                .into_iter()
                .map(|order_id| {
                    let runner = if shared {
                        Arc::clone(&shared_runner)
                    } else {
                        Arc::new(h.another_runner())
                    };
                    tokio::spawn(client(runner, order_id, rounds))
                })
                .collect();
            let mut cancels = Vec::new();
            let mut updates = Vec::new();
            for task in tasks {
                let (c, u) = task.await.unwrap();
                cancels.extend(c);
                updates.extend(u);
            }
            let elapsed = started.elapsed();
            let transactions = h
                .faults
                .log()
                .take()
                .iter()
                .filter(|op| op.contains("TransactWriteItems"))
                .count();
            println!(
                "  {:<9} {clients:>2} clients: {} | {} | {} transactions for {} commands | {:.0} commands/s",
                if shared { "1 process" } else { "separate" },
                report("cancel", cancels.clone()),
                report("update", updates),
                transactions,
                cancels.len() * 2,
                (cancels.len() * 2) as f64 / elapsed.as_secs_f64()
            );
        }
    }
}
