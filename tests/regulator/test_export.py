"""The report from the database: CNCA's three sheets as the template says, validated, stored,
logged, with each record's reporting state."""

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.audits.models import Audit, Decision
from aftersales.certificates.models import CertificateEvent, CertificateVersion
from aftersales.core.regulator import load_template
from aftersales.events.models import Event
from aftersales.regulator import services as regulator_services
from aftersales.regulator.models import RegulatorExport, ReportedRecord
from aftersales.regulator.selectors import Scope, report_rows, reporting_state
from aftersales.regulator.services import ExportRefused, ReportInvalid, regulator_export, regulator_report
from tests.certificates.factories import new_enterprise

from .helpers import OCTOBER, SEPTEMBER, at, certified, other_cb_case, september_october, unscoped

pytestmark = pytest.mark.django_db
TEMPLATE = load_template()
SHEETS = ["审核计划信息表", "证书信息表", "审核结果信息表"]


def sheets_of(export: RegulatorExport) -> dict[str, list[tuple]]:
    with export.file.open("rb") as f:
        wb = openpyxl.load_workbook(io.BytesIO(f.read()))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def as_dicts(sheet: list[tuple]) -> list[dict]:
    header, *rows = sheet
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_workbook_has_exactly_the_template_s_sheets_and_headers(world):
    september_october(world)
    book = sheets_of(regulator_export(cb=world["cb"], month=OCTOBER, by_label="test"))
    assert list(book) == SHEETS
    for sheet in TEMPLATE.sheets:
        assert book[sheet.name][0] == tuple(c.header for c in sheet.columns)


def test_a_plan_is_reported_in_the_month_it_was_sent(world):
    case, _ = september_october(world)
    export = regulator_export(cb=world["cb"], month=SEPTEMBER, by=world["people"]["cb_admin"])
    assert export.counts == {"审核计划信息表": 1, "证书信息表": 0, "审核结果信息表": 0}
    [plan] = as_dicts(sheets_of(export)["审核计划信息表"])
    assert plan["审核计划编号"] == case.reference
    assert (plan["认证类别"], plan["审核类型"], plan["审核方式"]) == ("C", "初次认证", "FS01")
    assert plan["统一社会信用代码"] == world["enterprise"].credit_code
    assert plan["审核人日数"] == 2 and plan["审核组长姓名"]
    assert plan["审核组长证件号码"] is None  # item 3 of issue 24 records it


def test_a_certificate_and_its_result_are_reported_together(world):
    case, certificate = september_october(world)
    book = sheets_of(regulator_export(cb=world["cb"], month=OCTOBER, by_label="test"))
    [cert] = as_dicts(book["证书信息表"])
    assert cert["证书编号"] == certificate.number
    assert (cert["发证类型"], cert["证书状态"], cert["认证等级"]) == ("初次发证", "暂停", "五星")
    assert cert["认证覆盖的业务范围"] == "家用空调\n热水器\n安装、维修"
    assert cert["颁证日期"].date() == date(2026, 10, 12)
    [result] = as_dicts(book["审核结果信息表"])
    assert (result["审核计划编号"], result["证书编号"]) == (case.reference, certificate.number)
    assert (result["审核报告编号"], result["认证决定"]) == (f"{case.reference}-R1", "批准认证")


def test_each_record_knows_the_export_and_row_that_reported_it(world):
    case, certificate = september_october(world)
    export = regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    recorded = {(r.kind, r.object_id): (r.sheet, r.row, r.due_on) for r in ReportedRecord.objects.filter(export=export)}
    version = CertificateVersion.objects.get(certificate=certificate)
    suspension = CertificateEvent.objects.get(certificate=certificate, to_status="suspended")
    decision = Decision.objects.get(case=case)
    assert recorded == {
        ("certificate", version.pk): ("certificates", 2, date(2026, 11, 10)),
        ("status", suspension.pk): ("certificates", 2, date(2026, 11, 10)),
        ("result", decision.pk): ("results", 2, date(2026, 11, 10)),
    }
    state = reporting_state(world["cb"], "result", [decision.pk])
    assert state[decision.pk]["export"] == export and state[decision.pk]["row"] == 2
    assert reporting_state(world["cb"], "plan", [case.audit.pk]) == {}  # September not reported


