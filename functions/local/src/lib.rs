//! `storno-local`: the whole Storno API on one port, no AWS. dynoxide runs embedded (data in a
//! SQLite file under the working directory), the follow-up queue is the in-process twin drained
//! by the same dispatcher as the Lambda worker, payments and messages go to a recording fake,
//! and the payout schedule and outbox sweeper tick in the background. Requests pass through
//! the same [`Api`] as in the Lambda functions; only the dev-token check is local.

mod edge;
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

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use serde::Serialize;
use storno_functions::app::{
    Backlog, Clock, Dispatcher, Outbox, Policy, Queue, Reconciliation, Recorder, Relay, Runner,
    Worker,
};
use storno_functions::http::{Api, ApiSettings};
use storno_functions::store::records::RECORD_VERSION;
use storno_functions::store::{DynamoQueue, DynamoStore, table};
use thiserror::Error;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

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

/// Connections to the embedded DynamoDB kept open while idle.
const EMBEDDED_IDLE_CONNECTIONS: usize = 16;
/// Payouts released per run.
const PAYOUT_BATCH: usize = 200;
/// A follow-up received this often without success goes to the dead letters.
const MAX_RECEIVES: u32 = 5;
/// Command records handed on per sweep, and checked per reconciliation.
const SWEEP_LIMIT: usize = 500;

/// Where the follow-ups stand: what waits in the queue, what never reached it, what the last
/// reconciliation found.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpReport {
    pub queue: Backlog,
    /// Command records whose follow-ups are not in the queue yet (the sweeper's work).
    pub not_handed_on: usize,
    /// The queue is drained: nothing waits, nothing is being worked on, nothing is left to
    /// hand on. Says nothing about follow-ups lost before they reached the queue: see
    /// `missing` and `all_done`.
    pub settled: bool,
    /// Commands whose follow-ups the last reconciliation found not done (0 before the first).
    pub missing: usize,
    /// Settled, and the last reconciliation found nothing missing.
    pub all_done: bool,
    pub last_reconciliation: Option<Reconciliation>,
}

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

/// The background tasks (workers, schedules); [`Background::stop`] ends them.
pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Asks every task to stop after its current step and waits for them (at most `patience`).
    pub async fn stop(self, patience: Duration) {
        let _ = self.stop.send(true);
        let all = futures_join(self.tasks);
        if tokio::time::timeout(patience, all).await.is_err() {
            tracing::warn!("background tasks still busy after {patience:?}; stopping anyway");
        }
    }
}

async fn futures_join(tasks: Vec<JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}

