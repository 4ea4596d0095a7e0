//! Payouts, clawback, partner debits, the ledger; and order intake.

mod common;

use chrono::Duration;
use common::*;
use rust_decimal_macros::dec;
use storno_core::*;

fn release(world: &mut World) -> Result<Decision, DomainError> {
    let debit = world.partner_debit;
    world.run(Actor::System, |o, c| {
        release_payout(o, debit, &billed_partner(), c)
    })
}

const AFTER_COURSE: i64 = 8; // course-a ends 2025-03-01 08:00; the delay is 7 days

#[test]
fn the_payout_falls_due_when_the_final_date_has_ended_plus_the_delay() {
    let world = course();
    let course_end = course_dates()[0].ends_at;
    assert_eq!(world.order.payout_due_at(), course_end + Duration::days(7));
    let before = world.order.payout_state(course_end + Duration::days(6));
    assert!(matches!(before, PayoutState::Scheduled { .. }));
    let after = world.order.payout_state(course_end + Duration::days(7));
    assert!(matches!(after, PayoutState::Due { amount, .. } if amount == eur(dec!(90.68))));
    assert_eq!(
        world.order.payout_index_due_at(),
        Some(course_end + Duration::days(7))
    );
}

#[test]
fn the_payout_is_what_the_customer_paid_less_commission_and_open_partner_debits() {
    let mut world = course();
    world.now = at(2025, 3, AFTER_COURSE as u32 + 1);
    world.partner_debit = eur(dec!(40));
    let decision = release(&mut world).unwrap();
    // 119.00 − 28.32 commission = 90.68; 40.00 of open debits offset → 50.68 transferred.
    let transfers = transfers(&decision.followups);
    assert_eq!(transfers, [eur(dec!(50.68))]);
    assert_eq!(decision.partner_debit_change, eur(dec!(-40)));
    assert_eq!(world.partner_debit, eur(dec!(0)));
    assert!(decision.posting.unwrap().is_balanced());
}

#[test]
fn a_payout_is_never_released_early_paused_withheld_or_twice() {
    let mut world = course();
    assert_eq!(release(&mut world).unwrap_err(), DomainError::PayoutNotDue);
    world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    world.now = at(2025, 4, 1);
    assert_eq!(release(&mut world).unwrap_err(), DomainError::PayoutPaused);
    // The booked date passed under the flag: turned off now, the payout waits for staff.
    world
        .run(partner(), |o, c| set_rebook_flag(o, false, c))
        .unwrap();
    assert_eq!(release(&mut world).unwrap_err(), DomainError::PayoutHeld);
    world.run(staff(), release_payout_hold).unwrap();
    release(&mut world).unwrap();
    assert_eq!(
        release(&mut world).unwrap_err(),
        DomainError::PayoutAlreadyReleased
    );
    assert_eq!(world.transfers(), eur(dec!(90.68)));

    let mut withheld = course();
    withheld
        .run(partner(), |o, c| report_cannot_run(o, &[], c))
        .unwrap();
    withheld.now = at(2025, 4, 1);
    assert_eq!(
        release(&mut withheld).unwrap_err(),
        DomainError::PayoutWithheld
    );
}

#[test]
fn only_the_scheduler_releases_payouts() {
    let mut world = course();
    world.now = at(2025, 4, 1);
    for actor in [staff(), partner(), customer()] {
        let refused = release_payout(
            &world.order,
            eur(dec!(0)),
            &billed_partner(),
            &world.ctx(actor),
        );
        assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
    }
}

#[test]
fn a_fully_cancelled_order_without_fees_pays_nothing_out() {
    let mut world = course();
    world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    assert_eq!(
        world.order.payout_state(at(2026, 1, 1)),
        PayoutState::Cancelled
    );
    world.now = at(2026, 1, 1);
    assert_eq!(
        release(&mut world).unwrap_err(),
        DomainError::NothingToPayOut
    );
    assert_eq!(world.order.payout_index_due_at(), None);
}

