//! The accounts over HTTP: a customer spends credit at checkout and sees it; a partner sees
//! its account, each payout's statement and the platform's commission invoice, which the
//! customer never sees.

mod support;

use serde_json::{Value, json};
use support::*;

fn number_id(number: &Value) -> String {
    number["text"].as_str().unwrap().replace('/', "%2F")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_sees_its_payout_statement_and_commission_invoice_the_customer_does_not() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 1, 1, json!([])).await;
    app.order(workshop_order("paid")).await;
    let open = app.get("/partners/partner-1/account", PARTNER).await.ok();
    assert_eq!(amount(&open["payable"]), "90.68");
    assert_eq!(open["open_payouts"][0]["order"], "paid");

    app.local.clock.advance(chrono::Duration::days(30));
    let run = app
        .call("POST", "/payout-runs", Who::System, Some(json!({})))
        .await
        .ok();
    assert_eq!(run["released"], json!(["paid"]));

    let account = app
        .get("/partners/partner-1/account?currency=EUR", PARTNER)
        .await
        .ok();
    assert_eq!(amount(&account["payable"]), "0.00");
    let statement = &account["payouts"][0];
    assert_eq!(statement["order"], "paid");
    assert_eq!(amount(&statement["commission"]), "28.32");
    assert_eq!(amount(&statement["transferred"]), "90.68");
    let invoice = number_id(&statement["commission_invoice"]);

    let seen = app
        .get(&format!("/documents/{invoice}"), PARTNER)
        .await
        .ok();
    assert_eq!(seen["kind"]["type"], "commission_invoice");
    assert_eq!(amount(&seen["payable"]), "28.32");
    assert_eq!(amount(&seen["vat"]), "4.52");
    let hidden = app.get(&format!("/documents/{invoice}"), CUSTOMER).await;
    assert_eq!((hidden.status, hidden.code()), (404, "not_found"));
    let customers = app.get("/orders/paid/documents", CUSTOMER).await.ok();
    assert!(
        customers["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["kind"]["type"] != "commission_invoice")
    );
    let partners = app.get("/orders/paid/documents", PARTNER).await.ok();
    assert!(
        partners["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"]["type"] == "commission_invoice")
    );
    // Another partner learns nothing.
    let other = app.get("/partners/partner-1/account", OTHER_PARTNER).await;
    assert_eq!(other.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_from_a_course_that_could_not_run_is_spent_on_the_next_order() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 10, 1, json!([])).await;
    app.order(workshop_order("first")).await;
    app.call(
        "POST",
        "/orders/first/partner-cancellation",
        PARTNER,
        Some(json!({})),
    )
    .await
    .ok();
    for resolution in ["rebooking_declined", "grant_credit"] {
        app.call(
            "POST",
            "/orders/first/partner-cancellation/resolution",
            Who::Staff,
            Some(json!({"resolution": resolution})),
        )
        .await
        .ok();
    }
    let credit = app.get("/customers/customer-1/credit", CUSTOMER).await.ok();
    assert_eq!(amount(&credit["balance"]), "119.00");
    assert_eq!(credit["entries"][0]["kind"], "granted");
    assert_eq!(credit["entries"][0]["order"], "first");
    assert!(credit["entries"][0]["expires_at"].is_string());

    let mut second = workshop_order("second");
    second["payments"] = json!([
        {"method": "credit", "amount": {"amount": "100.00", "currency": "EUR"}},
        {"method": "original", "amount": {"amount": "19.00", "currency": "EUR"}},
    ]);
    app.order(second).await;
    let credit = app.get("/customers/customer-1/credit", CUSTOMER).await.ok();
    assert_eq!(amount(&credit["balance"]), "19.00");
    assert_eq!(credit["entries"][0]["kind"], "redeemed");

    let mut greedy = workshop_order("greedy");
    greedy["payments"] = json!([
        {"method": "credit", "amount": {"amount": "119.00", "currency": "EUR"}},
    ]);
    let refused = app.call("POST", "/orders", Who::System, Some(greedy)).await;
    assert_eq!(
        (refused.status, refused.code()),
        (422, "insufficient_credit")
    );
    assert_eq!(
        app.get("/orders/greedy", Who::Staff).await.status,
        404,
        "nothing written"
    );
    // Staff pay the rest out, once.
    // Money leaves the platform: no key, no payout (a retry could pay twice).
    let keyless = app
        .raw(
            "POST",
            "/customers/customer-1/credit/payouts",
            Who::Staff,
            br#"{"currency": "EUR"}"#.to_vec(),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(
        (keyless.status, keyless.code()),
        (400, "idempotency_key_required")
    );
    // A cursor that decodes but was never issued is refused as a cursor.
    let forged = app
        .get("/customers/customer-1/credit?cursor=7b7d", Who::Staff)
        .await;
    assert_eq!((forged.status, forged.code()), (400, "invalid_cursor"));
    let paid = app
        .raw(
            "POST",
            "/customers/customer-1/credit/payouts",
            Who::Staff,
            br#"{"currency": "EUR"}"#.to_vec(),
            &[
                ("idempotency-key", "payout-1"),
                ("content-type", "application/json"),
            ],
        )
        .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    assert_eq!(amount(&paid.body["amount"]), "19.00");
    let again = app
        .raw(
            "POST",
            "/customers/customer-1/credit/payouts",
            Who::Staff,
            br#"{"currency": "EUR"}"#.to_vec(),
            &[
                ("idempotency-key", "payout-1"),
                ("content-type", "application/json"),
            ],
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, paid.body);
    let other = app
        .get("/customers/customer-1/credit", OTHER_CUSTOMER)
        .await;
    assert_eq!(other.status, 404);
}