/// Sleeps `period` unless told to stop; `false` once stopping.
async fn pause(stop: &mut watch::Receiver<bool>, period: Duration) -> bool {
    if *stop.borrow() {
        return false;
    }
    tokio::select! {
        _ = tokio::time::sleep(period) => !*stop.borrow(),
        _ = stop.changed() => false,
    }
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
        // Both ends of every pooled connection are this process's file descriptors: few are
        // kept idle, and not for long, so they stay free for clients.
        let http = aws_smithy_http_client::Builder::new()
            .pool_max_idle_per_host(EMBEDDED_IDLE_CONNECTIONS)
            .pool_idle_timeout(Duration::from_secs(5))
            .build_http();
        let client = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .http_client(http)
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
        let data_name = config
            .data
            .as_ref()
            .map_or("the data".to_owned(), |p| p.display().to_string());
        if fresh {
            table::create_table(&client, table_name)
                .await
                .map_err(|e| LocalError::Table(e.to_string()))?;
            mark_records_version(&client, table_name).await?;
        } else {
            let version = records_version(&client, table_name).await?;
            if version != RECORD_VERSION {
                return Err(LocalError::OldData(data_name, version, RECORD_VERSION));
            }
        }
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

    /// Receives one batch and hands it to the dispatcher (what the follow-up Lambda does with
    /// SQS); returns how many deliveries were received and how many succeeded.
    pub async fn work_once(&self) -> (usize, usize) {
        let batch = match self.queue.receive(10, self.config.visibility).await {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(%error, "receiving follow-ups failed");
                return (0, 0);
            }
        };
        if batch.is_empty() {
            return (0, 0);
        }
        let outcome = self.dispatcher.handle_batch(&batch).await;
        let mut failed = outcome.retry;
        if !outcome.dead.is_empty()
            && let Err(error) = self.queue.bury(&outcome.dead).await
        {
            // Not moved: delivered again, and dead-lettered after its receives run out.
            tracing::warn!(%error, "follow-ups not moved to the dead letters");
            failed.extend(outcome.dead.into_iter().map(|d| d.handle));
        }
        let done: Vec<String> = batch
            .iter()
            .map(|d| d.handle.clone())
            .filter(|h| !failed.contains(h))
            .collect();
        if let Err(error) = self.queue.delete(&done).await {
            // Not deleted: they come back after the visibility timeout, and are recognised.
            tracing::warn!(%error, "handled follow-ups not deleted");
        }
        (batch.len(), done.len())
    }

    /// Hands every visible follow-up to the dispatcher, `workers` batches at a time, until none
    /// is visible (failed ones come back after the visibility timeout); returns how many
    /// deliveries were handled successfully.
    pub async fn drain(&self) -> usize {
        let mut handled = 0;
        loop {
            let rounds = futures::future::join_all(
                (0..self.config.workers.max(1)).map(|_| self.work_once()),
            )
            .await;
            let received: usize = rounds.iter().map(|(r, _)| r).sum();
            handled += rounds.iter().map(|(_, d)| d).sum::<usize>();
            if received == 0 {
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
        match self.api.runner().expire_credit(PAYOUT_BATCH).await {
            Ok(run) if !run.expired.is_empty() => {
                tracing::info!(expired = run.expired.len(), "credit expired")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "credit expiry failed"),
        }
    }

    /// One reconciliation now: commands older than the configured age whose follow-ups are
    /// not all done are logged and kept for the report.
    pub async fn reconcile(&self, resend: bool) -> Option<Reconciliation> {
        let result = self
            .sweeper
            .reconcile(
                &self.store,
                self.clock.now(),
                self.config.reconcile_after,
                SWEEP_LIMIT,
                resend,
            )
            .await;
        match result {
            Ok(report) => {
                if !report.is_clean() {
                    tracing::warn!(
                        unfinished = report.unfinished.len(),
                        "reconciliation: follow-ups of committed commands not carried out"
                    );
                }
                *self.last_reconciliation.lock().expect("report lock") = Some(report.clone());
                Some(report)
            }
            Err(error) => {
                tracing::warn!(%error, "reconciliation failed");
                None
            }
        }
    }

    /// Where the follow-ups stand now.
    pub async fn followup_report(&self) -> Result<FollowUpReport, String> {
        // The queue stamps its messages with the real time; command records carry the
        // (possibly shifted) clock of the commands.
        let queue = self
            .queue
            .backlog(chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        let far = self.clock.now() + chrono::Duration::days(3650);
        let not_handed_on = self
            .store
            .pending(far, SWEEP_LIMIT)
            .await
            .map_err(|e| e.to_string())?
            .len();
        let last_reconciliation = self
            .last_reconciliation
            .lock()
            .expect("report lock")
            .clone();
        let missing = last_reconciliation
            .as_ref()
            .map_or(0, |report| report.unfinished.len());
        let settled = queue.is_idle() && not_handed_on == 0;
        Ok(FollowUpReport {
            settled,
            missing,
            all_done: settled && missing == 0,
            queue,
            not_handed_on,
            last_reconciliation,
        })
    }

    /// Runs the workers, the payout schedule, the outbox sweeper and the reconciliation in the
    /// background until [`Background::stop`].
    pub fn spawn_background(self: &Arc<Self>, payout_every: Duration) -> Background {
        let (stop, stopping) = watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..self.config.workers.max(1) {
            let local = Arc::clone(self);
            let mut stopping = stopping.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    if *stopping.borrow() {
                        return;
                    }
                    let (received, _) = local.work_once().await;
                    if received == 0 {
                        // Idle: wake on a send in this process, or poll for messages whose
                        // visibility ran out.
                        tokio::select! {
                            _ = local.queue.sent() => {}
                            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                            _ = stopping.changed() => return,
                        }
                    }
                }
            }));
        }
        let local = Arc::clone(self);
        let mut stopping_payouts = stopping.clone();
        tasks.push(tokio::spawn(async move {
            while pause(&mut stopping_payouts, payout_every).await {
                local.payout_tick().await;
            }
        }));
        let local = Arc::clone(self);
        let mut stopping_sweeps = stopping.clone();
        tasks.push(tokio::spawn(async move {
            let period = local.config.sweep_every;
            while pause(&mut stopping_sweeps, period).await {
                // The clock commands stamp their records with (shifted or not).
                let now = local.clock.now();
                match local.sweeper.sweep(now, period, SWEEP_LIMIT).await {
                    Ok(0) => {}
                    Ok(handed_on) => tracing::info!(handed_on, "outbox swept"),
                    Err(error) => tracing::warn!(%error, "outbox sweep failed"),
                }
            }
        }));
        let local = Arc::clone(self);
        let mut stopping_checks = stopping.clone();
        tasks.push(tokio::spawn(async move {
            let period = local.config.reconcile_every;
            while pause(&mut stopping_checks, period).await {
                local.reconcile(false).await;
                if let Ok(report) = local.followup_report().await
                    && !report.all_done
                {
                    tracing::info!(
                        waiting = report.queue.waiting,
                        in_flight = report.queue.in_flight,
                        dead = report.queue.dead,
                        oldest_wait_s = report.queue.oldest_wait.map(|d| d.as_secs()),
                        not_handed_on = report.not_handed_on,
                        missing = report.missing,
                        "follow-up backlog"
                    );
                }
            }
        }));
        Background { stop, tasks }
    }
}

/// The item that names the version of the records a data file holds.
const META_PK: &str = "META#STORNO";

async fn mark_records_version(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<(), LocalError> {
    use aws_sdk_dynamodb::types::AttributeValue;
    client
        .put_item()
        .table_name(table)
        .item("pk", AttributeValue::S(META_PK.into()))
        .item("sk", AttributeValue::S("META".into()))
        .item("records", AttributeValue::N(RECORD_VERSION.to_string()))
        .send()
        .await
        .map_err(|e| LocalError::Table(e.to_string()))?;
    Ok(())
}

/// The records version of an existing data file; 1 for files from before the marker.
async fn records_version(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<u32, LocalError> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let item = client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(META_PK.into()))
        .key("sk", AttributeValue::S("META".into()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| LocalError::Table(e.to_string()))?
        .item;
    Ok(match item.as_ref().and_then(|i| i.get("records")) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(1),
        _ => 1,
    })
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
