"""The operator's calendar file: the years after the chinesecalendar package's last, from the State
Council's notice, until a package release has them (docs/records.md, section 3)."""

from datetime import date, datetime

import polars as pl
import pytest

from aftersales.core.problems import ProblemsError
from aftersales.core.records.calendar import CalendarRangeError, default_calendar, parse_calendar_years

# made up for the tests: not the State Council's 2027 notice
FILE_2027 = """
years:
  2027:
    holidays: [2027-01-01, 2027-02-08, 2027-02-09, 2027-02-10]
    workdays: [2027-02-06]   # a Saturday
"""


def calendar(text: str = FILE_2027):
    return default_calendar(more_years=parse_calendar_years(text, name="calendar-2027.yaml"))


def codes(exc: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(p.code, p.where) for p in exc.value.problems]


def test_the_file_adds_the_year_after_the_package_and_says_so():
    cal = calendar()
    assert (cal.first_day, cal.last_day) == (date(2004, 1, 1), date(2027, 12, 31))
    assert cal.id == "cn-workday-2027-local.1"
    assert "chinesecalendar" in cal.source and "calendar-2027.yaml sha256:" in cal.source
    assert not cal.is_workday(date(2027, 2, 8))  # a Monday off
    assert cal.is_workday(date(2027, 2, 6))  # a make-up Saturday
    assert cal.is_workday(date(2027, 3, 1)) and not cal.is_workday(date(2027, 3, 6))  # plain weeks
    assert not cal.is_workday(date(2026, 10, 1))  # the package's years as they were
    assert cal.sha256 != default_calendar().sha256


def test_business_time_runs_across_the_new_year_with_the_file_and_is_refused_without():
    start, end = pl.Series([datetime(2026, 12, 31, 17)]), pl.Series([datetime(2027, 1, 4, 10)])
    assert calendar().working_seconds_series(start, end)[0] == 2 * 3600  # 1 h on 31 Dec, 1 h on Mon 4 Jan
    with pytest.raises(CalendarRangeError):
        default_calendar().require_range(end)


def test_every_bad_entry_is_named_at_once():
    text = """
years:
  2027:
    holidays: [2027-01-01, 2027-13-01, 2026-12-31, 2027-02-06]
    workdays: [2027-02-08, 2027-02-06]
"""
    with pytest.raises(ProblemsError) as exc:
        parse_calendar_years(text, name="bad.yaml")
    assert codes(exc) == [
        ("calendar_file_date", "years.2027.holidays[2]"),
        ("calendar_file_year", "years.2027.holidays[3]"),
        ("calendar_file_workday", "years.2027.workdays[1]"),
        ("calendar_file_both", "years.2027"),
    ]
    assert "bad.yaml" in exc.value.problems[0].message("en")
    assert "2027-13-01" in exc.value.problems[0].message("en")


@pytest.mark.parametrize(
    "text",
    [
        "years: [",  # not YAML
        "holidays: [2027-01-01]",  # no years
        "years:\n  next: {holidays: []}",  # not a year
        "years:\n  2027: [2027-01-01]",  # a list instead of holidays/workdays
        "years:\n  2027: {holidays: 2027-01-01}",  # not a list
        "years:\n  2027: {holiday: [2027-01-01]}",  # a misspelt key
    ],
)
def test_a_file_not_in_the_form_is_refused(text):
    with pytest.raises(ProblemsError) as exc:
        parse_calendar_years(text, name="x.yaml")
    assert {code for code, _ in codes(exc)} == {"calendar_file_format"}


def test_a_gap_after_the_package_is_refused():
    with pytest.raises(ProblemsError) as exc:
        calendar("years:\n  2028: {holidays: [2028-01-03]}")
    assert codes(exc)[0][0] == "calendar_file_gap"
    assert "2026" in exc.value.problems[0].message("en")


def test_a_year_the_package_has_stays_the_packages_and_the_source_says_so():
    cal = calendar("years:\n  2026: {holidays: [2026-03-02]}\n" + FILE_2027.split("years:\n", 1)[1])
    assert cal.is_workday(date(2026, 3, 2))  # the file's 2026 entry is not used
    assert not cal.is_workday(date(2027, 1, 1))
    assert "2026" in cal.source.split(";", 1)[1]
    only_2026 = calendar("years:\n  2026: {holidays: [2026-03-02]}")
    assert only_2026.last_day == date(2026, 12, 31) and "-local" not in only_2026.id
