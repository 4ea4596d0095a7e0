//! The follow-up worker's use case: carry out each delivered effect exactly once in effect.
//!
//! An effect is looked up in the effect log by its deterministic key first; a processed one is
//! acknowledged without acting again. Payment calls carry the same key as their own
//! idempotency key, so a crash between the call and the log entry is harmless too. The result
//! names exactly the deliveries that failed (SQS partial batch response).

use std::future::Future;
use std::sync::{Arc, Mutex};

use storno_core::ledger::LedgerEntry;
use storno_core::{CustomerId, Effect, Money, OrderId, PartnerId};

use super::{Delivery, FollowUpError, StoreError, Work};

/// Money moving out: refunds to the original payment and partner transfers.
pub trait PaymentGateway: Send + Sync {
    /// `key` is the provider's idempotency key: the same key never pays twice.
    fn refund(
        &self,
        key: &str,
        customer: &CustomerId,
        amount: Money,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send;
    fn transfer(
        &self,
        key: &str,
        partner: &PartnerId,
        amount: Money,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send;
}

/// Messages to customers, partners and staff.
pub trait Notifier: Send + Sync {
    fn notify(
        &self,
        key: &str,
        effect: &Effect,
    ) -> impl Future<Output = Result<(), FollowUpError>> + Send;
}

/// Which effects were carried out (DynamoDB: a conditional item per key).
pub trait EffectLog: Send + Sync {
    fn is_processed(&self, key: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Records the effect as done, with the ledger entries of money it moved (booked on the
    /// order's ledger in the same write); `false` if it already was.
    fn mark_processed(
        &self,
        key: &str,
        execution: Option<Execution<'_>>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Money a follow-up moved out, for the order's ledger: refunds paid back, payouts transferred.
#[derive(Debug, Clone, Copy)]
pub struct Execution<'a> {
    pub order: &'a OrderId,
    pub entries: &'a [LedgerEntry],
}

/// What a recording fake was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Refund { key: String, amount: Money },
    Transfer { key: String, amount: Money },
    Notify { key: String },
}

/// Records every call it gets (the local server's and the tests' payment provider and
/// mailer), so a test sees any effect carried out twice.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Call>>>);

impl Recorder {
    pub fn calls(&self) -> Vec<Call> {
        self.0.lock().expect("recorder lock").clone()
    }

    fn record(&self, call: Call) {
        self.0.lock().expect("recorder lock").push(call);
    }
}

impl PaymentGateway for Recorder {
    async fn refund(
        &self,
        key: &str,
        _customer: &CustomerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        self.record(Call::Refund {
            key: key.to_owned(),
            amount,
        });
        Ok(())
    }

    async fn transfer(
        &self,
        key: &str,
        _partner: &PartnerId,
        amount: Money,
    ) -> Result<(), FollowUpError> {
        self.record(Call::Transfer {
            key: key.to_owned(),
            amount,
        });
        Ok(())
    }
}

impl Notifier for Recorder {
    async fn notify(&self, key: &str, _effect: &Effect) -> Result<(), FollowUpError> {
        self.record(Call::Notify {
            key: key.to_owned(),
        });
        Ok(())
    }
}

pub struct Worker<L, G, N> {
    log: L,
    payments: G,
    notifier: N,
}

impl<L: EffectLog, G: PaymentGateway, N: Notifier> Worker<L, G, N> {
    pub fn new(log: L, payments: G, notifier: N) -> Self {
        Worker {
            log,
            payments,
            notifier,
        }
    }

    /// Carries out one effect of `order` under its deterministic key; safe to repeat.
    pub async fn carry_out(
        &self,
        key: &str,
        order: &OrderId,
        effect: &Effect,
    ) -> Result<(), FollowUpError> {
        if self.log.is_processed(key).await? {
            return Ok(());
        }
        match effect {
            Effect::Refund { customer, amount } => {
                self.payments.refund(key, customer, *amount).await?
            }
            Effect::TransferPayout { partner, amount } => {
                self.payments.transfer(key, partner, *amount).await?
            }
            effect => self.notifier.notify(key, effect).await?,
        }
        let entries = storno_core::ledger::executed(effect);
        let execution = entries
            .as_deref()
            .map(|entries| Execution { order, entries });
        self.log.mark_processed(key, execution).await?;
        Ok(())
    }

    /// Handles a batch: what to deliver again, and what can never succeed.
    pub async fn handle_batch(&self, deliveries: &[Delivery]) -> BatchOutcome {
        handle_batch(self, deliveries).await
    }
}

impl<L: EffectLog, G: PaymentGateway, N: Notifier> HandleDelivery for Worker<L, G, N> {
    async fn handle(&self, delivery: &Delivery) -> Result<(), FollowUpError> {
        match &delivery.envelope.work {
            Work::Effect { order, effect } => {
                self.carry_out(&delivery.envelope.key, order, effect).await
            }
            _ => Err(FollowUpError::permanent(
                "the effect worker",
                format!("{} is not an effect", delivery.envelope.kind),
            )),
        }
    }
}

/// Handles one delivery; a retryable error leaves it to be delivered again, a permanent one
/// sends it to the dead letters.
pub trait HandleDelivery: Send + Sync {
    fn handle(&self, delivery: &Delivery)
    -> impl Future<Output = Result<(), FollowUpError>> + Send;
}

/// How many deliveries of one batch are handled at once.
pub const BATCH_CONCURRENCY: usize = 10;

/// What became of a batch: the handles of the deliveries to deliver again (an SQS partial
/// batch response), and the deliveries that can never succeed (for the dead letters).
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub retry: Vec<String>,
    pub dead: Vec<Delivery>,
}

impl BatchOutcome {
    /// Every delivery succeeded.
    pub fn is_clean(&self) -> bool {
        self.retry.is_empty() && self.dead.is_empty()
    }
}

/// Handles deliveries, up to [`BATCH_CONCURRENCY`] keys at once; deliveries of the same key
/// (a message delivered twice) go one after the other, so the second finds the first's entry
/// in the effect log.
pub async fn handle_batch(handler: &impl HandleDelivery, deliveries: &[Delivery]) -> BatchOutcome {
    let mut by_key: Vec<Vec<&Delivery>> = Vec::new();
    for delivery in deliveries {
        match by_key
            .iter_mut()
            .find(|group| group[0].envelope.key == delivery.envelope.key)
        {
            Some(group) => group.push(delivery),
            None => by_key.push(vec![delivery]),
        }
    }
    let mut outcome = BatchOutcome::default();
    for groups in by_key.chunks(BATCH_CONCURRENCY) {
        let failures = futures::future::join_all(groups.iter().map(|group| async move {
            let mut failed = Vec::new();
            for delivery in group {
                if let Err(error) = handler.handle(delivery).await {
                    failed.push((*delivery, error));
                }
            }
            failed
        }))
        .await;
        for (delivery, error) in failures.into_iter().flatten() {
            let key = &delivery.envelope.key;
            if error.is_permanent() {
                tracing::error!(%key, %error, "follow-up can never succeed; to the dead letters");
                outcome.dead.push(delivery.clone());
            } else {
                tracing::warn!(%key, %error, "follow-up failed; it will be delivered again");
                outcome.retry.push(delivery.handle.clone());
            }
        }
    }
    outcome
}
