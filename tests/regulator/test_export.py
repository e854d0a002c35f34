"""The monthly report from the database: one sheet per kind, validated, stored and logged."""

import hashlib
import io
from datetime import date

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.events.models import Event
from aftersales.regulator.models import RegulatorExport
from aftersales.regulator.selectors import report_rows
from aftersales.regulator.services import ExportRefused, ReportInvalid, regulator_export, regulator_report
from tests.certificates.factories import new_enterprise

from .helpers import OCTOBER, SEPTEMBER, at, certified, other_cb_case, september_october, unscoped

pytestmark = pytest.mark.django_db


def sheets_of(export: RegulatorExport) -> dict[str, list[tuple]]:
    with export.file.open("rb") as f:
        wb = openpyxl.load_workbook(io.BytesIO(f.read()))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_it_reports_applications_plans_and_results_in_their_month(world):
    case, _ = september_october(world)
    export = regulator_export(cb=world["cb"], month=SEPTEMBER, by=world["people"]["cb_admin"])
    assert export.counts == {
        "applications": 1,
        "plans": 1,
        "results": 1,
        "decisions": 0,
        "certificates": 0,
        "status_changes": 0,
    }
    book = sheets_of(export)
    assert list(book) == ["说明 About", "申请", "审核计划", "审核结果", "认证决定", "证书", "状态变更"]
    header, row = book["申请"]
    assert header[:3] == ("申请编号", "认证类型", "组织名称")
    assert row[:4] == (case.reference, "初次认证", "甲企业", world["enterprise"].credit_code)
    assert row[-1].date() == date(2026, 9, 15)
    _, plan = book["审核计划"]
    assert plan[0] == case.reference and plan[2] == "现场审核"
    assert plan[5] == 2 and plan[6].startswith("auditor（ASC-")
    assert plan[-1].date() == date(2026, 9, 15)
    _, result = book["审核结果"]
    assert result[:3] == (f"{case.reference}-R1", case.reference, "甲企业")
    assert result[4] == "五星"
    assert [len(book[s]) for s in ("认证决定", "证书", "状态变更")] == [1, 1, 1]  # the header only


def test_it_reports_decisions_certificates_and_status_changes_in_their_month(world):
    case, certificate = september_october(world)
    export = regulator_export(cb=world["cb"], month=OCTOBER, by=world["people"]["cb_admin"])
    book = sheets_of(export)
    assert len(book["申请"]) == len(book["审核计划"]) == len(book["审核结果"]) == 1
    _, decision = book["认证决定"]
    assert decision[:5] == (case.reference, f"{case.reference}-R1", "甲企业", "批准（按推荐等级）", "五星")
    header, cert = book["证书"]
    assert header[0] == "证书编号"
    values = dict(zip(header, cert, strict=True))
    assert values["证书编号"] == certificate.number
    assert values["发证/变更原因"] == "初次发证"
    assert values["统一社会信用代码"] == world["enterprise"].credit_code
    assert values["认证范围"] == "家用空调\n热水器\n安装、维修"
    assert values["证书状态"] == "暂停"  # as at the end of the month
    assert values["申请编号"] == case.reference
    assert values["发证日期"].date() == date(2026, 10, 12)
    _, change = book["状态变更"]
    assert change[:4] == (certificate.number, "有效", "暂停", "超范围使用认证标志")
    assert change[-1].date() == date(2026, 10, 20)


def test_references_to_earlier_months_resolve_without_their_export(world):
    september_october(world)
    _, problems = regulator_report(cb=world["cb"], month=OCTOBER)
    assert problems == []
    assert not RegulatorExport.objects.filter(period=SEPTEMBER).exists()


def test_the_about_sheet_names_the_cb_the_month_and_the_counts(world):
    september_october(world)
    book = sheets_of(regulator_export(cb=world["cb"], month=OCTOBER, by_label="test"))
    about = book["说明 About"]
    assert ("认证机构 Certification body", "认证机构") in [r[:2] for r in about]
    assert ("报送月份 Month", "2026-10") in [r[:2] for r in about]
    assert ("状态变更 status changes", 1) in [r[:2] for r in about]
    assert any(r[1] == "证书编号" and r[2] == "certificate number" for r in about)


def test_another_cbs_data_is_never_in_the_report(world):
    september_october(world)
    other_cb, other_case = other_cb_case(world)
    rows, _ = report_rows(world["cb"], OCTOBER)
    assert other_case.reference not in str(rows)
    export = regulator_export(cb=other_cb, month=OCTOBER, by_label="test")
    assert export.counts["applications"] == 1
    assert sum(export.counts.values()) == 1
    book = sheets_of(export)
    assert "甲企业" not in str(book)
    assert book["申请"][1][:3] == (other_case.reference, "初次认证", "乙企业")


def test_an_invalid_report_is_not_written(world, settings):
    unscoped(world)
    month = timezone.localdate().replace(day=1)
    with pytest.raises(ReportInvalid) as e:
        regulator_export(cb=world["cb"], month=month, by=world["people"]["cb_admin"])
    assert str(e.value) == "The report has 1 problem; nothing was written."
    [p] = e.value.problems
    assert (p.sheet, p.row, p.column, p.code) == ("certificates", 2, "scope", "required")
    assert not RegulatorExport.objects.exists()
    assert not (settings.MEDIA_ROOT / "regulator").exists()
    assert not Event.objects.filter(action="regulator.exported").exists()


def test_it_stores_the_file_with_its_hash_and_size(world):
    certified(world)
    export = regulator_export(cb=world["cb"], month=timezone.localdate(), by=world["people"]["cb_admin"])
    with export.file.open("rb") as f:
        content = f.read()
    assert export.sha256 == hashlib.sha256(content).hexdigest()
    assert export.size == len(content)
    assert export.period == timezone.localdate().replace(day=1)
    assert export.generated_by_label == "cb_admin"
    assert export.file.name.startswith("regulator/")
    event = Event.objects.get(action="regulator.exported")
    assert event.data["sha256"] == export.sha256


def test_exporting_a_month_again_is_a_new_log_row(world):
    september_october(world)
    first = regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    with at(2026, 11, 5):
        second = regulator_export(cb=world["cb"], month=OCTOBER, by=world["people"]["cb_admin"])
    assert list(RegulatorExport.objects.filter(period=OCTOBER).order_by("pk")) == [first, second]
    assert first.file.name != second.file.name
    assert first.counts == second.counts


def test_it_refuses_a_month_that_has_not_begun(world):
    with at(2026, 10, 20), pytest.raises(ExportRefused, match="2026-11 has not begun"):
        regulator_export(cb=world["cb"], month=date(2026, 11, 1), by_label="test")


def test_it_refuses_an_enterprise(world):
    with pytest.raises(ExportRefused, match="not a certification body"):
        regulator_export(cb=world["enterprise"], month=OCTOBER, by_label="test")


def test_the_query_count_does_not_grow_with_the_rows(world):
    certified(world)

    def count():
        with CaptureQueriesContext(connection) as q:
            report_rows(world["cb"], timezone.localdate())
        return len(q)

    one = count()
    for _ in range(2):
        certified(world, enterprise=new_enterprise())
    assert count() == one
