//! The HTTP front: each request becomes the API Gateway request the Lambda functions get — the
//! body, and the authorizer's JWT claims in the request context when a valid dev token came
//! with it — and goes through the same [`storno_functions::http::Api`].

use std::sync::Arc;

use axum::body::Body as AxumBody;
use axum::http::{HeaderValue, Request, Response, header};
use lambda_http::RequestExt;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription,
    ApiGatewayV2httpRequestContext,
};
use lambda_http::request::RequestContext;
use storno_functions::http::BODY_LIMIT;

use crate::Local;

pub fn router(local: Arc<Local>) -> axum::Router {
    axum::Router::new().fallback(move |request: Request<AxumBody>| {
        let local = Arc::clone(&local);
        async move { serve(&local, request).await }
    })
}

async fn serve(local: &Local, request: Request<AxumBody>) -> Response<AxumBody> {
    let (parts, body) = request.into_parts();
    // One byte over the limit is enough to answer 413 through the API's own check.
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT + 1).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => vec![b' '; BODY_LIMIT + 1],
    };
    let claims = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|token| local.tokens.verify(token.trim()));
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
    let response = local.api.handle(lambda_request).await;
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    let body = match body {
        lambda_http::Body::Empty => AxumBody::empty(),
        lambda_http::Body::Text(text) => AxumBody::from(text),
        lambda_http::Body::Binary(bytes) => AxumBody::from(bytes),
        _ => AxumBody::empty(),
    };
    Response::from_parts(parts, body)
}
