"""`aftersales verify-chain`: intact → 0; a tampered event → 1 naming the case and the event."""

import json

import pytest
from django.db import connection
from typer.testing import CliRunner

from aftersales.certification.models import Case, CaseEvent
from aftersales.cli import app

from .factories import case_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_setup(monkeypatch):
    monkeypatch.setattr("aftersales.audits.cli.django_setup", lambda: None)


def run(*args):
    return CliRunner().invoke(app, ["verify-chain", *args])


def test_it_reports_intact_chains(world, no_setup):
    case = case_at(world, Case.Status.DECIDED)
    result = run()
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    result = run("--case", case.reference, "--json")
    report = json.loads(result.output)
    assert (report["checked"], report["intact"], report["breaks"]) == (1, True, [])


def test_it_names_the_case_and_event_of_a_tampered_row(world, no_setup):
    case = case_at(world, Case.Status.DECIDED)
    other = case_at(world, Case.Status.PLANNED)
    event = case.events.get(action="audit.report_issued")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CaseEvent._meta.db_table} SET data = %s WHERE id = %s",
            [json.dumps({"sha256": "0" * 64}), event.pk],
        )
    result = run()
    assert result.exit_code == 1
    assert f"BROKEN case:{case.reference} event {event.seq}: hash" in result.output
    assert other.reference not in result.output
    result = run("--case", other.reference)
    assert result.exit_code == 0
    result = run("--case", case.reference, "--json")
    assert json.loads(result.output)["breaks"] == [
        {"chain": f"case:{case.reference}", "seq": event.seq, "reason": "hash"}
    ]


def test_it_detects_a_deleted_last_event(world, no_setup):
    case = case_at(world, Case.Status.PLANNED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {CaseEvent._meta.db_table} WHERE case_id = %s AND seq = %s", [case.pk, case.event_count]
        )
    result = run("--case", case.reference)
    assert result.exit_code == 1 and "head" in result.output


def test_it_refuses_an_unknown_case(world, no_setup):
    assert run("--case", "AS-1999-0001").exit_code == 2


def test_it_escalates_overdue_nonconformities_from_the_command_line(world, no_setup):
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.audits.models import Nonconformity

    case = case_at(world, Case.Status.RECTIFICATION)
    Nonconformity.objects.filter(audit__case=case).update(deadline=timezone.localdate() - timedelta(days=1))
    result = CliRunner().invoke(app, ["escalate-overdue"])
    assert result.exit_code == 0 and "escalated: 1" in result.output
    assert case.events.filter(action="audit.rectification_overdue").count() == 1
