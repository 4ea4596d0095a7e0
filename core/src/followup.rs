//! Follow-up intents a decision leaves for after its commit: messages, refunds, transfers.
//!
//! Each carries a deterministic effect key (`kind:order:revision:index`), so whoever executes
//! it can do so exactly once however often it is delivered.

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, DateId, OrderId, PartnerId, RequestId};
use crate::money::Money;
use crate::numbering::DocumentNumber;

/// What a message says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    OrderConfirmed,
    BookingCancelled,
    InvoiceUpdated,
    InvoiceCancelled,
    /// The attendees' bookings moved to `date`; their new tickets.
    UpdatedTicket {
        date: DateId,
        #[serde(default)]
        tickets: Vec<String>,
    },
    RebookingOffer {
        dates: Vec<DateId>,
    },
    AlternativeDateChosen {
        date: DateId,
    },
    AlternativeDatesDeclined,
    RebookFlagSet,
    RebookFlagCleared,
    RebookingRequested {
        request: RequestId,
    },
    RebookingApproved {
        request: RequestId,
    },
    RebookingDeclined {
        request: RequestId,
    },
    PartnerCannotRun,
    CreditGranted {
        amount: Money,
    },
    RefundIssued {
        amount: Money,
    },
    PayoutWithheld {
        debit: Money,
    },
    PayoutReleased {
        amount: Money,
    },
    CreditExpired {
        amount: Money,
    },
    CreditPaidOut {
        amount: Money,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    NotifyCustomer {
        customer: CustomerId,
        message: Message,
        /// The newest document, for the message to link.
        document: Option<DocumentNumber>,
    },
    NotifyPartner {
        partner: PartnerId,
        message: Message,
    },
    NotifyStaff {
        message: Message,
    },
    /// Refund to the customer's original payment.
    Refund {
        customer: CustomerId,
        amount: Money,
    },
    /// Transfer a released payout to the partner.
    TransferPayout {
        partner: PartnerId,
        amount: Money,
    },
    /// Render and deliver an issued document.
    DeliverDocument {
        number: DocumentNumber,
    },
}

impl Effect {
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::NotifyCustomer { .. } => "notify-customer",
            Effect::NotifyPartner { .. } => "notify-partner",
            Effect::NotifyStaff { .. } => "notify-staff",
            Effect::Refund { .. } => "refund",
            Effect::TransferPayout { .. } => "transfer",
            Effect::DeliverDocument { .. } => "deliver-document",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FollowUp {
    /// Deterministic: the same decision always yields the same keys.
    pub key: String,
    pub order: OrderId,
    pub effect: Effect,
}

impl FollowUp {
    /// The follow-ups of revision `revision` of `stream` (an order or an account stream).
    pub(crate) fn keyed_on(
        stream: &OrderId,
        revision: u64,
        effects: impl IntoIterator<Item = Effect>,
    ) -> Vec<FollowUp> {
        effects
            .into_iter()
            .enumerate()
            .map(|(index, effect)| FollowUp {
                key: format!("{}:{stream}:{revision}:{index}", effect.kind()),
                order: stream.clone(),
                effect,
            })
            .collect()
    }
}
