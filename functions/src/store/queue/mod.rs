//! A durable follow-up queue in the table itself: what storno-local uses instead of SQS, so a
//! follow-up handed to the queue survives any crash of the process (the queue and the order
//! state live in the same embedded store).
//!
//! One item per message, keyed by the envelope's deterministic key (a message sent again while
//! it is still queued is one message). The overloaded `gsi3` orders messages by when they next
//! become visible; a receive claims each with a conditional update of that time, so two
//! consumers never hold the same message, and a message received `max_receive_count` times
//! moves to the dead-letter partition on its next receive — SQS's semantics, checked by the
//! same contract suite as SQS and the in-process twin.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::error::sdk;
use super::keys::*;
use super::query::Item;
use super::read::{number, string};
use super::{DynamoStore, codec, n, s};
use crate::app::{Backlog, Delivery, Envelope, Queue, QueueError, StoreError};

mod backlog;

/// A queue named `name` in the store's table.
#[derive(Clone, Debug)]
pub struct DynamoQueue {
    store: DynamoStore,
    name: String,
    max_receive_count: u32,
    /// Wakes consumers in this process when something is sent (they also poll).
    sent: Arc<Notify>,
}

fn service(error: StoreError) -> QueueError {
    QueueError::Service(Box::new(error))
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis().max(0)
}

/// `gsi3sk` of a message: when it becomes visible (epoch milliseconds), then its key.
fn visible_sk(visible_at_ms: i64, key: &str) -> String {
    format!("{visible_at_ms:015}#{key}")
}

impl DynamoQueue {
    pub fn new(store: DynamoStore, name: impl Into<String>, max_receive_count: u32) -> Self {
        DynamoQueue {
            store,
            name: name.into(),
            max_receive_count,
            sent: Arc::new(Notify::new()),
        }
    }

    /// Resolves when a message was sent in this process (or spuriously); consumers wait on it
    /// between polls.
    pub async fn sent(&self) {
        self.sent.notified().await;
    }

    fn live(&self) -> String {
        queue_pk(&self.name)
    }

    fn dead(&self) -> String {
        format!("{}#DEAD", queue_pk(&self.name))
    }

    async fn put(&self, envelope: &Envelope, now: DateTime<Utc>) -> Result<(), StoreError> {
        let body = codec::encode(envelope)?;
        let written = self
            .store
            .client
            .put_item()
            .table_name(&self.store.table)
            .item(PK, s(self.live()))
            .item(SK, s(queue_message_sk(&envelope.key)))
            .item("body", AttributeValue::B(body.into()))
            .item("sent_at", n(millis(now)))
            .item("receives", n(0))
            .item(GSI3_PK, s(self.live()))
            .item(GSI3_SK, s(visible_sk(millis(now), &envelope.key)))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        // Already queued under its key: one message is enough (the worker is idempotent).
        super::error::condition_held(written).map(|_| ())
    }

    /// The keys (`sk` and `gsi3sk`) of up to `limit` messages of `partition`, in visibility
    /// order, optionally only those visible at `until`.
    async fn index(
        &self,
        partition: String,
        until: Option<i64>,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut query = self
            .store
            .client
            .query()
            .table_name(&self.store.table)
            .index_name(GSI_OUTBOX)
            .expression_attribute_names("#pk", GSI3_PK)
            .expression_attribute_values(":pk", s(partition))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX));
        query = match until {
            Some(until) => query
                .key_condition_expression("#pk = :pk AND #sk <= :until")
                .expression_attribute_names("#sk", GSI3_SK)
                .expression_attribute_values(":until", s(visible_sk(until, "~"))),
            None => query.key_condition_expression("#pk = :pk"),
        };
        let page = query.send().await.map_err(sdk)?;
        page.items()
            .iter()
            .map(|item| {
                Ok((
                    string(item, SK)?.to_owned(),
                    string(item, GSI3_SK)?.to_owned(),
                ))
            })
            .collect()
    }

    /// Claims one message seen in the index at `seen`: `Ok(None)` if another consumer was
    /// faster; a message received too often moves to the dead-letter partition instead.
    async fn claim(
        &self,
        sk: &str,
        seen: &str,
        now_ms: i64,
        visibility: Duration,
    ) -> Result<Option<Delivery>, StoreError> {
        let key = sk.strip_prefix(QUEUE_MESSAGE_PREFIX).unwrap_or(sk);
        let visible_at = now_ms + i64::try_from(visibility.as_millis()).unwrap_or(i64::MAX / 2);
        let token = format!("{now_ms}-{}", next_token());
        let claimed = self
            .store
            .client
            .update_item()
            .table_name(&self.store.table)
            .key(PK, s(self.live()))
            .key(SK, s(sk))
            .update_expression("SET #gsk = :next, #token = :token ADD #receives :one")
            .condition_expression("#gsk = :seen AND #gpk = :live AND #receives < :max")
            .expression_attribute_names("#gsk", GSI3_SK)
            .expression_attribute_names("#gpk", GSI3_PK)
            .expression_attribute_names("#token", "token")
            .expression_attribute_names("#receives", "receives")
            .expression_attribute_values(":next", s(visible_sk(visible_at, key)))
            .expression_attribute_values(":seen", s(seen))
            .expression_attribute_values(":live", s(self.live()))
            .expression_attribute_values(":token", s(&token))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(self.max_receive_count))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match claimed {
            Ok(output) => {
                let item = output.attributes.unwrap_or_default();
                Ok(Some(Delivery {
                    handle: format!("{key}\n{token}"),
                    envelope: decode(&item)?,
                    receive_count: number(&item, "receives")?,
                }))
            }
            Err(error) => {
                let old = error
                    .as_service_error()
                    .and_then(|e| match e {
                        aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => {
                            Some(c.item.clone().unwrap_or_default())
                        }
                        _ => None,
                    });
                let Some(old) = old else {
                    return Err(sdk(error));
                };
                let untouched = string(&old, GSI3_SK).ok() == Some(seen);
                if untouched {
                    self.bury(sk, seen).await?;
                }
                Ok(None)
            }
        }
    }

    /// Moves a message received too often to the dead-letter partition.
    async fn bury(&self, sk: &str, seen: &str) -> Result<(), StoreError> {
        let moved = self
            .store
            .client
            .update_item()
            .table_name(&self.store.table)
            .key(PK, s(self.live()))
            .key(SK, s(sk))
            .update_expression("SET #gpk = :dead REMOVE #token")
            .condition_expression("#gsk = :seen")
            .expression_attribute_names("#gpk", GSI3_PK)
            .expression_attribute_names("#gsk", GSI3_SK)
            .expression_attribute_names("#token", "token")
            .expression_attribute_values(":dead", s(self.dead()))
            .expression_attribute_values(":seen", s(seen))
            .send()
            .await;
        super::error::condition_held(moved).map(|_| ())
    }

    async fn item(&self, sk: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .store
            .client
            .get_item()
            .table_name(&self.store.table)
            .key(PK, s(self.live()))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        Ok(output.item)
    }
}

