//! Stored entries of customers' credit accounts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use storno_core::{CreditEntry, CreditMovement, CustomerId, Money, OrderId};

use super::RECORD_VERSION;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum MovementRecord {
    Granted { order: OrderId, reason: String },
    Redeemed { order: OrderId },
    Expired { granted_at: DateTime<Utc> },
    PaidOut,
}

/// One entry of a credit account (`CUSTOMER#{id}` / `CE#…`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreditEntryRecord {
    rv: u32,
    customer: CustomerId,
    at: DateTime<Utc>,
    amount: Money,
    #[serde(flatten)]
    movement: MovementRecord,
}

impl From<&CreditEntry> for CreditEntryRecord {
    fn from(e: &CreditEntry) -> Self {
        let movement = match &e.movement {
            CreditMovement::Granted { order, reason } => MovementRecord::Granted {
                order: order.clone(),
                reason: reason.clone(),
            },
            CreditMovement::Redeemed { order } => MovementRecord::Redeemed {
                order: order.clone(),
            },
            CreditMovement::Expired { granted_at } => MovementRecord::Expired {
                granted_at: *granted_at,
            },
            CreditMovement::PaidOut => MovementRecord::PaidOut,
        };
        CreditEntryRecord {
            rv: RECORD_VERSION,
            customer: e.customer.clone(),
            at: e.at,
            amount: e.amount,
            movement,
        }
    }
}

impl CreditEntryRecord {
    pub fn into_domain(self) -> CreditEntry {
        let movement = match self.movement {
            MovementRecord::Granted { order, reason } => CreditMovement::Granted { order, reason },
            MovementRecord::Redeemed { order } => CreditMovement::Redeemed { order },
            MovementRecord::Expired { granted_at } => CreditMovement::Expired { granted_at },
            MovementRecord::PaidOut => CreditMovement::PaidOut,
        };
        CreditEntry {
            customer: self.customer,
            at: self.at,
            amount: self.amount,
            movement,
        }
    }
}
