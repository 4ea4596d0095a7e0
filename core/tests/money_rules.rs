//! Money rules real operations hit: date actions and rebookings act on bookings, payouts wait
//! until a course really ran, fees bear the platform's commission, caps and fixed fees count
//! what a booking was charged before, days before an event are calendar days where it takes
//! place, and the refusals people see answer with the right code.

mod common;

use chrono::{TimeZone as _, Utc};
use common::*;
use rust_decimal_macros::dec;
use storno_core::*;

/// Anna on course-a, Ben on course-b, 119.00 each (konfetti-style, gross).
fn two_dates() -> World {
    let mut sale = course_order(SalesChannel::Direct);
    let anna = sale.bookings[0].clone();
    let mut ben = anna.clone();
    ben.id = id("ben");
    ben.attendee_name = "Ben Meyer".into();
    ben.date = id("course-b");
    sale.bookings = vec![
        NewBooking {
            id: id("anna"),
            ..anna
        },
        ben,
    ];
    sale.captured = eur(dec!(238));
    World::register(sale, &course_dates(), at(2025, 2, 1))
}

fn on_date(world: &mut World, date: &str, action: DateAction) -> Result<Decision, DomainError> {
    let target = action
        .target()
        .map(|t| course_dates().into_iter().find(|d| &d.id == t).unwrap());
    let date = id(date);
    world.run(staff(), |o, c| {
        act_on_date_order(o, &date, &action, target.as_ref(), c)
    })
}

fn ladder_to_refund(world: &mut World) -> Decision {
    for step in [Resolution::RebookingDeclined, Resolution::CreditDeclined] {
        world
            .run(staff(), |o, c| resolve_partner_cancellation(o, step, c))
            .unwrap();
    }
    world
        .run(staff(), |o, c| {
            resolve_partner_cancellation(o, Resolution::Refund, c)
        })
        .unwrap()
}

fn booked_on(world: &World, booking: &str) -> String {
    world
        .order
        .booking(&id(booking))
        .unwrap()
        .date
        .id
        .to_string()
}

#[test]
fn rebook_all_moves_only_the_bookings_on_that_date() {
    let mut world = two_dates();
    on_date(
        &mut world,
        "course-a",
        DateAction::RebookAll {
            target: id("course-c"),
        },
    )
    .unwrap();
    assert_eq!(booked_on(&world, "anna"), "course-c");
    assert_eq!(booked_on(&world, "ben"), "course-b", "Ben's course runs");
}

#[test]
fn cancel_all_refunds_and_keeps_commission_only_on_the_bookings_of_that_date() {
    let mut world = two_dates();
    on_date(&mut world, "course-a", DateAction::CancelAll).unwrap();
    ladder_to_refund(&mut world);
    assert_eq!(world.refunds(), eur(dec!(119)), "Anna's course only");
    assert!(world.order.booking(&id("ben")).unwrap().is_valid());
    assert_eq!(world.order.commission_kept, eur(dec!(28.32)));
    // Ben's course still pays out: 119.00 − 28.32 on Ben − 28.32 kept on Anna.
    world.now = at(2025, 5, 1);
    let released = world
        .run(Actor::System, |o, c| {
            release_payout(o, eur(dec!(0)), &billed_partner(), c)
        })
        .unwrap();
    assert_eq!(world.transfers(), eur(dec!(62.36)));
    assert!(released.posting.unwrap().is_balanced());
}

#[test]
fn a_booking_whose_course_took_place_is_never_refunded_by_a_date_action() {
    let mut world = two_dates();
    world.now = at(2025, 3, 10); // course-a took place, course-b has not
    on_date(&mut world, "course-b", DateAction::CancelAll).unwrap();
    ladder_to_refund(&mut world);
    assert_eq!(world.refunds(), eur(dec!(119)), "Ben's course only");
    assert!(world.order.booking(&id("anna")).unwrap().is_valid());
    let held = on_date(&mut world, "course-a", DateAction::CancelAll);
    assert!(
        held.is_err(),
        "nothing on a date that took place is acted on"
    );
}

