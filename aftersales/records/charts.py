"""Server-made SVG charts for the KPI dashboard, in the style of aftersales/charts.py.

Pure functions, no JavaScript: a monthly trend (line with points, months without records left as
gaps) and a distribution (vertical bars per time bucket). Values arrive exact (Decimal) and
become coordinates only when the markup is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from html import escape

from aftersales.charts import EARNED, LINE, MUTED, Svg, _n, _open, _text


def trend_chart(
    points: Sequence[tuple[str, Decimal | None, int]],
    *,
    title: str,
    shown: Sequence[str],
    width: int = 480,
    height: int = 220,
    floor_zero: bool = True,
) -> Svg:
    """One value per month ("YYYY-MM", value or None, denominator); `shown` is each value as text."""
    left, right, top, bottom = 44, width - 28, 22, height - 30
    values = [Fraction(v) for _, v, _ in points if v is not None]
    high = max(values, default=Fraction(1))
    low = min([*values, Fraction(0)]) if floor_zero else min(values, default=Fraction(0))
    if high == low:
        high = low + 1
    plot_w, plot_h = Fraction(right - left), Fraction(bottom - top)

    def x_of(i: int) -> Fraction:
        return left + (plot_w / 2 if len(points) == 1 else plot_w * i / (len(points) - 1))

    def y_of(v: Fraction) -> Fraction:
        return bottom - plot_h * (v - low) / (high - low)

    summary = "; ".join(f"{m}: {s} (n={n})" for (m, _, n), s in zip(points, shown, strict=True))
    out = [_open(width, height, title, summary), '<g class="chart-grid">']
    for tick in (low, (low + high) / 2, high):
        y = y_of(tick)
        out.append(f'<line x1="{left}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}" stroke="{LINE}" stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, _tick(tick), size=10, anchor="end", colour=MUTED))
    out.append("</g>")
    segment: list[str] = []
    segments = []
    for i, (_, v, _) in enumerate(points):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_n(x_of(i))},{_n(y_of(Fraction(v)))}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            path = " ".join(seg)
            stroke = f'fill="none" stroke="{EARNED}" stroke-width="2"'
            out.append(f'<polyline class="trend-line" points="{path}" {stroke}/>')
    step = max(1, -(-len(points) // 8))  # at most about eight month labels
    for i, ((month, v, n), text) in enumerate(zip(points, shown, strict=True)):
        x = x_of(i)
        if v is not None:
            y = y_of(Fraction(v))
            out.append(
                f'<g class="trend-point"><title>{escape(month)}: {escape(text)} (n={n})</title>'
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="#fff" stroke="{EARNED}" stroke-width="2"/></g>'
            )
        if i % step == 0 or i == len(points) - 1:
            out.append(_text(x, height - 10, month, size=10, anchor="middle", colour=MUTED))
    out.append("</svg>")
    return Svg("".join(out))


def distribution_chart(buckets: Sequence[tuple[str, int]], *, title: str, width: int = 480, height: int = 200) -> Svg:
    """Counts per bucket as vertical bars, the count written above each bar."""
    left, right, top, bottom = 8, width - 8, 18, height - 28
    count = max(len(buckets), 1)
    slot = Fraction(right - left, count)
    high = max([n for _, n in buckets] + [1])
    summary = "; ".join(f"{label}: {n}" for label, n in buckets)
    out = [_open(width, height, title, summary)]
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{LINE}" stroke-width="1"/>')
    for i, (label, n) in enumerate(buckets):
        x = left + slot * i + slot / 6
        w = slot * 2 / 3
        h = Fraction(bottom - top) * n / high
        out.append(
            f'<g class="dist-bar"><title>{escape(label)}: {n}</title>'
            f'<rect x="{_n(x)}" y="{_n(bottom - h)}" width="{_n(w)}" height="{_n(h)}" fill="{EARNED}"/></g>'
        )
        out.append(_text(x + w / 2, bottom - h - 4, str(n), size=10, anchor="middle"))
        out.append(_text(x + w / 2, height - 10, label, size=10, anchor="middle", colour=MUTED))
    out.append("</svg>")
    return Svg("".join(out))


def _tick(value: Fraction) -> str:
    """An axis label: whole numbers as they are, others with one decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    tenths = round(value * 10)
    return f"{tenths // 10}.{tenths % 10}" if tenths >= 0 else f"-{(-tenths) // 10}.{(-tenths) % 10}"
