//! The three cancellation levels, invoice versions and documents, fees.

mod common;

use common::*;
use rust_decimal_macros::dec;
use storno_core::*;

fn world_with(presentation: CancelledOptionPresentation, fee_vat: FeeVatMode) -> World {
    World::register(
        converia_order(issuer(presentation, fee_vat)),
        &[conference()],
        at(2025, 4, 1),
    )
}

fn world() -> World {
    world_with(
        CancelledOptionPresentation::CancellationLine,
        FeeVatMode::ItemRate,
    )
}

fn no_fee_option(world: &mut World, booking: &str, option: &str) -> Decision {
    world
        .run(staff(), |o, c| {
            cancel_option(o, &id(booking), &id(option), &FeeChoice::None, c)
        })
        .unwrap()
}

// --- three levels ---

#[test]
fn invoice_cancellation_cancels_every_attendee_booking_and_issues_a_credit_note() {
    let mut world = world();
    let decision = world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    assert!(
        world
            .order
            .bookings
            .iter()
            .all(|b| b.status == BookingStatus::Cancelled)
    );
    assert_eq!(world.order.invoice.status, InvoiceStatus::Cancelled);
    assert_eq!(decision.documents.len(), 1, "no fee: no fee invoice");
    assert!(decision.documents[0].is_cancellation());
    assert_eq!(world.refunds(), eur(dec!(1071)));
}

#[test]
fn invoice_cancellation_keeps_the_people_and_a_new_order_gets_a_new_invoice_number() {
    let mut world = world();
    world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    let names: Vec<&str> = world
        .order
        .bookings
        .iter()
        .map(|b| &*b.attendee_name)
        .collect();
    assert_eq!(names, ["Anna Schmidt", "Ben Meyer"]);

    let mut again = converia_order(issuer(CancelledOptionPresentation::Omit, FeeVatMode::None));
    again.id = id("order-2");
    let ctx = world.ctx(Actor::System);
    let second = register_order(again.order, &[conference()], &ctx).unwrap();
    assert_eq!(second.documents[0].number.to_string(), "CDC25/003");
}

#[test]
fn booking_cancellation_cancels_all_its_options_and_leaves_the_invoice_to_update() {
    let mut world = world();
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("anna"), &FeeChoice::None, c)
        })
        .unwrap();
    let anna = world.order.booking(&id("anna")).unwrap();
    assert_eq!(anna.status, BookingStatus::Cancelled);
    assert!(
        anna.options
            .iter()
            .all(|o| o.status == OptionStatus::Cancelled)
    );
    assert_eq!(world.order.invoice.status, InvoiceStatus::Editing);
    assert!(world.order.booking(&id("ben")).unwrap().is_valid());
}

#[test]
fn a_cancelled_attendee_carries_the_canceled_note_on_the_updated_invoice() {
    let mut world = world_with(CancelledOptionPresentation::Omit, FeeVatMode::ItemRate);
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::None, c)
        })
        .unwrap();
    let update = world.run(staff(), update_invoice).unwrap();
    let attendees = &update.documents[0].attendees;
    assert_eq!(attendees[0].note, None);
    assert_eq!(
        (&*attendees[1].name, attendees[1].note.as_deref()),
        ("Ben Meyer", Some("canceled"))
    );
}

#[test]
fn option_cancellation_keeps_booking_and_invoice_valid() {
    let mut world = world();
    no_fee_option(&mut world, "anna", "anna-ws");
    let anna = world.order.booking(&id("anna")).unwrap();
    assert!(anna.is_valid());
    assert_eq!(anna.active_options().count(), 1);
    assert_eq!(world.order.invoice.status, InvoiceStatus::Editing);
    world.run(staff(), update_invoice).unwrap();
    assert_eq!(world.order.invoice.status, InvoiceStatus::Issued);
}

#[test]
fn a_cancelled_option_shows_with_a_cancellation_line_under_it_when_the_issuer_says_so() {
    let mut world = world();
    no_fee_option(&mut world, "anna", "anna-ws");
    let v2 = world
        .run(staff(), update_invoice)
        .unwrap()
        .documents
        .remove(0);
    let kinds: Vec<LineKind> = v2.lines.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LineKind::Item,
            LineKind::Item,
            LineKind::CancelledItem,
            LineKind::Item
        ]
    );
    assert_eq!(v2.lines[1].net, -v2.lines[2].net);
    assert_eq!(v2.gross, eur(dec!(952)));
}