#[test]
fn a_staff_rebooking_after_one_attendees_request_moves_only_that_attendee() {
    let mut world = two_dates();
    world
        .run(customer(), |o, c| {
            request_rebooking(o, "Anna is ill", &[id("anna")], c)
        })
        .unwrap();
    let request = world.order.rebooking_requests[0].id.clone();
    world
        .run(partner(), |o, c| {
            decide_rebooking_request(o, &request, true, c)
        })
        .unwrap();
    let target = course_dates()[2].clone();
    let decision = world
        .run(staff(), |o, c| {
            rebook(
                o,
                &target,
                Rebooking {
                    request: Some(&request),
                    bookings: &[],
                },
                c,
            )
        })
        .unwrap();
    assert_eq!(booked_on(&world, "anna"), "course-c");
    assert_eq!(booked_on(&world, "ben"), "course-b");
    // Anna gets a new ticket for the new date.
    let ticket = &world.order.booking(&id("anna")).unwrap().ticket;
    assert!(ticket.starts_with("TK-"));
    let told = decision.followups.iter().any(|f| {
        matches!(&f.effect, Effect::NotifyCustomer { message: Message::UpdatedTicket { tickets, .. }, .. } if tickets == &vec![ticket.to_string()])
    });
    assert!(told, "the customer receives the updated ticket");
}

#[test]
fn the_rebook_flag_turned_off_after_the_booked_date_holds_the_payout_for_staff() {
    let mut world = course();
    world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    world.now = at(2025, 4, 1); // the course did not run; nobody rebooked
    world
        .run(partner(), |o, c| set_rebook_flag(o, false, c))
        .unwrap();
    let refused = release_payout(
        &world.order,
        eur(dec!(0)),
        &billed_partner(),
        &world.ctx(Actor::System),
    );
    assert_eq!(refused.unwrap_err(), DomainError::PayoutHeld);
    let partner_tries = release_payout_hold(&world.order, &world.ctx(partner()));
    assert_eq!(partner_tries.unwrap_err().kind(), ErrorKind::Forbidden);
    world.run(staff(), release_payout_hold).unwrap();
    assert!(
        release_payout(
            &world.order,
            eur(dec!(0)),
            &billed_partner(),
            &world.ctx(Actor::System)
        )
        .is_ok()
    );
}

#[test]
fn an_approved_customer_rebooking_request_pauses_the_payout() {
    let mut world = course();
    world
        .run(customer(), |o, c| request_rebooking(o, "ill", &[], c))
        .unwrap();
    let request = world.order.rebooking_requests[0].id.clone();
    world
        .run(partner(), |o, c| {
            decide_rebooking_request(o, &request, true, c)
        })
        .unwrap();
    world.now = at(2025, 4, 1);
    assert_eq!(world.order.payout_state(world.now), PayoutState::Paused);
    let refused = release_payout(
        &world.order,
        eur(dec!(0)),
        &billed_partner(),
        &world.ctx(Actor::System),
    );
    assert_eq!(refused.unwrap_err(), DomainError::PayoutPaused);
}

#[test]
fn a_payout_held_after_the_date_passed_under_the_flag_resolves_through_an_official_rebooking() {
    let mut world = course();
    world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    world.now = at(2025, 3, 10); // course-a (1 March) passed; it did not run
    world
        .run(partner(), |o, c| set_rebook_flag(o, false, c))
        .unwrap();
    assert!(matches!(
        world.order.payout_state(world.now),
        PayoutState::Held { .. }
    ));
    let target = course_dates()[2].clone(); // course-c, 3 May
    world
        .run(staff(), |o, c| rebook(o, &target, Rebooking::default(), c))
        .expect("a course that may not have run can still be rebooked");
    assert_eq!(world.order.bookings[0].date.id.to_string(), "course-c");
    assert_eq!(
        world.order.payout_hold, None,
        "the rebooking resolves the hold"
    );
    assert!(matches!(
        world.order.payout_state(world.now),
        PayoutState::Scheduled { .. }
    ));
}

