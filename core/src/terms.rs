//! Cancellation terms: tiers by days before the event start. The terms in force
//! are copied onto an order when it is registered, so later edits never reach existing orders.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::german;
use crate::money::{Currency, Money};
use crate::rate::Percentage;
use crate::time_zone::TimeZone;

/// One tier: applies to a cancellation made at most `up_to_days_before` whole days before the
/// event starts (and after any tighter tier's window).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FeeTier {
    pub up_to_days_before: u32,
    pub percent: Option<Percentage>,
    pub fixed: Option<Money>,
    pub cap: Option<Money>,
}

/// The tier as the fee line of a (German) document names it: `bis 30 Tage vor Beginn: 50 %`.
impl fmt::Display for FeeTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bis {} Tage vor Beginn:", self.up_to_days_before)?;
        let percent = self.percent.as_ref().map(german::percent);
        let fixed = self.fixed.as_ref().map(german::money);
        match (percent, fixed) {
            (Some(p), Some(x)) => write!(f, " {p} + {x}")?,
            (Some(p), None) => write!(f, " {p}")?,
            (None, Some(x)) => write!(f, " {x}")?,
            (None, None) => write!(f, " keine Gebühr")?,
        }
        if let Some(cap) = &self.cap {
            write!(f, ", höchstens {}", german::money(cap))?;
        }
        Ok(())
    }
}

/// The tiers of a date's cancellation terms, tightest window first. Deserialising checks and
/// sorts them like [`CancellationTerms::new`] (the currency is checked when an order freezes
/// them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "TermsRepr")]
pub struct CancellationTerms {
    tiers: Vec<FeeTier>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct TermsRepr {
    tiers: Vec<FeeTier>,
}

impl TryFrom<TermsRepr> for CancellationTerms {
    type Error = DomainError;
    fn try_from(repr: TermsRepr) -> Result<Self, Self::Error> {
        let currency = tiers_currency(&repr.tiers);
        CancellationTerms::new(repr.tiers, currency)
    }
}

/// The currency terms are in: that of their fixed amounts and caps (EUR when they have none,
/// e.g. percentages only).
pub fn tiers_currency(tiers: &[FeeTier]) -> Currency {
    tiers
        .iter()
        .flat_map(|t| [t.fixed, t.cap])
        .flatten()
        .map(|m| m.currency())
        .next()
        .unwrap_or(Currency::EUR)
}

/// The tier chosen for a cancellation, with its position (1 = the widest window) for quoting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedTier<'a> {
    pub number: usize,
    pub tier: &'a FeeTier,
    pub days_before: u32,
}

impl CancellationTerms {
    /// Terms from tiers in any order. Thresholds must differ; each tier needs a percentage or
    /// a fixed amount; money must be positive and in the order's currency.
    pub fn new(mut tiers: Vec<FeeTier>, currency: Currency) -> Result<Self, DomainError> {
        tiers.sort_by_key(|tier| tier.up_to_days_before);
        if tiers
            .windows(2)
            .any(|w| w[0].up_to_days_before == w[1].up_to_days_before)
        {
            return Err(DomainError::InvalidInput(
                "two cancellation tiers have the same number of days".into(),
            ));
        }
        for tier in &tiers {
            if tier.percent.is_none() && tier.fixed.is_none() {
                return Err(DomainError::InvalidInput(
                    "each cancellation tier needs a percentage or a fixed amount".into(),
                ));
            }
            for money in [&tier.fixed, &tier.cap].into_iter().flatten() {
                money.require_amount_in(currency)?;
            }
        }
        Ok(CancellationTerms { tiers })
    }

    pub fn tiers(&self) -> &[FeeTier] {
        &self.tiers
    }

    /// The tier for a cancellation at `now` of an event starting at `starts_at` in `zone`, if
    /// any applies. Days before the event are calendar days where it takes place, as people read
    /// terms (27 May 10:00 is 14 days before 10 June 09:00); on the day and after it is 0.
    pub fn tier_at(
        &self,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
        zone: TimeZone,
    ) -> Option<AppliedTier<'_>> {
        let days_before = days_before(starts_at, now, zone);
        let count = self.tiers.len();
        // The tightest window that still contains the cancellation (tiers are sorted).
        self.tiers
            .iter()
            .enumerate()
            .filter(|(_, tier)| days_before <= tier.up_to_days_before)
            .min_by_key(|(_, tier)| tier.up_to_days_before)
            .map(|(index, tier)| AppliedTier {
                number: count - index,
                tier,
                days_before,
            })
    }
}

/// Calendar days from `now` to the event's start, both dates where it takes place; 0 on the
/// day and after.
pub fn days_before(starts_at: DateTime<Utc>, now: DateTime<Utc>, zone: TimeZone) -> u32 {
    let days = (zone.date_of(starts_at) - zone.date_of(now))
        .num_days()
        .max(0);
    u32::try_from(days).unwrap_or(u32::MAX)
}

/// A tier's fee for one booking, and the fixed part it contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierFee {
    pub fee: Money,
    pub fixed: Money,
}

