//! The issuer registry on DynamoDB: `ISSUER#{id}` holds the issuer; `PREFIX#{prefix}` names the
//! issuer a document number prefix belongs to. Both are written in one transaction, the prefix
//! only if it is free or already this issuer's, so two issuers can never print the same number.
//! A prefix an issuer stops using stays reserved for it.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use storno_core::{Issuer, IssuerId};

use super::error::sdk;
use super::keys::*;
use super::read::{body, string};
use super::{DynamoStore, codec, s};
use crate::app::{Conflict, StoreError};

impl DynamoStore {
    /// An eventually consistent read (half the cost): an issuer changes rarely, and a document
    /// issued a moment after a change may carry the data of just before it.
    pub async fn load_issuer(&self, id: &IssuerId) -> Result<Option<Issuer>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(issuer_pk(id)))
            .key(SK, s(ISSUER_SK))
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Indexes)
            .send()
            .await
            .map_err(sdk)?;
        self.meter.record(super::CapacityUse::from_sdk(
            "GetItem",
            output.consumed_capacity(),
        ));
        output
            .item
            .map(|item| codec::decode_issuer(body(&item)?))
            .transpose()
    }

    /// Stores an issuer (create or replace) and reserves its prefix for it for good; a prefix
    /// of another issuer is refused (`Conflict::PrefixTaken`), nothing written.
    pub async fn put_issuer(&self, issuer: &Issuer) -> Result<(), StoreError> {
        let prefix = issuer.numbers.prefix();
        let entry = Put::builder()
            .table_name(&self.table)
            .item(PK, s(issuer_pk(&issuer.id)))
            .item(SK, s(ISSUER_SK))
            .item("prefix", s(prefix))
            .item(
                "body",
                AttributeValue::B(codec::encode_issuer(issuer)?.into()),
            )
            .build()?;
        let reservation = Put::builder()
            .table_name(&self.table)
            .item(PK, s(prefix_pk(prefix)))
            .item(SK, s(PREFIX_SK))
            .item("issuer", s(issuer.id.as_str()))
            .condition_expression("attribute_not_exists(#pk) OR #issuer = :issuer")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#issuer", "issuer")
            .expression_attribute_values(":issuer", s(issuer.id.as_str()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(entry).build())
            .transact_items(TransactWriteItem::builder().put(reservation).build())
            .send()
            .await;
        match written {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(context)) => match context.err() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                    let taken = cancelled
                        .cancellation_reasons()
                        .get(1)
                        .filter(|reason| reason.code() == Some("ConditionalCheckFailed"));
                    match taken {
                        Some(reason) => {
                            let owner = reason
                                .item()
                                .and_then(|item| string(item, "issuer").ok())
                                .unwrap_or("another issuer")
                                .to_owned();
                            Err(StoreError::Conflict(Conflict::PrefixTaken { owner }))
                        }
                        // Another write to the same items at once: the caller may try again.
                        None => Err(StoreError::Conflict(Conflict::Version)),
                    }
                }
                other => Err(StoreError::service(format!(
                    "TransactWriteItems: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(other)
                ))),
            },
            Err(other) => Err(sdk(other)),
        }
    }
}
