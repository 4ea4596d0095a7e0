//! The DynamoDB adapter: the one implementation of the storage ports, on aws-sdk-dynamodb.
//! Tested against dynoxide (and any DynamoDB set in `STORNO_TEST_DYNAMODB_ENDPOINT`).

mod capacity;
mod codec;
mod commit;
mod error;
pub mod keys;
mod read;
pub mod table;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

pub use capacity::{CapacityMeter, CapacityUse};
pub use commit::{Commit, IdempotencyWrite, MAX_TRANSACTION_ACTIONS, MAX_TRANSACTION_BYTES};
pub use error::{Conflict, StoreError};
pub use read::LoadedOrder;

/// DynamoDB access for one table. Cheap to clone: the SDK client is shared.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    meter: CapacityMeter,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
            meter: CapacityMeter::default(),
        }
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

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}