#[test]
fn a_cancelled_option_disappears_from_the_updated_invoice_when_the_issuer_omits_it() {
    let mut world = world_with(CancelledOptionPresentation::Omit, FeeVatMode::ItemRate);
    no_fee_option(&mut world, "anna", "anna-ws");
    let v2 = world
        .run(staff(), update_invoice)
        .unwrap()
        .documents
        .remove(0);
    assert_eq!(v2.lines.len(), 2);
    assert!(
        v2.lines
            .iter()
            .all(|l| &*l.description == "Conference pass")
    );
    assert_eq!(v2.gross, eur(dec!(952)));
}

#[test]
fn cancelling_the_last_option_of_a_booking_leaves_the_booking_valid() {
    // Converia: "When canceling individual booking options, the person's booking remains as
    // a valid booking."
    let mut world = world();
    no_fee_option(&mut world, "ben", "ben-pass");
    let ben = world.order.booking(&id("ben")).unwrap();
    assert_eq!(ben.status, BookingStatus::Valid);
    assert_eq!(ben.active_options().count(), 0);
    // The person can still be cancelled as a booking, which charges nothing more.
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::None, c)
        })
        .unwrap();
    assert_eq!(
        world.order.booking(&id("ben")).unwrap().status,
        BookingStatus::Cancelled
    );
}

#[test]
fn cancelling_twice_is_a_conflict_and_changes_nothing() {
    let mut world = world();
    no_fee_option(&mut world, "anna", "anna-ws");
    let again = cancel_option(
        &world.order,
        &id("anna"),
        &id("anna-ws"),
        &FeeChoice::None,
        &world.ctx(staff()),
    );
    assert_eq!(again.unwrap_err(), DomainError::OptionAlreadyCancelled);
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::None, c)
        })
        .unwrap();
    let again = cancel_booking(
        &world.order,
        &id("ben"),
        &FeeChoice::None,
        &world.ctx(staff()),
    );
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Conflict);
}

#[test]
fn unknown_bookings_and_options_are_not_found() {
    let world = world();
    let ctx = world.ctx(staff());
    let missing = cancel_booking(&world.order, &id("nobody"), &FeeChoice::None, &ctx);
    assert_eq!(
        missing.unwrap_err(),
        DomainError::NotFound("attendee booking")
    );
    let missing = cancel_option(
        &world.order,
        &id("anna"),
        &id("nothing"),
        &FeeChoice::None,
        &ctx,
    );
    assert_eq!(
        missing.unwrap_err(),
        DomainError::NotFound("booking option")
    );
}

#[test]
fn customers_cannot_cancel_and_partners_may_not_cancel_at_any_level() {
    let world = world();
    for actor in [customer(), other_customer()] {
        let refused = cancel_invoice(&world.order, &FeeChoice::None, &world.ctx(actor));
        assert_eq!(refused.unwrap_err(), DomainError::CustomersCannotCancel);
    }
    let refused = cancel_booking(
        &world.order,
        &id("anna"),
        &FeeChoice::None,
        &world.ctx(partner()),
    );
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
    let refused = update_invoice(&world.order, &world.ctx(partner()));
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Forbidden);
}

// --- versions and documents ---

#[test]
fn first_change_issues_the_cancellation_document_immediately() {
    let mut world = world();
    let decision = no_fee_option(&mut world, "anna", "anna-ws");
    assert_eq!(decision.documents.len(), 1);
    assert_eq!(
        decision.documents[0].kind,
        DocumentKind::Cancellation {
            cancels: world.document("CDC25/001").reference()
        }
    );
}

#[test]
fn while_editing_the_customers_newest_document_is_the_cancellation_document() {
    let mut world = world();
    no_fee_option(&mut world, "anna", "anna-ws");
    let newest = world.order.archive().next().unwrap();
    assert!(matches!(newest.kind, DocumentKind::Cancellation { .. }));
    assert_eq!(newest.payable, eur(dec!(-1071)));
}

#[test]
fn several_changes_while_editing_produce_one_new_version() {
    let mut world = world();
    no_fee_option(&mut world, "anna", "anna-ws");
    let second = no_fee_option(&mut world, "ben", "ben-pass");
    assert!(second.documents.is_empty());
    let update = world.run(staff(), update_invoice).unwrap();
    assert_eq!(update.documents.len(), 1);
    assert_eq!(update.documents[0].number.to_string(), "CDC25/001/2");
    assert_eq!(update.documents[0].gross, eur(dec!(476)));
    assert_eq!(world.documents.len(), 3);
}

