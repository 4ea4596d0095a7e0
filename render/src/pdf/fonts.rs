//! The fonts a document is drawn with, and which one draws each character.
//!
//! Noto Sans (regular and bold, subset to Latin with its extensions, Greek, Cyrillic and the
//! usual symbols) is compiled in. Names in Chinese, Japanese or Korean need a CJK font of
//! about 15 MB: it stays outside the binaries (a file beside storno-local, a Lambda layer)
//! and is loaded the first time a document needs it, through the loader the program
//! registers with [`set_cjk_font_loader`]. A character no font has prints as `?`: a missing
//! glyph would make the whole PDF/A invalid.

use std::sync::OnceLock;

use krilla::Data;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// The registered way to read the CJK font (I/O belongs to the program, not to the renderer).
static CJK_LOADER: OnceLock<fn() -> Option<Vec<u8>>> = OnceLock::new();
/// The CJK font, read once when a document first needs it (`None`: none could be read).
static CJK: OnceLock<Option<Face>> = OnceLock::new();

/// Registers how the CJK font is read; the first registration wins. Without one, CJK
/// characters print as `?`.
pub fn set_cjk_font_loader(loader: fn() -> Option<Vec<u8>>) {
    let _ = CJK_LOADER.set(loader);
}

/// A font krilla can draw and we can measure.
pub(super) struct Face {
    font: Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: skrifa::metrics::GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn new(data: &'static [u8]) -> Option<Face> {
        let font = Font::new(Data::from(data), 0)?;
        let reference = skrifa::FontRef::new(data).ok()?;
        Some(Face {
            font,
            metrics: reference.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: f32::from(
                reference
                    .metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em,
            ),
            charmap: reference.charmap(),
        })
    }

    fn glyph(&self, ch: char) -> Option<skrifa::GlyphId> {
        self.charmap.map(ch).filter(|g| g.to_u32() != 0)
    }

    fn advance(&self, glyph: skrifa::GlyphId) -> f32 {
        self.metrics.advance_width(glyph).unwrap_or(0.0) / self.units_per_em
    }

    pub(super) fn font(&self) -> Font {
        self.font.clone()
    }
}

fn cjk() -> Option<&'static Face> {
    CJK.get_or_init(|| {
        let bytes = CJK_LOADER.get()?()?;
        Face::new(Box::leak(bytes.into_boxed_slice()))
    })
    .as_ref()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// A piece of text drawn with one font: what it shows, its glyphs and its width in em.
pub(super) struct Run<'f> {
    pub face: &'f Face,
    pub shown: String,
    pub glyphs: Vec<KrillaGlyph>,
    pub width: f32,
}

pub(super) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(super) fn new() -> Fonts {
        Fonts {
            regular: Face::new(REGULAR).expect("the bundled font parses"),
            bold: Face::new(BOLD).expect("the bundled font parses"),
        }
    }

    /// `text` as runs of one font each: the weight's Noto Sans where it has the character,
    /// else the CJK font (regular; CJK has no bold here), else `?`.
    pub(super) fn runs(&self, weight: Weight, text: &str) -> Vec<Run<'_>> {
        let primary = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        let mut runs: Vec<Run<'_>> = Vec::new();
        for ch in text.chars() {
            let (face, ch, glyph) = match primary.glyph(ch) {
                Some(glyph) => (primary, ch, glyph),
                None => match cjk().and_then(|f| f.glyph(ch).map(|g| (f, g))) {
                    Some((face, glyph)) => (face, ch, glyph),
                    None => (primary, '?', primary.glyph('?').expect("the font has '?'")),
                },
            };
            let same = runs.last().is_some_and(|r| std::ptr::eq(r.face, face));
            if !same {
                runs.push(Run {
                    face,
                    shown: String::new(),
                    glyphs: Vec::new(),
                    width: 0.0,
                });
            }
            let run = runs.last_mut().expect("a run");
            let start = run.shown.len();
            run.shown.push(ch);
            let advance = face.advance(glyph);
            run.glyphs.push(KrillaGlyph::new(
                GlyphId::new(glyph.to_u32()),
                advance,
                0.0,
                0.0,
                0.0,
                start..run.shown.len(),
                None,
            ));
            run.width += advance;
        }
        runs
    }

    /// The width of `text` in points.
    pub(super) fn width(&self, weight: Weight, text: &str, size: f32) -> f32 {
        self.runs(weight, text).iter().map(|r| r.width).sum::<f32>() * size
    }

    /// `text` broken into lines of at most `width` points: at spaces, and inside words (or
    /// scripts without spaces) longer than a line.
    pub(super) fn wrap(&self, weight: Weight, text: &str, size: f32, width: f32) -> Vec<String> {
        let fits = |candidate: &str| self.width(weight, candidate, size) <= width;
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if fits(&candidate) {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            let mut piece = String::new();
            for ch in word.chars() {
                piece.push(ch);
                if !fits(&piece) && piece.chars().count() > 1 {
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

    /// `text` shortened with `…` to fit `width` points (where the full text is elsewhere: the
    /// letterhead, the XML).
    pub(super) fn fit(&self, weight: Weight, text: &str, size: f32, width: f32) -> String {
        if self.width(weight, text, size) <= width {
            return text.to_owned();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate = format!("{}…", chars.iter().collect::<String>().trim_end());
            if self.width(weight, &candidate, size) <= width {
                return candidate;
            }
        }
        "…".to_owned()
    }
}
