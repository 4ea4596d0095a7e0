//! Property tests: random command sequences on random orders, with the money and document
//! invariants checked after every step. Cases come from `PROPTEST_CASES` (the test command
//! sets 10,000).

mod common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use storno_core::*;

#[derive(Debug, Clone)]
enum Step {
    CancelOption(usize, usize, Fee),
    CancelBooking(usize, Fee),
    CancelInvoice(Fee),
    UpdateInvoice,
    RebookFlag(bool),
    Rebook(usize),
    ReportCannotRun,
    Resolve(Resolution),
    ReleasePayout,
    RequestRebooking,
    DecideRequest(bool),
    Wait(i64),
    /// A whole-date action on one of the course dates: rebook all (to the date given) or
    /// cancel all.
    OnDate(usize, Option<usize>),
}

#[derive(Debug, Clone)]
enum Fee {
    None,
    Terms,
    /// An individual fee of this many hundredths of what the cancelled items cost (may exceed).
    Individual(u32),
    Own,
}

fn fee_choice(fee: &Fee, order: &Order, paid_hint: Money) -> FeeChoice {
    match fee {
        Fee::None => FeeChoice::None,
        Fee::Terms => FeeChoice::Terms,
        Fee::Own => FeeChoice::OptionOwnFee,
        Fee::Individual(hundredths) => FeeChoice::Individual {
            amount: paid_hint.times(Decimal::from(*hundredths) / Decimal::ONE_HUNDRED),
            reason: format!("individual {}", order.revision),
            includes_vat: None,
        },
    }
}

fn fee_strategy() -> impl Strategy<Value = Fee> {
    prop_oneof![
        Just(Fee::None),
        Just(Fee::Terms),
        (0u32..120).prop_map(Fee::Individual),
        Just(Fee::Own),
    ]
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..5, 0usize..3, fee_strategy()).prop_map(|(b, o, f)| Step::CancelOption(b, o, f)),
        3 => (0usize..5, fee_strategy()).prop_map(|(b, f)| Step::CancelBooking(b, f)),
        1 => fee_strategy().prop_map(Step::CancelInvoice),
        3 => Just(Step::UpdateInvoice),
        2 => any::<bool>().prop_map(Step::RebookFlag),
        2 => (0usize..5).prop_map(Step::Rebook),
        1 => Just(Step::ReportCannotRun),
        2 => prop_oneof![
            Just(Resolution::RebookingDeclined),
            Just(Resolution::CreditDeclined),
            Just(Resolution::GrantCredit),
            Just(Resolution::Refund),
        ].prop_map(Step::Resolve),
        2 => Just(Step::ReleasePayout),
        1 => Just(Step::RequestRebooking),
        1 => any::<bool>().prop_map(Step::DecideRequest),
        3 => (0i64..90).prop_map(Step::Wait),
        2 => (0usize..4, proptest::option::of(0usize..4)).prop_map(|(d, t)| Step::OnDate(d, t)),
    ]
}

