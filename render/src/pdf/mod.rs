//! A document as a PDF/A-3b a person reads like any German invoice, with its CII embedded as
//! `factur-x.xml` (ZUGFeRD / Factur-X, profile EN 16931): seller and recipient, number and
//! dates, the lines with their attendees, service periods and cancellation lines, VAT per
//! rate, totals, the reference to the cancelled invoice and the payment instructions. Pages
//! follow as the lines need them. krilla writes the PDF/A; the layout is ours (krilla places
//! glyphs, it does not lay out text). Deterministic: no clock, the dates are the document's.

mod facturx;

use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, SerializeSettings};
use rust_decimal::Decimal;
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use storno_core::{Document, DocumentKind, Money, PriceEntry, VatCategory};

use crate::RenderError;
use crate::einvoice::EInvoice;
use crate::wording;

pub use facturx::XmpPatchError;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular-latin.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold-latin.ttf");

/// The name of the embedded XML, as Factur-X prescribes.
pub const FACTUR_X_XML: &str = "factur-x.xml";

/// A4 in points.
const WIDTH: f32 = 595.2756;
const HEIGHT: f32 = 841.8898;
const LEFT: f32 = 62.0;
const RIGHT: f32 = WIDTH - 50.0;
/// Where the table may reach before the footer.
const BOTTOM: f32 = HEIGHT - 92.0;
const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const LINE: f32 = 11.5;

// Table columns: right edges of the figures.
const POSITION: f32 = LEFT;
const DESCRIPTION: f32 = LEFT + 22.0;
const DESCRIPTION_WIDTH: f32 = 212.0;
const QUANTITY: f32 = 328.0;
const UNIT_PRICE: f32 = 420.0;
const RATE: f32 = 460.0;

/// A font krilla can draw and we can measure.
struct Face {
    font: Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: skrifa::metrics::GlyphMetrics<'static>,
    units_per_em: f32,
    question_mark: skrifa::GlyphId,
}

impl Face {
    fn new(data: &'static [u8]) -> Face {
        let font = Font::new(Data::from(data), 0).expect("the bundled font parses");
        let reference = skrifa::FontRef::new(data).expect("the bundled font parses");
        let charmap = reference.charmap();
        let question_mark = charmap.map('?').expect("the font has '?'");
        Face {
            font,
            metrics: reference.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: f32::from(
                reference
                    .metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em,
            ),
            charmap,
            question_mark,
        }
    }

    /// One glyph per character; a character the font lacks is shown as `?` (a missing glyph
    /// would make the whole PDF/A invalid). Returns the text shown, its glyphs and its width
    /// in em.
    fn layout(&self, text: &str) -> (String, Vec<KrillaGlyph>, f32) {
        let mut shown = String::with_capacity(text.len());
        let mut glyphs = Vec::with_capacity(text.len());
        let mut width = 0.0;
        for ch in text.chars() {
            let (ch, glyph) = match self.charmap.map(ch) {
                Some(glyph) => (ch, glyph),
                None => ('?', self.question_mark),
            };
            let start = shown.len();
            shown.push(ch);
            let advance = self.metrics.advance_width(glyph).unwrap_or(0.0) / self.units_per_em;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(glyph.to_u32()),
                advance,
                0.0,
                0.0,
                0.0,
                start..shown.len(),
                None,
            ));
            width += advance;
        }
        (shown, glyphs, width)
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.layout(text).2 * size
    }

    /// `text` broken into lines of at most `width` points (words longer than a line are cut).
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if self.width(&candidate, size) <= width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            let mut piece = String::new();
            for ch in word.chars() {
                piece.push(ch);
                if self.width(&piece, size) > width {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(ch);
                }
            }
            current = piece;
        }
        if !current.is_empty() || lines.is_empty() {
            lines.push(current);
        }
        lines
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
}

#[derive(Clone, Copy)]
enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

