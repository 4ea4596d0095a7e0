//! SDK failures in the storage port's terms.

use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, SdkError};

use crate::app::StoreError;

impl From<BuildError> for StoreError {
    fn from(error: BuildError) -> Self {
        StoreError::Encoding(error.to_string())
    }
}

/// Any SDK error that is not a conditional-check outcome. Without a response we cannot know
/// whether a write was applied: that is `Ambiguous`, and the runner re-sends with the same token.
pub(crate) fn sdk<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let ambiguous = matches!(
        error,
        SdkError::DispatchFailure(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_)
    );
    let text = DisplayErrorContext(&error).to_string();
    if ambiguous {
        StoreError::Ambiguous(text)
    } else {
        StoreError::Service(text)
    }
}
