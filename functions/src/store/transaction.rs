//! The items of a decision's transaction, one builder per kind: the order's state and its
//! invoice, stale parts, documents, the number counter, the command record (the outbox), the
//! idempotency records, the partner's balance, the dates relied on, and the limits checked.

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use storno_core::Document;

use super::commit::{OnFailure, Transaction, blob};
use super::keys::*;
use super::records::CommandRecord;
use super::{DynamoStore, codec, n, s};
use chrono::{DateTime, Utc};
use storno_core::OrderId;

use crate::app::{Commit, IdempotencyWrite, StoreError};

impl DynamoStore {
    /// Every item a decision writes or checks, all or nothing.
    pub(super) fn transaction(&self, commit: &Commit<'_>) -> Result<Transaction, StoreError> {
        let mut tx = Transaction::default();
        // Encoded once: the state in chunks, the invoice in its own item.
        let (state, invoice) = codec::split_order(&commit.decision.order)?;
        let parts = self.state_items(&mut tx, commit, &state)?;
        self.invoice_item(&mut tx, commit, &invoice)?;
        self.stale_parts(&mut tx, commit, parts)?;
        let pk = order_pk(&commit.decision.order.id);
        for document in &commit.decision.documents {
            self.put_document(&mut tx, &pk, document)?;
        }
        self.counter_item(&mut tx, commit)?;
        self.command_record_item(&mut tx, commit)?;
        self.idempotency_items(&mut tx, commit)?;
        self.partner_debit_item(&mut tx, commit)?;
        self.date_items(&mut tx, commit)?;
        if !commit.decision.customer_credit_change.is_zero() {
            self.credit_change(&mut tx, commit.decision)?;
        }
        self.partner_account_change(&mut tx, commit.decision)?;
        self.within_limits(&tx, commit)?;
        Ok(tx)
    }

    /// The state: the head item carries version, parts and index keys; chunks follow. Returns
    /// how many items hold it.
    fn state_items(
        &self,
        tx: &mut Transaction,
        commit: &Commit<'_>,
        state: &[u8],
    ) -> Result<usize, StoreError> {
        let decision = commit.decision;
        let order = &decision.order;
        let pk = order_pk(&order.id);
        // The state: head item carries version, parts and index keys; chunks follow.
        let chunks: Vec<&[u8]> = if state.is_empty() {
            vec![state]
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
        Ok(chunks.len())
    }

    /// A new invoice version: the order's invoice item.
    fn invoice_item(
        &self,
        tx: &mut Transaction,
        commit: &Commit<'_>,
        invoice: &[u8],
    ) -> Result<(), StoreError> {
        let decision = commit.decision;
        let order = &decision.order;
        let pk = order_pk(&order.id);
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
                .item("body", blob(invoice))
                .build()?;
            tx.put(put, invoice.len() + 256, OnFailure::Never);
        }
        Ok(())
    }

    /// Parts of the state read that the new state no longer needs.
    fn stale_parts(
        &self,
        tx: &mut Transaction,
        commit: &Commit<'_>,
        parts: usize,
    ) -> Result<(), StoreError> {
        let pk = order_pk(&commit.decision.order.id);
        for stale in parts..commit.previous_parts {
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
        Ok(())
    }

    /// The number series' counter, conditioned on the numbers taken.
    fn counter_item(&self, tx: &mut Transaction, commit: &Commit<'_>) -> Result<(), StoreError> {
        let decision = commit.decision;
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
        Ok(())
    }

    /// The command record: the posting and the follow-ups (the outbox).
    fn command_record_item(
        &self,
        tx: &mut Transaction,
        commit: &Commit<'_>,
    ) -> Result<(), StoreError> {
        let decision = commit.decision;
        let order = &decision.order;
        let record = CommandRecord::of(decision);
        let (put, bytes) =
            self.command_record_put(&order.id, order.revision, &record, commit.at)?;
        tx.put(put, bytes, OnFailure::Version);
        Ok(())
    }

    /// The put of revision `revision`'s command record of `stream` (an order or a credit
    /// account), in the outbox index while it has follow-ups to hand on; and its size.
    pub(super) fn command_record_put(
        &self,
        stream: &OrderId,
        revision: u64,
        record: &CommandRecord<'_>,
        at: DateTime<Utc>,
    ) -> Result<(Put, usize), StoreError> {
        let body = codec::encode(record)?;
        let bytes = body.len() + 256;
        let mut put = Put::builder()
            .table_name(&self.table)
            .item(PK, s(order_pk(stream)))
            .item(SK, s(command_sk(revision)))
            .item("body", blob(&body))
            .item("outbox", n(record.followups.len()));
        if !record.followups.is_empty() {
            put = put
                .item(GSI3_PK, s(OUTBOX_PENDING))
                .item(GSI3_SK, s(outbox_pending_sk(at, stream, revision)));
        }
        let put = put
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()?;
        Ok((put, bytes))
    }

    /// The idempotency records written with the decision.
    fn idempotency_items(
        &self,
        tx: &mut Transaction,
        commit: &Commit<'_>,
    ) -> Result<(), StoreError> {
        for idempotency in &commit.idempotency {
            let bytes = idempotency.response.len() / 3 + 256;
            tx.put(
                self.idempotency_put(idempotency)?,
                bytes,
                OnFailure::Idempotency,
            );
        }
        Ok(())
    }

    /// The put of an idempotency record written with the effect it guards (never over one).
    pub(super) fn idempotency_put(&self, write: &IdempotencyWrite) -> Result<Put, StoreError> {
        Ok(
            super::idempotency::record(&self.table, write, self.limits.chunk_bytes)?
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .build()?,
        )
    }

    /// The partner's open debit: changed, or checked as read (payout release).
    fn partner_debit_item(
        &self,
        tx: &mut Transaction,
        commit: &Commit<'_>,
    ) -> Result<(), StoreError> {
        let decision = commit.decision;
        let order = &decision.order;
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
        Ok(())
    }

    /// The dates relied on: checked active, the order added to their member lists.
    fn date_items(&self, tx: &mut Transaction, commit: &Commit<'_>) -> Result<(), StoreError> {
        let order = &commit.decision.order;
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
        Ok(())
    }

    /// DynamoDB's limits of one transaction, checked before sending it.
    fn within_limits(&self, tx: &Transaction, commit: &Commit<'_>) -> Result<(), StoreError> {
        let order = &commit.decision.order;
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
        Ok(())
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
