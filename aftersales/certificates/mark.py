"""The star mark an enterprise prints on products and packaging, as SVG and PNG.

One layout (`mark_scene`: rectangles, lines, star polygons, text runs and a QR code on a 600 × 600
canvas) is drawn twice: as SVG (text stays text, in the vendored font embedded as a small WOFF2
subset, with the usual CJK font names as fallbacks) and as PNG with Pillow (the same font, from
`fonts.otf_path`, supersampled for smooth edges; the QR code is drawn last at the final resolution
so its modules stay sharp). The mark shows the level (★ per star level; 达标 for qualified), the
words 售后服务认证 / After-sales Service Certified, the certificate number and a QR code of the
certificate's registry page. A certificate that is not valid gets its status across the middle.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from aftersales import fonts
from aftersales.core.concepts import PASSING_LEVELS, CertificateStatus, Level

from .payload import registry_url
from .qr import qr_matrix

CANVAS = 600
NAVY = "#1f3a5f"
GOLD = "#c08a0a"
RED = "#b3261e"
WHITE = "#ffffff"
MUTED = "#4a5a6d"

STARS = {level.value: level.stars for level in PASSING_LEVELS}
# what a mark of a certificate that is not valid is stamped with (core.concepts)
STATUS_TEXT = {s.value: s.stamp for s in CertificateStatus if s is not CertificateStatus.VALID}
WORDS_ZH = "售后服务认证"
WORDS_EN = "After-sales Service Certified"
NUMBER_LABEL = "证书编号 Certificate No."
SCAN = "扫码查验 Scan to verify"
SVG_FAMILY = "Aftersales Mark Sans"
# every glyph the mark can use (the number is ASCII with the shipped patterns; anything else is added)
GLYPHS = (
    WORDS_ZH
    + WORDS_EN
    + NUMBER_LABEL
    + SCAN
    + "".join(t.zh + t.en for t in STATUS_TEXT.values())
    + "".join(Level(v).text.zh + Level(v).text.en for v in STARS)
    + "·"
    + "".join(chr(c) for c in range(0x20, 0x7F))
)


# ------------------------------------------------------------------------------------------ scene


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    r: float = 0
    fill: str | None = None
    stroke: str | None = None
    width: float = 0


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float


@dataclass(frozen=True, slots=True)
class Poly:
    points: tuple[tuple[float, float], ...]
    fill: str


@dataclass(frozen=True, slots=True)
class Run:
    """Text with its baseline at y; anchor "middle" centres it on x, "start" starts it there."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    fill: str = NAVY
    anchor: str = "middle"


@dataclass(frozen=True, slots=True)
class Qr:
    x: float
    y: float
    size: float  # including the quiet zone of QR_BORDER modules
    url: str


QR_BORDER = 2


