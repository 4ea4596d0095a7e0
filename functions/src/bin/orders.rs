//! orders: API Gateway routes for order intake, order and document reads, My Sales, issuers, partners and credit reads (see `http::ROUTES`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    storno_functions::wiring::serve_http_rendering(
        storno_functions::http::Function::Orders,
        Some(storno_render::render),
    )
    .await
}
