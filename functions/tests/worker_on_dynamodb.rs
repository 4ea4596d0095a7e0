//! The follow-up worker on dynoxide's effect log: duplicates and reorderings have one effect,
//! a batch reports exactly the deliveries that failed, and a message that keeps failing ends in
//! the dead-letter queue.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use storno_core::*;
use storno_functions::app::{
    Call, Delivery, Envelope, FollowUpError, Notifier, PaymentGateway, Queue, Recorder, Worker,
};
use storno_functions::queue::MemoryQueue;
use support::Harness;
use support::fixtures::*;

/// Every kind of follow-up once.
fn followups() -> Vec<FollowUp> {
    let order: OrderId = id("order-1");
    let effects = vec![
        Effect::Refund {
            customer: id("customer-1"),
            amount: eur(rust_decimal_macros::dec!(119)),
        },
        Effect::TransferPayout {
            partner: id("partner-1"),
            amount: eur(rust_decimal_macros::dec!(90.68)),
        },
        Effect::NotifyCustomer {
            customer: id("customer-1"),
            message: Message::BookingCancelled,
            document: None,
        },
        Effect::NotifyPartner {
            partner: id("partner-1"),
            message: Message::RebookingRequested { request: id("r1") },
        },
        Effect::NotifyStaff {
            message: Message::RebookFlagSet,
        },
    ];
    effects
        .into_iter()
        .enumerate()
        .map(|(i, effect)| FollowUp {
            key: format!("{}:order-1:7:{i}", effect.kind()),
            order: order.clone(),
            effect,
        })
        .collect()
}

fn delivery(envelope: &Envelope, handle: usize) -> Delivery {
    Delivery {
        handle: format!("h{handle}"),
        envelope: envelope.clone(),
        receive_count: 1,
    }
}

/// Fails for the keys it is told to, otherwise records like the real provider would.
#[derive(Clone, Default)]
struct Flaky {
    recorder: Recorder,
    failing: Arc<std::sync::Mutex<BTreeSet<String>>>,
    /// Keys refused for good (a permanent error).
    refusing: Arc<std::sync::Mutex<BTreeSet<String>>>,
}

impl Flaky {
    fn fail(&self, key: &str) -> Result<(), FollowUpError> {
        if self.failing.lock().unwrap().contains(key) {
            return Err(FollowUpError::retryable(
                "a flaky provider",
                format!("injected failure for {key}"),
            ));
        }
        if self.refusing.lock().unwrap().contains(key) {
            return Err(FollowUpError::permanent(
                "a provider",
                format!("{key} is refused for good"),
            ));
        }
        Ok(())
    }
}

impl PaymentGateway for Flaky {
    async fn refund(
        &self,
        key: &str,
        customer: &CustomerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        self.fail(key)?;
        self.recorder.refund(key, customer, amount).await
    }

    async fn transfer(
        &self,
        key: &str,
        partner: &PartnerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        self.fail(key)?;
        self.recorder.transfer(key, partner, amount).await
    }
}

