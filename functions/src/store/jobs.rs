//! Whole-date jobs on DynamoDB: a job item with counters, and one outcome item per order,
//! written together with the counter under `attribute_not_exists`, so a redelivered message
//! never counts twice.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use storno_core::OrderId;

use super::error::{condition_held, sdk};
use super::keys::*;
use super::read::{number, string};
use super::{DynamoStore, codec, n, s};
use crate::app::{DateJob, JobFailure, JobProgress, StoreError};

impl DynamoStore {
    /// Records a new job; `false` if a job with its id exists already.
    pub async fn create_job(&self, job: &DateJob, total: usize) -> Result<bool, StoreError> {
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(PK, s(job_pk(&job.id)))
            .item(SK, s(JOB_SK))
            .item("body", AttributeValue::B(codec::encode(job)?.into()))
            .item("total", n(total))
            .item("succeeded", n(0))
            .item("failed", n(0))
            .item("fanned_out", AttributeValue::Bool(false))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        condition_held(written)
    }

    /// Notes that every order's message was sent.
    pub async fn mark_fanned_out(&self, job: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(job_pk(job)))
            .key(SK, s(JOB_SK))
            .update_expression("SET #done = :yes")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#done", "fanned_out")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// Records how one order went (`Err` holds the refusal's code); `false` if it was
    /// recorded before (a redelivered message counts once).
    pub async fn record_outcome(
        &self,
        job: &str,
        order: &OrderId,
        outcome: Result<(), String>,
    ) -> Result<bool, StoreError> {
        let (counter, code) = match &outcome {
            Ok(()) => ("succeeded", "ok"),
            Err(code) => ("failed", code.as_str()),
        };
        let record = Put::builder()
            .table_name(&self.table)
            .item(PK, s(job_pk(job)))
            .item(SK, s(outcome_sk(order)))
            .item("code", s(code))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()?;
        let count = Update::builder()
            .table_name(&self.table)
            .key(PK, s(job_pk(job)))
            .key(SK, s(JOB_SK))
            .update_expression("ADD #counter :one")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#counter", counter)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":one", n(1))
            .build()?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(record).build())
            .transact_items(TransactWriteItem::builder().update(count).build())
            .send()
            .await;
        match written {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(context)) => match context.err() {
                TransactWriteItemsError::TransactionCanceledException(cancelled)
                    if cancelled
                        .cancellation_reasons()
                        .first()
                        .and_then(|r| r.code())
                        == Some("ConditionalCheckFailed") =>
                {
                    Ok(false)
                }
                _ => Err(sdk(SdkError::ServiceError(context))),
            },
            Err(other) => Err(sdk(other)),
        }
    }

    pub async fn load_job(&self, job: &str) -> Result<Option<JobProgress>, StoreError> {
        let query = self
            .partition(None, (PK, job_pk(job)), None)
            .consistent_read(true);
        let mut head = None;
        let mut failures = Vec::new();
        for item in self.query_all(query).await? {
            let sk = string(&item, SK)?;
            if sk == JOB_SK {
                head = Some(item.clone());
            } else if let Some(order) = sk.strip_prefix(OUTCOME_PREFIX) {
                let code = string(&item, "code")?;
                if code != "ok" {
                    failures.push(JobFailure {
                        order: OrderId::parse(order).map_err(StoreError::decoding)?,
                        code: code.to_owned(),
                    });
                }
            }
        }
        let Some(head) = head else {
            return Ok(None);
        };
        let body = match head.get("body") {
            Some(AttributeValue::B(blob)) => blob.as_ref(),
            _ => return Err(StoreError::decoding("job item without body")),
        };
        Ok(Some(JobProgress {
            job: codec::decode(body)?,
            total: number(&head, "total")?,
            succeeded: number(&head, "succeeded")?,
            failed: number(&head, "failed")?,
            fanned_out: matches!(head.get("fanned_out"), Some(AttributeValue::Bool(true))),
            failures,
        }))
    }
}
