//! operations: API Gateway routes that move money or repair follow-ups, apart from the
//! catch-all: the system's payout run, staff's credit payouts, the reconciliation (see
//! `http::ROUTES`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    storno_functions::wiring::serve_http(storno_functions::http::Function::Operations).await
}
