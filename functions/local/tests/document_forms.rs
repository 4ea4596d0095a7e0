//! The document route serves every form: JSON by default, the CII or UBL XML and the PDF/A-3
//! chosen by `?format=` or `Accept`, with a file name to save it under. The forms it serves
//! are written to `target/einvoice/http/`, where the test command validates them like the
//! renderer's own corpus.

mod support;

use std::path::PathBuf;

use serde_json::json;
use support::*;

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/einvoice/http");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_document_is_served_as_json_cii_ubl_and_pdf() {
    let app = App::new().await;
    app.date("conference", "partner-1", 40, 2, json!([])).await;
    app.order(order(
        "forms",
        "customer-1",
        "partner-1",
        "conference",
        "direct",
        "357.00",
        vec![
            vec![option("pass", "200"), option("ws", "50")],
            vec![option("pass", "50")],
        ],
    ))
    .await;
    app.post(
        "/orders/forms/bookings/b0/options/ws/cancel",
        Who::Staff,
        json!({"fee": {"type": "none"}}),
    )
    .await
    .ok();
    app.post("/orders/forms/invoice/update", Who::Staff, json!({}))
        .await
        .ok();
    let archive = app.get("/orders/forms/documents", Who::Staff).await.ok();
    let documents = archive["documents"].as_array().unwrap();
    assert_eq!(
        documents.len(),
        3,
        "invoice, cancellation document, version 2"
    );
    let dir = out_dir();
    for document in documents {
        let number = document["number"]["text"].as_str().unwrap();
        let id = document["number"]["id"].as_str().unwrap();
        let path = format!("/documents/{id}");

        let cii = app.get(&format!("{path}?format=cii"), CUSTOMER).await;
        assert_eq!(cii.status, 200, "{number}");
        assert_eq!(header(&cii, "content-type"), "application/xml");
        assert_eq!(
            header(&cii, "content-disposition"),
            format!("attachment; filename=\"{id}-cii.xml\"")
        );
        assert!(String::from_utf8_lossy(&cii.bytes).contains("CrossIndustryInvoice"));

        let accept_xml = app
            .raw(
                "GET",
                &path,
                CUSTOMER,
                Vec::new(),
                &[("accept", "application/xml")],
            )
            .await;
        assert_eq!(
            accept_xml.bytes, cii.bytes,
            "Accept: application/xml is the CII"
        );

        let ubl = app.get(&format!("{path}?format=ubl"), PARTNER).await;
        assert_eq!(ubl.status, 200);
        assert_eq!(
            header(&ubl, "content-disposition"),
            format!("attachment; filename=\"{id}-ubl.xml\"")
        );

        let pdf = app
            .raw(
                "GET",
                &path,
                CUSTOMER,
                Vec::new(),
                &[("accept", "text/html, application/pdf;q=0.9")],
            )
            .await;
        assert_eq!(pdf.status, 200);
        assert_eq!(header(&pdf, "content-type"), "application/pdf");
        assert_eq!(
            header(&pdf, "content-disposition"),
            format!("inline; filename=\"{id}.pdf\"")
        );
        assert!(pdf.bytes.starts_with(b"%PDF-"));

        let json = app.get(&path, CUSTOMER).await.ok();
        assert_eq!(json["number"]["text"], number);

        std::fs::write(dir.join(format!("{id}-cii.xml")), &cii.bytes).unwrap();
        std::fs::write(dir.join(format!("{id}-ubl.xml")), &ubl.bytes).unwrap();
        std::fs::write(dir.join(format!("{id}.pdf")), &pdf.bytes).unwrap();
    }

    let id = documents[0]["number"]["id"].as_str().unwrap();
    let unknown = app
        .get(&format!("/documents/{id}?format=docx"), CUSTOMER)
        .await;
    assert_eq!((unknown.status, unknown.code()), (400, "invalid_format"));
    let html = app
        .raw(
            "GET",
            &format!("/documents/{id}"),
            CUSTOMER,
            Vec::new(),
            &[("accept", "text/html")],
        )
        .await;
    assert_eq!((html.status, html.code()), (406, "not_acceptable"));
    // Another customer learns nothing, in any form.
    let other = app
        .get(&format!("/documents/{id}?format=pdf"), OTHER_CUSTOMER)
        .await;
    assert_eq!(other.status, 404);
}
