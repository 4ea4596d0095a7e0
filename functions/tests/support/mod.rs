//! Test support: a DynamoDB endpoint (dynoxide in-process on 127.0.0.1, or the one in
//! `STORNO_TEST_DYNAMODB_ENDPOINT`), a fresh table per test, SDK clients with static test
//! credentials (never a network credential lookup), request counting and fault injection.
#![allow(dead_code)]

pub mod faults;
pub mod fixtures;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use storno_functions::app::{FixedClock, RecordingPublisher, Runner};
use storno_functions::store::{DynamoStore, table};
use tokio::sync::oneshot;

pub use faults::Faults;

/// A running DynamoDB endpoint; dynoxide stops when this is dropped.
pub struct Engine {
    pub endpoint: String,
    _stop: Option<oneshot::Sender<()>>,
}

impl Engine {
    /// dynoxide on an ephemeral 127.0.0.1 port inside the current runtime, unless
    /// `STORNO_TEST_DYNAMODB_ENDPOINT` names another DynamoDB.
    pub async fn start() -> Engine {
        if let Ok(endpoint) = std::env::var("STORNO_TEST_DYNAMODB_ENDPOINT") {
            return Engine {
                endpoint,
                _stop: None,
            };
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let db = dynoxide::Database::memory().expect("dynoxide in memory");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(dynoxide::server::serve_with_shutdown(
            listener,
            db,
            async move {
                let _ = stopped.await;
            },
        ));
        Engine {
            endpoint: format!("http://127.0.0.1:{port}"),
            _stop: Some(stop),
        }
    }

    /// A client with static test credentials and a fast retry policy.
    pub fn client(&self, faults: Option<&Faults>) -> Client {
        let mut config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-central-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "storno-test"))
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(4)
                    .with_initial_backoff(Duration::from_millis(5)),
            );
        if let Some(faults) = faults {
            config = config
                .interceptor(faults.clone())
                .http_client(faults.http_client());
        }
        Client::from_conf(config.build())
    }

    /// A fresh table with Storno's definition.
    pub async fn table(&self, client: &Client) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "storno-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        table::create_table(client, &name)
            .await
            .expect("create the test table");
        name
    }
}

/// Everything a use-case test needs, on a fresh table.
pub struct Harness {
    pub engine: Engine,
    pub faults: Faults,
    pub store: DynamoStore,
    pub clock: FixedClock,
    pub publisher: RecordingPublisher,
    pub runner: Runner<RecordingPublisher, FixedClock>,
}

impl Harness {
    pub async fn new() -> Harness {
        let engine = Engine::start().await;
        let faults = Faults::default();
        let client = engine.client(Some(&faults));
        let table = engine.table(&client).await;
        let store = DynamoStore::new(client, table);
        let clock = FixedClock::at(fixtures::at(2025, 2, 1));
        let publisher = RecordingPublisher::default();
        let runner = Runner::new(store.clone(), publisher.clone(), clock.clone());
        for issuer in fixtures::ISSUERS {
            store
                .put_issuer(&fixtures::issuer(issuer))
                .await
                .expect("register the fixture issuers");
        }
        for partner in fixtures::PARTNERS {
            store
                .put_partner(&fixtures::billed_partner(partner))
                .await
                .expect("register the fixture partners");
        }
        faults.log().clear();
        Harness {
            engine,
            faults,
            store,
            clock,
            publisher,
            runner,
        }
    }

    /// The order as stored now (a consistent read).
    pub async fn stored(&self, order: &str) -> storno_core::Order {
        let id = storno_core::OrderId::parse(order).expect("order id");
        self.store
            .load_order(&id, true)
            .await
            .expect("read the order")
            .expect("the order exists")
            .order
    }

    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use storno_functions::app::Clock;
        self.clock.now()
    }

    /// Another runner on the same table (another Lambda instance: its own caches).
    pub fn another_runner(&self) -> Runner<RecordingPublisher, FixedClock> {
        Runner::new(
            self.store.clone(),
            self.publisher.clone(),
            self.clock.clone(),
        )
    }
}

#[allow(unused)]
fn assert_intercept<T: Intercept>() {}
