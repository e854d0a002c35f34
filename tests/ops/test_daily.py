"""The daily job (ops/daily.py): the certificate cycle, then the regulator's reminders, the
registry's stale answers and the chain heads, in one call."""

from datetime import date

import pytest
import time_machine

from aftersales.ops import daily

pytestmark = pytest.mark.django_db


def test_it_sends_the_regulator_reminders_due_and_reports_them(monkeypatch):
    calls = []

    class Sent:
        key = "regulator:x"

    monkeypatch.setattr(daily, "regulator_reminders", lambda today: calls.append(today) or [Sent()])
    with time_machine.travel(date(2026, 12, 6), tick=False):
        report, chains = daily.daily_run(today=date(2026, 12, 6))
    assert report.regulator == ["regulator:x"] and calls == [date(2026, 12, 6)]
    assert report.as_json()["regulator"] == ["regulator:x"] and chains.breaks == []


def test_a_day_without_regulator_reminders_reports_none(monkeypatch):
    monkeypatch.setattr(daily, "regulator_reminders", lambda today: [])
    with time_machine.travel(date(2026, 12, 7), tick=False):
        assert daily.daily_run(today=date(2026, 12, 7))[0].regulator == []
