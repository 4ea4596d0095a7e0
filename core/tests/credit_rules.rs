//! The customer's credit account: spent at checkout, returned the way it came, granted by the
//! partner-cancellation ladder, expired after the limitation period, paid out by staff.

mod common;

use chrono::{TimeZone as _, Utc};
use common::*;
use rust_decimal_macros::dec;
use storno_core::credit::{DEFAULT_VALID_YEARS, expires_at};
use storno_core::*;

fn parts(credit: rust_decimal::Decimal, original: rust_decimal::Decimal) -> Vec<PaymentPart> {
    vec![
        PaymentPart {
            method: PaymentMethod::Original,
            amount: eur(original),
        },
        PaymentPart {
            method: PaymentMethod::Credit,
            amount: eur(credit),
        },
    ]
}

/// Anna (pass 400 + workshop 100) and Ben (pass 400) at 19 %: 1,071.00, of which 200.00 was
/// paid with credit.
fn paid_partly_with_credit() -> World {
    let mut sale = converia_order(issuer(
        CancelledOptionPresentation::CancellationLine,
        FeeVatMode::None,
    ));
    sale.payments = parts(dec!(200), dec!(871));
    World::register(sale, &[conference()], at(2025, 1, 10))
}

#[test]
fn spending_credit_at_checkout_books_it_from_the_credit_account() {
    let world = paid_partly_with_credit();
    assert_eq!(world.order.paid_with_credit, eur(dec!(200)));
    assert_eq!(world.customer_credit, eur(dec!(-200)));
    assert_eq!(world.balance(Account::CustomerPayments), eur(dec!(871)));
    let [entry] = world.credit_entries.as_slice() else {
        panic!("one entry: {:?}", world.credit_entries)
    };
    assert_eq!(entry.amount, eur(dec!(200)));
    assert_eq!(
        entry.movement,
        CreditMovement::Redeemed {
            order: id("order-1")
        }
    );
}

#[test]
fn payment_parts_that_do_not_add_up_are_refused() {
    let mut sale = converia_order(issuer(
        CancelledOptionPresentation::CancellationLine,
        FeeVatMode::None,
    ));
    sale.payments = parts(dec!(200), dec!(870));
    let ctx = Context {
        now: at(2025, 1, 10),
        actor: Actor::System,
        issuer: std::sync::Arc::new(sale.issuer.clone()),
        next_document_seq: 1,
    };
    let refused = register_order(sale.order.clone(), &[conference()], &ctx).unwrap_err();
    assert_eq!(refused.code(), "invalid_input");
    sale.payments = vec![PaymentPart {
        method: PaymentMethod::Credit,
        amount: eur(dec!(0)),
    }];
    let refused = register_order(sale.order.clone(), &[conference()], &ctx).unwrap_err();
    assert_eq!(refused.code(), "invalid_input");
    sale.payments = Vec::new();
    sale.order.id = id("_credit.customer-1");
    let refused = register_order(sale.order, &[conference()], &ctx).unwrap_err();
    assert_eq!(refused.code(), "reserved_order_id");
}

#[test]
fn money_goes_back_to_the_original_payment_first_then_to_credit() {
    let mut world = paid_partly_with_credit();
    // Ben's pass: 476.00 back, all of it to the card (871.00 paid by card).
    let decision = world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::None, c)
        })
        .unwrap();
    assert_eq!(refunds(&decision.followups), vec![eur(dec!(476))]);
    assert!(decision.credit_entries.is_empty());
    // Anna: 595.00 back, 395.00 to the card (what is left of its 871.00), 200.00 to credit.
    let decision = world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("anna"), &FeeChoice::None, c)
        })
        .unwrap();
    assert_eq!(refunds(&decision.followups), vec![eur(dec!(395))]);
    let [grant] = decision.credit_entries.as_slice() else {
        panic!("one grant: {:?}", decision.credit_entries)
    };
    assert_eq!(grant.amount, eur(dec!(200)));
    assert!(matches!(grant.movement, CreditMovement::Granted { .. }));
    assert_eq!(world.order.refunded, eur(dec!(871)));
    assert_eq!(world.order.credited, eur(dec!(200)));
    // The account is back where it was before checkout.
    assert_eq!(world.customer_credit, eur(dec!(0)));
    assert_eq!(world.balance(Account::CustomerCredit), eur(dec!(0)));
}

#[test]
fn the_ladders_credit_outcome_grants_everything_as_credit() {
    let mut sale = course_order(SalesChannel::Direct);
    sale.payments = parts(dec!(19), dec!(100));
    let mut world = World::register(sale, &course_dates(), at(2025, 2, 1));
    world
        .run(partner(), |o, c| report_cannot_run(o, &[], c))
        .unwrap();
    world
        .run(staff(), |o, c| {
            resolve_partner_cancellation(o, Resolution::RebookingDeclined, c)
        })
        .unwrap();
    let decision = world
        .run(staff(), |o, c| {
            resolve_partner_cancellation(o, Resolution::GrantCredit, c)
        })
        .unwrap();
    assert!(refunds(&decision.followups).is_empty());
    assert_eq!(decision.customer_credit_change, eur(dec!(119)));
    assert_eq!(world.customer_credit, eur(dec!(100)));
}

