//! Reconciliation: every committed command's follow-ups are checked against the effect log once
//! they are older than a grace period. A command record stays in the outbox index after it was
//! handed to the queue (as "to verify") until every one of its follow-ups is recorded as done;
//! anything older than the grace period that is not done is reported — the refund, credit note
//! or transfer a customer or partner is still waiting for — and can be sent again (the worker
//! carries out each effect once, however often it arrives).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use storno_core::{Effect, Money, OrderId};

use super::{EffectLog, Envelope, Outbox, Queue, Relay, StoreError};

/// A follow-up of a committed command that was not carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MissingEffect {
    pub key: String,
    pub kind: String,
    /// The money it moves (refunds and transfers).
    pub amount: Option<Money>,
}

/// A command older than the grace period whose follow-ups are not all done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Unfinished {
    pub order: OrderId,
    pub revision: u64,
    pub written_at: DateTime<Utc>,
    /// Whether its follow-ups ever reached the queue (false: the outbox sweeper's work).
    pub handed_on: bool,
    pub missing: Vec<MissingEffect>,
}

/// What one reconciliation run found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reconciliation {
    /// Command records checked (older than the grace period).
    pub checked: usize,
    /// Of those, how many had every follow-up done (now verified; never checked again).
    pub verified: usize,
    pub unfinished: Vec<Unfinished>,
    /// Follow-ups sent to the queue again (when asked to).
    pub resent: usize,
}

impl Reconciliation {
    /// Nothing is missing.
    pub fn is_clean(&self) -> bool {
        self.unfinished.is_empty()
    }
}

fn amount(effect: &Effect) -> Option<Money> {
    match effect {
        Effect::Refund { amount, .. } | Effect::TransferPayout { amount, .. } => Some(*amount),
        _ => None,
    }
}

impl<O: Outbox, Q: Queue> Relay<O, Q> {
    /// [`reconcile`] over this relay's outbox and queue.
    pub async fn reconcile(
        &self,
        log: &impl EffectLog,
        now: DateTime<Utc>,
        grace: Duration,
        limit: usize,
        resend: bool,
    ) -> Result<Reconciliation, StoreError> {
        reconcile(&self.outbox, &self.queue, log, now, grace, limit, resend).await
    }
}

/// Checks command records written before `now − grace` (at most `limit` of each kind):
/// verified ones leave the index; unfinished ones are reported and, with `resend`, their
/// missing follow-ups are sent to `queue` again.
pub async fn reconcile(
    outbox: &impl Outbox,
    queue: &impl Queue,
    log: &impl EffectLog,
    now: DateTime<Utc>,
    grace: Duration,
    limit: usize,
    resend: bool,
) -> Result<Reconciliation, StoreError> {
    let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::zero());
    // A grace beyond the calendar means "nothing is old enough", never an overflow.
    let before = now
        .checked_sub_signed(grace)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let mut report = Reconciliation::default();
    let waiting = outbox.pending(before, limit).await?;
    let handed_on = outbox.unverified(before, limit).await?;
    let records = waiting
        .into_iter()
        .map(|(order, revision)| (order, revision, None, false))
        .chain(
            handed_on
                .into_iter()
                .map(|(order, revision, at)| (order, revision, Some(at), true)),
        );
    for (order, revision, written_at, was_handed_on) in records {
        report.checked += 1;
        let followups = outbox.followups(&order, revision).await?;
        let mut missing = Vec::new();
        let mut envelopes = Vec::new();
        for followup in &followups {
            if !log.is_processed(&followup.key).await? {
                missing.push(MissingEffect {
                    key: followup.key.clone(),
                    kind: followup.effect.kind().to_owned(),
                    amount: amount(&followup.effect),
                });
                envelopes.push(Envelope {
                    attempt: 3,
                    ..Envelope::of(followup)
                });
            }
        }
        if missing.is_empty() {
            if was_handed_on {
                outbox.verified(&order, revision).await?;
                report.verified += 1;
            }
            continue;
        }
        if resend {
            match queue.send(&envelopes).await {
                Ok(refused) => report.resent += envelopes.len() - refused.len(),
                Err(error) => tracing::warn!(%order, revision, %error, "not resent"),
            }
        }
        tracing::warn!(%order, revision, missing = missing.len(), "follow-ups not carried out");
        report.unfinished.push(Unfinished {
            order,
            revision,
            written_at: written_at.unwrap_or(before),
            handed_on: was_handed_on,
            missing,
        });
    }
    Ok(report)
}
