//! The customer's credit account on the engine: granted by the ladder, read back, spent at
//! checkout in the intake's transaction, never overdrawn by racing checkouts, paid out once by
//! staff, and expired after the limitation period.

mod support;

use std::sync::Arc;
use std::time::Instant;

use futures::future::join_all;
use rust_decimal_macros::dec;
use storno_core::*;
use storno_functions::app::{AppError, Clock, Idempotency};
use support::Harness;
use support::fixtures::*;

const CUSTOMER: &str = "customer-1";

fn customer() -> Actor {
    Actor::Customer(id(CUSTOMER))
}

/// Registers an order of `attendees` people and settles it with credit through the
/// partner-cancellation ladder: the customer's balance grows by 654.50 per attendee.
async fn grant_credit(h: &Harness, order_id: &str, attendees: usize) {
    let new = order(order_id, "credit-issuer", attendees);
    h.runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
    let order: OrderId = id(order_id);
    h.runner
        .execute(&order, &partner(), None, |o, c| {
            report_cannot_run(o, &[], c)
        })
        .await
        .unwrap();
    for step in [Resolution::RebookingDeclined, Resolution::GrantCredit] {
        h.runner
            .execute(&order, &staff(), None, |o, c| {
                resolve_partner_cancellation(o, step, c)
            })
            .await
            .unwrap();
    }
}

/// An order of one attendee (654.50) paid with `credit` of account credit, the rest by card.
fn paid_with_credit(order_id: &str, credit: Money) -> NewOrder {
    let mut new = order(order_id, "credit-issuer", 1);
    new.payments = [
        (PaymentMethod::Credit, credit),
        (PaymentMethod::Original, new.captured - credit),
    ]
    .into_iter()
    .filter(|(_, amount)| amount.is_positive())
    .map(|(method, amount)| PaymentPart { method, amount })
    .collect();
    new
}

async fn balance(h: &Harness) -> CreditAccount {
    h.store
        .credit_account(&id(CUSTOMER), Currency::EUR)
        .await
        .unwrap()
}

async fn entries(h: &Harness) -> Vec<CreditEntry> {
    h.store
        .credit_entries(&id(CUSTOMER), Currency::EUR, 100, None)
        .await
        .unwrap()
        .items
}

/// The customer-credit account over every posting of `orders` (and executions).
async fn ledger_credit(h: &Harness, orders: &[OrderId]) -> Money {
    let mut sum = eur(dec!(0));
    for order in orders {
        for posting in h.store.postings(order).await.unwrap() {
            assert!(posting.is_balanced());
            sum = sum + posting.effect_on(Account::CustomerCredit, Currency::EUR);
        }
    }
    sum
}

