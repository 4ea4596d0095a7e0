//! The application layer: use cases over the ports. Each command is one read, one core
//! decision and one transaction; business rules stay in `storno-core`.

mod command_loop;
mod credit;
mod dates;
mod dispatch;
mod error;
mod followup_error;
mod idempotency;
mod intake;
mod issuers;
mod jobs;
mod numbers;
mod on_order;
mod once;
mod partners;
mod payouts;
mod ports;
mod queue;
mod reads;
mod receipt;
mod reconcile;
mod relay;
mod retry;
mod runner;
mod storage;
mod worker;

pub use credit::{CreditPaidOut, ExpiryRun};
pub use dispatch::{DispatchPorts, Dispatcher};
pub use error::AppError;
pub use followup_error::FollowUpError;
pub use idempotency::{IDEMPOTENCY_TTL_HOURS, Idempotency, hash_hex};
pub use jobs::{DateJob, DatePreview, JobFailure, JobProgress};
pub use once::{RESERVATION_LEASE_SECONDS, Stored};
pub use partners::PartnerAccount;
pub use payouts::{PayoutPreview, PayoutRun};
pub use ports::{Clock, FixedClock, FollowUpPublisher, RecordingPublisher, SystemClock};
pub use queue::{
    Backlog, DateOrder, Delivery, ENVELOPE_VERSION, Envelope, Queue, QueueError, Work,
};
pub use receipt::Receipt;
pub use reconcile::reconcile;
pub use reconcile::{MissingEffect, Reconciliation, Unfinished};
pub use relay::Relay;
pub use retry::{MAX_ATTEMPTS, MAX_RENUMBERS};
pub use runner::{Policy, Runner};
pub use storage::{Cause, WithContext, chain};
pub use storage::{
    Commit, Conflict, IdempotencyWrite, LoadedOrder, Outbox, Page, StoreError, StoredGrant,
    StoredResponse,
};
pub use worker::{
    BatchOutcome, Call, EffectLog, Execution, HandleDelivery, Notifier, PaymentGateway, Recorder,
    Worker, handle_batch,
};
