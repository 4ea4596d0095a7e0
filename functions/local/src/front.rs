//! The HTTP front: each request becomes the API Gateway request the Lambda functions get — the
//! body, and the authorizer's JWT claims in the request context when a valid dev token came
//! with it — and goes through the same [`storno_functions::http::Api`].

use std::sync::Arc;

use axum::body::Body as AxumBody;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use lambda_http::RequestExt;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription,
    ApiGatewayV2httpRequestContext,
};
use lambda_http::request::RequestContext;
use storno_functions::http::{BODY_LIMIT, Problem, Refusal, problem_response};

use crate::Local;

pub fn router(local: Arc<Local>) -> axum::Router {
    use axum::routing::get;
    axum::Router::new()
        .route("/docs", get(crate::explorer::page))
        .route("/docs/", get(crate::explorer::page))
        .route("/docs/{name}", get(crate::explorer::file))
        .fallback(move |request: Request<AxumBody>| {
            let local = Arc::clone(&local);
            async move { serve(&local, request).await }
        })
}

/// A refusal of the front itself, answered as the API answers its own (one problem+json).
fn refused(refusal: Refusal) -> Response<AxumBody> {
    let allow = match &refusal {
        Refusal::MethodNotAllowed { allow } => HeaderValue::from_str(allow).ok(),
        _ => None,
    };
    let mut response = to_axum(problem_response(&Problem::from(refusal)));
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// The API's response as the local server sends it.
fn to_axum(response: lambda_http::Response<lambda_http::Body>) -> Response<AxumBody> {
    let (parts, body) = response.into_parts();
    let body = match body {
        lambda_http::Body::Empty => AxumBody::empty(),
        lambda_http::Body::Text(text) => AxumBody::from(text),
        lambda_http::Body::Binary(bytes) => AxumBody::from(bytes),
        _ => AxumBody::empty(),
    };
    Response::from_parts(parts, body)
}

/// Why a body could not be read.
enum BodyFailure {
    TooLarge,
    TooSlow,
    Malformed,
}

/// The body, at most one byte over the limit (enough for the API's own 413), within the body
/// timeout.
async fn read_body(body: AxumBody, timeout: std::time::Duration) -> Result<Vec<u8>, BodyFailure> {
    let limited = http_body_util::Limited::new(body, BODY_LIMIT + 1);
    match tokio::time::timeout(timeout, http_body_util::BodyExt::collect(limited)).await {
        Err(_) => Err(BodyFailure::TooSlow),
        Ok(Ok(collected)) => Ok(collected.to_bytes().to_vec()),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            Err(BodyFailure::TooLarge)
        }
        Ok(Err(_)) => Err(BodyFailure::Malformed),
    }
}

async fn serve(local: &Local, request: Request<AxumBody>) -> Response<AxumBody> {
    let (parts, body) = request.into_parts();
    // A body declared larger than the limit is refused at once, not read until the timeout.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = if declared.is_some_and(|length| length > BODY_LIMIT as u64) {
        Err(BodyFailure::TooLarge)
    } else {
        read_body(body, local.config.edge.body_timeout).await
    };
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(BodyFailure::TooLarge) => {
            let size = declared.map_or_else(
                || format!("more than {BODY_LIMIT} bytes"),
                |length| format!("{length} bytes"),
            );
            return refused(Refusal::BodyTooLarge {
                size,
                limit: BODY_LIMIT,
            });
        }
        Err(BodyFailure::TooSlow) => {
            return refused(Refusal::RequestTimeout(
                "the request body did not arrive in time",
            ));
        }
        Err(BodyFailure::Malformed) => {
            return refused(Refusal::MalformedBody);
        }
    };
    let claims = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|token| local.tokens.verify(token.trim()));
    if parts.uri.path() == "/ops/followups" {
        return followups(local, parts.method, claims.as_ref()).await;
    }
    let mut lambda_request = lambda_http::http::Request::from_parts(
        parts,
        if bytes.is_empty() {
            lambda_http::Body::Empty
        } else {
            lambda_http::Body::Binary(bytes)
        },
    );
    if let Some(claims) = claims {
        let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
        jwt.claims = claims;
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        authorizer.jwt = Some(jwt);
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.authorizer = Some(authorizer);
        lambda_request = lambda_request.with_request_context(RequestContext::ApiGatewayV2(context));
    }
    let mut response = to_axum(local.api.handle(lambda_request).await);
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// `GET /ops/followups` (staff, system; storno-local only): the follow-up backlog, what never
/// reached the queue, the last reconciliation. `POST` runs a reconciliation now (`?resend=true`
/// sends missing follow-ups again).
async fn followups(
    local: &Local,
    method: Method,
    claims: Option<&std::collections::HashMap<String, String>>,
) -> Response<AxumBody> {
    let Some(claims) = claims else {
        return refused(Refusal::Unauthorized);
    };
    if !matches!(
        claims.get("custom:role").map(String::as_str),
        Some("staff" | "system")
    ) {
        return refused(Refusal::Forbidden(
            "only staff and the system may see the follow-up backlog",
        ));
    }
    if method == Method::POST {
        local.reconcile(false).await;
    } else if method != Method::GET {
        return refused(Refusal::MethodNotAllowed {
            allow: "GET, POST".to_owned(),
        });
    }
    match local.followup_report().await {
        Ok(report) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CACHE_CONTROL, "no-store")
            .body(AxumBody::from(
                serde_json::to_string(&report).expect("reports serialise"),
            ))
            .expect("a valid response"),
        Err(error) => {
            tracing::error!(%error, "follow-up report failed");
            refused(Refusal::StorageUnavailable(
                "the follow-up report could not be read; try again",
            ))
        }
    }
}