/// A random order of 1 to 5 attendees with 1 to 3 options each, on the course dates, priced
/// net or gross.
fn order_strategy() -> impl Strategy<Value = (Sale, u32)> {
    let option = (
        1u32..100_000,
        1u32..4,
        prop_oneof![Just(0u32), Just(7), Just(19)],
        proptest::option::of(0u32..20_000),
    );
    let attendee = (0usize..4, proptest::collection::vec(option, 1..=3));
    (
        proptest::collection::vec(attendee, 1..=5),
        any::<bool>(),
        prop_oneof![
            Just(FeeVatMode::None),
            Just(FeeVatMode::ItemRate),
            Just(FeeVatMode::Proportional)
        ],
        0u32..400,
        0u32..30,
        any::<bool>(),
        prop_oneof![2 => Just(0u32), 1 => 1u32..=100],
    )
        .prop_map(
            |(bookings, omit, fee_vat, commission_tenths, delay, gross, credit_percent)| {
                let mut new = course_order(SalesChannel::Direct);
                let presentation = if omit {
                    CancelledOptionPresentation::Omit
                } else {
                    CancelledOptionPresentation::CancellationLine
                };
                let prices = if gross {
                    PriceEntry::Gross
                } else {
                    PriceEntry::Net
                };
                new.set_issuer(an_issuer(
                    "random",
                    "RND",
                    true,
                    prices,
                    presentation,
                    fee_vat,
                ));
                new.commission_rate = pct(Decimal::new(commission_tenths.into(), 1));
                new.payout_delay_days = delay;
                new.bookings = bookings
                    .into_iter()
                    .enumerate()
                    .map(|(b, (date, options))| {
                        let options = options
                            .into_iter()
                            .enumerate()
                            .map(|(o, (cents, quantity, rate, own_fee))| NewOption {
                                id: id(&format!("o{o}")),
                                name: format!("Package {o}"),
                                unit_price: eur(Decimal::new(cents.into(), 2)),
                                quantity,
                                vat_rate: vat(rate.into()),
                                own_cancellation_fee: own_fee
                                    .map(|c| eur(Decimal::new(c.into(), 2))),
                                price_entry: None,
                            })
                            .collect();
                        booking(
                            &format!("b{b}"),
                            &format!("Attendee {b}"),
                            course_dates()[date].id.as_str(),
                            options,
                        )
                    })
                    .collect();
                (new, credit_percent)
            },
        )
}

/// Registers `new` with the capture the invoice asks for (gross prices add up as charged; net
/// prices get VAT once per rate), `credit_percent` of it paid with account credit.
fn registered((mut new, credit_percent): (Sale, u32)) -> World {
    let mut per_rate: BTreeMap<VatRate, Decimal> = BTreeMap::new();
    for option in new.bookings.iter().flat_map(|b| &b.options) {
        *per_rate.entry(option.vat_rate).or_default() +=
            option.unit_price.amount() * Decimal::from(option.quantity);
    }
    let captured = per_rate
        .iter()
        .fold(eur(Decimal::ZERO), |sum, (rate, amount)| {
            let amount = eur(*amount);
            match new.issuer.prices {
                PriceEntry::Gross => sum + amount,
                PriceEntry::Net => sum + amount + rate.vat_on(amount),
            }
        });
    new.captured = captured;
    let credit =
        eur((captured.amount() * Decimal::from(credit_percent) / Decimal::ONE_HUNDRED).round_dp(2));
    new.payments = [
        (PaymentMethod::Credit, credit),
        (PaymentMethod::Original, captured - credit),
    ]
    .into_iter()
    .filter(|(_, amount)| amount.is_positive())
    .map(|(method, amount)| PaymentPart { method, amount })
    .collect();
    World::register(new, &course_dates(), at(2025, 1, 10))
}

