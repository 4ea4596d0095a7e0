//! The VAT of documents: totals per rate, gross prices, reversals.

use super::*;
use rust_decimal_macros::dec;

fn eur(amount: Decimal) -> Money {
    Money::new(amount, Currency::EUR).unwrap()
}

fn net_line(net: Decimal, rate: Decimal) -> DocumentLine {
    DocumentLine::net_priced(
        LineKind::Item,
        "x".into(),
        1,
        eur(net),
        VatRate::new(rate).unwrap(),
    )
}

fn gross_line(gross: Decimal, rate: Decimal, quantity: i64) -> DocumentLine {
    DocumentLine::gross_priced(
        LineKind::Item,
        "x".into(),
        quantity,
        eur(gross),
        VatRate::new(rate).unwrap(),
    )
}

#[test]
fn vat_is_rounded_once_per_rate_not_per_line() {
    let mut lines = vec![net_line(dec!(33.33), dec!(19)); 3];
    let totals = totals(&mut lines, PriceEntry::Net, Currency::EUR, None);
    assert_eq!(totals.vat, eur(dec!(19.00)));
    let mut many = vec![net_line(dec!(33.33), dec!(19)); 1000];
    let totals = super::totals(&mut many, PriceEntry::Net, Currency::EUR, None);
    assert_eq!(totals.vat, eur(dec!(6332.70)));
    assert_eq!(totals.rounding, eur(dec!(0)));
}

#[test]
fn gross_prices_are_charged_exactly_and_state_the_vat_they_contain() {
    for (gross, quantity, net, vat) in [
        (dec!(98.00), 2, dec!(82.35), dec!(15.65)),
        (dec!(13.00), 1, dec!(10.92), dec!(2.08)),
        (dec!(39.99), 1, dec!(33.61), dec!(6.38)),
        (dec!(99.99), 1, dec!(84.03), dec!(15.96)),
    ] {
        let mut lines = vec![gross_line(gross, dec!(19), quantity)];
        let totals = totals(&mut lines, PriceEntry::Gross, Currency::EUR, None);
        assert_eq!(totals.payable, eur(gross), "{gross}");
        assert_eq!((totals.net, totals.vat), (eur(net), eur(vat)), "{gross}");
        assert_eq!(totals.rounding, eur(dec!(0)), "{gross}");
        assert_eq!(lines[0].net, totals.net);
        // Within BR-CO-17's tolerance: a cent from round(net × rate) at most.
        let computed = VatRate::new(dec!(19)).unwrap().vat_on(totals.net);
        assert!((totals.vat - computed).amount().abs() <= dec!(0.01));
    }
}

#[test]
fn line_nets_of_a_gross_document_add_up_to_each_rate_taxable_amount() {
    let mut lines = vec![
        gross_line(dec!(49.00), dec!(19), 1),
        gross_line(dec!(49.00), dec!(19), 1),
        gross_line(dec!(10.70), dec!(7), 1),
        gross_line(dec!(-49.00), dec!(19), -1),
    ];
    let totals = totals(&mut lines, PriceEntry::Gross, Currency::EUR, None);
    for summary in &totals.vat_breakdown {
        let nets = lines
            .iter()
            .filter(|l| l.vat_rate == summary.rate)
            .fold(Money::zero(Currency::EUR), |s, l| s + l.net);
        assert_eq!(nets, summary.taxable);
    }
    assert_eq!(totals.payable, eur(dec!(59.70)));
}

#[test]
fn a_cancelled_items_line_and_its_cancellation_line_on_a_gross_document_cancel_exactly() {
    let option = |kind: LineKind, name: &str, gross: Decimal, quantity: i64| {
        let mut line = gross_line(gross, dec!(19), quantity);
        line.kind = kind;
        line.booking = Some(crate::ids::BookingId::parse("b0").unwrap());
        line.option = Some(crate::ids::OptionId::parse(name).unwrap());
        line
    };
    let mut lines = vec![
        option(LineKind::Item, "a", dec!(39.99), 1),
        option(LineKind::CancelledItem, "a", dec!(-39.99), -1),
        option(LineKind::Item, "b", dec!(39.99), 1),
        option(LineKind::Item, "c", dec!(39.99), 1),
    ];
    let totals = totals(&mut lines, PriceEntry::Gross, Currency::EUR, None);
    assert_eq!(lines[0].net, -lines[1].net, "the pair nets to zero");
    assert_eq!(totals.payable, eur(dec!(79.98)));
    let nets = lines
        .iter()
        .fold(Money::zero(Currency::EUR), |s, l| s + l.net);
    assert_eq!(nets, totals.net);
}

#[test]
fn payable_without_building_a_document_agrees_with_the_totals() {
    let mut lines = vec![net_line(dec!(33.33), dec!(19)), net_line(dec!(10), dec!(7))];
    let quick = payable(&lines, PriceEntry::Net, Currency::EUR);
    assert_eq!(
        quick,
        totals(&mut lines, PriceEntry::Net, Currency::EUR, None).payable
    );
}
