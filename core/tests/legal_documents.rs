//! Documents that are legal invoices (§ 14 Abs. 4 UStG, EN 16931): parties configured once and
//! frozen onto each document, the issue date in the issuer's time zone, service periods, VAT per
//! rate, gross prices charged to the cent, references to the original's number and date, and
//! the refusals of bad parties.

mod common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use storno_core::*;

fn converia() -> World {
    World::register(
        converia_order(issuer(
            CancelledOptionPresentation::CancellationLine,
            FeeVatMode::ItemRate,
        )),
        &[conference()],
        at(2025, 4, 1),
    )
}

fn gross_option(
    option_id: &str,
    name: &str,
    price: Decimal,
    rate: Decimal,
    quantity: u32,
) -> NewOption {
    NewOption {
        quantity,
        price_entry: Some(PriceEntry::Gross),
        ..option(option_id, name, price, rate)
    }
}

/// A konfetti-style order priced gross with the given options, captured as charged.
fn gross_sale(options: Vec<NewOption>, captured: Decimal) -> Sale {
    let mut sale = course_order(SalesChannel::Direct);
    sale.bookings[0].options = options;
    sale.captured = eur(captured);
    sale
}

fn register(sale: Sale) -> Result<Decision, DomainError> {
    let ctx = Context {
        now: at(2025, 2, 1),
        actor: Actor::System,
        issuer: std::sync::Arc::new(sale.issuer.clone()),
        next_document_seq: 1,
    };
    register_order(sale.order, &course_dates(), &ctx)
}

#[test]
fn every_document_states_seller_recipient_issue_date_lines_service_periods_and_vat_per_rate() {
    let world = converia();
    let invoice = world.document("CDC25/001");
    let seller = &invoice.header.seller;
    assert_eq!(&*seller.legal_name, "converia-demo GmbH");
    assert_eq!(seller.address.country.as_str(), "DE");
    assert_eq!(seller.vat_id.as_ref().unwrap().as_str(), "DE123456789");
    assert_eq!(seller.payment.iban.as_str(), "DE89370400440532013000");
    let recipient = &invoice.header.recipient;
    assert_eq!(&*recipient.name, "Erika Mustermann");
    assert_eq!(recipient.company.as_deref(), Some("Beispiel AG"));
    assert_eq!(&*recipient.address.city, "München");
    assert_eq!(
        recipient.buyer_reference.as_deref(),
        Some("04011000-12345-67")
    );
    assert_eq!(invoice.issue_date.to_string(), "2025-04-01");
    let line = &invoice.lines[0];
    assert_eq!((line.quantity, line.unit_price), (1, dec!(400)));
    let period = line.service_period.unwrap();
    assert_eq!(
        (period.start.to_string(), period.end.to_string()),
        ("2025-06-10".to_owned(), "2025-06-13".to_owned())
    );
    assert_eq!(invoice.vat_breakdown.len(), 1);
    let summary = &invoice.vat_breakdown[0];
    assert_eq!(
        (summary.rate, summary.category, summary.taxable, summary.vat),
        (
            vat(dec!(19)),
            VatCategory::Standard,
            eur(dec!(900)),
            eur(dec!(171))
        )
    );
    assert_eq!(invoice.payable, eur(dec!(1071)));
}

#[test]
fn cancellation_documents_and_new_versions_name_the_originals_number_and_issue_date() {
    let mut world = converia();
    world.now = at(2025, 4, 3);
    world
        .run(staff(), |o, c| {
            cancel_option(o, &id("anna"), &id("anna-ws"), &FeeChoice::None, c)
        })
        .unwrap();
    world.now = at(2025, 4, 5);
    world.run(staff(), update_invoice).unwrap();
    let original = world.document("CDC25/001").reference();
    assert_eq!(original.issue_date.to_string(), "2025-04-01");
    let credit = world.document("CDC25/002");
    assert_eq!(credit.kind.refers_to(), Some(&original));
    assert_eq!(credit.issue_date.to_string(), "2025-04-03");
    let v2 = world.document("CDC25/001/2");
    assert_eq!(v2.kind.refers_to(), Some(&original));
    assert_eq!(v2.issue_date.to_string(), "2025-04-05");
}

#[test]
fn changing_the_issuer_never_changes_an_issued_document_only_the_next_one() {
    let mut world = converia();
    let before = world.document("CDC25/001").clone();
    let mut moved = (*world.issuer).clone();
    moved.address.city = "Hamburg".into();
    world.issuer = std::sync::Arc::new(moved);
    world
        .run(staff(), |o, c| cancel_invoice(o, &FeeChoice::None, c))
        .unwrap();
    assert_eq!(world.document("CDC25/001"), &before);
    assert_eq!(&*before.header.seller.address.city, "Berlin");
    assert_eq!(
        &*world.document("CDC25/002").header.seller.address.city,
        "Hamburg"
    );
}