#[test]
fn update_without_a_change_is_refused() {
    let world = world();
    let refused = update_invoice(&world.order, &world.ctx(staff()));
    assert_eq!(refused.unwrap_err(), DomainError::NothingToUpdate);
}

#[test]
fn a_cancellation_document_negates_every_line_and_rate_of_a_mixed_rate_invoice() {
    let mut new = converia_order(issuer(
        CancelledOptionPresentation::CancellationLine,
        FeeVatMode::Proportional,
    ));
    new.bookings[0].options[1] = option("anna-ws", "Workshop lunch", dec!(33.33), dec!(7));
    new.bookings[1]
        .options
        .push(option("ben-book", "Proceedings", dec!(19.99), dec!(0)));
    // 19 %: 400 + 400 = 800 net, 152.00 VAT; 7 %: 33.33 net, 2.33 VAT; 0 %: 19.99.
    new.captured = eur(dec!(952) + dec!(35.66) + dec!(19.99));
    let mut world = World::register(new, &[conference()], at(2025, 4, 1));
    no_fee_option(&mut world, "anna", "anna-ws");
    let invoice = world.document("CDC25/001");
    let credit = world.document("CDC25/002");
    assert_eq!(invoice.vat_breakdown.len(), 3);
    for (line, negated) in invoice.lines.iter().zip(&credit.lines) {
        assert!((line.net + negated.net).is_zero());
        assert_eq!(line.quantity, -negated.quantity);
        assert_eq!(line.unit_price, negated.unit_price);
    }
    for (rate, negated) in invoice.vat_breakdown.iter().zip(&credit.vat_breakdown) {
        assert_eq!((rate.rate, rate.category), (negated.rate, negated.category));
        assert!((rate.taxable + negated.taxable).is_zero() && (rate.vat + negated.vat).is_zero());
    }
    assert!((invoice.payable + credit.payable).is_zero());
    assert_eq!(
        credit.kind,
        DocumentKind::Cancellation {
            cancels: invoice.reference()
        }
    );
}

#[test]
fn document_numbers_of_an_issuer_are_gapless_and_restart_with_the_year() {
    let mut world = world();
    no_fee_option(&mut world, "anna", "anna-ws");
    world.run(staff(), update_invoice).unwrap();
    no_fee_option(&mut world, "ben", "ben-pass");
    let numbers: Vec<String> = world
        .documents
        .iter()
        .map(|d| d.number.to_string())
        .collect();
    assert_eq!(
        numbers,
        ["CDC25/001", "CDC25/002", "CDC25/001/2", "CDC25/003"]
    );
    let next_year = SeriesKey::for_issue(&world.issuer, at(2026, 1, 2));
    assert_eq!(next_year.year, Some(2026));
}

#[test]
fn a_document_issued_on_new_years_night_in_berlin_takes_the_new_years_number() {
    // 31 December 23:30 UTC is 1 January 00:30 in Berlin.
    let night = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 12, 31, 23, 30, 0).unwrap();
    let world = World::register(
        converia_order(issuer(CancelledOptionPresentation::Omit, FeeVatMode::None)),
        &[date("conf-2026", "partner-1", at(2026, 3, 1), 1)].map(|mut d| {
            d.id = id("conf-2025");
            d
        }),
        night,
    );
    let invoice = world.document("CDC26/001");
    assert_eq!(invoice.issue_date.to_string(), "2026-01-01");
}

#[test]
fn issued_documents_are_never_changed_by_later_commands() {
    let mut world = world();
    let first = world.document("CDC25/001").clone();
    no_fee_option(&mut world, "anna", "anna-ws");
    world.run(staff(), update_invoice).unwrap();
    world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    assert_eq!(world.document("CDC25/001"), &first);
    assert_eq!(
        world
            .documents
            .iter()
            .filter(|d| d.number == first.number)
            .count(),
        1
    );
}

#[test]
fn a_cancelled_invoice_refuses_every_further_change() {
    let mut world = world();
    world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    let ctx = world.ctx(staff());
    assert_eq!(
        cancel_invoice(&world.order, &FeeChoice::None, &ctx).unwrap_err(),
        DomainError::InvoiceCancelled
    );
    assert_eq!(
        update_invoice(&world.order, &ctx).unwrap_err(),
        DomainError::InvoiceCancelled
    );
}

