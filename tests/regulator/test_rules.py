"""The pure rules of the report to CNCA: the template (shipped YAML, a CB's file, the official .xlsx)
and the validation, every problem named by sheet, row and column."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from aftersales.core.regulator import (
    DEFAULT_PATH,
    TemplateError,
    due_on,
    load_template,
    normalise,
    validate,
)

T = load_template()


def plan(**over):
    row = {
        "plan_no": "AS-2026-0001",
        "org_name": "甲企业",
        "org_code": "91330106000000019W",
        "category": "C",
        "audit_kind": "初次认证",
        "audit_mode": "FS01",
        "start_date": date(2026, 10, 20),
        "end_date": date(2026, 10, 21),
        "man_days": Decimal("2.0"),
        "leader_name": "王审核",
    }
    return {**row, **over}


def certificate(**over):
    row = {
        "certificate_no": "ASC-2026-0001",
        "org_name": "甲企业",
        "org_code": "91330106000000019W",
        "org_address": "杭州市西湖区一号",
        "category": "C",
        "standard": "gbt27922-2011 ref-2026.1",
        "scope": "家用空调的安装、维修",
        "level": "五星",
        "issued_on": date(2026, 10, 12),
        "expires_on": date(2029, 10, 11),
        "first_issued_on": date(2026, 10, 12),
        "status": "有效",
        "change": "初次发证",
    }
    return {**row, **over}


def result(**over):
    row = {
        "plan_no": "AS-2026-0001",
        "certificate_no": "ASC-2026-0001",
        "org_name": "甲企业",
        "audit_kind": "初次认证",
        "report_no": "AS-2026-0001-R1",
        "report_on": date(2026, 9, 30),
        "score": "95.50",
        "outcome": "批准认证",
        "level": "五星",
        "decided_on": date(2026, 10, 12),
    }
    return {**row, **over}


def located(problems, lang="en"):
    return [p.located(lang) for p in problems]


def test_the_shipped_template_has_cnca_s_three_sheets_in_order():
    assert [s.name for s in T.sheets] == ["审核计划信息表", "证书信息表", "审核结果信息表"]
    assert all(s.header_row == 1 for s in T.sheets)
    assert T.sheet("plans").columns[0].header == "审核计划编号"
    assert T.codes["audit_mode"] == {"on_site": "FS01", "remote": "FS02", "mixed": "FS03"}
    assert T.codes["category"] == {"service": "C"}
    # every column says where it comes from
    assert all(c.source for s in T.sheets for c in s.columns)


def test_a_valid_report_has_no_problem():
    rows = {"plans": [plan()], "certificates": [certificate()], "results": [result()]}
    assert validate(rows, T) == []


def test_problems_name_sheet_row_and_column_in_both_languages():
    rows = {"plans": [plan(), plan(plan_no="AS-2026-0002", org_name="")], "certificates": [], "results": []}
    [problem] = validate(rows, T)
    assert located([problem]) == ["sheet 审核计划信息表, row 3, column 组织名称: required cell is empty"]
    assert problem.located("zh-hans") == "工作表“审核计划信息表”第 3 行“组织名称”列：必填项为空"
    assert problem.as_dict("en")["row"] == 3


def test_ids_must_be_upper_case_without_spaces_and_cells_trimmed():
    rows = {
        "plans": [plan(plan_no="as-2026-0001"), plan(plan_no="AS 2026", org_name=" 甲企业")],
        "certificates": [],
        "results": [],
    }
    assert located(validate(rows, T)) == [
        "sheet 审核计划信息表, row 2, column 审核计划编号: letters in ids must be upper case",
        "sheet 审核计划信息表, row 3, column 审核计划编号: id 'AS 2026' may hold only 0-9, A-Z and '-', no spaces",
        "sheet 审核计划信息表, row 3, column 组织名称: leading or trailing white space",
    ]


def test_normalise_trims_removes_invisible_characters_and_upper_cases_ids():
    rows = {"plans": [plan(plan_no=" as 2026-0001\u200b", org_name="\t甲企业 ")], "certificates": [], "results": []}
    clean = normalise(rows, T)["plans"][0]
    assert clean["plan_no"] == "AS2026-0001" and clean["org_name"] == "甲企业"
    assert validate(normalise(rows, T), T) == []


def test_codes_must_come_from_the_template_s_lists():
    rows = {"plans": [plan(audit_mode="现场审核")], "certificates": [], "results": []}
    [problem] = validate(rows, T)
    assert problem.code == "not_code" and problem.header == "审核方式"
    assert "FS01、FS02、FS03" in problem.located("en")


def test_field_and_project_codes_follow_the_category_c_patterns():
    rows = {"plans": [plan(field_code="SC03", project_code="C0201")], "certificates": [], "results": []}
    assert validate(rows, T) == []
    rows = {"plans": [plan(field_code="A03", project_code="C021")], "certificates": [], "results": []}
    assert located(validate(rows, T)) == [
        "sheet 审核计划信息表, row 2, column 认证领域代码: 'A03' does not match SC[0-9A-Z]+",
        "sheet 审核计划信息表, row 2, column 认证项目分类代码: 'C021' does not match C02[0-9A-Z]{2}",
    ]


def test_a_certificate_needs_its_result_row_and_a_result_its_certificate_row():
    rows = {"plans": [], "certificates": [certificate()], "results": [result(certificate_no="ASC-2026-0009")]}
    assert located(validate(rows, T)) == [
        "sheet 证书信息表, row 2, column 证书编号: 'ASC-2026-0001' has no row on sheet 'audit results' "
        "(nor was one reported earlier)",
        "sheet 审核结果信息表, row 2, column 证书编号: 'ASC-2026-0009' has no row on sheet 'certificates' "
        "(nor was one reported earlier)",
    ]


def test_a_dependency_resolves_to_rows_reported_earlier():
    rows = {"plans": [], "certificates": [], "results": [result(audit_kind="监督审核")]}
    earlier = {"certificates.certificate_no": {"ASC-2026-0001"}}
    assert validate(rows, T, earlier=earlier) == []


def test_a_status_change_needs_no_result_row():
    rows = {"plans": [], "certificates": [certificate(change="证书状态变更", status="暂停")], "results": []}
    assert validate(rows, T) == []


def test_a_repeated_row_names_the_first():
    rows = {"plans": [plan(), plan()], "certificates": [], "results": []}
    [problem] = validate(rows, T)
    assert problem.located("en") == "sheet 审核计划信息表, row 3, column 审核计划编号: repeats row 2 of this sheet"


def test_dates_and_numbers_are_typed():
    rows = {"plans": [plan(start_date="2026-10-20", man_days="2")], "certificates": [], "results": []}
    assert [p.code for p in validate(rows, T)] == ["not_date", "not_number"]


def test_the_due_day_is_the_tenth_of_the_next_month_without_holiday_extension():
    assert due_on(date(2026, 9, 30)) == date(2026, 10, 10)  # 10 October is in the national-day week
    assert due_on(date(2026, 12, 1)) == date(2027, 1, 10)
    assert due_on(date(2026, 1, 5), day=31) == date(2026, 2, 28)


def test_a_cb_s_yaml_template_replaces_names_and_headers(tmp_path):
    text = (
        DEFAULT_PATH.read_text(encoding="utf-8")
        .replace("审核组长姓名", "组长姓名")
        .replace("id: cnca-default-2026-12", "id: cb-2027")
    )
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    mine = load_template(path)
    assert mine.id == "cb-2027" and mine.sheet("plans").column("leader_name").header == "组长姓名"


def test_a_broken_template_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace("kind: date", "kind: day", 1), encoding="utf-8")
    with pytest.raises(TemplateError, match=r"bad.yaml: sheets\[0\].columns\[8\].kind"):
        load_template(path)
    with pytest.raises(TemplateError, match="no such template file"):
        load_template(tmp_path / "missing.yaml")


def official(tmp_path, *, plans_header, title=None):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.create_sheet("说明")
    for sheet in T.sheets:
        ws = wb.create_sheet(sheet.name)
        if title and sheet.key == "plans":
            ws.append([title])
        ws.append(plans_header if sheet.key == "plans" else [c.header for c in sheet.columns])
    path = tmp_path / "official.xlsx"
    wb.save(path)
    return path


def test_the_official_xlsx_gives_sheet_names_header_rows_and_column_order(tmp_path):
    header = ["*审核计划编号", "审核方式", "组织名称", "认证类别", "审核类型", "审核开始日期"]
    header += ["审核结束日期", "审核人日数", "审核组长姓名", "统一社会信用代码", "*审核机构内部编号"]
    mine = load_template(official(tmp_path, plans_header=header, title="审核计划信息（请勿修改表头）"))
    plans = mine.sheet("plans")
    assert plans.header_row == 2 and plans.preamble == (("审核计划信息（请勿修改表头）",),)
    assert [c.header for c in plans.columns] == header
    assert [c.key for c in plans.columns][:3] == ["plan_no", "audit_mode", "org_name"]
    extra = plans.columns[-1]
    assert not extra.filled and extra.required
    # the column we cannot fill stops the export, named where it is
    [problem] = validate({"plans": [plan()], "certificates": [], "results": []}, mine)
    assert problem.located("en") == "sheet 审核计划信息表, row 3, column *审核机构内部编号: required cell is empty"


def test_an_official_xlsx_without_a_sheet_is_refused(tmp_path):
    path = official(tmp_path, plans_header=["审核计划编号"])
    wb = openpyxl.load_workbook(path)
    del wb["证书信息表"]
    wb.save(path)
    with pytest.raises(TemplateError, match="no sheet named '证书信息表'"):
        load_template(path)
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    with pytest.raises(TemplateError, match=r"not a readable \.xlsx"):
        load_template(tmp_path / "junk.xlsx")


def test_a_template_without_a_dependency_column_drops_the_dependency():
    slim = replace(T, dependencies=())
    rows = {"plans": [], "certificates": [certificate()], "results": []}
    assert validate(rows, slim) == []
