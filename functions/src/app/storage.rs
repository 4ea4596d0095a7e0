//! The storage ports and their vocabulary. One implementation, on DynamoDB
//! ([`crate::store::DynamoStore`]), tested against dynoxide: no hand-written memory store that
//! could drift from DynamoDB's semantics.

use std::future::Future;

use chrono::{DateTime, Utc};
use storno_core::credit::CreditDecision;
use storno_core::{
    CreditAccount, CreditEntry, Currency, CustomerId, DateId, DebitEntry, Decision, Document,
    EventDate, Issuer, IssuerId, Money, OpenPayable, Order, OrderId, Partner, PartnerId,
    PayoutStatement, SeriesKey,
};
use thiserror::Error;

use super::{DateJob, JobProgress};

/// An order as stored: its state and how many items hold it.
#[derive(Debug, Clone)]
pub struct LoadedOrder {
    pub order: Order,
    /// Number of items the state was split into (head included).
    pub parts: usize,
}

/// The idempotency record written with the effect it guards.
#[derive(Debug, Clone)]
pub struct IdempotencyWrite {
    /// Hash of (caller, key).
    pub key_hash: String,
    pub payload_hash: String,
    /// The status and body to answer replays with.
    pub status: u16,
    pub response: String,
    /// Epoch seconds after which the record may be removed.
    pub expires_at: i64,
}

/// A stored idempotency record: the request's hash and the response given, or, while the
/// first request with the key is still at work, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub payload_hash: String,
    /// `None` while the request that reserved the key is still running.
    pub response: Option<(u16, String)>,
    /// Until when a reservation without a response holds the key.
    pub lease_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Everything one command writes, all or nothing.
#[derive(Debug)]
pub struct Commit<'a> {
    pub decision: &'a Decision,
    /// The version read; `None` for a new order.
    pub expected_version: Option<u64>,
    /// How many items held the state that was read (stale ones are removed).
    pub previous_parts: usize,
    /// Idempotency records written with the decision (a request's key; an intake's order id).
    pub idempotency: Vec<IdempotencyWrite>,
    /// The partner debit the decision was made with (payout release), checked at commit.
    pub partner_debit_read: Option<Money>,
    /// Dates the decision relied on being active (bookings onto them), checked at commit.
    pub active_dates: Vec<DateId>,
    /// Identifies this write for the store: the same for every re-send of it.
    pub token: String,
    /// When it is written (orders the outbox).
    pub at: DateTime<Utc>,
}

/// One page of a listing and where the next one starts (opaque to callers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// What lost a conditional write, so the runner knows what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The order changed since it was read: reload and decide again.
    Version,
    /// The order already exists (intake of an id seen before).
    AlreadyExists,
    /// The number series moved on; it now stands at `next`.
    Counter { next: u32 },
    /// Another request with the same idempotency key committed first.
    Idempotency,
    /// The partner's balance changed since it was read.
    Balance,
    /// A date the decision relied on is no longer active.
    DateInactive,
    /// A document number prefix belongs to another issuer.
    PrefixTaken { owner: String },
    /// Spending credit: the customer's balance (as it stood) does not cover it.
    InsufficientCredit {
        balance: Option<rust_decimal::Decimal>,
    },
}

