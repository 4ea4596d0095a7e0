//! End-to-end stories over HTTP against storno-local's app, each with its money and documents
//! checked: nothing here reaches inside; follow-ups run through the same worker as in AWS and
//! land at the recording payment provider and mailer.

mod support;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use storno_functions::app::Call;
use support::*;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn gross(document: &Value) -> String {
    amount(&document["payable"])
}

/// What the recording payment provider paid: refunds, or (`false`) partner transfers.
fn paid(app: &App, refunds: bool) -> Vec<Decimal> {
    app.local
        .recorder
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Refund { amount, .. } if refunds => Some(amount.amount()),
            Call::Transfer { amount, .. } if !refunds => Some(amount.amount()),
            _ => None,
        })
        .collect()
}

fn refunds(app: &App) -> Vec<Decimal> {
    paid(app, true)
}

fn transfers(app: &App) -> Vec<Decimal> {
    paid(app, false)
}

async fn courses(app: &App) {
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    app.date("course-b", "partner-1", 45, 1, json!([])).await;
}

async fn course_order(app: &App, id: &str, channel: &str) {
    app.order(order(
        id,
        "customer-1",
        "partner-1",
        "course-a",
        channel,
        "119.00",
        vec![vec![option("seat", "100")]],
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converia_option_attendee_with_terms_fee_invoice_update_and_invoice_cancel_with_individual_fee()
 {
    let app = App::new().await;
    let terms = json!([{"up_to_days_before": 30, "percent": "50", "fixed": null, "cap": null}]);
    app.date("conference", "partner-1", 20, 3, terms).await;
    let three = || {
        vec![
            option("pass", "400"),
            option("ws", "100"),
            option("dinner", "50"),
        ]
    };
    let registered = app
        .order(order(
            "group",
            "customer-1",
            "partner-1",
            "conference",
            "direct",
            "1963.50",
            vec![three(), three(), three()],
        ))
        .await;
    assert_eq!(
        registered["documents"][0]["number"]["text"],
        format!("T{}/001", yy())
    );

    // Cancel one workshop: the invoice is cancelled by a credit note, a new version follows.
    let option = app
        .post(
            "/orders/group/bookings/b0/options/ws/cancel",
            Who::Staff,
            json!({"fee": {"type": "none"}}),
        )
        .await
        .ok();
    assert_eq!(gross(&option["documents"][0]), "-1963.50");
    // Cancel an attendee 20 days before: the terms' 50 % tier.
    let attendee = app
        .post(
            "/orders/group/bookings/b1/cancel",
            Who::Staff,
            json!({"fee": {"type": "terms"}}),
        )
        .await
        .ok();
    // The issuer prices net: 50 % of the attendee's 550.00 net; VAT comes on the document.
    assert_eq!(amount(&attendee["fee"]["total"]), "275.00");
    // The next invoice version: the remaining items and the fee.
    let updated = app
        .post("/orders/group/invoice/update", Who::Staff, json!({}))
        .await
        .ok();
    let version2 = &updated["documents"][0];
    assert_eq!(version2["number"]["text"], format!("T{}/001/2", yy()));
    assert_eq!(gross(version2), "1517.25");
    // Cancel the invoice with an individual fee.
    let cancelled = app
        .post(
            "/orders/group/cancel",
            Who::Staff,
            json!({"fee": {"type": "individual", "amount": {"amount": "100.00", "currency": "EUR"}, "reason": "late cancellation"}}),
        )
        .await
        .ok();
    let grosses: Vec<String> = cancelled["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(gross)
        .collect();
    // The fee invoice states every fee charged: the attendee's 275.00 and this 100.00 net,
    // 71.25 VAT.
    assert_eq!(grosses, ["-1517.25", "446.25"]);

    // The documents as the customer sees them, and the money returned.
    let documents = app.get("/orders/group/documents", CUSTOMER).await.ok();
    let total: Decimal = documents["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| dec(&gross(d)))
        .sum();
    assert_eq!(total, dec("446.25"), "what is left documented: the fees");
    app.drain().await;
    // 1963.50 paid − 446.25 fees = 1517.25, returned as each change was made: the workshop,
    // the attendee less the fee, the rest less the individual fee.
    let mut returned = refunds(&app);
    returned.sort();
    assert_eq!(returned, [dec("119.00"), dec("327.25"), dec("1071.00")]);
    let order = app.get("/orders/group", CUSTOMER).await.ok();
    assert_eq!(amount(&order["owed"]), "446.25");
    assert!(
        order.get("commission_rate").is_none(),
        "customers never see commission"
    );
    // Nor the counters the terms' caps keep per booking (allow-lists all the way down);
    // staff do.
    let booking = &order["bookings"][0];
    assert!(booking["attendee_name"].is_string());
    assert!(booking.get("fees_charged").is_none() && booking.get("fixed_fee_charged").is_none());
    let seen_by_staff = app.get("/orders/group", Who::Staff).await.ok();
    assert!(seen_by_staff["bookings"][0]["fees_charged"]["amount"].is_string());
    let number = documents["documents"][0]["number"]["text"]
        .as_str()
        .unwrap();
    let one = app
        .get(
            &format!("/documents/{}", number.replace('/', "%2F")),
            CUSTOMER,
        )
        .await
        .ok();
    assert_eq!(one["number"]["text"], number);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn konfetti_flag_pauses_the_payout_official_rebooking_releases_it_after_the_new_date() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "konfetti", "direct").await;
    app.call(
        "PUT",
        "/orders/konfetti/rebook-flag",
        PARTNER,
        Some(json!({"on": true})),
    )
    .await
    .ok();
    let seen = app.get("/orders/konfetti", PARTNER).await.ok();
    assert_eq!(seen["payout_state"]["state"], "paused");
    app.post(
        "/orders/konfetti/rebookings",
        Who::Staff,
        json!({"date": "course-b"}),
    )
    .await
    .ok();
    app.drain().await;

    // After the old date the payout is not due; after the new one it is released once.
    app.local.clock.advance(chrono::Duration::days(23));
    let run = app.post("/payout-runs", Who::System, json!({})).await.ok();
    assert_eq!(run["released"], json!([]));
    app.local.clock.advance(chrono::Duration::days(31));
    // A dry run shows the statement of what a run would release and releases nothing.
    let preview = app
        .post("/payout-runs", Who::System, json!({"dry_run": true}))
        .await
        .ok();
    assert_eq!(preview["would_release"][0]["order"], "konfetti");
    assert_eq!(amount(&preview["would_release"][0]["transferred"]), "90.68");
    let order = app.get("/orders/konfetti", Who::Staff).await.ok();
    assert_eq!(
        order["payout_state"]["state"], "due",
        "the dry run wrote nothing"
    );
    let run = app.post("/payout-runs", Who::System, json!({})).await.ok();
    assert_eq!(run["released"], json!(["konfetti"]));
    let again = app.post("/payout-runs", Who::System, json!({})).await.ok();
    assert_eq!(again["released"], json!([]));
    app.drain().await;
    // 119.00 paid − 23.8 % commission (28.32) = 90.68, transferred once.
    assert_eq!(transfers(&app), [dec("90.68")]);
    let order = app.get("/orders/konfetti", Who::Staff).await.ok();
    assert_eq!(order["payout_state"]["state"], "released");
    assert_eq!(order["bookings"][0]["date"]["id"], "course-b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_after_the_flag_is_released_by_staff_and_its_dry_run_changes_nothing() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "held", "direct").await;
    let flag = |on: bool| {
        let app = &app;
        async move {
            app.call(
                "PUT",
                "/orders/held/rebook-flag",
                PARTNER,
                Some(json!({"on": on})),
            )
            .await
            .ok();
        }
    };
    flag(true).await;
    app.local.clock.advance(chrono::Duration::days(30)); // the date passed under the flag
    flag(false).await;
    let held = app.get("/orders/held", Who::Staff).await.ok();
    assert_eq!(held["payout_state"]["state"], "held");
    let preview = app
        .post(
            "/orders/held/payout-hold/release",
            Who::Staff,
            json!({"dry_run": true}),
        )
        .await
        .ok();
    assert_eq!(preview["dry_run"], true, "{preview}");
    let still = app.get("/orders/held", Who::Staff).await.ok();
    assert_eq!(
        still["payout_state"]["state"], "held",
        "the dry run wrote nothing"
    );
    assert_eq!(still["version"], held["version"]);
    app.post("/orders/held/payout-hold/release", Who::Staff, json!({}))
        .await
        .ok();
    let released = app.get("/orders/held", Who::Staff).await.ok();
    assert_eq!(released["payout_state"]["state"], "due");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_cannot_run_ladder_rebook_credit_refund_and_the_commission_is_kept() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "ladder", "direct").await;
    course_order(&app, "credited", "direct").await;
    for order in ["ladder", "credited"] {
        app.post(
            &format!("/orders/{order}/partner-cancellation"),
            PARTNER,
            json!({}),
        )
        .await
        .ok();
    }
    let resolve = |order: &'static str, resolution: &'static str| {
        let app = &app;
        async move {
            app.post(
                &format!("/orders/{order}/partner-cancellation/resolution"),
                Who::Staff,
                json!({"resolution": resolution}),
            )
            .await
        }
    };
    let early = resolve("ladder", "refund").await;
    assert_eq!(early.status, 422, "{}", early.body);
    resolve("ladder", "rebooking_declined").await.ok();
    let still = resolve("ladder", "refund").await;
    assert_eq!(still.status, 422);
    resolve("ladder", "credit_declined").await.ok();
    resolve("ladder", "refund").await.ok();
    resolve("credited", "rebooking_declined").await.ok();
    resolve("credited", "grant_credit").await.ok();
    app.drain().await;

    assert_eq!(
        refunds(&app),
        [dec("119.00")],
        "one refund, only for the ladder's end"
    );
    let refunded = app.get("/orders/ladder", Who::Staff).await.ok();
    // Settled: nothing left to pay out; the kept commission is the partner's debit.
    assert_eq!(refunded["payout_state"]["state"], "cancelled");
    assert_eq!(amount(&refunded["commission_kept"]), "28.32");
    let credited = app.get("/orders/credited", Who::Staff).await.ok();
    assert_eq!(amount(&credited["credited"]), "119.00");
    assert_eq!(amount(&credited["commission_kept"]), "28.32");
    // No payout for either, ever.
    app.local.clock.advance(chrono::Duration::days(60));
    let run = app.post("/payout-runs", Who::System, json!({})).await.ok();
    assert_eq!(run["released"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_rebooking_requests_approved_and_declined_and_alternative_dates() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "approved", "direct").await;
    course_order(&app, "declined", "direct").await;
    course_order(&app, "alternatives", "direct").await;
    for (order, approve) in [("approved", true), ("declined", false)] {
        let receipt = app
            .post(
                &format!("/orders/{order}/rebooking-requests"),
                CUSTOMER,
                json!({"reason": "ill"}),
            )
            .await
            .ok();
        // The customer's receipt: no ledger posting, no follow-ups (the partner's note).
        assert!(receipt["posting"].is_null(), "{receipt}");
        assert_eq!(receipt["followups"], json!([]), "{receipt}");
        let stored = app.get(&format!("/orders/{order}"), CUSTOMER).await.ok();
        let request = stored["rebooking_requests"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.post(
            &format!("/orders/{order}/rebooking-requests/{request}/decision"),
            PARTNER,
            json!({"approve": approve}),
        )
        .await
        .ok();
        let rebooked = app
            .post(
                &format!("/orders/{order}/rebookings"),
                Who::Staff,
                json!({"date": "course-b", "request": request}),
            )
            .await;
        if approve {
            rebooked.ok();
            let order = app.get(&format!("/orders/{order}"), CUSTOMER).await.ok();
            assert_eq!(order["bookings"][0]["date"]["id"], "course-b");
        } else {
            assert_eq!(rebooked.status, 422);
            assert_eq!(rebooked.code(), "rebooking_request_not_approved");
        }
    }
    app.post(
        "/orders/alternatives/alternative-dates",
        PARTNER,
        json!({"dates": ["course-b"]}),
    )
    .await
    .ok();
    app.post(
        "/orders/alternatives/alternative-dates/choice",
        CUSTOMER,
        json!({"date": "course-b"}),
    )
    .await
    .ok();
    let order = app.get("/orders/alternatives", PARTNER).await.ok();
    assert!(
        order["alternative_dates"].to_string().contains("course-b"),
        "{}",
        order["alternative_dates"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_customers_cannot_cancel_private_events_and_deactivated_dates() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "mine", "direct").await;
    course_order(&app, "private", "private_event").await;
    let cancel = app
        .post(
            "/orders/mine/cancel",
            CUSTOMER,
            json!({"fee": {"type": "none"}}),
        )
        .await;
    assert_eq!(
        (cancel.status, cancel.code()),
        (403, "customers_cannot_cancel")
    );
    let flag = app
        .call(
            "PUT",
            "/orders/private/rebook-flag",
            PARTNER,
            Some(json!({"on": true})),
        )
        .await;
    assert_eq!((flag.status, flag.code()), (422, "private_event_order"));
    app.call(
        "PATCH",
        "/dates/course-b",
        PARTNER,
        Some(json!({"active": false})),
    )
    .await
    .ok();
    let rebook = app
        .post(
            "/orders/mine/rebookings",
            Who::Staff,
            json!({"date": "course-b"}),
        )
        .await;
    assert_eq!((rebook.status, rebook.code()), (422, "date_inactive"));
    let attendees = app.get("/dates/course-a/attendees", PARTNER).await.ok();
    assert_eq!(attendees["attendees"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dry_run_writes_nothing() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "dry", "direct").await;
    app.post("/orders/dry/partner-cancellation", PARTNER, json!({}))
        .await
        .ok();
    app.drain().await;
    let before = app.get("/orders/dry", Who::Staff).await.ok();
    let calls = app.local.recorder.calls().len();
    let none = json!({"fee": {"type": "none"}, "dry_run": true});
    let dry_runs = [
        ("/orders/dry/cancel", none.clone()),
        ("/orders/dry/bookings/b0/cancel", none.clone()),
        ("/orders/dry/bookings/b0/options/seat/cancel", none),
        ("/orders/dry/invoice/update", json!({"dry_run": true})),
        (
            "/orders/dry/rebookings",
            json!({"date": "course-b", "dry_run": true}),
        ),
        (
            "/orders/dry/partner-cancellation/resolution",
            json!({"resolution": "rebooking_declined", "dry_run": true}),
        ),
        ("/dates/course-a/cancel-all", json!({"dry_run": true})),
        (
            "/dates/course-a/rebook-all",
            json!({"target": "course-b", "dry_run": true}),
        ),
    ];
    for (path, body) in dry_runs {
        let reply = app.post(path, Who::Staff, body).await;
        assert!(
            reply.status < 500 && reply.status != 404,
            "{path}: {}",
            reply.body
        );
        if path.starts_with("/dates/") && reply.status == 200 {
            // The totals count only the orders the action would change.
            let preview = &reply.body;
            let counted: u64 = preview["totals"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["orders"].as_u64().unwrap())
                .sum();
            assert_eq!(
                Some(counted),
                preview["would_change"].as_u64(),
                "{path}: {preview}"
            );
        }
    }
    app.drain().await;
    let after = app.get("/orders/dry", Who::Staff).await.ok();
    assert_eq!(before, after, "the order is unchanged");
    assert_eq!(app.local.recorder.calls().len(), calls, "nothing followed");
    let documents = app.get("/orders/dry/documents", Who::Staff).await.ok();
    assert_eq!(documents["documents"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_etags_and_if_match() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "keyed", "direct").await;
    let body = br#"{"on":true}"#.to_vec();
    let key = [("idempotency-key", "flag-1")];
    let first = app
        .raw(
            "PUT",
            "/orders/keyed/rebook-flag",
            PARTNER,
            body.clone(),
            &key,
        )
        .await;
    let replay = app
        .raw("PUT", "/orders/keyed/rebook-flag", PARTNER, body, &key)
        .await;
    assert_eq!((first.status, replay.status), (200, 200));
    assert_eq!(first.body, replay.body, "the stored response");
    assert_eq!(first.headers["etag"], "\"2\"");
    let other = app
        .raw(
            "PUT",
            "/orders/keyed/rebook-flag",
            PARTNER,
            br#"{"on":false}"#.to_vec(),
            &key,
        )
        .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
    let stale = app
        .raw(
            "PUT",
            "/orders/keyed/rebook-flag",
            PARTNER,
            br#"{"on":false}"#.to_vec(),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!((stale.status, stale.code()), (412, "version_mismatch"));
    let current = app
        .raw(
            "PUT",
            "/orders/keyed/rebook-flag",
            PARTNER,
            br#"{"on":false}"#.to_vec(),
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(current.status, 200);
    let big = app
        .raw(
            "POST",
            "/orders/keyed/cancel",
            Who::Staff,
            vec![b' '; 70 * 1024],
            &[],
        )
        .await;
    assert_eq!((big.status, big.code()), (413, "body_too_large"));
    let page = app
        .get("/partners/partner-1/orders?limit=1", PARTNER)
        .await
        .ok();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/partners/partner-1/orders?limit=5&cursor={cursor}"),
            PARTNER,
        )
        .await
        .ok();
    assert_eq!(rest["items"].as_array().unwrap().len(), 0);
    let forged = app
        .get("/partners/partner-1/orders?cursor=7b7d", PARTNER)
        .await;
    assert_eq!(forged.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archive_lists_newest_first_and_an_editing_invoice_holds_its_payout_until_updated() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 1, 1, json!([])).await;
    app.order(order(
        "pair",
        "customer-1",
        "partner-1",
        "course-a",
        "direct",
        "238.00",
        vec![vec![option("ws", "100")], vec![option("ws", "100")]],
    ))
    .await;
    app.post(
        "/orders/pair/bookings/b1/cancel",
        Who::Staff,
        json!({"fee": {"type": "none"}}),
    )
    .await
    .ok();
    let archive = app.get("/orders/pair/documents", CUSTOMER).await.ok();
    assert_eq!(
        archive["documents"][0]["kind"]["type"], "cancellation",
        "while editing, the cancellation document is the newest"
    );
    let editing = app.get("/invoices/editing", Who::Staff).await.ok();
    assert_eq!(editing["items"][0]["id"], "pair");
    assert_eq!(
        editing["items"][0]["payout_state"]["state"],
        "invoice_editing"
    );
    app.local.clock.advance(chrono::Duration::days(30));
    let run = app.post("/payout-runs", Who::System, json!({})).await.ok();
    assert_eq!(run["released"], json!([]), "held while editing");
    app.post("/orders/pair/invoice/update", Who::Staff, json!({}))
        .await
        .ok();
    let run = app.post("/payout-runs", Who::System, json!({})).await.ok();
    assert_eq!(run["released"], json!(["pair"]));
    let editing = app.get("/invoices/editing", Who::Staff).await.ok();
    assert_eq!(editing["items"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_rebooking_gives_the_attendee_a_new_ticket_to_fetch() {
    let app = App::new().await;
    courses(&app).await;
    course_order(&app, "ticketed", "direct").await;
    let before = app
        .get("/orders/ticketed/bookings/b0/ticket", CUSTOMER)
        .await
        .ok();
    assert_eq!(before["date"], "course-a");
    app.post(
        "/orders/ticketed/rebookings",
        Who::Staff,
        json!({"date": "course-b"}),
    )
    .await
    .ok();
    let after = app
        .get("/orders/ticketed/bookings/b0/ticket", CUSTOMER)
        .await
        .ok();
    assert_eq!(after["date"], "course-b");
    assert_ne!(after["reference"], before["reference"]);
    assert!(after["reference"].as_str().unwrap().starts_with("TK-"));
    let stranger = app
        .get("/orders/ticketed/bookings/b0/ticket", OTHER_CUSTOMER)
        .await;
    assert_eq!(stranger.status, 404);
}
