//! Proofs under concurrency, on the engine: no lost update, gapless numbers, one effect per
//! idempotency key, and no payout released while paused.

mod support;

use std::sync::Arc;

use futures::future::join_all;
use storno_core::*;
use storno_functions::app::{AppError, Idempotency, Receipt};

use support::Harness;
use support::fixtures::*;

/// Rounds of the 32-writer race; the test command may raise it (`STORNO_CONCURRENCY_ROUNDS`).
fn rounds() -> usize {
    std::env::var("STORNO_CONCURRENCY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

async fn register(h: &Harness, new: NewOrder) -> Receipt {
    h.runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap()
}

fn cancel(
    booking: usize,
) -> impl Fn(&Order, &Context) -> Result<Decision, DomainError> + Send + Sync {
    let booking: BookingId = id(&format!("b{booking}"));
    move |order, ctx| cancel_option(order, &booking, &id("ws"), &FeeChoice::None, ctx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_concurrent_commands_on_one_order_lose_no_update() {
    let h = Arc::new(Harness::new().await);
    h.store.put_date(&conference()).await.unwrap();
    for round in 0..rounds() {
        let order_id: OrderId = id(&format!("race-{round}"));
        let initial = register(&h, order(order_id.as_str(), "race-issuer", 32)).await;
        assert_eq!(initial.version, 1);
        let start = h.stored(order_id.as_str()).await;
        let first_number = h
            .store
            .next_number(&SeriesKey::for_issue(&issuer("race-issuer"), h.clock_now()))
            .await
            .unwrap();
        let runners: Vec<_> = (0..4).map(|_| Arc::new(h.another_runner())).collect();
        let tasks = (0..32).map(|writer| {
            let runner = Arc::clone(&runners[writer % runners.len()]);
            let order_id = order_id.clone();
            tokio::spawn(async move {
                (
                    writer,
                    runner
                        .execute(&order_id, &staff(), None, cancel(writer))
                        .await,
                )
            })
        });
        let mut results: Vec<(usize, Receipt)> = Vec::new();
        for outcome in join_all(tasks).await {
            match outcome.unwrap() {
                (writer, Ok(receipt)) => results.push((writer, receipt)),
                (_, Err(AppError::Conflict)) => {} // gave up after bounded retries: no effect
                (_, Err(other)) => panic!("unexpected failure: {other:?}"),
            }
        }
        // The stored order is exactly the serial application of the winners, in commit order.
        results.sort_by_key(|(_, receipt)| receipt.version);
        let stored = h.stored(order_id.as_str()).await;
        assert_eq!(
            stored.revision,
            1 + results.len() as u64,
            "round {round}: a lost or doubled update"
        );
        let mut serial = start;
        let mut next_seq = first_number;
        for (writer, receipt) in &results {
            let ctx = Context {
                now: h.clock_now(),
                actor: staff(),
                issuer: std::sync::Arc::new(issuer("race-issuer")),
                next_document_seq: next_seq,
            };
            let decision = cancel(*writer)(&serial, &ctx).unwrap();
            next_seq += decision.numbers.as_ref().map_or(0, |n| n.count);
            assert_eq!(decision.order.revision, receipt.version);
            serial = decision.order;
        }
        assert!(
            stored == serial,
            "round {round}: stored state differs from the serial outcome"
        );
        let cancelled = stored
            .bookings
            .iter()
            .flat_map(|b| &b.options)
            .filter(|o| !o.is_active())
            .count();
        assert_eq!(cancelled, results.len());
        assert_eq!(
            stored.refunded,
            eur(rust_decimal_macros::dec!(119) * rust_decimal::Decimal::from(results.len()))
        );
        assert!(
            results.len() >= 16,
            "round {round}: only {} of 32 got through",
            results.len()
        );
    }
}

/// Cancels an option on orders `{prefix}-0` … at once, each through its own runner (as
/// separate Lambda instances: own, cold number caches); the document numbers taken, sorted.
async fn cancel_on_separate_runners(h: &Harness, prefix: &str, orders: usize) -> Vec<u32> {
    let tasks = (0..orders).map(|i| {
        let runner = Arc::new(h.another_runner());
        let order_id: OrderId = id(&format!("{prefix}-{i}"));
        tokio::spawn(async move { runner.execute(&order_id, &staff(), None, cancel(0)).await })
    });
    let mut numbers: Vec<u32> = Vec::new();
    for result in join_all(tasks).await {
        let receipt = result.unwrap().expect("every command commits");
        numbers.extend(receipt.documents.iter().map(|d| d.number.seq()));
    }
    numbers.sort_unstable();
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_concurrent_document_issuing_commands_of_one_issuer_get_gapless_numbers() {
    let h = Arc::new(Harness::new().await);
    h.store.put_date(&conference()).await.unwrap();
    for i in 0..16 {
        register(&h, order(&format!("doc-{i}"), "numbers-issuer", 1)).await;
    }
    let numbers = cancel_on_separate_runners(&h, "doc", 16).await;
    assert_eq!(
        numbers,
        (17..=32).collect::<Vec<u32>>(),
        "invoices took 1..16"
    );
    let series = SeriesKey::for_issue(&issuer("numbers-issuer"), h.clock_now());
    assert_eq!(h.store.next_number(&series).await.unwrap(), 33);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_that_lose_a_number_take_turns_and_a_dead_turn_holder_is_skipped() {
    let h = Arc::new(Harness::new().await);
    h.store.put_date(&conference()).await.unwrap();
    for i in 0..8 {
        register(&h, order(&format!("turn-{i}"), "turns-issuer", 1)).await;
    }
    let series = SeriesKey::for_issue(&issuer("turns-issuer"), h.clock_now());
    // A process took the first turn and died holding it.
    let dead = h.store.take_turn_ticket(&series).await.unwrap();
    assert_eq!((dead, h.store.turn_serving(&series).await.unwrap()), (1, 1));
    let numbers = cancel_on_separate_runners(&h, "turn", 8).await;
    assert_eq!(
        numbers,
        (9..=16).collect::<Vec<u32>>(),
        "gapless, once each"
    );
    // Every ticket taken was served and passed on, the dead holder's skipped.
    let issued = h.store.take_turn_ticket(&series).await.unwrap();
    assert_eq!(
        h.store.turn_serving(&series).await.unwrap(),
        issued,
        "the next ticket is served at once: none is left holding a turn"
    );
    // Passing a turn that has passed already changes nothing.
    h.store.pass_turn(&series, dead).await.unwrap();
    assert_eq!(h.store.turn_serving(&series).await.unwrap(), issued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_idempotency_key_sent_eight_times_at_once_has_one_effect_and_one_answer() {
    let h = Arc::new(Harness::new().await);
    h.store.put_date(&conference()).await.unwrap();
    register(&h, order("idem", "idem-issuer", 2)).await;
    let key = Idempotency::new("staff-1", "once", b"cancel b0 ws");
    let tasks = (0..8).map(|_| {
        let runner = Arc::new(h.another_runner());
        let key = key.clone();
        tokio::spawn(async move {
            runner
                .execute(&id("idem"), &staff(), Some(&key), cancel(0))
                .await
        })
    });
    let receipts: Vec<Receipt> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap().expect("every duplicate answers"))
        .collect();
    assert!(receipts.windows(2).all(|w| w[0] == w[1]), "one answer");
    let stored = h.stored("idem").await;
    assert_eq!(stored.revision, 2, "one effect");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_release_racing_the_rebook_flag_never_releases_a_paused_payout() {
    let h = Arc::new(Harness::new().await);
    h.store.put_date(&conference()).await.unwrap();
    h.clock.set(after_course());
    for round in 0..20 {
        let order_id: OrderId = id(&format!("pay-{round}"));
        register(&h, order(order_id.as_str(), "payout-issuer", 1)).await;
        let release = {
            let runner = Arc::new(h.another_runner());
            let order_id = order_id.clone();
            tokio::spawn(async move { runner.release_payout(&order_id).await })
        };
        let flag = {
            let runner = Arc::new(h.another_runner());
            let order_id = order_id.clone();
            tokio::spawn(async move {
                runner
                    .execute(&order_id, &partner(), None, |o: &Order, c: &Context| {
                        set_rebook_flag(o, true, c)
                    })
                    .await
            })
        };
        let (released, flagged) = (release.await.unwrap(), flag.await.unwrap());
        let stored = h.stored(order_id.as_str()).await;
        match (&released, &flagged) {
            (Ok(_), Err(AppError::Domain(DomainError::PayoutAlreadyReleased))) => {
                assert!(stored.payout.released.is_some() && !stored.rebook_flag);
            }
            (Err(AppError::Domain(DomainError::PayoutPaused)), Ok(_)) => {
                assert!(stored.payout.released.is_none() && stored.rebook_flag);
            }
            other => panic!("round {round}: both or neither went through: {other:?}"),
        }
        let again = h.runner.release_payout(&order_id).await;
        assert!(again.is_err(), "never two releases");
    }
}
