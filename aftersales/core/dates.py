"""Calendar arithmetic, once: whole months and years from a day, clamped to the month's end.

31 Jan + 1 month = 28 (or 29) Feb; 29 Feb 2028 + 12 months = 28 Feb 2029; 29 Feb 2028 − 2 years =
28 Feb 2026. Certificates (core.cycle), eligibility, the stars-after-N-months rule and conflict
periods all count months and years with these.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by a whole number of months (negative: back), clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError(f"{day} + {months} months is out of range")
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (negative: earlier); 29 February → 28 February."""
    return add_months(day, 12 * years)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    return add_years(day, -years)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (the largest m with add_months(start, m) <= end; negative
    when end is before start)."""
    m = (end.year - start.year) * 12 + (end.month - start.month)
    while add_months(start, m) > end:
        m -= 1
    while add_months(start, m + 1) <= end:
        m += 1
    return m
