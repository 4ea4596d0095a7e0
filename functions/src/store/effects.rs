//! The effect log on DynamoDB: one item per carried-out follow-up, written under
//! `attribute_not_exists`, so each deterministic effect key is processed once.

use aws_sdk_dynamodb::types::AttributeValue;

use super::error::{condition_held, sdk};
use super::keys::*;
use super::{DynamoStore, s};
use crate::app::{EffectLog, StoreError};

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

    async fn mark_processed(&self, key: &str) -> Result<bool, StoreError> {
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(PK, s(effect_pk(key)))
            .item(SK, s(EFFECT_SK))
            .item("done", AttributeValue::Bool(true))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        condition_held(written)
    }
}