def test_the_records_due_are_exported_once(world):
    september_october(world)
    with at(2026, 11, 2):
        export = regulator_export(cb=world["cb"], by_label="test")
        assert export.scope == "due" and export.period is None
        assert export.counts == {"审核计划信息表": 1, "证书信息表": 1, "审核结果信息表": 1}
        assert ReportedRecord.objects.filter(export=export).count() == 4
        with pytest.raises(ExportRefused, match="Nothing is due"):
            regulator_export(cb=world["cb"], by_label="test")


def test_a_month_s_export_of_what_is_due_leaves_out_what_was_reported(world):
    september_october(world)
    with at(2026, 10, 25):
        regulator_export(cb=world["cb"], by_label="test")  # everything so far
        newer = certified(world, enterprise=new_enterprise())
        export = regulator_export(cb=world["cb"], month=OCTOBER, due_only=True, by_label="test")
    assert export.counts == {"审核计划信息表": 1, "证书信息表": 1, "审核结果信息表": 1}  # the newer case's
    assert as_dicts(sheets_of(export)["证书信息表"])[0]["证书编号"] == newer.number


def test_a_plan_sent_again_after_it_was_reported_is_due_again(world):
    case, _ = september_october(world)
    with at(2026, 11, 2):
        regulator_export(cb=world["cb"], by_label="test")
    with at(2026, 11, 3):
        Audit.objects.filter(pk=case.audit.pk).update(sent_at=timezone.now())
        rows, _ = report_rows(Scope.due(world["cb"]), TEMPLATE)
    assert [r["plan_no"] for r in rows["plans"]] == [case.reference]


def test_in_the_queue_only_reported_certificates_count_as_earlier(world):
    _, certificate = september_october(world)
    with at(2026, 11, 2):
        rows, earlier = report_rows(Scope.due(world["cb"]), TEMPLATE)
    assert earlier["certificates.certificate_no"] == set()
    assert rows["certificates"][0]["certificate_no"] == certificate.number


def test_an_invalid_report_writes_nothing_and_names_sheet_row_and_column(world, settings):
    unscoped(world)
    with pytest.raises(ReportInvalid) as e:
        regulator_export(cb=world["cb"], month=timezone.localdate(), by=world["people"]["cb_admin"])
    assert str(e.value) == "The report has 1 problem; nothing was written."
    [p] = e.value.problems
    assert p.located("en") == "sheet 证书信息表, row 2, column 认证覆盖的业务范围: required cell is empty"
    assert not RegulatorExport.objects.exists() and not ReportedRecord.objects.exists()
    assert not (settings.MEDIA_ROOT / "regulator").exists()
    assert not Event.objects.filter(action="regulator.exported").exists()


def test_it_stores_the_file_with_its_hash_size_and_template(world):
    certified(world)
    export = regulator_export(cb=world["cb"], month=timezone.localdate(), by=world["people"]["cb_admin"])
    with export.file.open("rb") as f:
        content = f.read()
    assert export.sha256 == hashlib.sha256(content).hexdigest() and export.size == len(content)
    assert export.template_id == TEMPLATE.id and export.generated_by_label == "cb_admin"
    event = Event.objects.get(action="regulator.exported")
    assert event.data["sha256"] == export.sha256 and event.data["template"] == TEMPLATE.id


