//! The effect log on DynamoDB: one item per carried-out follow-up, written under
//! `attribute_not_exists`, so each deterministic effect key is processed once; a follow-up that
//! moved money also books it on the order's ledger (`X#{key}`) in the same transaction.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use storno_core::ledger::LedgerEntry;

use super::error::{condition_held, sdk};
use super::keys::*;
use super::{DynamoStore, codec, s};
use crate::app::{EffectLog, Execution, StoreError};

impl EffectLog for DynamoStore {
    async fn is_processed(&self, key: &str) -> Result<bool, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(effect_pk(key)))
            .key(SK, s(EFFECT_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        Ok(output.item.is_some())
    }

    async fn mark_processed(
        &self,
        key: &str,
        execution: Option<Execution<'_>>,
    ) -> Result<bool, StoreError> {
        let mark = Put::builder()
            .table_name(&self.table)
            .item(PK, s(effect_pk(key)))
            .item(SK, s(EFFECT_SK))
            .item("done", AttributeValue::Bool(true))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()?;
        let Some(execution) = execution else {
            let written = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(mark.item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .send()
                .await;
            return condition_held(written);
        };
        // The money it moved goes on the order's ledger in the same write: once, with the mark.
        let entries = serde_json::to_vec(execution.entries).map_err(StoreError::encoding)?;
        let ledger = Put::builder()
            .table_name(&self.table)
            .item(PK, s(order_pk(execution.order)))
            .item(SK, s(execution_sk(key)))
            .item(
                "entries",
                AttributeValue::B(codec::deflate(&entries)?.into()),
            )
            .item("at", s(chrono::Utc::now().to_rfc3339()))
            .build()?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(mark).build())
            .transact_items(TransactWriteItem::builder().put(ledger).build())
            .send()
            .await;
        match written {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(context))
                if matches!(
                    context.err(),
                    TransactWriteItemsError::TransactionCanceledException(cancelled)
                        if cancelled.cancellation_reasons().first().and_then(|r| r.code())
                            == Some("ConditionalCheckFailed")
                ) =>
            {
                Ok(false)
            }
            Err(error) => Err(sdk(error)),
        }
    }
}

impl DynamoStore {
    /// The money follow-ups of an order moved out, as the provider executed them: effect key
    /// and ledger entries, in key order.
    pub async fn executions(
        &self,
        order: &storno_core::OrderId,
    ) -> Result<Vec<(String, Vec<LedgerEntry>)>, StoreError> {
        let query = self
            .partition(None, (PK, order_pk(order)), Some((SK, EXECUTION_PREFIX)))
            .consistent_read(true);
        self.query_all(query)
            .await?
            .iter()
            .map(|item| {
                let key = super::read::string(item, SK)?
                    .trim_start_matches(EXECUTION_PREFIX)
                    .to_owned();
                let Some(AttributeValue::B(body)) = item.get("entries") else {
                    return Err(StoreError::Decoding("execution without entries".into()));
                };
                let entries = serde_json::from_slice(&codec::inflate(body.as_ref())?)
                    .map_err(StoreError::decoding)?;
                Ok((key, entries))
            })
            .collect()
    }
}
