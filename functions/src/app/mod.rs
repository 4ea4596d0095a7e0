//! The application layer: use cases over the ports. Each command is one read, one core
//! decision and one transaction; business rules stay in `storno-core`.

mod error;
mod idempotency;
mod payouts;
mod ports;
mod queue;
mod receipt;
mod relay;
mod retry;
mod runner;
mod storage;
mod worker;

pub use error::AppError;
pub use idempotency::{IDEMPOTENCY_TTL_HOURS, Idempotency, hash_hex};
pub use payouts::PayoutRun;
pub use ports::{Clock, FixedClock, FollowUpPublisher, RecordingPublisher, SystemClock};
pub use queue::{Delivery, Envelope, Queue, QueueError};
pub use receipt::Receipt;
pub use relay::Relay;
pub use retry::{MAX_ATTEMPTS, MAX_RENUMBERS};
pub use runner::Runner;
pub use storage::{
    Commit, Conflict, DateStore, IdempotencyWrite, LoadedOrder, OrderStore, Outbox, Page,
    StoreError, StoredResponse,
};
pub use worker::{Call, EffectLog, Notifier, PaymentGateway, Recorder, Worker};
