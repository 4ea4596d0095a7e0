#!/bin/sh
# Regenerates NotoSans-Regular.ttf, NotoSans-Bold.ttf and cjk/NotoSansCJK-Regular.otf
# in render/assets/fonts/ from Debian's fonts-noto-core and fonts-noto-cjk.
# Needs (not a project dependency, run by hand):
#   apt-get install -y fonts-noto-core fonts-noto-cjk
#   python3 -m venv /tmp/ftvenv && /tmp/ftvenv/bin/pip install fonttools freetype-py
# Usage: sh render/assets/fonts/tools/build.sh [/tmp/ftvenv]
set -eu
VENV=${1:-/tmp/ftvenv}
FONTS=$(cd "$(dirname "$0")/.." && pwd)
NOTO=/usr/share/fonts/truetype/noto
CJK=/usr/share/fonts/opentype/noto
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Basic Latin, Latin-1, Latin Ext-A, Ext-B, IPA, Spacing Modifiers, Combining
# Diacritics, Greek, Cyrillic, Cyrillic Suppl., Latin Ext. Additional, Greek Ext.,
# General Punctuation, Super/Subscripts, Currency, Letterlike, Number Forms,
# Arrows, Mathematical Operators, U+FFFD
SANS="U+0020-007E,U+00A0-00FF,U+0100-017F,U+0180-024F,U+0250-02AF,U+02B0-02FF,U+0300-036F,U+0370-03FF,U+0400-04FF,U+0500-052F,U+1E00-1EFF,U+1F00-1FFF,U+2000-206F,U+2070-209F,U+20A0-20CF,U+2100-214F,U+2150-218F,U+2190-21FF,U+2200-22FF,U+FFFD"
for w in Regular Bold; do
  "$VENV/bin/pyftsubset" "$NOTO/NotoSans-$w.ttf" --unicodes="$SANS" \
    --no-hinting --layout-features='' --drop-tables+=GSUB,GPOS,GDEF,kern,gasp,DSIG \
    --notdef-outline --name-IDs='*' --recalc-bounds --output-file="$TMP/NotoSans-$w.base.ttf"
done
# Noto Sans has no Arrows and no Mathematical Operators: take them from Noto Sans Math.
"$VENV/bin/pyftsubset" "$NOTO/NotoSansMath-Regular.ttf" --unicodes="U+2190-21FF,U+2200-22FF" \
  --no-hinting --layout-features='' --drop-tables+=GSUB,GPOS,GDEF,kern,gasp,DSIG,MATH \
  --notdef-outline --name-IDs='*' --recalc-bounds --output-file="$TMP/NotoSansMath-arrows-ops.ttf"
"$VENV/bin/python" "$FONTS/tools/merge_math.py" "$TMP/NotoSans-Regular.base.ttf" \
  "$TMP/NotoSansMath-arrows-ops.ttf" "$FONTS/NotoSans-Regular.ttf"
"$VENV/bin/python" "$FONTS/tools/merge_math.py" "$TMP/NotoSans-Bold.base.ttf" \
  "$TMP/NotoSansMath-arrows-ops.ttf" "$FONTS/NotoSans-Bold.ttf" --embolden 35

# CJK: face 0 of the collection is Noto Sans CJK JP.
mkdir -p "$FONTS/cjk"
"$VENV/bin/pyftsubset" "$CJK/NotoSansCJK-Regular.ttc" --font-number=0 \
  --unicodes="U+0020-007E,U+3000-303F,U+3040-309F,U+30A0-30FF,U+31F0-31FF,U+3130-318F,U+4E00-9FFF,U+AC00-D7A3,U+FF00-FFEF" \
  --no-hinting --layout-features='' --drop-tables+=GSUB,GPOS,GDEF,BASE,VORG,vhea,vmtx,DSIG \
  --notdef-outline --name-IDs='*' --recalc-bounds --output-file="$FONTS/cjk/NotoSansCJK-Regular.otf"

"$VENV/bin/python" "$FONTS/tools/verify.py"
