//! The vocabulary of storage. The use cases use the one store, DynamoDB
//! ([`crate::store::DynamoStore`]), concretely, tested against dynoxide: no hand-written memory
//! store that could drift from DynamoDB's semantics, and no trait with a single implementation.
//! Only the outbox keeps a trait here: the crash tests put a failing one in its place.

use std::future::Future;

use chrono::{DateTime, Utc};
use storno_core::{CreditEntry, Currency, DateId, Decision, Money, Order, OrderId};
use thiserror::Error;

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

/// A grant of credit found in the grant index: the entry and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGrant {
    pub key: String,
    pub currency: Currency,
    pub entry: CreditEntry,
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
