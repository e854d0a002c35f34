"""The exported .xlsx: bilingual header, result drop-down, protected sheet with unlocked input cells,
and an About sheet naming the scheme exactly."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from aftersales.checklist.writer import write_xlsx
from aftersales.core.scheme import get_scheme

from .fill import SCHEME_IDS, export, scheme_sha256

HEADER = [
    "条款 item",
    "名称 title",
    "分值 points",
    "结果 result",
    "得分 points_awarded",
    "抽样数 sampled",
    "不符合数 nonconforming",
    "理由/备注 reason",
]
INPUT_COLUMNS = "DEFGH"  # result, points_awarded, sampled, nonconforming, reason
SPARE_ROWS = 12


def open_sheet(path):
    wb = load_workbook(path)
    return wb, wb.worksheets[0]


def node_rows(ws) -> dict[str, int]:
    return {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def validations_at(ws, coordinate: str):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_writes_the_bilingual_header_and_one_row_per_node(tmp_path, scheme_id, lang):
    _, ws = open_sheet(export(tmp_path, scheme_id, ".xlsx", lang=lang))

    s = get_scheme(scheme_id)
    assert [c.value for c in ws[1]] == HEADER
    rows = node_rows(ws)
    assert list(rows) == [n.code for n in s.walk()]
    for node in s.walk():
        assert ws.cell(row=rows[node.code], column=2).value == node.title.get(lang)
        assert ws.cell(row=rows[node.code], column=3).value == node.points


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_puts_a_list_drop_down_on_the_result_of_every_item(tmp_path, scheme_id):
    _, ws = open_sheet(export(tmp_path, scheme_id, ".xlsx"))
    rows = node_rows(ws)

    for item in get_scheme(scheme_id).items:
        lists = [dv for dv in validations_at(ws, f"D{rows[item.code]}") if dv.type == "list"]
        assert len(lists) == 1, item.code
        choices = lists[0].formula1.strip('"').split(",")
        assert {"符合", "不符合", "抽样", "部分", "不适用", "conform", "nonconform", "sampled", "partial", "na"} <= set(
            choices
        )
        assert len(lists[0].formula1) <= 257  # Excel's limit on a list, quotes aside


def test_it_checks_counts_as_whole_numbers_and_awarded_points_as_decimals(tmp_path):
    _, gbt = open_sheet(export(tmp_path, "gbt27922-2011", ".xlsx"))
    row = node_rows(gbt)["5.1.2.2"]  # a sampled item
    for column in "FG":
        assert [dv.type for dv in validations_at(gbt, f"{column}{row}")] == ["whole"]

    _, a1 = open_sheet(export(tmp_path, "sbt10401-2006-a1", ".xlsx"))
    row = node_rows(a1)["A1.6"]  # a partial item
    assert [dv.type for dv in validations_at(a1, f"E{row}")] == ["decimal"]


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_protects_the_sheet_and_unlocks_only_the_input_cells(tmp_path, scheme_id):
    _, ws = open_sheet(export(tmp_path, scheme_id, ".xlsx"))
    rows = node_rows(ws)

    assert ws.protection.sheet is True
    for node in get_scheme(scheme_id).walk():
        row = rows[node.code]
        for column in "ABC":  # item, title, points
            assert ws[f"{column}{row}"].protection.locked is True, f"{column}{row}"
        for column in INPUT_COLUMNS:
            assert ws[f"{column}{row}"].protection.locked is (not node.is_item), f"{node.code} {column}{row}"
    for cell in ws[1]:
        assert cell.protection.locked is True


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_leaves_twelve_unlocked_rows_for_special_findings(tmp_path, scheme_id):
    _, ws = open_sheet(export(tmp_path, scheme_id, ".xlsx"))
    last = max(node_rows(ws).values())

    for row in range(last + 1, last + 1 + SPARE_ROWS):
        assert ws[f"A{row}"].value is None
        for column in "ADH":  # item, result (the kind), reason
            assert ws[f"{column}{row}"].protection.locked is False, f"{column}{row}"
        choices = [dv.formula1 for dv in validations_at(ws, f"A{row}") if dv.type == "list"]
        assert choices == ['"special_deduction,special_bonus"']
    assert ws[f"A{last + 1 + SPARE_ROWS}"].protection.locked is True


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_names_the_scheme_id_version_and_sha256_on_the_about_sheet(tmp_path, scheme_id):
    wb, _ = open_sheet(export(tmp_path, scheme_id, ".xlsx"))

    assert len(wb.worksheets) == 2
    about = wb.worksheets[1]
    assert "About" in about.title
    values = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row and row[0]}
    s = get_scheme(scheme_id)
    assert values["方案 scheme"] == scheme_id
    assert values["版本 version"] == s.version
    assert values["SHA-256"] == scheme_sha256(scheme_id)
    status = "参考分配 reference allocation" if scheme_id == "gbt27922-2011" else "正式 official"
    assert values["性质 status"] == status


def test_it_writes_the_same_workbook_from_the_writer_and_the_cli(tmp_path):
    direct = tmp_path / "direct.xlsx"
    write_xlsx(get_scheme("sbt10401-2006-a2"), direct)
    _, a = open_sheet(direct)
    _, b = open_sheet(export(tmp_path, "sbt10401-2006-a2", ".xlsx"))

    assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]


def test_it_refuses_to_export_to_an_unknown_file_type(tmp_path):
    from .fill import cli

    result = cli("checklist", "export", "--scheme", "gbt27922-2011", "-o", tmp_path / "x.ods")

    assert result.exit_code == 2
    assert "不支持的文件类型 “.ods”" in result.stderr
    assert not (tmp_path / "x.ods").exists()
