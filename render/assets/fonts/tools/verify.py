#!/usr/bin/env python3
"""Checks the fonts in render/assets/fonts: each opens, its cmap maps the sample
names, and prints size, glyph count, units-per-em, outline format and the
advance width of 'A'.  Exits non-zero on a missing character."""
import os
import sys

from fontTools.ttLib import TTFont

HERE = os.path.dirname(os.path.abspath(__file__))
FONTS = os.path.dirname(HERE)

SANS = ["Ελένη Παπαδοπούλου", "Łukasz Żółkiewski", "Дмитрий Шостакович",
        "Nguyễn Thị Minh Khai", "Ørsted Ærø Åsa", "≥ ≤ № € – — „“ ‚‘ … ·",
        "Ğ ş İ ı ț ș", "≠ ± × ™ ? \ufffd"]
CJK = ["山田太郎", "やまだ たろう", "ヤマダ", "김민준", "王小明", "株式会社", "（）・"]

CHECKS = [("NotoSans-Regular.ttf", SANS), ("NotoSans-Bold.ttf", SANS),
          ("cjk/NotoSansCJK-Regular.otf", CJK)]

failed = False
for rel, samples in CHECKS:
    path = os.path.join(FONTS, rel)
    f = TTFont(path)
    cmap = f.getBestCmap()
    outline = "glyf" if "glyf" in f else ("CFF2" if "CFF2" in f else "CFF")
    a_adv = f["hmtx"][cmap[ord("A")]][0]
    print(f"{rel}: {os.path.getsize(path)} bytes, {len(f.getGlyphOrder())} glyphs, "
          f"{len(cmap)} code points, upem {f['head'].unitsPerEm}, {outline}, "
          f"advance('A') {a_adv}, fsType {f['OS/2'].fsType}, "
          f"tables {' '.join(sorted(t for t in f.keys() if t != 'GlyphOrder'))}")
    for s in samples:
        missing = sorted({c for c in s if ord(c) not in cmap})
        status = "ok" if not missing else "MISSING " + " ".join(f"U+{ord(c):04X}" for c in missing)
        print(f"  {s}: {status}")
        failed |= bool(missing)
sys.exit(1 if failed else 0)