fn ink(grey: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(grey, grey, grey).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// Drawing on one page.
struct Canvas<'a, 'p> {
    surface: Surface<'p>,
    fonts: &'a Fonts,
}

impl Canvas<'_, '_> {
    fn text(&mut self, weight: Weight, size: f32, x: f32, y: f32, align: Align, text: &str) {
        self.text_in(weight, size, x, y, align, text, 0);
    }

    fn grey(&mut self, size: f32, x: f32, y: f32, align: Align, text: &str) {
        self.text_in(Weight::Regular, size, x, y, align, text, 90);
    }

    #[allow(clippy::too_many_arguments)]
    fn text_in(
        &mut self,
        weight: Weight,
        size: f32,
        x: f32,
        y: f32,
        align: Align,
        text: &str,
        grey: u8,
    ) {
        if text.is_empty() {
            return;
        }
        let face = match weight {
            Weight::Regular => &self.fonts.regular,
            Weight::Bold => &self.fonts.bold,
        };
        let (shown, glyphs, width) = face.layout(text);
        let x = match align {
            Align::Left => x,
            Align::Right => x - width * size,
        };
        self.surface.set_fill(Some(ink(grey)));
        self.surface.draw_glyphs(
            Point::from_xy(x, y),
            &glyphs,
            face.font.clone(),
            &shown,
            size,
            false,
        );
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(x1, y);
        path.line_to(x2, y);
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(120, 120, 120).into(),
                width,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(ink(0)));
        }
    }

    fn band(&mut self, x: f32, y: f32, w: f32, h: f32, grey: u8) {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(ink(grey)));
            self.surface.draw_path(&path);
            self.surface.set_fill(Some(ink(0)));
        }
    }
}

/// One table row, laid out.
struct Row {
    position: String,
    description: Vec<String>,
    detail: Option<String>,
    quantity: String,
    unit_price: String,
    rate: String,
    amount: String,
}

impl Row {
    fn height(&self) -> f32 {
        let lines = self.description.len() + usize::from(self.detail.is_some());
        lines as f32 * LINE + 5.0
    }
}

