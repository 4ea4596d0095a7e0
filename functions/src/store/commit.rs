//! A decision, recorded: one TransactWriteItems that writes the new state under
//! `version = expected`, the new documents (`attribute_not_exists`), the number counter, the
//! command record (ledger posting and follow-ups: the outbox), the idempotency record and any
//! balance changes — all or nothing.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnConsumedCapacity, TransactWriteItem, Update,
};

use super::error::sdk;
use super::{CapacityUse, DynamoStore};
use crate::app::{Commit, Conflict, StoreError};

/// DynamoDB's limits for one transaction.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

/// What a failed condition on each transaction item means.
#[derive(Clone, Copy)]
pub(super) enum OnFailure {
    Version,
    Counter,
    Idempotency,
    Balance,
    DateInactive,
    Credit,
    Never,
}

pub(super) type Item = HashMap<String, AttributeValue>;

#[derive(Default)]
pub(super) struct Transaction {
    pub(super) items: Vec<TransactWriteItem>,
    pub(super) on_failure: Vec<OnFailure>,
    pub(super) bytes: usize,
}

impl Transaction {
    pub(super) fn put(&mut self, put: Put, bytes: usize, on_failure: OnFailure) {
        self.items
            .push(TransactWriteItem::builder().put(put).build());
        self.on_failure.push(on_failure);
        self.bytes += bytes;
    }

    pub(super) fn delete(&mut self, delete: aws_sdk_dynamodb::types::Delete) {
        self.items
            .push(TransactWriteItem::builder().delete(delete).build());
        self.on_failure.push(OnFailure::Never);
        self.bytes += 128;
    }

    pub(super) fn update(&mut self, update: Update, on_failure: OnFailure) {
        self.items
            .push(TransactWriteItem::builder().update(update).build());
        self.on_failure.push(on_failure);
        self.bytes += 256;
    }
}

pub(super) fn blob(bytes: &[u8]) -> AttributeValue {
    AttributeValue::B(bytes.to_vec().into())
}

impl DynamoStore {
    /// Records a decision in one transaction. Refuses with `TooLarge` before writing anything
    /// if it would exceed DynamoDB's transaction or item limits.
    pub(crate) async fn transact(&self, commit: &Commit<'_>) -> Result<CapacityUse, StoreError> {
        let transaction = self.transaction(commit)?;
        self.run_transaction(transaction, &commit.token, |meaning, old| {
            conflict(meaning, old, commit)
        })
        .await
    }

    /// Sends one transaction; a failed condition is reported as what `conflict` makes of the
    /// item's meaning and its old value.
    pub(super) async fn run_transaction(
        &self,
        transaction: Transaction,
        token: &str,
        conflict: impl Fn(OnFailure, Option<&Item>) -> Conflict,
    ) -> Result<CapacityUse, StoreError> {
        let Transaction {
            items, on_failure, ..
        } = transaction;
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .set_client_request_token(Some(token.to_owned()).filter(|t| !t.is_empty()))
            .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
            .send()
            .await;
        match result {
            Ok(output) => {
                let usage = CapacityUse::from_sdk("TransactWriteItems", output.consumed_capacity());
                self.meter.record(usage.clone());
                Ok(usage)
            }
            Err(SdkError::ServiceError(context)) => match context.err() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                    let reasons = cancelled.cancellation_reasons();
                    for (reason, meaning) in reasons.iter().zip(&on_failure) {
                        match reason.code() {
                            Some("ConditionalCheckFailed") => {
                                return Err(StoreError::Conflict(conflict(
                                    *meaning,
                                    reason.item(),
                                )));
                            }
                            None | Some("None") => {}
                            // Another transaction was writing the same items: decide again.
                            Some("TransactionConflict") => {
                                return Err(StoreError::Conflict(Conflict::Version));
                            }
                            Some(code) => {
                                return Err(StoreError::service(format!(
                                    "transaction cancelled: {code}: {}",
                                    reason.message().unwrap_or_default()
                                )));
                            }
                        }
                    }
                    Err(StoreError::Conflict(Conflict::Version))
                }
                // Tokens are unique per attempt, so this only means: decide again.
                TransactWriteItemsError::IdempotentParameterMismatchException(_) => {
                    Err(StoreError::Conflict(Conflict::Version))
                }
                TransactWriteItemsError::TransactionInProgressException(_) => Err(
                    StoreError::Ambiguous("the same transaction is still in progress".into()),
                ),
                other => Err(StoreError::service(format!(
                    "TransactWriteItems: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(other)
                ))),
            },
            Err(other) => Err(sdk(other)),
        }
    }
}

fn conflict(meaning: OnFailure, old: Option<&Item>, commit: &Commit<'_>) -> Conflict {
    match meaning {
        OnFailure::Version if commit.expected_version.is_none() => Conflict::AlreadyExists,
        OnFailure::Version | OnFailure::Never => Conflict::Version,
        OnFailure::Counter => {
            let next = old
                .and_then(|item| super::read::number::<u32>(item, "next").ok())
                .unwrap_or(1);
            Conflict::Counter { next }
        }
        OnFailure::Idempotency => Conflict::Idempotency,
        OnFailure::Balance => Conflict::Balance,
        OnFailure::Credit => Conflict::InsufficientCredit {
            balance: old.and_then(|item| super::read::number(item, "credit").ok()),
        },
        OnFailure::DateInactive => Conflict::DateInactive,
    }
}
