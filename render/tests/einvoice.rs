//! Every document of the end-to-end stories in every form: CII, UBL and PDF/A-3. Each is
//! written to `target/einvoice/<story>/` where the test command runs the official EN 16931 and
//! XRechnung rules on the XML and checks the PDFs with pikepdf; here the bytes are checked for
//! determinism and for what the rules cannot see (signs, type codes, references).

mod corpus;

use std::path::PathBuf;

use storno_core::{Document, DocumentKind};
use storno_render::{Format, Profile, cii, cii_as, pdf, ubl};

const XRECHNUNG_SPEC: &str =
    "<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</ram:ID>";
const FACTUR_X_SPEC: &str = "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>";

/// Storno's programs read the CJK font from a file; the tests read the repository's copy.
fn cjk_font() -> Option<Vec<u8>> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/fonts/cjk/NotoSansCJK-Regular.otf"
    ))
    .ok()
}

fn out_dir(story: &str) -> PathBuf {
    storno_render::set_cjk_font_loader(cjk_font);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/einvoice")
        .join(story);
    std::fs::create_dir_all(&dir).expect("create target/einvoice");
    dir
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 XML")
}

/// The value of the first `<tag>…</tag>`.
fn element<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no {tag}"));
    let start = start + xml[start..].find('>').unwrap() + 1;
    let end = start + xml[start..].find("</").unwrap();
    &xml[start..end]
}

fn check_xml(document: &Document, cii_xml: &str, ubl_xml: &str) {
    let (code, preceding) = match &document.kind {
        DocumentKind::Cancellation { cancels } => ("381", Some(cancels)),
        DocumentKind::Invoice { replaces, .. } => ("380", replaces.as_ref()),
        DocumentKind::FeeInvoice { after_cancelled } => ("380", Some(after_cancelled)),
        DocumentKind::CommissionInvoice { .. } => ("380", None),
    };
    assert_eq!(
        element(cii_xml, "ram:TypeCode"),
        code,
        "{}",
        document.number
    );
    let exchanged = &cii_xml[cii_xml.find("<rsm:ExchangedDocument>").expect("BT-1")..];
    assert_eq!(element(exchanged, "ram:ID"), document.number.to_string());
    match preceding {
        Some(reference) => {
            let bg3 = &cii_xml[cii_xml
                .find("<ram:InvoiceReferencedDocument>")
                .expect("BG-3")..];
            assert_eq!(
                element(bg3, "ram:IssuerAssignedID"),
                reference.number.to_string()
            );
            assert!(ubl_xml.contains("<cac:BillingReference>"));
        }
        None => assert!(!cii_xml.contains("InvoiceReferencedDocument")),
    }
    // The terms say how the document is settled: a credit note and whatever replaces the
    // invoice it cancels are set against each other, never refunded and paid in full twice.
    let terms = element(
        &cii_xml[cii_xml
            .find("<ram:SpecifiedTradePaymentTerms>")
            .expect("BT-20")..],
        "ram:Description",
    );
    match (&document.kind, preceding) {
        (DocumentKind::Cancellation { .. }, _) => {
            assert!(terms.contains("verrechnet"), "{terms}");
        }
        (DocumentKind::CommissionInvoice { .. }, _) => {}
        (_, Some(reference)) => {
            assert!(terms.contains("Verrechnung"), "{terms}");
            assert!(terms.contains(&reference.number.to_string()), "{terms}");
        }
        (_, None) => assert!(terms.starts_with("Bereits bezahlt"), "{terms}"),
    }
    if code == "381" {
        // A credit note states the cancelled invoice's own (positive) amounts.
        assert!(ubl_xml.contains("<CreditNote"));
        let due = element(cii_xml, "ram:DuePayableAmount");
        assert!(!due.starts_with('-'), "{due}");
        assert_eq!(due, (-document.payable.amount()).to_string());
    } else {
        assert!(ubl_xml.contains("<Invoice"));
        assert_eq!(
            element(cii_xml, "ram:GrandTotalAmount"),
            document.gross.amount().to_string()
        );
    }
}

