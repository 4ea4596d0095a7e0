//! Request counting and fault injection around the real SDK client: an interceptor that logs
//! every attempt's operation and can lose a response after the write was applied, and an
//! HTTP-client wrapper that answers "throttled" without the request reaching the engine.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
    http_client_fn,
};
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, Metadata};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

/// Operation names of every attempt, in order.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<String>>>);

impl RequestLog {
    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[derive(Debug, Default)]
struct State {
    log: RequestLog,
    /// Transactions whose response is dropped after the engine applied them.
    lose_responses: AtomicUsize,
    /// Transactions answered "throttled" before reaching the engine.
    throttles: AtomicUsize,
    /// Transactions that fail before being sent (a crash before commit).
    crash_before_send: AtomicUsize,
}

#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<State>);

const TRANSACT: &str = "DynamoDB_20120810.TransactWriteItems";

fn take_one(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl Faults {
    pub fn log(&self) -> &RequestLog {
        &self.0.log
    }

    pub fn lose_next_transaction_responses(&self, count: usize) {
        self.0.lose_responses.store(count, Ordering::SeqCst);
    }

    pub fn throttle_next_transactions(&self, count: usize) {
        self.0.throttles.store(count, Ordering::SeqCst);
    }

    pub fn crash_before_next_transactions(&self, count: usize) {
        self.0.crash_before_send.store(count, Ordering::SeqCst);
    }

    /// The HTTP client: plain HTTP to dynoxide (or HTTPS to a real endpoint), wrapped so it can
    /// answer "throttled" itself.
    pub fn http_client(&self) -> SharedHttpClient {
        let inner = aws_smithy_http_client::Builder::new().build_http();
        let faults = self.clone();
        http_client_fn(move |settings, components| {
            SharedHttpConnector::new(Throttling {
                inner: inner.http_connector(settings, components),
                faults: faults.clone(),
            })
        })
    }
}

fn target(request: &HttpRequest) -> &str {
    request.headers().get("x-amz-target").unwrap_or_default()
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "storno-test-faults"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = target(context.request());
        self.0.log.0.lock().unwrap().push(
            target
                .strip_prefix("DynamoDB_20120810.")
                .unwrap_or(target)
                .to_owned(),
        );
        if target == TRANSACT && take_one(&self.0.crash_before_send) {
            return Err("injected: the process died before the transaction was sent".into());
        }
        Ok(())
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let applied = context.response().status().is_success();
        let operation = cfg.load::<Metadata>().map(|m| m.name());
        if applied && operation == Some("TransactWriteItems") && take_one(&self.0.lose_responses) {
            return Err("injected: the transaction was applied but its response was lost".into());
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Throttling {
    inner: SharedHttpConnector,
    faults: Faults,
}

impl HttpConnector for Throttling {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if target(&request) == TRANSACT && take_one(&self.faults.0.throttles) {
            let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"injected throttling"}"#;
            let mut response = HttpResponse::new(
                StatusCode::try_from(400u16).expect("status"),
                SdkBody::from(body),
            );
            response
                .headers_mut()
                .insert("content-type", "application/x-amz-json-1.0");
            return HttpConnectorFuture::ready(Ok(response));
        }
        self.inner.call(request)
    }
}
