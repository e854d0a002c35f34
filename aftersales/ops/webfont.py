"""The web pages' CJK fallback font: a subset of the vendored report font (static/aftersales/fonts).

site.css names it after the system fonts, so only a machine without a CJK font of its own fetches
it. It holds the characters the project itself writes (templates, the zh-Hans catalogue, Python
labels and messages, schemes, demo data) and GB 2312 level 1 (the 3,755 common hanzi), so that
names typed by users render too. Regenerate it after adding Chinese text with

    .venv/bin/python -m aftersales.ops.webfont

(tests/web/test_webfont.py fails while a template or catalogue string has a character outside it).
fontTools only: the same recipe on any machine gives the same file.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
FONT_DIR = PACKAGE / "static" / "aftersales" / "fonts"
SOURCE = FONT_DIR / "AftersalesReportSans-Regular.woff2"
TARGET = FONT_DIR / "AftersalesWebSans-Regular.woff2"
# Where the project's own text lives; the fonts, the compiled catalogue and static files are not text.
TEXT_SUFFIXES = {".html", ".txt", ".po", ".py", ".yaml", ".yml", ".csv"}
SKIP_DIRS = {"static", "__pycache__"}
# CJK punctuation and full-width forms, whole: a few kB. Other symbols (★, arrows, “”) are left to
# the system's Latin fonts, so that a page without Chinese never fetches the font.
BLOCKS = [(0x3000, 0x303F), (0xFF00, 0xFFEF)]


def is_cjk(char: str) -> bool:
    """A character the Latin system fonts lack: CJK punctuation, hanzi, full-width forms (the
    font's unicode-range in site.css)."""
    cp = ord(char)
    return 0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFE30 <= cp <= 0xFE4F or 0xFF00 <= cp <= 0xFFEF


def project_files() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*")
        if p.suffix in TEXT_SUFFIXES and p.is_file() and not SKIP_DIRS & set(p.relative_to(PACKAGE).parts)
    )


def project_chars() -> set[str]:
    """Every CJK character in the project's text files (UTF-8; a GBK sample file is read as GB 18030)."""
    chars: set[str] = set()
    for path in project_files():
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="ignore")
        chars.update(c for c in text if is_cjk(c))
    return chars


def gb2312_level1() -> set[str]:
    """GB 2312's 3,755 level-1 hanzi (rows 16–55), the characters of everyday names and addresses."""
    codes = b"".join(bytes([row, cell]) for row in range(0xB0, 0xD8) for cell in range(0xA1, 0xFF))
    return set(codes.decode("gb2312", errors="ignore"))  # row 55 ends at 0xF9: the 5 after it are dropped


def wanted_codepoints() -> set[int]:
    blocks = {cp for lo, hi in BLOCKS for cp in range(lo, hi + 1)}
    return blocks | {ord(c) for c in project_chars() | gb2312_level1()}


def build(target: Path = TARGET) -> tuple[int, int]:
    """Write the subset; returns (code points in the font, bytes)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(SOURCE, recalcTimestamp=False)  # the same bytes on every run
    options = subset.Options(layout_features=["kern"], hinting=False, desubroutinize=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(target)
    return len(font.getBestCmap()), target.stat().st_size


if __name__ == "__main__":
    count, size = build()
    sys.stdout.write(f"{TARGET.relative_to(PACKAGE.parent)}: {count} code points, {size / 1024:.0f} KiB\n")