#[test]
fn vat_is_computed_once_per_rate_three_times_33_33_net_at_19_percent_is_19_00() {
    let mut sale = converia_order(issuer(CancelledOptionPresentation::Omit, FeeVatMode::None));
    sale.bookings = vec![booking(
        "anna",
        "Anna Schmidt",
        "conf-2025",
        vec![NewOption {
            quantity: 3,
            ..option("a", "Lunch", dec!(33.33), dec!(19))
        }],
    )];
    sale.captured = eur(dec!(118.99));
    let world = World::register(sale, &[conference()], at(2025, 4, 1));
    let invoice = world.document("CDC25/001");
    assert_eq!(
        (invoice.net, invoice.vat),
        (eur(dec!(99.99)), eur(dec!(19.00)))
    );
}

#[test]
fn gross_prices_register_exactly_what_the_shop_charged() {
    for (price, quantity, total) in [
        (dec!(49.00), 2, dec!(98.00)),
        (dec!(10.00), 2, dec!(20.00)),
        (dec!(13.00), 1, dec!(13.00)),
        (dec!(39.99), 1, dec!(39.99)),
        (dec!(99.99), 1, dec!(99.99)),
    ] {
        let sale = gross_sale(
            vec![gross_option("seat", "Course", price, dec!(19), quantity)],
            total,
        );
        let decision = register(sale).unwrap_or_else(|e| panic!("{price} × {quantity}: {e}"));
        let invoice = &decision.documents[0];
        assert_eq!(invoice.payable, eur(total));
        let summary = &invoice.vat_breakdown[0];
        // The VAT the price contains, within BR-CO-17's tolerance of round(net × rate).
        assert_eq!(summary.vat, eur(total) - summary.taxable, "VAT contained");
        let computed = summary.rate.vat_on(summary.taxable);
        assert!(
            (summary.vat - computed).amount().abs() <= dec!(0.01),
            "BR-CO-17"
        );
        assert_eq!(invoice.rounding, eur(dec!(0)));
        assert_eq!(invoice.gross, eur(total));
    }
}

#[test]
fn a_worked_gross_invoice_at_7_and_19_percent_states_each_rate_and_refunds_exactly() {
    // Two course seats at 49.00 (19 %) and a cookbook at 10.70 (7 %), all gross: 108.70.
    let sale = gross_sale(
        vec![
            gross_option("seat", "Pasta course", dec!(49.00), dec!(19), 2),
            gross_option("book", "Cookbook", dec!(10.70), dec!(7), 1),
        ],
        dec!(108.70),
    );
    let mut world = World::register(sale, &course_dates(), at(2025, 2, 1));
    let invoice = world.document("KF/001");
    let by_rate: Vec<(Decimal, Decimal, Decimal)> = invoice
        .vat_breakdown
        .iter()
        .map(|s| (s.rate.percent(), s.taxable.amount(), s.vat.amount()))
        .collect();
    // 98.00 / 1.19 = 82.35 (VAT 15.65); 10.70 / 1.07 = 10.00 (VAT 0.70).
    assert_eq!(
        by_rate,
        [
            (dec!(7), dec!(10.00), dec!(0.70)),
            (dec!(19), dec!(82.35), dec!(15.65))
        ]
    );
    assert_eq!(invoice.rounding, eur(dec!(0)));
    assert_eq!(invoice.payable, eur(dec!(108.70)));
    let seat = invoice
        .lines
        .iter()
        .find(|l| l.option == Some(id("seat")))
        .unwrap();
    assert_eq!(
        (seat.quantity, seat.net, seat.gross),
        (2, eur(dec!(82.35)), Some(eur(dec!(98.00))))
    );
    assert_eq!(seat.unit_price, dec!(41.175));

    // Cancelling the cookbook returns exactly what was paid for it.
    world
        .run(staff(), |o, c| {
            cancel_option(o, &id("guest"), &id("book"), &FeeChoice::None, c)
        })
        .unwrap();
    assert_eq!(world.refunds(), eur(dec!(10.70)));
    world.run(staff(), update_invoice).unwrap();
    assert_eq!(world.document("KF/001/2").payable, eur(dec!(98.00)));
}

#[test]
fn a_gross_price_states_the_vat_it_contains_with_no_rounding_amount() {
    let sale = gross_sale(
        vec![gross_option("seat", "Course", dec!(13.00), dec!(19), 1)],
        dec!(13.00),
    );
    let invoice = register(sale).unwrap().documents[0].clone();
    // 13.00 contains 10.92 net and 2.08 VAT (§ 14c UStG: the VAT stated is owed), not
    // 2.07 (round(10.92 × 19 %)) plus a rounding amount of 0.01.
    assert_eq!(
        (invoice.net, invoice.vat),
        (eur(dec!(10.92)), eur(dec!(2.08)))
    );
    assert_eq!(invoice.rounding, eur(dec!(0)));
    assert_eq!(invoice.payable, eur(dec!(13.00)));
}

