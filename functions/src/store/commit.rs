//! A decision, recorded: one TransactWriteItems that writes the new state under
//! `version = expected`, the new documents (`attribute_not_exists`), the number counter, the
//! command record (ledger posting and follow-ups: the outbox), the idempotency record and any
//! balance changes — all or nothing.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use storno_core::Document;

use super::error::sdk;
use super::keys::*;
use super::records::CommandRecord;
use super::{CapacityUse, DynamoStore, codec, n, s};
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

fn blob(bytes: &[u8]) -> AttributeValue {
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

    fn transaction(&self, commit: &Commit<'_>) -> Result<Transaction, StoreError> {
        let decision = commit.decision;
        let order = &decision.order;
        let pk = order_pk(&order.id);
        let mut tx = Transaction {
            items: Vec::new(),
            on_failure: Vec::new(),
            bytes: 0,
        };

        // The state: head item carries version, parts and index keys; chunks follow.
        let (state, invoice) = codec::split_order(order)?;
        let chunks: Vec<&[u8]> = if state.is_empty() {
            vec![&state[..]]
        } else {
            state.chunks(self.limits.chunk_bytes).collect()
        };
        let version = n(order.revision);
        for (part, chunk) in chunks.iter().enumerate() {
            let mut put = Put::builder()
                .table_name(&self.table)
                .item(PK, s(&pk))
                .item(SK, s(state_sk(part)))
                .item(VERSION, version.clone())
                .item("body", blob(chunk));
            let mut on_failure = OnFailure::Never;
            if part == 0 {
                put = put
                    .item(PARTS, n(chunks.len()))
                    .item(INVOICE, s(order.invoice.current.number.to_string()))
                    .item(GSI2_PK, s(partner_pk(&order.partner)))
                    .item(
                        GSI2_SK,
                        s(partner_orders_sk(order.registered_at, &order.id)),
                    )
                    .return_values_on_condition_check_failure(
                        ReturnValuesOnConditionCheckFailure::AllOld,
                    );
                if let Some(due_at) = order.payout_index_due_at() {
                    put = put
                        .item(GSI1_PK, s(PAYOUTS_DUE))
                        .item(GSI1_SK, s(payout_due_sk(due_at, &order.id)));
                } else if order.invoice.status == storno_core::InvoiceStatus::Editing {
                    // Never due while editing: the same index lists what staff must update.
                    put = put.item(GSI1_PK, s(INVOICES_EDITING)).item(
                        GSI1_SK,
                        s(partner_orders_sk(order.registered_at, &order.id)),
                    );
                }
                put = match commit.expected_version {
                    Some(expected) => put
                        .condition_expression("#version = :expected")
                        .expression_attribute_names("#version", VERSION)
                        .expression_attribute_values(":expected", n(expected)),
                    None => put
                        .condition_expression("attribute_not_exists(#pk)")
                        .expression_attribute_names("#pk", PK),
                };
                on_failure = OnFailure::Version;
            }
            tx.put(put.build()?, chunk.len() + 512, on_failure);
        }
        let new_version = decision
            .documents
            .iter()
            .any(|d| matches!(d.kind, storno_core::DocumentKind::Invoice { .. }));
        if new_version {
            if invoice.len() > self.limits.chunk_bytes {
                return Err(StoreError::TooLarge(format!(
                    "invoice {} would take {} KB; one item holds at most {} KB",
                    order.invoice.current.number,
                    invoice.len() / 1024,
                    self.limits.chunk_bytes / 1024
                )));
            }
            let put = Put::builder()
                .table_name(&self.table)
                .item(PK, s(&pk))
                .item(SK, s(STATE_INVOICE_SK))
                .item("number", s(order.invoice.current.number.to_string()))
                .item("body", blob(&invoice))
                .build()?;
            tx.put(put, invoice.len() + 256, OnFailure::Never);
        }
        for stale in chunks.len()..commit.previous_parts {
            tx.items.push(
                TransactWriteItem::builder()
                    .delete(
                        aws_sdk_dynamodb::types::Delete::builder()
                            .table_name(&self.table)
                            .key(PK, s(&pk))
                            .key(SK, s(state_sk(stale)))
                            .build()?,
                    )
                    .build(),
            );
            tx.on_failure.push(OnFailure::Never);
        }

        for document in &decision.documents {
            self.put_document(&mut tx, &pk, document)?;
        }

        if let Some(numbers) = &decision.numbers {
            // A new series item may start anywhere (after the counter of before): the first
            // writer creates it, every other one then finds it and must match it.
            let condition = "attribute_not_exists(#next) OR #next = :first";
            let update = Update::builder()
                .table_name(&self.table)
                .key(PK, s(series_pk(&numbers.series)))
                .key(SK, s(SERIES_SK))
                .update_expression("SET #next = :next")
                .condition_expression(condition)
                .expression_attribute_names("#next", "next")
                .expression_attribute_values(":first", n(numbers.first))
                .expression_attribute_values(":next", n(numbers.first + numbers.count))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()?;
            tx.update(update, OnFailure::Counter);
        }

        let record = codec::encode(&CommandRecord::of(decision))?;
        let mut put = Put::builder()
            .table_name(&self.table)
            .item(PK, s(&pk))
            .item(SK, s(command_sk(order.revision)))
            .item("body", blob(&record))
            .item("outbox", n(decision.followups.len()));
        if !decision.followups.is_empty() {
            put = put.item(GSI3_PK, s(OUTBOX_PENDING)).item(
                GSI3_SK,
                s(outbox_pending_sk(commit.at, &order.id, order.revision)),
            );
        }
        let put = put
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()?;
        tx.put(put, record.len() + 256, OnFailure::Version);

        for idempotency in &commit.idempotency {
            let put =
                super::idempotency::record(&self.table, idempotency, self.limits.chunk_bytes)?
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", PK)
                    .build()?;
            tx.put(
                put,
                idempotency.response.len() / 3 + 256,
                OnFailure::Idempotency,
            );
        }

        if !decision.partner_debit_change.is_zero() || commit.partner_debit_read.is_some() {
            let mut update = Update::builder()
                .table_name(&self.table)
                .key(PK, s(partner_pk(&order.partner)))
                .key(SK, s(balance_sk(order.currency)))
                .update_expression("ADD #debit :change")
                .expression_attribute_names("#debit", "debit")
                .expression_attribute_values(":change", n(decision.partner_debit_change.amount()));
            let mut on_failure = OnFailure::Never;
            if let Some(read) = commit.partner_debit_read {
                // Offsetting a debit needs the balance exactly as read.
                update = if read.is_zero() {
                    update
                        .condition_expression("attribute_not_exists(#debit) OR #debit = :read")
                        .expression_attribute_values(":read", n(read.amount()))
                } else {
                    update
                        .condition_expression("#debit = :read")
                        .expression_attribute_values(":read", n(read.amount()))
                };
                on_failure = OnFailure::Balance;
            }
            tx.update(update.build()?, on_failure);
        }

        for date in &commit.active_dates {
            let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
                .table_name(&self.table)
                .key(PK, s(date_pk(date)))
                .key(SK, s(DATE_SK))
                .condition_expression("#active = :yes")
                .expression_attribute_names("#active", "active")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .build()?;
            tx.items
                .push(TransactWriteItem::builder().condition_check(check).build());
            tx.on_failure.push(OnFailure::DateInactive);
            // The date's member list (whole-date jobs, attendee lists): add-only; readers check
            // the order itself, so an order that left the date later needs no delete here.
            let member = Put::builder()
                .table_name(&self.table)
                .item(PK, s(date_pk(date)))
                .item(SK, s(member_sk(&order.id)))
                .build()?;
            tx.put(member, 128, OnFailure::Never);
        }

        if !decision.customer_credit_change.is_zero() {
            self.credit_change(&mut tx, decision)?;
        }
        self.partner_account_change(&mut tx, decision)?;

        let limits = self.limits;
        if tx.items.len() > limits.max_transaction_actions
            || tx.bytes > limits.max_transaction_bytes
        {
            return Err(StoreError::TooLarge(format!(
                "order {}: this change needs {} writes of {} KB in all; one transaction takes at most {} writes and {} KB",
                order.id,
                tx.items.len(),
                tx.bytes / 1024,
                limits.max_transaction_actions,
                limits.max_transaction_bytes / 1024
            )));
        }
        Ok(tx)
    }

    fn put_document(
        &self,
        tx: &mut Transaction,
        pk: &str,
        document: &Document,
    ) -> Result<(), StoreError> {
        let body = codec::encode_document(document)?;
        if body.len() > self.limits.chunk_bytes {
            return Err(StoreError::TooLarge(format!(
                "document {} would take {} KB; one document item holds at most {} KB",
                document.number,
                body.len() / 1024,
                self.limits.chunk_bytes / 1024
            )));
        }
        let number = document.number.to_string();
        let put = Put::builder()
            .table_name(&self.table)
            .item(PK, s(pk))
            .item(SK, s(document_sk(&number)))
            .item("number", s(&number))
            .item("kind", s(document.kind.to_string()))
            .item("gross", s(document.gross.amount().to_string()))
            .item("issued_at", s(document.issued_at.to_rfc3339()))
            .item("body", blob(&body))
            .item(GSI2_PK, s(document_number_key(&number)))
            .item(GSI2_SK, s(DOCUMENT_NUMBER_SK))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()?;
        tx.put(put, body.len() + 512, OnFailure::Version);
        Ok(())
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
