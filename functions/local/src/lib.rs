//! `storno-local`: the whole Storno API on one port, no AWS. dynoxide runs embedded (data in a
//! SQLite file under the working directory), the follow-up queue is the in-process twin drained
//! by the same dispatcher as the Lambda worker, payments and messages go to a recording fake,
//! and the payout schedule and outbox sweeper tick in the background. Requests pass through
//! the same [`Api`] as in the Lambda functions; only the dev-token check is local.

mod background;
mod edge;
mod engine;
mod explorer;
mod front;
pub mod payments;
pub mod seed;
pub mod tokens;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use storno_functions::app::{
    Clock, Dispatcher, Policy, Reconciliation, Recorder, Relay, Runner, Worker,
};
use storno_functions::http::{Api, ApiSettings};
use storno_functions::store::{DynamoQueue, DynamoStore};
use thiserror::Error;
use tokio::sync::oneshot;

pub use background::{Background, FollowUpReport};
pub use edge::EdgeLimits;
pub use front::router;
pub use payments::LocalProvider;
pub use tokens::DevTokens;

/// The follow-up queue: kept in the embedded store itself, so it survives any crash.
pub type LocalQueue = DynamoQueue;
pub type LocalRelay = Relay<DynamoStore, LocalQueue>;
pub type LocalRunner = Runner<LocalRelay, LocalClock>;
pub type LocalApi = Api<LocalRelay, LocalClock, LocalQueue>;
pub type LocalDispatcher = Dispatcher<(
    LocalRelay,
    LocalClock,
    LocalQueue,
    DynamoStore,
    LocalProvider,
    LocalProvider,
)>;

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
    #[error(
        "{0} was written by an earlier Storno (stored records version {1}; this build writes version {2}) and cannot be opened; start with another --data file (or --memory), or move this one away"
    )]
    OldData(String, u32, u32),
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
    /// The outbox sweeper's period: commands whose follow-ups did not reach the queue within
    /// it are handed on again.
    pub sweep_every: Duration,
    /// How long a received follow-up stays invisible to other workers (after a crash, how
    /// long until it is picked up again).
    pub visibility: Duration,
    /// Follow-up workers running at once (each handles batches of up to ten concurrently).
    pub workers: usize,
    /// How often the reconciliation checks that committed follow-ups were carried out, and
    /// how old a command must be before missing follow-ups count as unfinished.
    pub reconcile_every: Duration,
    pub reconcile_after: Duration,
    pub edge: EdgeLimits,
    /// How long credit stays valid, and who invoices partners the commission.
    pub policy: Policy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data: Some(PathBuf::from("storno-local.db")),
            clock_offset: chrono::Duration::zero(),
            seed: true,
            dynamodb_addr: None,
            sweep_every: Duration::from_secs(60),
            visibility: Duration::from_secs(30),
            workers: 4,
            reconcile_every: Duration::from_secs(60),
            reconcile_after: Duration::from_secs(300),
            edge: EdgeLimits::default(),
            policy: Policy::default(),
        }
    }
}

/// Payouts released per run.
const PAYOUT_BATCH: usize = 200;
/// A follow-up received this often without success goes to the dead letters.
const MAX_RECEIVES: u32 = 5;
/// Command records handed on per sweep, and checked per reconciliation.
const SWEEP_LIMIT: usize = 500;

/// The running system (without its HTTP listener).
pub struct Local {
    pub api: LocalApi,
    pub dispatcher: LocalDispatcher,
    pub queue: LocalQueue,
    pub store: DynamoStore,
    /// What was paid, transferred and sent in this process (the local payment provider and
    /// mailer also keep it in the store).
    pub recorder: Recorder,
    pub sweeper: LocalRelay,
    pub tokens: DevTokens,
    pub clock: LocalClock,
    pub config: Config,
    /// The demo was seeded on this start.
    pub seeded: bool,
    last_reconciliation: std::sync::Mutex<Option<Reconciliation>>,
    _engine: oneshot::Sender<()>,
}

impl Local {
    pub async fn start(config: &Config) -> Result<Arc<Local>, LocalError> {
        let (client, stop) = engine::start(config).await?;
        let table_name = "storno";
        let fresh = engine::prepare_table(&client, table_name, config).await?;
        let store = DynamoStore::new(client.clone(), table_name);
        let queue = DynamoQueue::new(store.clone(), "followups", MAX_RECEIVES);
        let clock = LocalClock::shifted(config.clock_offset);
        let runner = Arc::new(
            Runner::new(
                store.clone(),
                Relay::new(store.clone(), queue.clone()),
                clock.clone(),
            )
            .with_policy(config.policy.clone()),
        );
        let seeded = fresh && config.seed;
        if seeded {
            seed::seed(&runner, clock.now())
                .await
                .map_err(|e| LocalError::Seed(e.to_string()))?;
        }
        let recorder = Recorder::default();
        let provider = LocalProvider::new(client, table_name, recorder.clone());
        storno_functions::fonts::register_cjk_font();
        Ok(Arc::new(Local {
            api: Api::new(
                Arc::clone(&runner),
                queue.clone(),
                ApiSettings {
                    payout_batch: PAYOUT_BATCH,
                    renderer: Some(storno_render::render),
                },
            ),
            dispatcher: Dispatcher::new(
                Arc::clone(&runner),
                queue.clone(),
                Worker::new(store.clone(), provider.clone(), provider),
                PAYOUT_BATCH,
            ),
            sweeper: Relay::new(store.clone(), queue.clone()),
            store,
            queue,
            recorder,
            tokens: DevTokens::default(),
            clock,
            config: config.clone(),
            seeded,
            last_reconciliation: std::sync::Mutex::new(None),
            _engine: stop,
        }))
    }
}

/// Serves the API on `address` (loopback) until `shutdown` resolves; requests in flight finish.
pub async fn serve(
    local: Arc<Local>,
    address: SocketAddr,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let limits = local.config.edge;
    edge::serve(listener, router(local), limits, shutdown).await
}
