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
    let currency = document.currency();
    let u = Ubl {
        credit_note: e.type_code == "381",
        currency: currency.code(),
        e: &e,
        document,
    };
    let (root, namespace) = u.root();
    let mut x = Xml::new();
    x.open_with(
        root,
        &[("xmlns", namespace), ("xmlns:cac", CAC), ("xmlns:cbc", CBC)],
    );
    u.header(&mut x);
    parties(&mut x, &e);
    if let Some(delivered) = e.actual_delivery {
        x.wrapped(
            "cac:Delivery",
            "cbc:ActualDeliveryDate",
            &delivered.to_string(),
        );
    }
    u.payment(&mut x);
    u.tax_total(&mut x);
    u.monetary_total(&mut x);
    for line in &e.lines {
        u.line(&mut x, line);
    }
    x.close(root);
    x.finish()
}

/// One document on its way to UBL: an invoice, or a credit note (element names differ).
struct Ubl<'a> {
    credit_note: bool,
    currency: &'a str,
    e: &'a EInvoice<'a>,
    document: &'a Document,
}

impl Ubl<'_> {
    fn root(&self) -> (&'static str, &'static str) {
        if self.credit_note {
            (
                "CreditNote",
                "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
            )
        } else {
            (
                "Invoice",
                "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
            )
        }
    }

    fn money(&self, x: &mut Xml, name: &str, value: rust_decimal::Decimal) {
        x.leaf_with(
            name,
            &[("currencyID", self.currency)],
            &self.e.amount(value),
        );
    }

    /// Identification, type, notes, currency, references (BT-1 to BT-26).
    fn header(&self, x: &mut Xml) {
        let (e, document) = (self.e, self.document);
        x.leaf("cbc:CustomizationID", SPECIFICATION);
        x.leaf("cbc:ProfileID", BUSINESS_PROCESS);
        x.leaf("cbc:ID", &document.number.to_string());
        x.leaf("cbc:IssueDate", &document.issue_date.to_string());
        if self.credit_note {
            x.leaf("cbc:CreditNoteTypeCode", e.type_code);
        } else {
            x.leaf("cbc:InvoiceTypeCode", e.type_code);
        }
        for note in &e.notes {
            x.leaf("cbc:Note", note);
        }
        x.leaf("cbc:DocumentCurrencyCode", self.currency);
        x.leaf("cbc:BuyerReference", &e.buyer_reference);
        x.wrapped(
            "cac:OrderReference",
            "cbc:ID",
            document.header.order.as_str(),
        );
        if let Some(preceding) = &e.preceding {
            x.open("cac:BillingReference");
            x.open("cac:InvoiceDocumentReference");
            x.leaf("cbc:ID", &preceding.number.to_string());
            x.leaf("cbc:IssueDate", &preceding.issue_date.to_string());
            x.close("cac:InvoiceDocumentReference");
            x.close("cac:BillingReference");
        }
    }

    /// Payment means and terms (BG-16, BT-20).
    fn payment(&self, x: &mut Xml) {
        let e = self.e;
        x.open("cac:PaymentMeans");
        x.leaf_with(
            "cbc:PaymentMeansCode",
            &[("name", &e.payment.information)],
            e.payment.code,
        );
        x.leaf("cbc:PaymentID", &self.document.number.to_string());
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
    }

    /// The VAT per category and rate (BG-23).
    fn tax_total(&self, x: &mut Xml) {
        x.open("cac:TaxTotal");
        self.money(x, "cbc:TaxAmount", self.e.totals.tax);
        for tax in &self.e.taxes {
            x.open("cac:TaxSubtotal");
            self.money(x, "cbc:TaxableAmount", tax.basis);
            self.money(x, "cbc:TaxAmount", tax.amount);
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
    }

    /// The document totals (BG-22).
    fn monetary_total(&self, x: &mut Xml) {
        let t = &self.e.totals;
        x.open("cac:LegalMonetaryTotal");
        self.money(x, "cbc:LineExtensionAmount", t.lines);
        self.money(x, "cbc:TaxExclusiveAmount", t.lines);
        self.money(x, "cbc:TaxInclusiveAmount", t.grand);
        self.money(x, "cbc:PrepaidAmount", t.prepaid);
        if !t.rounding.is_zero() {
            self.money(x, "cbc:PayableRoundingAmount", t.rounding);
        }
        self.money(x, "cbc:PayableAmount", t.due);
        x.close("cac:LegalMonetaryTotal");
    }

    /// One line (BG-25).
    fn line(&self, x: &mut Xml, line: &crate::einvoice::Line) {
        let (element, quantity) = if self.credit_note {
            ("cac:CreditNoteLine", "cbc:CreditedQuantity")
        } else {
            ("cac:InvoiceLine", "cbc:InvoicedQuantity")
        };
        x.open(element);
        x.leaf("cbc:ID", &line.id.to_string());
        if let Some(note) = &line.note {
            x.leaf("cbc:Note", note);
        }
        x.leaf_with(quantity, &[("unitCode", UNIT)], &plain(line.quantity));
        self.money(x, "cbc:LineExtensionAmount", line.net);
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
            &[("currencyID", self.currency)],
            &plain(line.unit_price),
        );
        x.close("cac:Price");
        x.close(element);
    }
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
