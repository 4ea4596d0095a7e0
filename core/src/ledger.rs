//! Double-entry bookkeeping. Every decision that moves money yields one posting
//! whose debits equal its credits; every balance can be explained entry by entry.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::followup::Effect;
use crate::ids::{CustomerId, OrderId, PartnerId};
use crate::money::{Currency, Money};
use crate::order::Totals;
use crate::rate::VatRate;

/// The ledger's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// Money received from customers and not yet paid out (an asset: debit balance).
    CustomerPayments,
    /// Credit on customers' accounts (a liability: credit balance).
    CustomerCredit,
    /// Refunds owed to customers' original payments.
    RefundsPayable,
    /// The partners' share of orders not yet paid out.
    PartnerPayable,
    /// Debits on partners' balances (commission kept, clawbacks), offset against later payouts
    /// (an asset: debit balance; negative means the platform owes the partner).
    PartnerDebits,
    /// The platform's commission.
    PlatformCommission,
    /// The partner's share of cancellation fees (net of the commission on them and their VAT),
    /// not yet paid out.
    FeeIncome,
    /// The VAT of one rate contained in what customers owe, until it is paid out with the
    /// seller's payout; its movements per period are the VAT corrections (§ 17 UStG).
    Vat(VatRate),
    /// Payouts released and instructed, not yet executed by the payment provider.
    TransfersPayable,
    /// Customer credit that expired unused: the platform's income.
    CreditExpired,
    /// The platform's commission as invoiced to partners, net of VAT: its revenue.
    CommissionRevenue,
    /// The VAT of one rate on the platform's commission invoices, owed by the platform.
    CommissionVat(VatRate),
}

impl Account {
    /// Whether the account's natural balance is a debit (assets) or a credit.
    pub fn is_debit_normal(self) -> bool {
        matches!(self, Account::CustomerPayments | Account::PartnerDebits)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LedgerEntry {
    pub account: Account,
    pub side: Side,
    /// Always positive.
    pub amount: Money,
}

/// One balanced set of entries, tagged with the order, partner and customer it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Posting {
    /// The order, or the account stream (customer credit) the posting belongs to.
    pub order: OrderId,
    /// `None` for movements of a customer's credit account alone (expiry, cash-out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<PartnerId>,
    pub customer: CustomerId,
    pub at: DateTime<Utc>,
    pub memo: String,
    pub entries: Vec<LedgerEntry>,
}

impl Posting {
    /// Σ debits − Σ credits; zero for every posting the core makes.
    pub fn imbalance(&self, currency: Currency) -> Money {
        self.entries
            .iter()
            .fold(Money::zero(currency), |sum, e| match e.side {
                Side::Debit => sum + e.amount,
                Side::Credit => sum - e.amount,
            })
    }

    pub fn is_balanced(&self) -> bool {
        self.entries
            .first()
            .is_none_or(|e| self.imbalance(e.amount.currency()).is_zero())
    }

    /// The signed effect on an account in its natural direction (credit-normal accounts grow
    /// with credits).
    pub fn effect_on(&self, account: Account, currency: Currency) -> Money {
        self.entries.iter().filter(|e| e.account == account).fold(
            Money::zero(currency),
            |sum, e| {
                let grows = (e.side == Side::Debit) == account.is_debit_normal();
                if grows {
                    sum + e.amount
                } else {
                    sum - e.amount
                }
            },
        )
    }
}

/// Builds a posting from signed movements: a positive amount grows the account in its natural
/// direction, a negative one shrinks it. Zero movements are dropped.
pub(crate) struct PostingBuilder {
    entries: Vec<LedgerEntry>,
}

impl PostingBuilder {
    pub fn new() -> Self {
        PostingBuilder {
            entries: Vec::new(),
        }
    }

    pub fn grow(mut self, account: Account, amount: Money) -> Self {
        if amount.is_zero() {
            return self;
        }
        let natural = if account.is_debit_normal() {
            Side::Debit
        } else {
            Side::Credit
        };
        let (side, amount) = if amount.is_negative() {
            (opposite(natural), -amount)
        } else {
            (natural, amount)
        };
        self.entries.push(LedgerEntry {
            account,
            side,
            amount,
        });
        self
    }

    pub fn build(
        self,
        order: &crate::order::Order,
        at: DateTime<Utc>,
        memo: impl Into<String>,
    ) -> Option<Posting> {
        self.build_for(
            order.id.clone(),
            Some(order.partner.clone()),
            order.customer.clone(),
            at,
            memo,
        )
    }

