//! SDK failures in the storage port's terms.

use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, SdkError};

use crate::app::Cause;
use crate::app::StoreError;

/// An SDK error with the context its Display leaves out.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub(crate) struct SdkCause {
    context: String,
    #[source]
    error: Cause,
}

impl From<BuildError> for StoreError {
    fn from(error: BuildError) -> Self {
        StoreError::Encoding(Box::new(error))
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
    // The SDK's own Display is terse ("service error"); its context goes along as the
    // message, the error itself as the source.
    let cause: Cause = SdkCause {
        context: DisplayErrorContext(&error).to_string(),
        error: Box::new(error),
    }
    .into();
    if ambiguous {
        StoreError::Ambiguous(cause)
    } else {
        StoreError::Service(cause)
    }
}

/// A conditional write that lost its condition, as `Ok(false)`; any other failure as an error.
pub(crate) fn condition_held<R>(
    result: Result<
        R,
        SdkError<
            impl std::error::Error + Send + Sync + 'static + ConditionalCheck,
            impl std::fmt::Debug + Send + Sync + 'static,
        >,
    >,
) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(ConditionalCheck::is_conditional_check_failed) =>
        {
            Ok(false)
        }
        Err(error) => Err(sdk(error)),
    }
}

/// Operation errors that can say "the condition failed".
pub(crate) trait ConditionalCheck {
    fn is_conditional_check_failed(&self) -> bool;
}

impl ConditionalCheck for aws_sdk_dynamodb::operation::put_item::PutItemError {
    fn is_conditional_check_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

impl ConditionalCheck for aws_sdk_dynamodb::operation::update_item::UpdateItemError {
    fn is_conditional_check_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

impl ConditionalCheck for aws_sdk_dynamodb::operation::delete_item::DeleteItemError {
    fn is_conditional_check_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}
