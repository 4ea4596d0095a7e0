//! Drawing on one page, and measuring: the same layout code runs without a surface to find
//! out how tall a block is before the page is drawn. Every text placed is recorded with its
//! box, so a test can prove that no two texts overlap and none leaves the page.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;

use super::fonts::{Fonts, Weight};

/// A text as placed on a page (as shown: `?` for a character no font has), with its box in
/// points from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedText {
    pub page: usize,
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub text: String,
}

impl PlacedText {
    /// Whether the two boxes share an area (touching edges do not count).
    pub fn overlaps(&self, other: &PlacedText) -> bool {
        self.page == other.page
            && self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }
}

/// How far glyphs reach above and below the baseline, in em (Noto Sans's capitals, accents
/// and descenders stay within these).
const ASCENT: f32 = 0.80;
const DESCENT: f32 = 0.24;

#[derive(Clone, Copy)]
pub(super) enum Align {
    Left,
    Right,
}

/// How a text is set: weight, size and grey (0 black).
#[derive(Clone, Copy)]
pub(super) struct Style {
    pub weight: Weight,
    pub size: f32,
    pub grey: u8,
}

impl Style {
    pub const fn regular(size: f32) -> Style {
        Style {
            weight: Weight::Regular,
            size,
            grey: 0,
        }
    }

    pub const fn bold(size: f32) -> Style {
        Style {
            weight: Weight::Bold,
            size,
            grey: 0,
        }
    }

    pub const fn grey(size: f32) -> Style {
        Style {
            weight: Weight::Regular,
            size,
            grey: 90,
        }
    }
}

fn ink(grey: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(grey, grey, grey).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

pub(super) struct Canvas<'a, 'p> {
    /// `None` while measuring.
    pub surface: Option<Surface<'p>>,
    pub fonts: &'a Fonts,
    pub page: usize,
    pub placed: &'a mut Vec<PlacedText>,
}

impl Canvas<'_, '_> {
    /// One line of text with its baseline at `y`; returns its width.
    pub fn text(&mut self, style: Style, x: f32, y: f32, align: Align, text: &str) -> f32 {
        if text.is_empty() {
            return 0.0;
        }
        let runs = self.fonts.runs(style.weight, text);
        let width = runs.iter().map(|r| r.width).sum::<f32>() * style.size;
        // What is shown, `?` where no font had a character: a check sees what a reader sees.
        let shown: String = runs.iter().map(|r| r.shown.as_str()).collect();
        let left = match align {
            Align::Left => x,
            Align::Right => x - width,
        };
        self.placed.push(PlacedText {
            page: self.page,
            left,
            top: y - ASCENT * style.size,
            right: left + width,
            bottom: y + DESCENT * style.size,
            text: shown,
        });
        if let Some(surface) = self.surface.as_mut() {
            surface.set_fill(Some(ink(style.grey)));
            let mut at = left;
            for run in runs {
                surface.draw_glyphs(
                    Point::from_xy(at, y),
                    &run.glyphs,
                    run.face.font(),
                    &run.shown,
                    style.size,
                    false,
                );
                at += run.width * style.size;
            }
        }
        width
    }

    /// `text` wrapped to `width` from baseline `y`, a line every `leading` points; returns the
    /// baseline after the last line.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(
        &mut self,
        style: Style,
        x: f32,
        y: f32,
        width: f32,
        leading: f32,
        align: Align,
        text: &str,
    ) -> f32 {
        let mut y = y;
        for line in self.fonts.wrap(style.weight, text, style.size, width) {
            self.text(style, x, y, align, &line);
            y += leading;
        }
        y
    }

    /// Texts one under another, each wrapped like a paragraph; returns the baseline after them.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraphs(
        &mut self,
        style: Style,
        x: f32,
        y: f32,
        width: f32,
        leading: f32,
        align: Align,
        texts: impl IntoIterator<Item = String>,
    ) -> f32 {
        texts.into_iter().fold(y, |y, text| {
            self.paragraph(style, x, y, width, leading, align, &text)
        })
    }

    /// One line shortened with `…` to `width`.
    pub fn fitted(&mut self, style: Style, x: f32, y: f32, width: f32, align: Align, text: &str) {
        let shown = self.fonts.fit(style.weight, text, style.size, width);
        self.text(style, x, y, align, &shown);
    }

    pub fn width(&self, style: Style, text: &str) -> f32 {
        self.fonts.width(style.weight, text, style.size)
    }

    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        let Some(surface) = self.surface.as_mut() else {
            return;
        };
        let mut path = PathBuilder::new();
        path.move_to(x1, y);
        path.line_to(x2, y);
        if let Some(path) = path.finish() {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(120, 120, 120).into(),
                width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
            surface.set_fill(Some(ink(0)));
        }
    }

    pub fn band(&mut self, x: f32, y: f32, w: f32, h: f32, grey: u8) {
        let Some(surface) = self.surface.as_mut() else {
            return;
        };
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            surface.set_stroke(None);
            surface.set_fill(Some(ink(grey)));
            surface.draw_path(&path);
            surface.set_fill(Some(ink(0)));
        }
    }
}
