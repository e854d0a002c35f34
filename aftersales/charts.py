"""Charts as server-made SVG: the same markup in the assessment page and in the PDF report.

Pure functions, no Django and no JavaScript. Values come in exact (`Fraction`, or a string such as
"32.50" or "80/3") and become coordinates only when the markup is written. Every text is escaped;
the result is an `Svg` string that Django templates insert as is (it has `__html__`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from html import escape

Number = Fraction | int | str

INK = "#1d2733"
MUTED = "#5b6775"
LINE = "#dde3ea"
TRACK = "#e6ebf1"
EARNED = "#2f6fb0"
# The report's vendored font first (only the PDF has it), then the site's own stack (site.css) with its
# served web font before the generic family: inline SVG in WeasyPrint does not inherit the page's CSS font,
# so the charts name their fonts themselves (and without the web font, a browser with no CJK font drew boxes).
FONT_STACK = (
    "'Aftersales Report Sans', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'Aftersales Web Sans', sans-serif"
)
THRESHOLD_COLOURS = ("#2f6fb0", "#1f7a4d", "#a35f00", "#b3261e")  # 达标, 三星, 四星, 五星 (as the level badges)


class Svg(str):
    """SVG markup whose texts are already escaped."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    earned: Number
    applicable: Number  # the points left after excluding non-applicable items
    maximum: Number  # the category's points in the scheme
    text: str = ""  # the value as shown; default "earned / applicable"


@dataclass(frozen=True, slots=True)
class Point:
    day: date
    score: Number  # 0..100
    label: str = ""  # e.g. the assessment's title, shown as the point's tooltip
    text: str = ""  # the score as shown; default two decimals, rounded down
    current: bool = False  # drawn larger: the assessment the chart sits in


