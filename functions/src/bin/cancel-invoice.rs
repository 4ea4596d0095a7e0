//! cancel-invoice: API Gateway routes for cancelling a whole invoice (see `http::ROUTES`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    storno_functions::wiring::serve_http(storno_functions::http::Function::CancelInvoice).await
}
