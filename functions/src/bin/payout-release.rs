//! payout-release (EventBridge schedule): releases due payouts, a bounded number per run, and
//! chains the rest through the follow-up queue; then expires what is left of old credit grants.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};
use storno_functions::wiring::Services;

#[tokio::main]
async fn main() -> Result<(), Error> {
    storno_functions::logging::init();
    let services = &Services::from_env().await?;
    lambda_runtime::run(service_fn(
        async |_: LambdaEvent<Value>| -> Result<Value, Error> {
            let run = services
                .runner
                .release_and_chain(services.settings.payout_batch, &services.queue)
                .await?;
            tracing::info!(
                released = run.released.len(),
                refused = run.refused.len(),
                more = run.more,
                "payout run"
            );
            // Credit left of grants past the limitation period expires on the same schedule.
            let expiry = services
                .runner
                .expire_credit(services.settings.payout_batch)
                .await?;
            tracing::info!(
                expired = expiry.expired.len(),
                used_up = expiry.used_up,
                failed = expiry.failed,
                "credit expiry"
            );
            Ok(json!({
                "released": run.released.len(),
                "refused": run.refused.len(),
                "more": run.more,
                "credit_expired": expiry.expired.len(),
            }))
        },
    ))
    .await
}