    pub fn build_for(
        self,
        order: OrderId,
        partner: Option<PartnerId>,
        customer: CustomerId,
        at: DateTime<Utc>,
        memo: impl Into<String>,
    ) -> Option<Posting> {
        if self.entries.is_empty() {
            return None;
        }
        let posting = Posting {
            order,
            partner,
            customer,
            at,
            memo: memo.into(),
            entries: self.entries,
        };
        debug_assert!(posting.is_balanced(), "unbalanced posting: {posting:?}");
        Some(posting)
    }
}

fn opposite(side: Side) -> Side {
    match side {
        Side::Debit => Side::Credit,
        Side::Credit => Side::Debit,
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Account::CustomerPayments => "customer payments",
            Account::CustomerCredit => "customer credit",
            Account::RefundsPayable => "refunds payable",
            Account::PartnerPayable => "partner payable",
            Account::PartnerDebits => "partner debits",
            Account::PlatformCommission => "platform commission",
            Account::FeeIncome => "fee income",
            Account::TransfersPayable => "transfers payable",
            Account::CreditExpired => "credit expired",
            Account::CommissionRevenue => "commission revenue",
            Account::Vat(rate) => return write!(f, "VAT {rate}"),
            Account::CommissionVat(rate) => return write!(f, "commission VAT {rate}"),
        };
        f.write_str(name)
    }
}

/// The balances one order holds on the accounts it revalues, derived from its state.
struct Positions {
    commission: Money,
    fee_income: Money,
    vat: BTreeMap<VatRate, Money>,
    partner_payable: Money,
    partner_debits: Money,
}

impl Positions {
    fn none(currency: crate::money::Currency) -> Self {
        let zero = Money::zero(currency);
        Positions {
            commission: zero,
            fee_income: zero,
            vat: BTreeMap::new(),
            partner_payable: zero,
            partner_debits: zero,
        }
    }

    fn of(order: &crate::order::Order, totals: Totals) -> Self {
        let zero = Money::zero(order.currency);
        let Totals { items, fees } = totals;
        let commission = order.commission_on(items);
        match &order.payout.released {
            // Once paid out (VAT included: it is the seller's), any later difference to what
            // the partner is due is a debit (clawback) on the partner's balance, offset against
            // later payouts.
            Some(release) => Positions {
                commission,
                partner_debits: release.settled - (items + fees - commission),
                ..Positions::none(order.currency)
            },
            None => {
                let vat = order.vat_owed();
                let vat_total = Money::sum(order.currency, vat.values());
                let vat_items = order.vat_of_items();
                // The VAT the items carry comes out of the partner's share of the items, the
                // rest out of its share of the fees.
                let share =
                    items - order.item_commission_on(items) - order.commission_kept - vat_items;
                Positions {
                    commission,
                    fee_income: fees - order.fee_commission - (vat_total - vat_items),
                    vat,
                    partner_payable: share.max(zero),
                    partner_debits: (-share).max(zero),
                }
            }
        }
    }
}

/// The movements that take an order's accounts from `before` to `after` (a new order when
/// `before` is `None`), added to `extra`, which must hold where what the customer no longer
/// owes went. Balanced by construction: commission + the partner's due + what was returned
/// always add up to what was captured.
pub(crate) fn revaluation(
    before: Option<(&crate::order::Order, Totals)>,
    after: (&crate::order::Order, Totals),
    extra: PostingBuilder,
) -> PostingBuilder {
    let zero = Money::zero(after.0.currency);
    let was = before.map_or(Positions::none(after.0.currency), |(order, totals)| {
        Positions::of(order, totals)
    });
    let now = Positions::of(after.0, after.1);
    let mut rates: Vec<VatRate> = was.vat.keys().chain(now.vat.keys()).copied().collect();
    rates.sort();
    rates.dedup();
    let mut posting = extra
        .grow(Account::PlatformCommission, now.commission - was.commission)
        .grow(Account::FeeIncome, now.fee_income - was.fee_income)
        .grow(
            Account::PartnerPayable,
            now.partner_payable - was.partner_payable,
        )
        .grow(
            Account::PartnerDebits,
            now.partner_debits - was.partner_debits,
        );
    for rate in rates {
        let at = |p: &Positions| p.vat.get(&rate).copied().unwrap_or(zero);
        posting = posting.grow(Account::Vat(rate), at(&now) - at(&was));
    }
    posting
}

/// The entries that record a follow-up's money leaving: a refund paid back to the original
/// payment, a payout transferred to the partner. Booked when the payment provider took it, so
/// the ledger reconciles with the provider; `None` for follow-ups that move no money.
pub fn executed(effect: &Effect) -> Option<Vec<LedgerEntry>> {
    let (owed, amount) = match effect {
        Effect::Refund { amount, .. } => (Account::RefundsPayable, *amount),
        Effect::TransferPayout { amount, .. } => (Account::TransfersPayable, *amount),
        _ => return None,
    };
    Some(vec![
        LedgerEntry {
            account: owed,
            side: Side::Debit,
            amount,
        },
        LedgerEntry {
            account: Account::CustomerPayments,
            side: Side::Credit,
            amount,
        },
    ])
}
