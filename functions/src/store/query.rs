//! Queries over one partition, followed page by page: the few shapes every reader uses.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use storno_core::OrderId;

use super::error::sdk;
use super::read::{key_cursor, string};
use super::{CapacityUse, DynamoStore, s};
use crate::app::{Page, StoreError};

pub(crate) type Item = HashMap<String, AttributeValue>;

impl DynamoStore {
    /// One page of the items of `partition` whose sort key starts with `prefix`, newest first
    /// (strongly consistent), each decoded from its body. A cursor of another partition or
    /// prefix is refused: it was not handed out for this list.
    pub(crate) async fn newest_first_page<T>(
        &self,
        partition: String,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
        decode: impl Fn(&[u8]) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let start = cursor
            .map(|cursor| {
                let key = super::read::cursor_key(cursor)?;
                let ours = matches!(key.get(super::keys::PK), Some(AttributeValue::S(p)) if *p == partition)
                    && matches!(key.get(super::keys::SK), Some(AttributeValue::S(k)) if k.starts_with(prefix))
                    && key.len() == 2;
                ours.then_some(key).ok_or(StoreError::InvalidCursor)
            })
            .transpose()?;
        let page = self
            .partition(
                None,
                (super::keys::PK, partition),
                Some((super::keys::SK, prefix)),
            )
            .scan_index_forward(false)
            .consistent_read(true)
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk)?;
        let items = page
            .items()
            .iter()
            .map(|item| decode(super::read::body(item)?))
            .collect::<Result<_, _>>()?;
        let next = page
            .last_evaluated_key
            .as_ref()
            .map(key_cursor)
            .transpose()?;
        Ok(Page { items, next })
    }

    /// Items of partition `pk` (of the table, or of `index` whose partition key is
    /// `pk_attribute`), optionally only sort keys starting with `sk_prefix`.
    pub(crate) fn partition(
        &self,
        index: Option<&str>,
        (pk_attribute, pk): (&str, String),
        sk_prefix: Option<(&str, &str)>,
    ) -> QueryFluentBuilder {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(index.map(str::to_owned))
            .expression_attribute_names("#pk", pk_attribute)
            .expression_attribute_values(":pk", s(pk))
            .return_consumed_capacity(ReturnConsumedCapacity::Indexes);
        query = match sk_prefix {
            Some((sk_attribute, prefix)) => query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", sk_attribute)
                .expression_attribute_values(":prefix", s(prefix)),
            None => query.key_condition_expression("#pk = :pk"),
        };
        query
    }

    /// One page of `query` from `start`, its capacity metered.
    async fn page(
        &self,
        query: QueryFluentBuilder,
        start: Option<Item>,
    ) -> Result<QueryOutput, StoreError> {
        let page = query
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk)?;
        self.meter
            .record(CapacityUse::from_sdk("Query", page.consumed_capacity()));
        Ok(page)
    }

    /// Every item a query finds, following its pages.
    pub(crate) async fn query_all(
        &self,
        query: QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self.page(query.clone(), start).await?;
            items.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(items),
            }
        }
    }

    /// One page of order ids, each read from `attribute` after `prefix`, and the cursor of
    /// the next page.
    pub(crate) async fn order_page(
        &self,
        query: QueryFluentBuilder,
        limit: usize,
        start: Option<Item>,
        (attribute, prefix): (&str, &str),
    ) -> Result<Page<OrderId>, StoreError> {
        let limited = query.limit(i32::try_from(limit).unwrap_or(i32::MAX));
        let page = self.page(limited, start).await?;
        let items = page
            .items()
            .iter()
            .map(|item| {
                let key = string(item, attribute)?;
                OrderId::parse(key.strip_prefix(prefix).unwrap_or(key))
                    .map_err(StoreError::decoding)
            })
            .collect::<Result<_, _>>()?;
        let next = page
            .last_evaluated_key
            .as_ref()
            .map(key_cursor)
            .transpose()?;
        Ok(Page { items, next })
    }
}
