//! Where each block of a page goes. Every text is wrapped to its column or, where the full
//! text is printed elsewhere (the footer, the sender line), shortened with `…`; blocks that
//! grow push the ones below them down. So no text runs into another, whatever its length.

use storno_core::{Document, DocumentKind, PriceEntry};

use super::canvas::{Align, Canvas, Style};
use super::content::{self, Row, Total};
use crate::einvoice::EInvoice;
use crate::wording;

/// A4 in points.
pub(super) const WIDTH: f32 = 595.2756;
pub(super) const HEIGHT: f32 = 841.8898;
const LEFT: f32 = 62.0;
const RIGHT: f32 = WIDTH - 50.0;
/// Where the table and the totals may reach before the footer.
pub(super) const BOTTOM: f32 = HEIGHT - 92.0;
/// Where the table starts on a continuation page.
pub(super) const CONTINUATION_TOP: f32 = 90.0;
const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const LINE: f32 = 11.5;
const SMALL_LINE: f32 = 9.5;

/// The right column of the letterhead: the seller, then what the document is.
const FACTS: f32 = 345.0;
/// The recipient's column ends a gap before it.
const ADDRESS_WIDTH: f32 = FACTS - 14.0 - LEFT;

// Table columns: the description's column, then the right edges of the figures.
const POSITION: f32 = LEFT;
const DESCRIPTION: f32 = LEFT + 22.0;
const DESCRIPTION_WIDTH: f32 = 236.0;
const QUANTITY: f32 = 356.0;
const UNIT_PRICE: f32 = 436.0;
const RATE: f32 = 464.0;
/// The totals block's labels start here; amounts end at `RIGHT`.
const TOTALS: f32 = 300.0;

/// The letterhead of the first page: seller, recipient, the document's facts, its title and
/// notes. Returns where the table may start.
pub(super) fn letterhead(
    canvas: &mut Canvas<'_, '_>,
    document: &Document,
    e: &EInvoice<'_>,
    title: &str,
) -> f32 {
    let seller_bottom = seller_block(canvas, document);
    let recipient_bottom = recipient_block(canvas, document);
    let facts_bottom = facts(canvas, document, e, seller_bottom.max(146.0 - 12.0) + 12.0);
    // Title and notes, below whichever block ends lower.
    let title_at = 268.0_f32
        .max(recipient_bottom + 16.0)
        .max(facts_bottom + 16.0);
    let mut y = canvas.paragraph(
        Style::bold(15.0),
        LEFT,
        title_at,
        RIGHT - LEFT,
        18.0,
        Align::Left,
        title,
    ) + 2.0;
    for note in &e.notes {
        y = canvas.paragraph(
            Style::regular(BODY),
            LEFT,
            y,
            RIGHT - LEFT,
            LINE,
            Align::Left,
            note,
        );
    }
    y + 4.0
}

/// The seller, top right: name, address and contact. Returns the baseline after it.
fn seller_block(canvas: &mut Canvas<'_, '_>, document: &Document) -> f32 {
    let seller = &document.header.seller;
    let column = RIGHT - FACTS;
    let y = canvas.paragraph(
        Style::bold(11.0),
        RIGHT,
        58.0,
        column,
        13.0,
        Align::Right,
        &seller.legal_name,
    );
    let address = &seller.address;
    let seller_lines = [
        Some(address.street.to_string()),
        address.additional.as_deref().map(str::to_owned),
        Some(format!("{} {}", address.postal_code, address.city)),
        Some(format!("Tel. {}", seller.contact.phone)),
        Some(seller.contact.email.to_string()),
    ];
    canvas.paragraphs(
        Style::grey(8.0),
        RIGHT,
        y,
        column,
        10.0,
        Align::Right,
        seller_lines.into_iter().flatten(),
    )
}

/// The sender line and the recipient, in the window of a DIN 5008 envelope. Returns the
/// baseline after the recipient.
fn recipient_block(canvas: &mut Canvas<'_, '_>, document: &Document) -> f32 {
    let seller = &document.header.seller;
    let address = &seller.address;
    canvas.fitted(
        Style::grey(6.5),
        LEFT,
        128.0,
        ADDRESS_WIDTH,
        Align::Left,
        &format!(
            "{} · {} · {} {}",
            seller.legal_name, address.street, address.postal_code, address.city
        ),
    );
    let recipient = &document.header.recipient;
    let to = &recipient.address;
    let recipient_lines = [
        recipient.company.as_deref().map(str::to_owned),
        Some(recipient.name.to_string()),
        Some(to.street.to_string()),
        to.additional.as_deref().map(str::to_owned),
        Some(format!("{} {}", to.postal_code, to.city)),
        (to.country.as_str() != "DE").then(|| to.country.to_string()),
    ];
    canvas.paragraphs(
        Style::regular(10.0),
        LEFT,
        146.0,
        ADDRESS_WIDTH,
        12.5,
        Align::Left,
        recipient_lines.into_iter().flatten(),
    )
}

