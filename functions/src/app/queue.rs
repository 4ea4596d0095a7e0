//! The follow-up queue port: envelopes carrying one follow-up each, at-least-once delivery,
//! a visibility timeout, and a dead-letter queue after too many receives. SQS implements it
//! ([`crate::queue::SqsQueue`]); the in-process twin ([`crate::queue::MemoryQueue`]) serves the
//! local server and the use-case tests. One contract suite runs against both.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use storno_core::{DateAction, DateId, Effect, FollowUp, OrderId, StaffId};
use thiserror::Error;

/// The envelope format this build writes. Readers accept every earlier one (the first had no
/// `version`) and ignore fields they do not know: during a deploy, workers of the old build
/// read messages of the new one, and SQS keeps messages for up to 14 days (plus redrives).
pub const ENVELOPE_VERSION: u32 = 2;

/// One unit of follow-up work as it travels: its deterministic key (what makes handling it
/// idempotent), the kind, how often it was handed on, and the work itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Envelope {
    /// The format it was written in (1 when absent: written before envelopes were versioned).
    #[serde(default = "first_version")]
    pub version: u32,
    pub key: String,
    pub kind: String,
    pub attempt: u32,
    pub work: Work,
}

/// What the follow-up worker is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// An effect a committed command left for after its commit.
    Effect { order: OrderId, effect: Effect },
    /// One order of a whole-date job.
    DateOrder(DateOrder),
    /// Continue a payout run that had more due than one run should release.
    ReleasePayouts,
}

/// One order of a whole-date job, acted on by the same rules as the single-order command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DateOrder {
    pub job: String,
    pub date: DateId,
    pub order: OrderId,
    pub action: DateAction,
    /// The staff member who started the job.
    pub staff: StaffId,
}

fn first_version() -> u32 {
    1
}

impl Envelope {
    pub fn of(followup: &FollowUp) -> Self {
        Envelope {
            version: ENVELOPE_VERSION,
            key: followup.key.clone(),
            kind: followup.effect.kind().to_owned(),
            attempt: 1,
            work: Work::Effect {
                order: followup.order.clone(),
                effect: followup.effect.clone(),
            },
        }
    }

    pub fn date_order(item: DateOrder) -> Self {
        Envelope {
            version: ENVELOPE_VERSION,
            key: format!("date-job:{}:{}", item.job, item.order),
            kind: item.action.name().to_owned(),
            attempt: 1,
            work: Work::DateOrder(item),
        }
    }

    /// A payout run's continuation; `key` names the run it continues.
    pub fn release_payouts(key: String) -> Self {
        Envelope {
            version: ENVELOPE_VERSION,
            key,
            kind: "release-payouts".to_owned(),
            attempt: 1,
            work: Work::ReleasePayouts,
        }
    }
}

/// How much follow-up work waits in a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Backlog {
    /// Visible now, waiting for a consumer.
    pub waiting: usize,
    /// Received and not yet deleted (being worked on, or waiting out a visibility timeout).
    pub in_flight: usize,
    /// In the dead-letter queue: needs a person.
    pub dead: usize,
    /// How long the message waiting longest has been waiting.
    #[serde(serialize_with = "seconds")]
    pub oldest_wait: Option<Duration>,
}

impl Backlog {
    /// Nothing waits and nothing is being worked on.
    pub fn is_idle(&self) -> bool {
        self.waiting == 0 && self.in_flight == 0
    }
}

fn seconds<S: serde::Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(duration) => s.serialize_some(&duration.as_secs_f64()),
        None => s.serialize_none(),
    }
}

/// A received envelope, with the handle that deletes it and how often it was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub handle: String,
    pub envelope: Envelope,
    pub receive_count: u32,
}

#[derive(Debug, Error)]
pub enum QueueError {
    #[error("the queue failed: {}", super::storage::chain(.0.as_ref()))]
    Service(#[source] super::storage::Cause),
    #[error("a message could not be encoded: {}", super::storage::chain(.0.as_ref()))]
    Encoding(#[source] super::storage::Cause),
}

pub trait Queue: Send + Sync {
    /// Sends envelopes (in batches the queue accepts). Returns the keys of those it refused, to
    /// be sent again (or left to the outbox sweeper).
    fn send(
        &self,
        envelopes: &[Envelope],
    ) -> impl Future<Output = Result<Vec<String>, QueueError>> + Send;

    /// Up to `max` (at most 10) visible envelopes, hidden from other receivers for
    /// `visibility`. Messages received too often move to the dead-letter queue instead. Never
    /// waits for messages; call again for more.
    fn receive(
        &self,
        max: usize,
        visibility: Duration,
    ) -> impl Future<Output = Result<Vec<Delivery>, QueueError>> + Send;

    /// Acknowledges handled deliveries: they never come back.
    fn delete(&self, handles: &[String]) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// Moves received deliveries that can never succeed to the dead-letter queue now, instead
    /// of after the remaining receives. Deleting them afterwards, as handled ones are, is
    /// harmless; either way they are never received again.
    fn bury(&self, deliveries: &[Delivery]) -> impl Future<Output = Result<(), QueueError>> + Send;

    /// Up to `max` (at most 10) envelopes from the dead-letter queue (left there).
    fn dead_letters(
        &self,
        max: usize,
    ) -> impl Future<Output = Result<Vec<Delivery>, QueueError>> + Send;
}

/// A shared queue is a queue (the relay and the worker hold the same one).
impl<Q: Queue> Queue for std::sync::Arc<Q> {
    fn send(
        &self,
        envelopes: &[Envelope],
    ) -> impl Future<Output = Result<Vec<String>, QueueError>> + Send {
        Q::send(self, envelopes)
    }

    fn receive(
        &self,
        max: usize,
        visibility: Duration,
    ) -> impl Future<Output = Result<Vec<Delivery>, QueueError>> + Send {
        Q::receive(self, max, visibility)
    }

    fn delete(&self, handles: &[String]) -> impl Future<Output = Result<(), QueueError>> + Send {
        Q::delete(self, handles)
    }

    fn bury(&self, deliveries: &[Delivery]) -> impl Future<Output = Result<(), QueueError>> + Send {
        Q::bury(self, deliveries)
    }

    fn dead_letters(
        &self,
        max: usize,
    ) -> impl Future<Output = Result<Vec<Delivery>, QueueError>> + Send {
        Q::dead_letters(self, max)
    }
}
