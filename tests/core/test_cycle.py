"""The cycle's date rules: month arithmetic clamped to month end, surveillance schedules,
recertification window, reminder lead times, the calendar grid."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.cycle import (
    Due,
    add_months,
    expiry_date,
    lead_due,
    month_bounds,
    month_grid,
    month_parse,
    months_between,
    recertification_opens,
    reminder_dates,
    surveillance_schedule,
)

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
months = st.integers(min_value=-600, max_value=600)


def test_it_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days, months)
def test_it_keeps_the_day_unless_the_month_is_shorter(day, m):
    moved = add_months(day, m)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == m
    assert moved.day == day.day or (moved.day < day.day and (moved + timedelta(days=1)).day == 1)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days, months, months)
def test_it_composes_when_no_clamp_happens(day, a, b):
    day = day.replace(day=min(day.day, 28))
    assert add_months(add_months(day, a), b) == add_months(day, a + b)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days, st.integers(min_value=0, max_value=600))
def test_months_between_inverts_add_months(day, m):
    later = add_months(day, m)
    n = months_between(day, later)
    assert add_months(day, n) <= later < add_months(day, n + 1)


def test_it_expires_the_day_before_the_anniversary():
    assert expiry_date(date(2026, 1, 15), 3) == date(2029, 1, 14)
    assert expiry_date(date(2028, 2, 29), 1) == date(2029, 2, 27)


def test_a_three_year_certificate_has_two_surveillances_a_year_apart():
    schedule = surveillance_schedule(
        date(2026, 1, 15),
        expires_on=date(2029, 1, 14),
        interval_months=12,
        window_months=3,
        recertification_open_months=3,
    )
    assert schedule == (
        Due(1, date(2026, 10, 15), date(2027, 1, 15)),
        Due(2, date(2027, 10, 15), date(2028, 1, 15)),
    )


def test_a_shorter_interval_gives_more_surveillances_before_the_recertification_window():
    schedule = surveillance_schedule(
        date(2026, 1, 31),
        expires_on=date(2029, 1, 30),
        interval_months=9,
        window_months=1,
        recertification_open_months=3,
    )
    assert [d.due_by for d in schedule] == [date(2026, 10, 31), date(2027, 7, 31), date(2028, 4, 30)]
    assert schedule[2].window_opens == date(2028, 3, 30)


def test_the_window_never_opens_before_the_decision():
    (first,) = surveillance_schedule(
        date(2026, 1, 15),
        expires_on=date(2027, 1, 14),
        interval_months=2,
        window_months=6,
        recertification_open_months=9,
    )
    assert first == Due(1, date(2026, 1, 16), date(2026, 3, 15))


@pytest.mark.parametrize("bad", [{"interval_months": 0}, {"window_months": -1}, {"expires_on": date(2026, 1, 1)}])
def test_it_refuses_nonsense(bad):
    args = {"expires_on": date(2029, 1, 14), "interval_months": 12, "window_months": 3} | bad
    with pytest.raises(ValueError, match=r"interval|negative|expires"):
        surveillance_schedule(date(2026, 1, 15), **args)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days,
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=24),
    st.integers(min_value=0, max_value=12),
    st.integers(min_value=0, max_value=6),
)
def test_every_schedule_is_ordered_inside_the_cycle(decided, years, interval, window, recert):
    expires = expiry_date(decided, years)
    schedule = surveillance_schedule(
        decided,
        expires_on=expires,
        interval_months=interval,
        window_months=window,
        recertification_open_months=recert,
    )
    stop = recertification_opens(expires, recert)
    previous = decided
    for k, due in enumerate(schedule, start=1):
        assert due.n == k
        assert decided < due.window_opens <= due.due_by < stop
        assert due.due_by > previous
        assert due.due_by == add_months(decided, k * interval)
        previous = due.due_by
    # none left out: the next one would fall in the recertification window
    assert add_months(decided, (len(schedule) + 1) * interval) >= stop


def test_the_recertification_window_opens_three_months_before_expiry():
    assert recertification_opens(date(2029, 1, 14), 3) == date(2028, 10, 14)
    assert recertification_opens(date(2029, 5, 31), 3) == date(2029, 2, 28)


def test_reminder_dates_are_farthest_first():
    assert reminder_dates(date(2027, 1, 15), [7, 60, 30, 30]) == [
        (60, date(2026, 11, 16)),
        (30, date(2026, 12, 16)),
        (7, date(2027, 1, 8)),
    ]


def test_the_due_lead_is_the_shortest_reached():
    target = date(2027, 1, 15)
    leads = [60, 30, 7]
    assert lead_due(target, leads, date(2026, 11, 15)) is None
    assert lead_due(target, leads, date(2026, 11, 16)) == 60
    assert lead_due(target, leads, date(2026, 12, 20)) == 30
    assert lead_due(target, leads, date(2027, 1, 15)) == 7
    assert lead_due(target, leads, date(2027, 1, 16)) is None
    assert lead_due(target, [], date(2027, 1, 1)) is None


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days, st.lists(st.integers(min_value=0, max_value=400), max_size=5), days)
def test_a_due_lead_has_come_and_target_has_not_passed(target, leads, today):
    lead = lead_due(target, leads, today)
    if lead is not None:
        assert lead in leads
        assert target - timedelta(days=lead) <= today <= target
        assert not [x for x in leads if x < lead and target - timedelta(days=x) <= today]


def test_the_calendar_month():
    assert month_parse("2027-03", default=date(2026, 5, 5)) == date(2027, 3, 1)
    for bad in ["", None, "2027-13", "27-03", "2027-3", "x"]:
        assert month_parse(bad, default=date(2026, 5, 5)) == date(2026, 5, 1)
    grid = month_grid(date(2027, 3, 1))
    assert all(len(week) == 7 for week in grid)
    assert grid[0][:3] == [None, None, None] or grid[0][0] is not None
    flat = [d for week in grid for d in week if d]
    assert flat[0] == date(2027, 3, 1) and flat[-1] == date(2027, 3, 31) and len(flat) == 31
    assert all(d.weekday() == i for week in grid for i, d in enumerate(week) if d)
    assert month_bounds(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