def test_the_webservice_export_sends_one_message_per_row_to_the_outbox(world, settings):
    case, certificate = september_october(world)
    with at(2026, 11, 2):
        export = regulator_export(cb=world["cb"], channel_name="json", by_label="test")
        xml = regulator_export(cb=world["cb"], month=OCTOBER, channel_name="xml", by_label="test")
    outbox = Path(settings.MEDIA_ROOT) / "regulator" / "outbox" / regulator_services.cb_code(world["cb"])
    message = json.loads((outbox / f"证书信息表-{certificate.number}.json").read_text(encoding="utf-8"))
    assert message["sheet"] == "证书信息表" and message["template"] == TEMPLATE.id
    assert {"key": "certificate_no", "name": "证书编号", "value": certificate.number} in message["fields"]
    assert len(list(outbox.glob("*.json"))) == 3
    assert (outbox / f"审核计划信息表-{case.reference}.xml").exists() is False  # September's plan: json only
    with export.file.open("rb") as f:
        assert len(json.loads(f.read())) == 3
    assert ReportedRecord.objects.filter(export=export, row=None).count() == 4
    with xml.file.open("rb") as f:
        assert f.read().count(b"<record ") == 2


def test_a_failing_adapter_leaves_nothing_reported(world, settings):
    september_october(world)
    settings.REGULATOR_CHANNEL = "tests.regulator.test_export.BrokenChannel"
    with at(2026, 11, 2), pytest.raises(ConnectionError):
        regulator_export(cb=world["cb"], channel_name="json", by_label="test")
    assert not ReportedRecord.objects.exists() and not RegulatorExport.objects.exists()


class BrokenChannel:
    def send(self, message):
        raise ConnectionError("endpoint unreachable")


def test_an_export_is_bounded(world, monkeypatch):
    september_october(world)
    monkeypatch.setattr(regulator_services, "MAX_ROWS", 1)
    with pytest.raises(ExportRefused, match="more than one export holds"):
        regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    assert not RegulatorExport.objects.exists()


def test_the_official_xlsx_template_shapes_the_workbook(world, settings, tmp_path):
    case, _ = september_october(world)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in TEMPLATE.sheets:
        ws = wb.create_sheet(sheet.name)
        ws.append([f"{sheet.name}（表头不得修改）"])
        ws.append([c.header for c in reversed(sheet.columns)])
    settings.REGULATOR_TEMPLATE = str(tmp_path / "cnca.xlsx")
    wb.save(settings.REGULATOR_TEMPLATE)
    book = sheets_of(regulator_export(cb=world["cb"], month=SEPTEMBER, by_label="test"))
    plans = book["审核计划信息表"]
    assert plans[0][0] == "审核计划信息表（表头不得修改）"
    assert plans[1] == tuple(c.header for c in reversed(TEMPLATE.sheet("plans").columns))
    assert plans[2][-1] == case.reference
    assert ReportedRecord.objects.get(kind="plan").row == 3


def test_another_cb_s_data_is_never_in_the_report(world):
    september_october(world)
    other_cb, _ = other_cb_case(world)
    rows, _ = regulator_report(cb=other_cb, month=OCTOBER)
    assert rows == {"plans": [], "certificates": [], "results": []}


def test_exporting_a_month_again_is_a_new_log_row(world):
    september_october(world)
    first = regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    with at(2026, 11, 5):
        second = regulator_export(cb=world["cb"], month=OCTOBER, by=world["people"]["cb_admin"])
    assert list(RegulatorExport.objects.filter(period=OCTOBER).order_by("pk")) == [first, second]
    assert first.file.name != second.file.name and first.counts == second.counts


def test_it_refuses_a_month_that_has_not_begun_and_an_enterprise(world):
    with at(2026, 10, 20), pytest.raises(ExportRefused, match="2026-11 has not begun"):
        regulator_export(cb=world["cb"], month=date(2026, 11, 1), by_label="test")
    with pytest.raises(ExportRefused, match="not a certification body"):
        regulator_export(cb=world["enterprise"], month=OCTOBER, by_label="test")


def test_the_query_count_does_not_grow_with_the_rows(world):
    certified(world)

    def count():
        with CaptureQueriesContext(connection) as q:
            report_rows(Scope.due(world["cb"]), TEMPLATE)
        return len(q)

    one = count()
    for _ in range(2):
        certified(world, enterprise=new_enterprise())
    assert count() == one
