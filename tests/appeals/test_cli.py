"""`aftersales appeals overdue`: the open appeals past a deadline, from the command line."""

import json
from datetime import timedelta

import pytest
import typer
from django.utils import timezone
from typer.testing import CliRunner

from aftersales.appeals.cli import register
from tests.audits.factories import case_at

from .factories import appeal_in, lodged

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_setup(monkeypatch):
    monkeypatch.setattr("aftersales.appeals.cli.django_setup", lambda: None)


def cli(*args):
    app = typer.Typer()
    register(app)

    @app.callback()
    def main():  # a group, so "appeals" is a subcommand as in the main CLI
        pass

    return CliRunner().invoke(app, ["appeals", *args])


def test_it_lists_the_overdue_appeals_and_exits_1(world):
    case = case_at(world, "decided")
    waiting = lodged(world, case=case)
    appeal_in(world, "decided", case=case)
    assert cli("overdue").exit_code == 0
    day = (timezone.localdate() + timedelta(days=8)).isoformat()
    result = cli("overdue", "--today", day, "--json")
    assert result.exit_code == 1
    rows = json.loads(result.output)
    assert [(r["reference"], r["acknowledgement_overdue"], r["decision_overdue"]) for r in rows] == [
        (waiting.reference, True, False)
    ]
    text = cli("overdue", "--today", day)
    assert "acknowledgement overdue" in text.output and "overdue: 1" in text.output


def test_it_refuses_a_bad_date(world):
    result = cli("overdue", "--today", "tomorrow")
    assert result.exit_code == 2