// --- fees ---

fn terms_fee_for_ben(world: &World) -> FeeQuote {
    cancel_booking(
        &world.order,
        &id("ben"),
        &FeeChoice::Terms,
        &world.ctx(staff()),
    )
    .unwrap()
    .fee
    .unwrap()
}

#[test]
fn the_terms_fee_comes_from_the_tier_for_the_days_before_the_start() {
    let mut world = world();
    world.now = at(2025, 4, 1); // 70 days before: no tier
    let early = terms_fee_for_ben(&world);
    assert_eq!(early.total, eur(dec!(0)));
    assert!(matches!(
        early.parts[0].rule,
        FeeRule::NoTierApplies { days_before: 70 }
    ));
    world.now = at(2025, 4, 20); // 51 days: the fixed 25.00 tier
    assert_eq!(terms_fee_for_ben(&world).total, eur(dec!(25)));
    world.now = at(2025, 6, 1); // 9 days: 100 % of Ben's 400.00 net
    let late = terms_fee_for_ben(&world);
    assert_eq!(late.total, eur(dec!(400)));
    assert!(matches!(
        late.parts[0].rule,
        FeeRule::Tier {
            number: 3,
            days_before: 9,
            ..
        }
    ));
}

#[test]
fn the_terms_in_force_at_registration_stay_with_the_order() {
    let mut world = world();
    let mut edited = conference();
    edited.terms = CancellationTerms::new(Vec::new(), Currency::EUR).unwrap();
    // The date's terms changed after registration; the order still has what was agreed.
    assert_eq!(world.order.frozen_terms[&edited.id], converia_terms());
    world.now = at(2025, 6, 1);
    // 100 % of what Ben paid, net (the issuer prices net).
    assert_eq!(terms_fee_for_ben(&world).total, eur(dec!(400)));
}

#[test]
fn an_individual_fee_needs_a_reason_and_may_not_exceed_what_was_paid() {
    let world = world();
    let ctx = world.ctx(staff());
    let fee = |amount, reason: &str| FeeChoice::Individual {
        amount: eur(amount),
        reason: reason.into(),
        includes_vat: None,
    };
    let refused = cancel_booking(&world.order, &id("ben"), &fee(dec!(10), "  "), &ctx);
    assert_eq!(refused.unwrap_err(), DomainError::FeeReasonMissing);
    let refused = cancel_booking(
        &world.order,
        &id("ben"),
        &fee(dec!(400.01), "no show"),
        &ctx,
    );
    assert_eq!(refused.unwrap_err().code(), "fee_exceeds_paid");
    let accepted =
        cancel_booking(&world.order, &id("ben"), &fee(dec!(400), "no show"), &ctx).unwrap();
    assert_eq!(accepted.fee.unwrap().total, eur(dec!(400)));
}

#[test]
fn an_option_with_its_own_fee_is_charged_that_fee_when_cancelled_alone() {
    let mut new = converia_order(issuer(
        CancelledOptionPresentation::Omit,
        FeeVatMode::ItemRate,
    ));
    new.bookings[0].options[1].own_cancellation_fee = Some(eur(dec!(30)));
    let world = World::register(new, &[conference()], at(2025, 4, 1));
    let ctx = world.ctx(staff());
    let decision = cancel_option(
        &world.order,
        &id("anna"),
        &id("anna-ws"),
        &FeeChoice::OptionOwnFee,
        &ctx,
    )
    .unwrap();
    let fee = decision.fee.unwrap();
    assert_eq!(fee.total, eur(dec!(30)));
    assert_eq!(
        fee.parts[0].rule,
        FeeRule::OptionOwnFee {
            option: id("anna-ws")
        }
    );
    let refused = cancel_option(
        &world.order,
        &id("ben"),
        &id("ben-pass"),
        &FeeChoice::OptionOwnFee,
        &ctx,
    );
    assert_eq!(refused.unwrap_err(), DomainError::NoOwnCancellationFee);
}

