//! OASIS UBL 2.1 conforming to EN 16931 and XRechnung 3.0: an `Invoice` (380), or a
//! `CreditNote` (381) for a cancellation document, whose element order differs.

use storno_core::Document;

use crate::einvoice::{BUSINESS_PROCESS, EInvoice, SPECIFICATION, UNIT, plain};
use crate::xml::Xml;

const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// The document as UBL XML. The same document always gives the same bytes.
pub fn ubl(document: &Document) -> Vec<u8> {
    let e = EInvoice::of(document);
    let credit_note = e.type_code == "381";
    let (root, namespace, line_element, quantity_element) = if credit_note {
        (
            "CreditNote",
            "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
            "cac:CreditNoteLine",
            "cbc:CreditedQuantity",
        )
    } else {
        (
            "Invoice",
            "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
            "cac:InvoiceLine",
            "cbc:InvoicedQuantity",
        )
    };
    let currency = document.currency();
    let currency = currency.code();
    let money = |x: &mut Xml, name: &str, value| {
        x.leaf_with(name, &[("currencyID", currency)], &e.amount(value));
    };
    let mut x = Xml::new();
    x.open_with(
        root,
        &[("xmlns", namespace), ("xmlns:cac", CAC), ("xmlns:cbc", CBC)],
    );
    x.leaf("cbc:CustomizationID", SPECIFICATION);
    x.leaf("cbc:ProfileID", BUSINESS_PROCESS);
    x.leaf("cbc:ID", &document.number.to_string());
    x.leaf("cbc:IssueDate", &document.issue_date.to_string());
    if credit_note {
        x.leaf("cbc:CreditNoteTypeCode", e.type_code);
    } else {
        x.leaf("cbc:InvoiceTypeCode", e.type_code);
    }
    for note in &e.notes {
        x.leaf("cbc:Note", note);
    }
    x.leaf("cbc:DocumentCurrencyCode", currency);
    x.leaf("cbc:BuyerReference", &e.buyer_reference);
    x.wrapped(
        "cac:OrderReference",
        "cbc:ID",
        document.header.order.as_str(),
    );
    if let Some(preceding) = e.preceding {
        x.open("cac:BillingReference");
        x.open("cac:InvoiceDocumentReference");
        x.leaf("cbc:ID", &preceding.number.to_string());
        x.leaf("cbc:IssueDate", &preceding.issue_date.to_string());
        x.close("cac:InvoiceDocumentReference");
        x.close("cac:BillingReference");
    }
    parties(&mut x, &e);
    if let Some(delivered) = e.actual_delivery {
        x.wrapped(
            "cac:Delivery",
            "cbc:ActualDeliveryDate",
            &delivered.to_string(),
        );
    }

    x.open("cac:PaymentMeans");
    x.leaf_with(
        "cbc:PaymentMeansCode",
        &[("name", &e.payment.information)],
        e.payment.code,
    );
    x.leaf("cbc:PaymentID", &document.number.to_string());
    if let Some(account) = &e.payment.account {
        x.open("cac:PayeeFinancialAccount");
        x.leaf("cbc:ID", &account.iban);
        x.leaf("cbc:Name", &account.holder);
        if let Some(bic) = &account.bic {
            x.wrapped("cac:FinancialInstitutionBranch", "cbc:ID", bic);
        }
        x.close("cac:PayeeFinancialAccount");
    }
    x.close("cac:PaymentMeans");
    x.wrapped("cac:PaymentTerms", "cbc:Note", &e.terms);

    x.open("cac:TaxTotal");
    money(&mut x, "cbc:TaxAmount", e.totals.tax);
    for tax in &e.taxes {
        x.open("cac:TaxSubtotal");
        money(&mut x, "cbc:TaxableAmount", tax.basis);
        money(&mut x, "cbc:TaxAmount", tax.amount);
        x.open("cac:TaxCategory");
        x.leaf("cbc:ID", tax.category);
        x.leaf("cbc:Percent", &plain(tax.rate));
        if let Some(reason) = &tax.exemption_reason {
            x.leaf("cbc:TaxExemptionReason", reason);
        }
        x.wrapped("cac:TaxScheme", "cbc:ID", "VAT");
        x.close("cac:TaxCategory");
        x.close("cac:TaxSubtotal");
    }
    x.close("cac:TaxTotal");

    let t = &e.totals;
    x.open("cac:LegalMonetaryTotal");
    money(&mut x, "cbc:LineExtensionAmount", t.lines);
    money(&mut x, "cbc:TaxExclusiveAmount", t.lines);
    money(&mut x, "cbc:TaxInclusiveAmount", t.grand);
    money(&mut x, "cbc:PrepaidAmount", t.prepaid);
    if !t.rounding.is_zero() {
        money(&mut x, "cbc:PayableRoundingAmount", t.rounding);
    }
    money(&mut x, "cbc:PayableAmount", t.due);
    x.close("cac:LegalMonetaryTotal");

    for line in &e.lines {
        x.open(line_element);
        x.leaf("cbc:ID", &line.id.to_string());
        if let Some(note) = &line.note {
            x.leaf("cbc:Note", note);
        }
        x.leaf_with(
            quantity_element,
            &[("unitCode", UNIT)],
            &plain(line.quantity),
        );
        money(&mut x, "cbc:LineExtensionAmount", line.net);
        if let Some((start, end)) = line.period {
            x.open("cac:InvoicePeriod");
            x.leaf("cbc:StartDate", &start.to_string());
            x.leaf("cbc:EndDate", &end.to_string());
            x.close("cac:InvoicePeriod");
        }
        x.open("cac:Item");
        x.leaf("cbc:Name", &line.name);
        x.open("cac:ClassifiedTaxCategory");
        x.leaf("cbc:ID", line.category);
        x.leaf("cbc:Percent", &plain(line.rate));
        x.wrapped("cac:TaxScheme", "cbc:ID", "VAT");
        x.close("cac:ClassifiedTaxCategory");
        x.close("cac:Item");
        x.open("cac:Price");
        x.leaf_with(
            "cbc:PriceAmount",
            &[("currencyID", currency)],
            &plain(line.unit_price),
        );
        x.close("cac:Price");
        x.close(line_element);
    }
    x.close(root);
    x.finish()
}

