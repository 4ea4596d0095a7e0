//! Reads: an order's state in one Query, and the few single items commands need.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use storno_core::{Currency, DateId, EventDate, Money, Order, OrderId, PartnerId, SeriesKey};

use super::keys::*;
use super::{CapacityUse, DynamoStore, StoreError, codec, s};

/// An order as stored: its state and how many items hold it.
#[derive(Debug, Clone)]
pub struct LoadedOrder {
    pub order: Order,
    /// Number of items the state was split into (head included).
    pub parts: usize,
}

type Item = HashMap<String, AttributeValue>;

pub(crate) fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().map_err(|_| {
            StoreError::Decoding(format!("attribute {name} is not a number: {value}"))
        }),
        _ => Err(StoreError::Decoding(format!("attribute {name} is missing"))),
    }
}

pub(crate) fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(StoreError::Decoding(format!("attribute {name} is missing"))),
    }
}

fn body(item: &Item) -> Result<&[u8], StoreError> {
    match item.get("body") {
        Some(AttributeValue::B(blob)) => Ok(blob.as_ref()),
        _ => Err(StoreError::Decoding("attribute body is missing".into())),
    }
}

impl DynamoStore {
    /// Reads an order's state: one Query over its state items. `consistent` asks for a strongly
    /// consistent read; commands start with an eventually consistent one (half the read cost)
    /// because their write is conditioned on the version anyway, and only retry consistently.
    /// Returns `Ok(None)` for an unknown order, and `Ambiguous` if an eventually consistent read
    /// caught the parts of two versions (read again consistently).
    pub async fn load_order(
        &self,
        id: &OrderId,
        consistent: bool,
    ) -> Result<Option<LoadedOrder>, StoreError> {
        let mut items: Vec<Item> = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :state)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":pk", s(order_pk(id)))
                .expression_attribute_values(":state", s(STATE_PREFIX))
                .consistent_read(consistent)
                .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::sdk)?;
            self.meter
                .record(CapacityUse::from_sdk("Query", page.consumed_capacity()));
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        let Some(head) = items.first() else {
            return Ok(None);
        };
        let version: u64 = number(head, "version")?;
        let parts: usize = number(head, "parts")?;
        if items.len() != parts
            || items
                .iter()
                .any(|item| number::<u64>(item, "version").ok() != Some(version))
        {
            return Err(StoreError::Ambiguous(format!(
                "order {id}: read {} of {parts} state parts, not all of version {version}",
                items.len()
            )));
        }
        let mut bytes = Vec::new();
        for item in &items {
            bytes.extend_from_slice(body(item)?);
        }
        let order: Order = codec::decode(&bytes)?;
        Ok(Some(LoadedOrder { order, parts }))
    }

    /// The next free number of a document series (1 for a series never used).
    pub async fn next_number(&self, series: &SeriesKey) -> Result<u32, StoreError> {
        let item = self.get(&series_pk(series), SERIES_SK).await?;
        item.map_or(Ok(1), |item| number(&item, "next"))
    }

    /// The partner's open debit in a currency (zero if none was ever booked).
    pub async fn partner_debit(
        &self,
        partner: &PartnerId,
        currency: Currency,
    ) -> Result<Money, StoreError> {
        let item = self
            .get(&partner_pk(partner), &balance_sk(currency))
            .await?;
        let amount = match item {
            Some(item) => number::<rust_decimal::Decimal>(&item, "debit")?,
            None => rust_decimal::Decimal::ZERO,
        };
        Money::new(amount, currency).map_err(StoreError::decoding)
    }

    /// The customer's account credit in a currency.
    pub async fn customer_credit(
        &self,
        customer: &storno_core::CustomerId,
        currency: Currency,
    ) -> Result<Money, StoreError> {
        let item = self
            .get(&customer_pk(customer), &credit_sk(currency))
            .await?;
        let amount = match item {
            Some(item) => number::<rust_decimal::Decimal>(&item, "credit")?,
            None => rust_decimal::Decimal::ZERO,
        };
        Money::new(amount, currency).map_err(StoreError::decoding)
    }

    /// The stored response and payload hash of an idempotency record, if it exists.
    pub async fn idempotency_record(
        &self,
        order: &OrderId,
        key_hash: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let item = self
            .get(&order_pk(order), &idempotency_sk(key_hash))
            .await?;
        item.map(|item| {
            Ok((
                string(&item, "payload_hash")?.to_owned(),
                string(&item, "response")?.to_owned(),
            ))
        })
        .transpose()
    }

    pub async fn load_date(&self, id: &DateId) -> Result<Option<EventDate>, StoreError> {
        let item = self.get(&date_pk(id), DATE_SK).await?;
        item.map(|item| codec::decode(body(&item)?)).transpose()
    }

    /// Stores a date (create or replace).
    pub async fn put_date(&self, date: &EventDate) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(PK, s(date_pk(&date.id)))
            .item(SK, s(DATE_SK))
            .item("body", AttributeValue::B(codec::encode(date)?.into()))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(())
    }

    /// Orders whose payout was due at or before `now`, one page from the sparse due-payout
    /// index (which holds only payouts that can still be released).
    pub async fn due_payouts(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<OrderId>, Option<Item>), StoreError> {
        let page = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI_PAYOUTS)
            .key_condition_expression("#pk = :due AND #sk <= :until")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_names("#sk", GSI1_SK)
            .expression_attribute_values(":due", s(PAYOUTS_DUE))
            .expression_attribute_values(":until", s(payout_due_until(now)))
            .limit(limit)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        self.meter
            .record(CapacityUse::from_sdk("Query", page.consumed_capacity()));
        let ids = page
            .items()
            .iter()
            .map(|item| {
                let pk = string(item, PK)?;
                let id = pk.strip_prefix("ORDER#").unwrap_or(pk);
                OrderId::parse(id).map_err(StoreError::decoding)
            })
            .collect::<Result<_, _>>()?;
        Ok((ids, page.last_evaluated_key))
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        self.meter
            .record(CapacityUse::from_sdk("GetItem", output.consumed_capacity()));
        Ok(output.item)
    }
}
