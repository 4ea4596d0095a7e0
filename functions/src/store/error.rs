//! Failures of the store, in the terms the use-case runner acts on.

use thiserror::Error;

/// What lost a conditional write, so the runner knows what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The order changed since it was read: reload and decide again.
    Version,
    /// The order already exists (intake of an id seen before).
    AlreadyExists,
    /// The number series moved on; it now stands at `next`.
    Counter { next: u32 },
    /// Another request with the same idempotency key committed first.
    Idempotency,
    /// The partner's balance changed since it was read.
    Balance,
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("conditional write lost: {0:?}")]
    Conflict(Conflict),
    /// The write may or may not have been applied (the response was lost): re-send it as is;
    /// its `ClientRequestToken` makes the re-send harmless.
    #[error("no answer whether the write was applied: {0}")]
    Ambiguous(String),
    /// The command's writes do not fit DynamoDB's limits; nothing was written.
    #[error("{0}")]
    TooLarge(String),
    #[error("stored data could not be read: {0}")]
    Decoding(String),
    #[error("data could not be encoded: {0}")]
    Encoding(String),
    #[error("DynamoDB request failed: {0}")]
    Service(String),
    #[error("request could not be built: {0}")]
    Build(#[from] aws_sdk_dynamodb::error::BuildError),
}

impl StoreError {
    pub(crate) fn encoding(error: impl std::fmt::Display) -> Self {
        StoreError::Encoding(error.to_string())
    }

    pub(crate) fn decoding(error: impl std::fmt::Display) -> Self {
        StoreError::Decoding(error.to_string())
    }

    /// Any SDK error that is not a conditional-check outcome.
    pub(crate) fn sdk<E, R>(error: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        use aws_sdk_dynamodb::error::SdkError;
        let ambiguous = matches!(
            error,
            SdkError::DispatchFailure(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_)
        );
        let text = aws_sdk_dynamodb::error::DisplayErrorContext(&error).to_string();
        if ambiguous {
            StoreError::Ambiguous(text)
        } else {
            StoreError::Service(text)
        }
    }
}
