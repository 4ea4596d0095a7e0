//! The partner registry and partners' accounts on DynamoDB, all in the partner's partition
//! (`PARTNER#{id}`): the registry entry (`PROFILE`), the open debits (`BALANCE#{cur}`), and,
//! written with the order decisions that cause them, each change of the debits (`DEBIT#…`),
//! each payout's statement (`PAYOUT#…`) and what every unreleased payout will pay (`OPEN#…`,
//! one item per order, so busy partners' orders never contend for one item).

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put};
use storno_core::{
    Currency, DebitEntry, Decision, Money, OpenPayable, Partner, PartnerId, PayoutStatement,
};

use super::commit::{OnFailure, Transaction};
use super::error::sdk;
use super::keys::*;
use super::read::{body, number, string};
use super::{DynamoStore, n, records, s};
use crate::app::{Page, StoreError};

impl DynamoStore {
    /// The partner-account part of an order decision.
    pub(super) fn partner_account_change(
        &self,
        tx: &mut Transaction,
        decision: &Decision,
    ) -> Result<(), StoreError> {
        let order = &decision.order;
        let pk = partner_pk(&order.partner);
        if !decision.partner_debit_change.is_zero() {
            tx.put(self.debit_entry_put(&pk, decision)?, 256, OnFailure::Never);
        }
        let open = open_sk(order.currency, &order.id);
        if let Some(statement) = &decision.payout_statement {
            let put = Put::builder()
                .table_name(&self.table)
                .item(PK, s(&pk))
                .item(
                    SK,
                    s(statement_sk(
                        order.currency,
                        statement.released_at,
                        &order.id,
                    )),
                )
                .item(
                    "body",
                    AttributeValue::B(records::statement_to_json(statement)?.into()),
                )
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .build()?;
            tx.put(put, 512, OnFailure::Version);
            tx.delete(self.open_delete(&pk, &open)?);
        } else if decision.posting.is_some() && order.payout.released.is_none() {
            // What the payout will pay changed (or the order is new).
            let due = order.partner_due();
            if due.is_positive() {
                let put = Put::builder()
                    .table_name(&self.table)
                    .item(PK, s(&pk))
                    .item(SK, s(open))
                    .item("amount", n(due.amount()))
                    .item("due_at", n(order.payout_due_at().timestamp()))
                    .build()?;
                tx.put(put, 128, OnFailure::Never);
            } else {
                tx.delete(self.open_delete(&pk, &open)?);
            }
        }
        Ok(())
    }

    /// The entry of the partner's debit a decision changes, dated by its posting.
    fn debit_entry_put(&self, pk: &str, decision: &Decision) -> Result<Put, StoreError> {
        let order = &decision.order;
        let posting = decision.posting.as_ref();
        let entry = DebitEntry {
            order: order.id.clone(),
            at: posting.map_or(order.registered_at, |p| p.at),
            change: decision.partner_debit_change,
            reason: posting.map_or_else(String::new, |p| p.memo.clone()),
        };
        let sk = debit_sk(order.currency, entry.at, &order.id, order.revision);
        Ok(Put::builder()
            .table_name(&self.table)
            .item(PK, s(pk))
            .item(SK, s(sk))
            .item(
                "body",
                AttributeValue::B(records::debit_to_json(&entry)?.into()),
            )
            .build()?)
    }

    fn open_delete(&self, pk: &str, sk: &str) -> Result<Delete, StoreError> {
        Ok(Delete::builder()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .build()?)
    }
}

impl DynamoStore {
    pub async fn load_partner(&self, id: &PartnerId) -> Result<Option<Partner>, StoreError> {
        self.get(&partner_pk(id), PARTNER_SK)
            .await?
            .map(|item| records::partner_from_json(body(&item)?))
            .transpose()
    }

    pub async fn put_partner(&self, partner: &Partner) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(PK, s(partner_pk(&partner.id)))
            .item(SK, s(PARTNER_SK))
            .item(
                "body",
                AttributeValue::B(records::partner_to_json(partner)?.into()),
            )
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// Every order of the partner whose payout is not released yet, by due date.
    pub async fn open_payables(
        &self,
        partner: &PartnerId,
        currency: Currency,
    ) -> Result<Vec<OpenPayable>, StoreError> {
        let prefix = open_prefix(currency);
        let query = self
            .partition(None, (PK, partner_pk(partner)), Some((SK, &prefix)))
            .consistent_read(true);
        let mut open = self
            .query_all(query)
            .await?
            .iter()
            .map(|item| {
                let order = string(item, SK)?.trim_start_matches(prefix.as_str());
                let due_at = number::<i64>(item, "due_at")?;
                Ok(OpenPayable {
                    order: storno_core::OrderId::parse(order).map_err(StoreError::decoding)?,
                    amount: Money::new(number(item, "amount")?, currency)
                        .map_err(StoreError::decoding)?,
                    due_at: chrono::DateTime::from_timestamp(due_at, 0)
                        .ok_or_else(|| StoreError::Decoding("a due date out of range".into()))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        open.sort_by(|a, b| a.due_at.cmp(&b.due_at).then(a.order.cmp(&b.order)));
        Ok(open)
    }

    /// The newest `limit` changes of the partner's open debits, newest first.
    pub async fn debit_entries(
        &self,
        partner: &PartnerId,
        currency: Currency,
        limit: usize,
        start: Option<String>,
    ) -> Result<Page<DebitEntry>, StoreError> {
        let partition = partner_pk(partner);
        let prefix = debit_prefix(currency);
        self.newest_first_page(
            partition,
            &prefix,
            limit,
            start.as_deref(),
            records::debit_from_json,
        )
        .await
    }

    /// A page of the partner's payout statements, newest first.
    pub async fn payout_statements(
        &self,
        partner: &PartnerId,
        currency: Currency,
        limit: usize,
        start: Option<String>,
    ) -> Result<Page<PayoutStatement>, StoreError> {
        let partition = partner_pk(partner);
        let prefix = statement_prefix(currency);
        self.newest_first_page(
            partition,
            &prefix,
            limit,
            start.as_deref(),
            records::statement_from_json,
        )
        .await
    }
}
