//! The issuer registry over HTTP: issuers configured once, prefixes that belong to one issuer
//! for good (so a printed number names one document, found by its URL-safe id), intake that
//! refuses an unknown issuer, gross prices registered as charged, and issued documents that
//! keep the seller they were issued with.

mod support;

use serde_json::json;
use support::*;

fn gross_order(id: &str, price: &str, quantity: u32, captured: &str) -> serde_json::Value {
    let mut order = workshop_order(id);
    order["issuer"] = json!("shop");
    order["captured"]["amount"] = json!(captured);
    order["bookings"][0]["options"][0]["unit_price"]["amount"] = json!(price);
    order["bookings"][0]["options"][0]["quantity"] = json!(quantity);
    order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefix_belongs_to_one_issuer_and_its_numbers_name_one_document() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    let mine = app
        .call(
            "PUT",
            "/issuers/mine",
            Who::Staff,
            Some(issuer_entry("DUP", "net")),
        )
        .await;
    assert_eq!(mine.status, 200);
    let theirs = app
        .call(
            "PUT",
            "/issuers/theirs",
            Who::Staff,
            Some(issuer_entry("DUP", "net")),
        )
        .await;
    assert_eq!((theirs.status, theirs.code()), (409, "prefix_taken"));
    assert_eq!(
        app.get("/issuers/theirs", Who::Staff).await.status,
        404,
        "nothing written"
    );
    // Numbers that differ only in case are taken for the same number: so are prefixes.
    let lower = app
        .call(
            "PUT",
            "/issuers/theirs",
            Who::Staff,
            Some(issuer_entry("dup", "net")),
        )
        .await;
    assert_eq!((lower.status, lower.code()), (409, "prefix_taken"));
    // A series keeps the width it prints with; tax numbers are checked like VAT ids.
    let mut wider = issuer_entry("DUP", "net");
    wider["numbers"]["digits"] = json!(5);
    let wider = app
        .call("PUT", "/issuers/mine", Who::Staff, Some(wider))
        .await;
    assert_eq!((wider.status, wider.code()), (409, "number_width_fixed"));
    let mut taxed = issuer_entry("TAX", "net");
    taxed["vat_id"] = json!(null);
    taxed["tax_number"] = json!("x");
    let taxed = app
        .call("PUT", "/issuers/taxed", Who::Staff, Some(taxed))
        .await;
    assert_eq!((taxed.status, taxed.code()), (400, "invalid_tax_number"));

    let mut order = workshop_order("dup-1");
    order["issuer"] = json!("mine");
    let receipt = app.order(order).await;
    let number = &receipt["documents"][0]["number"];
    let id = format!("DUP{}-001", yy());
    assert_eq!(number["text"], format!("DUP{}/001", yy()));
    assert_eq!(number["id"], id);
    let by_id = app.get(&format!("/documents/{id}"), CUSTOMER).await.ok();
    assert_eq!(by_id["header"]["seller"]["legal_name"], "DUP Events GmbH");
    let printed = app
        .get(&format!("/documents/DUP{}%2F001", yy()), Who::Staff)
        .await
        .ok();
    assert_eq!(printed, by_id);
    let hidden = app.get(&format!("/documents/{id}"), OTHER_CUSTOMER).await;
    assert_eq!(hidden.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_refuses_an_unknown_issuer_and_bad_entries_are_refused_with_their_code() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    let mut order = workshop_order("nobody");
    order["issuer"] = json!("nobody");
    let refused = app.post("/orders", Who::System, order).await;
    assert_eq!((refused.status, refused.code()), (422, "unknown_issuer"));
    let mut entry = issuer_entry("BAD", "net");
    entry["vat_id"] = json!("DE12");
    let refused = app
        .call("PUT", "/issuers/bad", Who::Staff, Some(entry))
        .await;
    assert_eq!((refused.status, refused.code()), (400, "invalid_vat_id"));
    let mut entry = issuer_entry("BAD", "net");
    entry["address"]["country"] = json!("Deutschland");
    let refused = app
        .call("PUT", "/issuers/bad", Who::Staff, Some(entry))
        .await;
    assert_eq!((refused.status, refused.code()), (400, "invalid_country"));
    let mut order = workshop_order("no-address");
    order["recipient"]["address"] = serde_json::Value::Null;
    let refused = app.post("/orders", Who::System, order).await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "recipient_address_missing")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gross_priced_shop_registers_exactly_what_it_charged() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    app.call(
        "PUT",
        "/issuers/shop",
        Who::System,
        Some(issuer_entry("SHOP", "gross")),
    )
    .await
    .ok();
    for (id, price, quantity, total) in [
        ("g1", "49.00", 2, "98.00"),
        ("g2", "13.00", 1, "13.00"),
        ("g3", "39.99", 1, "39.99"),
        ("g4", "99.99", 1, "99.99"),
    ] {
        let receipt = app.order(gross_order(id, price, quantity, total)).await;
        assert_eq!(amount(&receipt["documents"][0]["payable"]), total, "{id}");
    }
    let refused = app
        .post(
            "/orders",
            Who::System,
            gross_order("g5", "49.00", 2, "98.01"),
        )
        .await;
    assert_eq!(refused.code(), "capture_mismatch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_an_issuer_leaves_issued_documents_as_they_were() {
    let app = App::new().await;
    app.date("course-a", "partner-1", 14, 1, json!([])).await;
    app.order(workshop_order("before")).await;
    let mut moved = issuer_entry("T", "net");
    moved["address"]["city"] = json!("Potsdam");
    app.call("PUT", "/issuers/test-issuer", Who::Staff, Some(moved))
        .await
        .ok();
    let first = app
        .get(&format!("/documents/T{}-001", yy()), Who::Staff)
        .await
        .ok();
    assert_eq!(first["header"]["seller"]["address"]["city"], "Berlin");
    let cancelled = app
        .post(
            "/orders/before/cancel",
            Who::Staff,
            json!({"fee": {"type": "none"}}),
        )
        .await
        .ok();
    let credit = cancelled["documents"][0]["number"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let credit = app
        .get(&format!("/documents/{credit}"), Who::Staff)
        .await
        .ok();
    assert_eq!(credit["header"]["seller"]["address"]["city"], "Potsdam");
    assert_eq!(
        credit["kind"]["cancels"]["number"]["text"],
        format!("T{}/001", yy())
    );
    assert!(credit["kind"]["cancels"]["issue_date"].is_string());
}
