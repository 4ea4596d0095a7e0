//! The rebook flag, alternative dates, customer requests, official rebooking,
//! partner cancellation and its ladder, date deactivation, private-event orders.

mod common;

use common::*;
use rust_decimal_macros::dec;
use storno_core::*;

fn dated(date_id: &str) -> EventDate {
    course_dates()
        .into_iter()
        .find(|d| d.id.as_str() == date_id)
        .unwrap()
}

fn staff_notes(decision: &Decision) -> Vec<&Message> {
    decision
        .followups
        .iter()
        .filter_map(|f| match &f.effect {
            Effect::NotifyStaff { message } => Some(message),
            _ => None,
        })
        .collect()
}

// --- rebook flag ---

#[test]
fn the_rebook_flag_pauses_the_payout_and_notifies_staff() {
    let mut world = course();
    let decision = world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    assert!(world.order.rebook_flag);
    assert_eq!(
        world.order.payout_state(at(2026, 1, 1)),
        PayoutState::Paused
    );
    assert_eq!(world.order.payout_index_due_at(), None);
    assert_eq!(staff_notes(&decision), [&Message::RebookFlagSet]);
    world
        .run(partner(), |o, c| set_rebook_flag(o, false, c))
        .unwrap();
    assert!(matches!(
        world.order.payout_state(at(2026, 1, 1)),
        PayoutState::Due { .. }
    ));
}

#[test]
fn only_the_partner_owning_the_order_sets_the_rebook_flag() {
    let world = course();
    let refuse = |actor| set_rebook_flag(&world.order, true, &world.ctx(actor)).unwrap_err();
    assert_eq!(refuse(other_partner()), DomainError::NotFound("order"));
    assert_eq!(refuse(customer()).kind(), ErrorKind::Forbidden);
    assert_eq!(refuse(staff()).kind(), ErrorKind::Forbidden);
    let mut world = world;
    world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    let again = set_rebook_flag(&world.order, true, &world.ctx(partner()));
    assert_eq!(again.unwrap_err(), DomainError::RebookFlagUnchanged(true));
}

// --- alternative dates ---

#[test]
fn the_partner_proposes_up_to_three_alternative_dates_of_its_own() {
    let mut world = course();
    let four = [
        dated("course-b"),
        dated("course-c"),
        dated("course-d"),
        dated("course-b"),
    ];
    let too_many = propose_alternative_dates(&world.order, &four, &world.ctx(partner()));
    assert_eq!(too_many.unwrap_err(), DomainError::AlternativeDatesCount);
    let twice = propose_alternative_dates(
        &world.order,
        &[dated("course-b"), dated("course-b")],
        &world.ctx(partner()),
    );
    assert_eq!(twice.unwrap_err(), DomainError::AlternativeDatesCount);
    let foreign =
        propose_alternative_dates(&world.order, &[dated("foreign")], &world.ctx(partner()));
    // Another partner's date is answered like a missing one.
    assert_eq!(foreign.unwrap_err(), DomainError::NotFound("date"));
    let inactive = dated("course-c").set_active(false, &partner()).unwrap();
    let refused = propose_alternative_dates(&world.order, &[inactive], &world.ctx(partner()));
    assert_eq!(refused.unwrap_err(), DomainError::DateInactive);

    let decision = world
        .run(partner(), |o, c| {
            propose_alternative_dates(o, &four[..3], c)
        })
        .unwrap();
    assert_eq!(
        world
            .order
            .alternative_dates
            .as_ref()
            .unwrap()
            .proposed
            .len(),
        3
    );
    assert!(decision.followups.iter().any(|f| matches!(&f.effect, Effect::NotifyCustomer { message: Message::RebookingOffer { dates }, .. } if dates.len() == 3)));
}

