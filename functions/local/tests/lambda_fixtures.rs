//! The API Gateway (HTTP API v2) event fixtures in `tests/events/http/` — the ones
//! `cargo lambda invoke --data-file` sends — cover every route, and each, sent to its Lambda
//! function's routes in file order on the demo data, is served (not a missing route, not
//! unauthenticated, never 5xx).

use std::collections::BTreeSet;
use std::sync::Arc;

use storno_functions::http::ROUTES;
use storno_local::{Config, Local};

fn fixtures() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/events/http");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                text,
            )
        })
        .collect()
}

#[test]
fn there_is_a_fixture_for_every_route_and_a_route_for_every_fixture() {
    let keys: BTreeSet<String> = fixtures()
        .iter()
        .map(|(_, text)| {
            let event: serde_json::Value = serde_json::from_str(text).unwrap();
            event["routeKey"].as_str().unwrap().to_owned()
        })
        .collect();
    let routes: BTreeSet<String> = ROUTES.iter().map(|r| r.key()).collect();
    assert_eq!(keys, routes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_is_served_by_its_function_on_the_demo_data() {
    let local: Arc<Local> = Local::start(&Config {
        data: None,
        ..Config::default()
    })
    .await
    .unwrap();
    for (name, text) in fixtures() {
        let event: serde_json::Value = serde_json::from_str(&text).unwrap();
        let key = event["routeKey"].as_str().unwrap();
        let spec = ROUTES.iter().find(|r| r.key() == key).unwrap();
        let request = lambda_http::request::from_str(&text).unwrap();
        let response = local.api.handle_for(spec.function, request).await;
        let status = response.status().as_u16();
        let body = match response.body() {
            lambda_http::Body::Text(text) => text.clone(),
            _ => String::new(),
        };
        assert!(
            status < 500 && status != 401 && !body.contains("no_such_route"),
            "{name} → {} answered {status} {body}",
            spec.function.name()
        );
        assert!(
            (200..300).contains(&status),
            "{name}: the demo data makes every fixture succeed, got {status} {body}"
        );
        local.drain().await;
    }
}
