//! The whole follow-up chain on dynoxide with the in-process queue: commands → outbox relay →
//! queue → dispatcher (effects, whole-date jobs, payout-run continuations) → payment provider
//! and notifier. Every message is delivered more than once; crashes are injected between the
//! steps; each follow-up still happens exactly once.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Duration as Span;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use storno_core::ledger::Side;
use storno_core::*;
use storno_functions::app::{
    Call, Clock, Delivery, Dispatcher, EffectLog, FixedClock, FollowUpError, Outbox,
    PaymentGateway, Queue, Recorder, Relay, Runner, StoreError, Worker,
};
use storno_functions::queue::MemoryQueue;
use storno_functions::store::DynamoStore;
use support::Harness;
use support::fixtures::*;

/// A payment provider as real ones behave: the idempotency key makes a repeated call a no-op.
/// `executed` holds what was paid, once per key; `calls` counts every call.
#[derive(Clone, Default)]
struct Provider {
    executed: Arc<Mutex<BTreeMap<String, Call>>>,
    calls: Arc<AtomicUsize>,
}

impl Provider {
    fn pay(&self, key: &str, call: Call) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.executed
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_insert(call);
    }

    fn executed(&self) -> Vec<Call> {
        self.executed.lock().unwrap().values().cloned().collect()
    }

    fn transfers(&self) -> Vec<Money> {
        self.executed()
            .into_iter()
            .filter_map(|c| match c {
                Call::Transfer { amount, .. } => Some(amount),
                _ => None,
            })
            .collect()
    }

    fn refunds(&self) -> Vec<Money> {
        self.executed()
            .into_iter()
            .filter_map(|c| match c {
                Call::Refund { amount, .. } => Some(amount),
                _ => None,
            })
            .collect()
    }
}

impl PaymentGateway for Provider {
    async fn refund(&self, key: &str, _: &CustomerId, amount: Money) -> Result<(), FollowUpError> {
        let call = Call::Refund {
            key: key.to_owned(),
            amount,
        };
        self.pay(key, call);
        Ok(())
    }

    async fn transfer(&self, key: &str, _: &PartnerId, amount: Money) -> Result<(), FollowUpError> {
        let call = Call::Transfer {
            key: key.to_owned(),
            amount,
        };
        self.pay(key, call);
        Ok(())
    }
}

/// An effect log that dies after a refund was paid and before it is recorded, the first
/// `crashes` times (a Lambda killed between the payment call and the log entry).
#[derive(Clone)]
struct CrashingLog {
    inner: DynamoStore,
    crashes: Arc<AtomicUsize>,
}

impl EffectLog for CrashingLog {
    async fn is_processed(&self, key: &str) -> Result<bool, StoreError> {
        self.inner.is_processed(key).await
    }

    async fn mark_processed(
        &self,
        key: &str,
        execution: Option<storno_functions::app::Execution<'_>>,
    ) -> Result<bool, StoreError> {
        if key.starts_with("refund:")
            && self
                .crashes
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
        {
            return Err(StoreError::Service("the function died".into()));
        }
        self.inner.mark_processed(key, execution).await
    }
}

/// An outbox whose acknowledgement dies the first `crashes` times (a Lambda killed after the
/// send and before the acknowledgement: the sweeper sends the record again).
#[derive(Clone)]
struct CrashingOutbox {
    inner: DynamoStore,
    crashes: Arc<AtomicUsize>,
}

