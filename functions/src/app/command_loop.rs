//! The one command loop: every command that commits a core decision (a command on an order,
//! an intake, a payout release) runs here. Each attempt reads and decides; the loop takes the
//! decision's document numbers in turn, commits it with its idempotency records in one
//! transaction (re-sending a write whose answer was lost), hands its follow-ups on, and on a
//! lost condition decides again (bounded).

use chrono::Duration;
use storno_core::{DateId, Decision, DomainError, Money};

use super::idempotency::{IDEMPOTENCY_TTL_HOURS, token};
use super::numbers::Turn;
use super::retry::{Attempts, Retry, resending};
use super::{
    AppError, Clock, Commit, Conflict, FollowUpPublisher, Idempotency, IdempotencyWrite, Receipt,
    Runner, StoreError,
};

/// A decision and the conditions it was made under, checked when it is written.
pub(super) struct Plan {
    pub(super) decision: Decision,
    /// The order's version read; `None` for a new order.
    pub(super) expected_version: Option<u64>,
    /// How many items held the order that was read.
    pub(super) previous_parts: usize,
    /// The partner debit the decision was made with (payout release).
    pub(super) partner_debit_read: Option<Money>,
    /// Dates the decision relied on being active.
    pub(super) active_dates: Vec<DateId>,
}

/// What one attempt came to before anything is written.
pub(super) enum Attempt {
    Write(Box<Plan>),
    /// A stale read could not settle it: read again, consistently.
    ReadAgain,
    /// The core refused (on the latest state).
    Refused(DomainError),
}

/// A command the loop runs: each attempt reads what it needs and lets the core decide.
pub(super) trait Command: Send {
    /// One attempt; `consistent` asks for consistent reads (a stale one could not settle it).
    fn attempt(
        &mut self,
        consistent: bool,
    ) -> impl Future<Output = Result<Attempt, AppError>> + Send;
}

/// How a command ended short of an error.
pub(super) enum Ended {
    Committed(Box<Receipt>),
    Refused(DomainError),
    /// One of its idempotency keys was written by another request first.
    KeyTaken,
}

/// The idempotency records a command writes with its decision, and the status they answer.
pub(super) struct Keys<'k> {
    pub(super) keys: Vec<&'k Idempotency>,
    pub(super) status: u16,
}

impl<'k> Keys<'k> {
    /// A command's own `Idempotency-Key`, if the request carried one (answers 200).
    pub(super) fn of(key: Option<&'k Idempotency>) -> Self {
        Keys {
            keys: key.into_iter().collect(),
            status: 200,
        }
    }
}

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// Runs `command` until its decision commits, the core refuses, or the tries run out (409).
    pub(super) async fn run_command(
        &self,
        keys: &Keys<'_>,
        mut command: impl Command,
    ) -> Result<Ended, AppError> {
        let mut turn = Turn::default();
        let ended = self.attempt_until_done(keys, &mut command, &mut turn).await;
        self.numbers.end(self.store(), turn).await;
        ended
    }

    async fn attempt_until_done(
        &self,
        keys: &Keys<'_>,
        command: &mut impl Command,
        turn: &mut Turn,
    ) -> Result<Ended, AppError> {
        let execution = self.next_execution();
        let mut consistent = false;
        let mut attempts = Attempts::default();
        while attempts.remain() {
            let plan = match command.attempt(consistent).await? {
                Attempt::Write(plan) => plan,
                Attempt::ReadAgain => {
                    consistent = true;
                    continue;
                }
                Attempt::Refused(refusal) => return Ok(Ended::Refused(refusal)),
            };
            if !self.numbers.in_turn(&plan.decision, turn).await {
                continue;
            }
            match self.record(&plan, keys, execution).await {
                Ok(receipt) => return Ok(Ended::Committed(Box::new(receipt))),
                Err(Retry::Again) => {
                    consistent = true;
                    attempts.lost_race().await;
                }
                Err(Retry::Renumber) => {
                    let (store, decision) = (self.store(), &plan.decision);
                    let numbers = &self.numbers;
                    numbers
                        .lost_to_another_process(store, decision, turn, &mut attempts)
                        .await;
                }
                Err(Retry::Replay) => return Ok(Ended::KeyTaken),
                Err(Retry::Fail(error)) => return Err(error),
            }
        }
        Err(AppError::Conflict)
    }

    /// Commits, re-sending on a lost response, and hands the follow-ups on.
    async fn record(&self, plan: &Plan, keys: &Keys<'_>, execution: u64) -> Result<Receipt, Retry> {
        let decision = &plan.decision;
        let receipt = Receipt::of(decision);
        let now = self.clock().now();
        let response = serde_json::to_string(&receipt).expect("receipts serialise");
        let commit = Commit {
            decision,
            expected_version: plan.expected_version,
            previous_parts: plan.previous_parts,
            idempotency: keys
                .keys
                .iter()
                .map(|key| IdempotencyWrite {
                    key_hash: key.key_hash(),
                    payload_hash: key.payload_hash.clone(),
                    status: keys.status,
                    response: response.clone(),
                    expires_at: (now + Duration::hours(IDEMPOTENCY_TTL_HOURS)).timestamp(),
                })
                .collect(),
            partner_debit_read: plan.partner_debit_read,
            active_dates: plan.active_dates.clone(),
            // Re-sends of this very write share the token; any later attempt (new numbers,
            // new time) gets its own, so DynamoDB never sees one token with two sets of items.
            token: token(decision, keys.keys.last().copied(), execution),
            at: now,
        };
        match resending(|| self.store().commit(&commit)).await {
            Ok(_) => {
                self.numbers.taken(decision);
                let order = &decision.order;
                self.publish(&order.id, order.revision, &decision.followups)
                    .await;
                Ok(receipt)
            }
            Err(error) => Err(self.retry_after(decision, error)),
        }
    }

    /// What a failed commit asks for next.
    fn retry_after(&self, decision: &Decision, error: StoreError) -> Retry {
        match error {
            StoreError::Conflict(
                Conflict::Version | Conflict::Balance | Conflict::DateInactive,
            ) => Retry::Again,
            StoreError::Conflict(Conflict::Counter { next }) => {
                if let Some(numbers) = &decision.numbers {
                    self.numbers.moved_to(&numbers.series, next);
                }
                Retry::Renumber
            }
            StoreError::Conflict(Conflict::Idempotency | Conflict::AlreadyExists) => Retry::Replay,
            // Nothing was written: the balance did not cover the credit spent.
            StoreError::Conflict(Conflict::InsufficientCredit { balance }) => {
                let currency = decision.order.currency;
                let balance = balance
                    .and_then(|b| Money::new(b, currency).ok())
                    .unwrap_or(Money::zero(currency));
                Retry::Fail(
                    DomainError::InsufficientCredit {
                        wanted: (-decision.customer_credit_change).to_string(),
                        balance: balance.to_string(),
                    }
                    .into(),
                )
            }
            error => Retry::Fail(error.into()),
        }
    }
}