/// What the document is (number, dates, references), right of the address from `y`.
/// Returns the baseline after the last fact.
fn facts(canvas: &mut Canvas<'_, '_>, document: &Document, e: &EInvoice<'_>, y: f32) -> f32 {
    let recipient = &document.header.recipient;
    let mut facts = vec![
        ("Nummer", document.number.to_string()),
        ("Datum", wording::date(document.issue_date)),
        ("Bestellung", document.header.order.to_string()),
    ];
    let periods: Vec<_> = e.lines.iter().filter_map(|l| l.period).collect();
    if let (Some(start), Some(end)) = (
        periods.iter().map(|p| p.0).min(),
        periods.iter().map(|p| p.1).max(),
    ) {
        facts.push(("Leistungszeitraum", wording::period(start, end)));
    }
    // Lines without a period (fees) are rendered on the issue date (BT-72 in the XML).
    if let Some(date) = e.delivery_date {
        let label = if periods.is_empty() {
            "Leistungsdatum"
        } else {
            "Leistungsdatum Gebühren"
        };
        facts.push((label, wording::date(date)));
    }
    if let Some(preceding) = e.preceding {
        let label = match document.kind {
            DocumentKind::Cancellation { .. } => "Storniert",
            DocumentKind::FeeInvoice { .. } => "Zu Rechnung",
            _ => "Ersetzt",
        };
        let date = wording::date(preceding.issue_date);
        facts.push((label, format!("{} vom {date}", preceding.number)));
    }
    if let Some(reference) = &recipient.buyer_reference {
        facts.push(("Ihre Referenz", reference.to_string()));
    }
    if let Some(vat_id) = &recipient.vat_id {
        facts.push(("Ihre USt-IdNr.", vat_id.to_string()));
    }
    let mut y = y;
    for (label, value) in facts {
        let label_width = canvas.text(Style::grey(8.0), FACTS, y, Align::Left, label);
        let room = RIGHT - FACTS - label_width - 8.0;
        let value_style = Style::regular(8.5);
        if canvas.width(value_style, &value) <= room {
            canvas.text(value_style, RIGHT, y, Align::Right, &value);
            y += 12.0;
        } else {
            // Too long beside its label: on its own lines below it.
            y = canvas.paragraph(
                value_style,
                RIGHT,
                y + 11.0,
                RIGHT - FACTS,
                11.0,
                Align::Right,
                &value,
            ) + 1.0;
        }
    }
    y
}

/// The table's header band; returns where the first row starts.
pub(super) fn table_header(canvas: &mut Canvas<'_, '_>, document: &Document, y: f32) -> f32 {
    let gross = document.header.prices == PriceEntry::Gross;
    canvas.band(LEFT - 4.0, y, RIGHT - LEFT + 8.0, 16.0, 232);
    let baseline = y + 11.0;
    let style = Style::bold(8.0);
    canvas.text(style, POSITION, baseline, Align::Left, "Pos.");
    canvas.text(style, DESCRIPTION, baseline, Align::Left, "Beschreibung");
    canvas.text(style, QUANTITY, baseline, Align::Right, "Menge");
    let unit = if gross {
        "Einzelpreis brutto"
    } else {
        "Einzelpreis netto"
    };
    canvas.text(style, UNIT_PRICE, baseline, Align::Right, unit);
    if content::shows_vat(document) {
        canvas.text(style, RATE, baseline, Align::Right, "USt");
    }
    let amount = if gross {
        "Betrag brutto"
    } else {
        "Betrag netto"
    };
    canvas.text(style, RIGHT, baseline, Align::Right, amount);
    y + 22.0
}