#[test]
fn the_customer_picks_an_alternative_date_or_declines_and_either_answer_is_recorded() {
    let mut world = course();
    let proposal = [dated("course-b"), dated("course-c")];
    world
        .run(partner(), |o, c| propose_alternative_dates(o, &proposal, c))
        .unwrap();
    let not_offered =
        answer_alternative_dates(&world.order, Some(&id("course-d")), &world.ctx(customer()));
    assert_eq!(not_offered.unwrap_err(), DomainError::NotAProposedDate);
    let stranger = answer_alternative_dates(&world.order, None, &world.ctx(other_customer()));
    assert_eq!(stranger.unwrap_err(), DomainError::NotFound("order"));

    let mut declined = World {
        order: world.order.clone(),
        ..course()
    };
    declined
        .run(customer(), |o, c| answer_alternative_dates(o, None, c))
        .unwrap();
    assert!(matches!(
        declined.order.alternative_dates.unwrap().answer,
        Some(rebooking::AlternativeAnswer::Declined { .. })
    ));

    world
        .run(customer(), |o, c| {
            answer_alternative_dates(o, Some(&id("course-c")), c)
        })
        .unwrap();
    let answer = world
        .order
        .alternative_dates
        .as_ref()
        .unwrap()
        .answer
        .clone();
    assert!(
        matches!(answer, Some(rebooking::AlternativeAnswer::Chosen { date, .. }) if date.as_str() == "course-c")
    );
    let twice = answer_alternative_dates(&world.order, None, &world.ctx(customer()));
    assert_eq!(twice.unwrap_err(), DomainError::NoAlternativeDatesOpen);
}

// --- official rebooking ---

#[test]
fn official_rebooking_is_for_staff_only() {
    let world = course();
    for actor in [partner(), customer(), Actor::System] {
        let refused = rebook(
            &world.order,
            &dated("course-b"),
            Rebooking::default(),
            &world.ctx(actor),
        );
        assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
    }
}

#[test]
fn official_rebooking_moves_the_bookings_clears_the_flag_and_the_payout_falls_due_after_the_new_date()
 {
    let mut world = course();
    world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    let target = dated("course-c");
    let decision = world
        .run(staff(), |o, c| rebook(o, &target, Rebooking::default(), c))
        .unwrap();
    let booking = &world.order.bookings[0];
    assert_eq!(booking.date.id, target.id);
    assert!(!world.order.rebook_flag);
    assert_eq!(
        world.order.payout_due_at(),
        target.ends_at + chrono::Duration::days(7)
    );
    assert!(decision.followups.iter().any(|f| matches!(
        &f.effect,
        Effect::NotifyCustomer {
            message: Message::UpdatedTicket { .. },
            ..
        }
    )));
    // The invoice states the new date of the service: cancelled and issued again at once,
    // same amounts, no money moving.
    let [cancellation, version] = decision.documents.as_slice() else {
        panic!(
            "a cancellation and the next version: {:?}",
            decision.documents
        )
    };
    assert!(cancellation.is_cancellation());
    assert!(matches!(
        version.kind,
        DocumentKind::Invoice { version: 2, .. }
    ));
    assert_eq!(version.payable, -cancellation.payable, "same amounts");
    let period = target.booked().service_period();
    assert!(
        version
            .lines
            .iter()
            .all(|l| l.service_period == Some(period))
    );
    assert_eq!(world.order.invoice.status, InvoiceStatus::Issued);
    assert!(decision.posting.is_none(), "no money moves");
    assert!(
        !decision
            .followups
            .iter()
            .any(|f| matches!(f.effect, Effect::Refund { .. })),
        "no refund"
    );
    assert!(matches!(
        world.order.payout_state(target.ends_at),
        PayoutState::Scheduled { .. }
    ));
}