fn apply(world: &mut World, step: &Step) -> Result<Decision, DomainError> {
    let booking_id = |w: &World, b: usize| w.order.bookings[b % w.order.bookings.len()].id.clone();
    match step {
        Step::CancelOption(b, o, fee) => {
            let booking = world.order.booking(&booking_id(world, *b)).unwrap().clone();
            let option = booking.options[o % booking.options.len()].clone();
            let choice = fee_choice(fee, &world.order, option.amount());
            world.run(staff(), |ord, c| {
                cancel_option(ord, &booking.id, &option.id, &choice, c)
            })
        }
        Step::CancelBooking(b, fee) => {
            let booking = world.order.booking(&booking_id(world, *b)).unwrap().clone();
            let paid = booking
                .active_options()
                .fold(eur(Decimal::ZERO), |s, o| s + o.amount());
            let choice = fee_choice(fee, &world.order, paid);
            world.run(staff(), |ord, c| {
                cancel_booking(ord, &booking.id, &choice, c)
            })
        }
        Step::CancelInvoice(fee) => {
            let choice = fee_choice(fee, &world.order, world.order.items_gross());
            world.run(staff(), |ord, c| cancel_invoice(ord, &choice, c))
        }
        Step::UpdateInvoice => world.run(staff(), update_invoice),
        Step::RebookFlag(on) => world.run(partner(), |o, c| set_rebook_flag(o, *on, c)),
        Step::Rebook(d) => {
            let target = course_dates()[d % 4].clone();
            world.run(staff(), |o, c| rebook(o, &target, Rebooking::default(), c))
        }
        Step::ReportCannotRun => world.run(partner(), |o, c| report_cannot_run(o, &[], c)),
        Step::Resolve(resolution) => world.run(staff(), |o, c| {
            resolve_partner_cancellation(o, *resolution, c)
        }),
        Step::ReleasePayout => {
            let debit = world.partner_debit;
            let before = world.order.clone();
            let result = world.run(Actor::System, |o, c| {
                release_payout(o, debit, &billed_partner(), c)
            });
            if result.is_ok() {
                assert!(!before.rebook_flag, "released while paused");
                assert!(
                    !before.rebooking_requests.iter().any(|r| matches!(
                        r.state,
                        storno_core::rebooking::RequestState::Approved { .. }
                    )),
                    "released while an approved rebooking waits"
                );
                assert!(
                    before.payout_hold.is_none(),
                    "released while held for staff"
                );
                assert_ne!(
                    before.invoice.status,
                    InvoiceStatus::Editing,
                    "released while the invoice is being changed"
                );
                assert!(before.payout.released.is_none(), "released twice");
                assert!(
                    !before.partner_cancellation.iter().any(|pc| pc.is_open()),
                    "released while withheld"
                );
                assert!(world.now >= before.payout_due_at(), "released before due");
                assert!(
                    !before.partner_due().is_negative() && !before.partner_due().is_zero(),
                    "released nothing"
                );
            }
            result
        }
        Step::RequestRebooking => world.run(customer(), |o, c| request_rebooking(o, "ill", &[], c)),
        Step::DecideRequest(approve) => {
            let Some(request) = world.order.rebooking_requests.last().map(|r| r.id.clone()) else {
                return Err(DomainError::NotFound("rebooking request"));
            };
            world.run(partner(), |o, c| {
                decide_rebooking_request(o, &request, *approve, c)
            })
        }
        Step::Wait(days) => {
            world.now += Duration::days(*days);
            Err(DomainError::NothingToUpdate)
        }
        Step::OnDate(d, target) => {
            let date = course_dates()[*d].id.clone();
            let target = target.map(|t| course_dates()[t].clone());
            let action = match &target {
                Some(t) => DateAction::RebookAll {
                    target: t.id.clone(),
                },
                None => DateAction::CancelAll,
            };
            let before = world.order.clone();
            let now = world.now;
            let result = world.run(staff(), |o, c| {
                act_on_date_order(o, &date, &action, target.as_ref(), c)
            });
            if result.is_ok() {
                // Only the bookings on that date whose course has not taken place changed.
                for (was, is) in before.bookings.iter().zip(&world.order.bookings) {
                    if was.date.id != date || before.course_held(was, now) || !was.is_valid() {
                        assert_eq!(was.date, is.date, "a booking on another date moved");
                        assert_eq!(was.status, is.status);
                    }
                }
            }
            result
        }
    }
}

