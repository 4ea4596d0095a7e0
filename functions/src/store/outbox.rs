//! The outbox port on DynamoDB: a command record with follow-ups carries the sparse `gsi3`
//! keys in the `OUTBOX` partition until it is handed to the queue, then in the `VERIFY`
//! partition until the reconciliation found every follow-up carried out; sweepers claim
//! records with a conditional lease.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use storno_core::{FollowUp, OrderId};

use super::error::{condition_held, sdk};
use super::keys::*;
use super::read::string;
use super::records::CommandRecord;
use super::{DynamoStore, codec, s};
use crate::app::{Outbox, StoreError};

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Outbox for DynamoStore {
    async fn acknowledge(&self, order: &OrderId, revision: u64) -> Result<(), StoreError> {
        let acknowledged = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(order_pk(order)))
            .key(SK, s(command_sk(revision)))
            .update_expression("SET #gpk = :verify REMOVE claimed_until")
            .condition_expression("#gpk = :outbox")
            .expression_attribute_names("#gpk", GSI3_PK)
            .expression_attribute_values(":verify", s(OUTBOX_VERIFY))
            .expression_attribute_values(":outbox", s(OUTBOX_PENDING))
            .send()
            .await;
        // Acknowledged before (a sweeper and the relay both sent it): nothing to do.
        condition_held(acknowledged).map(|_| ())
    }

    async fn unverified(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(OrderId, u64, DateTime<Utc>)>, StoreError> {
        let records = self.index_records(OUTBOX_VERIFY, before, limit).await?;
        records
            .into_iter()
            .map(|(order, revision, written)| {
                let at = DateTime::parse_from_rfc3339(&written)
                    .map_err(StoreError::decoding)?
                    .with_timezone(&Utc);
                Ok((order, revision, at))
            })
            .collect()
    }

    async fn verified(&self, order: &OrderId, revision: u64) -> Result<(), StoreError> {
        let done = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(order_pk(order)))
            .key(SK, s(command_sk(revision)))
            .update_expression("REMOVE #gpk, #gsk")
            .condition_expression("#gpk = :verify")
            .expression_attribute_names("#gpk", GSI3_PK)
            .expression_attribute_names("#gsk", GSI3_SK)
            .expression_attribute_values(":verify", s(OUTBOX_VERIFY))
            .send()
            .await;
        condition_held(done).map(|_| ())
    }

    async fn pending(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(OrderId, u64)>, StoreError> {
        let records = self.index_records(OUTBOX_PENDING, before, limit).await?;
        Ok(records
            .into_iter()
            .map(|(order, revision, _)| (order, revision))
            .collect())
    }

    async fn claim(
        &self,
        order: &OrderId,
        revision: u64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let claimed = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(order_pk(order)))
            .key(SK, s(command_sk(revision)))
            .update_expression("SET claimed_until = :until")
            .condition_expression(
                "#gpk = :outbox AND (attribute_not_exists(claimed_until) OR claimed_until < :now)",
            )
            .expression_attribute_names("#gpk", GSI3_PK)
            .expression_attribute_values(":outbox", s(OUTBOX_PENDING))
            .expression_attribute_values(":until", s(stamp(until)))
            .expression_attribute_values(":now", s(stamp(now)))
            .send()
            .await;
        condition_held(claimed)
    }

    async fn followups(&self, order: &OrderId, revision: u64) -> Result<Vec<FollowUp>, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(order_pk(order)))
            .key(SK, s(command_sk(revision)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?
            .item
            .ok_or_else(|| StoreError::decoding(format!("no command record {order}/{revision}")))?;
        let Some(AttributeValue::B(body)) = item.get("body") else {
            return Err(StoreError::Decoding("command record without body".into()));
        };
        let record: CommandRecord = codec::decode(body.as_ref())?;
        Ok(record.followups.into_owned())
    }
}

impl DynamoStore {
    /// Command records of one outbox partition written before `before`: order, revision and
    /// the time stamp they were written with.
    async fn index_records(
        &self,
        partition: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(OrderId, u64, String)>, StoreError> {
        let page = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI_OUTBOX)
            .key_condition_expression("#pk = :partition AND #sk < :before")
            .expression_attribute_names("#pk", GSI3_PK)
            .expression_attribute_names("#sk", GSI3_SK)
            .expression_attribute_values(":partition", s(partition))
            .expression_attribute_values(":before", s(outbox_pending_before(before)))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(sdk)?;
        page.items()
            .iter()
            .map(|item| {
                let order = string(item, PK)?.trim_start_matches("ORDER#");
                let revision = string(item, SK)?.trim_start_matches("C#");
                let written = string(item, GSI3_SK)?
                    .split('#')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                Ok((
                    OrderId::parse(order).map_err(StoreError::decoding)?,
                    revision.parse().map_err(StoreError::decoding)?,
                    written,
                ))
            })
            .collect()
    }
}

impl DynamoStore {
    /// The order's ledger: every posting its commands made, oldest first (each command record
    /// holds its posting), so its balance can be explained entry by entry.
    pub async fn postings(&self, order: &OrderId) -> Result<Vec<storno_core::Posting>, StoreError> {
        let query = self
            .partition(None, (PK, order_pk(order)), Some((SK, COMMAND_PREFIX)))
            .consistent_read(true);
        let mut postings = Vec::new();
        for item in self.query_all(query).await? {
            let Some(AttributeValue::B(body)) = item.get("body") else {
                return Err(StoreError::Decoding("command record without body".into()));
            };
            let record: CommandRecord = codec::decode(body.as_ref())?;
            postings.extend(record.posting.into_owned());
        }
        Ok(postings)
    }
}