fn decode(item: &Item) -> Result<Envelope, StoreError> {
    match item.get("body") {
        Some(AttributeValue::B(body)) => codec::decode(body.as_ref()),
        _ => Err(StoreError::Decoding("queue message without body".into())),
    }
}

/// The message key and receive token a handle of this queue names.
fn received(handle: &str) -> Option<(&str, &str)> {
    handle.split_once('\n')
}

fn next_token() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) ^ u64::from(std::process::id()) << 40
}

impl Queue for DynamoQueue {
    async fn send(&self, envelopes: &[Envelope]) -> Result<Vec<String>, QueueError> {
        let now = Utc::now();
        let mut refused = Vec::new();
        for chunk in envelopes.chunks(16) {
            let results = futures::future::join_all(chunk.iter().map(|e| self.put(e, now))).await;
            for (envelope, result) in chunk.iter().zip(results) {
                if let Err(error) = result {
                    tracing::warn!(key = %envelope.key, %error, "follow-up not queued");
                    refused.push(envelope.key.clone());
                }
            }
        }
        if refused.len() < envelopes.len() {
            self.sent.notify_waiters();
        }
        Ok(refused)
    }

    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>, QueueError> {
        let max = max.clamp(1, 10);
        let now_ms = millis(Utc::now());
        // A few more than asked for: some may be claimed by another consumer meanwhile.
        let candidates = self
            .index(self.live(), Some(now_ms), max * 2)
            .await
            .map_err(service)?;
        let mut received = Vec::new();
        for (sk, seen) in candidates {
            if received.len() == max {
                break;
            }
            if let Some(delivery) = self
                .claim(&sk, &seen, now_ms, visibility)
                .await
                .map_err(service)?
            {
                received.push(delivery);
            }
        }
        Ok(received)
    }

    async fn delete(&self, handles: &[String]) -> Result<(), QueueError> {
        for (key, token) in handles.iter().filter_map(|h| received(h)) {
            let deleted = self
                .store
                .client
                .delete_item()
                .table_name(&self.store.table)
                .key(PK, s(self.live()))
                .key(SK, s(queue_message_sk(key)))
                .condition_expression("#token = :token")
                .expression_attribute_names("#token", "token")
                .expression_attribute_values(":token", s(token))
                .send()
                .await;
            // Lost the condition: received again by someone else since (its visibility ran
            // out), theirs now.
            super::error::condition_held(deleted).map_err(service)?;
        }
        Ok(())
    }

    async fn bury(&self, deliveries: &[Delivery]) -> Result<(), QueueError> {
        for (key, token) in deliveries.iter().filter_map(|d| received(&d.handle)) {
            let moved = self
                .store
                .client
                .update_item()
                .table_name(&self.store.table)
                .key(PK, s(self.live()))
                .key(SK, s(queue_message_sk(key)))
                .update_expression("SET #gpk = :dead REMOVE #token")
                .condition_expression("#token = :token")
                .expression_attribute_names("#gpk", GSI3_PK)
                .expression_attribute_names("#token", "token")
                .expression_attribute_values(":dead", s(self.dead()))
                .expression_attribute_values(":token", s(token))
                .send()
                .await;
            // Received again by someone else since (its visibility ran out): theirs now.
            super::error::condition_held(moved).map_err(service)?;
        }
        Ok(())
    }

    async fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, QueueError> {
        let keys = self
            .index(self.dead(), None, max.clamp(1, 10))
            .await
            .map_err(service)?;
        let mut dead = Vec::new();
        for (sk, _) in keys {
            if let Some(item) = self.item(&sk).await.map_err(service)? {
                dead.push(Delivery {
                    handle: String::new(),
                    envelope: decode(&item).map_err(service)?,
                    receive_count: number(&item, "receives").map_err(service)?,
                });
            }
        }
        Ok(dead)
    }
}