/// The cause of a failure, kept whole (its own sources included) for logs and callers.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The cause and every source below it, as one line (`a: b: c`).
pub fn chain(cause: &(dyn std::error::Error + 'static)) -> String {
    let mut text = cause.to_string();
    let mut next = cause.source();
    while let Some(source) = next {
        let more = source.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        next = source.source();
    }
    text
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("conditional write lost: {0:?}")]
    Conflict(Conflict),
    /// The write may or may not have been applied (the response was lost): re-send it as is;
    /// its token makes the re-send harmless.
    #[error("no answer whether the write was applied: {}", chain(.0.as_ref()))]
    Ambiguous(#[source] Cause),
    /// The command's writes do not fit the store's limits; nothing was written.
    #[error("{0}")]
    TooLarge(String),
    #[error("stored data could not be read: {}", chain(.0.as_ref()))]
    Decoding(#[source] Cause),
    /// A page cursor that this store did not hand out.
    #[error("the cursor is not one this API returned")]
    InvalidCursor,
    #[error("data could not be encoded: {}", chain(.0.as_ref()))]
    Encoding(#[source] Cause),
    #[error("the store failed: {}", chain(.0.as_ref()))]
    Service(#[source] Cause),
}

impl StoreError {
    pub(crate) fn encoding(error: impl Into<Cause>) -> Self {
        StoreError::Encoding(error.into())
    }

    pub(crate) fn decoding(error: impl Into<Cause>) -> Self {
        StoreError::Decoding(error.into())
    }

    pub(crate) fn service(error: impl Into<Cause>) -> Self {
        StoreError::Service(error.into())
    }

    pub(crate) fn ambiguous(error: impl Into<Cause>) -> Self {
        StoreError::Ambiguous(error.into())
    }
}

/// A cause with what was being done when it happened.
#[derive(Debug, Error)]
#[error("{context}")]
pub struct WithContext {
    pub context: String,
    #[source]
    pub source: Cause,
}

/// Idempotency records, one per caller's key: written in the transaction of the command they
/// guard, or reserved first by requests whose work is not one transaction.
pub trait IdempotencyStore: Send + Sync {
    fn idempotency_record(
        &self,
        key_hash: &str,
    ) -> impl Future<Output = Result<Option<StoredResponse>, StoreError>> + Send;

    /// Reserves a key for a request until `lease_until` (a reservation whose lease ran out may
    /// be taken over). `None`: reserved; otherwise the record that holds the key.
    fn reserve_idempotency(
        &self,
        key_hash: &str,
        payload_hash: &str,
        lease_until: DateTime<Utc>,
        expires_at: i64,
    ) -> impl Future<Output = Result<Option<StoredResponse>, StoreError>> + Send;

    /// Stores the response of a reserved key.
    fn complete_idempotency(
        &self,
        write: &IdempotencyWrite,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives a reservation up (its request failed without effect): the key may be used again.
    fn release_idempotency(
        &self,
        key_hash: &str,
        payload_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The issuer registry.
pub trait IssuerStore: Send + Sync {
    fn load_issuer(
        &self,
        id: &IssuerId,
    ) -> impl Future<Output = Result<Option<Issuer>, StoreError>> + Send;

    /// Stores an issuer (create or replace) and reserves its prefix for it for good; a prefix
    /// of another issuer is refused (`Conflict::PrefixTaken`), nothing written.
    fn put_issuer(&self, issuer: &Issuer) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Turns of processes issuing documents of one number series: a ticket queue per series.
/// Advisory only: the counter's condition keeps numbers gapless and unique without it. It keeps
/// processes (Lambda instances) that keep losing a series' next number to each other from
/// wasting transactions and starving: after a first loss a process queues for its turn.
pub trait SeriesTurns: Send + Sync {
    /// Takes the next ticket of the series' queue (tickets start at 1).
    fn take_turn_ticket(
        &self,
        series: &SeriesKey,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The ticket whose turn it is now.
    fn turn_serving(
        &self,
        series: &SeriesKey,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Passes the turn on from `ticket` to the next one; nothing if it has passed already.
    fn pass_turn(
        &self,
        series: &SeriesKey,
        ticket: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Orders, their documents, number series and balances.
pub trait OrderStore:
    IdempotencyStore + IssuerStore + PartnerStore + SeriesTurns + Send + Sync
{
    /// An order's state; `consistent` asks for a strongly consistent read.
    fn load_order(
        &self,
        id: &OrderId,
        consistent: bool,
    ) -> impl Future<Output = Result<Option<LoadedOrder>, StoreError>> + Send;

    /// Records a decision in one transaction.
    fn commit(&self, commit: &Commit<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The next free number of a document series (1 for a series never used).
    fn next_number(
        &self,
        series: &SeriesKey,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// The partner's open debit in a currency.
    fn partner_debit(
        &self,
        partner: &PartnerId,
        currency: Currency,
    ) -> impl Future<Output = Result<Money, StoreError>> + Send;

    /// Orders whose invoice waits for its new version, oldest registration first.
    fn editing_invoices(
        &self,
        limit: usize,
        start: Option<String>,
    ) -> impl Future<Output = Result<Page<OrderId>, StoreError>> + Send;

    /// Orders whose payout fell due at or before `now`, one page at a time.
    fn due_payouts(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        start: Option<String>,
    ) -> impl Future<Output = Result<Page<OrderId>, StoreError>> + Send;
}

/// The outbox: command records whose follow-ups have not been handed to the queue yet.
pub trait Outbox: Send + Sync {
    /// Marks a command record's follow-ups as handed on (and to be verified as carried out).
    fn acknowledge(
        &self,
        order: &OrderId,
        revision: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records handed on but not yet verified as carried out, written before `before`, oldest
    /// first, with when they were written.
    fn unverified(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(OrderId, u64, DateTime<Utc>)>, StoreError>> + Send;

    /// Every follow-up of the record was carried out: it leaves the reconciliation's index.
    fn verified(
        &self,
        order: &OrderId,
        revision: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records still pending that were written before `before`, oldest first.
    fn pending(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(OrderId, u64)>, StoreError>> + Send;

    /// Claims a pending record until `until`, so that no other sweeper sends it meanwhile.
    /// `false` if someone else holds an unexpired claim or it was acknowledged.
    fn claim(
        &self,
        order: &OrderId,
        revision: u64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The follow-ups a command record holds.
    fn followups(
        &self,
        order: &OrderId,
        revision: u64,
    ) -> impl Future<Output = Result<Vec<storno_core::FollowUp>, StoreError>> + Send;
}

/// Event dates.
pub trait DateStore: Send + Sync {
    fn load_date(
        &self,
        id: &DateId,
    ) -> impl Future<Output = Result<Option<EventDate>, StoreError>> + Send;

    fn put_date(&self, date: &EventDate) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a new date; `false` if one with its id exists already (nothing written).
    fn insert_date(
        &self,
        date: &EventDate,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Orders ever booked onto a date (registered on it or rebooked to it), one page at a
    /// time. Orders that left the date since are included: callers check the order itself.
    fn orders_on(
        &self,
        date: &DateId,
        limit: usize,
        start: Option<String>,
    ) -> impl Future<Output = Result<Page<OrderId>, StoreError>> + Send;
}

/// What the read routes need besides an order's state.
pub trait OrderReads: Send + Sync {
    /// The order's issued documents, oldest first.
    fn documents(
        &self,
        order: &OrderId,
    ) -> impl Future<Output = Result<Vec<Document>, StoreError>> + Send;

    /// One document of an order, by its number.
    fn document(
        &self,
        order: &OrderId,
        number: &str,
    ) -> impl Future<Output = Result<Option<Document>, StoreError>> + Send;

    /// The order a document number belongs to.
    fn document_order(
        &self,
        number: &str,
    ) -> impl Future<Output = Result<Option<OrderId>, StoreError>> + Send;

    /// A partner's orders, oldest registration first, one page at a time.
    fn partner_orders(
        &self,
        partner: &PartnerId,
        limit: usize,
        start: Option<String>,
    ) -> impl Future<Output = Result<Page<OrderId>, StoreError>> + Send;
}

/// Whole-date jobs and their progress.
pub trait JobStore: Send + Sync {
    /// Records a new job; `false` if a job with its id exists already.
    fn create_job(
        &self,
        job: &DateJob,
        total: usize,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Notes that every order's message was sent.
    fn mark_fanned_out(&self, job: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records how one order went (`Err` holds the refusal's code); `false` if it was
    /// recorded before (a redelivered message counts once).
    fn record_outcome(
        &self,
        job: &str,
        order: &OrderId,
        outcome: Result<(), String>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn load_job(
        &self,
        job: &str,
    ) -> impl Future<Output = Result<Option<JobProgress>, StoreError>> + Send;
}

/// A grant of credit found in the grant index: the entry and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGrant {
    pub key: String,
    pub currency: Currency,
    pub entry: CreditEntry,
}

/// Customers' credit accounts: a balance per currency and its entries. Order decisions
/// change them in their own transaction ([`OrderStore::commit`]); decisions on the account
/// alone (expiry, cash-out) are recorded here.
pub trait CreditStore: Send + Sync {
    /// The account as stored now (read consistently); empty if never written.
    fn credit_account(
        &self,
        customer: &CustomerId,
        currency: Currency,
    ) -> impl Future<Output = Result<CreditAccount, StoreError>> + Send;

    /// A page of the account's entries, newest first.
    fn credit_entries(
        &self,
        customer: &CustomerId,
        currency: Currency,
        limit: usize,
        start: Option<String>,
    ) -> impl Future<Output = Result<Page<CreditEntry>, StoreError>> + Send;

    /// Grants made before `before` that are still in the grant index, oldest first.
    fn grants_made_before(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredGrant>, StoreError>> + Send;

    /// Everything granted on the grant's account before it (oldest grant is used first).
    fn granted_before(
        &self,
        grant: &StoredGrant,
    ) -> impl Future<Output = Result<Money, StoreError>> + Send;

    /// Records a decision on the account's own stream — the balance (only if still as the
    /// decision read it), the entry, the command record with its posting and follow-ups (the
    /// outbox) and the idempotency record — all or nothing; with `retire`, the grant leaves
    /// the grant index in the same transaction. `token` identifies this write: the same for
    /// every re-send of it, another for each new decision.
    fn commit_credit(
        &self,
        decision: &CreditDecision,
        retire: Option<&StoredGrant>,
        idempotency: Option<&IdempotencyWrite>,
        token: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Takes a grant off the grant index: nothing is left of it to expire.
    fn retire_grant(
        &self,
        grant: &StoredGrant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The partner registry and partners' accounts. Order decisions keep the account in their own
/// transaction ([`OrderStore::commit`]): what each unreleased payout will pay, every change of
/// the open debits, and each payout's statement.
pub trait PartnerStore: Send + Sync {
    fn load_partner(
        &self,
        id: &PartnerId,
    ) -> impl Future<Output = Result<Option<Partner>, StoreError>> + Send;

    fn put_partner(&self, partner: &Partner)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every order of the partner whose payout is not released yet, by due date.
    fn open_payables(
        &self,
        partner: &PartnerId,
        currency: Currency,
    ) -> impl Future<Output = Result<Vec<OpenPayable>, StoreError>> + Send;

    /// The newest `limit` changes of the partner's open debits, newest first.
    fn debit_entries(
        &self,
        partner: &PartnerId,
        currency: Currency,
        limit: usize,
        start: Option<String>,
    ) -> impl Future<Output = Result<Page<DebitEntry>, StoreError>> + Send;

    /// A page of the partner's payout statements, newest first.
    fn payout_statements(
        &self,
        partner: &PartnerId,
        currency: Currency,
        limit: usize,
        start: Option<String>,
    ) -> impl Future<Output = Result<Page<PayoutStatement>, StoreError>> + Send;
}

#[cfg(test)]
mod error_tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_store_error_keeps_its_cause_and_shows_the_chain() {
        let parse = "x".parse::<u32>().unwrap_err();
        let error = StoreError::Decoding(Box::new(WithContext {
            context: "a stored record is not valid any more".into(),
            source: Box::new(parse.clone()),
        }));
        let cause = error.source().expect("the cause is kept");
        assert_eq!(
            cause.source().map(ToString::to_string),
            Some(parse.to_string())
        );
        assert_eq!(
            error.to_string(),
            format!(
                "stored data could not be read: a stored record is not valid any more: {parse}"
            )
        );
    }
}
