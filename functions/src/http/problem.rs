//! RFC 9457 problem details: every error a client sees has a stable `code` and a sentence.
//! Domain refusals keep the core's code and text; the status follows the refusal's kind.

use lambda_http::http::StatusCode;
use serde::Serialize;
use storno_core::{DomainError, ErrorKind};

use super::refusal::Refusal;
use crate::app::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub code: String,
    pub detail: String,
    /// Seconds for a `Retry-After` header (not part of the body).
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// Only the mappings of refusals and errors make problems (each code defined once).
    pub(super) fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("https://storno.dev/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code: code.to_owned(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The problem+json body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("problems serialise")
    }
}

impl From<DomainError> for Problem {
    fn from(error: DomainError) -> Self {
        let status = match error.kind() {
            ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::RuleRefused => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Stale => StatusCode::PRECONDITION_FAILED,
        };
        Problem::new(status, error.code(), error.to_string())
    }
}

impl From<crate::app::StoreError> for Problem {
    fn from(error: crate::app::StoreError) -> Self {
        AppError::from(error).into()
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Domain(refusal) => refusal.into(),
            AppError::Conflict => Problem::new(StatusCode::CONFLICT, "conflict", error.to_string()),
            AppError::DateExists(_) => {
                Problem::new(StatusCode::CONFLICT, "date_exists", error.to_string())
            }
            AppError::InvalidCursor => Refusal::InvalidCursor.into(),
            AppError::IdempotencyKeyRequired(_) => Problem::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                error.to_string(),
            ),
            AppError::OrderExists(_) => {
                Problem::new(StatusCode::CONFLICT, "order_exists", error.to_string())
            }
            AppError::IdempotencyKeyInFlight {
                retry_after_seconds,
            } => Problem {
                retry_after: Some(retry_after_seconds),
                ..Problem::new(
                    StatusCode::CONFLICT,
                    "idempotency_key_in_flight",
                    error.to_string(),
                )
            },
            AppError::IdempotencyKeyReused => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                error.to_string(),
            ),
            AppError::TooLarge(detail) => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", detail)
            }
            AppError::Unavailable(detail) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
            }
            AppError::Store(store) => {
                // Details stay in the logs; the client learns only that it may try again.
                tracing::error!(error = %store, "storage failed");
                Refusal::StorageUnavailable(
                    "storage is not available right now; try again with the same Idempotency-Key",
                )
                .into()
            }
        }
    }
}
