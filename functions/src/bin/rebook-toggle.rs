//! rebook-toggle: API Gateway routes for the rebook flag, rebooking requests and official rebookings, alternative dates, partner cancellations (see `http::ROUTES`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    storno_functions::wiring::serve_http(storno_functions::http::Function::RebookToggle).await
}
