//! Ports with two implementations each, besides the queue, payments and messages: the clock
//! and the follow-up publisher. Storage is the one DynamoDB store, used concretely.

use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use storno_core::{FollowUp, OrderId};

/// The time, so use cases never read a clock themselves.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock (Lambda). The local server has its own, shiftable one.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests set by hand.
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<DateTime<Utc>>>);

impl FixedClock {
    pub fn at(now: DateTime<Utc>) -> Self {
        FixedClock(Arc::new(Mutex::new(now)))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = now;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// Hands a committed command's follow-ups on (to SQS in production). A failure here loses
/// nothing: the command record is the outbox, and the sweeper re-sends what was not handed on.
pub trait FollowUpPublisher: Send + Sync {
    fn publish(
        &self,
        order: &OrderId,
        revision: u64,
        followups: &[FollowUp],
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// Keeps what was published, for tests and the local server's in-process worker.
#[derive(Debug, Clone, Default)]
pub struct RecordingPublisher(Arc<Mutex<Vec<FollowUp>>>);

impl RecordingPublisher {
    pub fn published(&self) -> Vec<FollowUp> {
        self.0.lock().expect("publisher lock").clone()
    }
}

impl FollowUpPublisher for RecordingPublisher {
    async fn publish(
        &self,
        _order: &OrderId,
        _revision: u64,
        followups: &[FollowUp],
    ) -> Result<(), String> {
        self.0
            .lock()
            .expect("publisher lock")
            .extend_from_slice(followups);
        Ok(())
    }
}
