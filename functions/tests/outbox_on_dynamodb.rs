//! The outbox relay and sweeper on dynoxide with the in-process queue: follow-ups reach the
//! queue after commit; a crash between commit and send loses nothing; two sweepers never send
//! one record twice.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use futures::future::join_all;
use storno_core::*;
use storno_functions::app::{Clock, FixedClock, FollowUpPublisher, Outbox, Queue, Relay, Runner};
use storno_functions::queue::MemoryQueue;
use support::Harness;
use support::fixtures::*;

/// A publisher that dies before sending anything (a crash between commit and send).
struct Crashing;

impl FollowUpPublisher for Crashing {
    async fn publish(&self, _: &OrderId, _: u64, _: &[FollowUp]) -> Result<(), String> {
        Err("the function died before sending".into())
    }
}

const PERIOD: Duration = Duration::from_secs(60);

fn cancel_workshop(order: &Order, ctx: &Context) -> Result<Decision, DomainError> {
    cancel_option(order, &id("b0"), &id("ws"), &FeeChoice::None, ctx)
}

async fn drain(queue: &MemoryQueue) -> Vec<storno_functions::app::Delivery> {
    let mut all = Vec::new();
    loop {
        let batch = queue.receive(10, Duration::from_secs(300)).await.unwrap();
        if batch.is_empty() {
            return all;
        }
        all.extend(batch);
    }
}

async fn with_crashing_publisher(h: &Harness, orders: usize) -> Runner<Crashing, FixedClock> {
    h.store.put_date(&conference()).await.unwrap();
    let runner = Runner::new(h.store.clone(), Crashing, h.clock.clone());
    for i in 0..orders {
        let new = order(&format!("o{i}"), "outbox-issuer", 1);
        runner
            .register(new.clone(), &Actor::System, &payload(&new), None)
            .await
            .unwrap();
    }
    runner
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_commit_the_follow_ups_reach_the_queue_and_the_record_is_acknowledged() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    let queue = Arc::new(MemoryQueue::new(5));
    let relay = Relay::new(h.store.clone(), Arc::clone(&queue));
    let runner = Runner::new(h.store.clone(), relay, h.clock.clone());
    let new = reference_order("relayed");
    let registered = runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
    let cancelled = runner
        .execute(&id("relayed"), &staff(), None, cancel_workshop)
        .await
        .unwrap();
    let delivered = drain(&queue).await;
    let mut keys: Vec<String> = delivered.iter().map(|d| d.envelope.key.clone()).collect();
    keys.sort();
    let mut expected: Vec<String> = registered
        .followups
        .iter()
        .chain(&cancelled.followups)
        .map(|f| f.key.clone())
        .collect();
    expected.sort();
    assert_eq!(keys, expected);
    let later = h.clock.now() + Span::hours(1);
    assert!(
        h.store.pending(later, 100).await.unwrap().is_empty(),
        "acknowledged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_commit_and_send_is_delivered_by_the_sweeper_within_two_periods() {
    let h = Harness::new().await;
    let runner = with_crashing_publisher(&h, 1).await;
    let committed_at = h.clock.now();
    let receipt = runner
        .execute(&id("o0"), &staff(), None, cancel_workshop)
        .await
        .unwrap();
    let queue = Arc::new(MemoryQueue::new(5));
    let sweeper = Relay::new(h.store.clone(), Arc::clone(&queue));
    // The sweeper runs every PERIOD; its runs happen to fall 30 s and 90 s after the commit.
    let mut delivered_at = None;
    for run in [Span::seconds(30), Span::seconds(90), Span::seconds(150)] {
        let now = committed_at + run;
        if sweeper.sweep(now, PERIOD, 100).await.unwrap() > 0 && delivered_at.is_none() {
            delivered_at = Some(run);
        }
    }
    let delay = delivered_at.expect("the sweeper delivered the pending follow-ups");
    println!(
        "sweeper period {PERIOD:?}: delivered {} s after the crash",
        delay.num_seconds()
    );
    assert!(delay <= Span::from_std(PERIOD * 2).unwrap());
    let delivered = drain(&queue).await;
    let registration_and_cancel = 2 + receipt.followups.len();
    assert_eq!(
        delivered.len(),
        registration_and_cancel,
        "every follow-up, once"
    );
    assert!(delivered.iter().all(|d| d.envelope.attempt == 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sweepers_at_once_never_send_the_same_record_twice() {
    let h = Harness::new().await;
    with_crashing_publisher(&h, 20).await;
    let queue = Arc::new(MemoryQueue::new(5));
    let now = h.clock.now() + Span::minutes(5);
    let sweeps = (0..2).map(|_| {
        let sweeper = Relay::new(h.store.clone(), Arc::clone(&queue));
        tokio::spawn(async move { sweeper.sweep(now, PERIOD, 100).await.unwrap() })
    });
    let handed_on: usize = join_all(sweeps).await.into_iter().map(|r| r.unwrap()).sum();
    assert_eq!(handed_on, 20);
    let delivered = drain(&queue).await;
    let mut keys: Vec<String> = delivered.iter().map(|d| d.envelope.key.clone()).collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(
        (total, keys.len()),
        (40, 40),
        "20 registrations × 2 follow-ups, none twice"
    );
}