@dataclass(frozen=True, slots=True)
class Threshold:
    score: Number
    label: str  # e.g. "三星"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    legend: tuple[str, str, str] = ("earned", "not earned", "not applicable"),
    width: int = 480,
) -> Svg:
    """Horizontal bars on one scale: earned (solid) within the applicable points (light track),
    the non-applicable rest of the category's maximum as a dashed outline. The value is written
    after each bar."""
    row, bar_h, value_w = 40, 14, 120
    area = Fraction(width - value_w)
    values = [(_exact(b.earned), _exact(b.applicable), _exact(b.maximum)) for b in bars]
    scale_max = max([m for _, a, m in values] + [a for _, a, _ in values] + [Fraction(1)])
    height = row * len(bars) + 34
    summary = "; ".join(f"{b.label}: {_bar_text(b, v)}" for b, v in zip(bars, values, strict=True))
    out = [_open(width, height, title, summary)]
    for i, (bar, (earned, applicable, maximum)) in enumerate(zip(bars, values, strict=True)):
        y = Fraction(row * i)
        bar_y = y + 20
        w_max = area * max(maximum, applicable) / scale_max
        w_app = area * applicable / scale_max
        w_earned = area * min(max(earned, Fraction(0)), applicable) / scale_max
        shown = _bar_text(bar, (earned, applicable, maximum))
        out.append(f'<g class="chart-bar"><title>{escape(bar.label)}: {escape(shown)}</title>')
        out.append(_text(0, y + 14, bar.label, size=13))
        if w_max > w_app:
            out.append(
                f'<rect class="bar-excluded" x="{_n(w_app)}" y="{_n(bar_y)}" width="{_n(w_max - w_app)}" '
                f'height="{bar_h}" fill="none" stroke="{MUTED}" stroke-width="1" stroke-dasharray="3 2"/>'
            )
        out.append(
            f'<rect class="bar-applicable" x="0" y="{_n(bar_y)}" width="{_n(w_app)}" height="{bar_h}" fill="{TRACK}"/>'
        )
        out.append(
            f'<rect class="bar-earned" x="0" y="{_n(bar_y)}" width="{_n(w_earned)}" height="{bar_h}" fill="{EARNED}"/>'
        )
        out.append(_text(w_max + 8, bar_y + 12, shown, size=13))
        out.append("</g>")
    legend_y = Fraction(row * len(bars) + 14)
    swatches = [
        f'<rect x="0" y="{_n(legend_y)}" width="12" height="10" fill="{EARNED}"/>',
        f'<rect x="{width // 3}" y="{_n(legend_y)}" width="12" height="10" fill="{TRACK}"/>',
        f'<rect x="{2 * width // 3}" y="{_n(legend_y)}" width="12" height="10" fill="none" stroke="{MUTED}" '
        f'stroke-dasharray="3 2"/>',
    ]
    out.append('<g class="chart-legend">')
    for k, (swatch, label) in enumerate(zip(swatches, legend, strict=True)):
        out.append(swatch)
        out.append(_text(k * (width // 3) + 16, legend_y + 9, label, size=11, colour=MUTED))
    out.append("</g></svg>")
    return Svg("".join(out))


def history_chart(
    points: Sequence[Point],
    *,
    title: str,
    thresholds: Sequence[Threshold] = (),
    width: int = 480,
    height: int = 260,
) -> Svg:
    """Scores (y, 0..100) over finish dates (x, to scale), with dashed level thresholds."""
    left, right, top, bottom = 34, width - 64, 26, height - 30
    plot_w, plot_h = Fraction(right - left), Fraction(bottom - top)
    pad = Fraction(18)
    ordered = sorted(points, key=lambda p: p.day)

    def y_of(score: Fraction) -> Fraction:
        clamped = min(max(score, Fraction(0)), Fraction(100))
        return bottom - plot_h * clamped / 100

    first = ordered[0].day if ordered else date(2000, 1, 1)
    span = (ordered[-1].day - first).days if ordered else 0

    def x_of(day: date) -> Fraction:
        if span == 0:
            return left + plot_w / 2
        return left + pad + (plot_w - 2 * pad) * Fraction((day - first).days, span)

    summary = "; ".join(_point_summary(p) for p in ordered)
    out = [_open(width, height, title, summary)]
    # axes and the 0 / 50 / 100 grid
    out.append('<g class="chart-grid">')
    for tick in (0, 50, 100):
        y = y_of(Fraction(tick))
        out.append(f'<line x1="{left}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}" stroke="{LINE}" stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, str(tick), size=11, anchor="end", colour=MUTED))
    out.append("</g>")
    # thresholds
    out.append('<g class="chart-thresholds">')
    label_y = Fraction(height)
    for k, t in enumerate(sorted(thresholds, key=lambda t: _exact(t.score))):
        value = _exact(t.score)
        y = y_of(value)
        label_y = min(y + 4, label_y - 11)  # close thresholds (90, 95): labels stack instead of overlapping
        colour = THRESHOLD_COLOURS[k % len(THRESHOLD_COLOURS)]
        out.append(
            f'<line class="threshold" x1="{left}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}" stroke="{colour}" '
            f'stroke-width="1" stroke-dasharray="5 4"/>'
        )
        out.append(_text(right + 6, label_y, f"{t.label} {_plain(value)}", size=10, colour=colour))
    out.append("</g>")
    # the line and the points
    coords = [(x_of(p.day), y_of(_exact(p.score))) for p in ordered]
    if len(coords) > 1:
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        out.append(f'<polyline class="history-line" points="{path}" fill="none" stroke="{EARNED}" stroke-width="2"/>')
    for p, (x, y) in zip(ordered, coords, strict=True):
        radius = 6 if p.current else 4
        out.append(
            f'<g class="history-point"><title>{escape(_point_summary(p))}</title>'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{radius}" fill="{EARNED if p.current else "#fff"}" '
            f'stroke="{EARNED}" stroke-width="2"/>'
        )
        out.append(_text(x, y - 10, _point_text(p), size=11, anchor="middle", weight="600" if p.current else ""))
        out.append("</g>")
    for i in _spaced(coords):
        out.append(_text(coords[i][0], height - 10, ordered[i].day.isoformat(), size=11, anchor="middle", colour=MUTED))
    out.append("</svg>")
    return Svg("".join(out))


# ------------------------------------------------------------------------------------ helpers


def _spaced(coords: list[tuple[Fraction, Fraction]], gap: int = 84) -> list[int]:
    """The points whose date fits under the axis without touching its neighbour; the latest wins."""
    chosen: list[int] = []
    for i, (x, _) in enumerate(coords):
        if not chosen or x - coords[chosen[-1]][0] >= gap:
            chosen.append(i)
        elif i == len(coords) - 1:
            chosen[-1] = i
    return chosen


def _exact(value: Number) -> Fraction:
    return Fraction(value)


def _n(value: Fraction | int) -> str:
    """A coordinate: the exact value rounded half-even to two decimals, no trailing zeros."""
    hundredths = round(Fraction(value) * 100)
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:02d}".rstrip("0")


def _plain(value: Fraction) -> str:
    """A threshold as written in a scheme: 70, 92.5."""
    return _n(value)


def _down2(value: Fraction) -> str:
    """Two decimals, rounded down (the display rule: never shows a level the value did not reach)."""
    hundredths = (Fraction(value) * 100).__floor__()
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{frac:02d}"


def _bar_text(bar: Bar, values: tuple[Fraction, Fraction, Fraction]) -> str:
    if bar.text:
        return bar.text
    earned, applicable, _ = values
    return f"{_down2(earned)} / {_plain(applicable)}"


def _point_text(p: Point) -> str:
    return p.text or _down2(_exact(p.score))


def _point_summary(p: Point) -> str:
    return " ".join(part for part in (p.day.isoformat(), p.label, _point_text(p)) if part)


def _open(width: int, height: int, title: str, summary: str) -> str:
    label = f"{title}: {summary}" if summary else title
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" font-family="{FONT_STACK}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
        f"<desc>{escape(summary)}</desc>"
    )


def _text(
    x: Fraction | int,
    y: Fraction | int,
    text: str,
    *,
    size: int,
    anchor: str = "start",
    colour: str = INK,
    weight: str = "",
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{colour}" text-anchor="{anchor}"{bold}>'
        f"{escape(text)}</text>"
    )