#[test]
fn the_ladders_refund_outcome_returns_money_the_way_it_came() {
    let mut sale = course_order(SalesChannel::Direct);
    sale.payments = parts(dec!(19), dec!(100));
    let mut world = World::register(sale, &course_dates(), at(2025, 2, 1));
    world
        .run(partner(), |o, c| report_cannot_run(o, &[], c))
        .unwrap();
    for step in [Resolution::RebookingDeclined, Resolution::CreditDeclined] {
        world
            .run(staff(), |o, c| resolve_partner_cancellation(o, step, c))
            .unwrap();
    }
    let decision = world
        .run(staff(), |o, c| {
            resolve_partner_cancellation(o, Resolution::Refund, c)
        })
        .unwrap();
    assert_eq!(refunds(&decision.followups), vec![eur(dec!(100))]);
    assert_eq!(decision.customer_credit_change, eur(dec!(19)));
}

fn account(balance: rust_decimal::Decimal, granted: rust_decimal::Decimal) -> CreditAccount {
    let mut account = CreditAccount::empty(id("customer-1"), Currency::EUR);
    account.balance = eur(balance);
    account.granted = eur(granted);
    account.consumed = eur(granted - balance);
    account
}

fn grant(amount: rust_decimal::Decimal, at: chrono::DateTime<Utc>) -> CreditEntry {
    CreditEntry {
        customer: id("customer-1"),
        at,
        amount: eur(amount),
        movement: CreditMovement::Granted {
            order: id("order-1"),
            reason: "booking cancelled".into(),
        },
    }
}

#[test]
fn what_is_left_of_a_grant_expires_at_the_end_of_the_third_year_after_it() {
    // 100.00 granted in June 2025 and 50.00 in 2026; 70.00 spent since.
    let account = account(dec!(80), dec!(150));
    let first = grant(
        dec!(100),
        Utc.with_ymd_and_hms(2025, 6, 15, 10, 0, 0).unwrap(),
    );
    let expiry = expires_at(first.at, DEFAULT_VALID_YEARS);
    let too_early = expiry - chrono::Duration::seconds(1);
    assert!(
        account
            .expire(&first, eur(dec!(0)), DEFAULT_VALID_YEARS, too_early)
            .is_none()
    );
    let decision = account
        .expire(&first, eur(dec!(0)), DEFAULT_VALID_YEARS, expiry)
        .expect("30.00 of the first grant expires");
    assert_eq!(decision.entry.amount, eur(dec!(30)));
    assert_eq!(decision.account.balance, eur(dec!(50)));
    assert_eq!(decision.account.revision, 1);
    assert!(decision.posting.is_balanced());
    assert_eq!(
        decision
            .posting
            .effect_on(Account::CreditExpired, Currency::EUR),
        eur(dec!(30))
    );
    assert_eq!(
        decision.stream,
        OrderId::credit_stream(&id("customer-1"), Currency::EUR)
    );
    // Spent entirely: nothing to expire.
    let spent = account_after_spending_all_of_the_first();
    assert!(
        spent
            .expire(&first, eur(dec!(0)), DEFAULT_VALID_YEARS, expiry)
            .is_none()
    );
    // A shorter configured period expires earlier.
    assert!(
        account
            .expire(&first, eur(dec!(0)), 1, at(2027, 1, 2))
            .is_some()
    );
}

fn account_after_spending_all_of_the_first() -> CreditAccount {
    account(dec!(50), dec!(150))
}

#[test]
fn staff_pay_out_credit_once_and_never_more_than_the_balance() {
    let account = account(dec!(80), dec!(150));
    let now = at(2026, 3, 1);
    assert_eq!(
        account.pay_out(None, &customer(), now).unwrap_err().code(),
        "forbidden"
    );
    assert_eq!(
        account
            .pay_out(Some(eur(dec!(80.01))), &staff(), now)
            .unwrap_err()
            .code(),
        "insufficient_credit"
    );
    assert_eq!(
        account
            .pay_out(Some(eur(dec!(0))), &staff(), now)
            .unwrap_err()
            .code(),
        "invalid_input",
        "a zero amount is a mistake, not an empty account"
    );
    let decision = account.pay_out(None, &staff(), now).unwrap();
    assert_eq!(decision.entry.amount, eur(dec!(80)));
    assert_eq!(decision.account.balance, eur(dec!(0)));
    assert!(decision.followups.iter().any(|f| matches!(
        f.effect,
        Effect::Refund { amount, .. } if amount == eur(dec!(80))
    )));
    assert!(
        decision
            .followups
            .iter()
            .all(|f| f.key.contains("_credit.customer-1.EUR:1:"))
    );
    assert_eq!(
        decision
            .posting
            .effect_on(Account::RefundsPayable, Currency::EUR),
        eur(dec!(80))
    );
    let empty = decision.account;
    assert_eq!(
        empty.pay_out(None, &staff(), now).unwrap_err().code(),
        "no_credit"
    );
}