#[test]
fn a_partner_can_report_a_course_that_did_not_run_after_its_date_under_the_flag() {
    let mut world = course();
    world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    world.now = at(2025, 3, 10);
    world
        .run(partner(), |o, c| report_cannot_run(o, &[], c))
        .expect("the partner reports the course did not run");
}

#[test]
fn an_approved_rebooking_request_can_be_carried_out_after_the_date_passed() {
    let mut world = course();
    world
        .run(customer(), |o, c| request_rebooking(o, "ill", &[], c))
        .unwrap();
    let request = world.order.rebooking_requests[0].id.clone();
    world
        .run(partner(), |o, c| {
            decide_rebooking_request(o, &request, true, c)
        })
        .unwrap();
    world.now = at(2025, 3, 10);
    assert_eq!(world.order.payout_state(world.now), PayoutState::Paused);
    let target = course_dates()[2].clone();
    world
        .run(staff(), |o, c| {
            rebook(
                o,
                &target,
                Rebooking {
                    request: Some(&request),
                    bookings: &[],
                },
                c,
            )
        })
        .expect("the approved rebooking is carried out");
    assert!(matches!(
        world.order.payout_state(world.now),
        PayoutState::Scheduled { .. }
    ));
}

#[test]
fn a_course_held_without_any_doubt_is_still_never_rebooked() {
    let mut world = course();
    world.now = at(2025, 3, 10);
    let target = course_dates()[2].clone();
    let refused = world.run(staff(), |o, c| rebook(o, &target, Rebooking::default(), c));
    assert_eq!(refused.unwrap_err(), DomainError::CourseAlreadyHeld);
}

#[test]
fn an_invoice_left_in_editing_holds_the_payout_until_its_new_version() {
    let mut world = two_dates();
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::None, c)
        })
        .unwrap();
    world.now = at(2025, 5, 1);
    assert_eq!(
        world.order.payout_state(world.now),
        PayoutState::InvoiceEditing
    );
    assert_eq!(world.order.payout_index_due_at(), None);
    let refused = release_payout(
        &world.order,
        eur(dec!(0)),
        &billed_partner(),
        &world.ctx(Actor::System),
    );
    assert_eq!(refused.unwrap_err(), DomainError::PayoutAwaitsInvoice);
    world.run(staff(), update_invoice).unwrap();
    assert!(
        release_payout(
            &world.order,
            eur(dec!(0)),
            &billed_partner(),
            &world.ctx(Actor::System)
        )
        .is_ok()
    );
}

#[test]
fn a_fee_quote_on_gross_prices_states_the_net_and_the_vat_it_contains() {
    let mut world = course();
    let half = FeeChoice::Individual {
        amount: eur(dec!(59.50)),
        reason: "late".into(),
        includes_vat: None,
    };
    let decision = world
        .run(staff(), |o, c| cancel_invoice(o, &half, c))
        .unwrap();
    let quote = decision.fee.expect("a fee quote");
    let [line] = quote.lines.as_slice() else {
        panic!("one fee line: {:?}", quote.lines)
    };
    assert_eq!(line.gross, Some(eur(dec!(59.50))));
    assert_eq!(
        line.net,
        eur(dec!(50.00)),
        "59.50 contains 9.50 VAT at 19 %"
    );
    assert_eq!(line.unit_price, dec!(50.00));
}