#[test]
fn a_deactivated_date_takes_no_rebooking() {
    let world = course();
    let inactive = dated("course-b").set_active(false, &partner()).unwrap();
    let refused = rebook(
        &world.order,
        &inactive,
        Rebooking::default(),
        &world.ctx(staff()),
    );
    assert_eq!(refused.unwrap_err(), DomainError::DateInactive);
    let refused = rebook(
        &world.order,
        &dated("foreign"),
        Rebooking::default(),
        &world.ctx(staff()),
    );
    assert_eq!(refused.unwrap_err(), DomainError::DateOfAnotherPartner);
    let refused = rebook(
        &world.order,
        &dated("course-a"),
        Rebooking::default(),
        &world.ctx(staff()),
    );
    assert_eq!(refused.unwrap_err(), DomainError::SameDate);
    let mut late = course();
    late.now = at(2025, 4, 6);
    let refused = rebook(
        &late.order,
        &dated("course-b"),
        Rebooking::default(),
        &late.ctx(staff()),
    );
    assert_eq!(refused.unwrap_err(), DomainError::DateInThePast);
}

#[test]
fn a_partner_deactivates_only_its_own_dates() {
    let date = dated("course-b");
    let off = date.set_active(false, &partner()).unwrap();
    assert!(!off.active);
    assert_eq!(
        date.set_active(false, &other_partner()).unwrap_err(),
        DomainError::NotFound("date")
    );
    assert_eq!(
        date.set_active(false, &customer()).unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(
        off.set_active(false, &partner()).unwrap_err(),
        DomainError::DateActivationUnchanged(false)
    );
}

#[test]
fn the_attendee_list_of_a_date_holds_valid_bookings_only() {
    let mut world = World::register(
        converia_order(issuer(CancelledOptionPresentation::Omit, FeeVatMode::None)),
        &[conference()],
        at(2025, 4, 1),
    );
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::None, c)
        })
        .unwrap();
    let names: Vec<String> = attendees_on(&id("conf-2025"), [&world.order])
        .into_iter()
        .map(|a| a.name.to_string())
        .collect();
    assert_eq!(names, ["Anna Schmidt"]);
}

// --- customer requests ---

#[test]
fn a_customer_rebooking_request_approved_by_the_partner_is_carried_out_by_staff() {
    let mut world = course();
    world
        .run(customer(), |o, c| {
            request_rebooking(o, "ill on the day", &[], c)
        })
        .unwrap();
    let request = world.order.rebooking_requests[0].id.clone();
    let early = rebook(
        &world.order,
        &dated("course-b"),
        Rebooking {
            request: Some(&request),
            bookings: &[],
        },
        &world.ctx(staff()),
    );
    assert_eq!(early.unwrap_err(), DomainError::RequestNotApproved);
    let stranger =
        decide_rebooking_request(&world.order, &request, true, &world.ctx(other_partner()));
    assert_eq!(stranger.unwrap_err(), DomainError::NotFound("order"));
    world
        .run(partner(), |o, c| {
            decide_rebooking_request(o, &request, true, c)
        })
        .unwrap();
    world
        .run(staff(), |o, c| {
            rebook(
                o,
                &dated("course-b"),
                Rebooking {
                    request: Some(&request),
                    bookings: &[],
                },
                c,
            )
        })
        .unwrap();
    assert!(matches!(
        world.order.rebooking_requests[0].state,
        rebooking::RequestState::CarriedOut { .. }
    ));
    assert_eq!(world.order.bookings[0].date.id.as_str(), "course-b");
}

#[test]
fn a_customer_rebooking_request_declined_by_the_partner_is_recorded_and_changes_nothing_else() {
    let mut world = course();
    world
        .run(customer(), |o, c| {
            request_rebooking(o, "cannot make it", &[], c)
        })
        .unwrap();
    let request = world.order.rebooking_requests[0].id.clone();
    let decision = world
        .run(partner(), |o, c| {
            decide_rebooking_request(o, &request, false, c)
        })
        .unwrap();
    assert!(matches!(
        world.order.rebooking_requests[0].state,
        rebooking::RequestState::Declined { .. }
    ));
    assert!(decision.followups.iter().any(|f| matches!(
        &f.effect,
        Effect::NotifyCustomer {
            message: Message::RebookingDeclined { .. },
            ..
        }
    )));
    assert_eq!(world.order.bookings[0].date.id.as_str(), "course-a");
    let again = decide_rebooking_request(&world.order, &request, true, &world.ctx(partner()));
    assert_eq!(again.unwrap_err(), DomainError::RequestAlreadyDecided);
    // A new request may follow a declined one.
    world
        .run(customer(), |o, c| request_rebooking(o, "still ill", &[], c))
        .unwrap();
    assert_eq!(world.order.rebooking_requests[1].id.as_str(), "r2");
}

