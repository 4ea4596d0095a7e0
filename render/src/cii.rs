//! UN/CEFACT Cross Industry Invoice D16B conforming to EN 16931 and XRechnung 3.0 — also the
//! XML a ZUGFeRD / Factur-X PDF carries. Element order follows the D16B schema (lines first,
//! the rounding amount before the grand total, BG-3 after the monetary summation).

use chrono::NaiveDate;
use storno_core::Document;

use crate::einvoice::{BUSINESS_PROCESS, EInvoice, Profile, UNIT, plain};
use crate::xml::Xml;

const NAMESPACES: [(&str, &str); 4] = [
    (
        "xmlns:rsm",
        "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    ),
    (
        "xmlns:ram",
        "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    ),
    (
        "xmlns:qdt",
        "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    ),
    (
        "xmlns:udt",
        "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    ),
];

fn day(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// A `udt:DateTimeString` date in `wrapper`.
fn date(x: &mut Xml, wrapper: &str, value: NaiveDate) {
    x.open(wrapper);
    x.leaf_with("udt:DateTimeString", &[("format", "102")], &day(value));
    x.close(wrapper);
}

/// The document as CII XML declaring XRechnung 3.0, as it is served on its own. The same
/// document always gives the same bytes.
pub fn cii(document: &Document) -> Vec<u8> {
    cii_as(document, Profile::XRechnung)
}

/// The document as CII XML declaring `profile` (BT-24).
pub fn cii_as(document: &Document, profile: Profile) -> Vec<u8> {
    let e = EInvoice::of(document);
    let mut x = Xml::new();
    x.open_with("rsm:CrossIndustryInvoice", &NAMESPACES);

    x.open("rsm:ExchangedDocumentContext");
    x.wrapped(
        "ram:BusinessProcessSpecifiedDocumentContextParameter",
        "ram:ID",
        BUSINESS_PROCESS,
    );
    x.wrapped(
        "ram:GuidelineSpecifiedDocumentContextParameter",
        "ram:ID",
        profile.specification(),
    );
    x.close("rsm:ExchangedDocumentContext");

    x.open("rsm:ExchangedDocument");
    x.leaf("ram:ID", &document.number.to_string());
    x.leaf("ram:TypeCode", e.type_code);
    date(&mut x, "ram:IssueDateTime", document.issue_date);
    for note in &e.notes {
        x.open("ram:IncludedNote");
        x.leaf("ram:Content", note);
        x.close("ram:IncludedNote");
    }
    x.close("rsm:ExchangedDocument");

    x.open("rsm:SupplyChainTradeTransaction");
    lines(&mut x, &e);
    agreement(&mut x, &e);
    match e.actual_delivery {
        Some(delivered) => {
            x.open("ram:ApplicableHeaderTradeDelivery");
            x.open("ram:ActualDeliverySupplyChainEvent");
            date(&mut x, "ram:OccurrenceDateTime", delivered);
            x.close("ram:ActualDeliverySupplyChainEvent");
            x.close("ram:ApplicableHeaderTradeDelivery");
        }
        None => x.empty("ram:ApplicableHeaderTradeDelivery"),
    }
    settlement(&mut x, &e);
    x.close("rsm:SupplyChainTradeTransaction");

    x.close("rsm:CrossIndustryInvoice");
    x.finish()
}

fn lines(x: &mut Xml, e: &EInvoice<'_>) {
    for line in &e.lines {
        x.open("ram:IncludedSupplyChainTradeLineItem");
        x.open("ram:AssociatedDocumentLineDocument");
        x.leaf("ram:LineID", &line.id.to_string());
        if let Some(note) = &line.note {
            x.wrapped("ram:IncludedNote", "ram:Content", note);
        }
        x.close("ram:AssociatedDocumentLineDocument");
        x.wrapped("ram:SpecifiedTradeProduct", "ram:Name", &line.name);
        x.open("ram:SpecifiedLineTradeAgreement");
        x.wrapped(
            "ram:NetPriceProductTradePrice",
            "ram:ChargeAmount",
            &plain(line.unit_price),
        );
        x.close("ram:SpecifiedLineTradeAgreement");
        x.open("ram:SpecifiedLineTradeDelivery");
        x.leaf_with(
            "ram:BilledQuantity",
            &[("unitCode", UNIT)],
            &plain(line.quantity),
        );
        x.close("ram:SpecifiedLineTradeDelivery");
        x.open("ram:SpecifiedLineTradeSettlement");
        x.open("ram:ApplicableTradeTax");
        x.leaf("ram:TypeCode", "VAT");
        x.leaf("ram:CategoryCode", line.category);
        x.leaf("ram:RateApplicablePercent", &plain(line.rate));
        x.close("ram:ApplicableTradeTax");
        if let Some((start, end)) = line.period {
            x.open("ram:BillingSpecifiedPeriod");
            date(x, "ram:StartDateTime", start);
            date(x, "ram:EndDateTime", end);
            x.close("ram:BillingSpecifiedPeriod");
        }
        x.wrapped(
            "ram:SpecifiedTradeSettlementLineMonetarySummation",
            "ram:LineTotalAmount",
            &e.amount(line.net),
        );
        x.close("ram:SpecifiedLineTradeSettlement");
        x.close("ram:IncludedSupplyChainTradeLineItem");
    }
}

fn address(x: &mut Xml, address: &storno_core::PostalAddress) {
    x.open("ram:PostalTradeAddress");
    x.leaf("ram:PostcodeCode", &address.postal_code);
    x.leaf("ram:LineOne", &address.street);
    if let Some(additional) = &address.additional {
        x.leaf("ram:LineTwo", additional);
    }
    x.leaf("ram:CityName", &address.city);
    x.leaf("ram:CountryID", address.country.as_str());
    x.close("ram:PostalTradeAddress");
}

fn electronic_address(x: &mut Xml, email: &str) {
    x.open("ram:URIUniversalCommunication");
    x.leaf_with("ram:URIID", &[("schemeID", "EM")], email);
    x.close("ram:URIUniversalCommunication");
}

fn tax_registration(x: &mut Xml, scheme: &str, id: &str) {
    x.open("ram:SpecifiedTaxRegistration");
    x.leaf_with("ram:ID", &[("schemeID", scheme)], id);
    x.close("ram:SpecifiedTaxRegistration");
}

fn agreement(x: &mut Xml, e: &EInvoice<'_>) {
    let header = &e.document.header;
    let seller = &header.seller;
    let buyer = &header.recipient;
    x.open("ram:ApplicableHeaderTradeAgreement");
    x.leaf("ram:BuyerReference", &e.buyer_reference);

    x.open("ram:SellerTradeParty");
    // BT-29: the issuer's id in the registry (BR-CO-26 when there is no VAT id).
    x.leaf("ram:ID", seller.issuer.as_str());
    x.leaf("ram:Name", &seller.legal_name);
    if let Some(exemption) = &seller.vat_exemption {
        x.leaf("ram:Description", exemption);
    }
    x.open("ram:DefinedTradeContact");
    x.leaf("ram:PersonName", &seller.contact.name);
    x.wrapped(
        "ram:TelephoneUniversalCommunication",
        "ram:CompleteNumber",
        &seller.contact.phone,
    );
    x.wrapped(
        "ram:EmailURIUniversalCommunication",
        "ram:URIID",
        &seller.contact.email,
    );
    x.close("ram:DefinedTradeContact");
    address(x, &seller.address);
    electronic_address(x, &seller.contact.email);
    if let Some(vat_id) = &seller.vat_id {
        tax_registration(x, "VA", vat_id.as_str());
    }
    if let Some(tax_number) = &seller.tax_number {
        tax_registration(x, "FC", tax_number);
    }
    x.close("ram:SellerTradeParty");

    x.open("ram:BuyerTradeParty");
    x.leaf("ram:Name", buyer.company.as_deref().unwrap_or(&buyer.name));
    if buyer.company.is_some() {
        x.wrapped("ram:DefinedTradeContact", "ram:PersonName", &buyer.name);
    }
    address(x, &buyer.address);
    electronic_address(x, &buyer.email);
    if let Some(vat_id) = &buyer.vat_id {
        tax_registration(x, "VA", vat_id.as_str());
    }
    x.close("ram:BuyerTradeParty");

    x.wrapped(
        "ram:BuyerOrderReferencedDocument",
        "ram:IssuerAssignedID",
        header.order.as_str(),
    );
    x.close("ram:ApplicableHeaderTradeAgreement");
}

fn settlement(x: &mut Xml, e: &EInvoice<'_>) {
    let document = e.document;
    let currency = document.currency();
    x.open("ram:ApplicableHeaderTradeSettlement");
    x.leaf("ram:PaymentReference", &document.number.to_string());
    x.leaf("ram:InvoiceCurrencyCode", currency.code());
    payment_means(x, e);
    for tax in &e.taxes {
        x.open("ram:ApplicableTradeTax");
        x.leaf("ram:CalculatedAmount", &e.amount(tax.amount));
        x.leaf("ram:TypeCode", "VAT");
        if let Some(reason) = &tax.exemption_reason {
            x.leaf("ram:ExemptionReason", reason);
        }
        x.leaf("ram:BasisAmount", &e.amount(tax.basis));
        x.leaf("ram:CategoryCode", tax.category);
        x.leaf("ram:RateApplicablePercent", &plain(tax.rate));
        x.close("ram:ApplicableTradeTax");
    }
    x.wrapped(
        "ram:SpecifiedTradePaymentTerms",
        "ram:Description",
        &e.terms,
    );
    summation(x, e, currency.code());
    if let Some(preceding) = e.preceding {
        x.open("ram:InvoiceReferencedDocument");
        x.leaf("ram:IssuerAssignedID", &preceding.number.to_string());
        x.open("ram:FormattedIssueDateTime");
        x.leaf_with(
            "qdt:DateTimeString",
            &[("format", "102")],
            &day(preceding.issue_date),
        );
        x.close("ram:FormattedIssueDateTime");
        x.close("ram:InvoiceReferencedDocument");
    }
    x.close("ram:ApplicableHeaderTradeSettlement");
}

/// How it is paid (BG-16): the means and the seller's account.
fn payment_means(x: &mut Xml, e: &EInvoice<'_>) {
    x.open("ram:SpecifiedTradeSettlementPaymentMeans");
    x.leaf("ram:TypeCode", e.payment.code);
    x.leaf("ram:Information", &e.payment.information);
    if let Some(account) = &e.payment.account {
        x.open("ram:PayeePartyCreditorFinancialAccount");
        x.leaf("ram:IBANID", &account.iban);
        x.leaf("ram:AccountName", &account.holder);
        x.close("ram:PayeePartyCreditorFinancialAccount");
        if let Some(bic) = &account.bic {
            x.wrapped(
                "ram:PayeeSpecifiedCreditorFinancialInstitution",
                "ram:BICID",
                bic,
            );
        }
    }
    x.close("ram:SpecifiedTradeSettlementPaymentMeans");
}

/// The document totals (BG-22).
fn summation(x: &mut Xml, e: &EInvoice<'_>, currency: &str) {
    let t = &e.totals;
    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    x.leaf("ram:LineTotalAmount", &e.amount(t.lines));
    x.leaf("ram:TaxBasisTotalAmount", &e.amount(t.lines));
    x.leaf_with(
        "ram:TaxTotalAmount",
        &[("currencyID", currency)],
        &e.amount(t.tax),
    );
    if !t.rounding.is_zero() {
        x.leaf("ram:RoundingAmount", &e.amount(t.rounding));
    }
    x.leaf("ram:GrandTotalAmount", &e.amount(t.grand));
    x.leaf("ram:TotalPrepaidAmount", &e.amount(t.prepaid));
    x.leaf("ram:DuePayableAmount", &e.amount(t.due));
    x.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
}