impl Outbox for CrashingOutbox {
    async fn acknowledge(&self, order: &OrderId, revision: u64) -> Result<(), StoreError> {
        if self
            .crashes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(StoreError::Service("the function died".into()));
        }
        self.inner.acknowledge(order, revision).await
    }

    async fn pending(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<(OrderId, u64)>, StoreError> {
        self.inner.pending(before, limit).await
    }

    async fn claim(
        &self,
        order: &OrderId,
        revision: u64,
        now: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        self.inner.claim(order, revision, now, until).await
    }

    async fn followups(&self, order: &OrderId, revision: u64) -> Result<Vec<FollowUp>, StoreError> {
        self.inner.followups(order, revision).await
    }

    async fn unverified(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<(OrderId, u64, chrono::DateTime<chrono::Utc>)>, StoreError> {
        self.inner.unverified(before, limit).await
    }

    async fn verified(&self, order: &OrderId, revision: u64) -> Result<(), StoreError> {
        self.inner.verified(order, revision).await
    }
}

type ChainRunner = Runner<Relay<CrashingOutbox, Arc<MemoryQueue>>, FixedClock>;
type ChainDispatcher = Dispatcher<(
    Relay<CrashingOutbox, Arc<MemoryQueue>>,
    FixedClock,
    Arc<MemoryQueue>,
    CrashingLog,
    Provider,
    Recorder,
)>;

/// The production wiring with test doubles at the edges.
struct Chain {
    h: Harness,
    queue: Arc<MemoryQueue>,
    runner: Arc<ChainRunner>,
    dispatcher: ChainDispatcher,
    sweeper: Relay<CrashingOutbox, Arc<MemoryQueue>>,
    provider: Provider,
    notifier: Recorder,
    relay_crashes: Arc<AtomicUsize>,
    worker_crashes: Arc<AtomicUsize>,
}

const PERIOD: Duration = Duration::from_secs(60);

impl Chain {
    async fn new() -> Chain {
        let h = Harness::new().await;
        for date in [conference(), later_conference()] {
            h.store.put_date(&date).await.unwrap();
        }
        let queue = Arc::new(MemoryQueue::new(10));
        let relay_crashes = Arc::new(AtomicUsize::new(0));
        let worker_crashes = Arc::new(AtomicUsize::new(0));
        let outbox = CrashingOutbox {
            inner: h.store.clone(),
            crashes: Arc::clone(&relay_crashes),
        };
        let runner = Arc::new(Runner::new(
            h.store.clone(),
            Relay::new(outbox.clone(), Arc::clone(&queue)),
            h.clock.clone(),
        ));
        let provider = Provider::default();
        let notifier = Recorder::default();
        let log = CrashingLog {
            inner: h.store.clone(),
            crashes: Arc::clone(&worker_crashes),
        };
        let dispatcher = Dispatcher::new(
            Arc::clone(&runner),
            Arc::clone(&queue),
            Worker::new(log, provider.clone(), notifier.clone()),
            25,
        );
        Chain {
            sweeper: Relay::new(outbox, Arc::clone(&queue)),
            h,
            queue,
            runner,
            dispatcher,
            provider,
            notifier,
            relay_crashes,
            worker_crashes,
        }
    }

    async fn register(&self, new: NewOrder) {
        self.runner
            .register(new.clone(), &Actor::System, &payload(&new), None)
            .await
            .unwrap();
    }

    /// Delivers everything queued, each batch `times` times (the second time reversed), and
    /// deletes what was handled; repeats until the queue is empty. Returns the deliveries.
    async fn pump(&self, times: usize) -> usize {
        let mut delivered = 0;
        for _ in 0..1000 {
            let batch = self.queue.receive(10, Duration::ZERO).await.unwrap();
            if batch.is_empty() {
                return delivered;
            }
            delivered += batch.len();
            let mut failed: HashSet<String> = HashSet::new();
            for round in 0..times {
                let mut copy: Vec<Delivery> = batch.clone();
                if round % 2 == 1 {
                    copy.reverse();
                }
                failed = self
                    .dispatcher
                    .handle_batch(&copy)
                    .await
                    .retry
                    .into_iter()
                    .collect();
            }
            let done: Vec<String> = batch
                .iter()
                .map(|d| d.handle.clone())
                .filter(|h| !failed.contains(h))
                .collect();
            self.queue.delete(&done).await.unwrap();
        }
        panic!("the queue never drained");
    }

    fn notes(&self) -> usize {
        self.notifier.calls().len()
    }
}

fn course(order_id: &str, attendees: usize) -> NewOrder {
    order(order_id, "chain-issuer", attendees)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn konfetti_chain_flag_rebook_release_and_the_transfer_is_executed_once() {
    let chain = Chain::new().await;
    chain.register(course("konfetti", 1)).await;
    let order: OrderId = id("konfetti");
    chain
        .runner
        .execute(&order, &partner(), None, |o, c| set_rebook_flag(o, true, c))
        .await
        .unwrap();
    assert_eq!(
        chain
            .h
            .stored("konfetti")
            .await
            .payout_state(after_course()),
        PayoutState::Paused
    );
    // Official rebooking onto the later date, checked active at commit.
    chain
        .runner
        .execute_onto(&order, &staff(), None, &id("conf-later"), |o, d, c| {
            rebook(o, d, Rebooking::default(), c)
        })
        .await
        .unwrap();
    chain.pump(3).await;

    // After the old date the payout is not due yet; after the new one it is released once.
    chain.h.clock.set(after_course());
    let run = chain
        .runner
        .release_and_chain(10, &*chain.queue)
        .await
        .unwrap();
    assert!(run.released.is_empty(), "not due before the new date ends");
    chain
        .h
        .clock
        .set(later_conference().ends_at + Span::days(8));
    let run = chain
        .runner
        .release_and_chain(10, &*chain.queue)
        .await
        .unwrap();
    assert_eq!(run.released, vec![order.clone()]);
    let again = chain
        .runner
        .release_and_chain(10, &*chain.queue)
        .await
        .unwrap();
    assert!(again.released.is_empty(), "released once");
    chain.pump(3).await;

    let stored = chain.h.stored("konfetti").await;
    let expected = stored.owed() - stored.commission();
    assert_eq!(expected.amount(), dec!(654.50) - dec!(155.77));
    assert_eq!(chain.provider.transfers(), vec![expected]);
    // Staff heard of the flag, the customer of the new ticket, once each.
    let notes = chain.notifier.calls();
    let keys: HashSet<String> = notes.iter().map(|c| format!("{c:?}")).collect();
    assert_eq!(keys.len(), notes.len(), "no message twice: {notes:?}");
    assert!(
        notes
            .iter()
            .any(|c| matches!(c, Call::Notify { key } if key.starts_with("notify-staff")))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_date_with_fifty_orders_fans_out_once_and_the_ledger_balances() {
    let chain = Chain::new().await;
    for i in 0..50 {
        chain.register(course(&format!("d{i:02}"), 1 + i % 3)).await;
    }
    chain.pump(1).await;
    let notes_before = chain.notes();
    let date: DateId = id("conf");
    let action = DateAction::CancelAll;

    // The dry run: counts and money, nothing written.
    let preview = chain
        .runner
        .preview_date_action(&date, &action, &staff())
        .await
        .unwrap();
    let attendees: usize = (0..50).map(|i| 1 + i % 3).sum();
    assert_eq!(preview.would_change, 50);
    assert_eq!(preview.totals[0].orders, 50);
    assert_eq!(preview.totals[0].attendees, attendees);
    assert_eq!(
        preview.totals[0].owed.amount(),
        dec!(654.50) * Decimal::from(attendees)
    );
    assert_eq!(
        chain.h.stored("d07").await.revision,
        1,
        "a dry run writes nothing"
    );
    assert!(chain.queue.is_empty());

    // Only staff; another role learns nothing.
    let refused = chain
        .runner
        .start_date_job(&date, &action, &partner(), Some("k"), &*chain.queue)
        .await;
    assert!(refused.is_err() && chain.queue.is_empty());

    let started = chain
        .runner
        .start_date_job(&date, &action, &staff(), Some("cancel-conf"), &*chain.queue)
        .await
        .unwrap();
    assert_eq!((started.total, started.fanned_out), (50, true));
    assert_eq!(chain.queue.len(), 50);
    // Started twice with one key: the same job, no second fan-out.
    let twice = chain
        .runner
        .start_date_job(&date, &action, &staff(), Some("cancel-conf"), &*chain.queue)
        .await
        .unwrap();
    assert_eq!(twice.job, started.job);
    assert_eq!(chain.queue.len(), 50);
    // The same key for another action is refused.
    let other = DateAction::RebookAll {
        target: id("conf-later"),
    };
    assert!(
        chain
            .runner
            .start_date_job(&date, &other, &staff(), Some("cancel-conf"), &*chain.queue)
            .await
            .is_err()
    );

    chain.pump(2).await;
    let progress = chain
        .runner
        .date_job(&started.job.id, &staff())
        .await
        .unwrap();
    assert_eq!((progress.succeeded, progress.failed), (50, 0));
    assert!(progress.is_finished());
    // Staff heard "cannot run" once per order.
    assert_eq!(chain.notes() - notes_before, 50);

    // The ladder for every order: rebooking declined, credit declined, refund.
    for i in 0..50 {
        let order: OrderId = id(&format!("d{i:02}"));
        for step in [
            Resolution::RebookingDeclined,
            Resolution::CreditDeclined,
            Resolution::Refund,
        ] {
            chain
                .runner
                .execute(&order, &staff(), None, |o, c| {
                    resolve_partner_cancellation(o, step, c)
                })
                .await
                .unwrap();
        }
    }
    chain.pump(2).await;

    // Every customer refunded in full, once; nothing transferred; commission kept as debit.
    let refunds = chain.provider.refunds();
    assert_eq!(refunds.len(), 50);
    let refunded = refunds.iter().fold(Decimal::ZERO, |s, m| s + m.amount());
    let captured = dec!(654.50) * Decimal::from(attendees);
    assert_eq!(refunded, captured);
    assert!(chain.provider.transfers().is_empty());

    // The ledger: every posting balances, and the accounts explain the money.
    let mut balances: BTreeMap<Account, Decimal> = BTreeMap::new();
    for i in 0..50 {
        let order: OrderId = id(&format!("d{i:02}"));
        for posting in chain.h.store.postings(&order).await.unwrap() {
            assert!(posting.is_balanced(), "{posting:?}");
            for entry in &posting.entries {
                let signed = match entry.side {
                    Side::Debit => entry.amount.amount(),
                    Side::Credit => -entry.amount.amount(),
                };
                *balances.entry(entry.account).or_default() += signed;
            }
        }
    }
    assert_eq!(balances.values().copied().sum::<Decimal>(), Decimal::ZERO);
    let debit = chain
        .h
        .store
        .partner_debit(&id("partner-1"), Currency::EUR)
        .await
        .unwrap();
    let commission = preview.totals[0].commission.amount();
    assert_eq!(debit.amount(), commission);
    assert_eq!(
        balances.get(&Account::PartnerDebits).copied(),
        Some(commission)
    );
    assert_eq!(
        -balances
            .get(&Account::RefundsPayable)
            .copied()
            .unwrap_or_default(),
        refunded
    );
    assert_eq!(
        balances
            .get(&Account::PartnerPayable)
            .copied()
            .unwrap_or_default(),
        Decimal::ZERO
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebook_all_moves_every_order_and_a_deactivated_target_refuses_the_rest() {
    let chain = Chain::new().await;
    for i in 0..6 {
        chain.register(course(&format!("r{i}"), 1)).await;
    }
    chain.pump(1).await;
    let date: DateId = id("conf");
    let action = DateAction::RebookAll {
        target: id("conf-later"),
    };
    let job = chain
        .runner
        .start_date_job(&date, &action, &staff(), Some("move-conf"), &*chain.queue)
        .await
        .unwrap();
    // Three orders are handled, then the partner deactivates the target date.
    for _ in 0..3 {
        let batch = chain.queue.receive(1, Duration::ZERO).await.unwrap();
        assert!(chain.dispatcher.handle_batch(&batch).await.is_clean());
        let handles: Vec<String> = batch.iter().map(|d| d.handle.clone()).collect();
        chain.queue.delete(&handles).await.unwrap();
    }
    let inactive = later_conference().set_active(false, &partner()).unwrap();
    chain.h.store.put_date(&inactive).await.unwrap();
    chain.pump(2).await;
    let progress = chain.runner.date_job(&job.job.id, &staff()).await.unwrap();
    assert_eq!((progress.succeeded, progress.failed), (3, 3));
    assert!(progress.failures.iter().all(|f| f.code == "date_inactive"));
    let mut moved = 0;
    for i in 0..6 {
        let stored = chain.h.stored(&format!("r{i}")).await;
        if stored
            .valid_bookings()
            .all(|b| b.date.id.as_str() == "conf-later")
        {
            moved += 1;
        }
    }
    assert_eq!(moved, 3);
    // The attendee list of the new date shows exactly the moved orders.
    let members = chain
        .h
        .store
        .orders_on(&id("conf-later"), 100, None)
        .await
        .unwrap();
    assert_eq!(members.items.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_each_step_of_relay_and_worker_loses_nothing_and_doubles_nothing() {
    let chain = Chain::new().await;
    chain.register(course("crashy", 2)).await;
    chain.pump(1).await;
    let order: OrderId = id("crashy");
    let cancel = |o: &Order, c: &Context| cancel_booking(o, &id("b0"), &FeeChoice::None, c);

    // Relay: the send happens, the acknowledgement dies → the sweeper sends it again.
    chain.relay_crashes.store(1, Ordering::Relaxed);
    let receipt = chain
        .runner
        .execute(&order, &staff(), None, cancel)
        .await
        .unwrap();
    let sent = chain.queue.len();
    assert_eq!(sent, receipt.followups.len());
    chain.h.clock.set(chain.h.clock.now() + Span::seconds(61));
    let swept = chain
        .sweeper
        .sweep(chain.h.clock.now(), PERIOD, 100)
        .await
        .unwrap();
    assert_eq!(swept, 1, "the unacknowledged record is sent again");
    assert_eq!(chain.queue.len(), 2 * sent);

    // Worker: the refund is paid, then the function dies before logging it, twice.
    chain.worker_crashes.store(2, Ordering::Relaxed);
    chain.pump(1).await;
    let refunds = chain.provider.refunds();
    assert_eq!(
        refunds.len(),
        1,
        "one refund however often it was attempted"
    );
    assert_eq!(refunds[0].amount(), dec!(654.50));
    assert!(
        chain.provider.calls.load(Ordering::Relaxed) >= 2,
        "the crash was exercised"
    );
    // Worker: handled and logged, then the function dies before deleting: delivered again.
    let again: Vec<storno_functions::app::Envelope> = chain
        .h
        .store
        .followups(&order, receipt.version)
        .await
        .unwrap()
        .iter()
        .map(storno_functions::app::Envelope::of)
        .collect();
    let calls_before = chain.provider.calls.load(Ordering::Relaxed);
    let notes_before = chain.notes();
    chain.queue.send(&again).await.unwrap();
    chain.pump(3).await;
    assert_eq!(chain.provider.calls.load(Ordering::Relaxed), calls_before);
    assert_eq!(chain.notes(), notes_before);
    assert!(chain.queue.dead_letters(10).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_run_with_more_due_than_its_bound_chains_the_rest_through_the_queue() {
    let chain = Chain::new().await;
    for i in 0..60 {
        chain.register(course(&format!("p{i:02}"), 1)).await;
    }
    chain.pump(1).await;
    chain.h.clock.set(after_course());
    let first = chain
        .runner
        .release_and_chain(25, &*chain.queue)
        .await
        .unwrap();
    assert_eq!(first.released.len(), 25);
    assert!(first.more);
    // The continuation (and then its own) run inside the worker, 25 per run.
    chain.pump(2).await;
    let transfers = chain.provider.transfers();
    assert_eq!(
        transfers.len(),
        60,
        "every payout released and transferred once"
    );
    let mut released = 0;
    for i in 0..60 {
        if chain
            .h
            .stored(&format!("p{i:02}"))
            .await
            .payout
            .released
            .is_some()
        {
            released += 1;
        }
    }
    assert_eq!(released, 60);
}
