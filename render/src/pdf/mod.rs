//! A document as a PDF/A-3b a person reads like any German invoice, with its CII embedded as
//! `factur-x.xml` (ZUGFeRD / Factur-X, profile EN 16931): seller and recipient, number and
//! dates, the lines with their attendees, service periods and cancellation lines, VAT per
//! rate, totals, the reference to the cancelled invoice and the payment instructions. Pages
//! follow as the lines need them. krilla writes the PDF/A; the layout is ours (krilla places
//! glyphs, it does not lay out text). Deterministic: no clock, the dates are the document's.

mod canvas;
mod content;
mod facturx;
mod fonts;
mod layout;

use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::{Document as PdfDocument, SerializeSettings};
use storno_core::Document;

use crate::RenderError;
use crate::einvoice::EInvoice;
use crate::wording;
use canvas::Canvas;
use layout::{BOTTOM, CONTINUATION_TOP, HEIGHT, WIDTH};

pub use canvas::PlacedText;
pub use facturx::XmpPatchError;
pub use fonts::set_cjk_font_loader;

/// The name of the embedded XML, as Factur-X prescribes.
pub const FACTUR_X_XML: &str = "factur-x.xml";

/// The document as PDF/A-3b with its CII embedded (`factur-x.xml`). The same document always
/// gives the same bytes.
pub fn pdf(document: &Document) -> Result<Vec<u8>, RenderError> {
    render(document).map(|(bytes, _)| bytes)
}

/// Every text the PDF of `document` places, with its box: what a layout check reads.
pub fn pdf_layout(document: &Document) -> Result<Vec<PlacedText>, RenderError> {
    render(document).map(|(_, placed)| placed)
}

/// Which rows go on which page, and where the first page's table starts.
struct Pages {
    first_top: f32,
    rows: Vec<Vec<usize>>,
}

/// Measures the letterhead, every row and the totals without drawing, and fills the pages:
/// a row goes where it fits whole, the totals follow the last row or start a page of their
/// own.
fn paginate(
    fonts: &fonts::Fonts,
    document: &Document,
    e: &EInvoice<'_>,
    title: &str,
    rows: &[content::Row],
    totals: &[content::Total],
) -> Pages {
    let mut scratch = Vec::new();
    let mut measure = Canvas {
        surface: None,
        fonts,
        page: 0,
        placed: &mut scratch,
    };
    let first_top = layout::letterhead(&mut measure, document, e, title);
    let shows_vat = content::shows_vat(document);
    let totals_height = layout::totals(&mut measure, document, e, totals, 0.0);
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let table = 22.0;
    let mut y = first_top + table;
    for (index, row) in rows.iter().enumerate() {
        let height = layout::row(&mut measure, row, shows_vat, 0.0);
        if y + height > BOTTOM && !pages.last().is_some_and(Vec::is_empty) {
            pages.push(Vec::new());
            y = CONTINUATION_TOP + table;
        }
        pages.last_mut().expect("a page").push(index);
        y += height;
    }
    if y + totals_height > BOTTOM {
        pages.push(Vec::new());
    }
    Pages {
        first_top,
        rows: pages,
    }
}

fn render(document: &Document) -> Result<(Vec<u8>, Vec<PlacedText>), RenderError> {
    let e = EInvoice::of(document);
    let fonts = fonts::Fonts::new();
    let title = wording::title(document);
    let mut pdf = pdf_a3(document, &title)?;
    let rows = content::rows(document, &e);
    let totals = content::totals(document);
    let shows_vat = content::shows_vat(document);
    let pages = paginate(&fonts, document, &e, &title, &rows, &totals);
    let count = pages.rows.len();
    let mut placed = Vec::new();
    for (index, page_rows) in pages.rows.iter().enumerate() {
        let mut page = pdf.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).expect("A4"));
        let mut canvas = Canvas {
            surface: Some(page.surface()),
            fonts: &fonts,
            page: index + 1,
            placed: &mut placed,
        };
        let mut y = if index == 0 {
            layout::letterhead(&mut canvas, document, &e, &title);
            pages.first_top
        } else {
            layout::continuation(&mut canvas, &title, index + 1);
            CONTINUATION_TOP
        };
        if !page_rows.is_empty() {
            y = layout::table_header(&mut canvas, document, y);
            for &row in page_rows {
                y = layout::row(&mut canvas, &rows[row], shows_vat, y);
            }
        }
        if index + 1 == count {
            layout::totals(&mut canvas, document, &e, &totals, y);
        }
        layout::footer(&mut canvas, document, index + 1, count);
        if let Some(surface) = canvas.surface.take() {
            surface.finish();
        }
        drop(canvas);
        page.finish();
    }
    let bytes = pdf
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    let bytes = facturx::add_facturx_xmp(&bytes, FACTUR_X_XML).map_err(RenderError::Xmp)?;
    Ok((bytes, placed))
}

/// A PDF/A-3b with the document's metadata and, embedded, its CII declaring Factur-X EN 16931
/// (what the PDF's XMP declares).
fn pdf_a3(document: &Document, title: &str) -> Result<PdfDocument, RenderError> {
    let xml = crate::cii_as(document, crate::Profile::FacturXEn16931);
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut pdf = PdfDocument::new_with(settings);
    let at = document.issued_at;
    use chrono::{Datelike, Timelike};
    let date = DateTime::new(u16::try_from(at.year()).unwrap_or(2000))
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8);
    pdf.set_metadata(
        Metadata::new()
            .title(title.to_owned())
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
        description: Some("Factur-X/ZUGFeRD-Rechnung (EN 16931)".to_owned()),
        association_kind: AssociationKind::Alternative,
        data: xml.into(),
        modification_date: Some(date),
        compress: Some(true),
        location: None,
    })
    .ok_or_else(|| RenderError::Pdf("factur-x.xml embedded twice".into()))?;
    Ok(pdf)
}
