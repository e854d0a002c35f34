"""The pure rules of the monthly report: every problem is named by sheet, row and column."""

from datetime import date
from decimal import Decimal

import pytest

from aftersales.core.regulator import SHEETS, layout, normalise, validate

OCT = date(2026, 10, 1)


def application(**over):
    row = {
        "case_no": "AS-2026-0001",
        "kind": "初次认证",
        "enterprise": "甲企业",
        "credit_code": "91330106000000019W",
        "scheme": "gbt27922-2011 ref-2026.1",
        "status": "已受理",
        "submitted_on": date(2026, 10, 3),
    }
    return {**row, **over}


def plan(**over):
    row = {
        "case_no": "AS-2026-0001",
        "enterprise": "甲企业",
        "mode": "现场审核",
        "start_date": date(2026, 10, 20),
        "end_date": date(2026, 10, 21),
        "man_days": Decimal("2.0"),
        "leader": "王审核（ASC-0001）",
        "members": "",
        "sent_on": date(2026, 10, 10),
    }
    return {**row, **over}


def status_change(**over):
    row = {
        "certificate_no": "ASC26SC00001J",
        "from_status": "有效",
        "to_status": "暂停",
        "reason": "超范围使用标志",
        "effective_on": date(2026, 10, 20),
        "recorded_on": date(2026, 10, 20),
    }
    return {**row, **over}


def where(problems):
    return [(p.sheet, p.row, p.column, p.code) for p in problems]


def test_it_passes_a_clean_report():
    assert validate({"applications": [application()], "plans": [plan()]}, month=OCT) == []


def test_it_names_sheet_row_and_column_of_an_empty_required_cell():
    rows = {"applications": [application(), application(case_no="AS-2026-0002", enterprise="  ")]}
    problems = validate(rows, month=OCT)
    assert where(problems) == [("applications", 3, "enterprise", "required")]
    assert problems[0].located("en") == "sheet applications, row 3, column enterprise: required cell is empty"
    assert problems[0].located("zh-Hans") == "工作表“申请”第 3 行“组织名称”列：必填项为空"


def test_an_optional_cell_may_be_empty():
    assert validate({"plans": [plan(members=None)], "applications": [application()]}, month=OCT) == []


def test_it_finds_untrimmed_cells_and_control_characters():
    rows = {"applications": [application(enterprise=" 甲企业", scheme="gbt\x0727922")]}
    assert where(validate(rows, month=OCT)) == [
        ("applications", 2, "enterprise", "untrimmed"),
        ("applications", 2, "scheme", "control"),
    ]


def test_ids_must_be_upper_case_and_plain():
    rows = {"applications": [application(credit_code="91330106000000019w", case_no="AS 2026/1")]}
    assert where(validate(rows, month=OCT)) == [
        ("applications", 2, "case_no", "bad_id"),
        ("applications", 2, "credit_code", "not_upper"),
    ]


def test_the_recorded_date_must_lie_in_the_month_other_dates_need_not():
    rows = {
        "applications": [application(submitted_on=date(2026, 11, 1))],
        "plans": [plan(start_date=date(2026, 12, 7), end_date=date(2026, 12, 8), sent_on=date(2026, 9, 30))],
    }
    problems = validate(rows, month=OCT)
    assert where(problems) == [
        ("applications", 2, "submitted_on", "outside_month"),
        ("plans", 2, "sent_on", "outside_month"),
    ]
    assert "2026-09-30" in problems[1].message("en") and "2026-10" in problems[1].message("en")


def test_dates_and_numbers_must_have_their_type():
    rows = {"applications": [application()], "plans": [plan(start_date="2026-10-20", man_days="2")]}
    assert where(validate(rows, month=OCT)) == [
        ("plans", 2, "start_date", "not_date"),
        ("plans", 2, "man_days", "not_number"),
    ]


def test_a_reference_resolves_within_the_workbook_or_to_an_earlier_month():
    rows = {"applications": [application()], "plans": [plan(), plan(case_no="AS-2026-0009")]}
    problems = validate(rows, month=OCT)
    assert where(problems) == [("plans", 3, "case_no", "dangling")]
    assert "'AS-2026-0009' is neither on sheet 'applications'" in problems[0].message("en")
    assert validate(rows, month=OCT, earlier={"applications.case_no": {"AS-2026-0009"}}) == []


def test_a_status_change_needs_its_certificate():
    rows = {"status_changes": [status_change()]}
    assert where(validate(rows, month=OCT)) == [("status_changes", 2, "certificate_no", "dangling")]
    assert validate(rows, month=OCT, earlier={"certificates.certificate_no": {"ASC26SC00001J"}}) == []


def test_a_repeated_row_is_a_problem():
    rows = {"applications": [application(), application()]}
    problems = validate(rows, month=OCT)
    assert where(problems) == [("applications", 3, "case_no", "duplicate")]
    assert problems[0].params["first"] == 2


def test_normalise_trims_and_upper_cases_ids_only():
    rows = normalise({"applications": [application(case_no=" as-2026-0001 ", enterprise=" 甲企业\x07有限公司 ")]})
    [row] = rows["applications"]
    assert row["case_no"] == "AS-2026-0001"
    assert row["enterprise"] == "甲企业 有限公司"
    assert validate(rows, month=OCT) == []


def test_a_column_map_reorders_and_renames_columns():
    sheets = layout(
        {
            "applications": {
                "submitted_on": "受理日期",
                "case_no": None,
                "kind": None,
                "enterprise": None,
                "credit_code": None,
                "scheme": None,
                "status": None,
            }
        }
    )
    apps = next(s for s in sheets if s.key == "applications")
    assert [c.key for c in apps.columns][:2] == ["submitted_on", "case_no"]
    assert apps.columns[0].zh == "受理日期"
    assert [s.key for s in sheets] == [s.key for s in SHEETS]


def test_a_column_map_cannot_drop_a_required_column():
    with pytest.raises(ValueError, match="case_no"):
        layout({"applications": ["kind", "enterprise", "credit_code", "scheme", "status", "submitted_on"]})
    with pytest.raises(ValueError, match="unknown sheets"):
        layout({"nonsense": ["x"]})
