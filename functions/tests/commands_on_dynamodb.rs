//! The use-case runner on a real DynamoDB engine: round trips, request counts, capacity,
//! idempotency, numbering and conflicts.

mod support;

use storno_core::*;
use storno_functions::app::{AppError, Idempotency};

use support::Harness;
use support::fixtures::*;

async fn registered(h: &Harness, order_id: &str) -> storno_functions::app::Receipt {
    h.store.put_date(&conference()).await.unwrap();
    let new = reference_order(order_id);
    h.runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap()
}

fn cancel_workshop(booking: &str) -> impl Fn(&Order, &Context) -> Result<Decision, DomainError> {
    let booking: BookingId = id(booking);
    move |order, ctx| cancel_option(order, &booking, &id("ws"), &FeeChoice::None, ctx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_order_reads_back_exactly_with_its_first_invoice() {
    let h = Harness::new().await;
    let receipt = registered(&h, "order-1").await;
    assert_eq!(receipt.version, 1);
    assert_eq!(receipt.documents[0].number.to_string(), "CDC25/001");
    let loaded = h
        .store
        .load_order(&id("order-1"), true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.order.revision, 1);
    assert_eq!(
        loaded.order.captured,
        eur(rust_decimal_macros::dec!(2618.00))
    );
    assert_eq!(loaded.order.invoice.current.payable, loaded.order.captured);
    let series = SeriesKey::for_issue(&issuer("converia-demo"), at(2025, 2, 1));
    assert_eq!(h.store.next_number(&series).await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_command_reads_its_order_and_issuer_once_and_writes_one_transaction() {
    let h = Harness::new().await;
    registered(&h, "order-1").await;
    h.faults.log().clear();
    h.runner
        .execute(&id("order-1"), &staff(), None, cancel_workshop("b0"))
        .await
        .unwrap();
    // The order's state, its issuer as the registry holds it now, the transaction.
    assert_eq!(
        h.faults.log().take(),
        ["Query", "GetItem", "TransactWriteItems"]
    );
    h.runner
        .execute(&id("order-1"), &staff(), None, cancel_workshop("b1"))
        .await
        .unwrap();
    // The order's state, its issuer as the registry holds it now, the transaction.
    assert_eq!(
        h.faults.log().take(),
        ["Query", "GetItem", "TransactWriteItems"]
    );
    h.runner
        .execute(&id("order-1"), &staff(), None, update_invoice)
        .await
        .unwrap();
    // The order's state, its issuer as the registry holds it now, the transaction.
    assert_eq!(
        h.faults.log().take(),
        ["Query", "GetItem", "TransactWriteItems"]
    );
    let flag = |order: &Order, ctx: &Context| set_rebook_flag(order, true, ctx);
    h.runner
        .execute(&id("order-1"), &partner(), None, flag)
        .await
        .unwrap();
    // The order's state, its issuer as the registry holds it now, the transaction.
    assert_eq!(
        h.faults.log().take(),
        ["Query", "GetItem", "TransactWriteItems"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_of_the_reference_order_stays_within_its_capacity_budget() {
    let h = Harness::new().await;
    registered(&h, "order-1").await;
    let state_bytes = serde_json::to_vec(&h.stored("order-1").await)
        .unwrap()
        .len();
    h.store.meter().take();
    h.runner
        .execute(&id("order-1"), &staff(), None, cancel_workshop("b0"))
        .await
        .unwrap();
    let uses = h.store.meter().take();
    let read: f64 = uses.iter().map(|u| u.total_read()).sum();
    let write: f64 = uses.iter().map(|u| u.total_write()).sum();
    let stored = storno_functions::store::stored_state_bytes(&h.stored("order-1").await).unwrap();
    println!(
        "reference order: {state_bytes} bytes of state JSON, stored as (state, invoice) {stored:?} bytes; cancel-option consumed {read} RRU and {write} WRU: {uses:?}"
    );
    // The state's query and the issuer's entry, both eventually consistent.
    assert!(read <= 1.0, "{read} RRU");
    // Each document carries its seller and recipient (§ 14 UStG): the cancellation document's
    // item is the largest write. The order also moves in gsi1 from the due payouts to the
    // invoices being changed (a delete and a put in the index: 2 WRU). The partner's account
    // keeps what the order's payout will pay now in an item of its own (2 WRU).
    assert!(write <= 16.0, "{write} WRU");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_command_writes_nothing() {
    let h = Harness::new().await;
    registered(&h, "order-1").await;
    h.faults.log().clear();
    let refused = h
        .runner
        .execute(
            &id("order-1"),
            &Actor::Customer(id("customer-1")),
            None,
            cancel_workshop("b0"),
        )
        .await;
    assert!(matches!(
        refused,
        Err(AppError::Domain(DomainError::CustomersCannotCancel))
    ));
    // A refusal on the cheap read is confirmed on a consistent one; nothing is written.
    assert_eq!(h.faults.log().take(), ["Query", "GetItem", "Query"]);
    let stranger = Actor::Customer(id("customer-2"));
    let hidden = h
        .runner
        .execute(&id("order-1"), &stranger, None, cancel_workshop("b0"))
        .await;
    assert!(matches!(
        hidden,
        Err(AppError::Domain(DomainError::NotFound("order")))
    ));
    let unknown = h
        .runner
        .execute(&id("nope"), &staff(), None, cancel_workshop("b0"))
        .await;
    assert!(matches!(
        unknown,
        Err(AppError::Domain(DomainError::NotFound("order")))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_replayed_three_times_in_sequence_has_one_effect_and_the_same_response() {
    let h = Harness::new().await;
    registered(&h, "order-1").await;
    let key = Idempotency::new("staff-1", "key-1", b"cancel b0 ws");
    let first = h
        .runner
        .execute(&id("order-1"), &staff(), Some(&key), cancel_workshop("b0"))
        .await
        .unwrap();
    for _ in 0..3 {
        let again = h
            .runner
            .execute(&id("order-1"), &staff(), Some(&key), cancel_workshop("b0"))
            .await
            .unwrap();
        assert_eq!(again, first);
    }
    let order = h.stored("order-1").await;
    assert_eq!(order.revision, 2, "one effect");
    let other_body = Idempotency::new("staff-1", "key-1", b"cancel b1 ws");
    let reused = h
        .runner
        .execute(
            &id("order-1"),
            &staff(),
            Some(&other_body),
            cancel_workshop("b1"),
        )
        .await;
    assert!(matches!(reused, Err(AppError::IdempotencyKeyReused)));
    let order = h.stored("order-1").await;
    assert_eq!(order.revision, 2, "no effect");
    assert!(
        order
            .booking(&id("b1"))
            .unwrap()
            .options
            .iter()
            .all(|o| o.is_active())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_is_idempotent_by_order_id() {
    let h = Harness::new().await;
    let first = registered(&h, "order-1").await;
    let new = reference_order("order-1");
    let again = h
        .runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
    assert_eq!(again, first);
    let mut different = new;
    different.bookings.pop();
    different.captured = eur(rust_decimal_macros::dec!(1963.50));
    let refused = h
        .runner
        .register(
            different.clone(),
            &Actor::System,
            &payload(&different),
            None,
        )
        .await;
    // Another order under a known id: a conflict of ids (no key was sent to be reused).
    assert!(
        matches!(refused, Err(AppError::OrderExists(_))),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intake_decided_on_a_date_deactivated_before_commit_writes_nothing() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    let ctx = Context {
        now: at(2025, 2, 1),
        actor: Actor::System,
        issuer: std::sync::Arc::new(issuer("converia-demo")),
        next_document_seq: 1,
    };
    let decision = register_order(reference_order("late"), &[conference()], &ctx).unwrap();
    let deactivated = conference().set_active(false, &partner()).unwrap();
    h.store.put_date(&deactivated).await.unwrap();
    let commit = storno_functions::app::Commit {
        decision: &decision,
        expected_version: None,
        previous_parts: 0,
        idempotency: Vec::new(),
        partner_debit_read: None,
        active_dates: vec![id("conf")],
        token: "late-intake-token".into(),
        at: at(2025, 2, 1),
    };
    let lost = h.store.commit(&commit).await;
    assert!(matches!(
        lost,
        Err(storno_functions::app::StoreError::Conflict(
            storno_functions::app::Conflict::DateInactive
        ))
    ));
    assert!(
        h.store
            .load_order(&id("late"), true)
            .await
            .unwrap()
            .is_none()
    );
    let new = reference_order("late");
    let refused = h
        .runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await;
    assert!(matches!(
        refused,
        Err(AppError::Domain(DomainError::DateInactive))
    ));
}
