"""recertification_open_until: the one date a database compares expiries with gives exactly the
certificates whose recertification window has opened (month ends included)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.cycle import recertification_open_until, recertification_opens


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=0, max_value=24))
def test_it_splits_the_expiries_whose_window_has_opened_from_the_others(today, months):
    until = recertification_open_until(today, months)
    for days in range(-40, 41):
        expires = until + timedelta(days=days)
        assert (recertification_opens(expires, months) <= today) == (expires <= until)


def test_it_takes_the_days_a_short_month_clamps():
    # 2026-04-30: windows of 3 months have opened for every expiry up to 2026-07-31 (opens 04-30)
    assert recertification_open_until(date(2026, 4, 30), 3) == date(2026, 7, 31)
    assert recertification_open_until(date(2026, 11, 30), 3) == date(2027, 2, 28)
