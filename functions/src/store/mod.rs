//! The DynamoDB adapter: the one implementation of the storage ports, on aws-sdk-dynamodb.
//! Tested against dynoxide (and any DynamoDB set in `STORNO_TEST_DYNAMODB_ENDPOINT`).

mod capacity;
mod codec;
mod commit;
mod credit;
mod effects;
mod error;
mod idempotency;
mod issuers;
mod jobs;
pub mod keys;
mod outbox;
mod partners;
mod query;
mod queue;
mod read;
pub mod records;
pub mod table;
mod transaction;
mod turns;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

pub use capacity::{CapacityMeter, CapacityUse};
pub use commit::{MAX_TRANSACTION_ACTIONS, MAX_TRANSACTION_BYTES};
pub use queue::DynamoQueue;

use crate::app::StoreError;

/// DynamoDB's limits the store checks before it writes (lowered in tests to reach them).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Body bytes per item.
    pub chunk_bytes: usize,
    pub max_transaction_actions: usize,
    pub max_transaction_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            chunk_bytes: codec::CHUNK_BYTES,
            max_transaction_actions: MAX_TRANSACTION_ACTIONS,
            max_transaction_bytes: MAX_TRANSACTION_BYTES,
        }
    }
}

/// DynamoDB access for one table. Cheap to clone: the SDK client is shared.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    meter: CapacityMeter,
    limits: Limits,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
            meter: CapacityMeter::default(),
            limits: Limits::default(),
        }
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Consumed capacity of every call this store made (shared by its clones).
    pub fn meter(&self) -> &CapacityMeter {
        &self.meter
    }
}

/// Bytes an order's state takes stored: the state written on every command, and its current
/// invoice written with each new version.
pub fn stored_state_bytes(order: &storno_core::Order) -> Result<(usize, usize), StoreError> {
    codec::split_order(order).map(|(state, invoice)| (state.len(), invoice.len()))
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}
