//! Commands on an existing order (cancel, update, rebook, flags…): read the order, let the
//! core decide, commit through the command loop. A refusal or a lost race may be the replay of
//! a request that already succeeded: its stored receipt answers.

use std::sync::Arc;

use storno_core::{
    Actor, Context, DateId, Decision, DomainError, EventDate, Issuer, Order, OrderId,
};

use super::command_loop::{Attempt, Command, Ended, Keys, Plan};
use super::{
    AppError, Clock, FollowUpPublisher, Idempotency, Receipt, Runner, StoreError, StoredResponse,
};

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// Runs a command on an existing order. `decide` is a core command with its arguments bound.
    pub async fn execute<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        idempotency: Option<&Idempotency>,
        decide: F,
    ) -> Result<Receipt, AppError>
    where
        F: Fn(&Order, &Context) -> Result<Decision, DomainError> + Sync,
    {
        self.execute_with(order, actor, idempotency, None, |o, _, c| decide(o, c))
            .await
    }

    /// Runs a command that books onto another date (a rebooking): the date is read with the
    /// order on every attempt, and the transaction checks it is still active.
    pub async fn execute_onto<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        idempotency: Option<&Idempotency>,
        date: &DateId,
        decide: F,
    ) -> Result<Receipt, AppError>
    where
        F: Fn(&Order, &EventDate, &Context) -> Result<Decision, DomainError> + Sync,
    {
        self.execute_with(order, actor, idempotency, Some(date), |o, d, c| {
            decide(o, d.expect("the date is loaded"), c)
        })
        .await
    }

    async fn execute_with<F>(
        &self,
        order: &OrderId,
        actor: &Actor,
        idempotency: Option<&Idempotency>,
        onto: Option<&DateId>,
        decide: F,
    ) -> Result<Receipt, AppError>
    where
        F: Fn(&Order, Option<&EventDate>, &Context) -> Result<Decision, DomainError> + Sync,
    {
        let command = OnOrder {
            runner: self,
            order,
            actor,
            onto,
            decide: &decide,
            issuer: None,
        };
        match self.run_command(&Keys::of(idempotency), command).await? {
            Ended::Committed(receipt) => Ok(*receipt),
            Ended::Refused(refusal) => self.refused(idempotency, refusal).await,
            Ended::KeyTaken => self.replay(idempotency).await,
        }
    }

    /// A refusal may be the replay of a request that already succeeded: answer that instead.
    async fn refused(
        &self,
        idempotency: Option<&Idempotency>,
        refusal: DomainError,
    ) -> Result<Receipt, AppError> {
        match idempotency {
            Some(key) => match self.stored_receipt(key).await? {
                Some(receipt) => Ok(receipt),
                None => Err(refusal.into()),
            },
            None => Err(refusal.into()),
        }
    }

    async fn replay(&self, idempotency: Option<&Idempotency>) -> Result<Receipt, AppError> {
        let Some(key) = idempotency else {
            return Err(AppError::Conflict);
        };
        self.stored_receipt(key).await?.ok_or(AppError::Conflict)
    }

    /// The receipt stored under `key`: `None` if the key is new; the key reused for another
    /// request is refused, as is one whose first request is still at work.
    pub(super) async fn stored_receipt(
        &self,
        key: &Idempotency,
    ) -> Result<Option<Receipt>, AppError> {
        match self.store().idempotency_record(&key.key_hash()).await? {
            Some(stored) if stored.payload_hash != key.payload_hash => {
                Err(AppError::IdempotencyKeyReused)
            }
            Some(StoredResponse {
                response: Some((_, body)),
                ..
            }) => Ok(Some(
                serde_json::from_str(&body)
                    .map_err(|e| AppError::Store(StoreError::decoding(e)))?,
            )),
            Some(_) => Err(AppError::in_flight(None)),
            None => Ok(None),
        }
    }
}

/// A command on an existing order, its core decision bound.
struct OnOrder<'a, P, C, F> {
    runner: &'a Runner<P, C>,
    order: &'a OrderId,
    actor: &'a Actor,
    /// The date it books onto, read with the order.
    onto: Option<&'a DateId>,
    decide: &'a F,
    /// The order's issuer as an earlier attempt read it.
    issuer: Option<Arc<Issuer>>,
}

impl<P, C, F> Command for OnOrder<'_, P, C, F>
where
    P: FollowUpPublisher,
    C: Clock,
    F: Fn(&Order, Option<&EventDate>, &Context) -> Result<Decision, DomainError> + Sync,
{
    /// The first read is eventually consistent (half the cost; the write is conditioned on the
    /// version anyway); whatever it cannot settle is read again consistently.
    async fn attempt(&mut self, consistent: bool) -> Result<Attempt, AppError> {
        let runner = self.runner;
        let loaded = match runner.store().load_order(self.order, consistent).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) | Err(StoreError::Ambiguous(_)) if !consistent => {
                return Ok(Attempt::ReadAgain);
            }
            Ok(None) => return Err(DomainError::NotFound("order").into()),
            Err(error) => return Err(error.into()),
        };
        // Another tenant's order answers exactly like a missing one.
        if !loaded.order.visible_to(self.actor) {
            return Err(DomainError::NotFound("order").into());
        }
        let date = match self.onto {
            Some(id) => Some(runner.date(id).await?),
            None => None,
        };
        let issuer = match self.issuer.take() {
            Some(known) if known.id == loaded.order.issuer => known,
            _ => runner.issuer(&loaded.order.issuer).await?,
        };
        self.issuer = Some(Arc::clone(&issuer));
        let ctx = runner.context_with(issuer, self.actor).await?;
        match (self.decide)(&loaded.order, date.as_ref(), &ctx) {
            Ok(decision) => Ok(Attempt::Write(Box::new(Plan {
                decision,
                expected_version: Some(loaded.order.revision),
                previous_parts: loaded.parts,
                partner_debit_read: None,
                active_dates: self.onto.into_iter().cloned().collect(),
            }))),
            // A refusal on a possibly stale read is checked on the latest state.
            Err(_) if !consistent => Ok(Attempt::ReadAgain),
            Err(refusal) => Ok(Attempt::Refused(refusal)),
        }
    }
}
