//! The partner's account on the engine: what unreleased payouts will pay, debits kept on a
//! course the partner could not run and their offset against the next payout, each payout's
//! statement and the platform's commission invoice.

mod support;

use rust_decimal_macros::dec;
use storno_core::*;
use storno_functions::app::AppError;
use support::Harness;
use support::fixtures::*;

async fn register(h: &Harness, order_id: &str) {
    let new = order(order_id, "payout-issuer", 1);
    h.runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
}

async fn account(h: &Harness) -> storno_functions::app::PartnerAccount {
    h.runner
        .partner_account(
            &id("partner-1"),
            Currency::EUR,
            &partner(),
            25,
            (None, None),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_sees_payable_debits_and_each_payout_with_its_statement_and_invoice() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    // Two orders of 654.50; commission 23.8 %: 155.77, the partner's due 498.73 each.
    register(&h, "runs").await;
    register(&h, "cannot-run").await;
    let before = account(&h).await;
    assert_eq!(before.payable, eur(dec!(997.46)));
    assert_eq!(before.open_payouts.len(), 2);
    assert_eq!(before.open_debit, eur(dec!(0)));

    // The partner cannot run the second one: the customer takes credit, the platform keeps
    // its commission, which becomes a debit on the partner's balance.
    let cannot: OrderId = id("cannot-run");
    h.runner
        .execute(&cannot, &partner(), None, |o, c| {
            report_cannot_run(o, &[], c)
        })
        .await
        .unwrap();
    for step in [Resolution::RebookingDeclined, Resolution::GrantCredit] {
        h.runner
            .execute(&cannot, &staff(), None, |o, c| {
                resolve_partner_cancellation(o, step, c)
            })
            .await
            .unwrap();
    }
    let after_cancel = account(&h).await;
    assert_eq!(after_cancel.payable, eur(dec!(498.73)));
    assert_eq!(after_cancel.open_debit, eur(dec!(155.77)));
    let [kept] = after_cancel.debit_entries.as_slice() else {
        panic!("one debit: {:?}", after_cancel.debit_entries)
    };
    assert_eq!(kept.order, cannot);
    assert_eq!(kept.change, eur(dec!(155.77)));

    // The payout of the first order offsets the debit.
    h.clock.set(after_course());
    let run = h.runner.release_due_payouts(10).await.unwrap();
    assert_eq!(run.released, vec![id::<OrderId>("runs")]);
    let paid = account(&h).await;
    assert_eq!(paid.payable, eur(dec!(0)));
    assert!(paid.open_payouts.is_empty());
    assert_eq!(paid.open_debit, eur(dec!(0)));
    let offset = &paid.debit_entries[0];
    assert_eq!(offset.change, eur(dec!(-155.77)));
    assert_eq!(offset.order.as_str(), "runs");
    // The debit entries page on with their own cursor, newest first, none lost.
    let first = h
        .runner
        .partner_account(&id("partner-1"), Currency::EUR, &partner(), 1, (None, None))
        .await
        .unwrap();
    assert_eq!(first.debit_entries, paid.debit_entries[..1]);
    let cursor = first.debits_next_cursor.clone().expect("a second page");
    let second = h
        .runner
        .partner_account(
            &id("partner-1"),
            Currency::EUR,
            &partner(),
            1,
            (None, Some(cursor)),
        )
        .await
        .unwrap();
    assert_eq!(second.debit_entries, paid.debit_entries[1..2]);
    let [statement] = paid.payouts.as_slice() else {
        panic!("one payout: {:?}", paid.payouts)
    };
    assert_eq!(statement.customer_paid, eur(dec!(654.50)));
    assert_eq!(statement.commission, eur(dec!(155.77)));
    assert_eq!(statement.due, eur(dec!(498.73)));
    assert_eq!(statement.debits_offset, eur(dec!(155.77)));
    assert_eq!(statement.transferred, eur(dec!(342.96)));

    // The platform's commission invoice: its own series, addressed to the partner.
    let number = statement
        .commission_invoice
        .clone()
        .expect("a commission invoice");
    assert!(number.to_string().starts_with("PLATFORM"), "{number}");
    let invoice = h
        .store
        .document(&id("runs"), &number.to_string())
        .await
        .unwrap()
        .expect("stored with the order");
    assert_eq!(invoice.payable, eur(dec!(155.77)));
    assert_eq!(invoice.vat, eur(dec!(24.87)));
    assert_eq!(invoice.header.recipient.name.as_ref(), "partner-1 Kurse");
    assert_eq!(invoice.header.seller.issuer.as_str(), "platform");
    let order = h.stored("runs").await;
    assert!(order.documents.iter().all(|d| d.number != number));
    // Every posting balances; the commission is the platform's revenue and VAT now.
    let postings = h.store.postings(&id("runs")).await.unwrap();
    assert!(postings.iter().all(Posting::is_balanced));
    let revenue = postings.iter().fold(eur(dec!(0)), |sum, p| {
        sum + p.effect_on(Account::CommissionRevenue, Currency::EUR)
    });
    assert_eq!(revenue, eur(dec!(130.90)));

    // Another partner learns nothing; a customer may not look.
    let hidden = h
        .runner
        .partner_account(
            &id("partner-1"),
            Currency::EUR,
            &Actor::Partner(id("partner-2")),
            25,
            (None, None),
        )
        .await
        .unwrap_err();
    assert!(matches!(hidden, AppError::Domain(DomainError::NotFound(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_waits_for_the_partners_billing_data() {
    let h = Harness::new().await;
    h.store.put_date(&conference()).await.unwrap();
    let mut new = order("unbilled", "payout-issuer", 1);
    new.partner = id("partner-3");
    let mut date = conference();
    date.id = id("conf-3");
    date.partner = id("partner-3");
    h.store.put_date(&date).await.unwrap();
    new.bookings[0].date = id("conf-3");
    h.runner
        .register(new.clone(), &Actor::System, &payload(&new), None)
        .await
        .unwrap();
    h.clock.set(after_course());
    let run = h.runner.release_due_payouts(10).await.unwrap();
    assert!(run.released.is_empty());
    assert_eq!(
        run.refused,
        vec![(
            id::<OrderId>("unbilled"),
            "partner_billing_missing".to_owned()
        )]
    );
    h.store
        .put_partner(&billed_partner("partner-3"))
        .await
        .unwrap();
    let run = h.runner.release_due_payouts(10).await.unwrap();
    assert_eq!(run.released, vec![id::<OrderId>("unbilled")]);
    let stored = h
        .store
        .load_order(&id("unbilled"), true)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.order.payout.released.is_some());
}
