"""The one rounding rule for showing exact values.

Scores are computed and compared as exact `Fraction`s; only display rounds. The default rule,
`down` (towards minus infinity), never prints a score that reaches a level the exact value did not
(79.999… prints as 79.99, not 80.00).
"""

from __future__ import annotations

import math
from fractions import Fraction


def round_fraction(value: Fraction, decimals: int, rounding: str) -> Fraction:
    scale = 10**decimals
    scaled = Fraction(value) * scale
    match rounding:
        case "down":
            whole = math.floor(scaled)
        case "half_up":  # half away from zero
            whole = math.floor(abs(scaled) + Fraction(1, 2)) * (1 if scaled >= 0 else -1)
        case "half_even":
            whole = round(scaled)  # exact banker's rounding on Fraction
        case "ceiling":  # towards +∞: a gap to a level, so that score + gap never falls short
            whole = math.ceil(scaled)
        case _:
            raise ValueError(f"unknown rounding {rounding!r}")
    return Fraction(whole, scale)


def format_decimal(value: Fraction, decimals: int = 2, rounding: str = "down") -> str:
    """'82.35' for 82.35714…; always `decimals` digits after the point."""
    rounded = round_fraction(value, decimals, rounding)
    scale = 10**decimals
    units = rounded * scale  # an integer by construction
    assert units.denominator == 1
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units.numerator), scale)
    return f"{sign}{whole}.{frac:0{decimals}d}" if decimals else f"{sign}{whole}"


def format_points(value: Fraction) -> str:
    """Points as written in a scheme: '5', '2.5', or a fraction when not a terminating decimal."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:  # terminating decimal: print it exactly
        digits = 0
        while (value * 10**digits).denominator != 1:
            digits += 1
        return format_decimal(value, digits, "down")
    return f"{value.numerator}/{value.denominator}"