fn check_pdf(document: &Document, bytes: &[u8], cii_xml: &[u8]) {
    assert!(bytes.starts_with(b"%PDF-1.7"), "{}", document.number);
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/AFRelationship /Alternative") || has(b"/AFRelationship/Alternative"));
    assert!(has(b"(factur-x.xml)"));
    assert!(has(b"<pdfaid:part>3</pdfaid:part>"));
    assert!(has(b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"));
    assert!(has(
        b"<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>"
    ));
    assert!(!cii_xml.is_empty());
}

#[test]
fn every_document_of_the_stories_renders_as_cii_ubl_and_pdf_the_same_every_time() {
    let mut count = 0;
    for (name, story) in corpus::stories() {
        let dir = out_dir(name);
        for document in &story.documents {
            let cii_xml = cii(document);
            let ubl_xml = ubl(document);
            let pdf_bytes = pdf(document).unwrap_or_else(|e| panic!("{}: {e}", document.number));
            assert_eq!(cii(document), cii_xml, "CII of {} differs", document.number);
            assert_eq!(ubl(document), ubl_xml, "UBL of {} differs", document.number);
            assert_eq!(
                pdf(document).unwrap(),
                pdf_bytes,
                "PDF of {} differs",
                document.number
            );
            check_xml(document, text(&cii_xml), text(&ubl_xml));
            check_pdf(document, &pdf_bytes, &cii_xml);
            std::fs::write(dir.join(Format::Cii.file_name(document)), &cii_xml).unwrap();
            std::fs::write(dir.join(Format::Ubl.file_name(document)), &ubl_xml).unwrap();
            std::fs::write(dir.join(Format::Pdf.file_name(document)), &pdf_bytes).unwrap();
            // What the PDF embeds: the same CII declaring the Factur-X EN 16931 profile (the
            // test command compares it with the PDF's attachment byte for byte).
            let facturx = cii_as(document, Profile::FacturXEn16931);
            assert_eq!(
                text(&facturx).replace(FACTUR_X_SPEC, XRECHNUNG_SPEC),
                text(&cii_xml),
                "only BT-24 differs"
            );
            let id = document.number.id();
            std::fs::write(dir.join(format!("{id}-facturx.xml")), &facturx).unwrap();
            count += 1;
        }
    }
    // The stories issue every kind: invoices and versions, cancellation documents, a fee
    // invoice and a commission invoice.
    assert!(count >= 15, "{count} documents");
}

#[test]
fn the_stories_issue_every_kind_of_document() {
    let documents: Vec<_> = corpus::stories()
        .into_iter()
        .flat_map(|(_, story)| story.documents)
        .collect();
    let kinds = |f: fn(&DocumentKind) -> bool| documents.iter().filter(|d| f(&d.kind)).count();
    assert!(kinds(|k| matches!(k, DocumentKind::Invoice { version: 1, .. })) >= 6);
    assert!(kinds(|k| matches!(k, DocumentKind::Invoice { version: 2.., .. })) >= 3);
    assert!(kinds(|k| matches!(k, DocumentKind::Cancellation { .. })) >= 4);
    assert!(kinds(|k| matches!(k, DocumentKind::FeeInvoice { .. })) >= 1);
    assert!(kinds(|k| matches!(k, DocumentKind::CommissionInvoice { .. })) == 2);
}

#[test]
fn a_commission_invoice_to_a_partner_in_another_member_state_is_reverse_charged() {
    let story = corpus::reverse_charge();
    let invoice = story
        .documents
        .iter()
        .find(|d| matches!(d.kind, DocumentKind::CommissionInvoice { .. }))
        .expect("the payout's commission invoice");
    assert_eq!(invoice.vat.amount(), rust_decimal::Decimal::ZERO);
    assert_eq!(
        invoice.payable, invoice.net,
        "the partner pays no VAT to the platform"
    );
    let [rate] = invoice.vat_breakdown.as_slice() else {
        panic!("one rate: {:?}", invoice.vat_breakdown)
    };
    assert_eq!(rate.category, storno_core::VatCategory::ReverseCharge);
    let cii = storno_render::render(invoice, storno_render::Format::Cii).unwrap();
    let cii = text(&cii);
    assert!(
        cii.contains("<ram:CategoryCode>AE</ram:CategoryCode>"),
        "{cii}"
    );
    assert!(cii.contains("Steuerschuldnerschaft des Leistungsempfängers"));
    assert!(cii.contains("ATU12345678"), "the buyer's VAT id (BT-48)");
    // A partner in the platform's own country is charged German VAT as before.
    let at_home = corpus::konfetti();
    let home = at_home
        .documents
        .iter()
        .find(|d| matches!(d.kind, DocumentKind::CommissionInvoice { .. }))
        .unwrap();
    assert!(home.vat.is_positive());
}