/// Draws one row from `y` (or only measures it, on a canvas without surface); returns where
/// the next row starts.
pub(super) fn row(canvas: &mut Canvas<'_, '_>, row: &Row, shows_vat: bool, y: f32) -> f32 {
    let baseline = y + 8.0;
    let body = Style::regular(BODY);
    canvas.text(body, POSITION, baseline, Align::Left, &row.position);
    canvas.text(body, QUANTITY, baseline, Align::Right, &row.quantity);
    canvas.text(body, UNIT_PRICE, baseline, Align::Right, &row.unit_price);
    if shows_vat {
        canvas.text(body, RATE, baseline, Align::Right, &row.rate);
    }
    canvas.text(body, RIGHT, baseline, Align::Right, &row.amount);
    let mut line_y = canvas.paragraph(
        body,
        DESCRIPTION,
        baseline,
        DESCRIPTION_WIDTH,
        LINE,
        Align::Left,
        &row.description,
    );
    if let Some(detail) = &row.detail {
        line_y = canvas.paragraph(
            Style::grey(SMALL),
            DESCRIPTION,
            line_y - 1.5,
            DESCRIPTION_WIDTH,
            SMALL_LINE,
            Align::Left,
            detail,
        ) + 1.5
            + (LINE - SMALL_LINE);
    }
    let bottom = line_y - 8.0 + 5.0;
    canvas.rule(LEFT - 4.0, RIGHT + 4.0, bottom - 2.0, 0.3);
    bottom
}

/// The totals, the payment terms and the reasons for rates without VAT, from `y`; returns
/// where they end.
pub(super) fn totals(
    canvas: &mut Canvas<'_, '_>,
    document: &Document,
    e: &EInvoice<'_>,
    totals: &[Total],
    y: f32,
) -> f32 {
    let mut y = y + 16.0;
    for total in totals {
        let style = if total.bold {
            Style::bold(BODY)
        } else {
            Style::regular(BODY)
        };
        if total.bold {
            canvas.rule(TOTALS, RIGHT + 4.0, y - 10.0, 0.6);
        }
        let amount = canvas.text(style, RIGHT, y, Align::Right, &total.amount);
        let room = RIGHT - amount - 10.0 - TOTALS;
        y = canvas.paragraph(style, TOTALS, y, room, LINE, Align::Left, &total.label) + 2.5;
    }
    y += 10.0;
    let small = Style::regular(8.0);
    y = canvas.paragraph(
        small,
        LEFT,
        y,
        RIGHT - LEFT,
        10.5,
        Align::Left,
        &content::payment(e),
    );
    for reason in content::vat_reasons(document) {
        y = canvas.paragraph(small, LEFT, y, RIGHT - LEFT, 10.5, Align::Left, reason);
    }
    y
}

/// The head of a continuation page.
pub(super) fn continuation(canvas: &mut Canvas<'_, '_>, title: &str, page: usize) {
    let label = format!("Fortsetzung, Seite {page}");
    let width = canvas.text(Style::grey(SMALL), RIGHT, 60.0, Align::Right, &label);
    canvas.fitted(
        Style::bold(11.0),
        LEFT,
        60.0,
        RIGHT - LEFT - width - 12.0,
        Align::Left,
        title,
    );
}

/// The seller's legal data at the foot of every page, each line shortened to the page's
/// width (the letterhead prints them whole).
pub(super) fn footer(canvas: &mut Canvas<'_, '_>, document: &Document, page: usize, pages: usize) {
    let seller = &document.header.seller;
    let y = HEIGHT - 58.0;
    canvas.rule(LEFT - 4.0, RIGHT + 4.0, y - 12.0, 0.4);
    let address = &seller.address;
    let style = Style::grey(SMALL);
    canvas.fitted(
        style,
        LEFT,
        y,
        RIGHT - LEFT,
        Align::Left,
        &format!(
            "{} · {} · {} {} · {}",
            seller.legal_name,
            address.street,
            address.postal_code,
            address.city,
            seller.contact.email
        ),
    );
    let mut ids = Vec::new();
    if let Some(vat_id) = &seller.vat_id {
        ids.push(format!("USt-IdNr. {vat_id}"));
    }
    if let Some(tax_number) = &seller.tax_number {
        ids.push(format!("Steuernummer {tax_number}"));
    }
    ids.push(format!("IBAN {}", seller.payment.iban.as_str()));
    if let Some(bic) = &seller.payment.bic {
        ids.push(format!("BIC {bic}"));
    }
    canvas.fitted(
        style,
        LEFT,
        y + 10.0,
        RIGHT - LEFT,
        Align::Left,
        &ids.join(" · "),
    );
    canvas.text(
        style,
        RIGHT,
        y + 20.0,
        Align::Right,
        &format!("Seite {page} von {pages}"),
    );
}
