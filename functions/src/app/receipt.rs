//! What a command answers: the same for the first execution and every replay of its
//! idempotency key (the receipt is stored with the effect).

use serde::{Deserialize, Serialize};
use storno_core::document::DocumentRef;
use storno_core::{Decision, FeeQuote, FollowUp, OrderId, Posting};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Receipt {
    pub order: OrderId,
    /// The order's version after the command (its `ETag`).
    pub version: u64,
    pub documents: Vec<DocumentRef>,
    pub fee: Option<FeeQuote>,
    pub posting: Option<Posting>,
    pub followups: Vec<FollowUp>,
}

impl Receipt {
    pub fn of(decision: &Decision) -> Self {
        Receipt {
            order: decision.order.id.clone(),
            version: decision.order.revision,
            documents: decision
                .documents
                .iter()
                .map(|d| DocumentRef::from(&**d))
                .collect(),
            fee: decision.fee.clone(),
            posting: decision.posting.clone(),
            followups: decision.followups.clone(),
        }
    }
}
