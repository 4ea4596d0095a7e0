//! Every refusal of the HTTP layer and of storno-local's edge — a request that never reaches a
//! use case, or a form a use case's result cannot be served in — with its status and stable
//! code, each defined once here. The core's refusals and the use cases' errors are mapped in
//! `problem.rs`; all of them become one [`Problem`] and one problem+json body.

use lambda_http::http::StatusCode;
use thiserror::Error;

use super::problem::Problem;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("no route {method} {path}")]
    NoSuchRoute { method: String, path: String },
    #[error("this path takes {allow}")]
    MethodNotAllowed { allow: String },
    #[error("this route needs a signed-in caller (a JWT from the authorizer)")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(&'static str),
    /// An id in the path that cannot exist, or a thing the caller may not see.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the request body is not accepted: {0}")]
    MalformedJson(String),
    #[error("the request body is not accepted: {0}")]
    InvalidBody(String),
    #[error("request bodies are JSON (Content-Type: application/json), not {0}")]
    UnsupportedMediaType(String),
    #[error("the request body has {size}; at most {limit} are accepted")]
    BodyTooLarge { size: String, limit: usize },
    #[error("the request body could not be read (broken chunked encoding or connection)")]
    MalformedBody,
    #[error("{0}")]
    RequestTimeout(&'static str),
    #[error("Idempotency-Key must be 1 to 255 visible ASCII characters")]
    InvalidIdempotencyKey,
    #[error("If-Match must be an ETag this API returned, such as \"3\"")]
    InvalidIfMatch,
    #[error("the cursor is not one this API returned")]
    InvalidCursor,
    #[error("limit must be 1 to 100")]
    InvalidLimit,
    #[error("{0:?} is not a currency Storno handles (use an ISO 4217 code such as EUR)")]
    UnknownCurrency(String),
    #[error("format {0:?} is not one of json, cii, ubl, pdf")]
    InvalidFormat(String),
    #[error("{0}")]
    NotAcceptable(String),
    #[error("the document could not be rendered; it is stored unchanged")]
    RenderFailed,
    #[error("{0}")]
    StorageUnavailable(&'static str),
    #[error("the server already serves {0} connections; try again shortly")]
    TooManyConnections(usize),
    #[error(
        "this client already holds {0} connections, its share; reuse them or try again shortly"
    )]
    TooManyConnectionsFromClient(usize),
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        use Refusal::*;
        match self {
            NoSuchRoute { .. } | NotFound(_) => StatusCode::NOT_FOUND,
            MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Unauthorized => StatusCode::UNAUTHORIZED,
            Forbidden(_) => StatusCode::FORBIDDEN,
            MalformedJson(_)
            | InvalidBody(_)
            | MalformedBody
            | InvalidIdempotencyKey
            | InvalidIfMatch
            | InvalidCursor
            | InvalidLimit
            | UnknownCurrency(_)
            | InvalidFormat(_) => StatusCode::BAD_REQUEST,
            UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            RenderFailed => StatusCode::INTERNAL_SERVER_ERROR,
            StorageUnavailable(_) | TooManyConnections(_) | TooManyConnectionsFromClient(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    pub fn code(&self) -> &'static str {
        use Refusal::*;
        match self {
            NoSuchRoute { .. } => "no_such_route",
            MethodNotAllowed { .. } => "method_not_allowed",
            Unauthorized => "unauthorized",
            Forbidden(_) => "forbidden",
            NotFound(_) => "not_found",
            MalformedJson(_) => "malformed_json",
            InvalidBody(_) => "invalid_body",
            UnsupportedMediaType(_) => "unsupported_media_type",
            BodyTooLarge { .. } => "body_too_large",
            MalformedBody => "malformed_body",
            RequestTimeout(_) => "request_timeout",
            InvalidIdempotencyKey => "invalid_idempotency_key",
            InvalidIfMatch => "invalid_if_match",
            InvalidCursor => "invalid_cursor",
            InvalidLimit => "invalid_limit",
            UnknownCurrency(_) => "unknown_currency",
            InvalidFormat(_) => "invalid_format",
            NotAcceptable(_) => "not_acceptable",
            RenderFailed => "render_failed",
            StorageUnavailable(_) => "storage_unavailable",
            TooManyConnections(_) => "too_many_connections",
            TooManyConnectionsFromClient(_) => "too_many_connections_from_client",
        }
    }
}

impl From<Refusal> for Problem {
    fn from(refusal: Refusal) -> Self {
        let retry_after = matches!(
            refusal,
            Refusal::TooManyConnections(_) | Refusal::TooManyConnectionsFromClient(_)
        )
        .then_some(1);
        Problem {
            retry_after,
            ..Problem::new(refusal.status(), refusal.code(), refusal.to_string())
        }
    }
}
