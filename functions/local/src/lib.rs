//! `storno-local`: the whole Storno API on one port, no AWS. dynoxide runs embedded (data in a
//! SQLite file under the working directory), the follow-up queue is the in-process twin drained
//! by the same dispatcher as the Lambda worker, payments and messages go to a recording fake,
//! and the payout schedule and outbox sweeper tick in the background. Requests pass through
//! the same [`Api`] as in the Lambda functions; only the dev-token check is local.

mod front;
pub mod seed;
pub mod tokens;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use storno_functions::app::{Clock, Dispatcher, Queue, Recorder, Relay, Runner, Worker};
use storno_functions::http::{Api, ApiSettings};
use storno_functions::queue::MemoryQueue;
use storno_functions::store::{DynamoStore, table};
use thiserror::Error;
use tokio::sync::oneshot;

pub use front::router;
pub use tokens::DevTokens;

pub type LocalQueue = Arc<MemoryQueue>;
pub type LocalRelay = Relay<DynamoStore, LocalQueue>;
pub type LocalRunner = Runner<DynamoStore, LocalRelay, LocalClock>;
pub type LocalApi = Api<DynamoStore, LocalRelay, LocalClock, LocalQueue>;
pub type LocalDispatcher =
    Dispatcher<DynamoStore, LocalRelay, LocalClock, LocalQueue, DynamoStore, Recorder, Recorder>;

/// The system clock shifted by an offset that can move forward while running (a demo, or a
/// test, of the payout schedule "as of" a later day). Only the local server has it.
#[derive(Debug, Clone, Default)]
pub struct LocalClock(Arc<AtomicI64>);

impl LocalClock {
    pub fn shifted(offset: chrono::Duration) -> Self {
        LocalClock(Arc::new(AtomicI64::new(offset.num_seconds())))
    }

    /// Moves the clock forward (never back: documents and payouts are stamped with it).
    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_seconds().max(0), Ordering::SeqCst);
    }
}

impl Clock for LocalClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::seconds(self.0.load(Ordering::SeqCst))
    }
}

#[derive(Debug, Error)]
pub enum LocalError {
    #[error("the embedded DynamoDB (dynoxide) did not start: {0}")]
    Engine(String),
    #[error("the table could not be prepared: {0}")]
    Table(String),
    #[error("the demo data could not be seeded: {0}")]
    Seed(String),
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file dynoxide keeps its data in; `None` keeps it in memory (tests).
    pub data: Option<PathBuf>,
    /// Shifts the clock (a demo of the payout schedule "as of" a later day).
    pub clock_offset: chrono::Duration,
    /// Seed the demo when the table is new.
    pub seed: bool,
    /// Where the embedded dynoxide also answers DynamoDB requests (for `cargo lambda watch`
    /// against the same data); an ephemeral loopback port when `None`.
    pub dynamodb_addr: Option<SocketAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data: Some(PathBuf::from("storno-local.db")),
            clock_offset: chrono::Duration::zero(),
            seed: true,
            dynamodb_addr: None,
        }
    }
}

/// Payouts released per run.
const PAYOUT_BATCH: usize = 200;
/// The outbox sweeper's period.
pub const SWEEP_PERIOD: Duration = Duration::from_secs(60);

/// The running system (without its HTTP listener).
pub struct Local {
    pub api: LocalApi,
    pub dispatcher: LocalDispatcher,
    pub queue: LocalQueue,
    /// What was paid, transferred and sent (the local payment provider and mailer).
    pub recorder: Recorder,
    pub sweeper: LocalRelay,
    pub tokens: DevTokens,
    pub clock: LocalClock,
    /// The demo was seeded on this start.
    pub seeded: bool,
    _engine: oneshot::Sender<()>,
}

