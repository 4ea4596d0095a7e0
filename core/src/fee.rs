//! Cancellation fees: which rule applies, how much, and the VAT it carries.
//!
//! A fee is an amount in the order's price entry (gross for gross-priced issuers, net for
//! net-priced ones: the terms' fixed amounts and caps, individual fees and options' own fees are
//! read the same way as the prices), never more than what was paid for what is cancelled. It
//! becomes fee lines split by VAT rate according to the issuer's [`FeeVatMode`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::document::{DocumentLine, LineKind};
use crate::error::DomainError;
use crate::ids::{BookingId, OptionId, Text};
use crate::issuer::FeeVatMode;
use crate::issuer::PriceEntry;
use crate::money::Money;
use crate::order::{AttendeeBooking, BookingOption, Order, SalesChannel};
use crate::rate::VatRate;

use crate::fee_vat::split_by_rate;

/// The fee staff choose for a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FeeChoice {
    None,
    /// The cancellation terms frozen onto the order at registration.
    Terms,
    /// An amount staff set, with the reason it is charged.
    Individual {
        amount: Money,
        reason: String,
        /// Whether `amount` includes VAT (what the customer pays) or is net. Without it the
        /// amount is read like the order's prices (gross for gross-priced issuers, net for
        /// net-priced ones).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        includes_vat: Option<bool>,
    },
    /// The own cancellation fees of the cancelled options.
    OptionOwnFee,
}

/// Which rule produced (part of) a fee, for quotes and dry runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum FeeRule {
    NoFee,
    Tier {
        number: usize,
        days_before: u32,
        description: String,
    },
    NoTierApplies {
        days_before: u32,
    },
    Individual {
        reason: String,
    },
    OptionOwnFee {
        option: OptionId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FeePart {
    pub booking: BookingId,
    pub rule: FeeRule,
    pub fee: Money,
    /// The fixed amount of a tier this part charges (charged once per booking).
    #[serde(default)]
    pub fixed: Option<Money>,
}

/// A fee as computed: the rules used, what was paid for the cancelled items, the fee and the
/// lines it adds to the next document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FeeQuote {
    pub parts: Vec<FeePart>,
    pub paid_for_cancelled: Money,
    /// The fee in the order's price entry (net or gross, like its prices).
    pub total: Money,
    pub lines: Vec<DocumentLine>,
    /// The fee without VAT, the VAT it carries and what the customer pays for it (absent in
    /// quotes stored by earlier builds).
    #[serde(default)]
    pub net: Option<Money>,
    #[serde(default)]
    pub vat: Option<Money>,
    #[serde(default)]
    pub gross: Option<Money>,
}

/// The options a cancellation takes away, by booking.
pub(crate) struct Cancelled<'a> {
    pub booking: &'a AttendeeBooking,
    pub options: Vec<&'a BookingOption>,
}

impl Cancelled<'_> {
    /// What was paid for the cancelled options, in the order's price entry.
    fn paid(&self, order: &Order) -> Money {
        self.options
            .iter()
            .fold(Money::zero(order.currency), |sum, o| sum + o.amount())
    }

    /// Who and what is cancelled, for the fee line's description.
    fn describe(&self) -> String {
        let names: Vec<&str> = self.options.iter().map(|o| &*o.name).collect();
        format!("{}: {}", self.booking.attendee_name, names.join(", "))
    }
}

