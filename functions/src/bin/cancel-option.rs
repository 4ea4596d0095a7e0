//! cancel-option: API Gateway routes for cancelling one booking option (see `http::ROUTES`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    storno_functions::wiring::serve_http(storno_functions::http::Function::CancelOption).await
}
