//! What every command gets (the context) and gives back (the decision).
//!
//! Commands are pure functions `(&state, command, &Context) -> Result<Decision, DomainError>`.
//! Everything they would otherwise look up — the time, who acts, the next free document
//! number — is in the context; everything they cause is in the decision, for the caller to
//! record in one transaction.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::credit::{CreditEntry, CreditMovement};
use crate::document::{Document, DocumentRef};
use crate::fee::FeeQuote;
use crate::followup::{Effect, FollowUp};
use crate::issuer::Issuer;
use crate::ledger::{Account, Posting, PostingBuilder};
use crate::money::Money;
use crate::numbering::{NumberAllocator, SeriesKey};
use crate::order::Order;
use crate::partner::PayoutStatement;

/// The facts a command needs from outside the aggregate.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: DateTime<Utc>,
    pub actor: Actor,
    /// The order's issuer as the registry holds it now: documents issued now carry its seller
    /// data, number format and settings.
    pub issuer: Arc<Issuer>,
    /// The next free value of the issuer's number series for documents issued `now`
    /// (see [`SeriesKey::for_issue`]); 1 for a series never used.
    pub next_document_seq: u32,
}

impl Context {
    /// Today in the issuer's time zone: the issue date of documents issued now.
    pub fn issue_date(&self) -> NaiveDate {
        self.issuer.time_zone.date_of(self.now)
    }

    /// The number series documents issued now draw from.
    pub fn series(&self) -> SeriesKey {
        SeriesKey::for_issue(&self.issuer, self.now)
    }
}

/// Which numbers of which series a decision used: the caller advances the counter from
/// `first` to `first + count` in the same transaction (and must fail if it moved meanwhile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NumbersUsed {
    pub series: SeriesKey,
    pub first: u32,
    pub count: u32,
}

/// Everything a command decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Decision {
    /// The order after the command, its `revision` one higher.
    pub order: Order,
    /// New documents, to be stored once and never changed.
    pub documents: Vec<Arc<Document>>,
    /// The money movement, balanced; none if no money moved.
    pub posting: Option<Posting>,
    pub followups: Vec<FollowUp>,
    pub numbers: Option<NumbersUsed>,
    /// Change of the partner's open debits (positive: the partner owes more).
    pub partner_debit_change: Money,
    /// Change of the customer's account credit.
    pub customer_credit_change: Money,
    /// The entries of the customer's credit account this decision makes (their changes sum to
    /// `customer_credit_change`).
    pub credit_entries: Vec<CreditEntry>,
    /// The fee charged, with the rule that produced it (cancellations only).
    pub fee: Option<FeeQuote>,
    /// What a payout released paid the partner (payout releases only).
    pub payout_statement: Option<PayoutStatement>,
}

impl Order {
    pub(crate) fn numbers(&self, ctx: &Context) -> NumberAllocator {
        NumberAllocator::new(ctx.series(), ctx.next_document_seq)
    }
}

/// Collects a decision while a command runs.
pub(crate) struct DecisionBuilder<'a> {
    before: Option<&'a Order>,
    ctx: &'a Context,
    documents: Vec<Arc<Document>>,
    effects: Vec<Effect>,
    extra: PostingBuilder,
    returned_to: Account,
    fee: Option<FeeQuote>,
    memo: String,
    credit_entries: Vec<(Money, CreditMovement)>,
    /// Documents stored with the order that are not part of its archive.
    detached: Vec<Arc<Document>>,
    payout_statement: Option<PayoutStatement>,
}

impl<'a> DecisionBuilder<'a> {
    /// For a change of an existing order.
    pub fn change(before: &'a Order, ctx: &'a Context, memo: impl Into<String>) -> Self {
        DecisionBuilder {
            before: Some(before),
            ..Self::register(ctx, memo)
        }
    }

    /// For a newly registered order.
    pub fn register(ctx: &'a Context, memo: impl Into<String>) -> Self {
        DecisionBuilder {
            before: None,
            ctx,
            documents: Vec::new(),
            effects: Vec::new(),
            extra: PostingBuilder::new(),
            returned_to: Account::RefundsPayable,
            fee: None,
            memo: memo.into(),
            credit_entries: Vec::new(),
            detached: Vec::new(),
            payout_statement: None,
        }
    }

    pub fn documents(&mut self, documents: impl IntoIterator<Item = Document>) {
        self.documents.extend(documents.into_iter().map(Arc::new));
    }

    /// A document the new state also holds (the current invoice version).
    pub fn shared_document(&mut self, document: Arc<Document>) {
        self.documents.push(document);
    }

