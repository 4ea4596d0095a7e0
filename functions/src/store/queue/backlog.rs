//! How much waits in the table queue: messages visible now, in flight, dead, and the age of
//! the one waiting longest (what `/ops/followups` reports).

use chrono::{DateTime, Utc};

use super::*;

impl DynamoQueue {
    async fn count(&self, partition: String, until: Option<i64>) -> Result<usize, StoreError> {
        let mut total = 0;
        let mut start = None;
        loop {
            let mut query = self
                .store
                .client
                .query()
                .table_name(&self.store.table)
                .index_name(GSI_OUTBOX)
                .select(aws_sdk_dynamodb::types::Select::Count)
                .expression_attribute_names("#pk", GSI3_PK)
                .expression_attribute_values(":pk", s(partition.clone()))
                .set_exclusive_start_key(start);
            query = match until {
                Some(until) => query
                    .key_condition_expression("#pk = :pk AND #sk <= :until")
                    .expression_attribute_names("#sk", GSI3_SK)
                    .expression_attribute_values(":until", s(visible_sk(until, "~"))),
                None => query.key_condition_expression("#pk = :pk"),
            };
            let page = query.send().await.map_err(sdk)?;
            total += usize::try_from(page.count).unwrap_or_default();
            match page.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(total),
            }
        }
    }

    /// How much waits: messages visible now, in flight, dead, and how long the one waiting
    /// longest has been visible.
    pub async fn backlog(&self, now: DateTime<Utc>) -> Result<Backlog, QueueError> {
        let now_ms = millis(now);
        let all = self.count(self.live(), None).await.map_err(service)?;
        let waiting = self
            .count(self.live(), Some(now_ms))
            .await
            .map_err(service)?;
        let dead = self.count(self.dead(), None).await.map_err(service)?;
        let oldest = self
            .index(self.live(), Some(now_ms), 1)
            .await
            .map_err(service)?;
        let oldest_wait = oldest.first().and_then(|(_, visible)| {
            let since: i64 = visible.split('#').next()?.parse().ok()?;
            Some(Duration::from_millis(u64::try_from(now_ms - since).ok()?))
        });
        Ok(Backlog {
            waiting,
            in_flight: all - waiting.min(all),
            dead,
            oldest_wait,
        })
    }
}