async fn setup() -> Harness {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_granted_by_the_ladder_is_seen_and_spent_at_checkout() {
    let h = setup().await;
    grant_credit(&h, "cancelled", 1).await;
    let (account, page) = h
        .runner
        .read_credit(&id(CUSTOMER), Currency::EUR, &customer(), 10, None)
        .await
        .unwrap();
    assert_eq!(account.balance, eur(dec!(654.50)));
    let [grant] = page.items.as_slice() else {
        panic!("one grant: {:?}", page.items)
    };
    assert!(matches!(
        &grant.movement,
        CreditMovement::Granted { order, .. } if order.as_str() == "cancelled"
    ));
    // Another customer and partners never see it (404); staff do.
    for stranger in [Actor::Customer(id("someone-else")), partner()] {
        let refused = h
            .runner
            .read_credit(&id(CUSTOMER), Currency::EUR, &stranger, 10, None)
            .await
            .unwrap_err();
        assert!(matches!(
            refused,
            AppError::Domain(DomainError::NotFound(_))
        ));
    }
    h.runner
        .read_credit(&id(CUSTOMER), Currency::EUR, &staff(), 10, None)
        .await
        .unwrap();

    // Spend 400.00 of it with 254.50 by card.
    let new = paid_with_credit("spends", eur(dec!(400)));
    h.runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
    assert_eq!(balance(&h).await.balance, eur(dec!(254.50)));
    assert_eq!(h.stored("spends").await.paid_with_credit, eur(dec!(400)));
    let newest = &entries(&h).await[0];
    assert_eq!(
        newest.movement,
        CreditMovement::Redeemed {
            order: id("spends")
        }
    );

    // More than is left: refused, nothing written.
    let greedy = paid_with_credit("greedy", eur(dec!(254.51)));
    let refused = h
        .runner
        .register(greedy.clone(), &Actor::System, &payload(&greedy), None)
        .await
        .unwrap_err();
    let AppError::Domain(refusal) = refused else {
        panic!("a refusal: {refused:?}")
    };
    assert_eq!(refusal.code(), "insufficient_credit");
    assert!(refusal.to_string().contains("254.50"), "{refusal}");
    assert_eq!(balance(&h).await.balance, eur(dec!(254.50)));
    assert_eq!(entries(&h).await.len(), 2);
    assert!(
        h.store
            .load_order(&id("greedy"), true)
            .await
            .unwrap()
            .is_none()
    );

    // Cancelling the order that spent credit: the card gets its 254.50 back, credit 400.00.
    let decision_receipt = h
        .runner
        .execute(&id("spends"), &staff(), None, |o, c| {
            cancel_invoice(o, &FeeChoice::None, c)
        })
        .await
        .unwrap();
    assert_eq!(decision_receipt.version, 2);
    assert_eq!(balance(&h).await.balance, eur(dec!(654.50)));
    let refunds: Vec<Money> = h
        .publisher
        .published()
        .iter()
        .filter(|f| f.order.as_str() == "spends")
        .filter_map(|f| match f.effect {
            Effect::Refund { amount, .. } => Some(amount),
            _ => None,
        })
        .collect();
    assert_eq!(refunds, vec![eur(dec!(254.50))]);
    let orders = [id("cancelled"), id("spends")];
    assert_eq!(ledger_credit(&h, &orders).await, balance(&h).await.balance);
}

/// How many racing checkouts spend one balance (the test command may raise it).
fn racers() -> usize {
    std::env::var("STORNO_CREDIT_RACERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_checkouts_never_overdraw_one_balance() {
    let h = Arc::new(setup().await);
    // 10 × 654.50 of credit; every racer spends 654.50: exactly ten can afford it.
    grant_credit(&h, "big", 10).await;
    assert_eq!(balance(&h).await.balance, eur(dec!(6545)));
    let runners: Vec<_> = (0..4).map(|_| Arc::new(h.another_runner())).collect();
    let started = Instant::now();
    let tasks = (0..racers()).map(|racer| {
        let runner = Arc::clone(&runners[racer % runners.len()]);
        tokio::spawn(async move {
            let new = paid_with_credit(&format!("racer-{racer}"), eur(dec!(654.50)));
            runner
                .register(new.clone(), &Actor::System, &payload(&new), None)
                .await
        })
    });
    let results: Vec<_> = join_all(tasks)
        .await
        .into_iter()
        .map(|joined| joined.expect("the task ran"))
        .collect();
    let elapsed = started.elapsed();
    let won = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(AppError::Domain(e)) if e.code() == "insufficient_credit"))
        .count();
    let gave_up = results
        .iter()
        .filter(|r| matches!(r, Err(AppError::Conflict)))
        .count();
    println!(
        "credit race: {} checkouts on one balance of 10 affordable: {won} spent, {refused} refused (422), {gave_up} gave up (409) in {:.0} ms",
        racers(),
        elapsed.as_secs_f64() * 1000.0
    );
    assert_eq!(won + refused + gave_up, racers(), "{results:?}");
    assert_eq!(won, 10, "exactly the affordable checkouts succeed");
    let account = balance(&h).await;
    assert_eq!(account.balance, eur(dec!(0)));
    assert_eq!(account.consumed, eur(dec!(6545)));
    // Every entry explains the balance, and so does the ledger over every order.
    let all = entries(&h).await;
    assert_eq!(all.len(), 11);
    let explained = all.iter().fold(eur(dec!(0)), |sum, e| sum + e.change());
    assert_eq!(explained, account.balance);
    let mut orders: Vec<OrderId> = vec![id("big")];
    orders.extend((0..racers()).map(|r| id(&format!("racer-{r}"))));
    assert_eq!(ledger_credit(&h, &orders).await, account.balance);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pay_out_credit_once() {
    let h = setup().await;
    grant_credit(&h, "cancelled", 1).await;
    let payout_key = |body: &str| Idempotency::new("staff:s1", "payout-1", body.as_bytes());
    let refused = h
        .runner
        .pay_out_credit(&id(CUSTOMER), Currency::EUR, None, &customer(), None)
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        AppError::Domain(DomainError::Forbidden { .. })
    ));
    let key = payout_key("{\"currency\":\"EUR\",\"amount\":\"100.00\"}");
    let paid = h
        .runner
        .pay_out_credit(
            &id(CUSTOMER),
            Currency::EUR,
            Some(eur(dec!(100))),
            &staff(),
            Some(&key),
        )
        .await
        .unwrap();
    assert_eq!(paid.balance, eur(dec!(554.50)));
    // The same request again answers the same, and pays nothing more.
    let again = h
        .runner
        .pay_out_credit(
            &id(CUSTOMER),
            Currency::EUR,
            Some(eur(dec!(100))),
            &staff(),
            Some(&key),
        )
        .await
        .unwrap();
    assert_eq!(again, paid);
    assert_eq!(balance(&h).await.balance, eur(dec!(554.50)));
    let stream = OrderId::credit_stream(&id(CUSTOMER), Currency::EUR);
    let refunds: Vec<_> = h
        .publisher
        .published()
        .into_iter()
        .filter(|f| f.order == stream && matches!(f.effect, Effect::Refund { .. }))
        .collect();
    assert_eq!(refunds.len(), 1);
    // The key for another request is refused.
    let other = payout_key("{\"currency\":\"EUR\"}");
    let reused = h
        .runner
        .pay_out_credit(&id(CUSTOMER), Currency::EUR, None, &staff(), Some(&other))
        .await
        .unwrap_err();
    assert!(matches!(reused, AppError::IdempotencyKeyReused));
    // Money leaving the platform needs a key: none, nothing paid.
    let keyless = h
        .runner
        .pay_out_credit(&id(CUSTOMER), Currency::EUR, None, &staff(), None)
        .await
        .unwrap_err();
    assert!(matches!(keyless, AppError::IdempotencyKeyRequired(_)));
    // All the rest; then nothing is left.
    let key = |name: &str| Idempotency::new("staff:s1", name, b"rest");
    h.runner
        .pay_out_credit(
            &id(CUSTOMER),
            Currency::EUR,
            None,
            &staff(),
            Some(&key("rest")),
        )
        .await
        .unwrap();
    let empty = h
        .runner
        .pay_out_credit(
            &id(CUSTOMER),
            Currency::EUR,
            None,
            &staff(),
            Some(&key("empty")),
        )
        .await
        .unwrap_err();
    assert!(matches!(empty, AppError::Domain(DomainError::NoCredit)));
    // The stream's ledger: credit out to refunds payable, balanced.
    let postings = h.store.postings(&stream).await.unwrap();
    assert_eq!(postings.len(), 2);
    assert_eq!(
        ledger_credit(&h, &[id("cancelled"), stream]).await,
        eur(dec!(0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_left_of_old_grants_expires_once() {
    let h = setup().await;
    grant_credit(&h, "cancelled", 1).await;
    let spend = paid_with_credit("spends", eur(dec!(154.50)));
    h.runner
        .register(spend.clone(), &Actor::System, &payload(&spend), None)
        .await
        .unwrap();
    // Still valid on New Year's Eve of the third year after the grant (2025 → end of 2028).
    h.clock.set(at(2028, 12, 31));
    let run = h.runner.expire_credit(100).await.unwrap();
    assert!(run.expired.is_empty(), "{run:?}");
    h.clock.set(at(2029, 1, 1));
    let run = h.runner.expire_credit(100).await.unwrap();
    assert_eq!(run.expired, vec![(id(CUSTOMER), eur(dec!(500)))]);
    let account = balance(&h).await;
    assert_eq!(account.balance, eur(dec!(0)));
    assert!(matches!(
        entries(&h).await[0].movement,
        CreditMovement::Expired { .. }
    ));
    // The grant left the index: the next run finds nothing.
    let run = h.runner.expire_credit(100).await.unwrap();
    assert_eq!(run, Default::default());
    let stream = OrderId::credit_stream(&id(CUSTOMER), Currency::EUR);
    let expired: Money = h
        .store
        .postings(&stream)
        .await
        .unwrap()
        .iter()
        .fold(eur(dec!(0)), |sum, p| {
            sum + p.effect_on(Account::CreditExpired, Currency::EUR)
        });
    assert_eq!(expired, eur(dec!(500)));
    assert_eq!(h.clock.now(), at(2029, 1, 1));
}
