//! The parts of a stored order that the domain keeps as its own types: the payout, its hold,
//! rebooking requests, the partner-cancellation ladder, the customer's answer to alternative
//! dates, and the kind of each archived document. Each has a record of its own with the JSON
//! the stored orders already hold, so the domain types can change while every record stays
//! readable. Plain enums (hold reasons, ladder answers) are stored as they serialise.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use storno_core::document::InvoiceReference;
use storno_core::partner_cancellation::{Answer, Outcome, PartnerCancellation};
use storno_core::payout::{Payout, PayoutHold, PayoutRelease};
use storno_core::rebooking::{AlternativeAnswer, RebookingRequest, RequestState};
use storno_core::{
    BookingId, DateId, DocumentKind, DocumentNumber, HoldReason, Money, OrderId, RequestId,
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PayoutRecord {
    released: Option<ReleaseRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReleaseRecord {
    at: DateTime<Utc>,
    settled: Money,
    offset: Money,
    transferred: Money,
}

impl From<&Payout> for PayoutRecord {
    fn from(payout: &Payout) -> Self {
        PayoutRecord {
            released: payout.released.as_ref().map(|r| ReleaseRecord {
                at: r.at,
                settled: r.settled,
                offset: r.offset,
                transferred: r.transferred,
            }),
        }
    }
}

impl PayoutRecord {
    pub fn into_domain(self) -> Payout {
        Payout {
            released: self.released.map(|r| PayoutRelease {
                at: r.at,
                settled: r.settled,
                offset: r.offset,
                transferred: r.transferred,
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HoldRecord {
    since: DateTime<Utc>,
    reason: HoldReason,
}

impl From<&PayoutHold> for HoldRecord {
    fn from(hold: &PayoutHold) -> Self {
        HoldRecord {
            since: hold.since,
            reason: hold.reason,
        }
    }
}

impl HoldRecord {
    pub fn into_domain(self) -> PayoutHold {
        PayoutHold {
            since: self.since,
            reason: self.reason,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestRecord {
    id: RequestId,
    reason: String,
    requested_at: DateTime<Utc>,
    state: RequestStateRecord,
    #[serde(default)]
    bookings: Vec<BookingId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum RequestStateRecord {
    Open,
    Approved { at: DateTime<Utc> },
    Declined { at: DateTime<Utc> },
    CarriedOut { at: DateTime<Utc>, date: DateId },
}

impl From<&RebookingRequest> for RequestRecord {
    fn from(request: &RebookingRequest) -> Self {
        RequestRecord {
            id: request.id.clone(),
            reason: request.reason.clone(),
            requested_at: request.requested_at,
            state: match &request.state {
                RequestState::Open => RequestStateRecord::Open,
                RequestState::Approved { at } => RequestStateRecord::Approved { at: *at },
                RequestState::Declined { at } => RequestStateRecord::Declined { at: *at },
                RequestState::CarriedOut { at, date } => RequestStateRecord::CarriedOut {
                    at: *at,
                    date: date.clone(),
                },
            },
            bookings: request.bookings.clone(),
        }
    }
}

impl RequestRecord {
    pub fn into_domain(self) -> RebookingRequest {
        RebookingRequest {
            id: self.id,
            reason: self.reason,
            requested_at: self.requested_at,
            state: match self.state {
                RequestStateRecord::Open => RequestState::Open,
                RequestStateRecord::Approved { at } => RequestState::Approved { at },
                RequestStateRecord::Declined { at } => RequestState::Declined { at },
                RequestStateRecord::CarriedOut { at, date } => {
                    RequestState::CarriedOut { at, date }
                }
            },
            bookings: self.bookings,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LadderRecord {
    reported_at: DateTime<Utc>,
    #[serde(default)]
    bookings: Vec<BookingId>,
    rebooking: Answer,
    credit: Answer,
    outcome: Option<OutcomeRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum OutcomeRecord {
    Rebooked { at: DateTime<Utc> },
    Credited { at: DateTime<Utc>, amount: Money },
    Refunded { at: DateTime<Utc>, amount: Money },
}

impl From<&PartnerCancellation> for LadderRecord {
    fn from(pc: &PartnerCancellation) -> Self {
        LadderRecord {
            reported_at: pc.reported_at,
            bookings: pc.bookings.clone(),
            rebooking: pc.rebooking,
            credit: pc.credit,
            outcome: pc.outcome.as_ref().map(|outcome| match outcome {
                Outcome::Rebooked { at } => OutcomeRecord::Rebooked { at: *at },
                Outcome::Credited { at, amount } => OutcomeRecord::Credited {
                    at: *at,
                    amount: *amount,
                },
                Outcome::Refunded { at, amount } => OutcomeRecord::Refunded {
                    at: *at,
                    amount: *amount,
                },
            }),
        }
    }
}

impl LadderRecord {
    pub fn into_domain(self) -> PartnerCancellation {
        PartnerCancellation {
            reported_at: self.reported_at,
            bookings: self.bookings,
            rebooking: self.rebooking,
            credit: self.credit,
            outcome: self.outcome.map(|outcome| match outcome {
                OutcomeRecord::Rebooked { at } => Outcome::Rebooked { at },
                OutcomeRecord::Credited { at, amount } => Outcome::Credited { at, amount },
                OutcomeRecord::Refunded { at, amount } => Outcome::Refunded { at, amount },
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum AnswerRecord {
    Chosen { date: DateId, at: DateTime<Utc> },
    Declined { at: DateTime<Utc> },
}

impl From<&AlternativeAnswer> for AnswerRecord {
    fn from(answer: &AlternativeAnswer) -> Self {
        match answer {
            AlternativeAnswer::Chosen { date, at } => AnswerRecord::Chosen {
                date: date.clone(),
                at: *at,
            },
            AlternativeAnswer::Declined { at } => AnswerRecord::Declined { at: *at },
        }
    }
}

impl AnswerRecord {
    pub fn into_domain(self) -> AlternativeAnswer {
        match self {
            AnswerRecord::Chosen { date, at } => AlternativeAnswer::Chosen { date, at },
            AnswerRecord::Declined { at } => AlternativeAnswer::Declined { at },
        }
    }
}

/// What a document is, as stored (the archive and the document items).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KindRecord {
    Invoice {
        version: u32,
        replaces: Option<ReferenceRecord>,
    },
    Cancellation {
        cancels: ReferenceRecord,
    },
    FeeInvoice {
        after_cancelled: ReferenceRecord,
    },
    CommissionInvoice {
        payout_of: OrderId,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceRecord {
    number: DocumentNumber,
    issue_date: NaiveDate,
}

impl From<&InvoiceReference> for ReferenceRecord {
    fn from(reference: &InvoiceReference) -> Self {
        ReferenceRecord {
            number: reference.number.clone(),
            issue_date: reference.issue_date,
        }
    }
}

impl ReferenceRecord {
    fn into_domain(self) -> InvoiceReference {
        InvoiceReference {
            number: self.number,
            issue_date: self.issue_date,
        }
    }
}

impl From<&DocumentKind> for KindRecord {
    fn from(kind: &DocumentKind) -> Self {
        match kind {
            DocumentKind::Invoice { version, replaces } => KindRecord::Invoice {
                version: *version,
                replaces: replaces.as_ref().map(ReferenceRecord::from),
            },
            DocumentKind::Cancellation { cancels } => KindRecord::Cancellation {
                cancels: cancels.into(),
            },
            DocumentKind::FeeInvoice { after_cancelled } => KindRecord::FeeInvoice {
                after_cancelled: after_cancelled.into(),
            },
            DocumentKind::CommissionInvoice { payout_of } => KindRecord::CommissionInvoice {
                payout_of: payout_of.clone(),
            },
        }
    }
}

impl KindRecord {
    pub fn into_domain(self) -> DocumentKind {
        match self {
            KindRecord::Invoice { version, replaces } => DocumentKind::Invoice {
                version,
                replaces: replaces.map(ReferenceRecord::into_domain),
            },
            KindRecord::Cancellation { cancels } => DocumentKind::Cancellation {
                cancels: cancels.into_domain(),
            },
            KindRecord::FeeInvoice { after_cancelled } => DocumentKind::FeeInvoice {
                after_cancelled: after_cancelled.into_domain(),
            },
            KindRecord::CommissionInvoice { payout_of } => {
                DocumentKind::CommissionInvoice { payout_of }
            }
        }
    }
}