#[test]
fn fees_bear_the_commission_of_the_cancelled_items_as_the_platforms_work_was_done() {
    let mut world = course();
    let full = FeeChoice::Individual {
        amount: eur(dec!(119)),
        reason: "no show".into(),
        includes_vat: None,
    };
    world
        .run(staff(), |o, c| cancel_invoice(o, &full, c))
        .unwrap();
    world.now = at(2025, 4, 1);
    world
        .run(Actor::System, |o, c| {
            release_payout(o, eur(dec!(0)), &billed_partner(), c)
        })
        .unwrap();
    // As if the course had run: 90.68 to the partner, 28.32 to the platform.
    assert_eq!(world.transfers(), eur(dec!(90.68)));
    assert_eq!(world.commission_booked(), eur(dec!(28.32)));
}

#[test]
fn a_fee_charged_after_the_payout_leaves_the_partner_owing_nothing_back_to_the_customer() {
    let mut world = course();
    world.now = at(2025, 4, 1);
    world
        .run(Actor::System, |o, c| {
            release_payout(o, eur(dec!(0)), &billed_partner(), c)
        })
        .unwrap();
    let full = FeeChoice::Individual {
        amount: eur(dec!(119)),
        reason: "no show".into(),
        includes_vat: None,
    };
    let decision = world
        .run(staff(), |o, c| cancel_invoice(o, &full, c))
        .unwrap();
    // The customer pays the whole course as a fee; the partner keeps its 90.68, the platform
    // its 28.32: nothing moves between them.
    assert_eq!(decision.partner_debit_change, eur(dec!(0)));
    assert_eq!(world.partner_debit, eur(dec!(0)));
}

#[test]
fn private_event_orders_are_not_charged_the_public_dates_terms() {
    let world = World::register(
        course_order(SalesChannel::PrivateEvent),
        &course_dates(),
        at(2025, 2, 25),
    );
    let refused = cancel_invoice(&world.order, &FeeChoice::Terms, &world.ctx(staff()));
    assert_eq!(refused.unwrap_err(), DomainError::PrivateEventTerms);
    let individual = FeeChoice::Individual {
        amount: eur(dec!(10)),
        reason: "agreed".into(),
        includes_vat: None,
    };
    assert!(cancel_invoice(&world.order, &individual, &world.ctx(staff())).is_ok());
}

/// A conference booking of three 400.00 net options under `tiers` (one booking), 20 days ahead.
fn booking_of_three(tiers: Vec<FeeTier>) -> World {
    let mut sale = converia_order(issuer(
        CancelledOptionPresentation::Omit,
        FeeVatMode::ItemRate,
    ));
    sale.bookings = vec![booking(
        "anna",
        "Anna Schmidt",
        "conf-2025",
        vec![
            option("a", "Day 1", dec!(400), dec!(19)),
            option("b", "Day 2", dec!(400), dec!(19)),
            option("c", "Day 3", dec!(400), dec!(19)),
        ],
    )];
    sale.captured = eur(dec!(1428));
    let mut conference = conference();
    conference.terms = CancellationTerms::new(tiers, Currency::EUR).unwrap();
    World::register(sale, &[conference], at(2025, 5, 21))
}

fn terms_fee_for(world: &mut World, option: &str) -> Money {
    let option = id(option);
    world
        .run(staff(), |o, c| {
            cancel_option(o, &id("anna"), &option, &FeeChoice::Terms, c)
        })
        .unwrap()
        .fee
        .unwrap()
        .total
}

#[test]
fn a_tiers_fixed_fee_is_charged_once_per_booking_when_cancelled_option_by_option() {
    let mut world = booking_of_three(vec![FeeTier {
        up_to_days_before: 30,
        percent: None,
        fixed: Some(eur(dec!(25))),
        cap: None,
    }]);
    assert_eq!(terms_fee_for(&mut world, "a"), eur(dec!(25)));
    assert_eq!(terms_fee_for(&mut world, "b"), eur(dec!(0)));
    assert_eq!(terms_fee_for(&mut world, "c"), eur(dec!(0)));
}

