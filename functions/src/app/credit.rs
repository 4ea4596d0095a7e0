//! The credit account's use cases: read it (the customer, staff), pay it out (staff), and
//! expire what is left of old grants (the scheduler). Spending it is part of order intake.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use storno_core::credit::{CreditDecision, expired_if_granted_before};
use storno_core::{Actor, CreditAccount, CreditEntry, Currency, CustomerId, Money};

use super::idempotency::IDEMPOTENCY_TTL_HOURS;
use super::retry::{Attempts, resending};
use super::{
    AppError, Clock, Conflict, FollowUpPublisher, Idempotency, IdempotencyWrite, Page, Runner,
    StoreError,
};

/// A payout of credit, as answered (and stored for replays of its idempotency key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreditPaidOut {
    pub customer: CustomerId,
    pub amount: Money,
    /// The balance left.
    pub balance: Money,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// What one expiry run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExpiryRun {
    /// Grants whose rest expired, and how much of each.
    pub expired: Vec<(CustomerId, Money)>,
    /// Grants found used up: taken off the index with nothing to expire.
    pub used_up: usize,
    /// Grants that could not be settled this run (the next one retries them).
    pub failed: usize,
}

impl<P: FollowUpPublisher, C: Clock> Runner<P, C> {
    /// A customer's credit account and a page of its entries, newest first (that customer,
    /// staff).
    pub async fn read_credit(
        &self,
        customer: &CustomerId,
        currency: Currency,
        actor: &Actor,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<(CreditAccount, Page<CreditEntry>), AppError> {
        CreditAccount::require_reader(customer, actor)?;
        let account = self.store().credit_account(customer, currency).await?;
        let entries = self
            .store()
            .credit_entries(customer, currency, limit, cursor)
            .await?;
        Ok((account, entries))
    }

    /// Staff pay out a customer's credit (all of it, or `amount`) to the original payment:
    /// once per idempotency key, never more than the balance.
    pub async fn pay_out_credit(
        &self,
        customer: &CustomerId,
        currency: Currency,
        amount: Option<Money>,
        actor: &Actor,
        key: Option<&Idempotency>,
    ) -> Result<CreditPaidOut, AppError> {
        actor.require_staff("pay out a customer's credit")?;
        // Money leaves the platform: without a key a retry could pay out twice.
        let Some(key) = key else {
            return Err(AppError::IdempotencyKeyRequired(
                "paying out credit needs an Idempotency-Key, so that a retry cannot pay out twice",
            ));
        };
        let key = Some(key);
        if let Some(done) = self.paid_out_before(key).await? {
            return Ok(done);
        }
        let mut attempts = Attempts::default();
        let mut execution = 0u32;
        while attempts.remain() {
            let account = self.store().credit_account(customer, currency).await?;
            let decision = match account.pay_out(amount, actor, self.clock().now()) {
                Ok(decision) => decision,
                // A replay whose first request took the balance answers as the first did.
                Err(refusal) => match self.paid_out_before(key).await? {
                    Some(done) => return Ok(done),
                    None => return Err(refusal.into()),
                },
            };
            let paid = CreditPaidOut {
                customer: customer.clone(),
                amount: decision.entry.amount,
                balance: decision.account.balance,
                at: decision.entry.at,
            };
            let idempotency = key.map(|key| self.idempotency_write(key, &paid));
            execution += 1;
            let token = self.credit_token(&decision, key, execution);
            match self
                .commit_credit(&decision, None, idempotency.as_ref(), &token)
                .await
            {
                Ok(()) => return Ok(paid),
                Err(StoreError::Conflict(Conflict::Idempotency)) => {
                    return self
                        .paid_out_before(key)
                        .await?
                        .ok_or(AppError::in_flight(None));
                }
                Err(StoreError::Conflict(_)) => attempts.lost_race().await,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Conflict)
    }

    /// The payout an idempotency key already made; the key used for another request is
    /// refused.
    async fn paid_out_before(
        &self,
        key: Option<&Idempotency>,
    ) -> Result<Option<CreditPaidOut>, AppError> {
        let Some(key) = key else {
            return Ok(None);
        };
        match self.store().idempotency_record(&key.key_hash()).await? {
            None => Ok(None),
            Some(stored) if stored.payload_hash != key.payload_hash => {
                Err(AppError::IdempotencyKeyReused)
            }
            Some(stored) => match stored.response {
                Some((_, body)) => serde_json::from_str(&body)
                    .map(Some)
                    .map_err(|e| AppError::Store(StoreError::decoding(e))),
                None => Err(AppError::in_flight(None)),
            },
        }
    }

    /// Expires what is left of grants older than the policy's validity (the scheduler), at
    /// most `limit` grants per run.
    pub async fn expire_credit(&self, limit: usize) -> Result<ExpiryRun, AppError> {
        let valid_years = self.policy().credit_valid_years;
        let now = self.clock().now();
        let before = expired_if_granted_before(now, valid_years);
        let mut run = ExpiryRun::default();
        for grant in self.store().grants_made_before(before, limit).await? {
            match self.expire_grant(&grant, valid_years).await {
                Ok(Some(amount)) => run.expired.push((grant.entry.customer.clone(), amount)),
                Ok(None) => run.used_up += 1,
                Err(error) => {
                    tracing::warn!(customer = %grant.entry.customer, %error, "credit not expired this run");
                    run.failed += 1;
                }
            }
        }
        Ok(run)
    }

    async fn expire_grant(
        &self,
        grant: &super::StoredGrant,
        valid_years: u32,
    ) -> Result<Option<Money>, AppError> {
        let mut attempts = Attempts::default();
        let mut execution = 0u32;
        while attempts.remain() {
            let account = self
                .store()
                .credit_account(&grant.entry.customer, grant.currency)
                .await?;
            let before = self.store().granted_before(grant).await?;
            let now = self.clock().now();
            let Some(decision) = account.expire(&grant.entry, before, valid_years, now) else {
                self.store().retire_grant(grant).await?;
                return Ok(None);
            };
            execution += 1;
            let token = self.credit_token(&decision, None, execution);
            match self
                .commit_credit(&decision, Some(grant), None, &token)
                .await
            {
                Ok(()) => return Ok(Some(decision.entry.amount)),
                Err(StoreError::Conflict(_)) => attempts.lost_race().await,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Conflict)
    }

    /// Commits, re-sending a write whose answer was lost, and hands the follow-ups on.
    async fn commit_credit(
        &self,
        decision: &CreditDecision,
        retire: Option<&super::StoredGrant>,
        idempotency: Option<&IdempotencyWrite>,
        token: &str,
    ) -> Result<(), StoreError> {
        resending(|| {
            self.store()
                .commit_credit(decision, retire, idempotency, token)
        })
        .await?;
        self.publish(
            &decision.stream,
            decision.account.revision,
            &decision.followups,
        )
        .await;
        Ok(())
    }

    fn idempotency_write(&self, key: &Idempotency, paid: &CreditPaidOut) -> IdempotencyWrite {
        let now = self.clock().now();
        IdempotencyWrite {
            key_hash: key.key_hash(),
            payload_hash: key.payload_hash.clone(),
            status: 201,
            response: serde_json::to_string(paid).expect("payouts serialise"),
            expires_at: (now + Duration::hours(IDEMPOTENCY_TTL_HOURS)).timestamp(),
        }
    }

    /// One token per decision tried (re-sends of it share it), at most 36 characters.
    fn credit_token(
        &self,
        decision: &CreditDecision,
        key: Option<&Idempotency>,
        execution: u32,
    ) -> String {
        let hash = super::hash_hex(&[
            decision.stream.as_str().as_bytes(),
            &decision.account.revision.to_be_bytes(),
            key.map_or(&[][..], |k| k.payload_hash.as_bytes()),
            &execution.to_be_bytes(),
            &self.clock().now().timestamp_micros().to_be_bytes(),
        ]);
        hash.chars().take(36).collect()
    }
}
