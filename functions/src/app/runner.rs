//! The use-case runner: read the order once, let the core decide, record the decision in one
//! transaction, hand its follow-ups on (the loop is in `command_loop`). On a version conflict
//! it reloads and decides again (bounded); a lost response is re-sent with the same
//! `ClientRequestToken`; an idempotency key that already committed answers with the stored
//! receipt.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use storno_core::{
    Actor, Context, DateId, Decision, DomainError, FollowUp, Issuer, IssuerId, Order, OrderId,
    SeriesKey,
};

use super::numbers::NumberSeries;
use super::{AppError, Clock, FollowUpPublisher};
use crate::store::DynamoStore;

/// The platform's settings the use cases follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Calendar years granted credit stays valid after the year of its grant.
    pub credit_valid_years: u32,
    /// The issuer of the registry that invoices partners the platform's commission.
    pub platform_issuer: IssuerId,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            credit_valid_years: storno_core::credit::DEFAULT_VALID_YEARS,
            platform_issuer: IssuerId::parse("platform").expect("a valid id"),
        }
    }
}

pub struct Runner<P, C> {
    store: DynamoStore,
    policy: Policy,
    publisher: P,
    clock: C,
    pub(super) numbers: NumberSeries,
    /// Makes tokens of commands without idempotency key unique per execution.
    executions: AtomicU64,
}

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    pub fn new(store: DynamoStore, publisher: P, clock: C) -> Self {
        Runner {
            store,
            policy: Policy::default(),
            publisher,
            clock,
            numbers: NumberSeries::default(),
            executions: AtomicU64::new(0),
        }
    }

    /// The same runner under another policy.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn store(&self) -> &DynamoStore {
        &self.store
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }

    pub(super) fn next_execution(&self) -> u64 {
        self.executions.fetch_add(1, Ordering::Relaxed)
    }

    /// Decides without recording: a dry run (one read, no write).
    pub async fn dry_run<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        decide: F,
    ) -> Result<Decision, AppError>
    where
        F: Fn(&Order, &Context) -> Result<Decision, DomainError>,
    {
        let loaded = self
            .store
            .load_order(order, true)
            .await?
            .filter(|loaded| loaded.order.visible_to(actor))
            .ok_or(DomainError::NotFound("order"))?;
        let ctx = self.context(&loaded.order, actor).await?;
        Ok(decide(&loaded.order, &ctx)?)
    }

    /// Reads an order for `actor`: another tenant's order answers like a missing one. The read
    /// is eventually consistent unless it finds nothing.
    pub async fn read_order(&self, order: &OrderId, actor: &Actor) -> Result<Order, AppError> {
        let loaded = match self.store.load_order(order, false).await? {
            Some(loaded) => Some(loaded),
            None => self.store.load_order(order, true).await?,
        };
        loaded
            .map(|loaded| loaded.order)
            .filter(|order| order.visible_to(actor))
            .ok_or_else(|| DomainError::NotFound("order").into())
    }

    /// Every order currently booked on a date (eventually consistent reads).
    pub async fn orders_on_date(&self, date: &DateId) -> Result<Vec<Order>, AppError> {
        let mut orders = Vec::new();
        let mut start = None;
        loop {
            let page = self.store.orders_on(date, 100, start).await?;
            for id in page.items {
                if let Some(loaded) = self.store.load_order(&id, false).await? {
                    orders.push(loaded.order);
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => return Ok(orders),
            }
        }
    }

    pub(super) async fn context(&self, order: &Order, actor: &Actor) -> Result<Context, AppError> {
        let issuer = self.issuer(&order.issuer).await?;
        self.context_with(issuer, actor).await
    }

    /// The context of a command by `actor` on documents of `issuer` (read once per command).
    pub(super) async fn context_with(
        &self,
        issuer: Arc<Issuer>,
        actor: &Actor,
    ) -> Result<Context, AppError> {
        let now = self.clock.now();
        let series = SeriesKey::for_issue(&issuer, now);
        Ok(Context {
            now,
            actor: actor.clone(),
            next_document_seq: self.numbers.next(&self.store, &series).await?,
            issuer,
        })
    }

    /// An issuer as the registry holds it now (documents issued now freeze it).
    pub(super) async fn issuer(&self, id: &IssuerId) -> Result<Arc<Issuer>, AppError> {
        self.store
            .load_issuer(id)
            .await?
            .map(Arc::new)
            .ok_or_else(|| DomainError::UnknownIssuer(id.to_string()).into())
    }

    /// Hands committed follow-ups on (the one way they leave a command); what fails here the
    /// outbox sweeper sends later from the command record.
    pub(super) async fn publish(&self, stream: &OrderId, revision: u64, followups: &[FollowUp]) {
        if let Err(error) = self.publisher.publish(stream, revision, followups).await {
            tracing::warn!(order = %stream, %error, "follow-ups not handed on yet");
        }
    }
}