/// The fee `choice` charges for `cancelled` at `now`, its parts and lines.
pub(crate) fn quote(
    order: &Order,
    cancelled: &[Cancelled<'_>],
    choice: &FeeChoice,
    fee_vat: FeeVatMode,
    now: DateTime<Utc>,
) -> Result<FeeQuote, DomainError> {
    let zero = Money::zero(order.currency);
    let paid = cancelled.iter().fold(zero, |sum, c| sum + c.paid(order));
    // An individual fee entered the other way than the order's prices comes already split.
    let (parts, split_given) = match choice {
        FeeChoice::None => (Vec::new(), None),
        FeeChoice::Terms => (terms_parts(order, cancelled, now)?, None),
        FeeChoice::Individual {
            amount,
            reason,
            includes_vat,
        } => {
            let entered = match includes_vat {
                Some(true) => PriceEntry::Gross,
                Some(false) => PriceEntry::Net,
                None => order.prices,
            };
            let fee = Individual {
                amount: *amount,
                reason,
                entered,
            };
            individual_part(order, cancelled, fee, fee_vat, paid)?
        }
        FeeChoice::OptionOwnFee => (own_fee_parts(cancelled)?, None),
    };
    let total = parts.iter().fold(zero, |sum, p| sum + p.fee).min(paid);
    let split = split_given.unwrap_or_else(|| split_by_rate(fee_vat, cancelled, total));
    let lines = fee_lines(order.prices, cancelled, &parts, split);
    let amounts = lines.iter().map(|l| (l.vat_rate, l.amount(order.prices)));
    let payable = crate::vat::payable_of(amounts.clone(), order.prices, order.currency);
    let vat = crate::vat::vat_of(amounts, order.prices, order.currency)
        .values()
        .fold(zero, |sum, v| sum + *v);
    Ok(FeeQuote {
        parts,
        paid_for_cancelled: paid,
        total,
        lines,
        net: Some(payable - vat),
        vat: Some(vat),
        gross: Some(payable),
    })
}

/// The terms' fee per cancelled booking: the tier that applies at `now` (none: no fee), with
/// what its caps and fixed amount already charged on the booking.
fn terms_parts(
    order: &Order,
    cancelled: &[Cancelled<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<FeePart>, DomainError> {
    // Private event sales follow their own terms, not those of the public date.
    if order.channel == SalesChannel::PrivateEvent {
        return Err(DomainError::PrivateEventTerms);
    }
    let zero = Money::zero(order.currency);
    let mut parts = Vec::with_capacity(cancelled.len());
    for c in cancelled {
        let booking = c.booking;
        let (starts_at, zone) = (booking.date.starts_at, booking.date.time_zone);
        let terms = order.frozen_terms.get(&booking.terms_of);
        let applied = terms.and_then(|t| t.tier_at(starts_at, now, zone));
        let days_before = crate::terms::days_before(starts_at, now, zone);
        let (rule, fee, fixed) = match applied {
            Some(applied) => {
                let charged = applied.tier.fee_on(
                    c.paid(order),
                    booking.fees_charged,
                    booking.fixed_fee_charged,
                );
                let rule = FeeRule::Tier {
                    number: applied.number,
                    days_before: applied.days_before,
                    description: applied.tier.to_string(),
                };
                (
                    rule,
                    charged.fee,
                    Some(charged.fixed).filter(|f| !f.is_zero()),
                )
            }
            None => (FeeRule::NoTierApplies { days_before }, zero, None),
        };
        parts.push(FeePart {
            booking: booking.id.clone(),
            rule,
            fee,
            fixed,
        });
    }
    Ok(parts)
}

/// A fee split across VAT rates, each part in the order's price entry.
type RateSplit = Vec<(VatRate, Money)>;

/// An individual fee as staff entered it.
struct Individual<'a> {
    amount: Money,
    reason: &'a str,
    /// Whether the amount was typed with VAT included (gross) or without (net).
    entered: PriceEntry,
}

/// An individual fee, never more than was paid for what is cancelled. Typed the other way than
/// the order's prices, it is split across the rates as entered and each part stated in the
/// order's price entry (that split is returned with it).
fn individual_part(
    order: &Order,
    cancelled: &[Cancelled<'_>],
    fee: Individual<'_>,
    fee_vat: FeeVatMode,
    paid: Money,
) -> Result<(Vec<FeePart>, Option<RateSplit>), DomainError> {
    if fee.reason.trim().is_empty() {
        return Err(DomainError::FeeReasonMissing);
    }
    fee.amount.require_amount_in(order.currency)?;
    let mut split_given = None;
    let mut total = fee.amount;
    if fee.entered != order.prices {
        let split: RateSplit = split_by_rate(fee_vat, cancelled, fee.amount)
            .into_iter()
            .map(|(rate, part)| (rate, convert(part, rate, fee.entered, order.prices)))
            .collect();
        total = split
            .iter()
            .fold(Money::zero(order.currency), |sum, (_, part)| sum + *part);
        split_given = Some(split);
    }
    if total.amount() > paid.amount() {
        return Err(DomainError::FeeExceedsPaid {
            fee: total.to_string(),
            paid: paid.to_string(),
        });
    }
    let parts = cancelled.first().map(|first| FeePart {
        booking: first.booking.id.clone(),
        rule: FeeRule::Individual {
            reason: fee.reason.trim().to_owned(),
        },
        fee: total,
        fixed: None,
    });
    Ok((parts.into_iter().collect(), split_given))
}

/// The options' own fees (each at most the option's price); refused when none has one.
fn own_fee_parts(cancelled: &[Cancelled<'_>]) -> Result<Vec<FeePart>, DomainError> {
    let mut parts = Vec::new();
    for c in cancelled {
        for option in &c.options {
            if let Some(own) = option.own_cancellation_fee {
                parts.push(FeePart {
                    booking: c.booking.id.clone(),
                    rule: FeeRule::OptionOwnFee {
                        option: option.id.clone(),
                    },
                    fee: own.min(option.amount()),
                    fixed: None,
                });
            }
        }
    }
    if parts.is_empty() {
        return Err(DomainError::NoOwnCancellationFee);
    }
    Ok(parts)
}

/// A fee part at `rate` entered as `from`, stated as `to` (net ↔ VAT included).
fn convert(amount: Money, rate: VatRate, from: PriceEntry, to: PriceEntry) -> Money {
    match (from, to) {
        (PriceEntry::Gross, PriceEntry::Net) => crate::vat::net_of_gross_line(amount, rate),
        (PriceEntry::Net, PriceEntry::Gross) => amount + rate.vat_on(amount),
        _ => amount,
    }
}

/// The fee line's description, in the language of the documents (German): the rule and who
/// was cancelled (the attendee with the options, or the attendees by name).
fn describe(parts: &[FeePart], cancelled: &[Cancelled<'_>]) -> String {
    let rule = match parts.first().map(|p| &p.rule) {
        Some(FeeRule::Tier { description, .. }) if parts.len() == 1 => {
            format!("Stornobedingungen, {description}")
        }
        Some(FeeRule::Tier { .. }) | Some(FeeRule::NoTierApplies { .. }) => {
            "Stornobedingungen".to_owned()
        }
        Some(FeeRule::Individual { reason }) => reason.clone(),
        Some(FeeRule::OptionOwnFee { .. }) => "Stornogebühr der Option".to_owned(),
        Some(FeeRule::NoFee) | None => "keine Gebühr".to_owned(),
    };
    // Only the attendees whose cancellation is charged: a fee for b1 does not name b2.
    let charged: Vec<&Cancelled<'_>> = cancelled
        .iter()
        .filter(|c| {
            parts
                .iter()
                .any(|p| p.booking == c.booking.id && !p.fee.is_zero())
        })
        .collect();
    let what = match charged.as_slice() {
        [one] => one.describe(),
        [] => attendees(cancelled.iter().map(|c| &*c.booking.attendee_name)),
        many => attendees(many.iter().map(|c| &*c.booking.attendee_name)),
    };
    format!("Stornogebühr ({rule}) für {what}")
}

/// Attendees by name: the first few, then how many more.
fn attendees<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    const NAMED: usize = 5;
    let count = names.len();
    let shown: Vec<&str> = names.take(NAMED).collect();
    match count.saturating_sub(NAMED) {
        0 => shown.join(", "),
        more => format!("{} und {more} weitere", shown.join(", ")),
    }
}

/// The fee as document lines, one per VAT rate of its split, in the order's price entry.
fn fee_lines(
    prices: PriceEntry,
    cancelled: &[Cancelled<'_>],
    parts: &[FeePart],
    split: Vec<(VatRate, Money)>,
) -> Vec<DocumentLine> {
    let description: Text = describe(parts, cancelled).into();
    let booking = match cancelled {
        [one] => Some(one.booking.id.clone()),
        _ => None,
    };
    split
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(rate, amount)| {
            let mut line = match prices {
                PriceEntry::Net => {
                    DocumentLine::net_priced(LineKind::Fee, description.clone(), 1, amount, rate)
                }
                PriceEntry::Gross => {
                    let mut line = DocumentLine::gross_priced(
                        LineKind::Fee,
                        description.clone(),
                        1,
                        amount,
                        rate,
                    );
                    // A quote states the net too (the document's totals settle the cents).
                    line.net = crate::vat::net_of_gross_line(amount, rate);
                    line.unit_price = line.net.amount();
                    line
                }
            };
            line.booking = booking.clone();
            line
        })
        .collect()
}