def star(cx: float, cy: float, r: float) -> Poly:
    """A five-pointed star (outer radius r, point up)."""
    inner = r * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append((round(cx + radius * math.cos(angle), 2), round(cy + radius * math.sin(angle), 2)))
    return Poly(tuple(points), GOLD)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of `text` in the vendored font, in canvas units."""
    return _pil_font(700 if bold else 400, 100).getlength(text) * size / 100


def fitted(text: str, size: float, max_width: float, bold: bool = False) -> float:
    """`size`, reduced so that `text` is at most `max_width` wide."""
    width = text_width(text, size, bold)
    return size if width <= max_width else math.floor(size * max_width / width * 10) / 10


def mark_scene(*, number: str, level: str, status: str, url: str, with_qr: bool = True) -> list:
    """The mark's shapes, in drawing order, on a CANVAS × CANVAS square (`with_qr=False`: without
    the QR code, for the PDF certificate, which prints its own)."""
    level_text = Level(level).text
    scene: list = [
        Rect(8, 8, 584, 584, r=40, fill=WHITE, stroke=NAVY, width=14),
        Rect(30, 30, 540, 540, r=26, stroke=GOLD, width=3),
    ]
    n = STARS[level]
    if n:
        step, radius = 92, 40
        x0 = CANVAS / 2 - step * (n - 1) / 2
        scene += [star(x0 + i * step, 122, radius) for i in range(n)]
    else:
        scene.append(Run(CANVAS / 2, 160, level_text.zh, 92, bold=True, fill=GOLD))
    scene += [
        Run(CANVAS / 2, 262, WORDS_ZH, fitted(WORDS_ZH, 72, 480, bold=True), bold=True),
        Run(CANVAS / 2, 312, WORDS_EN, fitted(WORDS_EN, 33, 480)),
        Line(64, 342, 536, 342, GOLD, 3),
    ]
    if with_qr:
        scene.append(Qr(58, 362, 170, url))
        left, right = 248, 540
    else:
        left, right = 70, 530
    middle = (left + right) / 2
    scene += [
        Run(middle, 398, NUMBER_LABEL, fitted(NUMBER_LABEL, 19, right - left), fill=MUTED),
        Run(middle, 444, number, fitted(number, 36, right - left, bold=True), bold=True),
        Run(middle, 490, f"{level_text.zh} · {level_text.en}", 24, bold=True, fill=GOLD),
        Run(middle, 526, SCAN, fitted(SCAN, 19, right - left), fill=MUTED),
    ]
    if status in STATUS_TEXT:
        words = STATUS_TEXT[status]
        scene += [
            Rect(8, 196, 584, 150, fill=RED),
            Run(CANVAS / 2, 268, words.zh, 64, bold=True, fill=WHITE),
            Run(CANVAS / 2, 322, words.en, 36, bold=True, fill=WHITE),
        ]
    return scene


def _scene_of(certificate) -> list:
    return mark_scene(
        number=certificate.number,
        level=certificate.level,
        status=certificate.status,
        url=registry_url(certificate.number),
    )


# -------------------------------------------------------------------------------------------- SVG


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def scene_svg(scene: list, *, title: str = "", embed_font: bool = True) -> str:
    """The scene as a standalone SVG document (UTF-8 text)."""
    family = fonts.family_list(SVG_FAMILY) if embed_font else fonts.family_list()
    extra = "".join(r.text for r in scene if isinstance(r, Run) and any(c not in GLYPHS for c in r.text))
    style = fonts.font_face_css(SVG_FAMILY, GLYPHS + extra) if embed_font else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CANVAS} {CANVAS}" '
        f'width="{CANVAS}" height="{CANVAS}" role="img">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    if style:
        parts.append(f"<style>{style}</style>")
    parts.append(f"<g font-family={quoteattr(family)}>")
    for shape in scene:
        if isinstance(shape, Rect):
            attrs = f'x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" height="{_n(shape.h)}"'
            if shape.r:
                attrs += f' rx="{_n(shape.r)}"'
            attrs += f' fill="{shape.fill or "none"}"'
            if shape.stroke:
                attrs += f' stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"'
            parts.append(f"<rect {attrs}/>")
        elif isinstance(shape, Line):
            parts.append(
                f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" y2="{_n(shape.y2)}" '
                f'stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"/>'
            )
        elif isinstance(shape, Poly):
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
            parts.append(f'<polygon points="{points}" fill="{shape.fill}"/>')
        elif isinstance(shape, Run):
            weight = ' font-weight="700"' if shape.bold else ""
            parts.append(
                f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}"{weight} '
                f'fill="{shape.fill}" text-anchor="{shape.anchor}">{escape(shape.text)}</text>'
            )
        elif isinstance(shape, Qr):
            parts.append(_qr_svg(shape))
    parts.append("</g></svg>")
    return "".join(parts)


def _qr_svg(shape: Qr) -> str:
    matrix = qr_matrix(shape.url)
    modules = len(matrix) + 2 * QR_BORDER
    unit = shape.size / modules
    path = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                path.append(f"M{start + QR_BORDER} {y + QR_BORDER}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return (
        f'<g transform="translate({_n(shape.x)} {_n(shape.y)}) scale({unit:.5f})">'
        f'<rect width="{modules}" height="{modules}" fill="{WHITE}"/>'
        f'<path d="{"".join(path)}" fill="{NAVY}" shape-rendering="crispEdges"/></g>'
    )


def mark_svg(certificate) -> str:
    """The star mark of `certificate` as an SVG document."""
    return scene_svg(_scene_of(certificate), title=f"{WORDS_ZH} {WORDS_EN} {certificate.number}")


# -------------------------------------------------------------------------------------------- PNG

SUPERSAMPLE = 3


@lru_cache(maxsize=64)
def _pil_font(weight: int, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(fonts.otf_path(weight)), size)


def scene_png(scene: list, size: int = CANVAS) -> bytes:
    """The scene as a `size` × `size` PNG (RGB, 300 dpi recorded)."""
    from PIL import Image, ImageDraw

    if not 120 <= size <= 6000:
        raise ValueError(f"the mark's size must be between 120 and 6000 pixels, not {size}")
    k = size * SUPERSAMPLE / CANVAS
    big = Image.new("RGB", (round(CANVAS * k), round(CANVAS * k)), WHITE)
    draw = ImageDraw.Draw(big)
    qrs = []
    for shape in scene:
        if isinstance(shape, Rect):
            box = (shape.x * k, shape.y * k, (shape.x + shape.w) * k, (shape.y + shape.h) * k)
            if shape.stroke:  # the stroke is centred on the outline, as in SVG
                half = shape.width * k / 2
                outer = (box[0] - half, box[1] - half, box[2] + half, box[3] + half)
                draw.rounded_rectangle(outer, radius=shape.r * k + half, fill=shape.stroke)
                inner = (box[0] + half, box[1] + half, box[2] - half, box[3] - half)
                draw.rounded_rectangle(inner, radius=max(shape.r * k - half, 0), fill=shape.fill or WHITE)
            else:
                draw.rounded_rectangle(box, radius=shape.r * k, fill=shape.fill)
        elif isinstance(shape, Line):
            draw.line(
                (shape.x1 * k, shape.y1 * k, shape.x2 * k, shape.y2 * k),
                fill=shape.stroke,
                width=round(shape.width * k),
            )
        elif isinstance(shape, Poly):
            draw.polygon([(x * k, y * k) for x, y in shape.points], fill=shape.fill)
        elif isinstance(shape, Run):
            font = _pil_font(700 if shape.bold else 400, max(round(shape.size * k), 1))
            anchor = "ms" if shape.anchor == "middle" else "ls"
            draw.text((shape.x * k, shape.y * k), shape.text, font=font, fill=shape.fill, anchor=anchor)
        elif isinstance(shape, Qr):
            qrs.append(shape)
            draw.rectangle(
                (shape.x * k, shape.y * k, (shape.x + shape.size) * k, (shape.y + shape.size) * k), fill=WHITE
            )
    image = big.resize((size, size), Image.Resampling.LANCZOS)
    for shape in qrs:
        _qr_png(image, shape, size / CANVAS)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300), optimize=True)
    return out.getvalue()


def _qr_png(image, shape: Qr, k: float) -> None:
    """Pastes the code with whole-pixel modules (as large as fit in its box), centred in the box."""
    from PIL import Image

    matrix = qr_matrix(shape.url)
    modules = len(matrix) + 2 * QR_BORDER
    box = shape.size * k
    unit = max(int(box // modules), 1)
    code = Image.new("1", (modules, modules), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                code.putpixel((x + QR_BORDER, y + QR_BORDER), 0)
    code = code.resize((modules * unit, modules * unit), Image.Resampling.NEAREST).convert("RGB")
    navy = Image.new("RGB", code.size, NAVY)
    white = Image.new("RGB", code.size, WHITE)
    code = Image.composite(white, navy, code.convert("L"))
    offset = (box - modules * unit) / 2
    image.paste(code, (round(shape.x * k + offset), round(shape.y * k + offset)))


def mark_png(certificate, size: int = CANVAS) -> bytes:
    """The star mark of `certificate` as a `size` × `size` PNG."""
    return scene_png(_scene_of(certificate), size)
