//! # storno-render
//!
//! Storno's immutable documents in the forms people and machines need:
//!
//! - [`cii`]: UN/CEFACT CII D16B conforming to EN 16931 and XRechnung 3.0 (also the XML of
//!   ZUGFeRD / Factur-X),
//! - [`ubl`]: OASIS UBL 2.1 `Invoice` or `CreditNote` conforming to EN 16931 and XRechnung,
//! - [`pdf`]: a PDF/A-3b with the CII embedded as `factur-x.xml`.
//!
//! Pure: a document in, bytes out; the same document always gives the same bytes. Only the
//! function that serves documents links this crate.

mod cii;
mod einvoice;
mod pdf;
mod ubl;
mod wording;
mod xml;

pub use cii::{cii, cii_as};
pub use einvoice::Profile;
pub use pdf::{FACTUR_X_XML, PlacedText, XmpPatchError, pdf, pdf_layout, set_cjk_font_loader};
pub use ubl::ubl;

use storno_core::Document;

/// Why a document could not be rendered. A bug, never the caller's input: documents are
/// valid when issued.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the Factur-X metadata could not be added: {0}")]
    Xmp(#[source] XmpPatchError),
}

/// The forms a document is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Cii,
    Ubl,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Json, Format::Cii, Format::Ubl, Format::Pdf];

    /// The `format` query parameter's value.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Cii => "cii",
            Format::Ubl => "ubl",
            Format::Pdf => "pdf",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Cii | Format::Ubl => "application/xml",
            Format::Pdf => "application/pdf",
        }
    }

    /// The file name a download gets: the URL-safe id of the number and the form.
    pub fn file_name(self, document: &Document) -> String {
        let id = document.number.id();
        match self {
            Format::Json => format!("{id}.json"),
            Format::Cii => format!("{id}-cii.xml"),
            Format::Ubl => format!("{id}-ubl.xml"),
            Format::Pdf => format!("{id}.pdf"),
        }
    }
}

/// The document in an XML or PDF form (JSON is the API's own).
pub fn render(document: &Document, format: Format) -> Result<Vec<u8>, RenderError> {
    match format {
        Format::Cii => Ok(cii(document)),
        Format::Ubl => Ok(ubl(document)),
        Format::Pdf => pdf(document),
        Format::Json => Err(RenderError::Pdf("JSON is not rendered here".into())),
    }
}
