//! The storage ports on DynamoDB: an order's state in one Query, the few single items commands
//! need, the due-payout index, and the commit (see `commit.rs`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use storno_core::{Currency, DateId, Document, EventDate, Money, OrderId, PartnerId, SeriesKey};

use super::error::sdk;
use super::keys::*;
use super::{CapacityUse, DynamoStore, codec, s};
use crate::app::{Commit, LoadedOrder, Page, StoreError};

use super::query::Item;

pub(crate) fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().map_err(|_| {
            StoreError::decoding(format!("attribute {name} is not a number: {value}"))
        }),
        _ => Err(StoreError::decoding(format!("attribute {name} is missing"))),
    }
}

pub(crate) fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(StoreError::decoding(format!("attribute {name} is missing"))),
    }
}

pub(crate) fn body(item: &Item) -> Result<&[u8], StoreError> {
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
        let state = self
            .partition(None, (PK, order_pk(id)), Some((SK, STATE_PREFIX)))
            .consistent_read(consistent);
        let items = self.query_all(state).await?;
        let Some(head) = items.first() else {
            return Ok(None);
        };
        let version: u64 = number(head, VERSION)?;
        let parts: usize = number(head, PARTS)?;
        let invoice_number = string(head, INVOICE)?;
        let (invoice, chunks): (Vec<&Item>, Vec<&Item>) = items
            .iter()
            .partition(|item| string(item, SK).ok() == Some(STATE_INVOICE_SK));
        let consistent_read = chunks.len() == parts
            && chunks
                .iter()
                .all(|item| number::<u64>(item, VERSION).ok() == Some(version))
            && invoice.len() == 1
            && string(invoice[0], "number").ok() == Some(invoice_number);
        if !consistent_read {
            return Err(StoreError::ambiguous(format!(
                "order {id}: the state items read are not all of version {version}"
            )));
        }
        let mut bytes = Vec::new();
        for item in &chunks {
            bytes.extend_from_slice(body(item)?);
        }
        let order = codec::join_order(&bytes, body(invoice[0])?)?;
        Ok(Some(LoadedOrder { order, parts }))
    }

    /// Records a decision in one transaction.
    pub async fn commit(&self, commit: &Commit<'_>) -> Result<(), StoreError> {
        self.transact(commit).await.map(|_| ())
    }

    /// The next free number of a document series (1 for a series never used; a series new
    /// since the registry continues after the issuer's counter of before).
    pub async fn next_number(&self, series: &SeriesKey) -> Result<u32, StoreError> {
        if let Some(item) = self.get(&series_pk(series), SERIES_SK).await? {
            return number(&item, "next");
        }
        let before = self.get(&series_pk_v1(series), SERIES_SK).await?;
        before.map_or(Ok(1), |item| number(&item, "next"))
    }

    /// The partner's open debit in a currency (zero if none was ever booked).
    pub async fn partner_debit(
        &self,
        partner: &PartnerId,
        currency: Currency,
    ) -> Result<Money, StoreError> {
        self.amount(
            &partner_pk(partner),
            &balance_sk(currency),
            "debit",
            currency,
        )
        .await
    }

    /// Orders whose invoice waits for its new version, oldest registration first.
    pub async fn editing_invoices(
        &self,
        limit: usize,
        start: Option<String>,
    ) -> Result<Page<OrderId>, StoreError> {
        let start = start
            .as_deref()
            .map(|cursor| index_cursor(cursor, GSI1_PK, GSI1_SK, INVOICES_EDITING))
            .transpose()?;
        let query = self.partition(
            Some(GSI_PAYOUTS),
            (GSI1_PK, INVOICES_EDITING.to_owned()),
            None,
        );
        self.order_page(query, limit, start, (PK, "ORDER#")).await
    }

    /// Orders whose payout was due at or before `now`, one page from the sparse due-payout
    /// index (which holds only payouts that can still be released).
    pub async fn due_payouts(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: usize,
        start: Option<String>,
    ) -> Result<Page<OrderId>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI_PAYOUTS)
            .key_condition_expression("#pk = :due AND #sk <= :until")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_names("#sk", GSI1_SK)
            .expression_attribute_values(":due", s(PAYOUTS_DUE))
            .expression_attribute_values(":until", s(payout_due_until(now)))
            .return_consumed_capacity(ReturnConsumedCapacity::Indexes);
        let start = start.as_deref().map(cursor_key).transpose()?;
        self.order_page(query, limit, start, (PK, "ORDER#")).await
    }
}

impl DynamoStore {
    pub async fn load_date(&self, id: &DateId) -> Result<Option<EventDate>, StoreError> {
        let item = self.get(&date_pk(id), DATE_SK).await?;
        item.map(|item| codec::decode_date(body(&item)?))
            .transpose()
    }

    /// Stores a date (create or replace).
    pub async fn put_date(&self, date: &EventDate) -> Result<(), StoreError> {
        self.date_put(date)?.send().await.map_err(sdk)?;
        Ok(())
    }

    /// Stores a new date; `false` if one with its id exists already (nothing written).
    pub async fn insert_date(&self, date: &EventDate) -> Result<bool, StoreError> {
        let written = self
            .date_put(date)?
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        super::error::condition_held(written)
    }

