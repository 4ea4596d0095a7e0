//! What a Lambda binary wires once per cold start: settings from the environment, one SDK
//! configuration, the clients, and the use cases over them. `main` stays a few lines.

use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use crate::app::{Dispatcher, Policy, Relay, Runner, SystemClock, Worker};
use crate::http::{Api, ApiSettings, Function};
use crate::queue::{SqsInstructions, SqsQueue};
use crate::store::DynamoStore;

mod trust_roots;
pub use trust_roots::{TRUST_ROOTS_VARIABLE, TrustRoots, UnknownTrustRoots, https_client_trusting};

#[derive(Debug, Error)]
pub enum WiringError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is not a valid number: {value:?}")]
    NotANumber { name: &'static str, value: String },
    #[error("environment variable {name} is invalid: {value:?} ({why})")]
    Invalid {
        name: &'static str,
        value: String,
        why: &'static str,
    },
    #[error(transparent)]
    TrustRoots(#[from] UnknownTrustRoots),
}

/// The functions' settings (the SAM template sets them from `!Ref`s).
#[derive(Debug, Clone)]
pub struct Settings {
    pub table: String,
    pub followup_queue_url: String,
    pub followup_dlq_url: String,
    /// Where payment and message instructions go (followup-worker only).
    pub instructions_queue_url: Option<String>,
    /// Payouts released per run before the rest is chained through the queue.
    pub payout_batch: usize,
    /// The outbox sweeper's period: records older than this are sent again.
    pub sweep_period: Duration,
    /// Commands older than this whose follow-ups are not all carried out are reported.
    pub reconcile_after: Duration,
    /// How long credit stays valid, and who invoices partners the commission.
    pub policy: Policy,
}

fn required(name: &'static str) -> Result<String, WiringError> {
    std::env::var(name).map_err(|_| WiringError::Missing(name))
}

fn number(name: &'static str, default: u64) -> Result<u64, WiringError> {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .map_err(|_| WiringError::NotANumber { name, value }),
        Err(_) => Ok(default),
    }
}

/// The platform's policy: `CREDIT_VALID_YEARS` (default 3), `PLATFORM_ISSUER` (default
/// `platform`).
fn policy() -> Result<Policy, WiringError> {
    let mut policy = Policy::default();
    let years = number("CREDIT_VALID_YEARS", u64::from(policy.credit_valid_years))?;
    policy.credit_valid_years = u32::try_from(years)
        .ok()
        .filter(|y| (1..=storno_core::credit::MAX_VALID_YEARS).contains(y))
        .ok_or(WiringError::Invalid {
            name: "CREDIT_VALID_YEARS",
            value: years.to_string(),
            why: "1 to 30 years",
        })?;
    if let Ok(issuer) = std::env::var("PLATFORM_ISSUER") {
        policy.platform_issuer =
            storno_core::IssuerId::parse(&issuer).map_err(|_| WiringError::Invalid {
                name: "PLATFORM_ISSUER",
                value: issuer,
                why: "an issuer id",
            })?;
    }
    Ok(policy)
}

impl Settings {
    pub fn from_env() -> Result<Self, WiringError> {
        Ok(Settings {
            table: required("TABLE_NAME")?,
            followup_queue_url: required("FOLLOWUP_QUEUE_URL")?,
            followup_dlq_url: std::env::var("FOLLOWUP_DLQ_URL").unwrap_or_default(),
            instructions_queue_url: std::env::var("INSTRUCTIONS_QUEUE_URL").ok(),
            payout_batch: number("PAYOUT_BATCH", 200)? as usize,
            sweep_period: Duration::from_secs(number("SWEEP_PERIOD_SECONDS", 60)?),
            reconcile_after: Duration::from_secs(number("RECONCILE_AFTER_SECONDS", 900)?),
            policy: policy()?,
        })
    }
}

