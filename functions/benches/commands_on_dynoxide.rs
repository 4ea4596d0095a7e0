//! Per-command latency (p50/p99) through the use-case runner on dynoxide in-process, the
//! stored size of 10/100/1,000-attendee orders and the capacity each command consumes.
//!
//! `cargo bench -p storno-functions --bench commands_on_dynoxide` prints the figures; under
//! `cargo test` (no `--bench` argument) it runs a few rounds only, as a smoke test. Nothing is
//! asserted: the machines are shared and noisy.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use storno_core::*;

use storno_functions::store::stored_state_bytes;
use support::Harness;
use support::fixtures::*;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    println!(
        "  {name:<22} n={:<4} p50={:>8.2?} p99={:>8.2?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let rounds = if full { 200 } else { 3 };
    println!("commands through the runner on dynoxide ({rounds} rounds per size)");
    for attendees in [10usize, 100, 1_000] {
        let h = Harness::new().await;
        h.store.put_date(&conference()).await.unwrap();
        let mut cancel = Vec::new();
        let mut update = Vec::new();
        let mut flag = Vec::new();
        let mut capacity = Vec::new();
        let mut stored = (0, 0);
        for round in 0..rounds {
            let order_id: OrderId = id(&format!("bench-{round}"));
            let new = order(order_id.as_str(), "bench-issuer", attendees);
            h.runner
                .register(new.clone(), &Actor::System, &payload(&new), None)
                .await
                .unwrap();
            if round == 0 {
                let loaded = h.store.load_order(&order_id, true).await.unwrap().unwrap();
                stored = stored_state_bytes(&loaded.order).unwrap();
            }
            let booking: BookingId = id(&format!("b{}", attendees / 2));
            h.store.meter().take();
            let started = Instant::now();
            h.runner
                .execute(&order_id, &staff(), None, |o: &Order, c: &Context| {
                    cancel_option(o, &booking, &id("ws"), &FeeChoice::None, c)
                })
                .await
                .unwrap();
            cancel.push(started.elapsed());
            capacity.push(("cancel-option", h.store.meter().take()));
            let started = Instant::now();
            h.runner
                .execute(&order_id, &staff(), None, update_invoice)
                .await
                .unwrap();
            update.push(started.elapsed());
            capacity.push(("update-invoice", h.store.meter().take()));
            let started = Instant::now();
            h.runner
                .execute(&order_id, &partner(), None, |o: &Order, c: &Context| {
                    set_rebook_flag(o, true, c)
                })
                .await
                .unwrap();
            flag.push(started.elapsed());
            capacity.push(("rebook-flag", h.store.meter().take()));
        }
        println!(
            "{attendees} attendees (3 options each): state stored in {} KB + current invoice {} KB",
            stored.0.div_ceil(1024),
            stored.1.div_ceil(1024)
        );
        report("cancel-option", cancel);
        report("update-invoice", update);
        report("rebook-flag", flag);
        for command in ["cancel-option", "update-invoice", "rebook-flag"] {
            let (read, write) = capacity
                .iter()
                .filter(|(name, _)| *name == command)
                .take(1)
                .flat_map(|(_, uses)| uses)
                .fold((0.0, 0.0), |(r, w), u| {
                    (r + u.total_read(), w + u.total_write())
                });
            println!("  {command:<22} {read} RRU, {write} WRU");
        }
    }
}
