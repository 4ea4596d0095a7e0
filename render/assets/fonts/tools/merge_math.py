#!/usr/bin/env python3
"""Add the glyphs that Noto Sans lacks (Arrows U+2190-21FF, Mathematical
Operators U+2200-22FF) from a Noto Sans Math subset into a Noto Sans subset.

Noto Sans (2.004 in Debian, and still 2.015 upstream) has no glyph in these two
blocks, not even <= >= !=; Noto Sans Math is the Noto family member drawn for
them, on the same 1000-unit em and the same metrics ('<', '=', '+' are
identical to Noto Sans Regular).  Noto Sans Math has only a Regular weight, so
for Bold its outlines are emboldened with FreeType's FT_Outline_EmboldenXY by
--embolden font units (35 = Noto Sans Bold's operator stroke 107 minus
Regular's 72), keeping the advance widths.

Usage:
  merge_math.py BASE.ttf MATH.ttf OUT.ttf [--embolden UNITS] [--ranges 2190-22FF]

Needs: fonttools, freetype-py.  Outlines are read through FreeType unscaled
and unhinted, so composite glyphs arrive flattened; the result is plain
quadratic TrueType (glyf) with no instructions.
"""
import argparse

import freetype
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphCoordinates
from fontTools.ttLib.tables import ttProgram


def ft_glyph(face, gid, embolden):
    face.load_glyph(gid, freetype.FT_LOAD_NO_SCALE | freetype.FT_LOAD_NO_HINTING
                    | freetype.FT_LOAD_NO_BITMAP)
    slot = face.glyph
    outline = slot.outline
    if embolden and outline.n_contours:
        err = freetype.FT_Outline_EmboldenXY(freetype.byref(outline._FT_Outline),
                                             int(embolden), int(embolden))
        if err:
            raise RuntimeError(f"FT_Outline_EmboldenXY failed for glyph {gid}: {err}")
    pts = [(int(x), int(y)) for x, y in outline.points]
    tags = list(outline.tags)
    ends = list(outline.contours)
    for t in tags:
        if t & 2:
            raise RuntimeError(f"cubic point in glyph {gid}; expected TrueType outlines")
    g = Glyph()
    g.numberOfContours = len(ends)
    if ends:
        g.coordinates = GlyphCoordinates(pts)
        g.flags = bytearray(t & 1 for t in tags)
        g.endPtsOfContours = ends
        g.program = ttProgram.Program()
        g.program.fromBytecode(b"")
    return g, slot.metrics.horiAdvance


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("math")
    ap.add_argument("out")
    ap.add_argument("--embolden", type=int, default=0)
    ap.add_argument("--ranges", default="2190-22FF",
                    help="hex code point ranges to take from MATH, comma separated")
    a = ap.parse_args()
    ranges = [tuple(int(x, 16) for x in r.split("-")) for r in a.ranges.split(",")]

    base = TTFont(a.base, recalcTimestamp=False)
    math = TTFont(a.math)
    if base["head"].unitsPerEm != math["head"].unitsPerEm:
        raise SystemExit("units-per-em differ")
    face = freetype.Face(a.math)

    base_cmap = base.getBestCmap()
    math_cmap = math.getBestCmap()
    glyf = base["glyf"]
    hmtx = base["hmtx"]
    order = list(base.getGlyphOrder())

    added = {}   # math gid -> new glyph name
    newmap = {}  # codepoint -> new glyph name
    for cp in sorted(math_cmap):
        if cp in base_cmap or not any(lo <= cp <= hi for lo, hi in ranges):
            continue
        gid = math.getGlyphID(math_cmap[cp])
        if gid not in added:
            name = f"math.{gid:05d}"
            g, adv = ft_glyph(face, gid, a.embolden)
            glyf.glyphs[name] = g  # before recalcBounds so the name resolves
            g.recalcBounds(glyf)
            hmtx.metrics[name] = (adv, g.xMin if g.numberOfContours else 0)
            order.append(name)
            added[gid] = name
        newmap[cp] = added[gid]

    base.setGlyphOrder(order)
    glyf.glyphOrder = order
    for st in base["cmap"].tables:
        if st.isUnicode():
            for cp, name in newmap.items():
                if st.format == 4 and cp > 0xFFFF:
                    continue
                st.cmap[cp] = name
    os2 = base["OS/2"]
    os2.recalcUnicodeRanges(base)
    os2.usFirstCharIndex = min(base.getBestCmap())
    os2.usLastCharIndex = min(max(base.getBestCmap()), 0xFFFF)
    base.save(a.out)
    print(f"{a.out}: added {len(added)} glyphs for {len(newmap)} code points"
          f" (embolden {a.embolden})")


if __name__ == "__main__":
    main()
