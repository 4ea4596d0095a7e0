//! Why a follow-up was not carried out this time, typed so the worker can decide: a retryable
//! failure is delivered again (the queue's visibility timeout), a permanent one goes to the
//! dead letters at once, for a person, instead of being tried five times in vain.

use thiserror::Error;

use super::storage::{Cause, chain};
use super::{AppError, QueueError, StoreError};

#[derive(Debug, Error)]
pub enum FollowUpError {
    /// A store, queue or provider failed for now: worth another delivery.
    #[error("{what} failed for now: {}", chain(.source.as_ref()))]
    Retryable {
        what: &'static str,
        #[source]
        source: Cause,
    },
    /// It can never succeed as delivered (the rules refuse it, or this build does not know
    /// the work).
    #[error("{what} can never succeed as delivered: {}", chain(.source.as_ref()))]
    Permanent {
        what: &'static str,
        #[source]
        source: Cause,
    },
}

impl FollowUpError {
    pub fn retryable(what: &'static str, source: impl Into<Cause>) -> Self {
        FollowUpError::Retryable {
            what,
            source: source.into(),
        }
    }

    pub fn permanent(what: &'static str, source: impl Into<Cause>) -> Self {
        FollowUpError::Permanent {
            what,
            source: source.into(),
        }
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, FollowUpError::Permanent { .. })
    }
}

impl From<StoreError> for FollowUpError {
    fn from(error: StoreError) -> Self {
        FollowUpError::retryable("the store", error)
    }
}

impl From<QueueError> for FollowUpError {
    fn from(error: QueueError) -> Self {
        FollowUpError::retryable("the queue", error)
    }
}

impl From<AppError> for FollowUpError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Conflict
            | AppError::Store(_)
            | AppError::Unavailable(_)
            | AppError::IdempotencyKeyInFlight { .. } => {
                FollowUpError::retryable("the use case", error)
            }
            refused => FollowUpError::permanent("the use case", refused),
        }
    }
}

#[cfg(test)]
mod tests {
    use storno_core::DomainError;

    use super::*;

    #[test]
    fn refusals_are_permanent_and_failures_of_the_moment_retryable() {
        let refused = FollowUpError::from(AppError::from(DomainError::NotFound("order")));
        assert!(refused.is_permanent());
        assert!(!FollowUpError::from(AppError::Conflict).is_permanent());
        let store = StoreError::Service("throttled".into());
        let failed = FollowUpError::from(store);
        assert!(!failed.is_permanent());
        assert!(failed.to_string().contains("throttled"), "{failed}");
    }
}
