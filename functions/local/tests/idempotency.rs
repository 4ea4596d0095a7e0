//! One idempotency contract on every mutating route, under storms of concurrent duplicates:
//! the same key and body answer the stored response (or 409 while the first is still at work)
//! and act once; the same key with another body — another route, another order — answers 422.
//! Keys belong to the caller: another caller's key is another key.

mod support;

use futures::future::join_all;
use serde_json::{Value, json};
use support::*;

const STORM: usize = 8;

async fn with_key(app: &App, method: &str, path: &str, who: Who, key: &str, body: &Value) -> Reply {
    app.raw(
        method,
        path,
        who,
        body.to_string().into_bytes(),
        &[("idempotency-key", key)],
    )
    .await
}

/// Sends the same request `STORM` times at once; every answer is the first's, or 409 "still at
/// work" (then sent again until it answers).
async fn storm(
    app: &App,
    method: &str,
    path: &str,
    who: Who,
    key: &str,
    body: Value,
) -> Vec<Reply> {
    let replies = join_all((0..STORM).map(|_| with_key(app, method, path, who, key, &body))).await;
    let mut settled = Vec::new();
    for reply in replies {
        let mut reply = reply;
        while reply.status == 409 && reply.code() == "idempotency_key_in_flight" {
            assert_eq!(reply.headers["retry-after"], "1");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            reply = with_key(app, method, path, who, key, &body).await;
        }
        settled.push(reply);
    }
    let first = &settled[0];
    for reply in &settled {
        assert_eq!(reply.status, first.status, "{}", reply.body);
        assert_eq!(reply.body, first.body);
    }
    settled
}

fn new_date(id: &str, title: &str) -> Value {
    let starts = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    json!({"id": id, "partner": "partner-1", "title": title, "starts_at": starts,
           "ends_at": starts + chrono::Duration::hours(2), "terms": {"tiers": []}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_one_date_creation_creates_it_once_and_the_key_with_another_body_is_refused() {
    let app = App::new().await;
    let replies = storm(
        &app,
        "POST",
        "/dates",
        Who::System,
        "date-1",
        new_date("d1", "Pasta"),
    )
    .await;
    assert_eq!(replies[0].status, 201);
    let other = with_key(
        &app,
        "POST",
        "/dates",
        Who::System,
        "date-1",
        &new_date("d2", "Pizza"),
    )
    .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
    assert_eq!(
        app.get("/dates/d2/attendees", Who::Staff).await.status,
        404,
        "nothing written"
    );
    // The same key from another caller is another key.
    let staff = with_key(
        &app,
        "POST",
        "/dates",
        Who::Staff,
        "date-1",
        &new_date("d3", "Sushi"),
    )
    .await;
    assert_eq!(staff.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_one_date_update_answers_alike_and_the_key_on_another_date_is_refused() {
    let app = App::new().await;
    app.date("d1", "partner-1", 30, 1, json!([])).await;
    app.date("d2", "partner-1", 31, 1, json!([])).await;
    let replies = storm(
        &app,
        "PATCH",
        "/dates/d1",
        PARTNER,
        "off-1",
        json!({"active": false}),
    )
    .await;
    assert_eq!(replies[0].status, 200);
    assert_eq!(replies[0].body["active"], false);
    let other = with_key(
        &app,
        "PATCH",
        "/dates/d2",
        PARTNER,
        "off-1",
        &json!({"active": false}),
    )
    .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_one_payout_run_runs_it_once() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 1, 1, json!([])).await;
    app.order(workshop_order("paid")).await;
    app.local.clock.advance(chrono::Duration::days(30));
    let replies = storm(
        &app,
        "POST",
        "/payout-runs",
        Who::System,
        "run-1",
        json!({}),
    )
    .await;
    assert_eq!(replies[0].body["released"], json!(["paid"]));
    let other = with_key(
        &app,
        "POST",
        "/payout-runs",
        Who::System,
        "run-1",
        &json!({"dry_run": false}),
    )
    .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
    // The reconciliation (it may send follow-ups again) keeps the same contract.
    let checked = with_key(
        &app,
        "POST",
        "/reconciliations",
        Who::System,
        "check-1",
        &json!({"older_than_seconds": 0}),
    )
    .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    let again = with_key(
        &app,
        "POST",
        "/reconciliations",
        Who::System,
        "check-1",
        &json!({"older_than_seconds": 0}),
    )
    .await;
    assert_eq!(again.body, checked.body, "the stored report");
    let other = with_key(
        &app,
        "POST",
        "/reconciliations",
        Who::System,
        "check-1",
        &json!({"older_than_seconds": 1}),
    )
    .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_one_intake_registers_once_and_the_key_with_another_order_is_refused() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    let replies = storm(
        &app,
        "POST",
        "/orders",
        Who::System,
        "checkout-1",
        workshop_order("o1"),
    )
    .await;
    assert_eq!(replies[0].status, 201);
    assert_eq!(replies[0].body["version"], 1);
    let other = with_key(
        &app,
        "POST",
        "/orders",
        Who::System,
        "checkout-1",
        &workshop_order("o2"),
    )
    .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
    assert_eq!(
        app.get("/orders/o2", Who::Staff).await.status,
        404,
        "nothing written"
    );
    // A retry that re-serialises its body (other whitespace and key order) is the same request.
    let pretty = serde_json::to_vec_pretty(&workshop_order("o1")).unwrap();
    let reserialised = app
        .raw(
            "POST",
            "/orders",
            Who::System,
            pretty,
            &[
                ("idempotency-key", "checkout-1"),
                ("content-type", "application/json"),
            ],
        )
        .await;
    assert_eq!(reserialised.status, 201, "{}", reserialised.body);
    assert_eq!(reserialised.body, replies[0].body);
    // The intake replayed by order id is the checkout's: no other caller sees its receipt
    // (nor learns that the id exists).
    for who in [CUSTOMER, PARTNER, OTHER_CUSTOMER, Who::Staff] {
        let probe = app.post("/orders", who, workshop_order("o1")).await;
        assert_eq!(probe.status, 403, "{who:?}: {}", probe.body);
    }
    // Another order under a known id, with no key: a conflict of ids.
    let mut other_content = workshop_order("o1");
    other_content["captured"]["amount"] = json!("1.00");
    let clash = app.post("/orders", Who::System, other_content).await;
    assert_eq!((clash.status, clash.code()), (409, "order_exists"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_one_cancellation_refunds_once_and_the_key_on_another_order_is_refused() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    app.order(workshop_order("o1")).await;
    app.order(workshop_order("o2")).await;
    let none = json!({"fee": {"type": "none"}});
    let replies = storm(
        &app,
        "POST",
        "/orders/o1/cancel",
        Who::Staff,
        "cancel-1",
        none.clone(),
    )
    .await;
    assert_eq!(replies[0].status, 200);
    let other = with_key(
        &app,
        "POST",
        "/orders/o2/cancel",
        Who::Staff,
        "cancel-1",
        &none,
    )
    .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
    app.drain().await;
    let refunds = app
        .local
        .recorder
        .calls()
        .into_iter()
        .filter(|c| matches!(c, storno_functions::app::Call::Refund { .. }))
        .count();
    assert_eq!(refunds, 1);
    let o2 = app.get("/orders/o2", Who::Staff).await.ok();
    assert_eq!(
        o2["invoice"]["status"], "issued",
        "the other order is untouched"
    );
}
