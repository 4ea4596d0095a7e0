//! VAT per rate over a document's lines (EN 16931 BR-CO-17: the VAT of a rate is
//! round(Σ line net × rate), rounded once per rate, never per line).
//!
//! - Documents **priced net**: each line's net is what was entered; per rate the taxable
//!   amount is the sum of the line nets, VAT is added on it.
//! - Documents **priced gross**: each line charges a gross amount (what the shop charged).
//!   Per rate the taxable amount is the gross charged at that rate divided by (1 + rate),
//!   rounded to the minor unit, and the VAT is **the VAT the gross contains**: gross − net.
//!   That is what the seller owes (§ 14c UStG: stated VAT is owed) and what the customer's
//!   input-tax deduction relies on; 13.00 at 19 % states 10.92 + 2.08, never 2.07 plus a
//!   rounding amount. It stays within EN 16931 BR-CO-17's tolerance (the rule allows one
//!   currency unit; the two ways differ by at most one cent per rate). The taxable amount is
//!   spread over the lines so that their nets add up to it. What the customer pays is exactly
//!   what was charged; the rounding amount (BT-114) stays zero on documents issued now (it is
//!   kept for documents stored by earlier builds).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::Text;
use crate::issuer::PriceEntry;
use crate::line::{DocumentLine, LineKind};
use crate::money::{Currency, Money};
use crate::rate::VatRate;

/// The note on 0 % fee lines: a cancellation fee without VAT is compensation, not a supply.
pub const FEE_WITHOUT_VAT_NOTE: &str =
    "Stornogebühr ohne Umsatzsteuer: Schadensersatz, kein steuerbarer Umsatz";
/// The note of a reverse-charge rate (§ 14a Abs. 5 UStG requires it on the invoice).
pub const REVERSE_CHARGE_NOTE: &str = "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, § 13b UStG, Art. 196 MwStSystRL)";
/// The note on 0 % item lines of an issuer that charges VAT otherwise.
pub const ITEM_WITHOUT_VAT_NOTE: &str = "Von der Umsatzsteuer befreit";

/// The EN 16931 VAT category of a rate on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum VatCategory {
    /// Standard or reduced rate (code S).
    Standard,
    /// Exempt from VAT, with a reason (code E).
    Exempt,
    /// The recipient owes the VAT (reverse charge, code AE): a service to a business in
    /// another member state, § 13b UStG / Art. 196 VAT Directive.
    ReverseCharge,
}

impl VatCategory {
    /// The code of UNTDID 5305 used in e-invoices.
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::Standard => "S",
            VatCategory::Exempt => "E",
            VatCategory::ReverseCharge => "AE",
        }
    }
}

/// Taxable amount and VAT of one rate on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VatSummary {
    pub rate: VatRate,
    pub category: VatCategory,
    /// Σ line nets of the rate (BT-116).
    pub taxable: Money,
    /// round(taxable × rate) (BT-117).
    pub vat: Money,
    /// Why no VAT is charged (category E, BT-120).
    pub exemption_reason: Option<Text>,
}

/// A document's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Totals {
    pub vat_breakdown: Vec<VatSummary>,
    /// Σ line nets (BT-106 / BT-109).
    pub net: Money,
    /// Σ VAT per rate (BT-110).
    pub vat: Money,
    /// net + VAT (BT-112).
    pub gross: Money,
    /// What is added so the customer pays exactly what was charged (BT-114).
    pub rounding: Money,
    /// gross + rounding: what the document asks for (BT-115 before any prepaid amount).
    pub payable: Money,
}

fn zero(currency: Currency) -> Money {
    Money::zero(currency)
}

/// The net a gross amount at `rate` contains (gross ÷ (1 + rate), rounded half away from zero
/// to the minor unit) and the VAT it contains (gross − net).
fn net_of_gross(gross: Money, rate: VatRate) -> (Money, Money) {
    let net = gross.times(Decimal::ONE / (Decimal::ONE + rate.fraction()));
    (net, gross - net)
}