#[test]
fn a_vat_exempt_issuer_states_no_vat_and_its_exemption_note() {
    let mut sale = course_order(SalesChannel::Direct);
    let mut exempt = konfetti_issuer();
    exempt.vat_exemption = Some(VatExemption {
        note: "Kein Ausweis von Umsatzsteuer, da Kleinunternehmer gemäß § 19 UStG".into(),
    });
    sale.set_issuer(exempt);
    sale.bookings[0].options[0].vat_rate = vat(dec!(0));
    let invoice = register(sale.clone()).unwrap().documents[0].clone();
    let summary = &invoice.vat_breakdown[0];
    assert_eq!(summary.category, VatCategory::Exempt);
    assert!(
        summary
            .exemption_reason
            .as_deref()
            .unwrap()
            .contains("§ 19 UStG")
    );
    assert_eq!(invoice.vat, eur(dec!(0)));

    sale.bookings[0].options[0].vat_rate = vat(dec!(19));
    assert_eq!(register(sale).unwrap_err().code(), "vat_on_exempt_issuer");
}

#[test]
fn bad_parties_and_prices_are_refused_each_with_its_own_code() {
    let refused = |change: &dyn Fn(&mut Sale)| {
        let mut sale = course_order(SalesChannel::Direct);
        change(&mut sale);
        register(sale).unwrap_err()
    };
    assert_eq!(
        refused(&|s| s.recipient.address = None).code(),
        "recipient_address_missing"
    );
    assert_eq!(
        refused(&|s| s.recipient.vat_id = Some("DE12".into())).code(),
        "invalid_vat_id"
    );
    assert_eq!(
        refused(&|s| s.recipient.address.as_mut().unwrap().country = "Germany".into()).code(),
        "invalid_country"
    );
    assert_eq!(
        refused(&|s| s.recipient.email = "not an address".into()).code(),
        "invalid_email"
    );
    assert_eq!(
        refused(&|s| s.bookings[0].options[0].price_entry = Some(PriceEntry::Net)).code(),
        "price_entry_mismatch"
    );
    assert_eq!(
        refused(&|s| s.order.issuer = id("someone-else")).code(),
        "unknown_issuer"
    );
}

#[test]
fn an_issuer_needs_a_tax_id_a_valid_iban_and_a_real_time_zone() {
    let entry = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut value = serde_json::json!({
            "legal_name": "Konfetti GmbH",
            "address": {"street": "Allee 1", "postal_code": "20095", "city": "Hamburg", "country": "DE"},
            "vat_id": "DE123456789",
            "contact": {"name": "Billing", "phone": "+49 40 123456", "email": "billing@example.org"},
            "payment": {"iban": "DE89370400440532013000"},
            "time_zone": "Europe/Berlin",
            "numbers": {"prefix": "KF", "yearly": false},
            "cancelled_options": "omit", "fee_vat": "item_rate", "prices": "gross",
        });
        change(&mut value);
        let new: NewIssuer = serde_json::from_value(value).unwrap();
        Issuer::new(id("konfetti"), new, &Actor::System)
    };
    assert!(entry(&|_| {}).is_ok());
    let code = |change: &dyn Fn(&mut serde_json::Value)| entry(change).unwrap_err().code();
    assert_eq!(
        code(&|v| v["vat_id"] = serde_json::Value::Null),
        "invalid_vat_id"
    );
    assert_eq!(
        code(&|v| v["payment"]["iban"] = "DE00370400440532013000".into()),
        "invalid_iban"
    );
    assert_eq!(
        code(&|v| v["time_zone"] = "Mars/Olympus".into()),
        "invalid_time_zone"
    );
    assert_eq!(
        code(&|v| v["contact"]["phone"] = "n/a".into()),
        "invalid_phone"
    );
    let customer = Issuer::new(
        id("konfetti"),
        serde_json::from_value(serde_json::json!({
            "legal_name": "X", "address": {"street": "A", "postal_code": "1", "city": "B", "country": "DE"},
            "tax_number": "30/123/45678",
            "contact": {"name": "N", "phone": "123", "email": "a@b.de"},
            "payment": {"iban": "DE89370400440532013000"}, "time_zone": "Europe/Berlin",
            "numbers": {"prefix": "X", "yearly": false}, "cancelled_options": "omit",
            "fee_vat": "none", "prices": "net",
        }))
        .unwrap(),
        &customer(),
    );
    assert_eq!(customer.unwrap_err().code(), "forbidden");
}