pub type LambdaRelay = Relay<DynamoStore, SqsQueue>;
pub type LambdaRunner = Runner<LambdaRelay, SystemClock>;
pub type LambdaDispatcher = Dispatcher<(
    LambdaRelay,
    SystemClock,
    SqsQueue,
    DynamoStore,
    SqsInstructions,
    SqsInstructions,
)>;

pub type LambdaApi = Api<LambdaRelay, SystemClock, SqsQueue>;

/// The whole `main` of an HTTP Lambda function: wire once, then serve `function`'s routes.
pub async fn serve_http(function: Function) -> Result<(), lambda_http::Error> {
    serve_http_rendering(function, None).await
}

/// [`serve_http`] for the function that serves documents: with the renderer of their XML and
/// PDF forms (only its binary links it).
pub async fn serve_http_rendering(
    function: Function,
    renderer: Option<crate::http::Renderer>,
) -> Result<(), lambda_http::Error> {
    crate::logging::init();
    if renderer.is_some() {
        crate::fonts::register_cjk_font();
    }
    let mut api = Services::from_env().await?.api();
    api.set_renderer(renderer);
    let api = &api;
    lambda_http::run(lambda_http::service_fn(
        async |request: lambda_http::Request| {
            Ok::<_, std::convert::Infallible>(api.handle_for(function, request).await)
        },
    ))
    .await
}

/// The one SDK configuration of a cold start.
///
/// In Lambda the region and the execution role's credentials are environment variables; when
/// they are set they are read directly instead of building the whole provider chains (profile
/// files, web identity, ECS, IMDS), whose first link reads the same variables anyway.
pub async fn sdk_config(roots: TrustRoots) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(client) = roots.http_client() {
        loader = loader.http_client(client);
    }
    if let Some(region) = std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()) {
        loader = loader.region(aws_config::Region::new(region));
    }
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        );
    }
    loader.load().await
}

/// The clients and use cases of one Lambda instance.
pub struct Services {
    pub settings: Settings,
    pub store: DynamoStore,
    pub queue: SqsQueue,
    pub sqs: aws_sdk_sqs::Client,
    pub runner: Arc<LambdaRunner>,
}

impl Services {
    /// Loads the SDK configuration once (region and credentials from the Lambda environment;
    /// `AWS_ENDPOINT_URL` points it at dynoxide or moto locally).
    pub async fn from_env() -> Result<Self, WiringError> {
        let settings = Settings::from_env()?;
        let config = sdk_config(TrustRoots::from_env()?).await;
        let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), &settings.table);
        let sqs = aws_sdk_sqs::Client::new(&config);
        let queue = SqsQueue::new(
            sqs.clone(),
            &settings.followup_queue_url,
            &settings.followup_dlq_url,
        );
        let runner = Arc::new(
            Runner::new(
                store.clone(),
                Relay::new(store.clone(), queue.clone()),
                SystemClock,
            )
            .with_policy(settings.policy.clone()),
        );
        Ok(Services {
            settings,
            store,
            queue,
            sqs,
            runner,
        })
    }

    /// The follow-up worker's dispatch, with payments and messages sent as instructions.
    pub fn dispatcher(&self) -> Result<LambdaDispatcher, WiringError> {
        let url = self
            .settings
            .instructions_queue_url
            .clone()
            .ok_or(WiringError::Missing("INSTRUCTIONS_QUEUE_URL"))?;
        let instructions = SqsInstructions::new(self.sqs.clone(), url);
        Ok(Dispatcher::new(
            Arc::clone(&self.runner),
            self.queue.clone(),
            Worker::new(self.store.clone(), instructions.clone(), instructions),
            self.settings.payout_batch,
        ))
    }

    /// The HTTP API over this instance's clients.
    pub fn api(&self) -> LambdaApi {
        Api::new(
            Arc::clone(&self.runner),
            self.queue.clone(),
            ApiSettings {
                payout_batch: self.settings.payout_batch,
                renderer: None,
            },
        )
    }

    /// The outbox sweeper.
    pub fn sweeper(&self) -> LambdaRelay {
        Relay::new(self.store.clone(), self.queue.clone())
    }
}
