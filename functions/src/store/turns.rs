//! Turns at a number series on DynamoDB: one item per series with the tickets `issued` and the
//! ticket `serving`. Kept apart from the counter item, so that taking a ticket never collides
//! with a command's transaction on the counter.

use aws_sdk_dynamodb::types::ReturnValue;
use storno_core::SeriesKey;

use super::error::{condition_held, sdk};
use super::keys::{PK, SK, TURNS_SK, turns_pk};
use super::read::number;
use super::{DynamoStore, n, s};
use crate::app::StoreError;

impl DynamoStore {
    /// Takes the next ticket of the series' queue (tickets start at 1).
    pub async fn take_turn_ticket(&self, series: &SeriesKey) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(turns_pk(series)))
            .key(SK, s(TURNS_SK))
            .update_expression("SET #serving = if_not_exists(#serving, :one) ADD #issued :one")
            .expression_attribute_names("#serving", "serving")
            .expression_attribute_names("#issued", "issued")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk)?;
        number(&output.attributes.unwrap_or_default(), "issued")
    }

    /// The ticket whose turn it is now.
    pub async fn turn_serving(&self, series: &SeriesKey) -> Result<u64, StoreError> {
        match self.get(&turns_pk(series), TURNS_SK).await? {
            Some(item) => number(&item, "serving"),
            None => Ok(1),
        }
    }

    /// Passes the turn on from `ticket` to the next one; nothing if it has passed already.
    pub async fn pass_turn(&self, series: &SeriesKey, ticket: u64) -> Result<(), StoreError> {
        let passed = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(turns_pk(series)))
            .key(SK, s(TURNS_SK))
            .update_expression("SET #serving = :next")
            .condition_expression("#serving = :ticket")
            .expression_attribute_names("#serving", "serving")
            .expression_attribute_values(":ticket", n(ticket))
            .expression_attribute_values(":next", n(ticket + 1))
            .send()
            .await;
        // A turn already passed (by a waiter that found its holder gone) is fine.
        condition_held(passed).map(|_| ())
    }
}
