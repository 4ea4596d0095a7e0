//! A fee's VAT: how it splits across the VAT rates of what it cancels.

use std::collections::BTreeMap;

use crate::fee::Cancelled;
use crate::issuer::FeeVatMode;
use crate::money::Money;
use crate::order::BookingOption;
use crate::rate::VatRate;

/// How a fee splits across VAT rates, per the issuer's [`FeeVatMode`]. The fee is consideration
/// for the cancelled supply and takes its rate; when the cancelled items carry several rates it
/// is split in proportion to what was paid at each (EuGH C-295/17): every rate's part of the
/// fee is the same share of what that rate's items cost. In the order's price entry: a net fee
/// by the nets, a gross fee by the grosses — the same shares, since each rate's gross is its
/// net times one factor. (Splitting a net fee by gross weights would shift it toward the higher
/// rate: a fee of everything paid would then cost more than was paid.) So a fee never carries
/// more VAT than what it replaces.
pub(crate) fn split_by_rate(
    mode: FeeVatMode,
    cancelled: &[Cancelled<'_>],
    total: Money,
) -> Vec<(VatRate, Money)> {
    let mut paid_by_rate: BTreeMap<VatRate, Money> = BTreeMap::new();
    let mut largest: Option<(&BookingOption, Money)> = None;
    for option in cancelled.iter().flat_map(|c| c.options.iter()) {
        let amount = option.amount();
        let entry = paid_by_rate
            .entry(option.vat_rate)
            .or_insert(Money::zero(total.currency()));
        *entry = *entry + amount;
        let larger = largest.is_none_or(|(best, best_amount)| {
            (amount.amount(), option.vat_rate) > (best_amount.amount(), best.vat_rate)
        });
        if larger {
            largest = Some((option, amount));
        }
    }
    match mode {
        FeeVatMode::None => vec![(VatRate::ZERO, total)],
        FeeVatMode::ItemRate if paid_by_rate.len() <= 1 => {
            vec![(largest.map_or(VatRate::ZERO, |(o, _)| o.vat_rate), total)]
        }
        FeeVatMode::ItemRate | FeeVatMode::Proportional => proportional_split(total, &paid_by_rate),
    }
}

/// Splits `total` across rates in proportion to what was paid at each rate; what rounding
/// leaves over goes to the highest rate.
fn proportional_split(
    total: Money,
    paid_by_rate: &BTreeMap<VatRate, Money>,
) -> Vec<(VatRate, Money)> {
    let paid: Vec<(VatRate, Money)> = paid_by_rate
        .iter()
        .filter(|(_, gross)| gross.is_positive())
        .map(|(rate, gross)| (*rate, *gross))
        .collect();
    let base = Money::sum(total.currency(), paid.iter().map(|(_, gross)| gross));
    if base.is_zero() {
        return vec![(VatRate::ZERO, total)];
    }
    // Shares round toward zero, so what is left for the highest rate is never negative.
    let mut shares: Vec<(VatRate, Money)> = paid
        .iter()
        .map(|(rate, gross)| {
            let share = (total.amount() * gross.amount() / base.amount()).round_dp_with_strategy(
                total.currency().minor_units(),
                rust_decimal::RoundingStrategy::ToZero,
            );
            (*rate, Money::rounded(share, total.currency()))
        })
        .collect();
    let allotted = Money::sum(total.currency(), shares.iter().map(|(_, m)| m));
    if let Some(highest) = shares.last_mut() {
        highest.1 = highest.1 + (total - allotted);
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    fn eur(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::EUR).unwrap()
    }

    #[test]
    fn a_proportional_fee_split_sums_to_the_fee_with_the_remainder_on_the_highest_rate() {
        let mut by_rate = BTreeMap::new();
        by_rate.insert(VatRate::new(dec!(7)).unwrap(), eur(dec!(100)));
        by_rate.insert(VatRate::new(dec!(19)).unwrap(), eur(dec!(100)));
        by_rate.insert(VatRate::ZERO, eur(dec!(100)));
        let split = proportional_split(eur(dec!(100)), &by_rate);
        let amounts: Vec<_> = split.iter().map(|(_, m)| m.amount()).collect();
        assert_eq!(amounts, vec![dec!(33.33), dec!(33.33), dec!(33.34)]);
        assert_eq!(split[2].0, VatRate::new(dec!(19)).unwrap());
    }

    #[test]
    fn a_proportional_split_skips_unpaid_rates_and_never_goes_negative() {
        let mut by_rate = BTreeMap::new();
        by_rate.insert(VatRate::ZERO, eur(dec!(50)));
        by_rate.insert(VatRate::new(dec!(7)).unwrap(), eur(dec!(50)));
        by_rate.insert(VatRate::new(dec!(19)).unwrap(), eur(dec!(0)));
        let split = proportional_split(eur(dec!(1.01)), &by_rate);
        let amounts: Vec<_> = split.iter().map(|(_, m)| m.amount()).collect();
        assert_eq!(amounts, vec![dec!(0.50), dec!(0.51)]);
    }
}