    /// A document stored with the order but not part of the customer's archive (the
    /// platform's commission invoice to the partner).
    pub fn detached_document(&mut self, document: Document) {
        self.detached.push(Arc::new(document));
    }

    pub fn payout_statement(&mut self, statement: PayoutStatement) {
        self.payout_statement = Some(statement);
    }

    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Where money that the customer no longer owes goes: back the way it came (default: to
    /// the original payment, and what was paid with credit back to credit) or all to credit.
    pub fn return_to(&mut self, account: Account) {
        self.returned_to = account;
    }

    /// Movements beyond the revaluation of the order (cash paid out, offsets).
    pub fn grow(&mut self, account: Account, amount: Money) {
        let extra = std::mem::replace(&mut self.extra, PostingBuilder::new());
        self.extra = extra.grow(account, amount);
    }

    pub fn fee(&mut self, quote: FeeQuote) {
        self.fee = Some(quote);
    }

    /// Credit spent on the order at checkout.
    pub fn redeem_credit(&mut self, order: &Order, amount: Money) {
        if amount.is_positive() {
            self.grow(Account::CustomerCredit, -amount);
            self.credit_entries.push((
                amount,
                CreditMovement::Redeemed {
                    order: order.id.clone(),
                },
            ));
        }
    }

    pub fn finish(mut self, mut order: Order, numbers: Option<NumberAllocator>) -> Decision {
        let ctx = self.ctx;
        order.revision += 1;
        let totals_before = self.before.map(|before| (before, before.totals()));
        let totals_after = order.totals();
        let returned = totals_before.map_or(Money::zero(order.currency), |(_, totals)| {
            totals.owed() - totals_after.owed()
        });
        self.give_back(&mut order, returned);
        order
            .documents
            .extend(self.documents.iter().map(|d| DocumentRef::from(&**d)));
        let mut documents = self.documents;
        documents.append(&mut self.detached);
        let posting = crate::ledger::revaluation(totals_before, (&order, totals_after), self.extra)
            .build(&order, ctx.now, self.memo);
        let currency = order.currency;
        let effect_on = |account| {
            posting
                .as_ref()
                .map_or(Money::zero(currency), |p| p.effect_on(account, currency))
        };
        let partner_debit_change = effect_on(Account::PartnerDebits);
        let customer_credit_change = effect_on(Account::CustomerCredit);
        let credit_entries = self
            .credit_entries
            .into_iter()
            .map(|(amount, movement)| CreditEntry {
                customer: order.customer.clone(),
                at: ctx.now,
                amount,
                movement,
            })
            .collect();
        let followups = FollowUp::keyed(&order, self.effects);
        let numbers = numbers.filter(|n| n.used() > 0).map(|n| NumbersUsed {
            series: n.key().clone(),
            first: ctx.next_document_seq,
            count: n.used(),
        });
        Decision {
            order,
            documents,
            posting,
            followups,
            numbers,
            partner_debit_change,
            customer_credit_change,
            credit_entries,
            fee: self.fee,
            payout_statement: self.payout_statement,
        }
    }

    /// Gives back what the customer no longer owes: to the original payment (a refund) or
    /// as credit, as `split_returned` says.
    fn give_back(&mut self, order: &mut Order, returned: Money) {
        let (to_payment, to_credit) = self.split_returned(order, returned);
        order.refunded = order.refunded + to_payment;
        order.credited = order.credited + to_credit;
        self.grow(Account::RefundsPayable, to_payment);
        self.grow(Account::CustomerCredit, to_credit);
        // Whatever a decision returns to refunds payable is refunded to the original payment.
        if to_payment.is_positive() {
            self.effects.push(Effect::Refund {
                customer: order.customer.clone(),
                amount: to_payment,
            });
        }
        if to_credit.is_positive() {
            self.credit_entries.push((
                to_credit,
                CreditMovement::Granted {
                    order: order.id.clone(),
                    reason: self.memo.clone(),
                },
            ));
        }
    }

    /// What the customer no longer owes, split into (to the original payment, to credit).
    /// Settled with credit, all of it goes to credit. Otherwise money goes back the way it
    /// came: to the original payment first, up to what it paid and was not refunded yet; the
    /// rest — what was paid with credit — back to credit. A negative amount (the customer owes
    /// more) is set against the original payment.
    fn split_returned(&self, order: &Order, returned: Money) -> (Money, Money) {
        let zero = Money::zero(order.currency);
        if self.returned_to == Account::CustomerCredit {
            return (zero, returned);
        }
        if !returned.is_positive() {
            return (returned, zero);
        }
        let paid_originally = order.captured - order.paid_with_credit;
        let room = (paid_originally - order.refunded).max(zero);
        let to_payment = returned.min(room);
        (to_payment, returned - to_payment)
    }
}