/// The document's lines as rows, in its price entry (net, or gross VAT included).
fn rows(document: &Document, e: &EInvoice<'_>, fonts: &Fonts) -> Vec<Row> {
    let decimals = document.currency().minor_units();
    let gross = document.header.prices == PriceEntry::Gross;
    document
        .lines
        .iter()
        .zip(&e.lines)
        .map(|(line, shown)| {
            let amount = if gross {
                line.gross.unwrap_or(line.net)
            } else {
                line.net
            };
            let unit = if gross && line.quantity != 0 {
                (amount.amount() / Decimal::from(line.quantity)).abs()
            } else {
                line.unit_price
            };
            let detail = [
                shown.note.clone(),
                shown
                    .period
                    .map(|(start, end)| format!("Leistung {}", wording::period(start, end))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            Row {
                position: shown.id.to_string(),
                description: fonts
                    .regular
                    .wrap(&line.description, BODY, DESCRIPTION_WIDTH),
                detail: (!detail.is_empty()).then(|| detail.join(" · ")),
                quantity: wording::number(Decimal::from(line.quantity), 0),
                unit_price: wording::unit_price(unit, decimals),
                rate: wording::rate(line.vat_rate.percent()),
                amount: wording::money(amount),
            }
        })
        .collect()
}

/// The totals block, as (label, amount, bold) lines.
fn totals(document: &Document) -> Vec<(String, String, bool)> {
    let gross = document.header.prices == PriceEntry::Gross;
    let mut lines = vec![(
        "Summe netto".to_owned(),
        wording::money(document.net),
        false,
    )];
    for tax in &document.vat_breakdown {
        let label = match tax.category {
            VatCategory::Standard => format!(
                "{} USt {} auf {}",
                if gross { "enthaltene" } else { "zzgl." },
                wording::rate(tax.rate.percent()),
                wording::money(tax.taxable)
            ),
            // Not "steuerfrei": a § 19 UStG seller is not exempt, it charges no VAT, and a fee
            // as compensation is no supply at all. The reason is printed with the rate.
            VatCategory::Exempt => format!("ohne Umsatzsteuer: {}", wording::money(tax.taxable)),
            VatCategory::ReverseCharge => {
                format!("Reverse Charge: {}", wording::money(tax.taxable))
            }
        };
        lines.push((label, wording::money(tax.vat), false));
    }
    if !document.rounding.is_zero() {
        lines.push((
            "Rundungsbetrag".to_owned(),
            wording::money(document.rounding),
            false,
        ));
    }
    let total = match document.kind {
        DocumentKind::Cancellation { .. } => "Storniert (Gesamtbetrag)",
        _ => "Gesamtbetrag",
    };
    lines.push((total.to_owned(), wording::money(document.payable), true));
    let zero = Money::zero(document.currency());
    match document.kind {
        // What the cancellation frees is set against what replaces it first (see the terms):
        // the document states the credit, not a refund.
        DocumentKind::Cancellation { .. } => lines.push((
            "Gutschrift zu Ihren Gunsten".to_owned(),
            wording::money(-document.payable),
            false,
        )),
        DocumentKind::CommissionInvoice { .. } => {
            lines.push((
                "mit der Auszahlung verrechnet".to_owned(),
                wording::money(document.payable),
                false,
            ));
            lines.push(("Offener Betrag".to_owned(), wording::money(zero), true));
        }
        DocumentKind::Invoice { replaces: None, .. } => {
            lines.push((
                "bereits bezahlt".to_owned(),
                wording::money(document.payable),
                false,
            ));
            lines.push(("Offener Betrag".to_owned(), wording::money(zero), true));
        }
        _ => {
            lines.push((
                "durch Verrechnung beglichen".to_owned(),
                wording::money(document.payable),
                false,
            ));
            lines.push(("Offener Betrag".to_owned(), wording::money(zero), true));
        }
    }
    lines
}

/// The document as PDF/A-3b with its CII embedded (`factur-x.xml`). The same document always
/// gives the same bytes.
pub fn pdf(document: &Document) -> Result<Vec<u8>, RenderError> {
    let xml = crate::cii(document);
    let e = EInvoice::of(document);
    let fonts = Fonts {
        regular: Face::new(REGULAR),
        bold: Face::new(BOLD),
    };
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut pdf = krilla::Document::new_with(settings);
    let at = document.issued_at;
    use chrono::{Datelike, Timelike};
    let date = DateTime::new(u16::try_from(at.year()).unwrap_or(2000))
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8);
    let title = wording::title(document);
    pdf.set_metadata(
        Metadata::new()
            .title(title.clone())
            .language("de-DE".to_owned())
            .creation_date(date)
            .document_id(document.number.to_string())
            .creator("Storno".to_owned())
            .producer("Storno".to_owned())
            .authors(vec![document.header.seller.legal_name.to_string()]),
    );
    pdf.embed_file(EmbeddedFile {
        path: FACTUR_X_XML.to_owned(),
        mime_type: MimeType::new("text/xml"),
        description: Some("Factur-X/ZUGFeRD-Rechnung (EN 16931, XRechnung)".to_owned()),
        association_kind: AssociationKind::Alternative,
        data: xml.into(),
        modification_date: Some(date),
        compress: Some(true),
        location: None,
    })
    .ok_or_else(|| RenderError::Pdf("factur-x.xml embedded twice".into()))?;

    let rows = rows(document, &e, &fonts);
    let totals = totals(document);
    let totals_height = (totals.len() as f32 + 1.0) * 14.0 + 60.0;
    // Paginate: the first page's table starts below the letterhead and notes.
    let first_top = 300.0 + e.notes.len() as f32 * LINE * 1.5;
    let mut pages: Vec<Vec<&Row>> = vec![Vec::new()];
    let mut y = first_top + 22.0;
    for row in &rows {
        if y + row.height() > BOTTOM {
            pages.push(Vec::new());
            y = 112.0;
        }
        pages.last_mut().expect("a page").push(row);
        y += row.height();
    }
    let totals_on_new_page = y + totals_height > BOTTOM;
    if totals_on_new_page {
        pages.push(Vec::new());
    }
    let count = pages.len();
    for (index, page_rows) in pages.iter().enumerate() {
        let mut page = pdf.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).expect("A4"));
        {
            let mut canvas = Canvas {
                surface: page.surface(),
                fonts: &fonts,
            };
            let top = if index == 0 {
                letterhead(&mut canvas, document, &e, &title);
                first_top
            } else {
                canvas.text(Weight::Bold, 11.0, LEFT, 60.0, Align::Left, &title);
                canvas.grey(
                    SMALL,
                    RIGHT,
                    60.0,
                    Align::Right,
                    &format!("Fortsetzung, Seite {}", index + 1),
                );
                90.0
            };
            let mut y = top;
            if !page_rows.is_empty() {
                y = table_header(&mut canvas, document, y);
                for row in page_rows {
                    y = draw_row(&mut canvas, row, y);
                }
            }
            if index + 1 == count {
                draw_totals(&mut canvas, document, &e, &totals, y + 10.0);
            }
            footer(&mut canvas, document, index + 1, count);
            canvas.surface.finish();
        }
        page.finish();
    }
    let bytes = pdf
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    facturx::add_facturx_xmp(&bytes, FACTUR_X_XML).map_err(RenderError::Xmp)
}

