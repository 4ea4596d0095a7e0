//! The application layer: use cases over the ports. Each command is one read, one core
//! decision and one transaction; business rules stay in `storno-core`.

mod error;
mod payouts;
mod ports;
mod queue;
mod receipt;
mod relay;
mod runner;
mod storage;
mod worker;

pub use error::AppError;
pub use payouts::PayoutRun;
pub use ports::{Clock, FixedClock, FollowUpPublisher, RecordingPublisher, SystemClock};
pub use queue::{Delivery, Envelope, Queue, QueueError};
pub use receipt::Receipt;
pub use relay::Relay;
pub use runner::{IDEMPOTENCY_TTL_HOURS, Idempotency, MAX_ATTEMPTS, Runner, hash_hex};
pub use storage::{
    Commit, Conflict, DateStore, IdempotencyWrite, LoadedOrder, OrderStore, Outbox, Page,
    StoreError, StoredResponse,
};
pub use worker::{Call, EffectLog, Notifier, PaymentGateway, Recorder, Worker};
