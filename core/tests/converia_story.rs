//! The Converia worked example with real figures: a two-attendee invoice, an option
//! cancellation, an attendee cancellation under the 50 % tier, the update, and finally the
//! cancellation of the whole invoice with an individual fee.

mod common;

use common::*;
use rust_decimal_macros::dec;
use storno_core::*;

fn registered() -> World {
    World::register(
        converia_order(issuer(
            CancelledOptionPresentation::CancellationLine,
            FeeVatMode::ItemRate,
        )),
        &[conference()],
        at(2025, 4, 1),
    )
}

fn totals(document: &Document) -> (Money, Money, Money) {
    (document.net, document.vat, document.gross)
}

#[test]
fn the_first_invoice_states_net_vat_per_rate_and_gross() {
    let world = registered();
    let invoice = world.document("CDC25/001");
    assert_eq!(
        totals(invoice),
        (eur(dec!(900)), eur(dec!(171)), eur(dec!(1071)))
    );
    assert_eq!(invoice.vat_breakdown.len(), 1);
    assert_eq!(invoice.vat_breakdown[0].rate, vat(dec!(19)));
    assert_eq!(invoice.lines.len(), 3);
    assert_eq!(world.order.invoice.status, InvoiceStatus::Issued);
}

#[test]
fn the_converia_story_gives_exact_documents_and_money_at_every_step() {
    let mut world = registered();

    // 1. Cancel Anna's workshop, no fee: the credit note for the whole invoice comes at once.
    let step = world
        .run(staff(), |o, c| {
            cancel_option(o, &id("anna"), &id("anna-ws"), &FeeChoice::None, c)
        })
        .unwrap();
    assert_eq!(step.documents.len(), 1);
    let credit_note = world.document("CDC25/002");
    assert_eq!(
        totals(credit_note),
        (eur(dec!(-900)), eur(dec!(-171)), eur(dec!(-1071)))
    );
    assert_eq!(world.order.invoice.status, InvoiceStatus::Editing);
    assert_eq!(world.refunds(), eur(dec!(119)));

    // 2. Cancel Ben 21 days before the start: the 50 % tier of what Ben paid (476.00).
    world.now = at(2025, 5, 20);
    let step = world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::Terms, c)
        })
        .unwrap();
    assert!(
        step.documents.is_empty(),
        "still editing: no second credit note"
    );
    // The issuer prices net: the fee is 50 % of Ben's 400.00 net, VAT comes on top.
    let fee = step.fee.unwrap();
    assert_eq!(fee.total, eur(dec!(200)));
    assert!(matches!(
        &fee.parts[0].rule,
        FeeRule::Tier {
            number: 2,
            days_before: 21,
            ..
        }
    ));
    assert_eq!(world.refunds(), eur(dec!(357)));

    // 3. Update: version 2 keeps the base number; cancelled items show with their lines.
    world.run(staff(), update_invoice).unwrap();
    let v2 = world.document("CDC25/001/2");
    assert_eq!(totals(v2), (eur(dec!(600)), eur(dec!(114)), eur(dec!(714))));
    let fee_line = v2.lines.iter().find(|l| l.kind == LineKind::Fee).unwrap();
    assert_eq!((fee_line.net, fee_line.gross), (eur(dec!(200)), None));
    assert_eq!(
        v2.vat_breakdown[0].vat,
        eur(dec!(114)),
        "VAT per rate, fee included"
    );
    let ben = v2
        .attendees
        .iter()
        .find(|a| &*a.name == "Ben Meyer")
        .unwrap();
    assert_eq!(ben.note.as_deref(), Some("canceled"));
    assert_eq!(
        v2.kind,
        DocumentKind::Invoice {
            version: 2,
            replaces: Some(world.document("CDC25/001").reference())
        }
    );
    assert_eq!(world.order.owed(), eur(dec!(714)));

    // 4. Cancel the whole invoice with an individual fee of 50.00 net.
    world.now = at(2025, 6, 1);
    let step = world
        .run(staff(), |o, c| {
            cancel_invoice(
                o,
                &FeeChoice::Individual {
                    amount: eur(dec!(50)),
                    reason: "late change of plans".into(),
                    includes_vat: None,
                },
                c,
            )
        })
        .unwrap();
    let numbers: Vec<String> = step
        .documents
        .iter()
        .map(|d| d.number.to_string())
        .collect();
    assert_eq!(numbers, ["CDC25/003", "CDC25/004"]);
    assert_eq!(
        totals(world.document("CDC25/003")),
        (eur(dec!(-600)), eur(dec!(-114)), eur(dec!(-714)))
    );
    let fee_invoice = world.document("CDC25/004");
    assert_eq!(
        totals(fee_invoice),
        (eur(dec!(250)), eur(dec!(47.50)), eur(dec!(297.50)))
    );
    assert_eq!(
        fee_invoice.kind,
        DocumentKind::FeeInvoice {
            after_cancelled: world.document("CDC25/001/2").reference()
        }
    );
    assert_eq!(world.order.invoice.status, InvoiceStatus::Cancelled);

    // Money: 1,071.00 captured = 773.50 refunded + 297.50 fees kept.
    assert_eq!(world.refunds(), eur(dec!(773.50)));
    assert_eq!(world.documented_total(), eur(dec!(297.50)));
    assert_eq!(world.order.owed(), eur(dec!(297.50)));
    // The refunds were executed: what stays with the platform is the fee invoice's 297.50.
    assert_eq!(world.balance(Account::RefundsPayable), eur(dec!(0)));
    assert_eq!(world.balance(Account::CustomerPayments), eur(dec!(297.50)));
    // The fees bear commission, at least what the cancelled items carried (23.8 % of Ben's
    // 476.00 = 113.29 on the 238.00 fee; the 59.50 fee is all commission, Anna's pass carried
    // more); the VAT of the fee invoice is its own account; the partner keeps the rest.
    assert_eq!(world.commission_booked(), eur(dec!(172.79)));
    assert_eq!(world.balance(Account::Vat(vat(dec!(19)))), eur(dec!(47.50)));
    assert_eq!(world.balance(Account::FeeIncome), eur(dec!(77.21)));
    assert!(world.postings.iter().all(Posting::is_balanced));
}

#[test]
fn the_archive_lists_every_document_newest_first() {
    let mut world = registered();
    world
        .run(staff(), |o, c| {
            cancel_booking(o, &id("ben"), &FeeChoice::None, c)
        })
        .unwrap();
    world.run(staff(), update_invoice).unwrap();
    let archive: Vec<String> = world
        .order
        .archive()
        .map(|d| d.number.to_string())
        .collect();
    assert_eq!(archive, ["CDC25/001/2", "CDC25/002", "CDC25/001"]);
}
