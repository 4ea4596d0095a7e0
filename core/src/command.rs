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
use crate::document::{Document, DocumentRef};
use crate::fee::FeeQuote;
use crate::followup::{Effect, FollowUp};
use crate::issuer::Issuer;
use crate::ledger::{Account, Posting, PostingBuilder};
use crate::money::Money;
use crate::numbering::{NumberAllocator, SeriesKey};
use crate::order::Order;

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
pub struct NumbersUsed {
    pub series: SeriesKey,
    pub first: u32,
    pub count: u32,
}

/// Everything a command decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The fee charged, with the rule that produced it (cancellations only).
    pub fee: Option<FeeQuote>,
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
        }
    }

    pub fn documents(&mut self, documents: impl IntoIterator<Item = Document>) {
        self.documents.extend(documents.into_iter().map(Arc::new));
    }

    /// A document the new state also holds (the current invoice version).
    pub fn shared_document(&mut self, document: Arc<Document>) {
        self.documents.push(document);
    }

    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Where money that the customer no longer owes goes: a refund (default) or credit.
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

    pub fn finish(mut self, mut order: Order, numbers: Option<NumberAllocator>) -> Decision {
        let ctx = self.ctx;
        order.revision += 1;
        let totals_before = self.before.map(|before| (before, before.totals()));
        let totals_after = order.totals();
        let returned = totals_before.map_or(Money::zero(order.currency), |(_, totals)| {
            totals.owed() - totals_after.owed()
        });
        match self.returned_to {
            Account::CustomerCredit => order.credited = order.credited + returned,
            _ => order.refunded = order.refunded + returned,
        }
        // Whatever a decision returns to refunds payable is refunded to the original payment.
        if self.returned_to == Account::RefundsPayable && returned.is_positive() {
            self.effects.push(Effect::Refund {
                customer: order.customer.clone(),
                amount: returned,
            });
        }
        order
            .documents
            .extend(self.documents.iter().map(|d| DocumentRef::from(&**d)));
        let posting = crate::ledger::revaluation(
            totals_before,
            (&order, totals_after),
            returned,
            self.returned_to,
            self.extra,
        )
        .build(&order, ctx.now, self.memo);
        let currency = order.currency;
        let effect_on = |account| {
            posting
                .as_ref()
                .map_or(Money::zero(currency), |p| p.effect_on(account, currency))
        };
        let partner_debit_change = effect_on(Account::PartnerDebits);
        let customer_credit_change = effect_on(Account::CustomerCredit);
        let followups = FollowUp::keyed(&order, self.effects);
        let numbers = numbers.filter(|n| n.used() > 0).map(|n| NumbersUsed {
            series: n.key().clone(),
            first: ctx.next_document_seq,
            count: n.used(),
        });
        Decision {
            order,
            documents: self.documents,
            posting,
            followups,
            numbers,
            partner_debit_change,
            customer_credit_change,
            fee: self.fee,
        }
    }
}
