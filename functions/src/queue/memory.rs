//! The in-process queue twin: SQS's semantics as the contract suite pins them down — at least
//! once, visibility timeout, receive count, redrive to a dead-letter queue on the receive after
//! the count reached the limit — for the local server and use-case tests.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::app::{Delivery, Envelope, Queue, QueueError};

#[derive(Debug)]
struct Message {
    envelope: Envelope,
    /// The handle of the latest receive; only it deletes the message.
    handle: Option<String>,
    visible_at: Instant,
    receive_count: u32,
}

#[derive(Debug, Default)]
struct Inner {
    messages: Vec<Message>,
    dead: Vec<Message>,
    next_handle: u64,
}

#[derive(Debug)]
pub struct MemoryQueue {
    max_receive_count: u32,
    inner: Mutex<Inner>,
}

impl MemoryQueue {
    /// A queue whose messages move to its dead-letter queue once received `max_receive_count`
    /// times without being deleted.
    pub fn new(max_receive_count: u32) -> Self {
        MemoryQueue {
            max_receive_count,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Messages waiting or in flight (not counting dead letters).
    pub fn len(&self) -> usize {
        self.inner.lock().expect("queue lock").messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn delivery(message: &Message) -> Delivery {
    Delivery {
        handle: message.handle.clone().unwrap_or_default(),
        envelope: message.envelope.clone(),
        receive_count: message.receive_count,
    }
}

impl Queue for MemoryQueue {
    async fn send(&self, envelopes: &[Envelope]) -> Result<Vec<String>, QueueError> {
        let now = Instant::now();
        let mut inner = self.inner.lock().expect("queue lock");
        inner
            .messages
            .extend(envelopes.iter().map(|envelope| Message {
                envelope: envelope.clone(),
                handle: None,
                visible_at: now,
                receive_count: 0,
            }));
        Ok(Vec::new())
    }

    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>, QueueError> {
        let now = Instant::now();
        let mut inner = self.inner.lock().expect("queue lock");
        let limit = self.max_receive_count;
        let (dead, alive): (Vec<Message>, Vec<Message>) = std::mem::take(&mut inner.messages)
            .into_iter()
            .partition(|m| m.visible_at <= now && m.receive_count >= limit);
        inner.messages = alive;
        inner.dead.extend(dead);
        let mut received = Vec::new();
        for index in 0..inner.messages.len() {
            if received.len() == max.min(10) {
                break;
            }
            if inner.messages[index].visible_at > now {
                continue;
            }
            inner.next_handle += 1;
            let handle = format!("handle-{}", inner.next_handle);
            let message = &mut inner.messages[index];
            message.receive_count += 1;
            message.visible_at = now + visibility;
            message.handle = Some(handle);
            received.push(delivery(message));
        }
        Ok(received)
    }

    async fn delete(&self, handles: &[String]) -> Result<(), QueueError> {
        let mut inner = self.inner.lock().expect("queue lock");
        inner
            .messages
            .retain(|m| m.handle.as_ref().is_none_or(|h| !handles.contains(h)));
        Ok(())
    }

    async fn bury(&self, deliveries: &[Delivery]) -> Result<(), QueueError> {
        let mut inner = self.inner.lock().expect("queue lock");
        let handles: Vec<&String> = deliveries.iter().map(|d| &d.handle).collect();
        let (buried, alive): (Vec<Message>, Vec<Message>) = std::mem::take(&mut inner.messages)
            .into_iter()
            .partition(|m| m.handle.as_ref().is_some_and(|h| handles.contains(&h)));
        inner.messages = alive;
        inner.dead.extend(buried);
        Ok(())
    }

    async fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, QueueError> {
        let inner = self.inner.lock().expect("queue lock");
        Ok(inner.dead.iter().take(max.min(10)).map(delivery).collect())
    }
}
