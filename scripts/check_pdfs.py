"""Checks every PDF the tests wrote under a folder (target/einvoice/<story>/*.pdf) with pikepdf:
it opens, declares PDF/A-3b in its XMP with the Factur-X extension (EN 16931, factur-x.xml),
embeds factur-x.xml as the catalog's associated file with /AFRelationship /Alternative, and
the embedded XML is byte for byte the CII the same test wrote beside it. The embedded XMLs
are then handed to the e-invoice validator, which must find them valid.

usage: check_pdfs.py FOLDER VALIDATOR_PY
"""

import pathlib
import subprocess
import sys
import tempfile

import pikepdf

FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


def check(pdf_path: pathlib.Path, extracted: pathlib.Path) -> list[str]:
    problems = []
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
        attachments = pdf.attachments
        if list(attachments.keys()) != ["factur-x.xml"]:
            problems.append(f"attachments {list(attachments.keys())}, not exactly factur-x.xml")
            return problems
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
        cii = pdf_path.with_name(pdf_path.stem + "-cii.xml")
        if not cii.exists() or cii.read_bytes() != data:
            problems.append(f"the embedded XML is not {cii.name}")
        extracted.write_bytes(data)
        if len(pdf.pages) < 1:
            problems.append("no pages")
    return problems


def main() -> int:
    folder, validator = pathlib.Path(sys.argv[1]), sys.argv[2]
    pdfs = sorted(folder.glob("*/*.pdf"))
    if not pdfs:
        print(f"no PDFs under {folder}", file=sys.stderr)
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        extracted = []
        for pdf_path in pdfs:
            target = pathlib.Path(tmp) / f"{pdf_path.parent.name}-{pdf_path.stem}-embedded.xml"
            problems = check(pdf_path, target)
            extracted.append(str(target))
            for problem in problems:
                print(f"INVALID {pdf_path}: {problem}")
            failed += bool(problems)
        print(f"{len(pdfs) - failed} PDFs ok, {failed} with problems; validating the embedded XML")
        result = subprocess.run([sys.executable, validator, "--quiet", *extracted])
    return 1 if failed or result.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
