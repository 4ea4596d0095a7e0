//! outbox-sweeper (EventBridge schedule): sends follow-ups of command records that were not
//! acknowledged within one period (a crash between commit and send), each claimed first.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};
use storno_functions::wiring::Services;

/// Records handed on per run at most; the next run continues.
const LIMIT: usize = 500;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let services = &Services::from_env().await?;
    let sweeper = &services.sweeper();
    lambda_runtime::run(service_fn(
        async |_: LambdaEvent<Value>| -> Result<Value, Error> {
            let now = chrono::Utc::now();
            let handed_on = sweeper
                .sweep(now, services.settings.sweep_period, LIMIT)
                .await?;
            tracing::info!(handed_on, "outbox swept");
            Ok(json!({ "handed_on": handed_on }))
        },
    ))
    .await
}