#[test]
fn customers_cannot_cancel_but_may_request_a_rebooking() {
    let world = course();
    let refused = cancel_booking(
        &world.order,
        &id("guest"),
        &FeeChoice::None,
        &world.ctx(customer()),
    );
    assert_eq!(refused.unwrap_err(), DomainError::CustomersCannotCancel);
    assert!(request_rebooking(&world.order, "ill", &[], &world.ctx(customer())).is_ok());
    let empty = request_rebooking(&world.order, " ", &[], &world.ctx(customer()));
    assert_eq!(empty.unwrap_err().kind(), ErrorKind::InvalidInput);
}

// --- partner cancellation ---

fn resolve(world: &mut World, resolution: Resolution) -> Result<Decision, DomainError> {
    world.run(staff(), |o, c| {
        resolve_partner_cancellation(o, resolution, c)
    })
}

fn reported() -> World {
    let mut world = course();
    let decision = world
        .run(partner(), |o, c| report_cannot_run(o, &[], c))
        .unwrap();
    assert_eq!(staff_notes(&decision), [&Message::PartnerCannotRun]);
    world
}

#[test]
fn a_partner_that_cannot_run_the_course_has_its_payout_withheld() {
    let world = reported();
    assert_eq!(
        world.order.payout_state(at(2026, 1, 1)),
        PayoutState::Withheld
    );
    let again = report_cannot_run(&world.order, &[], &world.ctx(partner()));
    assert_eq!(
        again.unwrap_err(),
        DomainError::PartnerCancellationAlreadyReported
    );
}

#[test]
fn refund_is_refused_until_rebooking_and_credit_were_declined() {
    let mut world = reported();
    let refund =
        |w: &World| resolve_partner_cancellation(&w.order, Resolution::Refund, &w.ctx(staff()));
    // Nothing declined yet: the refund's own rule answers.
    assert_eq!(
        refund(&world).unwrap_err(),
        DomainError::RefundBeforeRebookingAndCreditDeclined
    );
    resolve(&mut world, Resolution::RebookingDeclined).unwrap();
    assert_eq!(
        refund(&world).unwrap_err(),
        DomainError::RefundBeforeRebookingAndCreditDeclined
    );
    resolve(&mut world, Resolution::CreditDeclined).unwrap();
    resolve(&mut world, Resolution::Refund).unwrap();
    assert_eq!(world.refunds(), eur(dec!(119)));
    assert!(world.order.is_fully_cancelled());
}

#[test]
fn credit_is_offered_only_after_rebooking_was_declined() {
    let mut world = reported();
    let credit =
        resolve_partner_cancellation(&world.order, Resolution::GrantCredit, &world.ctx(staff()));
    assert_eq!(
        credit.unwrap_err(),
        DomainError::CreditBeforeRebookingDeclined
    );
    resolve(&mut world, Resolution::RebookingDeclined).unwrap();
    let decision = resolve(&mut world, Resolution::GrantCredit).unwrap();
    assert_eq!(decision.customer_credit_change, eur(dec!(119)));
    assert_eq!(world.refunds(), eur(dec!(0)));
}

