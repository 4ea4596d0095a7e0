//! Fault injection around the real adapter (lost responses, throttling, a crash before
//! commit), DynamoDB's size limits, a 1,000-attendee order, and the due-payout index.

mod support;

use storno_core::*;
use storno_functions::app::{AppError, Idempotency};

use storno_functions::store::{DynamoStore, Limits, stored_state_bytes};
use support::Harness;
use support::fixtures::*;

async fn register(h: &Harness, new: NewOrder) {
    h.runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
}

fn cancel_workshop(order: &Order, ctx: &Context) -> Result<Decision, DomainError> {
    cancel_option(order, &id("b0"), &id("ws"), &FeeChoice::None, ctx)
}

async fn revision(h: &Harness, order: &str) -> u64 {
    h.store
        .load_order(&id(order), true)
        .await
        .unwrap()
        .unwrap()
        .order
        .revision
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_applied_whose_response_was_lost_is_answered_as_success_and_applied_once() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    register(&h, reference_order("lost")).await;
    h.faults.lose_next_transaction_responses(1);
    h.faults.log().clear();
    let receipt = h
        .runner
        .execute(&id("lost"), &staff(), None, cancel_workshop)
        .await
        .expect("the re-sent write is recognised by its ClientRequestToken");
    assert_eq!(
        h.faults.log().take(),
        [
            "Query",
            "GetItem",
            "TransactWriteItems",
            "TransactWriteItems"
        ]
    );
    assert_eq!(receipt.version, 2);
    assert_eq!(revision(&h, "lost").await, 2, "applied once");
    assert_eq!(h.publisher.published().len(), receipt.followups.len() + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_transaction_is_retried_until_it_goes_through() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    register(&h, reference_order("throttled")).await;
    h.faults.throttle_next_transactions(2);
    h.faults.log().clear();
    h.runner
        .execute(&id("throttled"), &staff(), None, cancel_workshop)
        .await
        .unwrap();
    let log = h.faults.log().take();
    assert_eq!(
        log.iter().filter(|op| *op == "TransactWriteItems").count(),
        3
    );
    assert_eq!(revision(&h, "throttled").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_commit_writes_nothing_and_the_retry_with_the_same_key_completes_once() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    register(&h, reference_order("crash")).await;
    let published_before = h.publisher.published().len();
    let key = Idempotency::new("staff-1", "crash-key", b"cancel b0 ws");
    h.faults.crash_before_next_transactions(100);
    let crashed = h
        .runner
        .execute(&id("crash"), &staff(), Some(&key), cancel_workshop)
        .await;
    assert!(matches!(crashed, Err(AppError::Store(_))));
    assert_eq!(revision(&h, "crash").await, 1, "nothing written");
    assert_eq!(
        h.publisher.published().len(),
        published_before,
        "no follow-up"
    );
    h.faults.crash_before_next_transactions(0);
    let retried = h
        .another_runner()
        .execute(&id("crash"), &staff(), Some(&key), cancel_workshop)
        .await
        .unwrap();
    let replayed = h
        .runner
        .execute(&id("crash"), &staff(), Some(&key), cancel_workshop)
        .await
        .unwrap();
    assert_eq!(retried, replayed);
    assert_eq!(revision(&h, "crash").await, 2, "completed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_beyond_dynamodbs_limits_is_refused_before_any_write() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    register(&h, order("big", "limits-issuer", 32)).await;
    let tight = DynamoStore::new(h.store.client().clone(), h.store.table()).with_limits(Limits {
        chunk_bytes: 512,
        max_transaction_actions: 100,
        max_transaction_bytes: 2 * 1024,
    });
    let runner = storno_functions::app::Runner::new(tight, h.publisher.clone(), h.clock.clone());
    h.faults.log().clear();
    let refused = runner
        .execute(&id("big"), &staff(), None, cancel_workshop)
        .await;
    assert!(matches!(refused, Err(AppError::TooLarge(message)) if message.contains("at most")));
    assert!(
        !h.faults
            .log()
            .take()
            .contains(&"TransactWriteItems".to_owned())
    );
    assert_eq!(revision(&h, "big").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_of_a_thousand_attendees_is_stored_cancelled_and_updated() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    register(&h, order("thousand", "big-issuer", 1_000)).await;
    let loaded = h
        .store
        .load_order(&id("thousand"), true)
        .await
        .unwrap()
        .unwrap();
    let json = serde_json::to_vec(&loaded.order).unwrap().len();
    let stored = stored_state_bytes(&loaded.order).unwrap();
    println!(
        "1,000 attendees: state JSON {} KB, stored {} KB in {} item(s) + current invoice {} KB",
        json / 1024,
        stored.0 / 1024,
        loaded.parts,
        stored.1 / 1024
    );
    h.runner
        .execute(&id("thousand"), &staff(), None, cancel_workshop)
        .await
        .unwrap();
    h.runner
        .execute(&id("thousand"), &staff(), None, update_invoice)
        .await
        .unwrap();
    let order = h.stored("thousand").await;
    assert_eq!(order.revision, 3);
    assert_eq!(order.invoice.current.number.to_string(), "BIG25/001/2");
    assert_eq!(
        order.owed(),
        eur(rust_decimal_macros::dec!(654500.00) - rust_decimal_macros::dec!(119.00))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payout_run_reads_only_the_due_payouts_among_ten_thousand_orders() {
    const ORDERS: usize = 10_000;
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    h.store.put_date(&later_conference()).await.unwrap();
    // One writer: intake of one issuer is serial on its number counter anyway.
    for i in 0..ORDERS {
        let mut new = order(&format!("p{i:05}"), "payout-issuer", 1);
        if i % 100 != 0 {
            new.bookings[0].date = id("conf-later"); // not due for months
        }
        register(&h, new).await;
    }
    h.clock.set(after_course());
    h.store.meter().take();
    let run = h.runner.release_due_payouts(1_000).await.unwrap();
    assert_eq!(run.released.len(), 100);
    assert!(run.refused.is_empty() && !run.more);
    let uses = h.store.meter().take();
    let index_reads: Vec<_> = uses
        .iter()
        .filter(|u| u.operation == "Query" && !u.indexes.is_empty())
        .collect();
    let index_rru: f64 = index_reads.iter().map(|u| u.total_read()).sum();
    println!(
        "payout run over 10,000 orders (100 due): {} index queries, {index_rru} RRU on the index; {} calls in all",
        index_reads.len(),
        uses.len()
    );
    // Nothing left due: the next run reads an empty index range.
    let again = h.runner.release_due_payouts(1_000).await.unwrap();
    assert!(again.released.is_empty());
}
