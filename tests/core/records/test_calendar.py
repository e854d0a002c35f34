"""The business calendar: Chinese holidays and 调休 make-up workdays, O(1) working time per record."""

from datetime import date, datetime, time, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.records.calendar import CalendarRangeError, build_calendar, default_calendar

CAL = default_calendar()


def ws(start: datetime, end: datetime) -> int:
    return CAL.working_seconds_series(pl.Series([start]), pl.Series([end]))[0]


def reference(cal, start: datetime, end: datetime) -> int:
    """Slow: count each working minute between start and end (minute-aligned inputs)."""
    total, t = 0, start
    while t < end:
        if cal.is_workday(t.date()) and any(s <= t.time() < e for s, e in cal.working_hours):
            total += 60
        t += timedelta(minutes=1)
    return total


def test_it_is_versioned_and_says_what_it_covers():
    assert CAL.id == "cn-workday-2026.1"
    assert (CAL.first_day, CAL.last_day) == (date(2004, 1, 1), date(2026, 12, 31))
    assert CAL.working_hours == ((time(9), time(12)), (time(13), time(18)))
    assert CAL.day_seconds == 8 * 3600
    assert CAL.source.startswith("chinesecalendar")
    assert len(CAL.sha256) == 64


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival
        (date(2026, 2, 14), True),  # 调休 Saturday
        (date(2026, 2, 16), False),  # 除夕 week
        (date(2026, 2, 23), False),  # last day of the Spring Festival holiday (a Monday)
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # 调休 Saturday
        (date(2026, 9, 20), True),  # 调休 Sunday before National Day
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # 调休 Saturday after National Day
        (date(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_it_knows_the_2026_holidays_and_make_up_workdays(day, working):
    assert CAL.is_workday(day) is working


def test_it_counts_working_time_across_the_national_day_holiday():
    # 9-30 17:00→18:00 (1 h) + 10-8 (8 h) + 10-9 09:00→10:00 (1 h)
    assert ws(datetime(2026, 9, 30, 17), datetime(2026, 10, 9, 10)) == 10 * 3600


def test_it_counts_the_spring_festival_make_up_saturday():
    # 2-13 10:00→18:00 (7 h) + 2-14 调休 (8 h) + 2-24 09:00→09:30
    assert ws(datetime(2026, 2, 13, 10), datetime(2026, 2, 24, 9, 30)) == 15 * 3600 + 1800


def test_it_counts_nothing_during_the_lunch_break_or_at_night():
    assert ws(datetime(2026, 3, 2, 12, 0), datetime(2026, 3, 2, 13, 0)) == 0
    assert ws(datetime(2026, 3, 2, 18, 30), datetime(2026, 3, 3, 8, 59)) == 0


def test_it_refuses_dates_outside_the_holiday_table():
    with pytest.raises(CalendarRangeError) as err:
        ws(datetime(2026, 12, 30, 9), datetime(2027, 1, 5, 9))
    assert err.value.problems[0].code == "records_calendar_range"
    assert "2027-01-05" in err.value.problems[0].message("en")
    with pytest.raises(CalendarRangeError):
        CAL.is_workday(date(2003, 12, 31))


def test_it_yields_null_not_a_guess_for_an_expression_outside_the_range():
    frame = pl.DataFrame({"a": [datetime(2026, 12, 31, 9)], "b": [datetime(2027, 1, 4, 9)]})
    assert frame.select(CAL.working_seconds(pl.col("a"), pl.col("b")))[0, 0] is None


def test_it_names_a_calendar_with_other_working_hours_differently():
    other = default_calendar(working_hours=((time(8, 30), time(17, 30)),))
    assert other.id == "cn-workday-2026.1+0830-1730" and other.sha256 != CAL.sha256
    assert other.day_seconds == 9 * 3600


def test_it_applies_overrides_such_as_a_company_shutdown():
    shut = default_calendar(extra_holidays=[date(2026, 3, 2)])
    assert not shut.is_workday(date(2026, 3, 2)) and shut.id != CAL.id


def test_it_rejects_overlapping_working_hours():
    with pytest.raises(ValueError, match="working hours"):
        build_calendar(holidays=[], workdays=[], first_day=date(2026, 1, 1), last_day=date(2026, 12, 31),
                       working_hours=((time(9), time(13)), (time(12), time(18))))  # fmt: skip


minutes_2026 = st.integers(min_value=0, max_value=364 * 24 * 60 - 1).map(
    lambda m: datetime(2026, 1, 1) + timedelta(minutes=m)
)
spans = st.integers(min_value=0, max_value=12 * 24 * 60)


@settings(deadline=None)
@given(start=minutes_2026, span=spans)
def test_it_matches_a_slow_per_minute_reference(start, span):
    end = min(start + timedelta(minutes=span), datetime(2026, 12, 31, 23, 59))
    assert ws(start, end) == reference(CAL, start, end)


@settings(deadline=None)
@given(a=minutes_2026, b=minutes_2026, c=minutes_2026)
def test_it_is_additive_over_a_split_point(a, b, c):
    a, b, c = sorted([a, b, c])
    frame = pl.DataFrame({"a": [a], "b": [b], "c": [c]})
    got = frame.select(
        CAL.working_seconds(pl.col("a"), pl.col("b")).alias("ab"),
        CAL.working_seconds(pl.col("b"), pl.col("c")).alias("bc"),
        CAL.working_seconds(pl.col("a"), pl.col("c")).alias("ac"),
    ).row(0)
    assert got[0] + got[1] == got[2]
    assert min(got) >= 0


holiday_minutes = st.sampled_from(sorted(d for d in CAL.holidays if d.year == 2026)).flatmap(
    lambda d: st.tuples(st.integers(0, 24 * 60 - 1), st.integers(0, 24 * 60 - 1)).map(
        lambda m: tuple(datetime.combine(d, time()) + timedelta(minutes=x) for x in sorted(m))
    )
)


@settings(deadline=None)
@given(span=holiday_minutes)
def test_it_counts_zero_within_a_holiday(span):
    assert ws(*span) == 0


def test_it_is_vectorised_over_a_whole_column():
    starts = pl.Series([datetime(2026, 3, 2, 9)] * 3)
    ends = pl.Series([datetime(2026, 3, 2, 10), datetime(2026, 3, 3, 9), None])
    assert CAL.working_seconds_series(starts, ends).to_list() == [3600, 8 * 3600, None]