#[test]
fn a_tiers_cap_limits_a_bookings_fees_together_across_cancellations() {
    let mut world = booking_of_three(vec![FeeTier {
        up_to_days_before: 30,
        percent: Some(Percentage::HUNDRED),
        fixed: None,
        cap: Some(eur(dec!(300))),
    }]);
    let total = ["a", "b", "c"]
        .into_iter()
        .map(|o| terms_fee_for(&mut world, o))
        .fold(eur(dec!(0)), |sum, fee| sum + fee);
    assert_eq!(total, eur(dec!(300)));
}

#[test]
fn days_before_the_event_are_calendar_days_where_it_takes_place() {
    // The course starts 10 June 09:00 in Berlin; cancelled 27 May 10:00 in Berlin: 14 days.
    let starts = Utc.with_ymd_and_hms(2025, 6, 10, 7, 0, 0).unwrap();
    let mut date = conference();
    date.starts_at = starts;
    date.ends_at = starts + chrono::Duration::hours(3);
    date.terms = CancellationTerms::new(
        vec![
            FeeTier {
                up_to_days_before: 13,
                percent: Some(Percentage::HUNDRED),
                fixed: None,
                cap: None,
            },
            FeeTier {
                up_to_days_before: 30,
                percent: Some(pct(dec!(50))),
                fixed: None,
                cap: None,
            },
        ],
        Currency::EUR,
    )
    .unwrap();
    let mut sale = converia_order(issuer(
        CancelledOptionPresentation::Omit,
        FeeVatMode::ItemRate,
    ));
    sale.bookings.truncate(1);
    sale.bookings[0].options.truncate(1);
    sale.captured = eur(dec!(476));
    let world = World::register(sale, &[date], at(2025, 5, 1));
    let now = Utc.with_ymd_and_hms(2025, 5, 27, 8, 0, 0).unwrap();
    let mut ctx = world.ctx(staff());
    ctx.now = now;
    let quote = cancel_booking(&world.order, &id("anna"), &FeeChoice::Terms, &ctx)
        .unwrap()
        .fee
        .unwrap();
    assert_eq!(quote.total, eur(dec!(200)), "50 % of 400.00 net, not 100 %");
    assert!(matches!(
        quote.parts[0].rule,
        FeeRule::Tier {
            days_before: 14,
            ..
        }
    ));
}

#[test]
fn a_customer_calling_a_cancel_route_is_forbidden_with_its_own_code() {
    let world = course();
    let refused =
        cancel_invoice(&world.order, &FeeChoice::None, &world.ctx(customer())).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
    assert_eq!(refused.code(), "customers_cannot_cancel");
}

#[test]
fn a_further_proposal_is_refused_while_an_offer_is_open_and_offered_dates_stay_choosable() {
    let mut world = course();
    let three: Vec<EventDate> = course_dates().into_iter().skip(1).take(3).collect();
    world
        .run(partner(), |o, c| propose_alternative_dates(o, &three, c))
        .unwrap();
    let fourth = propose_alternative_dates(&world.order, &three[..1], &world.ctx(partner()));
    assert_eq!(fourth.unwrap_err(), DomainError::AlternativeDatesOpen);
    let first = three[0].id.clone();
    world
        .run(customer(), |o, c| {
            answer_alternative_dates(o, Some(&first), c)
        })
        .unwrap();
}

#[test]
fn refunds_and_transfers_leave_the_ledger_when_the_provider_executes_them() {
    let refund = Effect::Refund {
        customer: id("customer-1"),
        amount: eur(dec!(119)),
    };
    let entries = storno_core::ledger::executed(&refund).unwrap();
    assert_eq!(entries[0].account, Account::RefundsPayable);
    assert_eq!(entries[1].account, Account::CustomerPayments);
    assert_eq!(entries[0].amount, entries[1].amount);
    assert!(
        storno_core::ledger::executed(&Effect::NotifyStaff {
            message: Message::PartnerCannotRun
        })
        .is_none()
    );
}