#[test]
fn a_fee_never_exceeds_what_was_paid_for_what_is_cancelled() {
    let mut new = converia_order(issuer(
        CancelledOptionPresentation::Omit,
        FeeVatMode::ItemRate,
    ));
    new.bookings[0].options[1] = option("anna-ws", "Coffee voucher", dec!(10), dec!(19));
    new.bookings[0].options[1].own_cancellation_fee = Some(eur(dec!(50)));
    new.captured = eur(dec!(476) + dec!(11.90) + dec!(476));
    let mut world = World::register(new, &[conference()], at(2025, 4, 20));
    // The 25.00 fixed tier on an item of 10.00 net charges 10.00 net.
    let tier = cancel_option(
        &world.order,
        &id("anna"),
        &id("anna-ws"),
        &FeeChoice::Terms,
        &world.ctx(staff()),
    )
    .unwrap();
    assert_eq!(tier.fee.unwrap().total, eur(dec!(10.00)));
    let own = world
        .run(staff(), |o, c| {
            cancel_option(o, &id("anna"), &id("anna-ws"), &FeeChoice::OptionOwnFee, c)
        })
        .unwrap();
    assert_eq!(own.fee.unwrap().total, eur(dec!(10.00)));
    assert_eq!(world.refunds(), eur(dec!(0)));
}

#[test]
fn fee_vat_follows_the_issuers_setting() {
    let mut new = converia_order(issuer(CancelledOptionPresentation::Omit, FeeVatMode::None));
    new.bookings[1]
        .options
        .push(option("ben-book", "Proceedings", dec!(100), dec!(7)));
    new.captured = eur(dec!(1071) + dec!(107));
    let fee = FeeChoice::Individual {
        amount: eur(dec!(100)),
        reason: "late".into(),
        includes_vat: None,
    };
    let lines_for = |mode| {
        let mut new = new.clone();
        new.issuer.fee_vat = mode;
        let world = World::register(new, &[conference()], at(2025, 4, 1));
        let decision = cancel_booking(&world.order, &id("ben"), &fee, &world.ctx(staff())).unwrap();
        decision
            .fee
            .unwrap()
            .lines
            .iter()
            .map(|l| (l.vat_rate.percent(), l.net.amount()))
            .collect::<Vec<_>>()
    };
    // The issuer prices net: the fee of 100.00 is net, its VAT comes on top per rate.
    assert_eq!(lines_for(FeeVatMode::None), [(dec!(0), dec!(100.00))]);
    // The cancelled items carry two rates: the fee takes both, the same share of each rate's
    // price (EuGH C-295/17): 100 / 500 and 400 / 500 of 100.00 net — which is also 21.40 of
    // 107.00 and 95.20 of 476.00 gross, the same 20 % of each.
    assert_eq!(
        lines_for(FeeVatMode::ItemRate),
        [(dec!(7), dec!(20.00)), (dec!(19), dec!(80.00))]
    );
    assert_eq!(
        lines_for(FeeVatMode::Proportional),
        [(dec!(7), dec!(20.00)), (dec!(19), dec!(80.00))]
    );
}

#[test]
fn a_fee_of_everything_paid_on_two_rates_costs_exactly_what_was_paid() {
    // Weighting a net fee by the items' gross would put 81.65 % of it at 19 % and make a fee
    // of the whole 500.00 net cost 585.xx instead of the 583.00 paid.
    let mut new = converia_order(issuer(
        CancelledOptionPresentation::Omit,
        FeeVatMode::ItemRate,
    ));
    new.bookings[1]
        .options
        .push(option("ben-book", "Proceedings", dec!(100), dec!(7)));
    new.captured = eur(dec!(1071) + dec!(107));
    let world = World::register(new, &[conference()], at(2025, 4, 1));
    let everything = FeeChoice::Individual {
        amount: eur(dec!(500)),
        reason: "no show".into(),
        includes_vat: None,
    };
    let quote = cancel_booking(&world.order, &id("ben"), &everything, &world.ctx(staff()))
        .unwrap()
        .fee
        .unwrap();
    assert_eq!(quote.gross, Some(eur(dec!(583.00))));
}

#[test]
fn an_individual_fee_says_whether_it_includes_vat_and_the_quote_states_net_vat_and_gross() {
    // A net-priced issuer; ben's pass costs 400.00 net at 19 %.
    let world = World::register(
        converia_order(issuer(
            CancelledOptionPresentation::Omit,
            FeeVatMode::ItemRate,
        )),
        &[conference()],
        at(2025, 4, 1),
    );
    let quote = |includes_vat| {
        let fee = FeeChoice::Individual {
            amount: eur(dec!(50.00)),
            reason: "late".into(),
            includes_vat,
        };
        cancel_booking(&world.order, &id("ben"), &fee, &world.ctx(staff()))
            .unwrap()
            .fee
            .unwrap()
    };
    // As the customer pays it: 42.02 net + 7.98 VAT = 50.00.
    let gross = quote(Some(true));
    assert_eq!(gross.total, eur(dec!(42.02)));
    assert_eq!(
        (gross.net, gross.vat, gross.gross),
        (
            Some(eur(dec!(42.02))),
            Some(eur(dec!(7.98))),
            Some(eur(dec!(50.00)))
        )
    );
    // Net, like the issuer's prices (also without saying): 50.00 + 9.50 = 59.50.
    for includes_vat in [Some(false), None] {
        let net = quote(includes_vat);
        assert_eq!(net.total, eur(dec!(50.00)));
        assert_eq!(
            (net.net, net.vat, net.gross),
            (
                Some(eur(dec!(50.00))),
                Some(eur(dec!(9.50))),
                Some(eur(dec!(59.50)))
            )
        );
    }
}

