"""`aftersales regulator report|log`: exit 2 with every problem when invalid, nothing written."""

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from aftersales.cli import app
from aftersales.regulator.models import RegulatorExport

from .helpers import september_october, unscoped

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_setup(monkeypatch):
    monkeypatch.setattr("aftersales.regulator.cli.django_setup", lambda: None)


def run(*args):
    return CliRunner().invoke(app, ["regulator", *args])


def test_it_writes_the_workbook_and_logs_it(world, no_setup, tmp_path):
    september_october(world)
    out = tmp_path / "2026-10.xlsx"
    result = run("report", "--month", "2026-10", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "证书信息表=1" in result.output
    assert openpyxl.load_workbook(out).sheetnames == ["审核计划信息表", "证书信息表", "审核结果信息表"]
    export = RegulatorExport.objects.get()
    assert export.generated_by_label == "command:regulator-report"
    log = run("log", "--json")
    assert json.loads(log.output)["sha256"] == export.sha256


def test_check_validates_and_writes_nothing(world, no_setup, tmp_path):
    september_october(world)
    result = run("report", "--month", "2026-10", "--check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["certificates"] == 1
    assert not RegulatorExport.objects.exists()


def test_an_invalid_report_exits_2_naming_sheet_row_and_column(world, no_setup, tmp_path):
    from django.utils import timezone

    unscoped(world)
    out = tmp_path / "bad.xlsx"
    result = run("report", "--month", f"{timezone.localdate():%Y-%m}", "-o", str(out))
    assert result.exit_code == 2
    assert "sheet 证书信息表, row 2, column 认证覆盖的业务范围: required cell is empty" in result.output
    assert not out.exists()
    assert not RegulatorExport.objects.exists()


def test_it_exports_what_is_due_through_the_webservice_outbox(world, no_setup, tmp_path):
    september_october(world)
    out = tmp_path / "due.json"
    result = run("report", "--channel", "json", "-o", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["month"] == "due"
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 3
    assert RegulatorExport.objects.get().channel == "json"


def test_it_names_the_cb_by_credit_code(world, no_setup):
    result = run("report", "--month", "2026-10", "--cb", "NOPE", "--check")
    assert result.exit_code == 2
    assert "no certification body" in result.output


def test_a_bad_month_exits_2(world, no_setup):
    assert run("report", "--month", "2026-13", "--check").exit_code == 2
    assert run("report", "--month", "2026-10").exit_code == 2  # -o missing