/// One document on its own: VAT per rate is round(Σ net × rate) (BR-CO-17) and the line nets
/// add up to each rate's taxable amount; the totals add up; a gross-priced document asks for
/// exactly what its lines charge; a cancellation is the exact negation of what it cancels.
fn check_document(document: &Document) {
    let currency = document.currency();
    let zero = Money::zero(currency);
    for summary in &document.vat_breakdown {
        let nets = document
            .lines
            .iter()
            .filter(|l| l.vat_rate == summary.rate)
            .fold(zero, |sum, l| sum + l.net);
        assert_eq!(
            nets, summary.taxable,
            "{}: line nets of {}",
            document.number, summary.rate
        );
        if document.header.prices == PriceEntry::Gross {
            // The VAT a gross price contains: what was charged at the rate minus its net,
            // within a cent of round(net × rate) (BR-CO-17 allows a currency unit).
            let charged = document
                .lines
                .iter()
                .filter(|l| l.vat_rate == summary.rate)
                .fold(zero, |sum, l| sum + l.gross.expect("gross-priced lines"));
            assert_eq!(summary.vat, charged - summary.taxable, "VAT contained");
            let computed = summary.rate.vat_on(summary.taxable);
            assert!((summary.vat - computed).amount().abs() <= Decimal::new(1, 2));
        } else if document.is_cancellation() {
            assert_eq!(-summary.vat, summary.rate.vat_on(-summary.taxable));
        } else {
            assert_eq!(
                summary.vat,
                summary.rate.vat_on(summary.taxable),
                "BR-CO-17"
            );
        }
    }
    let taxable = Money::sum(currency, document.vat_breakdown.iter().map(|s| &s.taxable));
    let vat = Money::sum(currency, document.vat_breakdown.iter().map(|s| &s.vat));
    assert_eq!((document.net, document.vat), (taxable, vat));
    assert_eq!(document.gross, document.net + document.vat);
    assert_eq!(document.payable, document.gross + document.rounding);
    if document.header.prices == PriceEntry::Gross {
        let charged = document
            .lines
            .iter()
            .fold(zero, |sum, l| sum + l.gross.expect("gross-priced lines"));
        assert_eq!(document.payable, charged, "what was charged, exactly");
    }
    assert!(document.rounding.is_zero(), "nothing left to round");
    for line in &document.lines {
        assert!(
            !line.unit_price.is_sign_negative(),
            "BR-27: no negative prices"
        );
    }
}

