//! The reconciliation on dynoxide: a refund handed to a queue that lost it (what the local
//! server's in-memory queue did on a crash) is found once the command is older than the grace
//! period, reported with its amount, and sent again on request; a clean run reports nothing and
//! verifies each command once.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use storno_core::*;
use storno_functions::app::{
    Clock, Delivery, Envelope, FixedClock, Queue, QueueError, Recorder, Relay, Runner, Worker,
    handle_batch,
};
use storno_functions::queue::MemoryQueue;
use storno_functions::store::DynamoStore;
use support::Harness;
use support::fixtures::*;

/// A queue that takes every message and keeps none (the process died with them in memory).
struct Forgetful;

impl Queue for Forgetful {
    async fn send(&self, _: &[Envelope]) -> Result<Vec<String>, QueueError> {
        Ok(Vec::new())
    }
    async fn receive(&self, _: usize, _: Duration) -> Result<Vec<Delivery>, QueueError> {
        Ok(Vec::new())
    }
    async fn delete(&self, _: &[String]) -> Result<(), QueueError> {
        Ok(())
    }
    async fn bury(&self, _: &[Delivery]) -> Result<(), QueueError> {
        Ok(())
    }
    async fn dead_letters(&self, _: usize) -> Result<Vec<Delivery>, QueueError> {
        Ok(Vec::new())
    }
}

const GRACE: Duration = Duration::from_secs(900);

fn cancel_workshop(order: &Order, ctx: &Context) -> Result<Decision, DomainError> {
    cancel_option(order, &id("b0"), &id("ws"), &FeeChoice::None, ctx)
}

async fn registered_and_cancelled<Q: Queue>(
    h: &Harness,
    queue: Q,
    order_id: &str,
) -> Runner<Relay<DynamoStore, Q>, FixedClock> {
    h.store.put_date(&conference()).await.unwrap();
    let runner = Runner::new(
        h.store.clone(),
        Relay::new(h.store.clone(), queue),
        h.clock.clone(),
    );
    let new = reference_order(order_id);
    runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
    runner
        .execute(&id(order_id), &staff(), None, cancel_workshop)
        .await
        .unwrap();
    runner
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_handed_to_a_queue_that_lost_it_is_reported_with_its_amount_and_sent_again() {
    let h = Harness::new().await;
    let runner = registered_and_cancelled(&h, Forgetful, "lost").await;
    let relay = Relay::new(h.store.clone(), Forgetful);

    // Younger than the grace period: not judged yet.
    let soon = h.clock_now() + Span::minutes(5);
    let early = relay
        .reconcile(&h.store, soon, GRACE, 100, false)
        .await
        .unwrap();
    assert_eq!(early.checked, 0);

    let later = h.clock_now() + Span::hours(1);
    let report = relay
        .reconcile(&h.store, later, GRACE, 100, false)
        .await
        .unwrap();
    assert_eq!(report.checked, 2, "the registration and the cancellation");
    assert_eq!(report.unfinished.len(), 2);
    let refund = report
        .unfinished
        .iter()
        .flat_map(|u| &u.missing)
        .find(|m| m.kind == "refund")
        .expect("the lost refund is reported");
    assert_eq!(refund.amount, Some(eur(rust_decimal_macros::dec!(119.00))));
    assert!(report.unfinished.iter().all(|u| u.handed_on));

    // Sent again to a queue that works, carried out once, then verified.
    let queue = Arc::new(MemoryQueue::new(5));
    let repair = Relay::new(h.store.clone(), Arc::clone(&queue));
    let resent = repair
        .reconcile(&h.store, later, GRACE, 100, true)
        .await
        .unwrap();
    assert!(resent.resent >= 1);
    let recorder = Recorder::default();
    let worker = Worker::new(h.store.clone(), recorder.clone(), recorder.clone());
    let batch = queue.receive(10, Duration::from_secs(30)).await.unwrap();
    assert!(handle_batch(&worker, &batch).await.is_clean());
    let refunds = recorder
        .calls()
        .into_iter()
        .filter(|c| matches!(c, storno_functions::app::Call::Refund { .. }))
        .count();
    assert_eq!(refunds, 1);
    let after = repair
        .reconcile(&h.store, later, GRACE, 100, false)
        .await
        .unwrap();
    assert!(after.is_clean(), "{after:?}");
    assert_eq!(after.verified, 2);
    drop(runner);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_run_reports_nothing_and_verifies_each_command_once() {
    let h = Harness::new().await;
    let queue = Arc::new(MemoryQueue::new(5));
    let _runner = registered_and_cancelled(&h, Arc::clone(&queue), "clean").await;
    let recorder = Recorder::default();
    let worker = Worker::new(h.store.clone(), recorder.clone(), recorder);
    loop {
        let batch = queue.receive(10, Duration::from_secs(30)).await.unwrap();
        if batch.is_empty() {
            break;
        }
        assert!(handle_batch(&worker, &batch).await.is_clean());
    }
    let relay = Relay::new(h.store.clone(), Arc::clone(&queue));
    let later = h.clock_now() + Span::hours(1);
    let report = relay
        .reconcile(&h.store, later, GRACE, 100, false)
        .await
        .unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.checked, report.verified), (2, 2));
    let again = relay
        .reconcile(&h.store, later, GRACE, 100, false)
        .await
        .unwrap();
    assert_eq!(again.checked, 0, "verified commands are not checked again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_whose_follow_ups_never_reached_the_queue_is_reported_as_not_handed_on() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    struct Dead;
    impl storno_functions::app::FollowUpPublisher for Dead {
        async fn publish(&self, _: &OrderId, _: u64, _: &[FollowUp]) -> Result<(), String> {
            Err("died".into())
        }
    }
    let runner = Runner::new(h.store.clone(), Dead, h.clock.clone());
    let new = reference_order("stuck");
    runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
    let relay = Relay::new(h.store.clone(), Forgetful);
    let later = h.clock.now() + Span::hours(1);
    let report = relay
        .reconcile(&h.store, later, GRACE, 100, false)
        .await
        .unwrap();
    assert_eq!(report.unfinished.len(), 1);
    assert!(!report.unfinished[0].handed_on);
}
