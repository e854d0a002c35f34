"""Numbers in forms are bounded by what the database holds: a huge headcount or id is a form error
naming the field, never a query that fails on PostgreSQL ("integer out of range", a 500)."""

import pytest

from aftersales.audits.forms import ObjectionForm
from aftersales.certification.forms import ReviewForm
from aftersales.core.bounds import COUNT_MAX

HUGE = "9" * 30


@pytest.mark.parametrize("value", [str(COUNT_MAX + 1), HUGE])
def test_a_count_the_database_cannot_hold_is_a_form_error(value):
    form = ReviewForm(data={"outlets_visited": value})
    assert not form.is_valid()
    assert "outlets_visited" in form.errors


def test_the_largest_count_is_accepted():
    form = ReviewForm(data={"outlets_visited": str(COUNT_MAX)})
    form.is_valid()
    assert "outlets_visited" not in form.errors


@pytest.mark.parametrize("value", [HUGE, "0", "-3"])
def test_an_id_outside_the_database_range_is_a_form_error(value):
    form = ObjectionForm(data={"member": value, "reason": "x"})
    assert not form.is_valid()
    assert "member" in form.errors