#[test]
fn fees_of_a_cancelled_order_are_paid_out_to_the_partner_less_the_platforms_commission() {
    let mut world = course();
    world.now = at(2025, 2, 25);
    let fee = FeeChoice::Individual {
        amount: eur(dec!(59.50)),
        reason: "late".into(),
        includes_vat: None,
    };
    world
        .run(staff(), |o, c| cancel_invoice(o, &fee, c))
        .unwrap();
    world.now = at(2025, 4, 1);
    release(&mut world).unwrap();
    // The platform keeps the commission the course carried (28.32): its work was done.
    assert_eq!(world.transfers(), eur(dec!(31.18)));
}

#[test]
fn a_reduction_after_release_becomes_a_partner_debit_offset_against_the_next_payout() {
    let mut world = course();
    world.now = at(2025, 4, 1);
    release(&mut world).unwrap();
    // Staff cancel after the payout went out: the partner's share (90.68) is clawed back.
    let decision = world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    assert_eq!(decision.partner_debit_change, eur(dec!(90.68)));
    assert_eq!(world.partner_debit, eur(dec!(90.68)));
    assert_eq!(world.refunds(), eur(dec!(119)));

    // The partner's next order (238.00 paid, 181.36 due) pays the debit off first.
    let mut next_new = course_order(SalesChannel::Direct);
    next_new.id = id("course-order-2");
    next_new.bookings[0].options[0].quantity = 2;
    next_new.captured = eur(dec!(238));
    let mut next = World::register(next_new, &course_dates(), at(2025, 2, 1));
    next.partner_debit = world.partner_debit;
    next.now = at(2025, 4, 1);
    let released = release(&mut next).unwrap();
    assert_eq!(next.transfers(), eur(dec!(181.36) - dec!(90.68)));
    assert_eq!(released.partner_debit_change, eur(dec!(-90.68)));
}

#[test]
fn every_posting_balances_and_the_accounts_explain_the_money() {
    let mut world = World::register(
        converia_order(issuer(
            CancelledOptionPresentation::Omit,
            FeeVatMode::Proportional,
        )),
        &[conference()],
        at(2025, 5, 20),
    );
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::Terms, c)
        })
        .unwrap();
    world.run(staff(), update_invoice).unwrap();
    world.now = at(2025, 7, 1);
    release(&mut world).unwrap();
    assert!(world.postings.iter().all(Posting::is_balanced));
    let captured = world.order.captured;
    let accounted = world.refunds()
        + world.balance(Account::CustomerCredit)
        + world.commission_booked()
        + world.transfers()
        + world.balance(Account::PartnerPayable)
        + world.balance(Account::FeeIncome)
        + world.balance(Account::Vat(vat(dec!(19))));
    assert_eq!(accounted, captured);
    assert_eq!(
        world.balance(Account::CustomerPayments),
        captured - world.transfers() - world.refunds()
    );
}

#[test]
fn a_payout_comes_with_the_platforms_commission_invoice_and_a_statement() {
    let mut world = course();
    world.now += Duration::days(30 + AFTER_COURSE);
    let decision = release(&mut world).unwrap();
    // The commission of 23.8 % on 119.00 is 28.32, VAT included: 23.80 + 4.52.
    let [invoice] = decision.documents.as_slice() else {
        panic!("one document: {:?}", decision.documents)
    };
    assert_eq!(
        invoice.kind,
        DocumentKind::CommissionInvoice {
            payout_of: id("course-order")
        }
    );
    assert_eq!(invoice.payable, eur(dec!(28.32)));
    assert_eq!(invoice.net, eur(dec!(23.80)));
    assert_eq!(invoice.vat, eur(dec!(4.52)));
    assert_eq!(invoice.header.recipient, billed_partner().billing);
    assert_eq!(invoice.header.seller.issuer.as_str(), "konfetti");
    assert!(invoice.lines[0].service_period.is_some());
    // It is the partner's: not in the customer's archive.
    assert!(
        world
            .order
            .documents
            .iter()
            .all(|d| d.number != invoice.number)
    );
    assert!(!world.order.document_visible_to(&invoice.kind, &customer()));
    assert!(world.order.document_visible_to(&invoice.kind, &partner()));
    let statement = decision.payout_statement.expect("a statement");
    assert_eq!(statement.customer_paid, eur(dec!(119)));
    assert_eq!(statement.commission, eur(dec!(28.32)));
    assert_eq!(statement.due, eur(dec!(90.68)));
    assert_eq!(statement.transferred, eur(dec!(90.68)));
    assert_eq!(statement.commission_invoice, Some(invoice.number.clone()));
    // The commission became revenue and the VAT the platform owes.
    assert_eq!(world.balance(Account::PlatformCommission), eur(dec!(0)));
    assert_eq!(world.balance(Account::CommissionRevenue), eur(dec!(23.80)));
    assert_eq!(
        world.balance(Account::CommissionVat(vat(dec!(19)))),
        eur(dec!(4.52))
    );
    // Another partner's billing data is refused.
    let mut other = billed_partner();
    other.id = id("partner-2");
    let mut fresh = course();
    fresh.now += Duration::days(30 + AFTER_COURSE);
    let refused = release_payout(
        &fresh.order,
        eur(dec!(0)),
        &other,
        &fresh.ctx(Actor::System),
    );
    assert_eq!(refused.unwrap_err().code(), "not_found");
}

