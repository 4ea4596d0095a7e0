//! The OpenAPI 3.1 document (`docs/openapi.json`) and the router describe the same API: a
//! route missing from either side fails.

use std::collections::BTreeSet;

use storno_functions::http::ROUTES;

#[test]
fn the_openapi_document_lists_exactly_the_routes_of_the_router() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["operationId"].is_string() && operation["responses"].is_object(),
                "{method} {path}"
            );
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let routed: BTreeSet<String> = ROUTES.iter().map(|r| r.key()).collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routes without documentation: {undocumented:?}; documented but not routed: {unrouted:?}"
    );
}

/// The `cargo lambda watch` router in the workspace manifest sends every route to the function
/// that serves it in AWS.
#[test]
fn the_cargo_lambda_router_matches_the_route_table() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml")).unwrap();
    let section = manifest
        .split("[workspace.metadata.lambda.watch.router]")
        .nth(1)
        .expect("the watch router section");
    let mut routed = BTreeSet::new();
    for line in section.lines().take_while(|l| !l.starts_with('[')) {
        let Some((path, entries)) = line.split_once(" = ") else {
            continue;
        };
        let path = path.trim_matches('"');
        for entry in entries.split("{ method = \"").skip(1) {
            let method = entry.split('"').next().unwrap();
            let function = entry
                .split("function = \"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            routed.insert(format!("{method} {path} → {function}"));
        }
    }
    let expected: BTreeSet<String> = ROUTES
        .iter()
        .map(|r| format!("{} → {}", r.key(), r.function.name()))
        .collect();
    assert_eq!(routed, expected);
}
