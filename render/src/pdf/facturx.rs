//! Adds the Factur-X XMP (fx:* properties and their PDF/A extension schema)
//! to a PDF/A-1..3 file written by krilla 0.8.x (pdf-writer 0.15).
//!
//! krilla writes the XMP packet uncompressed, as the last stream before the
//! catalog, and finishes with a classic xref table. We insert two fragments into
//! the packet, fix the stream's /Length, shift every xref offset behind the
//! insertion point and rewrite `startxref`. No other byte changes.

const FX_NS: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

/// fx:ConformanceLevel: the embedded CII is an EN 16931 invoice (and an XRechnung one).
const LEVEL: &str = "EN 16931";

/// krilla's output did not have the layout the splice relies on: nothing was written.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum XmpPatchError {
    #[error("no XMP packet found")]
    NoXmpPacket,
    #[error("the XMP packet has no PDF/A extension schemas")]
    NoExtensionSchemas,
    #[error("the XMP packet does not end its RDF")]
    NoRdfEnd,
    #[error("the XMP stream's length does not match")]
    BadStreamLength,
    #[error("the trailer is not where expected")]
    BadTrailer,
    #[error("the cross-reference table is not where expected")]
    BadXref,
}

fn property(name: &str, description: &str) -> String {
    format!(
        "<rdf:li rdf:parseType=\"Resource\">\
         <pdfaProperty:name>{name}</pdfaProperty:name>\
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>\
         <pdfaProperty:category>external</pdfaProperty:category>\
         <pdfaProperty:description>{description}</pdfaProperty:description>\
         </rdf:li>"
    )
}

/// One more entry for the `pdfaExtension:schemas` bag krilla already writes
/// (the `pdfaSchema`/`pdfaProperty` prefixes are declared on krilla's
/// `rdf:Description`, which encloses the bag).
fn schema_entry() -> String {
    format!(
        "<rdf:li rdf:parseType=\"Resource\">\
         <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\
         <pdfaSchema:namespaceURI>{FX_NS}</pdfaSchema:namespaceURI>\
         <pdfaSchema:prefix>fx</pdfaSchema:prefix>\
         <pdfaSchema:property><rdf:Seq>{}{}{}{}</rdf:Seq></pdfaSchema:property>\
         </rdf:li>",
        property("DocumentFileName", "The name of the embedded XML document"),
        property(
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"
        ),
        property(
            "Version",
            "The actual version of the standard applying to the embedded XML document"
        ),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded XML document"
        ),
    )
}

/// `file_name` must be plain ASCII without XML specials (it is "factur-x.xml").
fn fx_description(file_name: &str) -> String {
    format!(
        "<rdf:Description rdf:about=\"\" xmlns:fx=\"{FX_NS}\">\
         <fx:DocumentType>INVOICE</fx:DocumentType>\
         <fx:DocumentFileName>{file_name}</fx:DocumentFileName>\
         <fx:Version>1.0</fx:Version>\
         <fx:ConformanceLevel>{LEVEL}</fx:ConformanceLevel>\
         </rdf:Description>"
    )
}

fn find(hay: &[u8], needle: &[u8], from: usize, to: usize) -> Option<usize> {
    hay.get(from..to)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8], to: usize) -> Option<usize> {
    hay.get(..to)?
        .windows(needle.len())
        .rposition(|w| w == needle)
}

fn digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

fn parse_usize(bytes: &[u8]) -> Option<usize> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

pub fn add_facturx_xmp(pdf: &[u8], file_name: &str) -> Result<Vec<u8>, XmpPatchError> {
    use XmpPatchError::*;

    // The document's XMP packet: the last one in the file (krilla writes it
    // after every other stream, right before the catalog).
    let start = rfind(pdf, b"<?xpacket begin=", pdf.len()).ok_or(NoXmpPacket)?;
    let end = find(pdf, b"<?xpacket end=", start, pdf.len()).ok_or(NoXmpPacket)?;
    let bag_end =
        find(pdf, b"</rdf:Bag></pdfaExtension:schemas>", start, end).ok_or(NoExtensionSchemas)?;
    let rdf_end = find(pdf, b"</rdf:RDF>", bag_end, end).ok_or(NoRdfEnd)?;

    // `<</Length N/Type/Metadata/Subtype/XML>>\nstream\n<?xpacket ...`
    if !pdf[..start].ends_with(b"stream\n") {
        return Err(BadStreamLength);
    }
    let len_key = rfind(pdf, b"/Length ", start).ok_or(BadStreamLength)?;
    let len_start = len_key + b"/Length ".len();
    let len_end = len_start + digits(&pdf[len_start..]);
    let old_len = parse_usize(&pdf[len_start..len_end]).ok_or(BadStreamLength)?;
    let endstream = find(pdf, b"\nendstream", end, pdf.len()).ok_or(BadStreamLength)?;
    if endstream - start != old_len {
        return Err(BadStreamLength);
    }

    let entry = schema_entry();
    let description = fx_description(file_name);
    let new_len = old_len + entry.len() + description.len();

    let mut out = Vec::with_capacity(pdf.len() + entry.len() + description.len() + 8);
    out.extend_from_slice(&pdf[..len_start]);
    out.extend_from_slice(new_len.to_string().as_bytes());
    out.extend_from_slice(&pdf[len_end..bag_end]);
    out.extend_from_slice(entry.as_bytes());
    out.extend_from_slice(&pdf[bag_end..rdf_end]);
    out.extend_from_slice(description.as_bytes());
    out.extend_from_slice(&pdf[rdf_end..]);
    let delta = out.len() - pdf.len();
    shift_xref(&mut out, len_start, delta)?;
    Ok(out)
}

/// Moves the cross-reference table's offsets (and `startxref`) of every object after the
/// patched stream by `delta` bytes.
fn shift_xref(out: &mut Vec<u8>, len_start: usize, delta: usize) -> Result<(), XmpPatchError> {
    use XmpPatchError::*;

    // pdf-writer ends the file with `startxref\n<offset>\n%%EOF`.
    let sx = rfind(out, b"startxref\n", out.len()).ok_or(BadTrailer)?;
    let num = sx + b"startxref\n".len();
    let old_xref = parse_usize(&out[num..num + digits(&out[num..])]).ok_or(BadTrailer)?;
    if old_xref <= len_start {
        return Err(BadTrailer);
    }
    let xref = old_xref + delta;

    // One classic subsection: `xref\n0 <count>\n` + 20-byte entries
    // `oooooooooo ggggg n\r\n`.
    if !out.get(xref..).is_some_and(|t| t.starts_with(b"xref\n0 ")) {
        return Err(BadXref);
    }
    let mut p = xref + b"xref\n0 ".len();
    let count_len = digits(&out[p..]);
    let count = parse_usize(&out[p..p + count_len]).ok_or(BadXref)?;
    p += count_len + 1;
    for _ in 0..count {
        let row = out.get(p..p + 20).ok_or(BadXref)?;
        if row[17] == b'n' {
            let offset = parse_usize(&row[..10]).ok_or(BadXref)?;
            if offset > len_start {
                let shifted = format!("{:010}", offset + delta);
                out[p..p + 10].copy_from_slice(shifted.as_bytes());
            }
        }
        p += 20;
    }

    out.truncate(sx);
    out.extend_from_slice(format!("startxref\n{xref}\n%%EOF").as_bytes());
    Ok(())
}
