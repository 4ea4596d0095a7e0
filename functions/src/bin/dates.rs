//! dates: API Gateway routes for dates, their activation, attendee lists and whole-date jobs (see `http::ROUTES`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    storno_functions::wiring::serve_http(storno_functions::http::Function::Dates).await
}
