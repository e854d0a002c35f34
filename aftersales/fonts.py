"""The vendored CJK font (static/aftersales/fonts, OFL) as files other libraries can read.

WeasyPrint reads the WOFF2 files directly; Pillow (the PNG mark) needs an uncompressed OpenType
file, and the SVG mark embeds a small subset of the glyphs it uses. Both are derived once with
fontTools and cached under DATA_DIR/cache/fonts (keyed by the source file's size and mtime and the
glyph set, written atomically), so nothing depends on the machine's system fonts.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings

FONT_DIR = Path(__file__).resolve().parent / "static" / "aftersales" / "fonts"
SOURCES = {400: "AftersalesReportSans-Regular.woff2", 700: "AftersalesReportSans-Bold.woff2"}
FAMILY = "Aftersales Report Sans"
# After the vendored font: the same design under its usual names, then the common CJK system fonts.
FALLBACKS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "sans-serif",
)


def cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "fonts"


def _key(weight: int, extra: str = "") -> str:
    source = FONT_DIR / SOURCES[weight]
    st = source.stat()
    return hashlib.sha256(f"{source.name}|{st.st_size}|{st.st_mtime_ns}|{extra}".encode()).hexdigest()[:16]


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def otf_path(weight: int = 400) -> Path:
    """The full font as an uncompressed OpenType (CFF) file Pillow/FreeType can open."""
    from fontTools.ttLib import TTFont

    path = cache_dir() / f"AftersalesReportSans-{weight}-{_key(weight)}.otf"
    if not path.exists():
        font = TTFont(FONT_DIR / SOURCES[weight])
        font.flavor = None
        out = io.BytesIO()
        font.save(out)
        _write_atomically(path, out.getvalue())
    return path


@cache
def subset_woff2(weight: int, text: str) -> bytes:
    """A WOFF2 subset of the font with just the glyphs of `text` (a few kB), for embedding."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = "".join(sorted(set(text)))
    path = cache_dir() / f"AftersalesReportSans-{weight}-subset-{_key(weight, chars)}.woff2"
    if path.exists():
        return path.read_bytes()
    font = TTFont(otf_path(weight))
    options = subset.Options(layout_features=["kern"], hinting=False, name_IDs=["*"], name_languages=["*"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    _write_atomically(path, out.getvalue())
    return out.getvalue()


def font_face_css(family: str, text: str) -> str:
    """@font-face rules (regular and bold) embedding subsets of the vendored font as data URLs."""
    rules = []
    for weight in SOURCES:
        data = base64.b64encode(subset_woff2(weight, text)).decode("ascii")
        rules.append(
            f'@font-face{{font-family:"{family}";font-weight:{weight};font-style:normal;'
            f'src:url(data:font/woff2;base64,{data}) format("woff2");}}'
        )
    return "".join(rules)


def family_list(*first: str) -> str:
    """A CSS font-family value: `first`, the vendored family, then the fallbacks."""
    names = [*first, FAMILY, *FALLBACKS]
    return ",".join(n if n == "sans-serif" else f"'{n}'" for n in names)
