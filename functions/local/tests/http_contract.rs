//! HTTP details a generated client relies on: `Allow` on 405, 415 for a body that is not
//! JSON, `Location` on 201, `If-None-Match` → 304, and job resources with a status and
//! `Retry-After` while they run.

mod support;

use serde_json::json;
use support::*;

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_method_says_which_methods_the_path_takes() {
    let app = App::new().await;
    let reply = app.call("DELETE", "/orders/any", Who::Staff, None).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.code(), "method_not_allowed");
    assert_eq!(header(&reply, "allow"), "GET");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_declared_as_anything_but_json_is_refused_and_changes_nothing() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 40, 1, json!([])).await;
    let body = workshop_order("typed").to_string().into_bytes();
    let plain = app
        .raw(
            "POST",
            "/orders",
            Who::System,
            body.clone(),
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(plain.status, 415, "{}", plain.body);
    assert_eq!(plain.code(), "unsupported_media_type");
    assert_eq!(app.get("/orders/typed", Who::Staff).await.status, 404);

    let json = app
        .raw(
            "POST",
            "/orders",
            Who::System,
            body,
            &[("content-type", "application/json; charset=utf-8")],
        )
        .await;
    assert_eq!(json.status, 201, "{}", json.body);
    assert_eq!(header(&json, "location"), "/orders/typed");
    assert_eq!(app.get("/orders/typed", Who::Staff).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_the_caller_already_holds_answers_304() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 40, 1, json!([])).await;
    app.order(workshop_order("cached")).await;
    let first = app.get("/orders/cached", CUSTOMER).await;
    let etag = header(&first, "etag").to_owned();
    assert!(!etag.is_empty());

    let held = [("if-none-match", etag.as_str())];
    let again = app
        .raw("GET", "/orders/cached", CUSTOMER, vec![], &held)
        .await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    assert_eq!(header(&again, "etag"), etag);

    // Once the order changed, the same tag gets the new order.
    app.call(
        "PUT",
        "/orders/cached/rebook-flag",
        PARTNER,
        Some(json!({"on": true})),
    )
    .await
    .ok();
    let changed = app
        .raw("GET", "/orders/cached", CUSTOMER, vec![], &held)
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(header(&changed, "etag"), etag);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_says_whether_it_runs_and_when_to_ask_again() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 40, 1, json!([])).await;
    app.order(workshop_order("on-course")).await;
    let started = app
        .raw(
            "POST",
            "/dates/course-a/cancel-all",
            Who::Staff,
            b"{}".to_vec(),
            &[("idempotency-key", "job-status")],
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let location = header(&started, "location").to_owned();
    assert!(location.starts_with("/dates/course-a/jobs/"), "{location}");
    assert_eq!(started.body["status"], "running");

    app.drain().await;
    let done = app.get(&location, Who::Staff).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["status"], "succeeded", "{}", done.body);
    assert_eq!(header(&done, "retry-after"), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_explorer_serves_its_page_files_and_the_spec_without_a_token() {
    let app = App::new().await;
    let page = app.get("/docs", Who::Nobody).await;
    assert_eq!(page.status, 200);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let html = String::from_utf8_lossy(&page.bytes).into_owned();
    assert!(html.contains("/docs/openapi.json"), "{html}");
    for file in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-ui-standalone-preset.js",
    ] {
        assert!(html.contains(&format!("/docs/{file}")), "{file} not linked");
        let served = app.get(&format!("/docs/{file}"), Who::Nobody).await;
        assert_eq!(served.status, 200, "{file}");
        assert!(served.bytes.len() > 1000, "{file}");
    }
    let spec = app.get("/docs/openapi.json", Who::Nobody).await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.body["openapi"], "3.1.0");
    assert_eq!(app.get("/docs/nothing.js", Who::Nobody).await.status, 404);
}

/// Found by the API tester: a grace period of millions of years overflowed the clock and
/// took the connection down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grace_period_beyond_the_calendar_is_refused_not_a_crash() {
    let app = App::new().await;
    let huge = app
        .post(
            "/reconciliations",
            Who::Staff,
            json!({"older_than_seconds": 1_165_130_445_572_587_u64}),
        )
        .await;
    assert_eq!(huge.status, 400, "{}", huge.body);
    let longest = app
        .post(
            "/reconciliations",
            Who::Staff,
            json!({"older_than_seconds": 10 * 366 * 24 * 3600}),
        )
        .await;
    assert_eq!(longest.status, 200, "{}", longest.body);
}

/// The order view is an allow-list: customers see what they booked, paid and were issued, never
/// a partner-side figure; the partner and staff see those too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_never_see_partner_figures_of_an_order() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 40, 1, json!([])).await;
    app.order(workshop_order("shown")).await;
    let partner_only = [
        "commission_rate",
        "payout_delay_days",
        "payout",
        "commission_kept",
        "fee_commission",
        "payout_hold",
        "payout_state",
        "commission",
    ];
    let customer = app.get("/orders/shown", CUSTOMER).await.ok();
    for field in partner_only {
        assert!(customer.get(field).is_none(), "a customer sees {field}");
    }
    for field in [
        "captured",
        "owed",
        "bookings",
        "invoice",
        "documents",
        "version",
    ] {
        assert!(customer.get(field).is_some(), "a customer misses {field}");
    }
    for who in [PARTNER, Who::Staff] {
        let seen = app.get("/orders/shown", who).await.ok();
        for field in [
            "commission_rate",
            "payout",
            "fee_commission",
            "payout_state",
            "commission",
        ] {
            assert!(seen.get(field).is_some(), "{who:?} misses {field}");
        }
    }
}