/// The net of one gross-priced line standing alone, as a fee quote shows it. On a document the
/// nets of a rate are spread over its lines so that they add up to the rate's taxable amount,
/// which may move a line's net by a cent.
pub(crate) fn net_of_gross_line(gross: Money, rate: VatRate) -> Money {
    net_of_gross(gross, rate).0
}

/// Sets the nets of gross-priced lines of one rate so that they add up to `taxable`.
///
/// A cancelled item's line and the negation shown under it (presentation "cancellation
/// line") are a pair: the item takes its own share and the negation exactly its negative, so
/// the pair nets to zero as its gross does. The other lines take their own share first, then
/// whole cents go to the lines charging most, in line order, until they add up to `taxable`.
fn spread(lines: &mut [&mut DocumentLine], taxable: Money, rate: VatRate) {
    let currency = taxable.currency();
    for line in lines.iter_mut() {
        let gross = line.gross.unwrap_or_else(|| zero(currency));
        line.net = gross.times(Decimal::ONE / (Decimal::ONE + rate.fraction()));
    }
    let paired = reversal_pairs(lines);
    for &(item, reversal) in &paired {
        lines[reversal].net = -lines[item].net;
    }
    let in_pair = |i: usize| paired.iter().any(|&(a, b)| a == i || b == i);
    let mut order: Vec<usize> = (0..lines.len()).filter(|&i| !in_pair(i)).collect();
    let allotted = Money::sum(currency, order.iter().map(|&i| &lines[i].net));
    let cent = Money::rounded(
        Decimal::ONE / Decimal::from(10u32.pow(currency.minor_units())),
        currency,
    );
    let mut missing = taxable - allotted;
    order.sort_by(|a, b| {
        let gross = |i: usize| lines[i].gross.map_or(Decimal::ZERO, |g| g.amount());
        gross(*b).cmp(&gross(*a)).then(a.cmp(b))
    });
    let mut turn = 0;
    while !missing.is_zero() && !order.is_empty() {
        let step = if missing.is_positive() { cent } else { -cent };
        let line = &mut lines[order[turn % order.len()]];
        line.net = line.net + step;
        missing = missing - step;
        turn += 1;
    }
}

/// Each cancellation line with the item line it negates (same booking and option, opposite
/// gross), as (item, cancellation) indexes; every line is in at most one pair.
fn reversal_pairs(lines: &[&mut DocumentLine]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (reversal, line) in lines.iter().enumerate() {
        if line.kind != LineKind::CancelledItem {
            continue;
        }
        let item = lines.iter().enumerate().position(|(i, candidate)| {
            candidate.kind == LineKind::Item
                && candidate.booking == line.booking
                && candidate.option == line.option
                && candidate.gross.map(|g| -g) == line.gross
                && !pairs.iter().any(|&(a, _)| a == i)
        });
        if let Some(item) = item {
            pairs.push((item, reversal));
        }
    }
    pairs
}

