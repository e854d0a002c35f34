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
from functools import cache, cached_property

import polars as pl

from ..problems import Problem, ProblemsError
from ..safe_yaml import NoAliasLoader, load_untrusted

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
    assumed_years: tuple[int, ...] = ()  # years without a holiday table: Monday to Friday work

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
    assumed_years: tuple[int, ...] = (),
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
        assumed_years=tuple(assumed_years),
    )


@dataclass(frozen=True)
class CalendarYears:
    """Whole years of days off and make-up working days from a file of the operator's, for the
    years the `chinese_calendar` package does not have yet: the State Council publishes the next
    year's notice each autumn, and a package release may follow weeks later."""

    years: dict[int, tuple[frozenset[date], frozenset[date]]]  # year -> (days off, make-up working days)
    source: str  # the file's name and the start of its SHA-256


def parse_calendar_years(text: str, *, name: str) -> CalendarYears:
    """The years of a calendar file (YAML, docs/records.md)::

        years:
          2027:
            holidays: [2027-01-01, …]   # days off (a whole holiday, weekend days included)
            workdays: [2027-02-20, …]   # 调休: Saturdays and Sundays that are working days

    Raises ProblemsError naming every bad entry: not a date, outside its year, a make-up working
    day that is not a Saturday or Sunday, a day listed as both."""
    import yaml

    def problem(code: str, where: str = "", **params) -> Problem:
        return Problem(code, where=where, params={"file": name, **params})

    try:
        data = load_untrusted(text, source=name, loader=_dates_as_text())  # refuses aliases
    except yaml.YAMLError as error:
        raise ProblemsError([problem("calendar_file_format", error=str(error).splitlines()[0])]) from None
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict) or not data["years"]:
        raise ProblemsError([problem("calendar_file_format", error="no `years:` with at least one year")])
    problems: list[Problem] = []
    years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
    for key, entry in data["years"].items():
        if not (isinstance(key, int) or (isinstance(key, str) and key.isdigit())) or not 1900 < int(key) < 3000:
            problems.append(problem("calendar_file_format", f"years.{key}", error="a year such as 2027"))
            continue
        year = int(key)
        if not isinstance(entry, dict) or not set(entry) <= {"holidays", "workdays"}:
            problems.append(problem("calendar_file_format", f"years.{year}", error="`holidays:` and `workdays:` lists"))
            continue
        days: dict[str, set[date]] = {}
        for kind in ("holidays", "workdays"):
            values = entry.get(kind) or []
            if not isinstance(values, list):
                problems.append(problem("calendar_file_format", f"years.{year}.{kind}", error="a list of dates"))
                continue
            days[kind] = set()
            for i, value in enumerate(values, 1):
                where = f"years.{year}.{kind}[{i}]"
                day = _as_date(value)
                if day is None:
                    problems.append(problem("calendar_file_date", where, value=value))
                elif day.year != year:
                    problems.append(problem("calendar_file_year", where, value=day, year=year))
                elif kind == "workdays" and day.weekday() < 5:
                    problems.append(problem("calendar_file_workday", where, value=day))
                else:
                    days[kind].add(day)
        for day in sorted(days.get("holidays", set()) & days.get("workdays", set())):
            problems.append(problem("calendar_file_both", f"years.{year}", value=day))
        years[year] = (frozenset(days.get("holidays", ())), frozenset(days.get("workdays", ())))
    if problems:
        raise ProblemsError(problems)
    return CalendarYears(years=years, source=f"{name} sha256:{hashlib.sha256(text.encode()).hexdigest()[:12]}")


def _as_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@cache
def _dates_as_text():
    """The alias-refusing safe loader, leaving dates as text, so that a bad one (2027-13-01) is named
    with the others rather than stopping the reading."""

    class Loader(NoAliasLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in NoAliasLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def default_calendar(
    *,
    working_hours: tuple[tuple[time, time], ...] = DEFAULT_WORKING_HOURS,
    extra_holidays: Iterable[date] = (),
    extra_workdays: Iterable[date] = (),
    more_years: CalendarYears | None = None,
    assume_through: int | None = None,
) -> BusinessCalendar:
    """The Chinese working-day calendar from the `chinese_calendar` package (State Council notices).

    Coverage is the whole years the package's table holds (chinesecalendar 1.11: 2004–2026), and
    then `more_years` from the operator's file (parse_calendar_years): only the years after the
    package's last, which must follow it without a gap; a year the package has is the package's (a
    newer package makes the file's year unused, named in `source`). Overrides (e.g. a company
    shutdown) add days off or working days; a changed calendar gets another id (the hours appear in
    it; "-local" when the file adds years, "-custom" with overrides) and fingerprint.

    `assume_through` (the current year): the years after those, up to it, have no holiday table
    yet; rather than refuse every record of them, they count Monday to Friday as working days, and
    say so: `assumed_years`, "-assumed" in the id, the source. Later years are still refused.
    """
    import chinese_calendar
    from chinese_calendar import constants

    off, on = set(constants.holidays), set(constants.workdays)
    first = date(min(constants.holidays).year, 1, 1)
    last = date(max(constants.holidays).year, 12, 31)
    source = f"chinesecalendar {chinese_calendar.__version__}"
    local = False
    if more_years is not None:
        added = sorted(y for y in more_years.years if y > last.year)
        if added and added != list(range(last.year + 1, last.year + 1 + len(added))):
            raise ProblemsError(
                [
                    Problem(
                        "calendar_file_gap",
                        where=more_years.source,
                        params={"file": more_years.source, "years": ", ".join(map(str, added)), "last": last.year},
                    )
                ]
            )
        for year in added:
            off |= more_years.years[year][0]
            on |= more_years.years[year][1]
        unused = sorted(y for y in more_years.years if y <= last.year)
        source += f" + {more_years.source}" + (f" (years {', '.join(map(str, added))})" if added else "")
        if unused:
            source += f"; the package's own years used instead of the file's: {', '.join(map(str, unused))}"
        if added:
            last, local = date(added[-1], 12, 31), True
    assumed = tuple(range(last.year + 1, assume_through + 1)) if assume_through else ()
    if assumed:
        last = date(assumed[-1], 12, 31)
        source += f"; {', '.join(map(str, assumed))}: Monday to Friday, public holidays and 调休 days not known"
    off |= set(extra_holidays)
    on = (on - set(extra_holidays)) | set(extra_workdays)
    off -= set(extra_workdays)
    base = f"cn-workday-{last.year}" + ("-local" if local else "") + ("-assumed" if assumed else "")
    if extra_holidays or extra_workdays:
        base += "-custom"
    return build_calendar(
        holidays=off,
        workdays=on,
        first_day=first,
        last_day=last,
        working_hours=working_hours,
        base_id=base,
        source=source,
        assumed_years=assumed,
    )
