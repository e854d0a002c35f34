"""Versioned business calendar: Chinese working days (holidays, 调休 make-up days) and working hours.

Business time between two instants is computed in O(1) per record from a table of cumulative
working seconds per day: position(t) = cum[day(t)] + seconds of working hours elapsed in that day
(zero on a day off), and working_seconds(a, b) = position(b) − position(a). Dates outside the
table's coverage are an error (`CalendarRangeError`), never a guess.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

import polars as pl

from ..problems import Problem, ProblemsError

DEFAULT_WORKING_HOURS = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
CALENDAR_FORMAT_VERSION = 1
_EPOCH = date(1970, 1, 1)
_DAY_US = 86_400 * 1_000_000


class CalendarRangeError(ProblemsError):
    """A date falls outside the calendar's holiday table."""


@dataclass(frozen=True)
class BusinessCalendar:
    id: str  # e.g. "cn-workday-2026.1": coverage year + format version (+ hours when not the default)
    working_hours: tuple[tuple[time, time], ...]
    first_day: date
    last_day: date
    holidays: frozenset[date] = field(repr=False)  # days off that would otherwise be working days
    workdays: frozenset[date] = field(repr=False)  # weekend days that are working days (调休)
    source: str = ""

    def __post_init__(self) -> None:
        last_end = -1
        for start, end in self.working_hours:
            if not (_sec(start) < _sec(end)) or _sec(start) < last_end:
                raise ValueError("working hours must be ordered, non-overlapping (start, end) intervals")
            last_end = _sec(end)
        if self.first_day > self.last_day:
            raise ValueError("first_day is after last_day")

    # ---------------------------------------------------------------------------- plain Python

    def is_workday(self, day: date) -> bool:
        self.require_covers(day, day)
        if day in self.holidays:
            return False
        return day in self.workdays or day.weekday() < 5

    @property
    def day_seconds(self) -> int:
        """Working seconds in one working day (8 h = 28,800 s by default)."""
        return sum(_sec(e) - _sec(s) for s, e in self.working_hours)

    def require_covers(self, lo: date, hi: date) -> None:
        for d in (lo, hi):
            if d < self.first_day or d > self.last_day:
                raise CalendarRangeError(
                    [
                        Problem(
                            "records_calendar_range",
                            where=self.id,
                            params={
                                "value": d.isoformat(),
                                "calendar": self.id,
                                "first": self.first_day,
                                "last": self.last_day,
                            },
                        )
                    ]
                )

    @cached_property
    def sha256(self) -> str:
        """Fingerprint of the table (days off, make-up days, hours, range): stored with KPI reports."""
        text = "\n".join(
            [
                f"{self.first_day}..{self.last_day}",
                ",".join(f"{s}-{e}" for s, e in self.working_hours),
                "off:" + ",".join(sorted(d.isoformat() for d in self.holidays)),
                "on:" + ",".join(sorted(d.isoformat() for d in self.workdays)),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()

    # ---------------------------------------------------------------------------- the table

    @cached_property
    def _tables(self) -> tuple[pl.Series, pl.Series]:
        days = (self.last_day - self.first_day).days + 1
        flags = []
        for i in range(days):
            d = self.first_day + timedelta(days=i)
            flags.append(d not in self.holidays and (d in self.workdays or d.weekday() < 5))
        work = pl.Series("work", flags, dtype=pl.Int64)
        cum = pl.concat([pl.Series("cum", [0], dtype=pl.Int64), work.cum_sum() * self.day_seconds])
        return cum.rename("cum"), work

    def position(self, ts: pl.Expr) -> pl.Expr:
        """Working seconds from first_day 00:00 to `ts` (null outside the calendar's range)."""
        cum, work = self._tables
        us = ts.cast(pl.Datetime("us")).cast(pl.Int64)
        day = us // _DAY_US - (self.first_day - _EPOCH).days
        inside = (day >= 0) & (day < len(work))
        idx = day.clip(0, len(work) - 1)
        secs = (us % _DAY_US) // 1_000_000
        into = pl.sum_horizontal([(secs - _sec(s)).clip(0, _sec(e) - _sec(s)) for s, e in self.working_hours])
        pos = pl.lit(cum).gather(idx) + pl.lit(work).gather(idx) * into
        return pl.when(inside).then(pos).otherwise(None)

    def working_seconds(self, start: pl.Expr, end: pl.Expr) -> pl.Expr:
        """Working seconds between `start` and `end` (negative if end < start; null if either is null)."""
        return self.position(end) - self.position(start)

    def working_seconds_series(self, start: pl.Series, end: pl.Series) -> pl.Series:
        frame = pl.DataFrame({"a": start, "b": end})
        self.require_range(frame["a"], frame["b"])
        return frame.select(self.working_seconds(pl.col("a"), pl.col("b")).alias("working_seconds")).to_series()

    def require_range(self, *series: pl.Series) -> None:
        """Raise `CalendarRangeError` if any non-null datetime of `series` is outside the range."""
        lows = [s.min() for s in series if s.len() and s.null_count() < s.len()]
        highs = [s.max() for s in series if s.len() and s.null_count() < s.len()]
        if lows:
            self.require_covers(_day(min(lows)), _day(max(highs)))


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _sec(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def build_calendar(
    *,
    holidays: Iterable[date],
    workdays: Iterable[date],
    first_day: date,
    last_day: date,
    working_hours: tuple[tuple[time, time], ...] = DEFAULT_WORKING_HOURS,
    base_id: str = "custom",
    source: str = "",
) -> BusinessCalendar:
    hours = (
        "" if working_hours == DEFAULT_WORKING_HOURS else "+" + "_".join(f"{s:%H%M}-{e:%H%M}" for s, e in working_hours)
    )
    return BusinessCalendar(
        id=f"{base_id}.{CALENDAR_FORMAT_VERSION}{hours}",
        working_hours=tuple(working_hours),
        first_day=first_day,
        last_day=last_day,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        source=source,
    )


def default_calendar(
    *,
    working_hours: tuple[tuple[time, time], ...] = DEFAULT_WORKING_HOURS,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
) -> BusinessCalendar:
    """The Chinese working-day calendar from the `chinese_calendar` package (State Council notices).

    Coverage is the whole years the package's table holds (chinesecalendar 1.11: 2004–2026).
    Overrides (e.g. a company shutdown) add days off or working days; a changed calendar gets
    another id (the hours appear in it) and fingerprint.
    """
    import chinese_calendar
    from chinese_calendar import constants

    off = set(constants.holidays) | set(extra_holidays)
    on = (set(constants.workdays) - set(extra_holidays)) | set(extra_workdays)
    off -= set(extra_workdays)
    first = date(min(constants.holidays).year, 1, 1)
    last = date(max(constants.holidays).year, 12, 31)
    base = f"cn-workday-{last.year}"
    if extra_holidays or extra_workdays:
        base += "-custom"
    return build_calendar(
        holidays=off,
        workdays=on,
        first_day=first,
        last_day=last,
        working_hours=working_hours,
        base_id=base,
        source=f"chinesecalendar {chinese_calendar.__version__}",
    )
