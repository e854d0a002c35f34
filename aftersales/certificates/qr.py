"""QR codes of a certificate's registry page (segno): inline SVG for the pages and the PDF, PNG bytes.

The code holds nothing but the URL (`payload.registry_url(number)`), so any phone camera opens the
public registry page; error correction is at least M (segno raises it when the symbol has room).
"""

from __future__ import annotations

import io

import segno

DARK = "#1d2733"
BORDER = 2  # quiet zone in modules; scanners want 4, but the mark and the PDF keep white space around it


def qr_code(url: str) -> segno.QRCode:
    """The QR code of `url` (never a Micro QR: phones do not read those)."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, title: str = "", css_class: str = "qr", dark: str = DARK, border: int = BORDER) -> str:
    """An inline `<svg>` (no XML declaration, no width/height: CSS sizes it by its viewBox)."""
    options = {"scale": 1, "border": border, "dark": dark, "omitsize": True, "svgclass": css_class}
    if title:
        options["title"] = title
    return qr_code(url).svg_inline(**options)


def qr_png(url: str, *, scale: int = 8, border: int = 4, dark: str = DARK) -> bytes:
    """A PNG of the code, `scale` pixels per module, with the standard four-module quiet zone."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=border, dark=dark)
    return out.getvalue()


def qr_matrix(url: str) -> list[list[bool]]:
    """The modules, row by row (True = dark), without a quiet zone: for drawing the code yourself."""
    return [[bool(m) for m in row] for row in qr_code(url).matrix]
