//! The cold-start baseline: a `lambda_runtime` function that does nothing, built with the same
//! profile as the Storno functions (see `cold_start`).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(async |event: LambdaEvent<Value>| {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