#[test]
fn the_platform_keeps_its_commission_as_a_debit_on_the_partner_after_a_partner_cancellation() {
    let mut world = reported();
    resolve(&mut world, Resolution::RebookingDeclined).unwrap();
    let decision = resolve(&mut world, Resolution::GrantCredit).unwrap();
    // 23.8 % of 119.00 = 28.32.
    assert_eq!(decision.partner_debit_change, eur(dec!(28.32)));
    assert_eq!(world.commission_booked(), eur(dec!(28.32)));
    assert_eq!(world.balance(Account::CustomerCredit), eur(dec!(119)));
    assert_eq!(world.balance(Account::PartnerPayable), eur(dec!(0)));
    // Settled: nothing is left to pay out, the kept commission is the partner's debit.
    assert_eq!(
        world.order.payout_state(at(2026, 1, 1)),
        PayoutState::Cancelled
    );
    assert_eq!(world.partner_debit, eur(dec!(28.32)));
    assert!(
        world.documented_total().is_zero(),
        "the invoice is cancelled by a credit note"
    );
}

#[test]
fn rebooking_resolves_a_partner_cancellation_and_the_payout_follows_the_new_date() {
    let mut world = reported();
    world
        .run(staff(), |o, c| {
            rebook(o, &dated("course-d"), Rebooking::default(), c)
        })
        .unwrap();
    let outcome = world
        .order
        .partner_cancellation
        .as_ref()
        .unwrap()
        .outcome
        .clone();
    assert!(matches!(
        outcome,
        Some(partner_cancellation::Outcome::Rebooked { .. })
    ));
    assert!(matches!(
        world.order.payout_state(at(2026, 1, 1)),
        PayoutState::Due { .. }
    ));
}

// --- private events ---

#[test]
fn private_event_orders_are_refused_by_every_rebooking_flow_with_a_clear_error() {
    let world = World::register(
        course_order(SalesChannel::PrivateEvent),
        &course_dates(),
        at(2025, 2, 1),
    );
    let order = &world.order;
    let results = [
        set_rebook_flag(order, true, &world.ctx(partner())),
        propose_alternative_dates(order, &[dated("course-b")], &world.ctx(partner())),
        request_rebooking(order, "ill", &[], &world.ctx(customer())),
        rebook(
            order,
            &dated("course-b"),
            Rebooking::default(),
            &world.ctx(staff()),
        ),
        report_cannot_run(order, &[], &world.ctx(partner())),
    ];
    for result in results {
        let error = result.unwrap_err();
        assert_eq!(error, DomainError::PrivateEventOrder);
        assert!(error.to_string().contains("private event"));
    }
}

#[test]
fn a_whole_date_dry_run_totals_the_direct_orders_on_it_and_skips_private_events() {
    let direct = course();
    let mut private = course_order(SalesChannel::PrivateEvent);
    private.id = id("private-order");
    let private = World::register(private, &course_dates(), at(2025, 2, 1));
    let mut elsewhere = course();
    elsewhere
        .run(staff(), |o, c| {
            rebook(o, &dated("course-b"), Rebooking::default(), c)
        })
        .unwrap();
    let totals = date_totals(
        &id("course-a"),
        Currency::EUR,
        at(2025, 2, 1),
        [&direct.order, &private.order, &elsewhere.order],
    );
    assert_eq!((totals.orders, totals.attendees), (1, 1));
    assert_eq!(
        (totals.owed, totals.commission),
        (eur(dec!(119)), eur(dec!(28.32)))
    );
}

#[test]
fn the_rebook_flag_can_always_be_turned_off_even_after_the_order_was_cancelled() {
    let mut world = course();
    world
        .run(partner(), |o, c| set_rebook_flag(o, true, c))
        .unwrap();
    world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    world
        .run(partner(), |o, c| set_rebook_flag(o, false, c))
        .unwrap();
    let on_again = set_rebook_flag(&world.order, true, &world.ctx(partner()));
    assert_eq!(on_again.unwrap_err(), DomainError::OrderCancelled);
}