#[test]
fn a_fee_names_only_the_attendees_it_charges() {
    let mut world = world();
    // Terms on the order's dates; only some bookings may fall under a tier that charges. With
    // an individual fee, the fee is charged on the first cancelled booking only.
    world.now = at(2025, 4, 1);
    let decision = world
        .run(staff(), |o, c| {
            cancel_invoice(
                o,
                &FeeChoice::Individual {
                    amount: eur(dec!(10)),
                    reason: "agreed".into(),
                    includes_vat: None,
                },
                c,
            )
        })
        .unwrap();
    let line = &decision.fee.unwrap().lines[0];
    let charged = &world.order.bookings[0].attendee_name;
    let other = &world.order.bookings[1].attendee_name;
    assert!(
        line.description.contains(&**charged),
        "{}",
        line.description
    );
    assert!(!line.description.contains(&**other), "{}", line.description);
}

#[test]
fn when_the_whole_invoice_is_cancelled_the_fee_comes_on_a_fee_invoice_of_its_own() {
    let mut world = world();
    world.now = at(2025, 6, 1);
    let decision = world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::Terms, c))
        .unwrap();
    let fee_invoice = &decision.documents[1];
    assert_eq!(
        fee_invoice.kind,
        DocumentKind::FeeInvoice {
            after_cancelled: world.document("CDC25/001").reference()
        }
    );
    assert_eq!(fee_invoice.payable, eur(dec!(1071)));
    assert!(fee_invoice.lines.iter().all(|l| l.kind == LineKind::Fee));
}

#[test]
fn a_dry_run_names_fee_rule_documents_and_money_and_leaves_the_order_untouched() {
    let mut world = world();
    world.now = at(2025, 5, 20);
    let before = world.order.clone();
    let quote = cancel_booking(
        &world.order,
        &id("ben"),
        &FeeChoice::Terms,
        &world.ctx(staff()),
    )
    .unwrap();
    assert_eq!(
        world.order, before,
        "the command only decides; nothing is recorded"
    );
    let fee = quote.fee.as_ref().unwrap();
    assert!(
        matches!(&fee.parts[0].rule, FeeRule::Tier { description, .. } if description.contains("50 %"))
    );
    assert_eq!(quote.documents.len(), 1);
    let refund = refunds(&quote.followups);
    assert_eq!(refund, [eur(dec!(238))]);
    assert!(quote.posting.as_ref().unwrap().is_balanced());
    assert_eq!(quote.numbers.as_ref().unwrap().count, 1);
}

#[test]
fn stored_terms_are_checked_and_sorted_when_read_back() {
    let json = serde_json::json!({"tiers": [
        {"up_to_days_before": 60, "percent": null, "fixed": {"amount": "25.00", "currency": "EUR"}, "cap": null},
        {"up_to_days_before": 13, "percent": "100", "fixed": null, "cap": null}
    ]});
    let terms: CancellationTerms = serde_json::from_value(json).unwrap();
    let start = at(2025, 6, 10);
    let late = terms
        .tier_at(
            start,
            start - chrono::Duration::days(5),
            storno_core::TimeZone::BERLIN,
        )
        .unwrap();
    assert_eq!(
        late.tier.up_to_days_before, 13,
        "the tightest window applies"
    );
    let empty = serde_json::json!({"tiers": [{"up_to_days_before": 3, "percent": null, "fixed": null, "cap": null}]});
    assert!(serde_json::from_value::<CancellationTerms>(empty).is_err());
    let prefix = serde_json::json!({"prefix": "A/B", "yearly": true});
    assert!(serde_json::from_value::<NumberFormat>(prefix).is_err());
}