// --- registration ---

#[test]
fn checkout_registers_a_paid_order_and_issues_the_first_invoice() {
    let world = course();
    assert_eq!(world.documents.len(), 1);
    assert_eq!(world.documents[0].number.to_string(), "KF/001");
    assert_eq!(world.balance(Account::CustomerPayments), eur(dec!(119)));
    assert_eq!(world.commission_booked(), eur(dec!(28.32)));
    // The partner's 90.68: 71.68 of it and the 19.00 VAT the course carries.
    assert_eq!(world.balance(Account::PartnerPayable), eur(dec!(71.68)));
    assert_eq!(world.balance(Account::Vat(vat(dec!(19)))), eur(dec!(19.00)));
}

#[test]
fn registration_refuses_a_capture_that_differs_from_the_invoice() {
    let mut new = course_order(SalesChannel::Direct);
    new.captured = eur(dec!(100));
    let ctx = Context {
        now: at(2025, 2, 1),
        actor: Actor::System,
        issuer: std::sync::Arc::new(new.issuer.clone()),
        next_document_seq: 1,
    };
    let refused = register_order(new.order, &course_dates(), &ctx).unwrap_err();
    assert_eq!(refused.code(), "capture_mismatch");
}

#[test]
fn registration_refuses_inactive_or_foreign_dates_duplicates_and_other_callers() {
    let ctx = |actor| Context {
        now: at(2025, 2, 1),
        actor,
        issuer: std::sync::Arc::new(konfetti_issuer()),
        next_document_seq: 1,
    };
    let mut dates = course_dates();
    dates[0].active = false;
    let refused = register_order(
        course_order(SalesChannel::Direct).order,
        &dates,
        &ctx(Actor::System),
    );
    assert_eq!(refused.unwrap_err(), DomainError::DateInactive);

    let mut foreign = course_order(SalesChannel::Direct);
    foreign.bookings[0].date = id("foreign");
    let refused = register_order(foreign.order, &course_dates(), &ctx(Actor::System));
    assert_eq!(refused.unwrap_err(), DomainError::DateOfAnotherPartner);

    let mut twice = course_order(SalesChannel::Direct);
    let first = twice.bookings[0].clone();
    twice.bookings.push(first);
    let refused = register_order(twice.order, &course_dates(), &ctx(Actor::System));
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::InvalidInput);

    let refused = register_order(
        course_order(SalesChannel::Direct).order,
        &course_dates(),
        &ctx(partner()),
    );
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
}

#[test]
fn only_owners_and_staff_see_an_order() {
    let world = course();
    assert!(world.order.visible_to(&customer()));
    assert!(world.order.visible_to(&partner()));
    assert!(world.order.visible_to(&staff()));
    assert!(!world.order.visible_to(&other_customer()));
    assert!(!world.order.visible_to(&other_partner()));
}

#[test]
fn only_the_partner_staff_and_the_system_see_the_partner_side_of_an_order() {
    let world = course();
    let order = &world.order;
    assert!(order.partner_figures_visible_to(&partner()));
    assert!(order.partner_figures_visible_to(&staff()));
    assert!(order.partner_figures_visible_to(&Actor::System));
    assert!(!order.partner_figures_visible_to(&customer()));
    assert!(!order.partner_figures_visible_to(&other_partner()));
}
