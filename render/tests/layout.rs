//! The PDF's layout never collides: on every document of the stories, including the
//! adversarial ones (every text at its longest, 40 attendees with long names, 9-digit
//! amounts, 20 options of one booking) and names in many scripts, no two texts overlap and
//! none leaves the page. And every name prints as itself, never as `?`.

mod corpus;

use storno_core::Document;
use storno_render::{PlacedText, pdf_layout, set_cjk_font_loader};

/// A4 in points, and the least margin a text keeps from the paper's edge.
const WIDTH: f32 = 595.2756;
const HEIGHT: f32 = 841.8898;
const MARGIN: f32 = 20.0;

/// Storno's programs read the CJK font from a file; the tests read the repository's copy.
fn cjk_font() -> Option<Vec<u8>> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/fonts/cjk/NotoSansCJK-Regular.otf"
    ))
    .ok()
}

fn layout(document: &Document) -> Vec<PlacedText> {
    set_cjk_font_loader(cjk_font);
    pdf_layout(document).unwrap_or_else(|e| panic!("{}: {e}", document.number))
}

/// Every problem of one document's layout.
fn collisions(placed: &[PlacedText]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, a) in placed.iter().enumerate() {
        let inside = a.left >= MARGIN
            && a.right <= WIDTH - MARGIN
            && a.top >= MARGIN
            && a.bottom <= HEIGHT - MARGIN;
        if !inside {
            problems.push(format!(
                "page {}: {:?} leaves the page ({:.1}, {:.1})–({:.1}, {:.1})",
                a.page, a.text, a.left, a.top, a.right, a.bottom
            ));
        }
        for b in &placed[i + 1..] {
            if a.overlaps(b) {
                problems.push(format!(
                    "page {}: {:?} overlaps {:?}",
                    a.page, a.text, b.text
                ));
            }
        }
    }
    problems
}

#[test]
fn no_text_overlaps_another_or_leaves_the_page_on_any_document() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for (name, story) in corpus::stories() {
        for document in &story.documents {
            for problem in collisions(&layout(document)) {
                problems.push(format!("{name} {}: {problem}", document.number));
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 25, "{checked} documents");
}

#[test]
fn the_checker_sees_a_collision() {
    // The check above is worth something only if it can fail.
    let placed = |left: f32, top: f32, text: &str| PlacedText {
        page: 1,
        left,
        top,
        right: left + 50.0,
        bottom: top + 10.0,
        text: text.to_owned(),
    };
    assert_eq!(
        collisions(&[placed(100.0, 100.0, "a"), placed(120.0, 105.0, "b")]).len(),
        1
    );
    assert_eq!(
        collisions(&[placed(100.0, 100.0, "a"), placed(100.0, 110.0, "b")]).len(),
        0
    );
    assert_eq!(collisions(&[placed(560.0, 100.0, "off the page")]).len(), 1);
}

#[test]
fn the_adversarial_documents_wrap_instead_of_cutting_the_facts() {
    let story = corpus::adversarial();
    let invoice = &story.documents[0];
    let placed = layout(invoice);
    // The number and date are printed whole, each once in the facts.
    let number = invoice.number.to_string();
    assert!(placed.iter().any(|p| p.text == number), "{number}");
    // Every attendee's 200-character name is printed in full (wrapped over lines).
    let all: String = placed
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let squeezed: String = all.split_whitespace().collect();
    for attendee in &invoice.attendees {
        let name: String = attendee.name.split_whitespace().collect();
        assert!(squeezed.contains(&name), "{}", attendee.name);
    }
    // 40 attendees with long names and 20 options take several pages.
    assert!(placed.iter().map(|p| p.page).max().unwrap() >= 3);
}

#[test]
fn names_in_every_script_print_as_themselves() {
    let story = corpus::scripts();
    for document in &story.documents {
        let placed = layout(document);
        let all: String = placed
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        for name in
            corpus::SCRIPT_NAMES
                .iter()
                .chain(&["Ελένη Παπαδοπούλου", "Αθήνα", "≥ 3 Tage", "№ 2"])
        {
            assert!(all.contains(name), "{}: {name} is missing", document.number);
        }
        assert!(
            !all.contains('?'),
            "{}: a character printed as '?'",
            document.number
        );
    }
}

/// Every text of every document of a story, as shown.
fn texts(story: &corpus::Story) -> Vec<(String, String)> {
    story
        .documents
        .iter()
        .map(|document| {
            let placed = layout(document);
            let all = placed.iter().map(|p| p.text.as_str()).collect::<Vec<_>>();
            (document.number.to_string(), all.join("\n"))
        })
        .collect()
}

#[test]
fn a_seller_without_vat_gets_no_vat_column_and_its_note_once() {
    for (number, text) in texts(&corpus::exempt()) {
        let note = "Kein Ausweis von Umsatzsteuer, da Kleinunternehmer gemäß § 19 UStG";
        let squeezed: String = text.split_whitespace().collect();
        let note: String = note.split_whitespace().collect();
        assert_eq!(
            squeezed.matches(&note).count(),
            1,
            "{number}: the § 19 note once"
        );
        assert!(!text.lines().any(|l| l == "USt"), "{number}: no VAT column");
        assert!(!text.contains("0 %"), "{number}: no 0 % rate");
    }
}

#[test]
fn german_documents_say_storniert_and_never_gutschrift() {
    for (number, text) in texts(&corpus::converia()) {
        assert!(
            !text.contains("Gutschrift"),
            "{number}: a self-billed invoice's word"
        );
        assert!(
            !text.contains("canceled"),
            "{number}: English in a German document"
        );
        if number == "CDC25/001/3" {
            assert!(
                text.contains("(storniert)"),
                "{number}: the cancelled person"
            );
        }
        if number == "CDC25/002" {
            assert!(text.contains("Betrag zu Ihren Gunsten"), "{number}");
        }
    }
}