    /// Orders ever booked onto a date (registered on it or rebooked to it), one page at a
    /// time. Orders that left the date since are included: callers check the order itself.
    pub async fn orders_on(
        &self,
        date: &DateId,
        limit: usize,
        start: Option<String>,
    ) -> Result<Page<OrderId>, StoreError> {
        let query = self.partition(None, (PK, date_pk(date)), Some((SK, MEMBER_PREFIX)));
        let start = start.as_deref().map(cursor_key).transpose()?;
        self.order_page(query, limit, start, (SK, MEMBER_PREFIX))
            .await
    }
}

impl DynamoStore {
    /// The order's issued documents, oldest first.
    pub async fn documents(&self, order: &OrderId) -> Result<Vec<Document>, StoreError> {
        let query = self.partition(None, (PK, order_pk(order)), Some((SK, DOCUMENT_PREFIX)));
        let mut documents = self
            .query_all(query)
            .await?
            .iter()
            .map(|item| codec::decode_document(body(item)?))
            .collect::<Result<Vec<_>, _>>()?;
        documents.sort_by_key(|d| d.issued_at);
        Ok(documents)
    }

    /// One document of an order, by its number.
    pub async fn document(
        &self,
        order: &OrderId,
        number: &str,
    ) -> Result<Option<Document>, StoreError> {
        let item = self.get(&order_pk(order), &document_sk(number)).await?;
        item.map(|item| codec::decode_document(body(&item)?))
            .transpose()
    }

    /// Document items carry their number as an overloaded key of the partner index.
    pub async fn document_order(&self, number: &str) -> Result<Option<OrderId>, StoreError> {
        let query = self.partition(
            Some(GSI_PARTNER_ORDERS),
            (GSI2_PK, document_number_key(number)),
            None,
        );
        let page = self.order_page(query, 1, None, (PK, "ORDER#")).await?;
        Ok(page.items.into_iter().next())
    }

    /// A partner's orders, oldest registration first, one page at a time.
    pub async fn partner_orders(
        &self,
        partner: &PartnerId,
        limit: usize,
        start: Option<String>,
    ) -> Result<Page<OrderId>, StoreError> {
        let partition = partner_pk(partner);
        let start = start
            .as_deref()
            .map(|cursor| index_cursor(cursor, GSI2_PK, GSI2_SK, &partition))
            .transpose()?;
        let query = self.partition(Some(GSI_PARTNER_ORDERS), (GSI2_PK, partition), None);
        self.order_page(query, limit, start, (PK, "ORDER#")).await
    }
}

impl DynamoStore {
    fn date_put(
        &self,
        date: &EventDate,
    ) -> Result<aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder, StoreError>
    {
        Ok(self
            .client
            .put_item()
            .table_name(&self.table)
            .item(PK, s(date_pk(&date.id)))
            .item(SK, s(DATE_SK))
            .item("active", AttributeValue::Bool(date.active))
            .item("body", AttributeValue::B(codec::encode_date(date)?.into())))
    }

    /// A money attribute of a balance item; zero if the item was never written.
    async fn amount(
        &self,
        pk: &str,
        sk: &str,
        attribute: &str,
        currency: Currency,
    ) -> Result<Money, StoreError> {
        let amount = match self.get(pk, sk).await? {
            Some(item) => number::<rust_decimal::Decimal>(&item, attribute)?,
            None => rust_decimal::Decimal::ZERO,
        };
        Money::new(amount, currency).map_err(StoreError::decoding)
    }

    pub(crate) async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
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
            .map_err(sdk)?;
        self.meter
            .record(CapacityUse::from_sdk("GetItem", output.consumed_capacity()));
        Ok(output.item)
    }
}

/// A page's last key as an opaque cursor (all key attributes here are strings).
pub(crate) fn key_cursor(key: &Item) -> Result<String, StoreError> {
    let strings: std::collections::BTreeMap<&str, &str> = key
        .iter()
        .map(|(name, value)| match value {
            AttributeValue::S(text) => Ok((name.as_str(), text.as_str())),
            _ => Err(StoreError::decoding(format!(
                "key attribute {name} is not a string"
            ))),
        })
        .collect::<Result<_, _>>()?;
    serde_json::to_string(&strings).map_err(StoreError::encoding)
}

/// A cursor of an index query: it must carry that index's keys, in the partition queried.
fn index_cursor(cursor: &str, pk: &str, sk: &str, partition: &str) -> Result<Item, StoreError> {
    let key = cursor_key(cursor)?;
    let in_partition = matches!(key.get(pk), Some(AttributeValue::S(p)) if p == partition);
    if !in_partition || !key.contains_key(sk) {
        return Err(StoreError::InvalidCursor);
    }
    Ok(key)
}

/// A cursor back into a page key. Only keys of the shape this store hands out pass: the
/// table's and one index's key attributes, all strings.
pub(crate) fn cursor_key(cursor: &str) -> Result<Item, StoreError> {
    let strings: HashMap<String, String> =
        serde_json::from_str(cursor).map_err(|_| StoreError::InvalidCursor)?;
    let known = [PK, SK, GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, GSI3_PK, GSI3_SK];
    let shaped = strings.len() <= 4
        && strings.contains_key(PK)
        && strings.contains_key(SK)
        && strings.iter().all(|(name, value)| {
            known.contains(&name.as_str()) && !value.is_empty() && value.len() <= 1024
        });
    if !shaped {
        return Err(StoreError::InvalidCursor);
    }
    Ok(strings
        .into_iter()
        .map(|(name, text)| (name, AttributeValue::S(text)))
        .collect())
}