impl Local {
    pub async fn start(config: &Config) -> Result<Arc<Local>, LocalError> {
        let db = match &config.data {
            Some(path) => dynoxide::Database::new(&path.to_string_lossy()),
            None => dynoxide::Database::memory(),
        }
        .map_err(|e| LocalError::Engine(e.to_string()))?;
        let dynamodb_addr = config
            .dynamodb_addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = tokio::net::TcpListener::bind(dynamodb_addr)
            .await
            .map_err(|e| LocalError::Engine(e.to_string()))?;
        let endpoint = format!(
            "http://{}",
            listener
                .local_addr()
                .map_err(|e| LocalError::Engine(e.to_string()))?
        );
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(dynoxide::server::serve_with_shutdown(listener, db, async {
            let _ = stopped.await;
        }));
        // Static credentials and an explicit endpoint: the SDK never looks for credentials.
        let client = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("eu-central-1"))
                .endpoint_url(endpoint)
                .credentials_provider(Credentials::new(
                    "local",
                    "local",
                    None,
                    None,
                    "storno-local",
                ))
                .build(),
        );
        let table_name = "storno";
        let fresh = !client
            .list_tables()
            .send()
            .await
            .map_err(|e| LocalError::Table(e.to_string()))?
            .table_names()
            .iter()
            .any(|name| name == table_name);
        if fresh {
            table::create_table(&client, table_name)
                .await
                .map_err(|e| LocalError::Table(e.to_string()))?;
        }
        let store = DynamoStore::new(client, table_name);
        let queue: LocalQueue = Arc::new(MemoryQueue::new(5));
        let clock = LocalClock::shifted(config.clock_offset);
        let runner = Arc::new(Runner::new(
            store.clone(),
            Relay::new(store.clone(), Arc::clone(&queue)),
            clock.clone(),
        ));
        let seeded = fresh && config.seed;
        if seeded {
            seed::seed(&runner, clock.now())
                .await
                .map_err(|e| LocalError::Seed(e.to_string()))?;
        }
        let recorder = Recorder::default();
        Ok(Arc::new(Local {
            api: Api::new(
                Arc::clone(&runner),
                Arc::clone(&queue),
                ApiSettings {
                    payout_batch: PAYOUT_BATCH,
                },
            ),
            dispatcher: Dispatcher::new(
                Arc::clone(&runner),
                Arc::clone(&queue),
                Worker::new(store.clone(), recorder.clone(), recorder.clone()),
                PAYOUT_BATCH,
            ),
            sweeper: Relay::new(store, Arc::clone(&queue)),
            queue,
            recorder,
            tokens: DevTokens::default(),
            clock,
            seeded,
            _engine: stop,
        }))
    }

    /// Hands every queued follow-up to the dispatcher until the queue is empty (what the
    /// follow-up Lambda does with SQS); returns how many deliveries were handled.
    pub async fn drain(&self) -> usize {
        let mut handled = 0;
        loop {
            let batch = match self.queue.receive(10, Duration::from_secs(30)).await {
                Ok(batch) if !batch.is_empty() => batch,
                _ => return handled,
            };
            let failed = self.dispatcher.handle_batch(&batch).await;
            let done: Vec<String> = batch
                .iter()
                .map(|d| d.handle.clone())
                .filter(|h| !failed.contains(h))
                .collect();
            handled += done.len();
            let _ = self.queue.delete(&done).await;
            if !failed.is_empty() {
                // Failed deliveries come back after their visibility timeout.
                return handled;
            }
        }
    }

    /// One payout run now (the schedule's tick).
    pub async fn payout_tick(&self) {
        match self
            .api
            .runner()
            .release_and_chain(PAYOUT_BATCH, &self.queue)
            .await
        {
            Ok(run) if !run.released.is_empty() => {
                tracing::info!(released = run.released.len(), "payout run")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "payout run failed"),
        }
    }

    /// Runs the worker, the payout schedule and the outbox sweeper in the background.
    pub fn spawn_background(self: &Arc<Self>, payout_every: Duration) {
        let local = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                local.drain().await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        let local = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(payout_every);
            loop {
                tick.tick().await;
                local.payout_tick().await;
            }
        });
        let local = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_PERIOD);
            loop {
                tick.tick().await;
                let now = local.api.runner().clock().now();
                if let Err(error) = local.sweeper.sweep(now, SWEEP_PERIOD, 500).await {
                    tracing::warn!(%error, "outbox sweep failed");
                }
            }
        });
    }
}

/// Serves the API on `address` (loopback) until the process ends.
pub async fn serve(local: Arc<Local>, address: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    axum::serve(listener, router(local)).await
}
