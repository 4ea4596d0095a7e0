//! followup-worker: SQS batches of follow-ups → effects, whole-date job items, payout-run
//! continuations; answers with exactly the failed message ids.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use storno_functions::events::handle_sqs_event;
use storno_functions::wiring::Services;

#[tokio::main]
async fn main() -> Result<(), Error> {
    storno_functions::logging::init();
    let services = Services::from_env().await?;
    let dispatcher = &services.dispatcher()?;
    let dead_letters = &services.queue;
    lambda_runtime::run(service_fn(
        async |event: LambdaEvent<SqsEvent>| -> Result<SqsBatchResponse, Error> {
            Ok(handle_sqs_event(dispatcher, dead_letters, event.payload).await)
        },
    ))
    .await
}