/// Computes the totals of `lines` (and, for gross-priced documents, each line's net).
/// `exempt_note` is the seller's VAT exemption, if it has one.
pub fn totals(
    lines: &mut [DocumentLine],
    prices: PriceEntry,
    currency: Currency,
    exempt_note: Option<&Text>,
) -> Totals {
    let mut rates: BTreeMap<VatRate, Vec<usize>> = BTreeMap::new();
    for (index, line) in lines.iter().enumerate() {
        rates.entry(line.vat_rate).or_default().push(index);
    }
    let mut breakdown = Vec::with_capacity(rates.len());
    // Gross prices state the VAT they contain, so nothing is left to round (see above).
    let rounding = zero(currency);
    for (rate, indexes) in &rates {
        let (taxable, vat) = match prices {
            PriceEntry::Net => {
                let taxable = Money::sum(currency, indexes.iter().map(|&i| &lines[i].net));
                (taxable, rate.vat_on(taxable))
            }
            PriceEntry::Gross => {
                let charged = indexes.iter().fold(zero(currency), |sum, &i| {
                    sum + lines[i].gross.unwrap_or_else(|| zero(currency))
                });
                let (taxable, vat) = net_of_gross(charged, *rate);
                let mut of_rate: Vec<&mut DocumentLine> =
                    lines.iter_mut().filter(|l| l.vat_rate == *rate).collect();
                spread(&mut of_rate, taxable, *rate);
                (taxable, vat)
            }
        };
        let exempt = rate.percent().is_zero();
        let exemption_reason = exempt.then(|| match exempt_note {
            Some(note) => note.clone(),
            None => {
                let fee = indexes.iter().any(|&i| lines[i].kind == LineKind::Fee);
                let item = indexes.iter().any(|&i| lines[i].kind != LineKind::Fee);
                match (item, fee) {
                    (true, true) => {
                        format!("{ITEM_WITHOUT_VAT_NOTE}; {FEE_WITHOUT_VAT_NOTE}").into()
                    }
                    (false, true) => FEE_WITHOUT_VAT_NOTE.into(),
                    _ => ITEM_WITHOUT_VAT_NOTE.into(),
                }
            }
        });
        breakdown.push(VatSummary {
            rate: *rate,
            category: if exempt {
                VatCategory::Exempt
            } else {
                VatCategory::Standard
            },
            taxable,
            vat,
            exemption_reason,
        });
    }
    let net = Money::sum(currency, breakdown.iter().map(|s| &s.taxable));
    let vat = Money::sum(currency, breakdown.iter().map(|s| &s.vat));
    Totals {
        vat_breakdown: breakdown,
        net,
        vat,
        gross: net + vat,
        rounding,
        payable: net + vat + rounding,
    }
}

/// What lines ask for (a document's payable amount), without building the document.
pub fn payable<'a>(
    lines: impl IntoIterator<Item = &'a DocumentLine>,
    prices: PriceEntry,
    currency: Currency,
) -> Money {
    payable_of(
        lines.into_iter().map(|l| (l.vat_rate, l.amount(prices))),
        prices,
        currency,
    )
}

/// What amounts at their rates ask for: gross amounts add up; net amounts get the VAT of their
/// rate, once per rate.
pub fn payable_of(
    amounts: impl IntoIterator<Item = (VatRate, Money)>,
    prices: PriceEntry,
    currency: Currency,
) -> Money {
    let mut per_rate: BTreeMap<VatRate, Money> = BTreeMap::new();
    for (rate, amount) in amounts {
        let entry = per_rate.entry(rate).or_insert(zero(currency));
        *entry = *entry + amount;
    }
    per_rate
        .into_iter()
        .fold(zero(currency), |sum, (rate, amount)| match prices {
            PriceEntry::Net => sum + amount + rate.vat_on(amount),
            PriceEntry::Gross => sum + amount,
        })
}

/// The VAT per rate of amounts at their rates: on net amounts the rate's VAT of their sum; in
/// gross amounts the VAT they contain.
pub fn vat_of(
    amounts: impl IntoIterator<Item = (VatRate, Money)>,
    prices: PriceEntry,
    currency: Currency,
) -> BTreeMap<VatRate, Money> {
    let mut per_rate: BTreeMap<VatRate, Money> = BTreeMap::new();
    for (rate, amount) in amounts {
        let entry = per_rate.entry(rate).or_insert(zero(currency));
        *entry = *entry + amount;
    }
    per_rate
        .into_iter()
        .map(|(rate, amount)| {
            let vat = match prices {
                PriceEntry::Net => rate.vat_on(amount),
                PriceEntry::Gross => net_of_gross(amount, rate).1,
            };
            (rate, vat)
        })
        .filter(|(_, vat)| !vat.is_zero())
        .collect()
}

#[cfg(test)]
mod tests;
