//! outbox-sweeper (EventBridge schedule): sends follow-ups of command records that were not
//! acknowledged within one period (a crash between commit and send), each claimed first; then
//! reconciles: commands older than `RECONCILE_AFTER_SECONDS` whose follow-ups are not all in
//! the effect log are logged as errors (an operator decides; `POST /reconciliations` with
//! `resend` sends them again).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};
use storno_functions::wiring::Services;

/// Records handed on per run at most; the next run continues.
const LIMIT: usize = 500;

#[tokio::main]
async fn main() -> Result<(), Error> {
    storno_functions::logging::init();
    let services = &Services::from_env().await?;
    let sweeper = &services.sweeper();
    lambda_runtime::run(service_fn(
        async |_: LambdaEvent<Value>| -> Result<Value, Error> {
            let now = chrono::Utc::now();
            let handed_on = sweeper
                .sweep(now, services.settings.sweep_period, LIMIT)
                .await?;
            tracing::info!(handed_on, "outbox swept");
            let report = sweeper
                .reconcile(
                    &services.store,
                    now,
                    services.settings.reconcile_after,
                    LIMIT,
                    false,
                )
                .await?;
            for unfinished in &report.unfinished {
                tracing::error!(
                    order = %unfinished.order,
                    revision = unfinished.revision,
                    missing = ?unfinished.missing,
                    "follow-ups of a committed command not carried out"
                );
            }
            Ok(json!({
                "handed_on": handed_on,
                "verified": report.verified,
                "unfinished": report.unfinished.len(),
            }))
        },
    ))
    .await
}