impl FeeTier {
    /// This tier's fee on what was paid for the cancelled items of one booking; never more than
    /// that. Fees charged on the booking before count: the fixed amount is charged once per
    /// booking (`fixed_charged` of it already was), and the cap limits all of the booking's fees
    /// together (`charged` of them already were).
    pub fn fee_on(&self, paid: Money, charged: Money, fixed_charged: Money) -> TierFee {
        let zero = Money::zero(paid.currency());
        let percent = self.percent.map(|p| p.of(paid)).unwrap_or(zero);
        let fixed = self.fixed.map_or(zero, |f| (f - fixed_charged).max(zero));
        let mut fee = percent + fixed;
        if let Some(cap) = self.cap {
            fee = fee.min((cap - charged).max(zero));
        }
        let fee = fee.min(paid);
        TierFee {
            fee,
            fixed: fixed.min(fee),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rust_decimal_macros::dec;

    fn eur(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::EUR).unwrap()
    }

    fn converia_terms() -> CancellationTerms {
        CancellationTerms::new(
            vec![
                FeeTier {
                    up_to_days_before: 13,
                    percent: Some(Percentage::HUNDRED),
                    fixed: None,
                    cap: None,
                },
                FeeTier {
                    up_to_days_before: 30,
                    percent: Some(Percentage::new(dec!(50)).unwrap()),
                    fixed: None,
                    cap: Some(eur(dec!(300))),
                },
                FeeTier {
                    up_to_days_before: 60,
                    percent: None,
                    fixed: Some(eur(dec!(25))),
                    cap: None,
                },
            ],
            Currency::EUR,
        )
        .unwrap()
    }

    #[test]
    fn the_tier_is_chosen_by_whole_days_before_the_event_start() {
        let terms = converia_terms();
        let start = Utc.with_ymd_and_hms(2025, 3, 31, 9, 0, 0).unwrap();
        let at = |days: i64| start - chrono::Duration::days(days);
        assert!(
            terms
                .tier_at(start, at(61), crate::time_zone::TimeZone::BERLIN)
                .is_none()
        );
        assert_eq!(
            terms
                .tier_at(start, at(60), crate::time_zone::TimeZone::BERLIN)
                .unwrap()
                .tier
                .up_to_days_before,
            60
        );
        assert_eq!(
            terms
                .tier_at(start, at(30), crate::time_zone::TimeZone::BERLIN)
                .unwrap()
                .tier
                .up_to_days_before,
            30
        );
        assert_eq!(
            terms
                .tier_at(start, at(14), crate::time_zone::TimeZone::BERLIN)
                .unwrap()
                .tier
                .up_to_days_before,
            30
        );
        let late = terms
            .tier_at(start, at(13), crate::time_zone::TimeZone::BERLIN)
            .unwrap();
        assert_eq!((late.number, late.days_before), (3, 13));
        let after_start = terms
            .tier_at(
                start,
                start + chrono::Duration::hours(2),
                crate::time_zone::TimeZone::BERLIN,
            )
            .unwrap();
        assert_eq!(after_start.days_before, 0);
    }

    #[test]
    fn a_tier_fee_is_capped_and_never_exceeds_what_was_paid() {
        let terms = converia_terms();
        let fifty = &terms.tiers()[1];
        let none = eur(dec!(0));
        assert_eq!(fifty.fee_on(eur(dec!(476)), none, none).fee, eur(dec!(238)));
        assert_eq!(
            fifty.fee_on(eur(dec!(1000)), none, none).fee,
            eur(dec!(300))
        );
        // The cap counts what the booking was charged before.
        assert_eq!(
            fifty.fee_on(eur(dec!(1000)), eur(dec!(250)), none).fee,
            eur(dec!(50))
        );
        let fixed = &terms.tiers()[2];
        assert_eq!(fixed.fee_on(eur(dec!(10)), none, none).fee, eur(dec!(10)));
        // The fixed amount is charged once per booking.
        assert_eq!(
            fixed
                .fee_on(eur(dec!(100)), eur(dec!(25)), eur(dec!(25)))
                .fee,
            none
        );
    }

    #[test]
    fn days_before_the_event_are_calendar_days_where_it_takes_place() {
        // 27 May 10:00 CEST (08:00 UTC) before 10 June 09:00 CEST (07:00 UTC): 14 days.
        let start = Utc.with_ymd_and_hms(2025, 6, 10, 7, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2025, 5, 27, 8, 0, 0).unwrap();
        assert_eq!(
            days_before(start, now, crate::time_zone::TimeZone::BERLIN),
            14
        );
        assert_eq!(
            days_before(start, start, crate::time_zone::TimeZone::BERLIN),
            0
        );
    }

    #[test]
    fn terms_with_duplicate_thresholds_or_empty_tiers_are_refused() {
        let tier = FeeTier {
            up_to_days_before: 10,
            percent: None,
            fixed: None,
            cap: None,
        };
        assert!(CancellationTerms::new(vec![tier.clone()], Currency::EUR).is_err());
        let paid = FeeTier {
            percent: Some(Percentage::HUNDRED),
            ..tier
        };
        assert!(CancellationTerms::new(vec![paid.clone(), paid], Currency::EUR).is_err());
    }
}
