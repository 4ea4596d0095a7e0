//! Idempotency records on DynamoDB: `IDEM#{hash(caller, key)}`, one per caller's key whatever
//! the route, with the request's hash and the response (deflated), and a TTL. Commands write
//! theirs in their own transaction; requests whose work is several writes reserve the key
//! first (a lease), then store the response.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::builders::PutBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};

use super::error::sdk;
use super::keys::*;
use super::query::Item;
use super::read::{number, string};
use super::{DynamoStore, codec, n, s};
use crate::app::{IdempotencyWrite, StoreError, StoredResponse};

/// The item of a completed record (the caller adds its condition).
pub(crate) fn record(
    table: &str,
    write: &IdempotencyWrite,
    max_bytes: usize,
) -> Result<PutBuilder, StoreError> {
    let response = codec::encode(&write.response)?;
    if response.len() > max_bytes {
        return Err(StoreError::TooLarge(format!(
            "the response to store for replays takes {} KB; at most {} KB fit",
            response.len() / 1024,
            max_bytes / 1024
        )));
    }
    Ok(Put::builder()
        .table_name(table)
        .item(PK, s(idempotency_pk(&write.key_hash)))
        .item(SK, s(IDEMPOTENCY_SK))
        .item("payload_hash", s(&write.payload_hash))
        .item("status", n(write.status))
        .item("response", AttributeValue::B(response.into()))
        .item(TTL_ATTRIBUTE, n(write.expires_at)))
}

fn stored(item: &Item) -> Result<StoredResponse, StoreError> {
    let response = match item.get("response") {
        Some(AttributeValue::B(blob)) => Some((
            number::<u16>(item, "status")?,
            codec::decode::<String>(blob.as_ref())?,
        )),
        _ => None,
    };
    let lease_until = match item.get("lease_until") {
        Some(_) => chrono::DateTime::from_timestamp_millis(number::<i64>(item, "lease_until")?),
        None => None,
    };
    Ok(StoredResponse {
        payload_hash: string(item, "payload_hash")?.to_owned(),
        response,
        lease_until,
    })
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

impl DynamoStore {
    pub async fn idempotency_record(
        &self,
        key_hash: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let item = self.get(&idempotency_pk(key_hash), IDEMPOTENCY_SK).await?;
        item.as_ref().map(stored).transpose()
    }

    /// Reserves a key for a request until `lease_until` (a reservation whose lease ran out may
    /// be taken over). `None`: reserved; otherwise the record that holds the key.
    pub async fn reserve_idempotency(
        &self,
        key_hash: &str,
        payload_hash: &str,
        lease_until: DateTime<Utc>,
        expires_at: i64,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let now = Utc::now();
        let reserved = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(PK, s(idempotency_pk(key_hash)))
            .item(SK, s(IDEMPOTENCY_SK))
            .item("payload_hash", s(payload_hash))
            .item("lease_until", n(millis(lease_until)))
            .item(TTL_ATTRIBUTE, n(expires_at))
            .condition_expression(
                "attribute_not_exists(#pk) OR (attribute_not_exists(#response) AND #lease < :now)",
            )
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#response", "response")
            .expression_attribute_names("#lease", "lease_until")
            .expression_attribute_values(":now", n(millis(now)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match reserved {
            Ok(_) => Ok(None),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => match &failed.item {
                    Some(item) => stored(item).map(Some),
                    // An engine that does not return the old item: read it.
                    None => self
                        .idempotency_record(key_hash)
                        .await?
                        .map(Some)
                        .ok_or_else(|| StoreError::Service("idempotency record vanished".into())),
                },
                _ => Err(sdk(error)),
            },
        }
    }

    /// Stores the response of a reserved key.
    pub async fn complete_idempotency(&self, write: &IdempotencyWrite) -> Result<(), StoreError> {
        record(&self.table, write, self.limits.chunk_bytes)?;
        let response = codec::encode(&write.response)?;
        self.client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(idempotency_pk(&write.key_hash)))
            .key(SK, s(IDEMPOTENCY_SK))
            .update_expression("SET #status = :status, #response = :response REMOVE #lease")
            .condition_expression("#payload = :payload AND attribute_not_exists(#response)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#response", "response")
            .expression_attribute_names("#lease", "lease_until")
            .expression_attribute_names("#payload", "payload_hash")
            .expression_attribute_values(":status", n(write.status))
            .expression_attribute_values(":response", AttributeValue::B(response.into()))
            .expression_attribute_values(":payload", s(&write.payload_hash))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// Gives a reservation up (its request failed without effect): the key may be used again.
    pub async fn release_idempotency(
        &self,
        key_hash: &str,
        payload_hash: &str,
    ) -> Result<(), StoreError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PK, s(idempotency_pk(key_hash)))
            .key(SK, s(IDEMPOTENCY_SK))
            .condition_expression("#payload = :payload AND attribute_not_exists(#response)")
            .expression_attribute_names("#payload", "payload_hash")
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":payload", s(payload_hash))
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(sdk(error)),
        }
    }
}