fn letterhead(canvas: &mut Canvas<'_, '_>, document: &Document, e: &EInvoice<'_>, title: &str) {
    let seller = &document.header.seller;
    let recipient = &document.header.recipient;
    // The seller, top right.
    let mut y = 58.0;
    canvas.text(
        Weight::Bold,
        11.0,
        RIGHT,
        y,
        Align::Right,
        &seller.legal_name,
    );
    y += 14.0;
    let address = &seller.address;
    for line in [
        Some(address.street.to_string()),
        address.additional.as_deref().map(str::to_owned),
        Some(format!("{} {}", address.postal_code, address.city)),
        Some(format!("Tel. {}", seller.contact.phone)),
        Some(seller.contact.email.to_string()),
    ]
    .into_iter()
    .flatten()
    {
        canvas.grey(8.0, RIGHT, y, Align::Right, &line);
        y += 10.0;
    }
    // The sender line and the recipient, in the window of a DIN 5008 envelope.
    canvas.grey(
        6.5,
        LEFT,
        128.0,
        Align::Left,
        &format!(
            "{} · {} · {} {}",
            seller.legal_name, address.street, address.postal_code, address.city
        ),
    );
    let mut y = 146.0;
    let to = &recipient.address;
    for line in [
        recipient.company.as_deref().map(str::to_owned),
        Some(recipient.name.to_string()),
        Some(to.street.to_string()),
        to.additional.as_deref().map(str::to_owned),
        Some(format!("{} {}", to.postal_code, to.city)),
        (to.country.as_str() != "DE").then(|| to.country.to_string()),
    ]
    .into_iter()
    .flatten()
    {
        canvas.text(Weight::Regular, 10.0, LEFT, y, Align::Left, &line);
        y += 13.0;
    }
    // What the document is, right of the address.
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
        facts.push((
            label,
            format!(
                "{} vom {}",
                preceding.number,
                wording::date(preceding.issue_date)
            ),
        ));
    }
    if let Some(reference) = &recipient.buyer_reference {
        facts.push(("Ihre Referenz", reference.to_string()));
    }
    if let Some(vat_id) = &recipient.vat_id {
        facts.push(("Ihre USt-IdNr.", vat_id.to_string()));
    }
    let mut y = 146.0;
    for (label, value) in facts {
        canvas.grey(8.0, 360.0, y, Align::Left, label);
        canvas.text(Weight::Regular, 8.5, RIGHT, y, Align::Right, &value);
        y += 12.0;
    }
    // Title and notes.
    canvas.text(Weight::Bold, 15.0, LEFT, 268.0, Align::Left, title);
    let mut y = 288.0;
    for note in &e.notes {
        for line in canvas.fonts.regular.wrap(note, BODY, RIGHT - LEFT) {
            canvas.text(Weight::Regular, BODY, LEFT, y, Align::Left, &line);
            y += LINE;
        }
    }
}

fn table_header(canvas: &mut Canvas<'_, '_>, document: &Document, y: f32) -> f32 {
    let gross = document.header.prices == PriceEntry::Gross;
    canvas.band(LEFT - 4.0, y, RIGHT - LEFT + 8.0, 16.0, 232);
    let baseline = y + 11.0;
    canvas.text(Weight::Bold, 8.0, POSITION, baseline, Align::Left, "Pos.");
    canvas.text(
        Weight::Bold,
        8.0,
        DESCRIPTION,
        baseline,
        Align::Left,
        "Beschreibung",
    );
    canvas.text(Weight::Bold, 8.0, QUANTITY, baseline, Align::Right, "Menge");
    let unit = if gross {
        "Einzelpreis brutto"
    } else {
        "Einzelpreis netto"
    };
    canvas.text(Weight::Bold, 8.0, UNIT_PRICE, baseline, Align::Right, unit);
    canvas.text(Weight::Bold, 8.0, RATE, baseline, Align::Right, "USt");
    let amount = if gross {
        "Betrag brutto"
    } else {
        "Betrag netto"
    };
    canvas.text(Weight::Bold, 8.0, RIGHT, baseline, Align::Right, amount);
    y + 22.0
}