fn check_invariants(
    world: &World,
    issued: &mut BTreeMap<String, std::sync::Arc<Document>>,
    decision: Option<&Decision>,
) {
    let order = &world.order;
    let zero = eur(Decimal::ZERO);

    // Every posting balances.
    assert!(world.postings.iter().all(Posting::is_balanced));

    // captured = refunds + credit returned + fees kept + commission + the partner's share.
    let refunds = world.refunds();
    let credit = world.customer_credit + order.paid_with_credit;
    assert_eq!(
        order.captured,
        refunds + credit + order.fees_gross() + order.commission() + order.partner_share()
    );
    // Refunds and credit never exceed what was paid less the fees kept.
    assert!((refunds + credit).amount() <= (order.captured - order.fees_gross()).amount());
    assert!(!refunds.is_negative() && !credit.is_negative());
    // Money goes back the way it came: the original payment never gets back more than it
    // paid, and (unless the customer accepted credit for a course that could not run) credit
    // only comes back once the original payment got all of its part, and never more than was
    // paid with credit.
    let paid_originally = order.captured - order.paid_with_credit;
    assert!(refunds.amount() <= paid_originally.amount());
    if order.partner_cancellation.is_none() {
        assert!(credit.amount() <= order.paid_with_credit.amount());
        if credit.is_positive() {
            assert_eq!(
                refunds, paid_originally,
                "credit returned before the payment"
            );
        }
    }
    // The credit account's entries explain its balance.
    let entries = world
        .credit_entries
        .iter()
        .fold(zero, |sum, e| sum + e.change());
    assert_eq!(entries, world.customer_credit);

    // The ledger explains the same figures account by account (refunds and transfers booked
    // out when the provider executed them).
    assert_eq!(world.balance(Account::RefundsPayable), zero);
    assert_eq!(world.balance(Account::TransfersPayable), zero);
    assert_eq!(
        world.balance(Account::CustomerCredit),
        world.customer_credit
    );
    assert_eq!(world.commission_booked(), order.commission());
    assert_eq!(
        world.balance(Account::CustomerPayments),
        paid_originally - world.transfers() - refunds
    );
    let vat: Money = order
        .vat_owed()
        .keys()
        .map(|rate| world.balance(Account::Vat(*rate)))
        .fold(zero, |sum, m| sum + m);
    let partner_side = world.balance(Account::PartnerPayable)
        + world.balance(Account::FeeIncome)
        + vat
        + world.transfers()
        - world.balance(Account::PartnerDebits);
    assert_eq!(partner_side, order.partner_due());
    if order.payout.released.is_none() {
        for (rate, owed) in order.vat_owed() {
            assert_eq!(world.balance(Account::Vat(rate)), owed, "VAT at {rate}");
        }
    }

    // Σ invoices − Σ cancellation documents = what is owed (nothing while editing: the last
    // version is already cancelled and the new one not yet issued).
    let documented = world.documented_total();
    match order.invoice.status {
        InvoiceStatus::Editing => assert_eq!(documented, zero),
        _ => assert_eq!(documented, order.owed()),
    }

    // A document once issued never changes; numbers per series are 1..n without gap or duplicate.
    if let Some(decision) = decision {
        for document in &decision.documents {
            let previous = issued.insert(document.number.to_string(), document.clone());
            assert!(
                previous.is_none(),
                "number {} issued twice",
                document.number
            );
        }
        if let Some(fee) = &decision.fee {
            let charged = fee
                .lines
                .iter()
                .fold(zero, |sum, l| sum + l.amount(order.prices));
            assert_eq!(charged, fee.total);
            assert!(fee.total.amount() <= fee.paid_for_cancelled.amount());
        }
    }
    for document in &world.documents {
        assert_eq!(&issued[&document.number.to_string()], document);
        check_document(document);
    }
    assert_eq!(
        issued[&order.invoice.current.number.to_string()],
        order.invoice.current
    );
    let mut by_series: BTreeMap<Option<i32>, Vec<u32>> = BTreeMap::new();
    for document in world.documents.iter().filter(|d| d.number.version() == 1) {
        by_series
            .entry(document.number.year())
            .or_default()
            .push(document.number.seq());
    }
    for seqs in by_series.values() {
        assert_eq!(*seqs, (1..=seqs.len() as u32).collect::<Vec<_>>());
    }

    // The commission invoiced to the partner is what left the uninvoiced commission, at most
    // once (with the payout).
    let invoiced = Money::sum(
        order.currency,
        world
            .documents
            .iter()
            .filter(|d| d.kind.is_partners())
            .map(|d| &d.payable),
    );
    assert_eq!(
        invoiced,
        world.commission_booked() - world.balance(Account::PlatformCommission)
    );
    assert!(
        world
            .documents
            .iter()
            .filter(|d| d.kind.is_partners())
            .count()
            <= 1
    );

    // At most one payout transfer per order.
    let transfers = world
        .followups
        .iter()
        .filter(|f| matches!(f.effect, Effect::TransferPayout { .. }))
        .count();
    assert!(transfers <= 1);
}

proptest! {
    #![proptest_config(ProptestConfig { max_shrink_iters: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn money_and_document_invariants_hold_after_every_command(
        new in order_strategy(),
        steps in proptest::collection::vec(step_strategy(), 1..16),
    ) {
        let mut world = registered(new);
        let mut issued = BTreeMap::new();
        for document in &world.documents {
            issued.insert(document.number.to_string(), document.clone());
        }
        check_invariants(&world, &mut issued, None);
        for step in &steps {
            let before = world.order.clone();
            match apply(&mut world, step) {
                Ok(decision) => {
                    prop_assert_eq!(decision.order.revision, before.revision + 1);
                    check_invariants(&world, &mut issued, Some(&decision));
                }
                Err(_) => prop_assert_eq!(&world.order, &before, "a refused command changes nothing"),
            }
        }
    }
}