#[test]
fn a_partner_cannot_report_a_course_that_already_took_place_or_was_paid_out() {
    let mut world = course();
    world.now = at(2025, 3, 2);
    let held = report_cannot_run(&world.order, &[], &world.ctx(partner()));
    assert_eq!(held.unwrap_err(), DomainError::CourseAlreadyHeld);
    world.now = at(2025, 4, 1);
    world
        .run(Actor::System, |o, c| {
            release_payout(o, eur(dec!(0)), &billed_partner(), c)
        })
        .unwrap();
    let paid = report_cannot_run(&world.order, &[], &world.ctx(partner()));
    assert_eq!(paid.unwrap_err(), DomainError::PayoutAlreadyReleased);
}

#[test]
fn staff_cannot_charge_a_fee_while_a_partner_cancellation_is_open() {
    let world = reported();
    let fee = cancel_invoice(&world.order, &FeeChoice::Terms, &world.ctx(staff()));
    assert_eq!(fee.unwrap_err(), DomainError::PartnerCancellationOpen);
}

#[test]
fn a_credit_the_customer_declined_cannot_be_granted_afterwards() {
    let mut world = reported();
    for resolution in [Resolution::RebookingDeclined, Resolution::CreditDeclined] {
        resolve(&mut world, resolution).unwrap();
    }
    let credit =
        resolve_partner_cancellation(&world.order, Resolution::GrantCredit, &world.ctx(staff()));
    assert_eq!(credit.unwrap_err(), DomainError::CreditAlreadyDeclined);
}

// --- whole-date actions ---

#[test]
fn rebook_all_moves_each_order_of_the_date_like_an_official_rebooking() {
    let mut world = course();
    let date = dated("course-a").id;
    let action = DateAction::RebookAll {
        target: dated("course-c").id,
    };
    let target = dated("course-c");
    world
        .run(staff(), |o, c| {
            act_on_date_order(o, &date, &action, Some(&target), c)
        })
        .unwrap();
    assert!(world.order.valid_bookings().all(|b| b.date.id == target.id));
    // The order left the date: a redelivered or late message is refused, never moved twice.
    let again = act_on_date_order(
        &world.order,
        &date,
        &action,
        Some(&target),
        &world.ctx(staff()),
    );
    assert_eq!(again.unwrap_err(), DomainError::NotOnThisDate);
}

#[test]
fn cancel_all_starts_the_partner_cancellation_flow_for_each_order_and_is_staff_only() {
    let mut world = course();
    let date = dated("course-a").id;
    for actor in [partner(), customer()] {
        let refused = act_on_date_order(
            &world.order,
            &date,
            &DateAction::CancelAll,
            None,
            &world.ctx(actor),
        );
        assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
    }
    let decision = world
        .run(staff(), |o, c| {
            act_on_date_order(o, &date, &DateAction::CancelAll, None, c)
        })
        .unwrap();
    assert!(world.order.partner_cancellation.as_ref().unwrap().is_open());
    assert_eq!(staff_notes(&decision), vec![&Message::PartnerCannotRun]);
    // The ladder follows as for one order: a refund is refused until both are declined.
    let refund =
        resolve_partner_cancellation(&world.order, Resolution::Refund, &world.ctx(staff()));
    assert_eq!(refund.unwrap_err().kind(), ErrorKind::RuleRefused);
}

#[test]
fn whole_date_actions_name_private_event_orders_as_refused_and_skip_other_dates() {
    let private = World::register(
        course_order(SalesChannel::PrivateEvent),
        &course_dates(),
        at(2025, 2, 1),
    );
    let direct = course();
    let date = dated("course-a").id;
    let other = dated("course-b").id;
    // Both concern the date; the private event sale is refused by name, not skipped silently.
    let chosen: Vec<_> = orders_to_act_on(&date, [&private.order, &direct.order]).collect();
    assert_eq!(chosen.len(), 2);
    assert_eq!(orders_to_act_on(&other, [&direct.order]).count(), 0);
    let refused = act_on_date_order(
        &private.order,
        &date,
        &DateAction::CancelAll,
        None,
        &private.ctx(staff()),
    );
    assert_eq!(refused.unwrap_err(), DomainError::PrivateEventOrder);
}
