//! The outbox relay: after a command commits, its follow-ups go to the queue and the command
//! record is acknowledged (it then waits for the reconciliation to verify them as done). The sweeper hands on what a crash left pending: records older than
//! its period, each claimed first so that two sweepers never send the same record.

use std::time::Duration;

use chrono::{DateTime, Utc};
use storno_core::{FollowUp, OrderId};

use super::{Envelope, FollowUpPublisher, Outbox, Queue};

pub struct Relay<O, Q> {
    pub(super) outbox: O,
    pub(super) queue: Q,
}

impl<O: Outbox, Q: Queue> Relay<O, Q> {
    pub fn new(outbox: O, queue: Q) -> Self {
        Relay { outbox, queue }
    }

    pub fn outbox(&self) -> &O {
        &self.outbox
    }

    async fn send_and_acknowledge(
        &self,
        order: &OrderId,
        revision: u64,
        envelopes: &[Envelope],
    ) -> Result<(), String> {
        let refused = self
            .queue
            .send(envelopes)
            .await
            .map_err(|e| e.to_string())?;
        if !refused.is_empty() {
            // Left pending: the sweeper sends the record again (the worker is idempotent).
            return Err(format!("the queue refused {} follow-ups", refused.len()));
        }
        self.outbox
            .acknowledge(order, revision)
            .await
            .map_err(|e| e.to_string())
    }

    /// Hands on records written before `now − period` and still pending; returns how many.
    pub async fn sweep(
        &self,
        now: DateTime<Utc>,
        period: Duration,
        limit: usize,
    ) -> Result<usize, String> {
        let period = chrono::Duration::from_std(period).map_err(|e| e.to_string())?;
        let pending = self
            .outbox
            .pending(now - period, limit)
            .await
            .map_err(|e| e.to_string())?;
        let mut handed_on = 0;
        for (order, revision) in pending {
            let claimed = self
                .outbox
                .claim(&order, revision, now, now + period)
                .await
                .map_err(|e| e.to_string())?;
            if !claimed {
                continue;
            }
            let followups = self
                .outbox
                .followups(&order, revision)
                .await
                .map_err(|e| e.to_string())?;
            let envelopes: Vec<Envelope> = followups
                .iter()
                .map(|f| Envelope {
                    attempt: 2,
                    ..Envelope::of(f)
                })
                .collect();
            self.send_and_acknowledge(&order, revision, &envelopes)
                .await?;
            handed_on += 1;
        }
        Ok(handed_on)
    }
}

impl<O: Outbox, Q: Queue> FollowUpPublisher for Relay<O, Q> {
    async fn publish(
        &self,
        order: &OrderId,
        revision: u64,
        followups: &[FollowUp],
    ) -> Result<(), String> {
        if followups.is_empty() {
            return Ok(());
        }
        let envelopes: Vec<Envelope> = followups.iter().map(Envelope::of).collect();
        self.send_and_acknowledge(order, revision, &envelopes).await
    }
}
