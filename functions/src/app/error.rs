//! Errors of the use cases: a domain refusal, a conflict that outlasted the retries, an
//! idempotency key reused for another request, or a failure to record.

use storno_core::DomainError;
use thiserror::Error;

use super::StoreError;

#[derive(Debug, Error)]
pub enum AppError {
    /// The core refused (400/403/404/409/422 by [`DomainError::kind`]).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The order kept changing under us (409).
    #[error("the order changed while this request was processed; try again")]
    Conflict,
    /// The same idempotency key came with another request body (422).
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// The first request with this Idempotency-Key is still at work (409; try again shortly).
    #[error("a request with this Idempotency-Key is still being processed; try again shortly")]
    IdempotencyKeyInFlight,
    /// The change does not fit DynamoDB's limits; nothing was written (413/422).
    #[error("{0}")]
    TooLarge(String),
    /// The queue did not take the work; repeating the request with the same key finishes it
    /// (503).
    #[error("{0}")]
    Unavailable(String),
    /// A page cursor that decodes but was not issued for this listing (400).
    #[error("the cursor is not one this API returned")]
    InvalidCursor,
    /// Another order was registered under this id (409).
    #[error("order {0} is already registered with other content")]
    OrderExists(String),
    /// Another date exists under this id (409).
    #[error("a different date with id {0} exists already")]
    DateExists(String),
    /// Storage failed (500; details go to the logs only).
    #[error("storage failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::TooLarge(message) => AppError::TooLarge(message),
            StoreError::InvalidCursor => AppError::InvalidCursor,
            other => AppError::Store(other),
        }
    }
}
