"""`aftersales cycle run` and `aftersales cycle due`: the daily job from the command line."""

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from aftersales.certificates.models import Certificate, Reminder
from aftersales.cli import app
from tests.policy import install_policy

from .cycle_factories import on
from .factories import issued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_setup(monkeypatch, settings):
    monkeypatch.setattr("aftersales.certificates.cycle.cli.django_setup", lambda: None)
    install_policy(settings, {"reminder_lead_days": [60, 30, 7]})


def cli(*args):
    return CliRunner().invoke(app, ["cycle", *args])


@pytest.fixture
def certificate(world):
    with on(date(2026, 1, 15)):
        return issued(world, today=date(2026, 1, 15))


def test_run_prints_what_it_did_and_is_idempotent(certificate):
    result = cli("run", "--today", "2026-11-16")
    assert result.exit_code == 0, result.output
    assert "cycle run for 2026-11-16" in result.output and "reminder     surveillance:" in result.output
    again = cli("run", "--today", "2026-11-16", "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.output)
    assert data["today"] == "2026-11-16" and data["reminders"] == [] and data["expired"] == []
    assert Reminder.objects.count() == 2


def test_run_expires_the_day_after_expiry(certificate):
    data = json.loads(cli("run", "--today", "2029-01-15", "--json").output)
    assert data["expired"] == [certificate.number]
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.EXPIRED


def test_run_refuses_a_bad_date():
    result = cli("run", "--today", "2026-13-01")
    assert result.exit_code == 2 and "not a date" in result.output


def test_due_lists_the_cb_s_surveillances_and_expiries(world, certificate):
    result = cli("due", "--today", "2026-11-01", "--json", "--cb", str(world["cb"].pk))
    assert result.exit_code == 0, result.output
    (cb,) = json.loads(result.output)["cbs"]
    assert [s["due_by"] for s in cb["due"]] == ["2027-01-15"] and cb["overdue"] == []
    text = cli("due", "--today", "2028-11-01", "--cb", world["cb"].name)
    assert "overdue      " in text.output and "recertify    " in text.output
    assert cli("due", "--cb", "no such body").exit_code == 2
