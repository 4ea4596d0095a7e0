//! Throughput of a whole-date job on the local engines (dynoxide in-process, the in-process
//! queue): a date with 1,000 orders is cancelled for all (partner-cancellation flow), one
//! message per order through the follow-up dispatcher, until the job's progress says done.
//!
//! `cargo bench -p storno-functions --bench date_fanout` prints the figures; under
//! `cargo test` it runs with 20 orders as a smoke test. Nothing is asserted on time.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use storno_core::*;
use storno_functions::app::{Dispatcher, Queue, Recorder, Relay, Runner, Worker};
use storno_functions::queue::MemoryQueue;
use support::Harness;
use support::fixtures::*;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let orders = if full { 1_000 } else { 20 };
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    let queue = Arc::new(MemoryQueue::new(5));
    let runner = Arc::new(Runner::new(
        h.store.clone(),
        Relay::new(h.store.clone(), Arc::clone(&queue)),
        h.clock.clone(),
    ));
    let recorder = Recorder::default();
    let dispatcher = Dispatcher::new(
        Arc::clone(&runner),
        Arc::clone(&queue),
        Worker::new(h.store.clone(), recorder.clone(), recorder.clone()),
        100,
    );

    let started = Instant::now();
    for i in 0..orders {
        let new = order(&format!("fan-{i:04}"), "fanout-issuer", 1);
        runner
            .register(new.clone(), &Actor::System, &payload(&new), None)
            .await
            .unwrap();
    }
    let registration = started.elapsed();
    // The registrations' own follow-ups are not part of the job.
    while !queue.receive(10, Duration::ZERO).await.unwrap().is_empty() {}
    let date: DateId = id("conf");

    let started = Instant::now();
    let preview = runner
        .preview_date_action(&date, &DateAction::CancelAll, &staff())
        .await
        .unwrap();
    let dry_run = started.elapsed();

    let started = Instant::now();
    let job = runner
        .start_date_job(
            &date,
            &DateAction::CancelAll,
            &staff(),
            Some("bench"),
            &*queue,
        )
        .await
        .unwrap();
    let fan_out = started.elapsed();

    let started = Instant::now();
    let mut messages = 0;
    loop {
        let batch = queue.receive(10, Duration::from_secs(60)).await.unwrap();
        if batch.is_empty() {
            break;
        }
        messages += batch.len();
        let failed = dispatcher.handle_batch(&batch).await;
        assert!(failed.is_clean(), "{failed:?}");
        let handles: Vec<String> = batch.into_iter().map(|d| d.handle).collect();
        queue.delete(&handles).await.unwrap();
    }
    let processing = started.elapsed();
    let progress = runner.date_job(&job.job.id, &staff()).await.unwrap();
    assert!(progress.is_finished() && progress.succeeded == orders);

    let total = dry_run + fan_out + processing;
    println!("whole-date cancel-all on dynoxide + in-process queue, {orders} orders");
    println!(
        "  registration        {registration:>10.2?}  ({:.0} orders/s)",
        orders as f64 / registration.as_secs_f64()
    );
    println!(
        "  dry run             {dry_run:>10.2?}  ({} orders, owed {})",
        preview.totals[0].orders, preview.totals[0].owed
    );
    println!("  job start + fan-out {fan_out:>10.2?}  ({orders} messages)");
    println!(
        "  processing          {processing:>10.2?}  ({messages} messages incl. follow-ups, {:.0} orders/s)",
        orders as f64 / processing.as_secs_f64()
    );
    println!(
        "  dry run → job done  {total:>10.2?}  ({:.0} orders/s)",
        orders as f64 / total.as_secs_f64()
    );
}