fn draw_row(canvas: &mut Canvas<'_, '_>, row: &Row, y: f32) -> f32 {
    let baseline = y + 8.0;
    canvas.text(
        Weight::Regular,
        BODY,
        POSITION,
        baseline,
        Align::Left,
        &row.position,
    );
    canvas.text(
        Weight::Regular,
        BODY,
        QUANTITY,
        baseline,
        Align::Right,
        &row.quantity,
    );
    canvas.text(
        Weight::Regular,
        BODY,
        UNIT_PRICE,
        baseline,
        Align::Right,
        &row.unit_price,
    );
    canvas.text(
        Weight::Regular,
        BODY,
        RATE,
        baseline,
        Align::Right,
        &row.rate,
    );
    canvas.text(
        Weight::Regular,
        BODY,
        RIGHT,
        baseline,
        Align::Right,
        &row.amount,
    );
    let mut line_y = baseline;
    for line in &row.description {
        canvas.text(
            Weight::Regular,
            BODY,
            DESCRIPTION,
            line_y,
            Align::Left,
            line,
        );
        line_y += LINE;
    }
    if let Some(detail) = &row.detail {
        canvas.grey(SMALL, DESCRIPTION, line_y - 1.5, Align::Left, detail);
    }
    let bottom = y + row.height();
    canvas.rule(LEFT - 4.0, RIGHT + 4.0, bottom - 2.0, 0.3);
    bottom
}

fn draw_totals(
    canvas: &mut Canvas<'_, '_>,
    document: &Document,
    e: &EInvoice<'_>,
    totals: &[(String, String, bool)],
    y: f32,
) {
    let mut y = y + 6.0;
    for (label, amount, bold) in totals {
        let weight = if *bold { Weight::Bold } else { Weight::Regular };
        if *bold {
            canvas.rule(330.0, RIGHT + 4.0, y - 10.0, 0.6);
        }
        canvas.text(weight, BODY, 330.0, y, Align::Left, label);
        canvas.text(weight, BODY, RIGHT, y, Align::Right, amount);
        y += 14.0;
    }
    y += 10.0;
    let payment = match &e.payment.account {
        Some(account) => format!(
            "{} Bankverbindung: {} · IBAN {}{}",
            e.terms,
            account.holder,
            account.iban,
            account
                .bic
                .as_deref()
                .map(|bic| format!(" · BIC {bic}"))
                .unwrap_or_default()
        ),
        None => e.terms.clone(),
    };
    for line in canvas.fonts.regular.wrap(&payment, 8.0, RIGHT - LEFT) {
        canvas.text(Weight::Regular, 8.0, LEFT, y, Align::Left, &line);
        y += 10.5;
    }
    // Why a rate carries no VAT (an exemption, a fee as compensation, the reverse charge that
    // § 14a Abs. 5 UStG requires to be stated), each once; the seller's own note last.
    let seller_note = document.header.seller.vat_exemption.as_deref();
    let mut reasons: Vec<&str> = Vec::new();
    for tax in &document.vat_breakdown {
        if let Some(reason) = tax.exemption_reason.as_deref()
            && Some(reason) != seller_note
            && !reasons.contains(&reason)
        {
            reasons.push(reason);
        }
    }
    for reason in reasons.into_iter().chain(seller_note) {
        for line in canvas.fonts.regular.wrap(reason, 8.0, RIGHT - LEFT) {
            canvas.text(Weight::Regular, 8.0, LEFT, y, Align::Left, &line);
            y += 10.5;
        }
    }
}

fn footer(canvas: &mut Canvas<'_, '_>, document: &Document, page: usize, pages: usize) {
    let seller = &document.header.seller;
    let y = HEIGHT - 58.0;
    canvas.rule(LEFT - 4.0, RIGHT + 4.0, y - 12.0, 0.4);
    let address = &seller.address;
    canvas.grey(
        SMALL,
        LEFT,
        y,
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
    canvas.grey(SMALL, LEFT, y + 10.0, Align::Left, &ids.join(" · "));
    canvas.grey(
        SMALL,
        RIGHT,
        y + 20.0,
        Align::Right,
        &format!("Seite {page} von {pages}"),
    );
}
