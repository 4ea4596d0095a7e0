//! update-invoice: API Gateway routes for issuing the next invoice version (see `http::ROUTES`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    storno_functions::wiring::serve_http(storno_functions::http::Function::UpdateInvoice).await
}
