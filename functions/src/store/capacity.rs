//! Consumed capacity as DynamoDB reports it (`ReturnConsumedCapacity=INDEXES`), kept per call
//! so tests and the bench can show what each command costs.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::types::ConsumedCapacity;

/// One call's capacity: read and write units on the table and on each index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapacityUse {
    pub operation: &'static str,
    pub read_units: f64,
    pub write_units: f64,
    /// (index name, read units, write units).
    pub indexes: Vec<(String, f64, f64)>,
}

impl CapacityUse {
    pub(crate) fn from_sdk<'a>(
        operation: &'static str,
        consumed: impl IntoIterator<Item = &'a ConsumedCapacity>,
    ) -> Self {
        let mut usage = CapacityUse {
            operation,
            ..CapacityUse::default()
        };
        for capacity in consumed {
            // Engines report either split units or only a total; a total counts as reads for
            // reading operations and as writes otherwise.
            let split = capacity.table().map_or(
                (
                    capacity.read_capacity_units(),
                    capacity.write_capacity_units(),
                ),
                |table| (table.read_capacity_units(), table.write_capacity_units()),
            );
            let total = capacity
                .table()
                .and_then(|table| table.capacity_units())
                .or(capacity.capacity_units())
                .unwrap_or_default();
            let reading = matches!(operation, "Query" | "GetItem");
            let (read, write) = match split {
                (None, None) if reading => (total, 0.0),
                (None, None) => (0.0, total),
                (read, write) => (read.unwrap_or_default(), write.unwrap_or_default()),
            };
            usage.read_units += read;
            usage.write_units += write;
            for (name, index) in capacity.global_secondary_indexes().into_iter().flatten() {
                let total = index.capacity_units().unwrap_or_default();
                let (read, write) =
                    match (index.read_capacity_units(), index.write_capacity_units()) {
                        (None, None) if reading => (total, 0.0),
                        (None, None) => (0.0, total),
                        (read, write) => (read.unwrap_or_default(), write.unwrap_or_default()),
                    };
                usage.indexes.push((name.clone(), read, write));
            }
        }
        usage
    }

    /// Table and index units together.
    pub fn total_read(&self) -> f64 {
        self.read_units + self.indexes.iter().map(|(_, r, _)| r).sum::<f64>()
    }

    pub fn total_write(&self) -> f64 {
        self.write_units + self.indexes.iter().map(|(_, _, w)| w).sum::<f64>()
    }
}

/// Shared log of capacity uses.
#[derive(Debug, Clone, Default)]
pub struct CapacityMeter(Arc<Mutex<Vec<CapacityUse>>>);

impl CapacityMeter {
    pub(crate) fn record(&self, usage: CapacityUse) {
        self.0.lock().expect("meter lock").push(usage);
    }

    /// Everything recorded so far, and a fresh start.
    pub fn take(&self) -> Vec<CapacityUse> {
        std::mem::take(&mut *self.0.lock().expect("meter lock"))
    }
}
