//! Arbitrary requests never make the API panic or answer 5xx: random methods, paths built from
//! the route templates' pieces and random segments, random or mangled JSON bodies, random
//! headers, any caller.

mod support;

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::json;
use storno_functions::http::ROUTES;
use support::*;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    app: App,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let app = runtime.block_on(async {
            let app = App::new().await;
            app.date("course-a", "partner-1", 14, 1, json!([])).await;
            app.order(workshop_order("fuzz-order")).await;
            app
        });
        Fixture { runtime, app }
    })
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("fuzz-order".to_owned()),
        Just("course-a".to_owned()),
        Just("b0".to_owned()),
        Just("ws".to_owned()),
        Just("partner-1".to_owned()),
        Just("T26%2F001".to_owned()),
        "[a-z0-9%._~-]{0,12}",
        ".{0,8}".prop_map(|s| s.replace(['/', '?', '#'], "")),
    ]
}

/// A route's method (mostly) and its path with the parameters filled in.
fn route() -> impl Strategy<Value = (&'static str, String)> {
    let spec = proptest::sample::select(ROUTES.iter().collect::<Vec<_>>());
    let other = proptest::option::weighted(
        0.2,
        proptest::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE"]),
    );
    (spec, other, proptest::collection::vec(segment(), 4)).prop_map(|(spec, other, fill)| {
        let template = spec.path;
        let mut fill = fill.into_iter().cycle();
        let path = template
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    fill.next().unwrap()
                } else {
                    part.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        (other.unwrap_or(spec.method), path)
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        Just(b"{}".to_vec()),
        Just(b"null".to_vec()),
        Just(br#"{"fee":{"type":"individual","amount":{"amount":"-5","currency":"EUR"},"reason":"x"}}"#.to_vec()),
        Just(br#"{"fee":{"type":"individual","amount":{"amount":"1.001","currency":"EUR"},"reason":"x"}}"#.to_vec()),
        Just(br#"{"fee":{"type":"individual","amount":{"amount":"10","currency":"USD"},"reason":"x"}}"#.to_vec()),
        Just(br#"{"fee":{"type":"individual","amount":{"amount":"1e400","currency":"EUR"},"reason":"x"}}"#.to_vec()),
        Just(br#"{"on":"yes"}"#.to_vec()),
        Just(br#"{"dates":["a","b","c","d"]}"#.to_vec()),
        Just(vec![b' '; 70 * 1024]),
        "\\PC{0,80}".prop_map(String::into_bytes),
    ]
}

fn caller() -> impl Strategy<Value = Who> {
    proptest::sample::select(CALLERS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("STORNO_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400)
    ))]

    #[test]
    fn arbitrary_requests_never_answer_5xx(
        (method, path) in route(),
        query in proptest::option::of("[a-z=&0-9%]{0,20}"),
        body in body(),
        who in caller(),
        if_match in proptest::option::of("\\PC{0,6}"),
    ) {
        let fixture = fixture();
        let path = match query {
            Some(query) => format!("{path}?{query}"),
            None => path,
        };
        prop_assume!(path.parse::<axum::http::Uri>().is_ok());
        let mut headers = vec![("idempotency-key", "fuzz")];
        let if_match = if_match.filter(|v| axum::http::HeaderValue::from_str(v).is_ok());
        if let Some(value) = &if_match {
            headers.push(("if-match", value.as_str()));
        }
        let reply = fixture.runtime.block_on(fixture.app.raw(method, &path, who, body, &headers));
        prop_assert!(reply.status < 500, "{method} {path} as {who:?}: {} {}", reply.status, reply.body);
        if reply.status >= 400 {
            prop_assert!(!reply.code().is_empty(), "every error has a code: {}", reply.body);
        }
    }
}