impl Notifier for Flaky {
    async fn notify(&self, key: &str, effect: &Effect) -> Result<(), FollowUpError> {
        self.fail(key)?;
        self.recorder.notify(key, effect).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_delivered_twice_and_three_times_and_reordered_has_one_effect() {
    let h = Harness::new().await;
    let recorder = Recorder::default();
    let worker = Worker::new(h.store.clone(), recorder.clone(), recorder.clone());
    let envelopes: Vec<Envelope> = followups().iter().map(Envelope::of).collect();
    // Each envelope 2× or 3×, interleaved in reverse and forward order.
    let mut batch = Vec::new();
    for (i, envelope) in envelopes.iter().rev().enumerate() {
        batch.push(delivery(envelope, i));
    }
    for (i, envelope) in envelopes.iter().enumerate() {
        batch.push(delivery(envelope, 10 + i));
        if i % 2 == 0 {
            batch.push(delivery(envelope, 20 + i));
        }
    }
    assert!(worker.handle_batch(&batch[..7]).await.is_clean());
    assert!(worker.handle_batch(&batch[7..]).await.is_clean());
    let calls = recorder.calls();
    assert_eq!(
        calls.len(),
        envelopes.len(),
        "one effect per key: {calls:?}"
    );
    let refunds = calls
        .iter()
        .filter(|c| matches!(c, Call::Refund { .. }))
        .count();
    let transfers = calls
        .iter()
        .filter(|c| matches!(c, Call::Transfer { .. }))
        .count();
    assert_eq!((refunds, transfers), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_ten_reports_exactly_the_deliveries_that_failed() {
    let h = Harness::new().await;
    let flaky = Flaky::default();
    let worker = Worker::new(h.store.clone(), flaky.clone(), flaky.clone());
    // Pseudo-random failure positions, several patterns.
    let mut seed: u64 = 0x5eed;
    for round in 0..8 {
        let batch: Vec<Delivery> = (0..10)
            .map(|i| {
                let envelope = Envelope::of(&FollowUp {
                    key: format!("notify-staff:order-{round}:{i}:0"),
                    order: id(&format!("order-{round}")),
                    effect: Effect::NotifyStaff {
                        message: Message::PartnerCannotRun,
                    },
                });
                delivery(&envelope, i)
            })
            .collect();
        let mut expected = Vec::new();
        for item in &batch {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if (seed >> 33).is_multiple_of(3) {
                flaky
                    .failing
                    .lock()
                    .unwrap()
                    .insert(item.envelope.key.clone());
                expected.push(item.handle.clone());
            }
        }
        let outcome = worker.handle_batch(&batch).await;
        assert_eq!(outcome.retry, expected, "round {round}");
        assert!(outcome.dead.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_that_keeps_failing_ends_in_the_dead_letter_queue_and_the_rest_is_done_once() {
    let h = Harness::new().await;
    let flaky = Flaky::default();
    let worker = Worker::new(h.store.clone(), flaky.clone(), flaky.clone());
    let queue = Arc::new(MemoryQueue::new(3));
    let envelopes: Vec<Envelope> = followups().iter().map(Envelope::of).collect();
    flaky
        .failing
        .lock()
        .unwrap()
        .insert(envelopes[2].key.clone());
    queue.send(&envelopes).await.unwrap();
    queue.send(&envelopes[..2]).await.unwrap(); // at-least-once: duplicates arrive too
    for _ in 0..6 {
        let batch = queue.receive(10, Duration::ZERO).await.unwrap();
        let failed = worker.handle_batch(&batch).await.retry;
        let done: Vec<String> = batch
            .iter()
            .map(|d| d.handle.clone())
            .filter(|handle| !failed.contains(handle))
            .collect();
        queue.delete(&done).await.unwrap();
    }
    let dead = queue.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].envelope.key, envelopes[2].key);
    assert!(queue.is_empty());
    assert_eq!(flaky.recorder.calls().len(), envelopes.len() - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_carried_out_is_booked_on_the_orders_ledger_once_however_often_delivered() {
    let h = Harness::new().await;
    let recorder = Recorder::default();
    let worker = Worker::new(h.store.clone(), recorder.clone(), recorder.clone());
    let envelopes: Vec<Envelope> = followups().iter().map(Envelope::of).collect();
    for round in 0..3 {
        let batch: Vec<Delivery> = envelopes
            .iter()
            .enumerate()
            .map(|(i, e)| delivery(e, round * 10 + i))
            .collect();
        assert!(worker.handle_batch(&batch).await.is_clean());
    }
    let executions = h.store.executions(&id("order-1")).await.unwrap();
    let keys: Vec<&str> = executions.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["refund:order-1:7:0", "transfer:order-1:7:1"]);
    for (_, entries) in &executions {
        let debit: Vec<_> = entries
            .iter()
            .filter(|e| e.side == storno_core::ledger::Side::Debit)
            .collect();
        assert_eq!(debit.len(), 1);
        assert!(
            entries
                .iter()
                .any(|e| e.account == Account::CustomerPayments
                    && e.side == storno_core::ledger::Side::Credit)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_refused_for_good_is_a_dead_letter_at_once_not_after_five_tries() {
    let h = Harness::new().await;
    let flaky = Flaky::default();
    let worker = Worker::new(h.store.clone(), flaky.clone(), flaky.clone());
    let queue = Arc::new(MemoryQueue::new(5));
    let envelopes: Vec<Envelope> = followups().iter().map(Envelope::of).collect();
    flaky
        .refusing
        .lock()
        .unwrap()
        .insert(envelopes[1].key.clone());
    queue.send(&envelopes).await.unwrap();
    let batch = queue.receive(10, Duration::ZERO).await.unwrap();
    let outcome = worker.handle_batch(&batch).await;
    assert!(outcome.retry.is_empty());
    let dead_keys: Vec<&str> = outcome
        .dead
        .iter()
        .map(|d| d.envelope.key.as_str())
        .collect();
    assert_eq!(dead_keys, [envelopes[1].key.as_str()]);
    queue.bury(&outcome.dead).await.unwrap();
    let handled: Vec<String> = batch.iter().map(|d| d.handle.clone()).collect();
    queue.delete(&handled).await.unwrap();
    // After one receive: among the dead letters, nothing left to deliver.
    let dead = queue.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].envelope.key, envelopes[1].key);
    assert_eq!(dead[0].receive_count, 1);
    assert!(queue.is_empty());
    assert_eq!(flaky.recorder.calls().len(), envelopes.len() - 1);
}