fn postal_address(x: &mut Xml, address: &storno_core::PostalAddress) {
    x.open("cac:PostalAddress");
    x.leaf("cbc:StreetName", &address.street);
    if let Some(additional) = &address.additional {
        x.leaf("cbc:AdditionalStreetName", additional);
    }
    x.leaf("cbc:CityName", &address.city);
    x.leaf("cbc:PostalZone", &address.postal_code);
    x.wrapped(
        "cac:Country",
        "cbc:IdentificationCode",
        address.country.as_str(),
    );
    x.close("cac:PostalAddress");
}

fn tax_scheme(x: &mut Xml, id: &str, scheme: &str) {
    x.open("cac:PartyTaxScheme");
    x.leaf("cbc:CompanyID", id);
    x.wrapped("cac:TaxScheme", "cbc:ID", scheme);
    x.close("cac:PartyTaxScheme");
}

fn parties(x: &mut Xml, e: &EInvoice<'_>) {
    let header = &e.document.header;
    let seller = &header.seller;
    let buyer = &header.recipient;

    x.open("cac:AccountingSupplierParty");
    x.open("cac:Party");
    x.leaf_with(
        "cbc:EndpointID",
        &[("schemeID", "EM")],
        &seller.contact.email,
    );
    x.wrapped("cac:PartyIdentification", "cbc:ID", seller.issuer.as_str());
    postal_address(x, &seller.address);
    if let Some(vat_id) = &seller.vat_id {
        tax_scheme(x, vat_id.as_str(), "VAT");
    }
    if let Some(tax_number) = &seller.tax_number {
        tax_scheme(x, tax_number, "FC");
    }
    x.open("cac:PartyLegalEntity");
    x.leaf("cbc:RegistrationName", &seller.legal_name);
    if let Some(exemption) = &seller.vat_exemption {
        x.leaf("cbc:CompanyLegalForm", exemption);
    }
    x.close("cac:PartyLegalEntity");
    x.open("cac:Contact");
    x.leaf("cbc:Name", &seller.contact.name);
    x.leaf("cbc:Telephone", &seller.contact.phone);
    x.leaf("cbc:ElectronicMail", &seller.contact.email);
    x.close("cac:Contact");
    x.close("cac:Party");
    x.close("cac:AccountingSupplierParty");

    x.open("cac:AccountingCustomerParty");
    x.open("cac:Party");
    x.leaf_with("cbc:EndpointID", &[("schemeID", "EM")], &buyer.email);
    postal_address(x, &buyer.address);
    if let Some(vat_id) = &buyer.vat_id {
        tax_scheme(x, vat_id.as_str(), "VAT");
    }
    x.wrapped(
        "cac:PartyLegalEntity",
        "cbc:RegistrationName",
        buyer.company.as_deref().unwrap_or(&buyer.name),
    );
    if buyer.company.is_some() {
        x.wrapped("cac:Contact", "cbc:Name", &buyer.name);
    }
    x.close("cac:Party");
    x.close("cac:AccountingCustomerParty");
}
