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
    /// The request moves money and came without an idempotency key (400).
    #[error("{0}")]
    IdempotencyKeyRequired(&'static str),
    /// The same idempotency key came with another request body (422).
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// The first request with this Idempotency-Key is still at work (409; try again shortly).
    #[error("a request with this Idempotency-Key is still being processed; try again shortly")]
    IdempotencyKeyInFlight { retry_after_seconds: u64 },
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

/// How long a reservation may be at work before a duplicate is told to wait for its lease
/// rather than to ask again in a second (its process most likely died).
const LIKELY_ORPHANED_AFTER_SECONDS: i64 = 5;

impl AppError {
    /// A request with the key is at work. `lease_until`: the reservation's lease, if it has
    /// one; a young one answers "try again in a second", one at work for longer than a request
    /// ever takes answers the seconds until its lease runs out.
    pub fn in_flight(lease_until: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        let retry_after_seconds = lease_until
            .map(|until| {
                let now = chrono::Utc::now();
                let lease = chrono::Duration::seconds(super::once::RESERVATION_LEASE_SECONDS);
                let at_work = now - (until - lease);
                if at_work.num_seconds() < LIKELY_ORPHANED_AFTER_SECONDS {
                    1
                } else {
                    (until - now).num_seconds().max(1)
                }
            })
            .unwrap_or(1);
        AppError::IdempotencyKeyInFlight {
            retry_after_seconds: u64::try_from(retry_after_seconds).unwrap_or(1),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(error: AppError) -> u64 {
        match error {
            AppError::IdempotencyKeyInFlight {
                retry_after_seconds,
            } => retry_after_seconds,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_young_reservation_asks_for_a_second_an_orphaned_one_for_the_rest_of_its_lease() {
        let now = chrono::Utc::now();
        let lease = chrono::Duration::seconds(super::super::once::RESERVATION_LEASE_SECONDS);
        assert_eq!(retry_after(AppError::in_flight(Some(now + lease))), 1);
        assert_eq!(retry_after(AppError::in_flight(None)), 1);
        let dead = AppError::in_flight(Some(now + chrono::Duration::seconds(60)));
        assert!((58..=60).contains(&retry_after(dead)));
        let ending = AppError::in_flight(Some(now - chrono::Duration::seconds(1)));
        assert_eq!(retry_after(ending), 1);
    }
}
